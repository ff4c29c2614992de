/* opendata_rows.c - the row tables of dataset versions: snapshot, queries
 * with filters, sort and keyset paging, charts, streamed downloads, and the
 * query/download counters. */
#include "domain/opendata_rows.h"
#include "base/buf.h"
#include "base/clock.h"
#include "base/log.h"
#include "base/ticker.h"
#include "base/xmalloc.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum ftype { T_STRING, T_INTEGER, T_NUMBER, T_DATE, T_BOOLEAN };

static enum ftype
ftype_of(const char *s)
{
	if (s == NULL)
		return T_STRING;
	if (strcmp(s, "integer") == 0)
		return T_INTEGER;
	if (strcmp(s, "number") == 0)
		return T_NUMBER;
	if (strcmp(s, "date") == 0)
		return T_DATE;
	if (strcmp(s, "boolean") == 0)
		return T_BOOLEAN;
	return T_STRING;
}

static const char *
bs(const struct buf *b)
{
	return b->data ? b->data : "";
}

static int
is_pg(db_conn *c)
{
	return db_conn_kind(c) == DB_PG;
}

static const char *
fname(json_t *f)
{
	return json_string_value(json_object_get(f, "name"));
}

/* ==== the table ==== */

static const char *
coltype(enum ftype t, int pg)
{
	switch (t) {
	case T_INTEGER:
		return pg ? "BIGINT" : "INTEGER";
	case T_NUMBER:
		return pg ? "DOUBLE PRECISION" : "REAL";
	case T_BOOLEAN:
		return pg ? "SMALLINT" : "INTEGER";
	default:
		/* Bytes order in both, as the resource's keys. */
		return pg ? "TEXT COLLATE \"C\"" : "TEXT";
	}
}

char *
opendata_rows_ddl(int64_t vid, json_t *dict, int pg)
{
	struct buf b;
	size_t i;
	json_t *f;

	buf_init(&b);
	buf_printf(&b, "CREATE TABLE dsr_%lld (seq %s PRIMARY KEY", (long long)vid,
		   pg ? "BIGINT" : "INTEGER");
	json_array_foreach(dict, i, f)
	    buf_printf(&b, ", c_%s %s", fname(f),
		       coltype(ftype_of(json_string_value(json_object_get(f, "type"))), pg));
	buf_printf(&b, ")%s", pg ? "" : " STRICT");
	buf_append(&b, "", 1);
	json_array_foreach(dict, i, f)
	{
		buf_printf(&b, "CREATE INDEX dsr_%lld_%zu ON dsr_%lld (c_%s, seq)", (long long)vid,
			   i, (long long)vid, fname(f));
		buf_append(&b, "", 1);
	}
	buf_append(&b, "", 1);
	return buf_take(&b, NULL);
}

/* PostgreSQL plans a filtered, sorted query well from its own statistics. */
static int
analyze_pg(db_conn *c, int64_t vid, struct zt_err *err)
{
	char sql[48];

	snprintf(sql, sizeof(sql), "ANALYZE dsr_%lld", (long long)vid);
	return db_exec(c, sql, err) < 0 ? err->code : 0;
}

/* SQLite: the number of distinct values of every field, kept in
 * dataset_versions.stats, from which a sorted query with filters chooses
 * its index (see plan_sorted). */
static int
distinct_counts(db_conn *c, int64_t vid, json_t *dict, struct zt_err *err)
{
	json_t *stats = json_object(), *f;
	size_t i;
	int rc = 0;

	json_array_foreach(dict, i, f)
	{
		char sql[128];
		snprintf(sql, sizeof(sql), "SELECT count(DISTINCT c_%s) FROM dsr_%lld", fname(f),
			 (long long)vid);
		db_stmt *s = db_prepare_once(c, sql, err);
		if (s == NULL) {
			rc = err->code;
			break;
		}
		if ((rc = db_step(s, err)) == DB_ROW)
			json_object_set_new(stats, fname(f), json_integer(db_col_int(s, 0)));
		db_finalize(s);
		if (rc < 0)
			break;
		rc = 0;
	}
	char *text = json_dumps(stats, JSON_COMPACT);
	json_decref(stats);
	if (rc == 0) {
		db_stmt *s =
		    db_prepare(c, "UPDATE dataset_versions SET stats = ?2 WHERE id = ?1", err);
		if (s == NULL)
			rc = err->code;
		else {
			db_bind_int(s, 1, vid);
			db_bind_text(s, 2, text);
			rc = db_step(s, err);
			db_reset(s);
		}
	}
	free(text);
	return rc < 0 ? rc : 0;
}

int
opendata_rows_snapshot(db_conn *c, int64_t vid, int64_t resource_id, json_t *dict, int64_t *nrows,
		       struct zt_err *err)
{
	int pg = is_pg(c);
	char *ddl = opendata_rows_ddl(vid, dict, pg);
	struct buf sql;
	size_t i;
	json_t *f;
	int rc = 0;

	/* The table first; the indexes after the rows (faster than keeping
	 * them up to date row by row). */
	if (db_exec(c, ddl, err) < 0) {
		free(ddl);
		return err->code;
	}
	buf_init(&sql);
	buf_printf(&sql, "INSERT INTO dsr_%lld (seq", (long long)vid);
	json_array_foreach(dict, i, f) buf_printf(&sql, ", c_%s", fname(f));
	buf_printf(&sql, ") SELECT row_number() OVER (ORDER BY key%s)", pg ? " COLLATE \"C\"" : "");
	json_array_foreach(dict, i, f)
	{
		const char *n = fname(f);
		switch (ftype_of(json_string_value(json_object_get(f, "type")))) {
		case T_INTEGER:
			buf_printf(&sql,
				   pg ? ", (data::jsonb ->> '%s')::bigint"
				      : ", json_extract(data, '$.%s')",
				   n);
			break;
		case T_NUMBER:
			buf_printf(&sql,
				   pg ? ", (data::jsonb ->> '%s')::double precision"
				      : ", json_extract(data, '$.%s')",
				   n);
			break;
		case T_BOOLEAN:
			buf_printf(&sql,
				   pg ? ", CASE data::jsonb -> '%s' WHEN 'true' THEN 1"
					" WHEN 'false' THEN 0 END"
				      : ", json_extract(data, '$.%s')",
				   n);
			break;
		default:
			buf_printf(&sql,
				   pg ? ", data::jsonb ->> '%s'" : ", json_extract(data, '$.%s')",
				   n);
		}
	}
	buf_printf(&sql, " FROM resource_rows WHERE resource_id = ?1");
	db_stmt *s = db_prepare_once(c, bs(&sql), err);
	buf_cleanup(&sql);
	if (s == NULL) {
		free(ddl);
		return err->code;
	}
	db_bind_int(s, 1, resource_id);
	rc = db_step(s, err);
	*nrows = db_changes(c);
	db_finalize(s);
	for (const char *p = ddl + strlen(ddl) + 1; rc >= 0 && *p; p += strlen(p) + 1)
		if (db_exec(c, p, err) < 0)
			rc = err->code;
	free(ddl);
	if (rc < 0)
		return rc;
	return pg ? analyze_pg(c, vid, err) : distinct_counts(c, vid, dict, err);
}

/* ==== versions ==== */

json_t *
opendata_version_load(db_conn *c, int64_t id, int64_t *version, int64_t *vid, char *code,
		      struct zt_err *err)
{
	json_t *dict = NULL;
	int rc;

	db_stmt *s = db_prepare(c,
				"SELECT current_version, code FROM datasets WHERE id = ?1"
				" AND status = 'published'",
				err);
	if (s == NULL)
		return NULL;
	db_bind_int(s, 1, id);
	if ((rc = db_step(s, err)) == DB_ROW) {
		if (*version == 0)
			*version = db_col_int(s, 0);
		if (code)
			snprintf(code, 41, "%s", db_col_text(s, 1));
	}
	db_reset(s);
	if (rc < 0)
		return NULL;
	if (rc != DB_ROW) {
		err_set(err, ZT_ENOTFOUND, "", "not_found", "no such dataset");
		return NULL;
	}
	s = db_prepare(c,
		       "SELECT id, fields FROM dataset_versions WHERE dataset_id = ?1"
		       " AND version = ?2",
		       err);
	if (s == NULL)
		return NULL;
	db_bind_int(s, 1, id);
	db_bind_int(s, 2, *version);
	if ((rc = db_step(s, err)) == DB_ROW) {
		*vid = db_col_int(s, 0);
		dict = json_loads(db_col_text(s, 1), 0, NULL);
	}
	db_reset(s);
	if (rc < 0)
		return NULL;
	if (rc != DB_ROW) {
		err_set(err, ZT_ENOTFOUND, "version", "not_found",
			"the dataset has no version %lld", (long long)*version);
		return NULL;
	}
	if (!json_is_array(dict)) {
		json_decref(dict);
		err_set(err, ZT_EINTERNAL, "", "corrupt", "bad stored dictionary");
		return NULL;
	}
	return dict;
}

/* The dictionary entry called name, or NULL. */
static json_t *
dict_field(json_t *dict, const char *name, size_t n)
{
	size_t i;
	json_t *f;

	json_array_foreach(dict, i, f)
	{
		const char *fn = fname(f);
		if (fn && strlen(fn) == n && strncmp(fn, name, n) == 0)
			return f;
	}
	return NULL;
}

static enum ftype
field_type(json_t *f)
{
	return ftype_of(json_string_value(json_object_get(f, "type")));
}

/* ==== values and the WHERE clause ==== */

struct val {
	enum ftype t;
	int null;
	int64_t i; /* integer, boolean */
	double d;
	char *s; /* string, date (owned) */
};

struct where {
	struct buf sql;
	struct val *vals;
	int nvals, cap;
	/* SQLite: filters on other fields than this one are written +c_x,
	 * which keeps SQLite from using their index (plan_sorted). */
	const char *index_only;
};

static int
day_ok(const char *s)
{
	int y, m, d;
	char tail;

	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-' || strspn(s, "0123456789-") != 10 ||
	    sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3)
		return 0;
	return m >= 1 && m <= 12 && d >= 1 && d <= 31;
}

static int
parse_val(enum ftype t, const char *s, size_t n, struct val *v)
{
	char tmp[OPENDATA_VALUE_MAX + 1], *end;

	memset(v, 0, sizeof(*v));
	v->t = t;
	if (n > OPENDATA_VALUE_MAX)
		return -1;
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	switch (t) {
	case T_INTEGER:
		errno = 0;
		v->i = strtoll(tmp, &end, 10);
		return n && *end == '\0' && errno == 0 ? 0 : -1;
	case T_NUMBER:
		errno = 0;
		v->d = strtod(tmp, &end);
		return n && *end == '\0' && errno == 0 && isfinite(v->d) ? 0 : -1;
	case T_BOOLEAN:
		if (strcmp(tmp, "true") == 0 || strcmp(tmp, "false") == 0) {
			v->i = tmp[0] == 't';
			return 0;
		}
		return -1;
	case T_DATE:
		if (!day_ok(tmp))
			return -1;
		/* fall through */
	default:
		v->s = xstrdup(tmp);
		return 0;
	}
}

/* Appends a placeholder for v (taken) to w. */
static void
where_val(struct where *w, struct val *v)
{
	if (w->nvals == w->cap) {
		w->cap = w->cap ? w->cap * 2 : 16;
		w->vals = xreallocarray(w->vals, (size_t)w->cap, sizeof(*w->vals));
	}
	w->vals[w->nvals++] = *v;
	buf_printf(&w->sql, "?%d", w->nvals);
}

static void
where_free(struct where *w)
{
	for (int i = 0; i < w->nvals; i++)
		free(w->vals[i].s);
	free(w->vals);
	buf_cleanup(&w->sql);
}

static void
bind_vals(db_stmt *s, const struct where *w)
{
	for (int i = 0; i < w->nvals; i++) {
		const struct val *v = &w->vals[i];
		if (v->null)
			db_bind_null(s, i + 1);
		else if (v->t == T_INTEGER || v->t == T_BOOLEAN)
			db_bind_int(s, i + 1, v->i);
		else if (v->t == T_NUMBER)
			db_bind_double(s, i + 1, v->d);
		else
			db_bind_text(s, i + 1, v->s);
	}
}

static const char *const op_names[] = {"eq", "ne", "lt", "le", "gt", "ge", "in", "like", NULL};
static const char *const op_sql[] = {"=", "<>", "<", "<=", ">", ">="};
enum { OP_EQ, OP_NE, OP_LT, OP_LE, OP_GT, OP_GE, OP_IN, OP_LIKE };

/* A substring test of column col against placeholder text ph. */
static void
substr_sql(struct buf *b, int pg, const char *col, const char *ph)
{
	buf_printf(b, pg ? "strpos(%s, %s) > 0" : "instr(%s, %s) > 0", col, ph);
}

/* Adds one "field:op:value" condition to w. */
static int
filter_add(struct where *w, int pg, json_t *dict, const char *text, struct zt_err *err)
{
	const char *c1 = strchr(text, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
	int op = -1;

	if (c2 == NULL || c1 == text)
		return err_set(err, ZT_EINVAL, "filter", "bad_filter",
			       "a filter is field:operator:value, e.g. status:eq:存续");
	json_t *f = dict_field(dict, text, (size_t)(c1 - text));
	if (f == NULL)
		return err_set(err, ZT_EINVAL, "filter", "unknown_field",
			       "the dataset has no field %.*s", (int)(c1 - text), text);
	enum ftype t = field_type(f);
	for (int k = 0; op_names[k]; k++)
		if ((size_t)(c2 - c1 - 1) == strlen(op_names[k]) &&
		    strncmp(c1 + 1, op_names[k], strlen(op_names[k])) == 0)
			op = k;
	if (op < 0 || (op == OP_LIKE && t != T_STRING) ||
	    (t == T_BOOLEAN && op != OP_EQ && op != OP_NE && op != OP_IN))
		return err_set(err, ZT_EINVAL, "filter", "bad_operator",
			       "operator %.*s does not apply to %s field %s", (int)(c2 - c1 - 1),
			       c1 + 1, json_string_value(json_object_get(f, "type")), fname(f));
	const char *v = c2 + 1;
	char col[48];
	snprintf(col, sizeof(col), "%sc_%s",
		 w->index_only && strcmp(w->index_only, fname(f)) != 0 ? "+" : "", fname(f));
	buf_puts(&w->sql, " AND ");
	if (op == OP_IN) {
		int n = 0;
		buf_printf(&w->sql, "%s IN (", col);
		for (const char *p = v;; n++) {
			const char *bar = strchr(p, '|');
			size_t len = bar ? (size_t)(bar - p) : strlen(p);
			struct val x;
			if (n == OPENDATA_IN_MAX)
				return err_set(err, ZT_EINVAL, "filter", "too_many",
					       "an in-list has at most %d values", OPENDATA_IN_MAX);
			if (parse_val(t, p, len, &x) < 0)
				return err_set(err, ZT_EINVAL, "filter", "bad_value",
					       "%.*s is not a value of %s field %s", (int)len, p,
					       json_string_value(json_object_get(f, "type")),
					       fname(f));
			if (n)
				buf_puts(&w->sql, ", ");
			where_val(w, &x);
			if (bar == NULL)
				break;
			p = bar + 1;
		}
		buf_puts(&w->sql, ")");
		return 0;
	}
	struct val x;
	if ((op == OP_LIKE && *v == '\0') || parse_val(t, v, strlen(v), &x) < 0)
		return err_set(err, ZT_EINVAL, "filter", "bad_value",
			       "%s is not a value of %s field %s", v,
			       json_string_value(json_object_get(f, "type")), fname(f));
	if (op == OP_LIKE) {
		char ph[16];
		snprintf(ph, sizeof(ph), "?%d", w->nvals + 1);
		where_val(w, &x);
		/* the placeholder was printed; rewrite as a function call */
		w->sql.len -= strlen(ph);
		w->sql.data[w->sql.len] = '\0';
		substr_sql(&w->sql, pg, col, ph);
		return 0;
	}
	buf_printf(&w->sql, "%s %s ", col, op_sql[op]);
	where_val(w, &x);
	return 0;
}

/* Builds " AND ..." conditions for filters and q into w. */
static int
where_build(struct where *w, int pg, json_t *dict, const char *const *filters, int nfilters,
	    const char *q, struct zt_err *err)
{
	buf_init(&w->sql);
	w->sql.len = 0;
	if (nfilters > OPENDATA_FILTERS_MAX)
		return err_set(err, ZT_EINVAL, "filter", "too_many", "at most %d filters",
			       OPENDATA_FILTERS_MAX);
	for (int i = 0; i < nfilters; i++)
		if (filter_add(w, pg, dict, filters[i], err) < 0)
			return err->code;
	if (q == NULL)
		return 0;
	if (*q == '\0' || strlen(q) > OPENDATA_VALUE_MAX)
		return err_set(err, ZT_EINVAL, "q", "bad_value", "q is 1..%d bytes",
			       OPENDATA_VALUE_MAX);
	struct val x;
	char ph[16], col[48];
	size_t i;
	json_t *f;
	int n = 0;
	parse_val(T_STRING, q, strlen(q), &x);
	snprintf(ph, sizeof(ph), "?%d", w->nvals + 1);
	where_val(w, &x);
	w->sql.len -= strlen(ph);
	w->sql.data[w->sql.len] = '\0';
	buf_puts(&w->sql, " AND (");
	json_array_foreach(dict, i, f)
	{
		if (field_type(f) != T_STRING)
			continue;
		snprintf(col, sizeof(col), "c_%s", fname(f));
		if (n++)
			buf_puts(&w->sql, " OR ");
		substr_sql(&w->sql, pg, col, ph);
	}
	if (n == 0)
		return err_set(err, ZT_EINVAL, "q", "no_text_fields",
			       "the dataset has no text field to search");
	buf_puts(&w->sql, ")");
	return 0;
}

/* A column's value as JSON. */
static json_t *
col_json(db_stmt *s, int col, enum ftype t)
{
	if (db_col_isnull(s, col))
		return json_null();
	switch (t) {
	case T_INTEGER:
		return json_integer(db_col_int(s, col));
	case T_NUMBER:
		return json_real(db_col_double(s, col));
	case T_BOOLEAN:
		return json_boolean(db_col_int(s, col));
	default:
		return json_string(db_col_text(s, col));
	}
}

/* ==== row queries ==== */

/* SQLite chooses the index of a filter over the sort's whenever there is
 * one, then sorts every match: slow when a filter matches much of a large
 * version (制造业, one row in twelve, is 80,000 rows of a million). From the
 * distinct counts kept at publication, estimate each filter's matches; when
 * even the most selective one leaves more than PLAN_SORT_MAX rows, walk the
 * sort field's index instead and test the filters row by row: the page is
 * then found after about limit * rows / matches rows. Returns 1 to do so. */
#define PLAN_SORT_MAX 5000

static int
plan_sorted(db_conn *c, int64_t vid, json_t *dict, const char *sort_field,
	    const char *const *filters, int nfilters)
{
	struct zt_err err;
	int64_t rows = 0;
	json_t *stats = NULL;

	err_clear(&err);
	db_stmt *s =
	    db_prepare(c, "SELECT row_count, stats FROM dataset_versions WHERE id = ?1", &err);
	if (s == NULL)
		return 0;
	db_bind_int(s, 1, vid);
	if (db_step(s, &err) == DB_ROW) {
		rows = db_col_int(s, 0);
		stats = json_loads(db_col_text(s, 1), 0, NULL);
	}
	db_reset(s);
	double best = (double)rows;
	for (int i = 0; i < nfilters; i++) {
		const char *c1 = strchr(filters[i], ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
		if (c2 == NULL)
			continue;
		json_t *f = dict_field(dict, filters[i], (size_t)(c1 - filters[i]));
		if (f == NULL || strcmp(fname(f), sort_field) == 0)
			continue;
		double distinct = (double)json_integer_value(json_object_get(stats, fname(f)));
		double est = (double)rows;
		if (distinct < 1)
			distinct = 1;
		if (strncmp(c1, ":eq:", 4) == 0)
			est = (double)rows / distinct;
		else if (strncmp(c1, ":in:", 4) == 0) {
			int k = 1;
			for (const char *p = c2 + 1; (p = strchr(p, '|')) != NULL; p++)
				k++;
			est = (double)k * (double)rows / distinct;
		} else if (strncmp(c1, ":ne:", 4) != 0 && strncmp(c1, ":like:", 6) != 0)
			est = (double)rows / 3; /* a range: no better guess */
		if (est < best)
			best = est;
	}
	json_decref(stats);
	return best > PLAN_SORT_MAX;
}

/* The cursor: base64url of a JSON array, [seq] in row order or [sort,
 * value, seq] for a sorted query (sort as given, so a cursor of another
 * sort is refused). */
static int
cursor_parse(const char *cursor, const char *sort, enum ftype t, struct val *v, int64_t *seq)
{
	size_t n = strlen(cursor);
	unsigned char *raw = xmalloc(n + 1);
	int len = b64url_decode(cursor, raw, n);
	json_t *a = len > 0 ? json_loadb((const char *)raw, (size_t)len, 0, NULL) : NULL;
	int ok = 0;

	free(raw);
	memset(v, 0, sizeof(*v));
	v->t = t;
	if (json_is_array(a) && sort == NULL && json_array_size(a) == 1) {
		*seq = json_integer_value(json_array_get(a, 0));
		ok = json_is_integer(json_array_get(a, 0)) && *seq >= 0;
	} else if (json_is_array(a) && sort && json_array_size(a) == 3 &&
		   json_is_string(json_array_get(a, 0)) &&
		   strcmp(json_string_value(json_array_get(a, 0)), sort) == 0 &&
		   json_is_integer(json_array_get(a, 2))) {
		json_t *x = json_array_get(a, 1);
		*seq = json_integer_value(json_array_get(a, 2));
		ok = *seq >= 0;
		if (json_is_null(x))
			v->null = 1;
		else if (t == T_INTEGER && json_is_integer(x))
			v->i = json_integer_value(x);
		else if (t == T_NUMBER && json_is_number(x))
			v->d = json_number_value(x);
		else if (t == T_BOOLEAN && json_is_boolean(x))
			v->i = json_is_true(x);
		else if ((t == T_STRING || t == T_DATE) && json_is_string(x))
			v->s = xstrdup(json_string_value(x));
		else
			ok = 0;
	}
	json_decref(a);
	return ok ? 0 : -1;
}

static char *
cursor_make(json_t *a)
{
	char *raw = json_dumps(a, JSON_COMPACT | JSON_ENCODE_ANY);
	size_t n = strlen(raw);
	char *enc = xmalloc(4 * n / 3 + 8);

	b64url_encode((const unsigned char *)raw, n, enc);
	free(raw);
	json_decref(a);
	return enc;
}

struct rowq {
	db_conn *c;
	int64_t vid;
	json_t *sel;	   /* names of the selected fields */
	enum ftype *types; /* of sel */
	json_t *sortf;	   /* the sort field or NULL */
	int desc;
	struct where *w;
	json_t *items;
	int want;  /* rows still wanted (limit + 1 in all) */
	int limit; /* rows shown */
	int64_t last_seq;
	json_t *last_key;
};

/* Runs one segment of the result: cond (with placeholders after w's) and
 * order, binding extra values after w's. */
static int
segment(struct rowq *r, const char *cond, const char *order, const struct val *extra, int nextra,
	struct zt_err *err)
{
	struct buf sql;
	size_t i;
	json_t *n;
	int rc, base = r->sortf ? 2 : 1;

	if (r->want <= 0)
		return 0;
	buf_init(&sql);
	buf_puts(&sql, "SELECT seq");
	if (r->sortf)
		buf_printf(&sql, ", c_%s", fname(r->sortf));
	json_array_foreach(r->sel, i, n) buf_printf(&sql, ", c_%s", json_string_value(n));
	buf_printf(&sql, " FROM dsr_%lld WHERE 1 = 1%s%s ORDER BY %s LIMIT %d", (long long)r->vid,
		   bs(&r->w->sql), cond, order, r->want);
	db_stmt *s = db_prepare_once(r->c, bs(&sql), err);
	buf_cleanup(&sql);
	if (s == NULL)
		return err->code;
	bind_vals(s, r->w);
	for (int k = 0; k < nextra; k++) {
		const struct val *v = &extra[k];
		int idx = r->w->nvals + 1 + k;
		if (v->t == T_INTEGER || v->t == T_BOOLEAN)
			db_bind_int(s, idx, v->i);
		else if (v->t == T_NUMBER)
			db_bind_double(s, idx, v->d);
		else
			db_bind_text(s, idx, v->s);
	}
	while ((rc = db_step(s, err)) == DB_ROW) {
		json_t *o = json_object();
		json_array_foreach(r->sel, i, n) json_object_set_new(
		    o, json_string_value(n), col_json(s, base + (int)i, r->types[i]));
		json_array_append_new(r->items, o);
		r->want--;
		if (json_array_size(r->items) <= (size_t)r->limit) {
			r->last_seq = db_col_int(s, 0);
			json_decref(r->last_key);
			r->last_key = r->sortf ? col_json(s, 1, field_type(r->sortf)) : NULL;
		}
	}
	db_finalize(s);
	return rc < 0 ? rc : 0;
}

json_t *
opendata_rows_json(db_conn *c, int64_t id, const struct opendata_rows_query *q, struct zt_err *err)
{
	int64_t version = q->version, vid = 0, cseq = 0;
	json_t *dict = opendata_version_load(c, id, &version, &vid, NULL, err), *out = NULL;
	struct where w;
	struct val cv;
	struct rowq r;
	int pg = is_pg(c), have_cursor = 0;
	size_t i;
	json_t *f;

	memset(&w, 0, sizeof(w));
	memset(&r, 0, sizeof(r));
	memset(&cv, 0, sizeof(cv));
	buf_init(&w.sql);
	if (dict == NULL)
		return NULL;
	r.c = c;
	r.vid = vid;
	r.sel = json_array();
	r.w = &w;
	/* fields= */
	if (q->fields) {
		for (const char *p = q->fields;;) {
			const char *comma = strchr(p, ',');
			size_t len = comma ? (size_t)(comma - p) : strlen(p);
			if ((f = dict_field(dict, p, len)) == NULL) {
				err_set(err, ZT_EINVAL, "fields", "unknown_field",
					"the dataset has no field %.*s", (int)len, p);
				goto out;
			}
			json_array_append_new(r.sel, json_string(fname(f)));
			if (comma == NULL)
				break;
			p = comma + 1;
		}
	} else
		json_array_foreach(dict, i, f) json_array_append_new(r.sel, json_string(fname(f)));
	r.types = xcalloc(json_array_size(r.sel) + 1, sizeof(*r.types));
	json_array_foreach(r.sel, i, f) r.types[i] =
	    field_type(dict_field(dict, json_string_value(f), strlen(json_string_value(f))));
	/* sort= */
	if (q->sort) {
		r.desc = q->sort[0] == '-';
		const char *sn = q->sort + r.desc;
		if ((r.sortf = dict_field(dict, sn, strlen(sn))) == NULL) {
			err_set(err, ZT_EINVAL, "sort", "unknown_field",
				"the dataset has no field %s", sn);
			goto out;
		}
	}
	if (!pg && r.sortf && q->nfilters &&
	    plan_sorted(c, vid, dict, fname(r.sortf), q->filters, q->nfilters))
		w.index_only = fname(r.sortf);
	buf_cleanup(&w.sql);
	if (where_build(&w, pg, dict, q->filters, q->nfilters, q->q, err) < 0)
		goto out;
	if (q->cursor) {
		if (cursor_parse(q->cursor, q->sort, r.sortf ? field_type(r.sortf) : T_INTEGER, &cv,
				 &cseq) < 0) {
			err_set(err, ZT_EINVAL, "cursor", "invalid", "invalid cursor");
			goto out;
		}
		have_cursor = 1;
	}
	r.items = json_array();
	r.want = q->limit + 1;
	r.limit = q->limit;
	char cond[160], order[96];
	struct val sv = {.t = T_INTEGER, .i = cseq};
	int n = w.nvals;
	if (r.sortf == NULL) {
		snprintf(cond, sizeof(cond), " AND seq > ?%d", n + 1);
		if (segment(&r, cond, "seq", &sv, 1, err) < 0)
			goto out;
	} else {
		char col[48];
		snprintf(col, sizeof(col), "c_%s", fname(r.sortf));
		/* Rows without the value come first in ascending order and last
		 * in descending order; each part is a keyset range of its own. */
		int in_null = have_cursor && cv.null;
		if (!r.desc) {
			if (!have_cursor || in_null) {
				snprintf(cond, sizeof(cond), " AND %s IS NULL AND seq > ?%d", col,
					 n + 1);
				if (segment(&r, cond, "seq", &sv, 1, err) < 0)
					goto out;
				snprintf(cond, sizeof(cond), " AND %s IS NOT NULL", col);
				snprintf(order, sizeof(order), "%s, seq", col);
				if (segment(&r, cond, order, NULL, 0, err) < 0)
					goto out;
			} else {
				struct val ex[2] = {cv, sv};
				snprintf(cond, sizeof(cond), " AND (%s, seq) > (?%d, ?%d)", col,
					 n + 1, n + 2);
				snprintf(order, sizeof(order), "%s, seq", col);
				if (segment(&r, cond, order, ex, 2, err) < 0)
					goto out;
			}
		} else {
			snprintf(order, sizeof(order), "%s DESC, seq DESC", col);
			if (!have_cursor) {
				snprintf(cond, sizeof(cond), " AND %s IS NOT NULL", col);
				if (segment(&r, cond, order, NULL, 0, err) < 0)
					goto out;
			} else if (!in_null) {
				struct val ex[2] = {cv, sv};
				snprintf(cond, sizeof(cond), " AND (%s, seq) < (?%d, ?%d)", col,
					 n + 1, n + 2);
				if (segment(&r, cond, order, ex, 2, err) < 0)
					goto out;
			}
			if (!have_cursor || !in_null) {
				snprintf(cond, sizeof(cond), " AND %s IS NULL", col);
				if (segment(&r, cond, "seq DESC", NULL, 0, err) < 0)
					goto out;
			} else {
				snprintf(cond, sizeof(cond), " AND %s IS NULL AND seq < ?%d", col,
					 n + 1);
				if (segment(&r, cond, "seq DESC", &sv, 1, err) < 0)
					goto out;
			}
		}
	}
	/* limit + 1 rows asked: one more means another page, which starts
	 * after the last row shown. */
	int more = json_array_size(r.items) > (size_t)q->limit;
	char *next = NULL;
	if (more) {
		json_array_remove(r.items, (size_t)q->limit);
		next = cursor_make(
		    r.sortf ? json_pack("[s, O, I]", q->sort, r.last_key, (json_int_t)r.last_seq)
			    : json_pack("[I]", (json_int_t)r.last_seq));
	}
	out = json_object();
	json_object_set_new(out, "dataset", json_integer(id));
	json_object_set_new(out, "version", json_integer(version));
	json_object_set(out, "fields", r.sel);
	json_object_set(out, "items", r.items);
	json_object_set_new(out, "next", next ? json_string(next) : json_null());
	free(next);
	opendata_count(id, 0);
out:
	free(cv.s);
	where_free(&w);
	free(r.types);
	json_decref(r.sel);
	json_decref(r.items);
	json_decref(r.last_key);
	json_decref(dict);
	return out;
}

/* ==== charts ==== */

json_t *
opendata_chart_json(db_conn *c, int64_t id, const struct opendata_chart_query *q,
		    struct zt_err *err)
{
	int64_t version = q->version, vid = 0;
	json_t *dict = opendata_version_load(c, id, &version, &vid, NULL, err), *out = NULL;
	json_t *gf, *vf = NULL, *items = NULL;
	const char *agg = q->agg ? q->agg : "count";
	struct where w;
	struct buf sql;
	int rc;

	memset(&w, 0, sizeof(w));
	buf_init(&w.sql);
	buf_init(&sql);
	if (dict == NULL)
		return NULL;
	if (q->group == NULL) {
		err_set(err, ZT_EINVAL, "group", "required", "name the field to group by");
		goto out;
	}
	if ((gf = dict_field(dict, q->group, strlen(q->group))) == NULL) {
		err_set(err, ZT_EINVAL, "group", "unknown_field", "the dataset has no field %s",
			q->group);
		goto out;
	}
	if (field_type(gf) == T_NUMBER) {
		err_set(err, ZT_EINVAL, "group", "bad_type", "cannot group by a number field");
		goto out;
	}
	int is_count = strcmp(agg, "count") == 0;
	if (!is_count && strcmp(agg, "sum") != 0 && strcmp(agg, "avg") != 0) {
		err_set(err, ZT_EINVAL, "agg", "invalid", "agg is count, sum or avg");
		goto out;
	}
	if (q->value) {
		vf = dict_field(dict, q->value, strlen(q->value));
		if (vf == NULL) {
			err_set(err, ZT_EINVAL, "value", "unknown_field",
				"the dataset has no field %s", q->value);
			goto out;
		}
		if (field_type(vf) != T_INTEGER && field_type(vf) != T_NUMBER) {
			err_set(err, ZT_EINVAL, "value", "bad_type",
				"sum and avg need an integer or number field");
			goto out;
		}
	}
	if (!is_count && vf == NULL) {
		err_set(err, ZT_EINVAL, "value", "required", "%s needs a value field", agg);
		goto out;
	}
	if (is_count && vf) {
		err_set(err, ZT_EINVAL, "value", "not_allowed", "count takes no value field");
		goto out;
	}
	buf_cleanup(&w.sql);
	if (where_build(&w, is_pg(c), dict, q->filters, q->nfilters, q->q, err) < 0)
		goto out;
	char expr[80];
	if (is_count)
		snprintf(expr, sizeof(expr), "count(*)");
	else
		snprintf(expr, sizeof(expr), "%s(c_%s)", agg, fname(vf));
	/* The top groups, and how many groups there are. */
	buf_printf(&sql,
		   "SELECT c_%s, %s, count(*) OVER () FROM dsr_%lld WHERE c_%s IS NOT NULL%s"
		   " GROUP BY c_%s ORDER BY 2 DESC, 1 LIMIT %d",
		   fname(gf), expr, (long long)vid, fname(gf), bs(&w.sql), fname(gf),
		   OPENDATA_CHART_GROUPS);
	db_stmt *s = db_prepare_once(c, bs(&sql), err);
	if (s == NULL)
		goto out;
	bind_vals(s, &w);
	items = json_array();
	int64_t groups = 0;
	while ((rc = db_step(s, err)) == DB_ROW) {
		json_t *v = db_col_isnull(s, 1) ? json_null()
			    : is_count		? json_integer(db_col_int(s, 1))
			    : strcmp(agg, "sum") == 0 && field_type(vf) == T_INTEGER
				? json_integer(db_col_int(s, 1))
				: json_real(db_col_double(s, 1));
		json_array_append_new(items, json_pack("{s:o, s:o}", "key",
						       col_json(s, 0, field_type(gf)), "value", v));
		groups = db_col_int(s, 2);
	}
	db_finalize(s);
	if (rc < 0)
		goto out;
	out = json_pack("{s:I, s:I, s:s, s:o, s:s, s:O, s:I}", "dataset", (json_int_t)id, "version",
			(json_int_t)version, "group", fname(gf), "value",
			vf ? json_string(fname(vf)) : json_null(), "agg", agg, "items", items,
			"other", (json_int_t)(groups - (int64_t)json_array_size(items)));
	opendata_count(id, 0);
out:
	json_decref(items);
	buf_cleanup(&sql);
	where_free(&w);
	json_decref(dict);
	return out;
}

/* ==== streamed downloads ==== */

#define STREAM_BATCH 4096

struct opendata_stream {
	int64_t id, vid;
	int csv, done, nrows, pg;
	json_t *dict;
	enum ftype *types;
	int nfields;
	char *sql; /* one batch: rows after ?1 by number */
	int64_t last;
	struct buf out;
	size_t off;
};

static void
csv_text(struct buf *b, const char *s, int guard)
{
	int quote = strpbrk(s, ",\"\r\n") != NULL;

	if (quote)
		buf_puts(b, "\"");
	/* A cell a spreadsheet would read as a formula starts with '. */
	if (guard && (*s == '=' || *s == '+' || *s == '-' || *s == '@' || *s == '\t' || *s == '\r'))
		buf_puts(b, "'");
	if (!quote) {
		buf_puts(b, s);
		return;
	}
	for (const char *p = s; *p; p++) {
		if (*p == '"')
			buf_puts(b, "\"");
		buf_append(b, p, 1);
	}
	buf_puts(b, "\"");
}

static void
json_text(struct buf *b, const char *s)
{
	static const char hex[] = "0123456789abcdef";

	buf_puts(b, "\"");
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\') {
			char e[2] = {'\\', (char)*p};
			buf_append(b, e, 2);
		} else if (*p < 0x20) {
			char e[6] = {'\\', 'u', '0', '0', hex[*p >> 4], hex[*p & 15]};
			buf_append(b, e, 6);
		} else
			buf_append(b, (const char *)p, 1);
	}
	buf_puts(b, "\"");
}

/* An integer in decimal, without printf (a download formats millions). */
static void
int_text(struct buf *b, int64_t v)
{
	char s[24], *p = s + sizeof(s);
	uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;

	do
		*--p = (char)('0' + u % 10);
	while ((u /= 10) != 0);
	if (v < 0)
		*--p = '-';
	buf_append(b, p, (size_t)(s + sizeof(s) - p));
}

/* A double written so that reading it back gives the same double. Most
 * figures have few decimals (amounts, rates): when d is x / 10^k for an
 * integer x and k <= 6, x is written with the point inserted (exact: the
 * quotient of two exact doubles is correctly rounded, so it equals d only
 * if d is the double nearest that decimal). Anything else goes through
 * printf. */
static void
num_text(struct buf *b, double d)
{
	static const double pow10[] = {1, 10, 100, 1e3, 1e4, 1e5, 1e6};
	char s[40];

	if (d > -1e15 && d < 1e15) {
		for (int k = 0; k <= 6; k++) {
			double m = d * pow10[k];
			if (m <= -9e15 || m >= 9e15)
				break;
			int64_t x = (int64_t)(m < 0 ? m - 0.5 : m + 0.5);
			if ((double)x / pow10[k] != d)
				continue;
			if (k == 0) {
				int_text(b, x);
				return;
			}
			uint64_t u = x < 0 ? (uint64_t)0 - (uint64_t)x : (uint64_t)x;
			char digits[24];
			int n = snprintf(digits, sizeof(digits), "%0*llu", k + 1,
					 (unsigned long long)u);
			if (x < 0 || (x == 0 && signbit(d)))
				buf_puts(b, "-");
			buf_append(b, digits, (size_t)(n - k));
			buf_puts(b, ".");
			buf_append(b, digits + n - k, (size_t)k);
			return;
		}
	}
	snprintf(s, sizeof(s), "%.15g", d);
	if (strtod(s, NULL) != d)
		snprintf(s, sizeof(s), "%.17g", d);
	buf_puts(b, s);
}

static void
cell(struct opendata_stream *st, db_stmt *s, int col, int k)
{
	struct buf *b = &st->out;

	if (db_col_isnull(s, col)) {
		if (!st->csv)
			buf_puts(b, "null");
		return;
	}
	switch (st->types[k]) {
	case T_INTEGER:
	case T_NUMBER:
		/* PostgreSQL sends numbers as text already in their shortest exact
		 * form (extra_float_digits 1, the default since 12). */
		if (st->pg)
			buf_puts(b, db_col_text(s, col));
		else if (st->types[k] == T_INTEGER)
			int_text(b, db_col_int(s, col));
		else
			num_text(b, db_col_double(s, col));
		break;
	case T_BOOLEAN:
		buf_puts(b, db_col_int(s, col) ? "true" : "false");
		break;
	default:
		if (st->csv)
			csv_text(b, db_col_text(s, col), st->types[k] == T_STRING);
		else
			json_text(b, db_col_text(s, col));
	}
}

/* Formats the next batch into st->out. Returns rows added, or -1. */
static int
stream_batch(struct opendata_stream *st)
{
	struct zt_err err;
	db_conn *c = db_read_acquire();
	int n = 0, rc;

	if (c == NULL)
		return -1;
	err_clear(&err);
	db_stmt *s = db_prepare_once(c, st->sql, &err);
	if (s == NULL) {
		db_read_release(c);
		log_error("opendata: download of dataset %lld: %s", (long long)st->id, err.msg);
		return -1;
	}
	db_bind_int(s, 1, st->last);
	while ((rc = db_step(s, &err)) == DB_ROW) {
		st->last = db_col_int(s, 0);
		if (!st->csv)
			buf_puts(&st->out, st->nrows++ ? ",\n{" : "\n{");
		for (int k = 0; k < st->nfields; k++) {
			if (st->csv) {
				if (k)
					buf_puts(&st->out, ",");
			} else {
				if (k)
					buf_puts(&st->out, ",");
				json_text(&st->out, fname(json_array_get(st->dict, (size_t)k)));
				buf_puts(&st->out, ":");
			}
			cell(st, s, k + 1, k);
		}
		buf_puts(&st->out, st->csv ? "\r\n" : "}");
		n++;
	}
	db_finalize(s);
	db_read_release(c);
	if (rc < 0) {
		log_error("opendata: download of dataset %lld: %s", (long long)st->id, err.msg);
		return -1;
	}
	return n;
}

struct opendata_stream *
opendata_stream_open(db_conn *c, int64_t id, int64_t version, int csv, int bom, char *filename,
		     size_t fsize, struct zt_err *err)
{
	char code[48];
	int64_t vid = 0;
	json_t *dict = opendata_version_load(c, id, &version, &vid, code, err), *f;
	size_t i;

	if (dict == NULL)
		return NULL;
	struct opendata_stream *st = xcalloc(1, sizeof(*st));
	struct buf sql;
	st->id = id;
	st->vid = vid;
	st->csv = csv;
	st->pg = is_pg(c);
	st->dict = dict;
	st->nfields = (int)json_array_size(dict);
	st->types = xcalloc((size_t)st->nfields + 1, sizeof(*st->types));
	buf_init(&sql);
	buf_puts(&sql, "SELECT seq");
	json_array_foreach(dict, i, f)
	{
		st->types[i] = field_type(f);
		buf_printf(&sql, ", c_%s", fname(f));
	}
	buf_printf(&sql, " FROM dsr_%lld WHERE seq > ?1 ORDER BY seq LIMIT %d", (long long)vid,
		   STREAM_BATCH);
	st->sql = buf_take(&sql, NULL);
	buf_init(&st->out);
	if (csv) {
		if (bom)
			buf_puts(&st->out, "\xEF\xBB\xBF"); /* spreadsheets then read UTF-8 */
		json_array_foreach(dict, i, f)
		{
			if (i)
				buf_puts(&st->out, ",");
			csv_text(&st->out, fname(f), 0);
		}
		buf_puts(&st->out, "\r\n");
	} else
		buf_puts(&st->out, "[");
	snprintf(filename, fsize, "%s-v%lld.%s", code, (long long)version, csv ? "csv" : "json");
	opendata_count(id, 1);
	return st;
}

ssize_t
opendata_stream_read(struct opendata_stream *st, char *buf, size_t max)
{
	while (st->off == st->out.len) {
		if (st->done)
			return -1;
		st->off = st->out.len = 0;
		int n = stream_batch(st);
		if (n < 0)
			return -2;
		if (n < STREAM_BATCH) {
			st->done = 1;
			if (!st->csv)
				buf_puts(&st->out, st->nrows ? "\n]\n" : "]\n");
		}
	}
	size_t n = st->out.len - st->off;
	if (n > max)
		n = max;
	memcpy(buf, st->out.data + st->off, n);
	st->off += n;
	return (ssize_t)n;
}

void
opendata_stream_free(struct opendata_stream *st)
{
	if (st == NULL)
		return;
	json_decref(st->dict);
	free(st->types);
	free(st->sql);
	buf_cleanup(&st->out);
	free(st);
}

/* ==== counts ==== */

#define COUNTS_MAX 1024

static struct {
	int64_t id, queries, downloads;
} counts[COUNTS_MAX];
static int ncounts;
static pthread_mutex_t counts_mu = PTHREAD_MUTEX_INITIALIZER;
static struct ticker counts_ticker;

static void
count_add(int64_t id, int64_t queries, int64_t downloads)
{
	int i;

	pthread_mutex_lock(&counts_mu);
	for (i = 0; i < ncounts && counts[i].id != id; i++)
		;
	if (i == ncounts && ncounts < COUNTS_MAX) {
		counts[i].id = id;
		counts[i].queries = counts[i].downloads = 0;
		ncounts++;
	}
	if (i < ncounts) {
		counts[i].queries += queries;
		counts[i].downloads += downloads;
	}
	pthread_mutex_unlock(&counts_mu);
}

void
opendata_count(int64_t id, int download)
{
	count_add(id, !download, download != 0);
}

void
opendata_count_pending(int64_t id, int64_t *queries, int64_t *downloads)
{
	pthread_mutex_lock(&counts_mu);
	for (int i = 0; i < ncounts; i++)
		if (counts[i].id == id) {
			*queries += counts[i].queries;
			*downloads += counts[i].downloads;
		}
	pthread_mutex_unlock(&counts_mu);
}

struct counts_job {
	int n;
	int64_t id[COUNTS_MAX], q[COUNTS_MAX], d[COUNTS_MAX];
};

static int
tx_counts(db_conn *c, void *arg, struct zt_err *err)
{
	struct counts_job *j = arg;

	db_stmt *s = db_prepare(c,
				"UPDATE datasets SET query_count = query_count + ?2,"
				" download_count = download_count + ?3 WHERE id = ?1",
				err);
	if (s == NULL)
		return err->code;
	for (int i = 0; i < j->n; i++) {
		db_bind_int(s, 1, j->id[i]);
		db_bind_int(s, 2, j->q[i]);
		db_bind_int(s, 3, j->d[i]);
		int rc = db_step(s, err);
		db_reset(s);
		if (rc < 0)
			return rc;
	}
	return 0;
}

int
opendata_counts_flush(struct zt_err *err)
{
	struct counts_job *j = xcalloc(1, sizeof(*j));
	int rc = 0;

	pthread_mutex_lock(&counts_mu);
	for (int i = 0; i < ncounts; i++) {
		j->id[j->n] = counts[i].id;
		j->q[j->n] = counts[i].queries;
		j->d[j->n++] = counts[i].downloads;
	}
	ncounts = 0;
	pthread_mutex_unlock(&counts_mu);
	if (j->n && (rc = db_write(tx_counts, j, err)) < 0) {
		/* Put them back for the next try. */
		for (int i = 0; i < j->n; i++)
			count_add(j->id[i], j->q[i], j->d[i]);
	}
	free(j);
	return rc;
}

static void
counts_tick(void *arg)
{
	struct zt_err err;

	(void)arg;
	err_clear(&err);
	if (opendata_counts_flush(&err) < 0)
		log_warn("opendata: counts not written: %s", err.msg);
}

int
opendata_counts_start(void)
{
	return ticker_start(&counts_ticker, counts_tick, NULL, 1000, 0);
}

void
opendata_counts_stop(void)
{
	ticker_stop(&counts_ticker);
	counts_tick(NULL);
}

/* ==== db copy ==== */

int
opendata_rows_drop_all(db_conn *c, struct zt_err *err)
{
	db_stmt *s = db_prepare(c,
				is_pg(c) ? "SELECT tablename FROM pg_tables WHERE schemaname ="
					   " current_schema() AND tablename LIKE 'dsr\\_%'"
					 : "SELECT name FROM sqlite_master WHERE type = 'table'"
					   " AND name LIKE 'dsr\\_%' ESCAPE '\\'",
				err);
	json_t *names = json_array(), *n;
	size_t i;
	int rc;

	if (s == NULL)
		return err->code;
	while ((rc = db_step(s, err)) == DB_ROW)
		json_array_append_new(names, json_string(db_col_text(s, 0)));
	db_reset(s);
	json_array_foreach(names, i, n)
	{
		char sql[96];
		if (rc < 0)
			break;
		snprintf(sql, sizeof(sql), "DROP TABLE %s", json_string_value(n));
		if (db_exec(c, sql, err) < 0)
			rc = err->code;
	}
	json_decref(names);
	return rc < 0 ? rc : 0;
}

/* Copies version vid's rows from src to dst (table made there first). */
static int
copy_version(db_conn *src, db_conn *dst, int64_t vid, json_t *dict, int64_t *n, struct zt_err *err)
{
	char *ddl = opendata_rows_ddl(vid, dict, is_pg(dst));
	struct buf sel, ins;
	size_t i, nf = json_array_size(dict);
	json_t *f;
	int rc;

	buf_init(&sel);
	buf_init(&ins);
	if (db_exec(dst, ddl, err) < 0) {
		free(ddl);
		return err->code;
	}
	buf_printf(&sel, "SELECT seq");
	buf_printf(&ins, "INSERT INTO dsr_%lld (seq", (long long)vid);
	json_array_foreach(dict, i, f)
	{
		buf_printf(&sel, ", c_%s", fname(f));
		buf_printf(&ins, ", c_%s", fname(f));
	}
	buf_printf(&sel, " FROM dsr_%lld ORDER BY seq", (long long)vid);
	buf_puts(&ins, ") VALUES (?1");
	for (i = 0; i < nf; i++)
		buf_printf(&ins, ", ?%zu", i + 2);
	buf_puts(&ins, ")");
	db_stmt *r = db_prepare_once(src, bs(&sel), err);
	db_stmt *w = r ? db_prepare_once(dst, bs(&ins), err) : NULL;
	rc = w ? 0 : err->code;
	while (rc == 0 && (rc = db_step(r, err)) == DB_ROW) {
		db_bind_int(w, 1, db_col_int(r, 0));
		json_array_foreach(dict, i, f)
		{
			int col = (int)i + 1, idx = (int)i + 2;
			if (db_col_isnull(r, col))
				db_bind_null(w, idx);
			else if (field_type(f) == T_INTEGER || field_type(f) == T_BOOLEAN)
				db_bind_int(w, idx, db_col_int(r, col));
			else if (field_type(f) == T_NUMBER)
				db_bind_double(w, idx, db_col_double(r, col));
			else
				db_bind_text(w, idx, db_col_text(r, col));
		}
		if ((rc = db_step(w, err)) < 0)
			break;
		db_reset(w);
		(*n)++;
		rc = 0;
	}
	db_finalize(r);
	db_finalize(w);
	buf_cleanup(&sel);
	buf_cleanup(&ins);
	for (const char *p = ddl + strlen(ddl) + 1; rc >= 0 && *p; p += strlen(p) + 1)
		if (db_exec(dst, p, err) < 0)
			rc = err->code;
	free(ddl);
	return rc < 0 ? rc : 0;
}

int
opendata_rows_copy(db_conn *src, db_conn *dst, int64_t *nrows, struct zt_err *err)
{
	db_stmt *s =
	    db_prepare(src, "SELECT id, fields, row_count FROM dataset_versions ORDER BY id", err);
	int rc;

	*nrows = 0;
	if (s == NULL)
		return err->code;
	while ((rc = db_step(s, err)) == DB_ROW) {
		int64_t vid = db_col_int(s, 0), want = db_col_int(s, 2), n = 0;
		json_t *dict = json_loads(db_col_text(s, 1), 0, NULL);
		rc = json_is_array(dict)
			 ? copy_version(src, dst, vid, dict, &n, err)
			 : err_set(err, ZT_EINTERNAL, "", "corrupt",
				   "bad dictionary of version %lld", (long long)vid);
		json_decref(dict);
		if (rc == 0 && n != want)
			rc = err_set(err, ZT_EINTERNAL, "", "count",
				     "version %lld: %lld rows copied, %lld expected",
				     (long long)vid, (long long)n, (long long)want);
		if (rc < 0)
			break;
		*nrows += n;
	}
	db_reset(s);
	return rc < 0 ? rc : 0;
}
