/* csvimport.h - what the all-or-nothing CSV imports share (external
 * indicators, required item lists): a header of named columns in any order,
 * then every record read and checked, each bad one reported through the
 * import hooks (resource.h), before anything is stored. */
#ifndef ZT_CSVIMPORT_H
#define ZT_CSVIMPORT_H

#include <stdint.h>

#include "base/err.h"
#include "domain/resource.h"

#define CSV_PROGRESS_EVERY 20000 /* rows between progress calls */

/* Reports a bad record through h (when it has an on_error). */
void csv_report(const struct import_hooks *h, int64_t line, const char *field, const char *reason,
		const char *detail);

/* Reads the header: each of the ncols names exactly once, in any order;
 * map[k] gets the position of names[k]. ZT_EINVAL with field "header"
 * (reason required, format, unknown, duplicate or missing) otherwise. */
int csv_read_header(struct csv_reader *csv, const char *const *names, int ncols, int *map,
		    struct zt_err *err);

/* The good records, as the caller's row structs of size bytes each. */
struct csv_rows {
	void *v;
	size_t size;
	int64_t n, cap;
};

/* Checks one record with ncols cells (cells[map[k]] is column k) into row
 * (zeroed): 0 when good (kept), 1 when bad (reported), negative when the
 * database failed. */
typedef int (*csv_check_fn)(void *arg, char **cells, const int *map, int64_t line, void *row,
			    struct zt_err *err);

/* Reads every record after the header: an unreadable one or one with
 * another number of cells than ncols is reported, the others go to check,
 * and the good ones are kept in out (out->size set by the caller; free
 * out->v). Counts the records in *rows and the bad ones in *rejected and
 * calls h->progress every CSV_PROGRESS_EVERY records. Returns 0 or the
 * negative error of check. */
int csv_check_all(struct csv_reader *csv, int ncols, const int *map, const struct import_hooks *h,
		  csv_check_fn check, void *arg, struct csv_rows *out, int64_t *rows,
		  int64_t *rejected, struct zt_err *err);

/* The verdict after the caller's own checks: 0 when nothing was rejected,
 * else ZT_EINVAL "rejected" with the counts. */
int csv_verdict(int64_t rows, int64_t rejected, struct zt_err *err);

#endif
