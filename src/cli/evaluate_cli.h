/* evaluate_cli.h - `zhengtong evaluate` and `zhengtong indicators import`. */
#ifndef ZT_EVALUATE_CLI_H
#define ZT_EVALUATE_CLI_H

#define CLI_EVALUATE_USAGE                                                                         \
	"zhengtong evaluate --period P [--format table|csv|json|html] [--config FILE]"
#define CLI_EVALUATE_HELP "Evaluates the regions for a period (not yet built)."
int cli_evaluate(int argc, char **argv);

#define CLI_INDICATORS_IMPORT_USAGE "zhengtong indicators import FILE.csv [--config FILE]"
#define CLI_INDICATORS_IMPORT_HELP "Imports external indicators (not yet built)."
int cli_indicators_import(int argc, char **argv);

#endif
