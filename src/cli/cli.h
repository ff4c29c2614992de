/* cli.h - subcommands of the zhengtong binary (serve, init, migrate, user
 * add, calendar load, sla sweep, audit verify), each with --help. */
#ifndef ZT_CLI_H
#define ZT_CLI_H

int cli_main(int argc, char **argv);

#endif
