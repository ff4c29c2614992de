/* demo_cli.c - `zhengtong demo generate`. */
#include "cli/cli.h"

#include <stdio.h>

int
cli_demo_generate(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "demo generate: not yet built\n");
	return 2;
}
