/* backend.h - what a database backend provides to db.c (internal to db/).
 *
 * db.c owns what is common: the statement cache, the group-commit writer,
 * the read pool and migrations. A backend owns a native connection handle
 * and native statements. SQL reaches a backend as written in the code, with
 * ?N placeholders; the backend rewrites them if it must. */
#ifndef ZT_DB_BACKEND_H
#define ZT_DB_BACKEND_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "db/db.h"

struct db_backend {
	enum db_kind kind;
	const char *name;
	/* SQL that opens the writer's transaction. */
	const char *begin_sql;
	/* One-time global setup before the first connection. */
	void (*global_init)(void);
	/* Opens a connection to url; readonly is a hint. NULL on failure. */
	void *(*open)(const char *url, int readonly, struct zt_err *err);
	void (*close)(void *conn);
	/* 0 when the connection is lost (it is then closed and replaced). */
	int (*alive)(void *conn);
	/* 1 while an explicit transaction is open on conn. SQLite ends the
	 * whole transaction by itself after some errors (a full disk, an I/O
	 * error, out of memory) in the middle of a statement. */
	int (*in_tx)(void *conn);
	int (*exec)(void *conn, const char *sql, struct zt_err *err);
	int64_t (*changes)(void *conn);
	/* Prepares sql on conn (id is unique per connection). */
	void *(*prepare)(void *conn, const char *sql, int id, struct zt_err *err);
	void (*finalize)(void *stmt);
	/* Ends any running step and clears bindings. */
	void (*reset)(void *stmt);
	void (*bind_int)(void *stmt, int idx, int64_t v);
	void (*bind_double)(void *stmt, int idx, double v);
	void (*bind_text)(void *stmt, int idx, const char *v, size_t n);
	void (*bind_null)(void *stmt, int idx);
	int (*step)(void *stmt, struct zt_err *err);
	int64_t (*col_int)(void *stmt, int col);
	double (*col_double)(void *stmt, int col);
	const char *(*col_text)(void *stmt, int col);
	int (*col_isnull)(void *stmt, int col);
};

extern const struct db_backend db_sqlite_backend;
extern const struct db_backend db_pg_backend;

#endif
