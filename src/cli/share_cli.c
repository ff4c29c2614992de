/* share_cli.c - `zhengtong resource import` (placeholder until the sharing
 * module lands). */
#include "cli/cli.h"

#include <stdio.h>

int
cli_resource_import(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "resource import: not built yet\n");
	return 1;
}
