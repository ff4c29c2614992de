/* required_cli.c - `zhengtong items required import FILE.csv`: loads the
 * regions' required item lists (domain/required_items.h), all or nothing,
 * listing every bad row on stderr. */
#include "cli/cli.h"
#include "base/clock.h"
#include "db/db.h"
#include "domain/required_items.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct import_ui {
	int tty;
	int64_t size;
	uint64_t last;
};

static void
on_error(void *ctx, int64_t line, const char *field, const char *reason, const char *detail)
{
	struct import_ui *ui = ctx;

	fprintf(stderr, "%sline %lld: %s: %s: %s\n", ui->tty ? "\r\033[K" : "", (long long)line,
		*field ? field : "-", reason, detail);
}

static void
on_progress(void *ctx, int64_t rows, int64_t bytes)
{
	struct import_ui *ui = ctx;
	uint64_t now = clock_mono_ns();
	const char *pre = ui->tty ? "\r\033[K" : "", *post = ui->tty ? "" : "\n";

	if (now - ui->last < 200000000ull)
		return;
	ui->last = now;
	if (bytes < 0)
		fprintf(stderr, "%sitems required import: storing %lld rows%s", pre,
			(long long)rows, post);
	else if (ui->size > 0)
		fprintf(stderr, "%sitems required import: %lld rows checked, %.0f%%%s", pre,
			(long long)rows, 100.0 * (double)bytes / (double)ui->size, post);
	else
		fprintf(stderr, "%sitems required import: %lld rows checked%s", pre,
			(long long)rows, post);
	fflush(stderr);
}

int
cli_required_import(int argc, char **argv)
{
	const char *path = NULL;
	struct required_result res;
	struct import_ui ui;
	struct zt_err err;
	struct stat st;
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
	FILE *in = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	if (in == NULL) {
		fprintf(stderr, "items required import: cannot open %s\n", path);
		return 1;
	}
	memset(&ui, 0, sizeof(ui));
	if (fstat(fileno(in), &st) == 0 && S_ISREG(st.st_mode))
		ui.size = st.st_size;
	ui.tty = isatty(2);
	if (cli_setup(0) < 0) {
		rc = 1;
		goto out;
	}
	struct required_hooks hooks = {&ui, on_error, on_progress};
	err_clear(&err);
	rc = required_import(db_cli_conn(), in, &hooks, &res, &err);
	if (ui.tty)
		fputs("\r\033[K", stderr);
	cli_teardown();
	if (rc < 0) {
		fprintf(stderr, "items required import: %s%s%s\n", err.field,
			err.field[0] ? ": " : "", err.msg);
		rc = 1;
		goto out;
	}
	printf("imported %lld required item%s for %lld region%s (%lld replaced)\n",
	       (long long)res.rows, res.rows == 1 ? "" : "s", (long long)res.regions,
	       res.regions == 1 ? "" : "s", (long long)res.replaced);
	rc = 0;
out:
	if (in != stdin)
		fclose(in);
	return rc;
}
