/* db.c - what both backends share: connections with their statement
 * cache, the group-commit writer thread, the read pool and migrations.
 * The backends (sqlite.c, pg.c) speak to their native libraries.
 *
 * One write connection belongs to the writer thread (or, without it, to the
 * CLI). Read connections are pooled. A commit is durable before db_write()
 * returns: SQLite runs with synchronous=FULL, PostgreSQL with its default
 * synchronous_commit=on. */
#include "db/db.h"
#include "db/backend.h"
#include "db/migrations.h"
#include "base/clock.h"
#include "base/log.h"
#include "base/xmalloc.h"

#include <pthread.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

struct cached {
	const char *key; /* literal address, or owned copy when dyn */
	int dyn;
	struct db_stmt *st;
};

struct db_conn {
	const struct db_backend *be; /* the backend this connection speaks to */
	void *h;		     /* the backend's connection */
	struct cached *cache;
	size_t ncache, capcache;
	int nonce; /* names db_prepare_once statements apart */
	struct db_conn *next_idle;
};

struct db_stmt {
	const struct db_backend *be;
	void *h; /* the backend's statement */
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

static char db_url[600];
static const struct db_backend *be = &db_sqlite_backend;
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

static const struct db_backend *
backend_for(const char *url)
{
	if (strncmp(url, "postgres://", 11) == 0 || strncmp(url, "postgresql://", 13) == 0)
		return &db_pg_backend;
	return &db_sqlite_backend;
}

static db_conn *
conn_open_url(const struct db_backend *b, const char *url, int readonly, struct zt_err *err)
{
	void *h = b->open(url, readonly, err);

	if (h == NULL)
		return NULL;
	db_conn *c = xcalloc(1, sizeof(*c));
	c->be = b;
	c->h = h;
	return c;
}

static db_conn *
conn_open(int readonly, struct zt_err *err)
{
	return conn_open_url(be, db_url, readonly, err);
}

static void
conn_close(db_conn *c)
{
	if (c == NULL)
		return;
	for (size_t i = 0; i < c->ncache; i++) {
		c->be->finalize(c->cache[i].st->h);
		free(c->cache[i].st);
		if (c->cache[i].dyn)
			free((char *)c->cache[i].key);
	}
	free(c->cache);
	c->be->close(c->h);
	free(c);
}

int
db_open(const char *url, struct zt_err *err)
{
	be = backend_for(url);
	snprintf(db_url, sizeof(db_url), "%s", url);
	be->global_init();
	wconn = conn_open(0, err);
	return wconn ? 0 : err->code;
}

enum db_kind
db_kind(void)
{
	return be->kind;
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

db_conn *
db_connect(const char *url, int readonly, struct zt_err *err)
{
	const struct db_backend *b = backend_for(url);

	b->global_init();
	return conn_open_url(b, url, readonly, err);
}

void
db_disconnect(db_conn *c)
{
	conn_close(c);
}

enum db_kind
db_conn_kind(db_conn *c)
{
	return c ? c->be->kind : be->kind;
}

/* ---- statements ---- */

/* No connection: the database could not be reached when the request
 * asked for one (db_read_acquire gave NULL). Every statement then fails
 * as unavailable (503), not as a crash. */
static int
no_conn(struct zt_err *err)
{
	return err_set(err, ZT_EUNAVAIL, "", "db_unavailable", "the database cannot be reached");
}

static db_stmt *
prepare(db_conn *c, const char *sql, int dyn, struct zt_err *err)
{
	if (c == NULL) {
		no_conn(err);
		return NULL;
	}
	for (size_t i = 0; i < c->ncache; i++) {
		struct cached *e = &c->cache[i];
		if (e->key == sql || (dyn && e->dyn && strcmp(e->key, sql) == 0)) {
			c->be->reset(e->st->h);
			return e->st;
		}
	}
	void *h = c->be->prepare(c->h, sql, (int)c->ncache, err);
	if (h == NULL)
		return NULL;
	if (c->ncache == c->capcache) {
		c->capcache = c->capcache ? c->capcache * 2 : 32;
		c->cache = xreallocarray(c->cache, c->capcache, sizeof(*c->cache));
	}
	db_stmt *st = xmalloc(sizeof(*st));
	st->be = c->be;
	st->h = h;
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

db_stmt *
db_prepare_once(db_conn *c, const char *sql, struct zt_err *err)
{
	if (c == NULL) {
		no_conn(err);
		return NULL;
	}
	/* Ids past any cache index, so a backend naming statements by id
	 * (PostgreSQL) never collides with a cached one. */
	int id = 1000000 + (c->nonce++ % 1000000);
	void *h = c->be->prepare(c->h, sql, id, err);

	if (h == NULL)
		return NULL;
	db_stmt *st = xmalloc(sizeof(*st));
	st->be = c->be;
	st->h = h;
	st->c = c;
	return st;
}

void
db_finalize(db_stmt *s)
{
	if (s == NULL)
		return;
	s->be->finalize(s->h);
	free(s);
}

void
db_bind_int(db_stmt *s, int idx, int64_t v)
{
	s->be->bind_int(s->h, idx, v);
}

void
db_bind_double(db_stmt *s, int idx, double v)
{
	s->be->bind_double(s->h, idx, v);
}

void
db_bind_text(db_stmt *s, int idx, const char *v)
{
	if (v == NULL)
		s->be->bind_null(s->h, idx);
	else
		s->be->bind_text(s->h, idx, v, strlen(v));
}

void
db_bind_textn(db_stmt *s, int idx, const char *v, size_t n)
{
	s->be->bind_text(s->h, idx, v, n);
}

void
db_bind_null(db_stmt *s, int idx)
{
	s->be->bind_null(s->h, idx);
}

int
db_step(db_stmt *s, struct zt_err *err)
{
	return s->be->step(s->h, err);
}

int64_t
db_col_int(db_stmt *s, int col)
{
	return s->be->col_int(s->h, col);
}

double
db_col_double(db_stmt *s, int col)
{
	return s->be->col_double(s->h, col);
}

const char *
db_col_text(db_stmt *s, int col)
{
	return s->be->col_text(s->h, col);
}

int
db_col_isnull(db_stmt *s, int col)
{
	return s->be->col_isnull(s->h, col);
}

void
db_reset(db_stmt *s)
{
	s->be->reset(s->h);
}

int64_t
db_changes(db_conn *c)
{
	return c ? c->be->changes(c->h) : 0;
}

int
db_exec(db_conn *c, const char *sql, struct zt_err *err)
{
	if (c == NULL)
		return no_conn(err);
	return c->be->exec(c->h, sql, err);
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

int
db_step_id(db_stmt *s, int64_t *id, struct zt_err *err)
{
	int rc = db_step(s, err);

	if (rc == DB_ROW)
		*id = db_col_int(s, 0);
	db_reset(s);
	if (rc != DB_ROW)
		return rc < 0 ? rc : err_set(err, ZT_EINTERNAL, "", "db", "insert returned no id");
	return 0;
}

/* ---- read pool ---- */

/* Takes c (not idle) out of the pool's list of connections. */
static void
pool_forget(db_conn *c)
{
	pthread_mutex_lock(&pool_mu);
	for (size_t i = 0; i < pool_n; i++)
		if (pool_all[i] == c) {
			pool_all[i] = pool_all[--pool_n];
			break;
		}
	pthread_mutex_unlock(&pool_mu);
}

db_conn *
db_read_acquire(void)
{
	struct zt_err err;
	db_conn *c;

	for (;;) {
		pthread_mutex_lock(&pool_mu);
		c = pool_idle;
		if (c)
			pool_idle = c->next_idle;
		pthread_mutex_unlock(&pool_mu);
		if (c == NULL || be->alive(c->h))
			break;
		/* Lost during its last request, or closed by the server while
		 * idle (a PostgreSQL restart): drop it rather than fail the
		 * request on it. */
		pool_forget(c);
		log_warn("database connection lost; opening another");
		conn_close(c);
	}
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
	/* End any read transaction a half-stepped statement holds open. A
	 * connection lost during the request goes back too: db_read_acquire
	 * checks each one before handing it out, and drops a dead one. */
	reset_all(c);
	pthread_mutex_lock(&pool_mu);
	c->next_idle = pool_idle;
	pool_idle = c;
	pthread_mutex_unlock(&pool_mu);
}

/* ---- writes ---- */

/* A job may leave a SELECT half-stepped; reset every cached statement so no
 * statement is active across savepoint release, rollback or commit. */
static db_precommit_fn precommit;

void
db_set_precommit(db_precommit_fn fn)
{
	precommit = fn;
}

static void
reset_all(db_conn *c)
{
	for (size_t i = 0; i < c->ncache; i++)
		c->be->reset(c->cache[i].st->h);
}

/* A transaction-control statement on the write connection. SQLite keeps
 * them prepared (cached by the literal's address, like every statement);
 * PostgreSQL cannot prepare them, so they go as plain text there. */
static int
wexec(const char *sql, struct zt_err *err)
{
	if (wconn->be != &db_sqlite_backend)
		return db_exec(wconn, sql, err);
	db_stmt *s = db_prepare(wconn, sql, err);
	if (s == NULL)
		return err->code;
	int rc = db_step(s, err);
	db_reset(s);
	return rc < 0 ? rc : 0;
}

/* The database ended the batch's transaction by itself while job `failed`
 * ran (SQLite does after a full disk, an I/O error or out of memory in the
 * middle of a statement): the jobs before it are gone with it and the jobs
 * after it must not run outside a transaction. Every job that had not
 * failed gets the failed job's error; nothing is committed. */
static int
batch_lost(struct job **jobs, int n, const struct job *failed)
{
	log_error("the transaction was rolled back by the database: %s", failed->err->msg);
	for (int i = 0; i < n; i++)
		if (jobs[i] != failed && jobs[i]->rc >= 0) {
			*jobs[i]->err = *failed->err;
			jobs[i]->rc = failed->rc;
		}
	return failed->rc;
}

static int
run_batch_tx(struct job **jobs, int n)
{
	struct zt_err err;
	int rc;

	err_clear(&err);
	if (!be->alive(wconn->h)) {
		/* The server went away (restart, fail-over): reconnect. */
		db_conn *fresh = conn_open(0, &err);
		if (fresh == NULL) {
			for (int i = 0; i < n; i++) {
				*jobs[i]->err = err;
				jobs[i]->rc = err.code;
			}
			return err.code;
		}
		log_warn("writer reconnected to the database");
		conn_close(wconn);
		wconn = fresh;
	}
	if (wexec(be->begin_sql, &err) < 0) {
		for (int i = 0; i < n; i++) {
			*jobs[i]->err = err;
			jobs[i]->rc = err.code;
		}
		return err.code;
	}
	for (int i = 0; i < n; i++) {
		struct job *j = jobs[i];
		struct zt_err serr;
		if (wexec("SAVEPOINT job", &serr) < 0) {
			*j->err = serr;
			j->rc = serr.code;
			continue;
		}
		j->rc = j->fn(wconn, j->arg, j->err);
		reset_all(wconn);
		if (j->rc < 0 && !be->in_tx(wconn->h))
			return batch_lost(jobs, n, j);
		if (j->rc < 0) {
			wexec("ROLLBACK TO job", &serr);
		}
		wexec("RELEASE job", &serr);
	}
	if (precommit) {
		struct zt_err herr;
		err_clear(&herr);
		if (wexec("SAVEPOINT hook", &herr) == 0) {
			int hrc = precommit(wconn, &herr);
			reset_all(wconn);
			if (hrc < 0 && !be->in_tx(wconn->h)) {
				struct job hook = {.err = &herr, .rc = hrc};
				return batch_lost(jobs, n, &hook);
			}
			if (hrc < 0) {
				struct zt_err rerr;
				log_error("pre-commit hook failed: %s", herr.msg);
				wexec("ROLLBACK TO hook", &rerr);
			}
			wexec("RELEASE hook", &herr);
		}
	}
	rc = wexec("COMMIT", &err);
	if (rc < 0) {
		struct zt_err rerr;
		log_error("commit failed: %s", err.msg);
		wexec("ROLLBACK", &rerr);
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

static int
schema_version(db_conn *c)
{
	struct zt_err err;

	return (int)db_query_int(c, "SELECT max(version) FROM schema_migrations", 0, &err);
}

int
db_schema_version(void)
{
	return schema_version(wconn);
}

static int migrate_locked(db_conn *c, int verbose, struct zt_err *err);

/* Applies pending migrations. An up-to-date database is not touched at all
 * (so commands also run against a read-only standby); on PostgreSQL an
 * advisory lock keeps processes starting together from migrating twice. */
static int
migrate(db_conn *c, int verbose, struct zt_err *err)
{
	const struct migration *list =
	    c->be->kind == DB_PG ? db_migrations_pg : db_migrations_sqlite;
	int latest = 0, rc;

	for (const struct migration *m = list; m->name; m++)
		latest = m->version;
	int exists = (int)db_query_int(
	    c,
	    c->be->kind == DB_PG
		? "SELECT count(*) FROM information_schema.tables"
		  " WHERE table_name = 'schema_migrations' AND table_schema = current_schema()"
		: "SELECT count(*) FROM sqlite_master WHERE type = 'table'"
		  " AND name = 'schema_migrations'",
	    0, err);
	if (exists && schema_version(c) >= latest) {
		if (verbose)
			fprintf(stderr, "migrate: schema at version %d (0 applied)\n", latest);
		return 0;
	}
	if (c->be->kind == DB_PG && db_exec(c, "SELECT pg_advisory_lock(7262000)", err) < 0)
		return err->code;
	rc = migrate_locked(c, verbose, err);
	if (c->be->kind == DB_PG) {
		struct zt_err e2;
		db_exec(c, "SELECT pg_advisory_unlock(7262000)", &e2);
	}
	return rc;
}

static int
migrate_locked(db_conn *c, int verbose, struct zt_err *err)
{
	int applied = 0;

	if (db_exec(c,
		    "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY,"
		    " name TEXT NOT NULL, applied_at BIGINT NOT NULL)",
		    err) < 0)
		return err->code;
	int cur = schema_version(c);
	const struct migration *list =
	    c->be->kind == DB_PG ? db_migrations_pg : db_migrations_sqlite;
	for (const struct migration *m = list; m->name; m++) {
		if (m->version <= cur)
			continue;
		if (verbose)
			fprintf(stderr, "migrate: applying %s ...\n", m->name);
		if (db_exec(c, c->be->begin_sql, err) < 0)
			return err->code;
		if (db_exec(c, m->sql, err) < 0) {
			struct zt_err e2;
			log_error("migration %s failed: %s", m->name, err->msg);
			db_exec(c, "ROLLBACK", &e2);
			return err->code;
		}
		db_stmt *s = db_prepare(c,
					"INSERT INTO schema_migrations (version, name, applied_at)"
					" VALUES (?1, ?2, ?3)",
					err);
		if (s == NULL) {
			struct zt_err e2;
			db_exec(c, "ROLLBACK", &e2);
			return err->code;
		}
		db_bind_int(s, 1, m->version);
		db_bind_text(s, 2, m->name);
		db_bind_int(s, 3, clock_now());
		int rc = db_step(s, err);
		db_reset(s);
		if (rc < 0 || db_exec(c, "COMMIT", err) < 0) {
			struct zt_err e2;
			db_exec(c, "ROLLBACK", &e2);
			return err->code;
		}
		applied++;
	}
	if (verbose)
		fprintf(stderr, "migrate: schema at version %d (%d applied)\n", schema_version(c),
			applied);
	return applied;
}

int
db_migrate(int verbose, struct zt_err *err)
{
	return migrate(wconn, verbose, err);
}

int
db_migrate_conn(db_conn *c, int verbose, struct zt_err *err)
{
	return migrate(c, verbose, err);
}
