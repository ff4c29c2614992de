/* sqlite.c - the SQLite backend: WAL, synchronous=FULL (every commit is
 * fsync'd), foreign keys on; connections without their own mutex (a
 * connection is used by one thread at a time). */
#include "db/backend.h"
#include "base/log.h"

#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

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

static void
sq_global_init(void)
{
	/* No global memory-statistics mutex on every allocation. */
	sqlite3_config(SQLITE_CONFIG_MULTITHREAD);
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

static int
sq_exec(void *conn, const char *sql, struct zt_err *err)
{
	char *msg = NULL;
	int rc = sqlite3_exec(conn, sql, NULL, NULL, &msg);

	if (rc != SQLITE_OK) {
		int code = map_rc(conn, rc, err);
		sqlite3_free(msg);
		return code;
	}
	return 0;
}

static void *
sq_open(const char *url, int readonly, struct zt_err *err)
{
	sqlite3 *h = NULL;
	int flags = readonly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;

	if (strncmp(url, "sqlite:", 7) == 0)
		url += 7;
	int rc = sqlite3_open_v2(url, &h, flags | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		map_rc(h, rc, err);
		sqlite3_close(h);
		return NULL;
	}
	sqlite3_busy_timeout(h, 10000);
	sqlite3_extended_result_codes(h, 1);
	/* No mmap (PRAGMA mmap_size): under steady writes SQLite remaps the
	 * file in nearly every read transaction, and munmap costs every thread
	 * a TLB shootdown; measured slower than pread on the exchange bench. */
	const char *pragmas = readonly ? "PRAGMA foreign_keys=ON; PRAGMA query_only=ON;"
				       : "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
					 " PRAGMA foreign_keys=ON;";
	if (sq_exec(h, pragmas, err) < 0) {
		sqlite3_close(h);
		return NULL;
	}
	return h;
}

static void
sq_close(void *conn)
{
	sqlite3_close(conn);
}

static int
sq_alive(void *conn)
{
	return 1;
}

static int
sq_in_tx(void *conn)
{
	return !sqlite3_get_autocommit(conn);
}

static int64_t
sq_changes(void *conn)
{
	return sqlite3_changes64(conn);
}

static void *
sq_prepare(void *conn, const char *sql, int id, struct zt_err *err)
{
	sqlite3_stmt *s = NULL;
	int rc = sqlite3_prepare_v3(conn, sql, -1, SQLITE_PREPARE_PERSISTENT, &s, NULL);

	if (rc != SQLITE_OK) {
		map_rc(conn, rc, err);
		log_error("prepare failed: %s: %s", sqlite3_errmsg(conn), sql);
		return NULL;
	}
	return s;
}

static void
sq_finalize(void *stmt)
{
	sqlite3_finalize(stmt);
}

static void
sq_reset(void *stmt)
{
	sqlite3_reset(stmt);
	sqlite3_clear_bindings(stmt);
}

static void
sq_bind_int(void *stmt, int idx, int64_t v)
{
	sqlite3_bind_int64(stmt, idx, v);
}

static void
sq_bind_double(void *stmt, int idx, double v)
{
	sqlite3_bind_double(stmt, idx, v);
}

static void
sq_bind_text(void *stmt, int idx, const char *v, size_t n)
{
	sqlite3_bind_text64(stmt, idx, v, n, SQLITE_TRANSIENT, SQLITE_UTF8);
}

static void
sq_bind_null(void *stmt, int idx)
{
	sqlite3_bind_null(stmt, idx);
}

static int
sq_step(void *stmt, struct zt_err *err)
{
	int rc = sqlite3_step(stmt);

	if (rc == SQLITE_ROW)
		return DB_ROW;
	if (rc == SQLITE_DONE)
		return DB_DONE;
	int code = map_rc(sqlite3_db_handle(stmt), rc, err);
	sqlite3_reset(stmt);
	return code;
}

static int64_t
sq_col_int(void *stmt, int col)
{
	return sqlite3_column_int64(stmt, col);
}

static double
sq_col_double(void *stmt, int col)
{
	return sqlite3_column_double(stmt, col);
}

static const char *
sq_col_text(void *stmt, int col)
{
	return (const char *)sqlite3_column_text(stmt, col);
}

static int
sq_col_isnull(void *stmt, int col)
{
	return sqlite3_column_type(stmt, col) == SQLITE_NULL;
}

const struct db_backend db_sqlite_backend = {
    .kind = DB_SQLITE,
    .name = "sqlite",
    .begin_sql = "BEGIN IMMEDIATE",
    .global_init = sq_global_init,
    .open = sq_open,
    .close = sq_close,
    .alive = sq_alive,
    .in_tx = sq_in_tx,
    .exec = sq_exec,
    .changes = sq_changes,
    .prepare = sq_prepare,
    .finalize = sq_finalize,
    .reset = sq_reset,
    .bind_int = sq_bind_int,
    .bind_double = sq_bind_double,
    .bind_text = sq_bind_text,
    .bind_null = sq_bind_null,
    .step = sq_step,
    .col_int = sq_col_int,
    .col_double = sq_col_double,
    .col_text = sq_col_text,
    .col_isnull = sq_col_isnull,
};
