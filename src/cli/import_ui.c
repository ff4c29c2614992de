/* import_ui.c - terminal output of the CSV imports (import_ui.h). */
#include "cli/import_ui.h"
#include "base/clock.h"

#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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
		fprintf(stderr, "%s%s: storing %lld rows%s", pre, ui->what, (long long)rows, post);
	else if (ui->size > 0)
		fprintf(stderr, "%s%s: %lld rows checked, %.0f%%%s", pre, ui->what, (long long)rows,
			100.0 * (double)bytes / (double)ui->size, post);
	else
		fprintf(stderr, "%s%s: %lld rows checked%s", pre, ui->what, (long long)rows, post);
	fflush(stderr);
}

FILE *
import_ui_open(struct import_ui *ui, const char *what, const char *path)
{
	FILE *in = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	struct stat st;

	memset(ui, 0, sizeof(*ui));
	ui->what = what;
	if (in == NULL) {
		fprintf(stderr, "%s: cannot open %s\n", what, path);
		return NULL;
	}
	if (fstat(fileno(in), &st) == 0 && S_ISREG(st.st_mode))
		ui->size = st.st_size;
	ui->tty = isatty(2);
	return in;
}

struct import_hooks
import_ui_hooks(struct import_ui *ui)
{
	struct import_hooks h = {ui, on_error, on_progress};

	return h;
}

void
import_ui_close(struct import_ui *ui, FILE *in)
{
	if (ui->tty)
		fputs("\r\033[K", stderr);
	if (in && in != stdin)
		fclose(in);
}
