/* license_cli.c - `zhengtong license verify` (placeholder until the license
 * module lands). */
#include "cli/cli.h"

#include <stdio.h>

int
cli_license_verify(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "license verify: not built yet\n");
	return 1;
}
