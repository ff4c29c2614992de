/* share_cli.c - `zhengtong resource import CODE FILE.csv [--errors FILE]`:
 * streams a CSV file into a data resource. Progress on stderr when it is a
 * terminal, every rejected line on stderr (and as CSV in --errors FILE), a
 * summary line on stdout. Exit 0 when every row loaded, 1 when any was
 * rejected (or the import failed), 2 for bad usage. */
#include "cli/cli.h"
#include "base/clock.h"
#include "db/db.h"
#include "domain/resource.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct import_ui {
	const char *code;
	FILE *errors; /* --errors FILE, or NULL */
	int tty;
	int64_t size; /* of the input file, 0 if unknown */
	uint64_t t0;
};

static void
on_error(void *ctx, int64_t line, const char *field, const char *reason, const char *detail)
{
	struct import_ui *ui = ctx;

	fprintf(stderr, "%sline %lld: %s: %s: %s\n", ui->tty ? "\r\033[K" : "", (long long)line,
		*field ? field : "-", reason, detail);
	if (ui->errors) {
		fprintf(ui->errors, "%lld,", (long long)line);
		cli_csv_value(ui->errors, field);
		fputc(',', ui->errors);
		cli_csv_value(ui->errors, reason);
		fputc(',', ui->errors);
		cli_csv_value(ui->errors, detail);
		fputc('\n', ui->errors);
	}
}

static void
on_progress(void *ctx, int64_t rows, int64_t bytes)
{
	struct import_ui *ui = ctx;
	double secs = (double)(clock_mono_ns() - ui->t0) / 1e9;

	if (!ui->tty)
		return;
	fprintf(stderr, "\r\033[Kimport %s: %lld rows", ui->code, (long long)rows);
	if (ui->size > 0)
		fprintf(stderr, ", %.0f%%", 100.0 * (double)bytes / (double)ui->size);
	if (secs > 0.01)
		fprintf(stderr, ", %.0f rows/s", (double)rows / secs);
	fflush(stderr);
}

int
cli_resource_import(int argc, char **argv)
{
	const char *pos[2] = {NULL, NULL}, *errors_path = NULL;
	struct import_ui ui;
	struct import_result res;
	struct zt_err err;
	struct stat st;
	int npos = 0, rc;

	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--errors") == 0 && i + 1 < argc)
			errors_path = argv[++i];
		else if (argv[i][0] == '-' && argv[i][1] != '\0') {
			fprintf(stderr, "resource import: unknown option %s\nusage: %s\n", argv[i],
				CLI_RESOURCE_IMPORT_USAGE);
			return 2;
		} else if (npos < 2)
			pos[npos++] = argv[i];
		else {
			fprintf(stderr, "resource import: unexpected argument %s\nusage: %s\n",
				argv[i], CLI_RESOURCE_IMPORT_USAGE);
			return 2;
		}
	}
	if (npos != 2) {
		fprintf(stderr, "usage: %s\n", CLI_RESOURCE_IMPORT_USAGE);
		return 2;
	}
	memset(&ui, 0, sizeof(ui));
	ui.code = pos[0];
	FILE *in = strcmp(pos[1], "-") == 0 ? stdin : fopen(pos[1], "rb");
	if (in == NULL) {
		fprintf(stderr, "resource import: cannot open %s\n", pos[1]);
		return 1;
	}
	if (fstat(fileno(in), &st) == 0 && S_ISREG(st.st_mode))
		ui.size = st.st_size;
	if (errors_path && (ui.errors = fopen(errors_path, "w")) == NULL) {
		fprintf(stderr, "resource import: cannot write %s\n", errors_path);
		if (in != stdin)
			fclose(in);
		return 1;
	}
	if (ui.errors)
		fputs("line,field,reason,detail\n", ui.errors);
	if (cli_setup(0) < 0) {
		rc = 1;
		goto out;
	}
	ui.tty = isatty(2);
	ui.t0 = clock_mono_ns();
	struct import_hooks hooks = {&ui, on_error, on_progress};
	err_clear(&err);
	rc = resource_import(db_cli_conn(), NULL, 0, ui.code, in, &hooks, &res, &err);
	if (ui.tty)
		fputs("\r\033[K", stderr);
	cli_teardown();
	if (rc < 0) {
		fprintf(stderr, "resource import: %s%s%s\n", err.field, err.field[0] ? ": " : "",
			err.msg);
		rc = 1;
		goto out;
	}
	printf("loaded %lld rows into %s (%lld inserted, %lld updated), %lld rejected\n",
	       (long long)res.loaded, ui.code, (long long)res.inserted, (long long)res.updated,
	       (long long)res.rejected);
	rc = res.rejected > 0 ? 1 : 0;
out:
	if (ui.errors && fclose(ui.errors) != 0 && rc == 0)
		rc = 1;
	if (in != stdin)
		fclose(in);
	return rc;
}
