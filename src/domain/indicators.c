/* indicators.c - importing and listing external indicators. An import is
 * all or nothing: every row is checked first (all bad rows reported), then
 * everything is upserted in one write transaction. */
#include "domain/indicators.h"
#include "domain/audit.h"
#include "domain/csvimport.h"
#include "domain/evaluate.h"
#include "domain/org.h"
#include "domain/resource.h"
#include "base/clock.h"
#include "base/xmalloc.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

enum { COL_REGION, COL_PERIOD, COL_INDICATOR, COL_VALUE, NCOLS };
static const char *const col_names[NCOLS] = {"region_code", "period", "indicator", "value"};

struct row {
	char region[16];
	char period[8];
	char indicator[41];
	double value;
	int64_t line;
};

struct job {
	db_conn *c; /* reads the regions while checking */
	struct row *rows;
	int64_t n;
	const char *source;
	const struct import_hooks *h;
	int64_t inserted, updated;
};

/* Checks one record into row (csv_check_fn): 0 when good, 1 (reported)
 * when bad, negative when the database failed. */
static int
check_row(void *arg, char **cells, const int *map, int64_t line, void *row, struct zt_err *err)
{
	const struct job *j = arg;
	const struct import_hooks *h = j->h;
	db_conn *c = j->c;
	struct row *r = row;
	struct eval_period p;
	struct zt_err perr;
	int bad = 0;

	r->line = line;
	const char *region = cells[map[COL_REGION]], *period = cells[map[COL_PERIOD]];
	const char *name = cells[map[COL_INDICATOR]], *value = cells[map[COL_VALUE]];
	int known = strlen(region) < sizeof(r->region) ? org_region_exists(c, region, err) : 0;
	if (known < 0)
		return known;
	if (!known) {
		csv_report(h, r->line, "region_code", "unknown", "no such region");
		bad = 1;
	}
	err_clear(&perr);
	if (eval_period_parse(period, &p, &perr) < 0) {
		csv_report(h, r->line, "period", perr.reason, perr.msg);
		bad = 1;
	}
	if (!eval_indicator_name_ok(name)) {
		csv_report(h, r->line, "indicator", "format", "1-40 characters of a-z, 0-9 and _");
		bad = 1;
	}
	char *end;
	errno = 0;
	r->value = strtod(value, &end);
	if (*value == '\0' || *end != '\0' || errno == ERANGE || !isfinite(r->value)) {
		csv_report(h, r->line, "value", "number", "not a finite number");
		bad = 1;
	}
	if (bad)
		return 1;
	snprintf(r->region, sizeof(r->region), "%s", region);
	snprintf(r->period, sizeof(r->period), "%s", p.name);
	snprintf(r->indicator, sizeof(r->indicator), "%s", name);
	return 0;
}

static int
cmp_key(const void *a, const void *b)
{
	const struct row *x = *(struct row *const *)a, *y = *(struct row *const *)b;
	int c;

	if ((c = strcmp(x->region, y->region)) || (c = strcmp(x->period, y->period)) ||
	    (c = strcmp(x->indicator, y->indicator)))
		return c;
	return (x->line > y->line) - (x->line < y->line);
}

/* Reports every row whose key an earlier row already had; returns their
 * number. */
static int64_t
duplicates(struct row *rows, int64_t n, const struct import_hooks *h)
{
	struct row **v = xmalloc(sizeof(*v) * ((size_t)n + 1));
	int64_t bad = 0;

	for (int64_t i = 0; i < n; i++)
		v[i] = &rows[i];
	qsort(v, (size_t)n, sizeof(*v), cmp_key);
	for (int64_t i = 1; i < n; i++) {
		const struct row *a = v[i - 1], *b = v[i];
		if (strcmp(a->region, b->region) || strcmp(a->period, b->period) ||
		    strcmp(a->indicator, b->indicator))
			continue;
		char d[96];
		snprintf(d, sizeof(d), "the same region, period and indicator as line %lld",
			 (long long)v[i - 1]->line);
		csv_report(h, b->line, "indicator", "duplicate", d);
		bad++;
	}
	free(v);
	return bad;
}

static int
tx_store(db_conn *c, void *arg, struct zt_err *err)
{
	struct job *j = arg;
	int64_t now = clock_now();
	int rc;

	for (int64_t i = 0; i < j->n; i++) {
		struct row *r = &j->rows[i];
		db_stmt *q = db_prepare(c,
					"SELECT 1 FROM indicator_values WHERE region_code = ?1"
					" AND period = ?2 AND indicator = ?3",
					err);
		if (q == NULL)
			return err->code;
		db_bind_text(q, 1, r->region);
		db_bind_text(q, 2, r->period);
		db_bind_text(q, 3, r->indicator);
		if ((rc = db_step(q, err)) < 0)
			return rc;
		db_reset(q);
		if (rc == DB_ROW)
			j->updated++;
		else
			j->inserted++;
		db_stmt *s = db_prepare(
		    c,
		    "INSERT INTO indicator_values (region_code, period, indicator, value, source,"
		    " imported_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)"
		    " ON CONFLICT (region_code, period, indicator) DO UPDATE SET"
		    " value = excluded.value, source = excluded.source,"
		    " imported_at = excluded.imported_at",
		    err);
		if (s == NULL)
			return err->code;
		db_bind_text(s, 1, r->region);
		db_bind_text(s, 2, r->period);
		db_bind_text(s, 3, r->indicator);
		db_bind_double(s, 4, r->value);
		db_bind_text(s, 5, j->source);
		db_bind_int(s, 6, now);
		if ((rc = db_step(s, err)) < 0)
			return rc;
		if (j->h && j->h->progress && (i + 1) % CSV_PROGRESS_EVERY == 0)
			j->h->progress(j->h->ctx, i + 1, -1);
	}
	json_t *data = json_pack("{s:I, s:I, s:I, s:s}", "rows", (json_int_t)j->n, "inserted",
				 (json_int_t)j->inserted, "updated", (json_int_t)j->updated,
				 "source", j->source);
	rc = audit_append(c, 0, "indicators.import", "indicators:import", data, err);
	json_decref(data);
	return rc;
}

int
indicators_import(db_conn *c, FILE *f, const char *source, const struct import_hooks *h,
		  struct indicators_result *res, struct zt_err *err)
{
	struct csv_reader *csv = resource_csv_new(f);
	struct job j = {.c = c, .source = source, .h = h};
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
	res->inserted = j.inserted;
	res->updated = j.updated;
	rc = 0;
out:
	free(all.v);
	resource_csv_free(csv);
	return rc;
}

struct listed {
	char name[41];
	json_t *periods;
	int64_t regions;
};

static int
cmp_listed(const void *a, const void *b)
{
	return strcmp(((const struct listed *)a)->name, ((const struct listed *)b)->name);
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The periods of one indicator, sorted (byte order on every backend). */
static json_t *
sorted_periods(json_t *arr)
{
	size_t n = json_array_size(arr);
	const char **v = xmalloc(sizeof(*v) * (n + 1));
	json_t *out = json_array();

	for (size_t i = 0; i < n; i++)
		v[i] = json_string_value(json_array_get(arr, i));
	qsort(v, n, sizeof(*v), cmp_str);
	for (size_t i = 0; i < n; i++)
		json_array_append_new(out, json_string(v[i]));
	free(v);
	return out;
}

json_t *
indicators_list_json(db_conn *c, struct zt_err *err)
{
	db_stmt *s = db_prepare(c,
				"SELECT indicator, period, count(*) FROM indicator_values"
				" GROUP BY indicator, period",
				err);
	struct listed *v = NULL;
	size_t n = 0, cap = 0;
	json_t *out = NULL;
	int rc;

	if (s == NULL)
		return NULL;
	while ((rc = db_step(s, err)) == DB_ROW) {
		const char *name = db_col_text(s, 0);
		size_t i;
		for (i = 0; i < n && strcmp(v[i].name, name) != 0; i++)
			;
		if (i == n) {
			if (n == cap) {
				cap = cap ? 2 * cap : 16;
				v = xreallocarray(v, cap, sizeof(*v));
			}
			snprintf(v[n].name, sizeof(v[n].name), "%s", name);
			v[n].periods = json_array();
			v[n++].regions = 0;
		}
		json_array_append_new(v[i].periods, json_string(db_col_text(s, 1)));
	}
	if (rc < 0)
		goto out;
	db_stmt *q =
	    db_prepare(c,
		       "SELECT indicator, count(DISTINCT region_code) FROM indicator_values"
		       " GROUP BY indicator",
		       err);
	if (q == NULL)
		goto out;
	while ((rc = db_step(q, err)) == DB_ROW)
		for (size_t i = 0; i < n; i++)
			if (strcmp(v[i].name, db_col_text(q, 0)) == 0)
				v[i].regions = db_col_int(q, 1);
	if (rc < 0)
		goto out;
	if (n > 1) /* v is NULL when there is nothing (qsort's pointer must not be) */
		qsort(v, n, sizeof(*v), cmp_listed);
	json_t *list = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(list, json_pack("{s:s, s:o, s:I}", "name", v[i].name,
						      "periods", sorted_periods(v[i].periods),
						      "regions", (json_int_t)v[i].regions));
	out = json_pack("{s:o}", "indicators", list);
out:
	for (size_t i = 0; i < n; i++)
		json_decref(v[i].periods);
	free(v);
	return out;
}
