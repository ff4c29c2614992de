/* csvimport.c - the header, the check loop and the verdict of the
 * all-or-nothing CSV imports (csvimport.h). */
#include "domain/csvimport.h"
#include "base/buf.h"
#include "base/xmalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void
csv_report(const struct import_hooks *h, int64_t line, const char *field, const char *reason,
	   const char *detail)
{
	if (h && h->on_error)
		h->on_error(h->ctx, line, field, reason, detail);
}

/* The column names joined by sep, into a heap string. */
static char *
joined(const char *const *names, int ncols, const char *sep)
{
	struct buf b;

	buf_init(&b);
	for (int k = 0; k < ncols; k++)
		buf_printf(&b, "%s%s", k ? sep : "", names[k]);
	return buf_take(&b, NULL);
}

/* The position of name among names, or -1. */
static int
column(const char *const *names, int ncols, const char *name)
{
	for (int k = 0; k < ncols; k++)
		if (strcmp(name, names[k]) == 0)
			return k;
	return -1;
}

int
csv_read_header(struct csv_reader *csv, const char *const *names, int ncols, int *map,
		struct zt_err *err)
{
	char **cells, *list;
	int n, rc;
	int64_t line;

	rc = resource_csv_next(csv, &cells, &n, &line, err);
	if (rc == 0) {
		list = joined(names, ncols, ",");
		rc = err_set(err, ZT_EINVAL, "header", "required",
			     "the file is empty; the first line is %s", list);
		free(list);
		return rc;
	}
	if (rc < 0)
		return err_set(err, ZT_EINVAL, "header", "format", "the header line is malformed");
	for (int k = 0; k < ncols; k++)
		map[k] = -1;
	for (int i = 0; i < n; i++) {
		int k = column(names, ncols, cells[i]);
		if (k < 0) {
			list = joined(names, ncols, ", ");
			rc = err_set(err, ZT_EINVAL, "header", "unknown",
				     "unknown column \"%.40s\" (%s)", cells[i], list);
			free(list);
			return rc;
		}
		if (map[k] >= 0)
			return err_set(err, ZT_EINVAL, "header", "duplicate", "column %s twice",
				       names[k]);
		map[k] = i;
	}
	for (int k = 0; k < ncols; k++)
		if (map[k] < 0)
			return err_set(err, ZT_EINVAL, "header", "missing", "column %s is missing",
				       names[k]);
	return 0;
}

int
csv_check_all(struct csv_reader *csv, int ncols, const int *map, const struct import_hooks *h,
	      csv_check_fn check, void *arg, struct csv_rows *out, int64_t *rows, int64_t *rejected,
	      struct zt_err *err)
{
	char **cells;
	int64_t line;
	int n, rc;

	for (;;) {
		struct zt_err rerr;
		err_clear(&rerr);
		rc = resource_csv_next(csv, &cells, &n, &line, &rerr);
		if (rc == 0)
			return 0;
		++*rows;
		if (h && h->progress && *rows % CSV_PROGRESS_EVERY == 0)
			h->progress(h->ctx, *rows, resource_csv_offset(csv));
		if (rc < 0) {
			csv_report(h, line, "", rerr.reason, rerr.msg);
			++*rejected;
			continue;
		}
		if (n != ncols) {
			char d[64];
			snprintf(d, sizeof(d), "%d fields, expected %d", n, ncols);
			csv_report(h, line, "", "columns", d);
			++*rejected;
			continue;
		}
		if (out->n == out->cap) {
			out->cap = out->cap ? 2 * out->cap : 1024;
			out->v = xreallocarray(out->v, (size_t)out->cap, out->size);
		}
		void *row = (char *)out->v + (size_t)out->n * out->size;
		memset(row, 0, out->size);
		if ((rc = check(arg, cells, map, line, row, err)) < 0)
			return rc;
		if (rc == 0)
			out->n++;
		*rejected += rc;
	}
}

int
csv_verdict(int64_t rows, int64_t rejected, struct zt_err *err)
{
	if (rejected == 0)
		return 0;
	return err_set(err, ZT_EINVAL, "", "rejected",
		       "%lld of %lld row(s) rejected; nothing was imported", (long long)rejected,
		       (long long)rows);
}
