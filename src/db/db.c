/* db.c - the SQLite implementation of db.h: connections, statement cache,
 * the group-commit writer thread, the read pool and migrations.
 *
 * One write connection belongs to the writer thread (or, without it, to the
 * CLI). Read connections are pooled; WAL mode lets them read while the
 * writer writes. synchronous=FULL makes every commit durable before
 * db_write() returns. */
#include "db/db.h"
#include "db/migrations.h"
#include "base/clock.h"
#include "base/log.h"
#include "base/xmalloc.h"

#include <pthread.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

struct cached {
	const char *key; /* literal address, or owned copy when dyn */
	int dyn;
	struct db_stmt *st;
};

struct db_conn {
	sqlite3 *h;
	struct cached *cache;
	size_t ncache, capcache;
	struct db_conn *next_idle;
};

struct db_stmt {
	sqlite3_stmt *s;
	db_conn *c;
};

struct job {
	db_job_fn fn;
	void *arg;
	struct zt_err *err;
	int rc;
	int done;
	pthread_cond_t cv;
	struct job *next;
};

static char db_path[600];
static db_conn *wconn;
static pthread_mutex_t pool_mu = PTHREAD_MUTEX_INITIALIZER;
static db_conn *pool_idle;
static db_conn **pool_all;
static size_t pool_n, pool_cap;

static pthread_mutex_t wq_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wq_cv = PTHREAD_COND_INITIALIZER;
static struct job *wq_head, *wq_tail;
static int writer_on, writer_stopping;
static pthread_t writer_tid;
static pthread_mutex_t inline_mu = PTHREAD_MUTEX_INITIALIZER;

#define MAX_BATCH 512

static void reset_all(db_conn *c);

static int
map_rc(sqlite3 *h, int rc, struct zt_err *err)
{
	const char *msg = h ? sqlite3_errmsg(h) : sqlite3_errstr(rc);

	switch (rc & 0xff) {
	case SQLITE_FULL:
		return err_set(err, ZT_ENOSPACE, "", "storage_full", "storage is full");
	case SQLITE_IOERR:
	case SQLITE_CANTOPEN:
		if (rc == SQLITE_IOERR_WRITE || rc == SQLITE_IOERR_FSYNC ||
		    rc == SQLITE_IOERR_SHMSIZE)
			return err_set(err, ZT_ENOSPACE, "", "storage_error",
				       "storage write failed: %s", msg);
		return err_set(err, ZT_EUNAVAIL, "", "storage_error", "storage error: %s", msg);
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return err_set(err, ZT_EUNAVAIL, "", "busy", "database busy");
	case SQLITE_CONSTRAINT:
		return err_set(err, ZT_ECONFLICT, "", "constraint", "%s", msg);
	default:
		return err_set(err, ZT_EINTERNAL, "", "db_error", "database error: %s", msg);
	}
}

static db_conn *
conn_open(int readonly, struct zt_err *err)
{
	sqlite3 *h = NULL;
	int flags = readonly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
	int rc = sqlite3_open_v2(db_path, &h, flags | SQLITE_OPEN_NOMUTEX, NULL);

	if (rc != SQLITE_OK) {
		map_rc(h, rc, err);
		sqlite3_close(h);
		return NULL;
	}
	sqlite3_busy_timeout(h, 10000);
	sqlite3_extended_result_codes(h, 1);
	db_conn *c = xcalloc(1, sizeof(*c));
	c->h = h;
	const char *pragmas = readonly ? "PRAGMA foreign_keys=ON; PRAGMA query_only=ON;"
				       : "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
					 " PRAGMA foreign_keys=ON;";
	if (db_exec(c, pragmas, err) < 0) {
		sqlite3_close(h);
		free(c);
		return NULL;
	}
	return c;
}

static void
conn_close(db_conn *c)
{
	if (c == NULL)
		return;
	for (size_t i = 0; i < c->ncache; i++) {
		sqlite3_finalize(c->cache[i].st->s);
		free(c->cache[i].st);
		if (c->cache[i].dyn)
			free((char *)c->cache[i].key);
	}
	free(c->cache);
	sqlite3_close(c->h);
	free(c);
}

int
db_open(const char *url, struct zt_err *err)
{
	if (strncmp(url, "sqlite:", 7) == 0)
		url += 7;
	if (strncmp(url, "postgres://", 11) == 0 || strncmp(url, "postgresql://", 13) == 0)
		return err_set(err, ZT_EUNAVAIL, "db", "unsupported",
			       "PostgreSQL support is not built into this version");
	snprintf(db_path, sizeof(db_path), "%s", url);
	/* Connections are never shared between threads at once (NOMUTEX), and
	 * memory statistics would put one global mutex on every allocation. */
	sqlite3_config(SQLITE_CONFIG_MULTITHREAD);
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
	wconn = conn_open(0, err);
	return wconn ? 0 : err->code;
}

void
db_close(void)
{
	db_writer_stop();
	pthread_mutex_lock(&pool_mu);
	for (size_t i = 0; i < pool_n; i++)
		conn_close(pool_all[i]);
	free(pool_all);
	pool_all = NULL;
	pool_n = pool_cap = 0;
	pool_idle = NULL;
	pthread_mutex_unlock(&pool_mu);
	conn_close(wconn);
	wconn = NULL;
}

db_conn *
db_cli_conn(void)
{
	return wconn;
}

/* ---- statements ---- */

static db_stmt *
prepare(db_conn *c, const char *sql, int dyn, struct zt_err *err)
{
	for (size_t i = 0; i < c->ncache; i++) {
		struct cached *e = &c->cache[i];
		if (e->key == sql || (dyn && e->dyn && strcmp(e->key, sql) == 0)) {
			sqlite3_reset(e->st->s);
			sqlite3_clear_bindings(e->st->s);
			return e->st;
		}
	}
	sqlite3_stmt *s = NULL;
	int rc = sqlite3_prepare_v3(c->h, sql, -1, SQLITE_PREPARE_PERSISTENT, &s, NULL);
	if (rc != SQLITE_OK) {
		map_rc(c->h, rc, err);
		log_error("prepare failed: %s: %s", sqlite3_errmsg(c->h), sql);
		return NULL;
	}
	if (c->ncache == c->capcache) {
		c->capcache = c->capcache ? c->capcache * 2 : 32;
		c->cache = xreallocarray(c->cache, c->capcache, sizeof(*c->cache));
	}
	db_stmt *st = xmalloc(sizeof(*st));
	st->s = s;
	st->c = c;
	c->cache[c->ncache].key = dyn ? xstrdup(sql) : sql;
	c->cache[c->ncache].dyn = dyn;
	c->cache[c->ncache].st = st;
	c->ncache++;
	return st;
}

db_stmt *
db_prepare(db_conn *c, const char *sql, struct zt_err *err)
{
	return prepare(c, sql, 0, err);
}

db_stmt *
db_prepare_dyn(db_conn *c, const char *sql, struct zt_err *err)
{
	return prepare(c, sql, 1, err);
}

void
db_bind_int(db_stmt *s, int idx, int64_t v)
{
	sqlite3_bind_int64(s->s, idx, v);
}

void
db_bind_double(db_stmt *s, int idx, double v)
{
	sqlite3_bind_double(s->s, idx, v);
}

void
db_bind_text(db_stmt *s, int idx, const char *v)
{
	if (v == NULL)
		sqlite3_bind_null(s->s, idx);
	else
		sqlite3_bind_text(s->s, idx, v, -1, SQLITE_TRANSIENT);
}

void
db_bind_textn(db_stmt *s, int idx, const char *v, size_t n)
{
	sqlite3_bind_text64(s->s, idx, v, n, SQLITE_TRANSIENT, SQLITE_UTF8);
}

void
db_bind_blob(db_stmt *s, int idx, const void *v, size_t n)
{
	sqlite3_bind_blob64(s->s, idx, v, n, SQLITE_TRANSIENT);
}

void
db_bind_null(db_stmt *s, int idx)
{
	sqlite3_bind_null(s->s, idx);
}

int
db_step(db_stmt *s, struct zt_err *err)
{
	int rc = sqlite3_step(s->s);

	if (rc == SQLITE_ROW)
		return DB_ROW;
	if (rc == SQLITE_DONE)
		return DB_DONE;
	int code = map_rc(s->c->h, rc, err);
	sqlite3_reset(s->s);
	return code;
}

int64_t
db_col_int(db_stmt *s, int col)
{
	return sqlite3_column_int64(s->s, col);
}

double
db_col_double(db_stmt *s, int col)
{
	return sqlite3_column_double(s->s, col);
}

const char *
db_col_text(db_stmt *s, int col)
{
	return (const char *)sqlite3_column_text(s->s, col);
}

const void *
db_col_blob(db_stmt *s, int col, size_t *len)
{
	const void *p = sqlite3_column_blob(s->s, col);

	*len = (size_t)sqlite3_column_bytes(s->s, col);
	return p;
}

int
db_col_isnull(db_stmt *s, int col)
{
	return sqlite3_column_type(s->s, col) == SQLITE_NULL;
}

void
db_reset(db_stmt *s)
{
	sqlite3_reset(s->s);
}

int64_t
db_changes(db_conn *c)
{
	return sqlite3_changes64(c->h);
}

int
db_exec(db_conn *c, const char *sql, struct zt_err *err)
{
	char *msg = NULL;
	int rc = sqlite3_exec(c->h, sql, NULL, NULL, &msg);

	if (rc != SQLITE_OK) {
		int code = map_rc(c->h, rc, err);
		sqlite3_free(msg);
		return code;
	}
	return 0;
}

int64_t
db_query_int(db_conn *c, const char *sql, int64_t dflt, struct zt_err *err)
{
	db_stmt *s = db_prepare(c, sql, err);
	int64_t v = dflt;

	if (s == NULL)
		return dflt;
	if (db_step(s, err) == DB_ROW && !db_col_isnull(s, 0))
		v = db_col_int(s, 0);
	db_reset(s);
	return v;
}

/* ---- read pool ---- */

db_conn *
db_read_acquire(void)
{
	struct zt_err err;
	db_conn *c;

	pthread_mutex_lock(&pool_mu);
	c = pool_idle;
	if (c)
		pool_idle = c->next_idle;
	pthread_mutex_unlock(&pool_mu);
	if (c)
		return c;
	c = conn_open(1, &err);
	if (c == NULL) {
		log_error("cannot open read connection: %s", err.msg);
		return NULL;
	}
	pthread_mutex_lock(&pool_mu);
	if (pool_n == pool_cap) {
		pool_cap = pool_cap ? pool_cap * 2 : 16;
		pool_all = xreallocarray(pool_all, pool_cap, sizeof(*pool_all));
	}
	pool_all[pool_n++] = c;
	pthread_mutex_unlock(&pool_mu);
	return c;
}

void
db_read_release(db_conn *c)
{
	if (c == NULL)
		return;
	/* End any read transaction a half-stepped statement holds open. */
	reset_all(c);
	pthread_mutex_lock(&pool_mu);
	c->next_idle = pool_idle;
	pool_idle = c;
	pthread_mutex_unlock(&pool_mu);
}

/* ---- writes ---- */

/* A job may leave a SELECT half-stepped; reset every cached statement so no
 * statement is active across savepoint release, rollback or commit. */
static void
reset_all(db_conn *c)
{
	for (size_t i = 0; i < c->ncache; i++)
		sqlite3_reset(c->cache[i].st->s);
}

static int
run_batch_tx(struct job **jobs, int n)
{
	struct zt_err err;
	int rc;

	err_clear(&err);
	if (db_exec(wconn, "BEGIN IMMEDIATE", &err) < 0) {
		for (int i = 0; i < n; i++) {
			*jobs[i]->err = err;
			jobs[i]->rc = err.code;
		}
		return err.code;
	}
	for (int i = 0; i < n; i++) {
		struct job *j = jobs[i];
		struct zt_err serr;
		if (db_exec(wconn, "SAVEPOINT job", &serr) < 0) {
			*j->err = serr;
			j->rc = serr.code;
			continue;
		}
		j->rc = j->fn(wconn, j->arg, j->err);
		reset_all(wconn);
		if (j->rc < 0) {
			db_exec(wconn, "ROLLBACK TO job", &serr);
		}
		db_exec(wconn, "RELEASE job", &serr);
	}
	rc = db_exec(wconn, "COMMIT", &err);
	if (rc < 0) {
		struct zt_err rerr;
		log_error("commit failed: %s", err.msg);
		db_exec(wconn, "ROLLBACK", &rerr);
		for (int i = 0; i < n; i++)
			if (jobs[i]->rc >= 0) {
				*jobs[i]->err = err;
				jobs[i]->rc = err.code;
			}
	}
	return rc;
}

static void *
writer_main(void *unused)
{
	struct job *batch[MAX_BATCH];

	for (;;) {
		int n = 0;
		pthread_mutex_lock(&wq_mu);
		while (wq_head == NULL && !writer_stopping)
			pthread_cond_wait(&wq_cv, &wq_mu);
		if (wq_head == NULL && writer_stopping) {
			pthread_mutex_unlock(&wq_mu);
			break;
		}
		while (wq_head && n < MAX_BATCH) {
			batch[n++] = wq_head;
			wq_head = wq_head->next;
		}
		if (wq_head == NULL)
			wq_tail = NULL;
		pthread_mutex_unlock(&wq_mu);

		run_batch_tx(batch, n);

		pthread_mutex_lock(&wq_mu);
		for (int i = 0; i < n; i++) {
			batch[i]->done = 1;
			pthread_cond_signal(&batch[i]->cv);
		}
		pthread_mutex_unlock(&wq_mu);
	}
	return NULL;
}

int
db_writer_start(void)
{
	if (writer_on)
		return 0;
	writer_stopping = 0;
	if (pthread_create(&writer_tid, NULL, writer_main, NULL) != 0)
		return -1;
	writer_on = 1;
	return 0;
}

void
db_writer_stop(void)
{
	if (!writer_on)
		return;
	pthread_mutex_lock(&wq_mu);
	writer_stopping = 1;
	pthread_cond_broadcast(&wq_cv);
	pthread_mutex_unlock(&wq_mu);
	pthread_join(writer_tid, NULL);
	writer_on = 0;
}

int
db_write(db_job_fn fn, void *arg, struct zt_err *err)
{
	struct zt_err local;
	struct job j;

	if (err == NULL)
		err = &local;
	err_clear(err);
	memset(&j, 0, sizeof(j));
	j.fn = fn;
	j.arg = arg;
	j.err = err;
	if (!writer_on) {
		pthread_mutex_lock(&inline_mu);
		struct job *one = &j;
		run_batch_tx(&one, 1);
		pthread_mutex_unlock(&inline_mu);
		return j.rc;
	}
	pthread_cond_init(&j.cv, NULL);
	pthread_mutex_lock(&wq_mu);
	if (wq_tail)
		wq_tail->next = &j;
	else
		wq_head = &j;
	wq_tail = &j;
	pthread_cond_signal(&wq_cv);
	while (!j.done)
		pthread_cond_wait(&j.cv, &wq_mu);
	pthread_mutex_unlock(&wq_mu);
	pthread_cond_destroy(&j.cv);
	return j.rc;
}

/* ---- migrations ---- */

int
db_schema_version(void)
{
	struct zt_err err;

	return (int)db_query_int(wconn, "SELECT max(version) FROM schema_migrations", 0, &err);
}

int
db_migrate(int verbose, struct zt_err *err)
{
	int applied = 0;

	if (db_exec(wconn,
		    "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY,"
		    " name TEXT NOT NULL, applied_at INTEGER NOT NULL)",
		    err) < 0)
		return err->code;
	int cur = db_schema_version();
	for (const struct migration *m = db_migrations; m->name; m++) {
		if (m->version <= cur)
			continue;
		if (verbose)
			fprintf(stderr, "migrate: applying %s ...\n", m->name);
		if (db_exec(wconn, "BEGIN IMMEDIATE", err) < 0)
			return err->code;
		if (db_exec(wconn, m->sql, err) < 0) {
			struct zt_err e2;
			log_error("migration %s failed: %s", m->name, err->msg);
			db_exec(wconn, "ROLLBACK", &e2);
			return err->code;
		}
		db_stmt *s = db_prepare(wconn,
					"INSERT INTO schema_migrations (version, name, applied_at)"
					" VALUES (?1, ?2, ?3)",
					err);
		if (s == NULL) {
			struct zt_err e2;
			db_exec(wconn, "ROLLBACK", &e2);
			return err->code;
		}
		db_bind_int(s, 1, m->version);
		db_bind_text(s, 2, m->name);
		db_bind_int(s, 3, clock_now());
		int rc = db_step(s, err);
		db_reset(s);
		if (rc < 0 || db_exec(wconn, "COMMIT", err) < 0) {
			struct zt_err e2;
			db_exec(wconn, "ROLLBACK", &e2);
			return err->code;
		}
		applied++;
	}
	if (verbose)
		fprintf(stderr, "migrate: schema at version %d (%d applied)\n", db_schema_version(),
			applied);
	return applied;
}
