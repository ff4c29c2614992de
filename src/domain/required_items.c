/* required_items.c - importing the regions' required item lists. Like the
 * external indicators (indicators.c) an import is all or nothing: every row
 * is checked first (all bad rows reported), then one write transaction
 * replaces the lists of the regions the file names. */
#include "domain/required_items.h"
#include "domain/audit.h"
#include "domain/csvimport.h"
#include "domain/org.h"
#include "domain/resource.h"
#include "base/utf8.h"
#include "base/xmalloc.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

enum { COL_REGION, COL_CODE, COL_NAME, NCOLS };
static const char *const col_names[NCOLS] = {"region_code", "code", "name"};

struct row {
	char region[16];
	char code[REQUIRED_CODE_MAX + 1];
	char *name;
	int64_t line;
};

struct job {
	db_conn *c;	  /* reads the regions while checking */
	struct row *rows; /* sorted by region, code after the duplicate check */
	int64_t n;
	const struct import_hooks *h;
	int64_t regions, replaced;
};

/* Characters (code points) of s, or -1 if s is not valid UTF-8 (RFC 3629)
 * or holds a control character. */
static long
text_chars(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			return -1;
	return utf8_len(s);
}

static int
code_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > REQUIRED_CODE_MAX)
		return 0;
	for (; *s; s++)
		if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') ||
		      (*s >= '0' && *s <= '9') || *s == '-'))
			return 0;
	return 1;
}

/* Checks one record into row (csv_check_fn): 0 when good, 1 (reported)
 * when bad, negative when the database failed. */
static int
check_row(void *arg, char **cells, const int *map, int64_t line, void *row, struct zt_err *err)
{
	const struct job *j = arg;
	const struct import_hooks *h = j->h;
	db_conn *c = j->c;
	struct row *r = row;
	int bad = 0;

	r->line = line;
	const char *region = cells[map[COL_REGION]], *code = cells[map[COL_CODE]];
	const char *name = cells[map[COL_NAME]];
	int known = strlen(region) < sizeof(r->region) ? org_region_exists(c, region, err) : 0;
	if (known < 0)
		return known;
	if (!known) {
		csv_report(h, r->line, "region_code", "unknown", "no such region");
		bad = 1;
	}
	if (!code_ok(code)) {
		csv_report(h, r->line, "code", "format", "1-64 characters of A-Z, a-z, 0-9 and -");
		bad = 1;
	}
	long len = text_chars(name);
	if (len < 0) {
		csv_report(h, r->line, "name", "encoding",
			   "not UTF-8 text (or a control character)");
		bad = 1;
	} else if (len == 0 || len > REQUIRED_NAME_MAX) {
		csv_report(h, r->line, "name", len == 0 ? "required" : "too_long",
			   "1-200 characters");
		bad = 1;
	}
	if (bad)
		return 1;
	snprintf(r->region, sizeof(r->region), "%s", region);
	snprintf(r->code, sizeof(r->code), "%s", code);
	r->name = xstrdup(name);
	return 0;
}

static int
cmp_row(const void *a, const void *b)
{
	const struct row *x = a, *y = b;
	int c;

	if ((c = strcmp(x->region, y->region)) || (c = strcmp(x->code, y->code)))
		return c;
	return (x->line > y->line) - (x->line < y->line);
}

/* Sorts rows by region, code and line and reports every row whose key an
 * earlier line already had; returns their number. */
static int64_t
duplicates(struct row *rows, int64_t n, const struct import_hooks *h)
{
	int64_t bad = 0, first = 0;

	if (n > 1) /* rows is NULL when there are none */
		qsort(rows, (size_t)n, sizeof(*rows), cmp_row);
	for (int64_t i = 1; i < n; i++) {
		const struct row *a = &rows[first], *b = &rows[i];
		if (strcmp(a->region, b->region) || strcmp(a->code, b->code)) {
			first = i;
			continue;
		}
		char d[96];
		snprintf(d, sizeof(d), "the same region and code as line %lld", (long long)a->line);
		csv_report(h, b->line, "code", "duplicate", d);
		bad++;
	}
	return bad;
}

static int
tx_store(db_conn *c, void *arg, struct zt_err *err)
{
	struct job *j = arg;
	json_t *regions = json_array();
	int rc = 0;

	for (int64_t i = 0; i < j->n;) {
		const char *region = j->rows[i].region;
		int64_t k = i;
		db_stmt *d =
		    db_prepare(c, "DELETE FROM required_items WHERE region_code = ?1", err);
		if (d == NULL) {
			rc = err->code;
			goto out;
		}
		db_bind_text(d, 1, region);
		if ((rc = db_step(d, err)) < 0)
			goto out;
		int64_t old = db_changes(c);
		for (; k < j->n && strcmp(j->rows[k].region, region) == 0; k++) {
			const struct row *r = &j->rows[k];
			db_stmt *s = db_prepare(c,
						"INSERT INTO required_items (region_code, code, "
						"name) VALUES (?1, ?2, ?3)",
						err);
			if (s == NULL) {
				rc = err->code;
				goto out;
			}
			db_bind_text(s, 1, r->region);
			db_bind_text(s, 2, r->code);
			db_bind_text(s, 3, r->name);
			if ((rc = db_step(s, err)) < 0)
				goto out;
			if (j->h && j->h->progress && (k + 1) % CSV_PROGRESS_EVERY == 0)
				j->h->progress(j->h->ctx, k + 1, -1);
		}
		json_array_append_new(regions,
				      json_pack("{s:s, s:I, s:I}", "region_code", region, "rows",
						(json_int_t)(k - i), "replaced", (json_int_t)old));
		j->regions++;
		j->replaced += old;
		i = k;
	}
	json_t *data = json_pack("{s:I, s:I, s:O}", "rows", (json_int_t)j->n, "replaced",
				 (json_int_t)j->replaced, "regions", regions);
	rc = audit_append(c, 0, "required_items.import", "required_items:import", data, err);
	json_decref(data);
out:
	json_decref(regions);
	return rc < 0 ? rc : 0;
}

int
required_import(db_conn *c, FILE *f, const struct import_hooks *h, struct required_result *res,
		struct zt_err *err)
{
	struct csv_reader *csv = resource_csv_new(f);
	struct job j = {.c = c, .h = h};
	struct csv_rows all = {.size = sizeof(struct row)};
	int map[NCOLS], rc;

	memset(res, 0, sizeof(*res));
	if ((rc = csv_read_header(csv, col_names, NCOLS, map, err)) < 0 ||
	    (rc = csv_check_all(csv, NCOLS, map, h, check_row, &j, &all, &res->rows, &res->rejected,
				err)) < 0)
		goto out;
	j.rows = all.v;
	j.n = all.n;
	res->rejected += duplicates(j.rows, j.n, h);
	if ((rc = csv_verdict(res->rows, res->rejected, err)) < 0 ||
	    (rc = db_write(tx_store, &j, err)) < 0)
		goto out;
	res->regions = j.regions;
	res->replaced = j.replaced;
	rc = 0;
out:
	for (int64_t i = 0; i < all.n; i++)
		free(((struct row *)all.v)[i].name);
	free(all.v);
	resource_csv_free(csv);
	return rc;
}
