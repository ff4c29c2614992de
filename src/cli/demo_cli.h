/* demo_cli.h - `zhengtong demo generate`. */
#ifndef ZT_DEMO_CLI_H
#define ZT_DEMO_CLI_H

#define CLI_DEMO_GENERATE_USAGE                                                                    \
	"zhengtong demo generate --regions N --cases M [--config FILE]"
#define CLI_DEMO_GENERATE_HELP "Generates synthetic operations (not yet built)."
int cli_demo_generate(int argc, char **argv);

#endif
