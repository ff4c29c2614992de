/* dbtools.c - `zhengtong db copy` and `zhengtong backup` (see dbtools.h).
 *
 * db copy reads the source through a connection of its own (db_connect) in
 * one snapshot and writes the target through another in one transaction,
 * table by table in dependency order, in keyset batches. Values travel as
 * text and are bound as integers where the target column is an integer,
 * NULL as NULL. The search index is derived data kept differently by each
 * backend (SQLite: the FTS5 table service_fts; PostgreSQL: the column
 * service_items.search_doc = name || '\n' || guide); it travels as (item id,
 * name, guide text) rows.
 *
 * backup uses SQLite's online backup API directly (it is not part of the db
 * layer) or runs pg_dump; both write next to the destination and rename into
 * place only after the result has been checked. */
#include "cli/dbtools.h"
#include "domain/opendata_rows.h"
#include "base/buf.h"
#include "base/clock.h"
#include "base/config.h"
#include "base/xmalloc.h"
#include "crypto/sm3.h"
#include "db/db.h"
#include "domain/audit.h"

#include <errno.h>
#include <jansson.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define BATCH	 1000 /* rows read from the source per query */
#define MAX_COLS 32   /* the PostgreSQL backend binds at most 32 parameters */

struct table {
	const char *name;
	const char *key; /* primary key column: batches walk it in order */
	int int_key;
	const char *key2; /* second primary key column, or NULL */
	int int_key2;
};

/* Every table of the schema, referenced tables first. Within a table rows go
 * in key order, so the self-references (regions.parent, users.created_by)
 * point to rows already copied. schema_migrations belongs to each database
 * (the target is migrated, not copied into); the search index is rebuilt. */
static const struct table tables[] = {
    {"regions", "code", 0, NULL, 0},
    {"fed_nodes", "id", 1, NULL, 0},
    {"fed_seen", "id", 1, NULL, 0},
    {"fed_outbox", "id", 1, NULL, 0},
    {"departments", "id", 1, NULL, 0},
    {"users", "id", 1, NULL, 0},
    {"sessions", "token_hash", 0, NULL, 0},
    {"login_failures", "login", 0, NULL, 0},
    {"calendar_years", "year", 1, NULL, 0},
    {"calendar_days", "day", 0, NULL, 0},
    {"node_keys", "key_id", 0, NULL, 0},
    {"license_types", "code", 0, NULL, 0},
    {"service_items", "id", 1, NULL, 0},
    {"materials", "id", 1, NULL, 0},
    {"files", "id", 1, NULL, 0},
    {"cases", "id", 1, NULL, 0},
    {"case_events", "id", 1, NULL, 0},
    {"case_materials", "id", 1, NULL, 0},
    {"visits", "id", 1, NULL, 0},
    {"ratings", "case_id", 1, NULL, 0},
    {"licenses", "id", 1, NULL, 0},
    {"data_resources", "id", 1, NULL, 0},
    {"resource_rows", "resource_id", 1, "key", 0},
    {"share_requests", "id", 1, NULL, 0},
    {"grants", "id", 1, NULL, 0},
    {"api_keys", "id", 1, NULL, 0},
    {"access_records", "id", 1, NULL, 0},
    {"access_subjects", "subject", 0, "access_id", 1},
    {"required_items", "id", 1, NULL, 0},
    {"indicator_values", "id", 1, NULL, 0},
    {"complaints", "id", 1, NULL, 0},
    {"supervision_items", "id", 1, NULL, 0},
    {"fed_catalog", "id", 1, NULL, 0},
    {"fed_catalog_cursors", "child_region", 0, NULL, 0},
    {"fed_cases", "id", 1, NULL, 0},
    {"fed_case_events", "id", 1, NULL, 0},
    {"fed_share_requests", "id", 1, NULL, 0},
    {"fed_share_access", "id", 1, NULL, 0},
    {"fed_rows", "request_id", 1, "key", 0},
    {"fed_share_incoming", "id", 1, NULL, 0},
    {"fed_share_served", "id", 1, NULL, 0},
    {"fed_share_served_subjects", "subject", 0, "served_id", 1},
    {"datasets", "id", 1, NULL, 0},
    {"dataset_versions", "id", 1, NULL, 0},
    {"dev_api_keys", "id", 1, NULL, 0},
    {"audit_log", "seq", 1, NULL, 0},
    {"audit_head", "id", 1, NULL, 0},
    {"audit_signatures", "seq", 1, NULL, 0},
    {"node_meta", "key", 0, NULL, 0},
};
#define NTABLES (sizeof(tables) / sizeof(tables[0]))

struct colset {
	int n;
	char *name[MAX_COLS];
	int is_int[MAX_COLS];
};

struct copy {
	db_conn *src, *dst;
	int64_t rows[NTABLES]; /* source rows per table */
	int64_t total;
};

static int copy_usage(void);
static const char *sqlite_path(const char *url);
static void redact(const char *url, char *out, size_t len);
static const char *kind_name(db_conn *c);
static double seconds_since(uint64_t t0);

/* ---- db copy ---- */

static void
colset_free(struct colset *cs)
{
	for (int i = 0; i < cs->n; i++)
		free(cs->name[i]);
	cs->n = 0;
}

static int
colset_find(const struct colset *cs, const char *name)
{
	for (int i = 0; i < cs->n; i++)
		if (strcmp(cs->name[i], name) == 0)
			return i;
	return -1;
}

/* Reads the columns of table on c (name and whether it holds integers). */
static int
list_columns(db_conn *c, const char *which, const char *table, struct colset *cs,
	     struct zt_err *err)
{
	db_stmt *s =
	    db_prepare(c,
		       db_conn_kind(c) == DB_PG
			   ? "SELECT column_name, data_type FROM information_schema.columns"
			     " WHERE table_schema = current_schema() AND table_name = ?1"
			     " ORDER BY ordinal_position"
			   : "SELECT name, type FROM pragma_table_info(?1) ORDER BY cid",
		       err);
	int rc;

	cs->n = 0;
	if (s == NULL)
		return err->code;
	db_bind_text(s, 1, table);
	while ((rc = db_step(s, err)) == DB_ROW) {
		const char *type = db_col_text(s, 1);
		if (cs->n == MAX_COLS) {
			db_reset(s);
			return err_set(err, ZT_EINTERNAL, "", "copy",
				       "table %s has more than %d columns", table, MAX_COLS);
		}
		cs->name[cs->n] = xstrdup(db_col_text(s, 0));
		cs->is_int[cs->n] =
		    type && (strcasecmp(type, "integer") == 0 || strcasecmp(type, "bigint") == 0 ||
			     strcasecmp(type, "smallint") == 0 || strcasecmp(type, "int") == 0);
		cs->n++;
	}
	db_reset(s);
	if (rc < 0)
		return rc;
	if (cs->n == 0)
		return err_set(err, ZT_EINVAL, "", "copy", "the %s has no table %s", which, table);
	return 0;
}

/* Fails when c holds a table db copy does not know: it would be left out. */
static int
check_tables(db_conn *c, const char *which, struct zt_err *err)
{
	db_stmt *s =
	    db_prepare(c,
		       db_conn_kind(c) == DB_PG
			   ? "SELECT table_name FROM information_schema.tables"
			     " WHERE table_schema = current_schema()"
			     " AND table_type = 'BASE TABLE' ORDER BY 1"
			   : "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY 1",
		       err);
	int rc;

	if (s == NULL)
		return err->code;
	while ((rc = db_step(s, err)) == DB_ROW) {
		const char *name = db_col_text(s, 0);
		int known = strcmp(name, "schema_migrations") == 0 ||
			    strncmp(name, "sqlite_", 7) == 0 ||
			    strncmp(name, "service_fts", 11) == 0 ||
			    strncmp(name, "dsr_", 4) == 0; /* opendata_rows_copy */
		for (size_t i = 0; !known && i < NTABLES; i++)
			known = strcmp(name, tables[i].name) == 0;
		if (!known) {
			rc = err_set(err, ZT_EINTERNAL, "", "copy",
				     "the %s has a table db copy does not know: %s", which, name);
			break;
		}
	}
	db_reset(s);
	return rc < 0 ? rc : 0;
}

/* Number of rows in table, or a negative error. */
static int64_t
count_rows(db_conn *c, const char *table, struct zt_err *err)
{
	char sql[128];
	int64_t n;
	int rc;

	snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s", table);
	db_stmt *s = db_prepare_dyn(c, sql, err);
	if (s == NULL)
		return err->code;
	rc = db_step(s, err);
	n = rc == DB_ROW ? db_col_int(s, 0) : rc < 0 ? rc : 0;
	db_reset(s);
	return n;
}

/* Rows in the search index: FTS rows, or items with a search document. */
static int64_t
count_search(db_conn *c, struct zt_err *err)
{
	return db_query_int(c,
			    db_conn_kind(c) == DB_PG
				? "SELECT count(*) FROM service_items WHERE search_doc <> ''"
				: "SELECT count(*) FROM service_fts",
			    ZT_EINTERNAL, err);
}

/* Parses an integer value read as text; 0 when v is not exactly one. */
static int
parse_int(const char *v, long long *out)
{
	char *end;

	errno = 0;
	*out = strtoll(v, &end, 10);
	return errno == 0 && end != v && *end == '\0';
}

/* Binds one value read as text: NULL stays NULL, integers are bound as
 * integers where the target column holds integers. */
static void
bind_value(db_stmt *w, int idx, db_stmt *r, int col, int is_int)
{
	const char *v = db_col_text(r, col);
	long long n;

	if (db_col_isnull(r, col) || v == NULL)
		db_bind_null(w, idx);
	else if (is_int && parse_int(v, &n))
		db_bind_int(w, idx, n);
	else
		db_bind_text(w, idx, v); /* the target decides whether it fits */
}

/* The same value as JSON (for a PostgreSQL batch): null, a number, or a
 * string; NULL when the text is not valid UTF-8. */
static json_t *
json_value(db_stmt *r, int col, int is_int)
{
	const char *v = db_col_text(r, col);
	long long n;

	if (db_col_isnull(r, col) || v == NULL)
		return json_null();
	if (is_int && parse_int(v, &n))
		return json_integer(n);
	return json_string(v);
}

/* Writes a batch of rows (a JSON array of objects) into a PostgreSQL table
 * with one statement: a round trip per row would dominate the copy. */
static int
flush_pg(db_stmt *w, json_t *rows, struct zt_err *err)
{
	char *text;
	int rc;

	if (json_array_size(rows) == 0)
		return 0;
	text = json_dumps(rows, JSON_COMPACT);
	db_reset(w);
	db_bind_text(w, 1, text);
	rc = db_step(w, err);
	db_reset(w);
	free(text);
	json_array_clear(rows);
	return rc < 0 ? rc : 0;
}

/* Copies one table in batches of BATCH rows walked by its key. SQLite
 * targets take one prepared INSERT per row; PostgreSQL targets one INSERT
 * per batch from json_populate_recordset. */
static int
copy_table(struct copy *cp, size_t ti, struct zt_err *err)
{
	const struct table *t = &tables[ti];
	struct colset sc = {0}, dc = {0};
	struct buf cols, sel_first, sel_next, ins, last, last2;
	int use[MAX_COLS], nuse = 0, keycol = -1, key2col = -1, rc;
	int pg = db_conn_kind(cp->dst) == DB_PG;
	json_t *batch = pg ? json_array() : NULL;
	int64_t done = 0;
	uint64_t shown = clock_mono_ns();

	buf_init(&cols);
	buf_init(&sel_first);
	buf_init(&sel_next);
	buf_init(&ins);
	buf_init(&last);
	buf_init(&last2);
	if ((rc = list_columns(cp->src, "source", t->name, &sc, err)) < 0 ||
	    (rc = list_columns(cp->dst, "target", t->name, &dc, err)) < 0)
		goto out;
	/* The target's columns; search_doc is derived (see copy_search). */
	for (int i = 0; i < dc.n; i++) {
		if (strcmp(dc.name[i], "search_doc") == 0)
			continue;
		if (colset_find(&sc, dc.name[i]) < 0) {
			rc = err_set(err, ZT_EINVAL, "", "copy",
				     "column %s.%s is in the target but not in the source", t->name,
				     dc.name[i]);
			goto out;
		}
		if (strcmp(dc.name[i], t->key) == 0)
			keycol = nuse;
		if (t->key2 && strcmp(dc.name[i], t->key2) == 0)
			key2col = nuse;
		buf_printf(&cols, "%s%s", nuse ? ", " : "", dc.name[i]);
		use[nuse++] = i;
	}
	for (int i = 0; i < sc.n; i++)
		if (strcmp(sc.name[i], "search_doc") != 0 && colset_find(&dc, sc.name[i]) < 0) {
			rc = err_set(err, ZT_EINVAL, "", "copy",
				     "column %s.%s is in the source but not in the target", t->name,
				     sc.name[i]);
			goto out;
		}
	if (keycol < 0 || (t->key2 && key2col < 0)) {
		rc = err_set(err, ZT_EINTERNAL, "", "copy", "table %s has no column %s", t->name,
			     t->key);
		goto out;
	}
	if (t->key2) { /* a two-column key: walk it with a row-value comparison */
		buf_printf(&sel_first, "SELECT %s FROM %s ORDER BY %s, %s LIMIT %d", cols.data,
			   t->name, t->key, t->key2, BATCH);
		buf_printf(&sel_next,
			   "SELECT %s FROM %s WHERE (%s, %s) > (?1, ?2) ORDER BY %s, %s LIMIT %d",
			   cols.data, t->name, t->key, t->key2, t->key, t->key2, BATCH);
	} else {
		buf_printf(&sel_first, "SELECT %s FROM %s ORDER BY %s LIMIT %d", cols.data, t->name,
			   t->key, BATCH);
		buf_printf(&sel_next, "SELECT %s FROM %s WHERE %s > ?1 ORDER BY %s LIMIT %d",
			   cols.data, t->name, t->key, t->key, BATCH);
	}
	if (pg) {
		buf_printf(&ins,
			   "INSERT INTO %s (%s) SELECT %s FROM json_populate_recordset(NULL::%s,"
			   " ?1::json)",
			   t->name, cols.data, cols.data, t->name);
	} else {
		buf_printf(&ins, "INSERT INTO %s (%s) VALUES (", t->name, cols.data);
		for (int i = 0; i < nuse; i++)
			buf_printf(&ins, "%s?%d", i ? ", " : "", i + 1);
		buf_puts(&ins, ")");
	}

	db_stmt *w = db_prepare_dyn(cp->dst, ins.data, err);
	if (w == NULL) {
		rc = err->code;
		goto out;
	}
	for (;;) {
		int n = 0;
		db_stmt *r = db_prepare_dyn(cp->src, done ? sel_next.data : sel_first.data, err);
		if (r == NULL) {
			rc = err->code;
			goto out;
		}
		if (done && t->int_key)
			db_bind_int(r, 1, strtoll(last.data, NULL, 10));
		else if (done)
			db_bind_text(r, 1, last.data);
		if (done && t->key2 && t->int_key2)
			db_bind_int(r, 2, strtoll(last2.data, NULL, 10));
		else if (done && t->key2)
			db_bind_text(r, 2, last2.data);
		while ((rc = db_step(r, err)) == DB_ROW) {
			const char *k = db_col_text(r, keycol);
			if (k == NULL) {
				rc = err_set(err, ZT_EINVAL, "", "copy", "%s has a row without %s",
					     t->name, t->key);
				break;
			}
			if (pg) {
				json_t *row = json_object();
				for (int i = 0; i < nuse; i++) {
					json_t *v = json_value(r, i, dc.is_int[use[i]]);
					if (v == NULL) {
						json_decref(row);
						rc = err_set(err, ZT_EINVAL, "", "copy",
							     "%s %s=%s: %s is not valid UTF-8",
							     t->name, t->key, k, dc.name[use[i]]);
						break;
					}
					json_object_set_new(row, dc.name[use[i]], v);
				}
				if (rc < 0)
					break;
				json_array_append_new(batch, row);
			} else {
				db_reset(w);
				for (int i = 0; i < nuse; i++)
					bind_value(w, i + 1, r, i, dc.is_int[use[i]]);
				if ((rc = db_step(w, err)) < 0) {
					char msg[ZT_ERR_MSG_MAX];
					snprintf(msg, sizeof(msg), "%s", err->msg);
					err_set(err, rc, "", "copy", "%s %s=%s: %s", t->name,
						t->key, k, msg);
					break;
				}
			}
			buf_reset(&last);
			buf_puts(&last, k);
			if (t->key2) {
				const char *k2 = db_col_text(r, key2col);
				buf_reset(&last2);
				buf_puts(&last2, k2 ? k2 : "");
			}
			n++;
			done++;
		}
		db_reset(r);
		if (rc < 0)
			goto out;
		if (pg && (rc = flush_pg(w, batch, err)) < 0) {
			char msg[ZT_ERR_MSG_MAX];
			snprintf(msg, sizeof(msg), "%s", err->msg);
			err_set(err, rc, "", "copy", "%s, rows up to %s=%s: %s", t->name, t->key,
				last.data, msg);
			goto out;
		}
		if (n < BATCH)
			break;
		if (clock_mono_ns() - shown >= 1000000000ull) {
			fprintf(stderr, "copy: %s %lld/%lld\n", t->name, (long long)done,
				(long long)cp->rows[ti]);
			shown = clock_mono_ns();
		}
	}
	db_reset(w);
	fprintf(stderr, "copy: %s %lld/%lld\n", t->name, (long long)done, (long long)cp->rows[ti]);
	rc = 0;
out:
	json_decref(batch);
	colset_free(&sc);
	colset_free(&dc);
	buf_cleanup(&cols);
	buf_cleanup(&sel_first);
	buf_cleanup(&sel_next);
	buf_cleanup(&ins);
	buf_cleanup(&last);
	buf_cleanup(&last2);
	return rc;
}

/* Rebuilds the target's search index from the source's: (id, name, guide). */
static int
copy_search(struct copy *cp, struct zt_err *err)
{
	int src_pg = db_conn_kind(cp->src) == DB_PG, dst_pg = db_conn_kind(cp->dst) == DB_PG;
	int64_t n = 0;
	int rc;

	db_stmt *r =
	    db_prepare(cp->src,
		       src_pg ? "SELECT id, name, search_doc FROM service_items"
				" WHERE search_doc <> '' ORDER BY id"
			      : "SELECT rowid, name, guide FROM service_fts ORDER BY rowid",
		       err);
	if (r == NULL)
		return err->code;
	db_stmt *w =
	    db_prepare(cp->dst,
		       dst_pg ? "UPDATE service_items SET search_doc = ?2 || chr(10) || ?3"
				" WHERE id = ?1"
			      : "INSERT INTO service_fts (rowid, name, guide) VALUES (?1, ?2, ?3)",
		       err);
	if (w == NULL) {
		db_reset(r);
		return err->code;
	}
	while ((rc = db_step(r, err)) == DB_ROW) {
		const char *name = db_col_text(r, 1), *doc = db_col_text(r, 2);
		const char *guide = doc ? doc : "";
		if (name == NULL)
			name = "";
		if (src_pg) {
			/* search_doc is name '\n' guide (service.c). */
			size_t len = strlen(name);
			if (strncmp(guide, name, len) == 0 && guide[len] == '\n')
				guide += len + 1;
		}
		db_reset(w);
		db_bind_int(w, 1, db_col_int(r, 0));
		db_bind_text(w, 2, name);
		db_bind_text(w, 3, guide);
		if ((rc = db_step(w, err)) < 0)
			break;
		n++;
	}
	db_reset(r);
	db_reset(w);
	if (rc < 0)
		return rc;
	fprintf(stderr, "copy: search index %lld/%lld\n", (long long)n, (long long)n);
	return 0;
}

/* PostgreSQL: identity sequences continue after the copied ids. */
static int
fix_sequences(db_conn *dst, struct zt_err *err)
{
	char sql[256];

	for (size_t i = 0; i < NTABLES; i++) {
		const struct table *t = &tables[i];
		if (!t->int_key)
			continue;
		/* pg_get_serial_sequence is NULL for a key without identity, and
		 * setval(NULL, ...) does nothing. */
		snprintf(sql, sizeof(sql),
			 "SELECT setval(pg_get_serial_sequence('%s', '%s'),"
			 " coalesce(max(%s), 0) + 1, false) FROM %s",
			 t->name, t->key, t->key, t->name);
		if (db_exec(dst, sql, err) < 0)
			return err->code;
	}
	return 0;
}

/* Empties every table of the target (for --force and for rows its
 * migrations insert, such as the audit head). */
static int
clear_target(db_conn *dst, struct zt_err *err)
{
	char sql[128];

	if (db_conn_kind(dst) == DB_SQLITE && db_exec(dst, "DELETE FROM service_fts", err) < 0)
		return err->code;
	if (opendata_rows_drop_all(dst, err) < 0)
		return err->code;
	for (size_t i = NTABLES; i-- > 0;) {
		snprintf(sql, sizeof(sql), "DELETE FROM %s", tables[i].name);
		if (db_exec(dst, sql, err) < 0)
			return err->code;
	}
	return 0;
}

/* Compares row counts table by table and verifies the audit chain on the
 * target. Prints the per-table counts. */
static int
verify(struct copy *cp, int64_t *audited, struct zt_err *err)
{
	for (size_t i = 0; i < NTABLES; i++) {
		int64_t n = count_rows(cp->dst, tables[i].name, err);
		if (n < 0)
			return (int)n;
		if (n != cp->rows[i])
			return err_set(
			    err, ZT_EINTERNAL, "", "count",
			    "table %s has %lld rows in the source but %lld in the target",
			    tables[i].name, (long long)cp->rows[i], (long long)n);
		printf("  %-18s %10lld\n", tables[i].name, (long long)n);
	}
	int64_t s = count_search(cp->src, err), d = count_search(cp->dst, err);
	if (s < 0 || d < 0)
		return err->code;
	if (s != d)
		return err_set(
		    err, ZT_EINTERNAL, "", "count",
		    "the search index has %lld items in the source but %lld in the target",
		    (long long)s, (long long)d);
	printf("  %-18s %10lld\n", "(search index)", (long long)d);
	int64_t bad = audit_verify(cp->dst, audited, NULL, err);
	if (bad < 0)
		return (int)bad;
	if (bad > 0) {
		char msg[ZT_ERR_MSG_MAX];
		snprintf(msg, sizeof(msg), "%s", err->msg);
		return err_set(err, ZT_EINTERNAL, "", "audit",
			       "the audit chain of the target is broken at sequence %lld: %s",
			       (long long)bad, msg);
	}
	return 0;
}

/* Whether from and to name the same SQLite file (or the same URL). */
static int
same_database(const char *from, const char *to)
{
	const char *a = sqlite_path(from), *b = sqlite_path(to);
	char ra[PATH_MAX], rb[PATH_MAX];

	if (strcmp(from, to) == 0)
		return 1;
	if (a == NULL || b == NULL)
		return 0;
	if (strcmp(a, b) == 0)
		return 1;
	return realpath(a, ra) && realpath(b, rb) && strcmp(ra, rb) == 0;
}

int
dbtools_copy(int argc, char **argv)
{
	const char *from = NULL, *to = NULL;
	char rfrom[600], rto[600];
	struct copy cp;
	struct zt_err err;
	int force = 0, status = 1, src_tx = 0, dst_tx = 0;
	int64_t audited = 0;
	uint64_t t0 = clock_mono_ns();

	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--force") == 0)
			force = 1;
		else if (strcmp(argv[i], "--from") == 0 && i + 1 < argc)
			from = argv[++i];
		else if (strcmp(argv[i], "--to") == 0 && i + 1 < argc)
			to = argv[++i];
		else {
			fprintf(stderr, "db copy: unknown option or missing value: %s\n", argv[i]);
			return copy_usage();
		}
	}
	if (from == NULL || to == NULL || !*from || !*to) {
		fprintf(stderr, "db copy: --from and --to are required\n");
		return copy_usage();
	}
	redact(from, rfrom, sizeof(rfrom));
	redact(to, rto, sizeof(rto));
	if (same_database(from, to)) {
		fprintf(stderr, "db copy: source and target are the same database (%s)\n", rfrom);
		return 1;
	}
	/* Opening a SQLite path creates the file: the source must exist. */
	struct stat st;
	if (sqlite_path(from) && stat(sqlite_path(from), &st) < 0) {
		fprintf(stderr, "db copy: no source database at %s: %s\n", sqlite_path(from),
			strerror(errno));
		return 1;
	}
	if (sm3_init_lib() < 0) {
		fprintf(stderr, "db copy: SM3 is not available (OpenSSL)\n");
		return 1;
	}
	memset(&cp, 0, sizeof(cp));
	err_clear(&err);
	if ((cp.src = db_connect(from, 1, &err)) == NULL) {
		fprintf(stderr, "db copy: source %s: %s\n", rfrom, err.msg);
		goto out;
	}
	if ((cp.dst = db_connect(to, 0, &err)) == NULL) {
		fprintf(stderr, "db copy: target %s: %s\n", rto, err.msg);
		goto out;
	}
	fprintf(stderr, "copy: from %s (%s) to %s (%s)\n", rfrom, kind_name(cp.src), rto,
		kind_name(cp.dst));

	/* The source: one read-only snapshot for the copy and the counts. */
	if (db_exec(cp.src,
		    db_conn_kind(cp.src) == DB_PG
			? "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY"
			: "BEGIN",
		    &err) < 0) {
		fprintf(stderr, "db copy: source: %s\n", err.msg);
		goto out;
	}
	src_tx = 1;
	int64_t sver = db_query_int(cp.src, "SELECT max(version) FROM schema_migrations", -1, &err);
	if (sver < 0) {
		fprintf(stderr, "db copy: the source %s holds no zhengtong schema\n", rfrom);
		goto out;
	}

	if (db_migrate_conn(cp.dst, 0, &err) < 0) {
		fprintf(stderr, "db copy: migrating the target: %s\n", err.msg);
		goto out;
	}
	int64_t dver = db_query_int(cp.dst, "SELECT max(version) FROM schema_migrations", -1, &err);
	if (sver != dver) {
		fprintf(stderr,
			"db copy: the source is at schema version %lld, this program at %lld%s\n",
			(long long)sver, (long long)dver,
			sver < dver ? ": run 'zhengtong migrate' on the source first" : "");
		goto out;
	}
	if (check_tables(cp.src, "source", &err) < 0 || check_tables(cp.dst, "target", &err) < 0) {
		fprintf(stderr, "db copy: %s\n", err.msg);
		goto out;
	}
	int64_t users = count_rows(cp.dst, "users", &err);
	int64_t records = users < 0 ? users : count_rows(cp.dst, "audit_log", &err);
	if (users < 0 || records < 0) {
		fprintf(stderr, "db copy: target: %s\n", err.msg);
		goto out;
	}
	if ((users > 0 || records > 0) && !force) {
		fprintf(stderr,
			"db copy: the target %s already holds data (%lld users, %lld audit "
			"records); use --force to replace it\n",
			rto, (long long)users, (long long)records);
		goto out;
	}
	for (size_t i = 0; i < NTABLES; i++) {
		if ((cp.rows[i] = count_rows(cp.src, tables[i].name, &err)) < 0) {
			fprintf(stderr, "db copy: source: %s\n", err.msg);
			goto out;
		}
		cp.total += cp.rows[i];
	}

	/* The target: one transaction; foreign keys in SQLite are checked at
	 * commit, PostgreSQL's (not deferrable) hold by the order of tables. */
	if (db_exec(cp.dst,
		    db_conn_kind(cp.dst) == DB_PG
			? "BEGIN"
			: "BEGIN IMMEDIATE; PRAGMA defer_foreign_keys = ON",
		    &err) < 0) {
		fprintf(stderr, "db copy: target: %s\n", err.msg);
		goto out;
	}
	dst_tx = 1;
	if (clear_target(cp.dst, &err) < 0) {
		fprintf(stderr, "db copy: emptying the target: %s\n", err.msg);
		goto out;
	}
	for (size_t i = 0; i < NTABLES; i++)
		if (copy_table(&cp, i, &err) < 0) {
			fprintf(stderr, "db copy: %s\n", err.msg);
			goto out;
		}
	if (copy_search(&cp, &err) < 0) {
		fprintf(stderr, "db copy: search index: %s\n", err.msg);
		goto out;
	}
	int64_t dsrows = 0;
	if (opendata_rows_copy(cp.src, cp.dst, &dsrows, &err) < 0) {
		fprintf(stderr, "db copy: dataset rows: %s\n", err.msg);
		goto out;
	}
	fprintf(stderr, "copy: dataset rows %lld/%lld\n", (long long)dsrows, (long long)dsrows);
	if (db_conn_kind(cp.dst) == DB_PG && fix_sequences(cp.dst, &err) < 0) {
		fprintf(stderr, "db copy: sequences: %s\n", err.msg);
		goto out;
	}
	/* Verified before the commit: a copy that does not match is rolled
	 * back and leaves the target as it was. */
	fprintf(stderr, "copy: verifying\n");
	printf("db copy: %s (%s) -> %s (%s)\n", rfrom, kind_name(cp.src), rto, kind_name(cp.dst));
	if (verify(&cp, &audited, &err) < 0) {
		fprintf(stderr, "db copy: verification failed, nothing kept: %s\n", err.msg);
		printf("db copy: FAILED: %s\n", err.msg);
		goto out;
	}
	if (db_exec(cp.dst, "COMMIT", &err) < 0) {
		fprintf(stderr, "db copy: commit: %s\n", err.msg);
		goto out;
	}
	dst_tx = 0;
	printf("db copy: %lld rows in %zu tables copied in %.2f s; row counts equal; audit chain "
	       "intact (%lld records)\n",
	       (long long)cp.total, NTABLES, seconds_since(t0), (long long)audited);
	status = 0;
out:
	if (dst_tx) {
		struct zt_err e2;
		db_exec(cp.dst, "ROLLBACK", &e2);
	}
	if (src_tx) {
		struct zt_err e2;
		db_exec(cp.src, "ROLLBACK", &e2);
	}
	db_disconnect(cp.dst);
	db_disconnect(cp.src);
	sm3_cleanup_lib();
	return status;
}

/* ---- backup ---- */

static int
fsync_path(const char *path, int is_dir)
{
	int fd = open(path, O_RDONLY | (is_dir ? O_DIRECTORY : 0));
	int rc;

	if (fd < 0)
		return -1;
	rc = fsync(fd);
	close(fd);
	return rc;
}

/* Makes tmp durable and renames it to path (also durable). */
static int
publish(const char *tmp, const char *path)
{
	char *copy = xstrdup(path);
	int rc = -1;

	if (fsync_path(tmp, 0) == 0 && rename(tmp, path) == 0 && fsync_path(dirname(copy), 1) == 0)
		rc = 0;
	free(copy);
	return rc;
}

/* Runs argv (argv[0] found on PATH), without a shell, and waits. Returns its
 * exit status, or -1 with errno set when it could not be started. */
static int
run_program(char *const argv[], int quiet)
{
	int pfd[2], e = 0, status;
	ssize_t n;
	pid_t pid;

	if (pipe2(pfd, O_CLOEXEC) < 0)
		return -1;
	fflush(NULL);
	if ((pid = fork()) < 0) {
		e = errno;
		close(pfd[0]);
		close(pfd[1]);
		errno = e;
		return -1;
	}
	if (pid == 0) {
		close(pfd[0]);
		if (quiet) {
			int fd = open("/dev/null", O_WRONLY);
			if (fd >= 0) {
				dup2(fd, 1);
				close(fd);
			}
		}
		execvp(argv[0], argv);
		/* Only reached when exec failed: tell the parent why. */
		e = errno;
		if (write(pfd[1], &e, sizeof(e)) < 0)
			_exit(127);
		_exit(127);
	}
	close(pfd[1]);
	do
		n = read(pfd[0], &e, sizeof(e));
	while (n < 0 && errno == EINTR);
	close(pfd[0]);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	if (n == (ssize_t)sizeof(e)) {
		errno = e;
		return -1;
	}
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return 128 + WTERMSIG(status);
}

static int
backup_pg(const char *url, const char *tmp, const char *what)
{
	char *file = xasprintf("--file=%s", tmp), *db = xasprintf("--dbname=%s", url);
	char *dump[] = {"pg_dump", "--format=custom", file, db, NULL};
	char *list[] = {"pg_restore", "--list", (char *)tmp, NULL};
	int rc = -1, st;

	st = run_program(dump, 0);
	if (st < 0) {
		if (errno == ENOENT)
			fprintf(stderr, "backup: pg_dump is not installed or not on PATH (Debian: "
					"apt-get install postgresql-client)\n");
		else
			fprintf(stderr, "backup: cannot run pg_dump: %s\n", strerror(errno));
		goto out;
	}
	if (st != 0) {
		fprintf(stderr, "backup: pg_dump of %s failed (exit status %d)\n", what, st);
		goto out;
	}
	st = run_program(list, 1);
	if (st < 0 && errno == ENOENT)
		fprintf(stderr, "backup: pg_restore is not on PATH: the archive was not checked\n");
	else if (st != 0) {
		fprintf(stderr, "backup: pg_restore --list cannot read the archive (status %d)\n",
			st);
		goto out;
	}
	rc = 0;
out:
	free(file);
	free(db);
	return rc;
}

static int
backup_sqlite(const char *path, const char *tmp)
{
	sqlite3 *src = NULL, *dst = NULL;
	sqlite3_stmt *chk = NULL;
	sqlite3_backup *b;
	int rc, tries = 0, status = -1;

	rc = sqlite3_open_v2(path, &src, SQLITE_OPEN_READWRITE, NULL);
	if (rc != SQLITE_OK) {
		fprintf(stderr, "backup: cannot open %s: %s\n", path,
			src ? sqlite3_errmsg(src) : sqlite3_errstr(rc));
		goto out;
	}
	sqlite3_busy_timeout(src, 10000);
	sqlite3_exec(src, "PRAGMA query_only = ON", NULL, NULL, NULL);
	rc = sqlite3_open_v2(tmp, &dst, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
	if (rc != SQLITE_OK) {
		fprintf(stderr, "backup: cannot create %s: %s\n", tmp,
			dst ? sqlite3_errmsg(dst) : sqlite3_errstr(rc));
		goto out;
	}
	b = sqlite3_backup_init(dst, "main", src, "main");
	if (b == NULL) {
		fprintf(stderr, "backup: %s\n", sqlite3_errmsg(dst));
		goto out;
	}
	/* All pages in one step: one read transaction, so one consistent
	 * snapshot (WAL lets the node go on writing meanwhile). */
	do {
		rc = sqlite3_backup_step(b, -1);
		if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
			sqlite3_sleep(100);
	} while ((rc == SQLITE_BUSY || rc == SQLITE_LOCKED) && ++tries < 100);
	sqlite3_backup_finish(b);
	if (rc != SQLITE_DONE) {
		fprintf(stderr, "backup: copying %s failed: %s\n", path, sqlite3_errstr(rc));
		goto out;
	}
	/* A standalone file: no WAL beside it. */
	if (sqlite3_exec(dst, "PRAGMA journal_mode = DELETE", NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(dst, "PRAGMA integrity_check", -1, &chk, NULL) != SQLITE_OK) {
		fprintf(stderr, "backup: %s: %s\n", tmp, sqlite3_errmsg(dst));
		goto out;
	}
	rc = sqlite3_step(chk);
	const char *res = rc == SQLITE_ROW ? (const char *)sqlite3_column_text(chk, 0) : NULL;
	if (res == NULL || strcmp(res, "ok") != 0) {
		fprintf(stderr, "backup: integrity check of the copy failed: %s\n",
			res ? res : sqlite3_errmsg(dst));
		goto out;
	}
	status = 0;
out:
	sqlite3_finalize(chk);
	if (dst && sqlite3_close(dst) != SQLITE_OK && status == 0) {
		fprintf(stderr, "backup: closing %s failed\n", tmp);
		status = -1;
	}
	sqlite3_close(src);
	return status;
}

int
dbtools_backup(const char *config_path, int argc, char **argv)
{
	const char *to = NULL;
	char ebuf[256], what[600], rto[PATH_MAX], rdb[PATH_MAX];
	char *tmp = NULL;
	struct stat st;
	uint64_t t0 = clock_mono_ns();
	int status = 1, pg;

	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--to") == 0 && i + 1 < argc && argv[i + 1][0])
			to = argv[++i];
		else {
			fprintf(stderr, "backup: unknown option or missing value: %s\n", argv[i]);
			fprintf(stderr, "usage: %s\n", DBTOOLS_BACKUP_USAGE);
			return 2;
		}
	}
	if (to == NULL) {
		fprintf(stderr, "backup: --to PATH is required\nusage: %s\n", DBTOOLS_BACKUP_USAGE);
		return 2;
	}
	if (config_load(config_path, ebuf, sizeof(ebuf)) < 0) {
		fprintf(stderr, "zhengtong: config: %s\n", ebuf);
		return 1;
	}
	pg = sqlite_path(cfg.db) == NULL;
	redact(cfg.db, what, sizeof(what));
	if (!pg) {
		const char *path = sqlite_path(cfg.db);
		if (stat(path, &st) < 0) {
			fprintf(stderr, "backup: no database at %s: %s\n", path, strerror(errno));
			return 1;
		}
		if (realpath(path, rdb) && realpath(to, rto) && strcmp(rdb, rto) == 0) {
			fprintf(stderr, "backup: %s is the database itself\n", to);
			return 1;
		}
	}
	tmp = xasprintf("%s.partial", to);
	unlink(tmp);
	if (pg ? backup_pg(cfg.db, tmp, what) < 0 : backup_sqlite(sqlite_path(cfg.db), tmp) < 0)
		goto out;
	if (stat(tmp, &st) < 0 || st.st_size == 0) {
		fprintf(stderr, "backup: %s was not written\n", tmp);
		goto out;
	}
	if (publish(tmp, to) < 0) {
		fprintf(stderr, "backup: cannot move %s to %s: %s\n", tmp, to, strerror(errno));
		goto out;
	}
	printf("backup: %s -> %s: %lld bytes (%.1f MiB) in %.2f s, %s\n", what, to,
	       (long long)st.st_size, (double)st.st_size / (1024.0 * 1024.0), seconds_since(t0),
	       pg ? "pg_dump custom format, readable by pg_restore"
		  : "SQLite online backup, integrity check ok");
	status = 0;
out:
	if (status != 0)
		unlink(tmp);
	free(tmp);
	return status;
}

/* ---- helpers ---- */

static int
copy_usage(void)
{
	fprintf(stderr, "usage: %s\n", DBTOOLS_COPY_USAGE);
	return 2;
}

/* The file path of a SQLite URL, or NULL for PostgreSQL. */
static const char *
sqlite_path(const char *url)
{
	if (strncmp(url, "postgres://", 11) == 0 || strncmp(url, "postgresql://", 13) == 0)
		return NULL;
	return strncmp(url, "sqlite:", 7) == 0 ? url + 7 : url;
}

/* url with any password replaced by ***, for messages. */
static void
redact(const char *url, char *out, size_t len)
{
	const char *p = strstr(url, "://");
	const char *end, *at = NULL, *colon = NULL;

	if (p == NULL) {
		snprintf(out, len, "%s", url);
		return;
	}
	p += 3;
	end = p + strcspn(p, "/?#");
	for (const char *q = p; q < end; q++)
		if (*q == '@')
			at = q;
	for (const char *q = p; at && q < at; q++)
		if (*q == ':') {
			colon = q;
			break;
		}
	if (colon == NULL)
		snprintf(out, len, "%s", url);
	else
		snprintf(out, len, "%.*s:***%s", (int)(colon - url), url, at);
}

static const char *
kind_name(db_conn *c)
{
	return db_conn_kind(c) == DB_PG ? "PostgreSQL" : "SQLite";
}

static double
seconds_since(uint64_t t0)
{
	return (double)(clock_mono_ns() - t0) / 1e9;
}
