/* db.h - the one database interface of the program.
 *
 * SQL in the code is written once, portably, with numbered placeholders
 * ?1, ?2 ... (rewritten for PostgreSQL by that backend). Statements are
 * prepared once per connection and reused: db_prepare() returns a cached
 * statement, already reset, that the caller must not finalize.
 *
 * Writes: every state change runs as a function inside db_write(), which
 * hands it to the single writer thread. The writer batches concurrent jobs
 * into one transaction (each job in its own savepoint, so a failing job
 * changes nothing and does not disturb the others) and answers only after
 * the commit is durable (group commit). Reads use a pooled read connection
 * (db_read_acquire / db_read_release). */
#ifndef ZT_DB_H
#define ZT_DB_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

typedef struct db_conn db_conn;
typedef struct db_stmt db_stmt;

enum { DB_ROW = 1, DB_DONE = 0 };

enum db_kind { DB_SQLITE, DB_PG };

/* Opens the database: a SQLite file path (or "sqlite:PATH"), or
 * "postgres://..." / "postgresql://..." for PostgreSQL. Returns 0 or an
 * error. Must be called once before anything else. */
int db_open(const char *url, struct zt_err *err);
/* Which backend is open; SQL that differs between them branches on it. */
enum db_kind db_kind(void);
void db_close(void);
/* Starts the writer thread (server mode). Without it db_write() runs the job
 * inline in its own transaction (CLI mode). */
int db_writer_start(void);
void db_writer_stop(void);

/* Applies pending numbered migrations; prints progress to stderr when
 * verbose. Returns the number applied or a negative error. */
int db_migrate(int verbose, struct zt_err *err);
int db_schema_version(void);

typedef int (*db_job_fn)(db_conn *c, void *arg, struct zt_err *err);
/* Runs fn inside a durable write transaction; returns fn's status, or
 * ZT_ENOSPACE / ZT_EUNAVAIL if the commit failed (then nothing was kept). */
int db_write(db_job_fn fn, void *arg, struct zt_err *err);

/* A function run at the end of every write transaction, just before its
 * COMMIT, in a savepoint of its own: if it fails, its changes are undone,
 * the failure is logged and the transaction still commits. One hook per
 * program; the audit chain uses it to sign its head once per batch. */
typedef int (*db_precommit_fn)(db_conn *c, struct zt_err *err);
void db_set_precommit(db_precommit_fn fn);

/* Read connections (each thread takes one for the length of a request). */
db_conn *db_read_acquire(void);
void db_read_release(db_conn *c);

/* Statements. sql must stay valid for the life of the program (a literal),
 * or be passed with db_prepare_dyn, which copies it for the cache key. */
db_stmt *db_prepare(db_conn *c, const char *sql, struct zt_err *err);
db_stmt *db_prepare_dyn(db_conn *c, const char *sql, struct zt_err *err);
/* A statement of its own, not cached: for SQL built per request (whose
 * shapes are unbounded). The caller finalizes it with db_finalize(). */
db_stmt *db_prepare_once(db_conn *c, const char *sql, struct zt_err *err);
void db_finalize(db_stmt *s); /* NULL is ignored */
void db_bind_int(db_stmt *s, int idx, int64_t v);
void db_bind_double(db_stmt *s, int idx, double v);
void db_bind_text(db_stmt *s, int idx, const char *v); /* NULL binds NULL */
void db_bind_textn(db_stmt *s, int idx, const char *v, size_t n);
void db_bind_null(db_stmt *s, int idx);
/* Returns DB_ROW, DB_DONE or a negative error (filled in err). */
int db_step(db_stmt *s, struct zt_err *err);
int64_t db_col_int(db_stmt *s, int col);
double db_col_double(db_stmt *s, int col);
const char *db_col_text(db_stmt *s, int col); /* NULL for NULL */
int db_col_isnull(db_stmt *s, int col);
/* Resets s so it can be reused (db_prepare does this too). */
void db_reset(db_stmt *s);
/* Number of rows changed by the last statement on c. */
int64_t db_changes(db_conn *c);

/* Runs one or more statements without parameters. */
int db_exec(db_conn *c, const char *sql, struct zt_err *err);
/* Convenience: runs a prepared one-row query returning one integer, or dflt
 * when there is no row. */
int64_t db_query_int(db_conn *c, const char *sql, int64_t dflt, struct zt_err *err);

/* Steps an INSERT ... RETURNING id (already bound) and resets it: 0 with
 * *id set, or a negative error (ZT_EINTERNAL when no row came back). */
int db_step_id(db_stmt *s, int64_t *id, struct zt_err *err);

/* A dedicated connection for CLI tools (its own transactions). */
db_conn *db_cli_conn(void);

/* A connection of its own to url (as for db_open; either backend), apart
 * from the global database, its writer and read pool: for tools that work
 * on two databases at once (db copy). readonly opens a SQLite file read-only
 * (PostgreSQL: a hint only). Statements and transactions on it are the
 * caller's; db_write() never uses it. Returns NULL with err filled on
 * failure. db_disconnect() closes it (NULL is ignored). */
db_conn *db_connect(const char *url, int readonly, struct zt_err *err);
void db_disconnect(db_conn *c);
/* Which backend c speaks to. */
enum db_kind db_conn_kind(db_conn *c);
/* db_migrate() for a connection from db_connect(). */
int db_migrate_conn(db_conn *c, int verbose, struct zt_err *err);

#endif
