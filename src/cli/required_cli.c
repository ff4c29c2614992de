/* required_cli.c - `zhengtong items required import FILE.csv`: loads the
 * regions' required item lists (domain/required_items.h), all or nothing,
 * listing every bad row on stderr. */
#include "cli/cli.h"
#include "cli/import_ui.h"
#include "db/db.h"
#include "domain/required_items.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

int
cli_required_import(int argc, char **argv)
{
	const char *path = NULL;
	struct required_result res;
	struct import_ui ui;
	struct zt_err err;
	int rc;

	if (argc < 1 || strcmp(argv[0], "import") != 0) {
		fprintf(stderr, "usage: %s\n", CLI_REQUIRED_IMPORT_USAGE);
		return 2;
	}
	for (int i = 1; i < argc; i++) {
		if (argv[i][0] == '-' && argv[i][1] != '\0') {
			fprintf(stderr, "items required import: unknown option %s\nusage: %s\n",
				argv[i], CLI_REQUIRED_IMPORT_USAGE);
			return 2;
		} else if (path == NULL)
			path = argv[i];
		else {
			fprintf(stderr,
				"items required import: unexpected argument %s\nusage: %s\n",
				argv[i], CLI_REQUIRED_IMPORT_USAGE);
			return 2;
		}
	}
	if (path == NULL) {
		fprintf(stderr, "usage: %s\n", CLI_REQUIRED_IMPORT_USAGE);
		return 2;
	}
	FILE *in = import_ui_open(&ui, "items required import", path);
	if (in == NULL)
		return 1;
	if (cli_setup(0) < 0) {
		import_ui_close(&ui, in);
		return 1;
	}
	struct import_hooks hooks = import_ui_hooks(&ui);
	err_clear(&err);
	rc = required_import(db_cli_conn(), in, &hooks, &res, &err);
	import_ui_close(&ui, in);
	cli_teardown();
	if (rc < 0) {
		fprintf(stderr, "items required import: %s%s%s\n", err.field,
			err.field[0] ? ": " : "", err.msg);
		return 1;
	}
	printf("imported %lld required item%s for %lld region%s (%lld replaced)\n",
	       (long long)res.rows, res.rows == 1 ? "" : "s", (long long)res.regions,
	       res.regions == 1 ? "" : "s", (long long)res.replaced);
	return 0;
}
