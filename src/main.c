/* main.c - the zhengtong command: one binary, several subcommands. */
#include "cli/cli.h"

int
main(int argc, char **argv)
{
	return cli_main(argc, argv);
}
