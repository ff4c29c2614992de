/* evaluate_cli.c - `zhengtong evaluate` and `zhengtong indicators import`. */
#include "cli/cli.h"

#include <stdio.h>

int
cli_evaluate(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "evaluate: not yet built\n");
	return 2;
}

int
cli_indicators_import(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "indicators import: not yet built\n");
	return 2;
}
