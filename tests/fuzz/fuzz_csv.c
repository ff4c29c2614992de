/* fuzz_csv.c - CSV import: the RFC 4180 reader (resource_csv_next) and the
 * three imports built on it, run against the demo node: a data resource's
 * rows (resource_import, as POST /resources/{id}/import and `resource
 * import` call it), external indicators (indicators_import) and required
 * item lists (required_import).
 *
 * Input: byte 0 picks the reader alone (0), resource_import into demo
 * resource 1 + byte 1 % count (1), indicators (2) or required items (3);
 * the rest is the file.
 * Checks: every record has 1..1000 cells whose lengths match their NUL
 * terminators; the reader ends after at most one record per input byte (no
 * endless loop); an import returns 0 or an error with a code, and its
 * counts add up. */
#include "fuzz.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/db.h"
#include "domain/indicators.h"
#include "domain/required_items.h"
#include "domain/resource.h"

static void
on_error(void *ctx, int64_t line, const char *field, const char *reason, const char *detail)
{
	(void)ctx;
	if (line < 0 || field == NULL || reason == NULL || detail == NULL)
		FUZZ_FAIL("bad import report at line %lld", (long long)line);
}

static void
reader_only(const uint8_t *data, size_t size)
{
	FILE *f = fmemopen((void *)data, size, "r");
	struct csv_reader *csv;
	char **cells;
	int n, rc;
	int64_t line, records = 0, last = 0;
	struct zt_err err;

	if (f == NULL)
		return;
	csv = resource_csv_new(f);
	for (;;) {
		err_clear(&err);
		rc = resource_csv_next(csv, &cells, &n, &line, &err);
		if (rc == 0)
			break;
		if (++records > (int64_t)size + 1)
			FUZZ_FAIL("the CSV reader does not end");
		if (line < last || line < 1)
			FUZZ_FAIL("line numbers go back: %lld after %lld", (long long)line,
				  (long long)last);
		last = line;
		if (rc < 0) {
			if (err.code != ZT_EINVAL)
				FUZZ_FAIL("reader error without a code");
			continue;
		}
		if (n < 1 || n > 1000)
			FUZZ_FAIL("a record of %d cells", n);
		size_t total = 0;
		for (int i = 0; i < n; i++)
			total += strlen(cells[i]) + 1;
		if (total > (1u << 20) + 1001)
			FUZZ_FAIL("a record of %zu bytes", total);
	}
	if (resource_csv_offset(csv) > (int64_t)size)
		FUZZ_FAIL("offset past the end");
	resource_csv_free(csv);
	fclose(f);
}

int
fuzz_csv_one(const uint8_t *data, size_t size)
{
	struct import_hooks hooks = {NULL, on_error, NULL};
	struct zt_err err;
	FILE *f;
	int rc;

	if (size < 2)
		return 0;
	int mode = data[0] % 4, which = data[1];
	data += 2;
	size -= 2;
	if (mode == 0) {
		reader_only(data, size);
		return 0;
	}
	fuzz_setup();
	if ((f = fmemopen((void *)(size ? data : (const uint8_t *)""), size, "r")) == NULL)
		return 0;
	err_clear(&err);
	db_conn *c = db_read_acquire();
	if (mode == 1) {
		struct import_result res;
		int64_t nres = db_query_int(c, "SELECT count(*) FROM data_resources", 1, &err);
		memset(&res, 0, sizeof(res));
		err_clear(&err);
		rc = resource_import(c, NULL, 1 + which % (nres > 0 ? nres : 1), NULL, f, &hooks,
				     &res, &err);
		if (rc == 0 && res.loaded != res.inserted + res.updated)
			FUZZ_FAIL("import counts: loaded %lld, inserted %lld, updated %lld",
				  (long long)res.loaded, (long long)res.inserted,
				  (long long)res.updated);
	} else if (mode == 2) {
		struct indicators_result res;
		memset(&res, 0, sizeof(res));
		rc = indicators_import(c, f, "fuzz", &hooks, &res, &err);
	} else {
		struct required_result res;
		memset(&res, 0, sizeof(res));
		rc = required_import(c, f, &hooks, &res, &err);
	}
	if (rc < 0 && err.code == 0)
		FUZZ_FAIL("import failed without an error code");
	if (rc < 0 && err.code == ZT_EINTERNAL)
		FUZZ_FAIL("import: internal error: %s %s", err.field, err.msg);
	db_read_release(c);
	fclose(f);
	return 0;
}

FUZZ_TARGET_DB(csv)
