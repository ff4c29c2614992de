/* pg.c - the PostgreSQL backend through libpq: statements prepared once per
 * connection (PQprepare), parameters sent as text, results read as text.
 * ?N placeholders become $N; parameters a statement does not use are typed
 * text so that PostgreSQL need not infer them. */
#include "db/backend.h"
#include "base/buf.h"
#include "base/log.h"
#include "base/xmalloc.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#define PG_MAX_PARAMS 128

struct pg_conn {
	PGconn *c;
	int64_t changes;
};

struct pg_stmt {
	struct pg_conn *pc;
	char name[16];
	int nparams;
	char *vals[PG_MAX_PARAMS];
	PGresult *res;
	int row, nrows;
};

static int
map_result(PGconn *c, PGresult *res, struct zt_err *err)
{
	const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	const char *msg = res ? PQresultErrorMessage(res) : PQerrorMessage(c);
	char clean[200];

	snprintf(clean, sizeof(clean), "%s", msg ? msg : "");
	clean[strcspn(clean, "\n")] = '\0';
	if (PQstatus(c) != CONNECTION_OK)
		return err_set(err, ZT_EUNAVAIL, "", "db_connection",
			       "database connection lost: %s", clean);
	if (state == NULL)
		return err_set(err, ZT_EINTERNAL, "", "db_error", "database error: %s", clean);
	if (strncmp(state, "23", 2) == 0)
		return err_set(err, ZT_ECONFLICT, "", "constraint", "%s", clean);
	if (strcmp(state, "53100") == 0)
		return err_set(err, ZT_ENOSPACE, "", "storage_full", "storage is full");
	if (strncmp(state, "53", 2) == 0 || strncmp(state, "08", 2) == 0 ||
	    strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0 ||
	    strncmp(state, "57", 2) == 0)
		return err_set(err, ZT_EUNAVAIL, "", "busy", "database unavailable: %s", clean);
	return err_set(err, ZT_EINTERNAL, "", "db_error", "database error: %s", clean);
}

static void
quiet_notice(void *arg, const char *msg)
{
}

static void
pg_global_init(void)
{
}

static void *
pg_open(const char *url, int readonly, struct zt_err *err)
{
	PGconn *c = PQconnectdb(url);

	if (c == NULL || PQstatus(c) != CONNECTION_OK) {
		char msg[200];
		snprintf(msg, sizeof(msg), "%s", c ? PQerrorMessage(c) : "out of memory");
		msg[strcspn(msg, "\n")] = '\0';
		err_set(err, ZT_EUNAVAIL, "db", "connect", "cannot connect to PostgreSQL: %s", msg);
		PQfinish(c);
		return NULL;
	}
	PQsetNoticeProcessor(c, quiet_notice, NULL);
	struct pg_conn *pc = xcalloc(1, sizeof(*pc));
	pc->c = c;
	return pc;
}

static void
pg_close(void *conn)
{
	struct pg_conn *pc = conn;

	if (pc == NULL)
		return;
	PQfinish(pc->c);
	free(pc);
}

static int
pg_alive(void *conn)
{
	PGconn *c = ((struct pg_conn *)conn)->c;
	char b;

	if (PQstatus(c) != CONNECTION_OK)
		return 0;
	if (PQtransactionStatus(c) != PQTRANS_IDLE)
		return 1;
	/* Between statements nothing is due from the server. A connection it
	 * has closed (a restart, a fail-over, a killed backend) still says
	 * CONNECTION_OK until libpq reads from it, so look without waiting: end
	 * of file is a closed connection; bytes are a message sent before the
	 * close (its "terminating connection" error): let libpq read them,
	 * which marks the connection bad once it reaches the end. */
	ssize_t n = recv(PQsocket(c), &b, 1, MSG_PEEK | MSG_DONTWAIT);
	if (n == 0)
		return 0;
	if (n < 0)
		return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR;
	for (int i = 0; i < 3 && PQstatus(c) == CONNECTION_OK; i++)
		if (!PQconsumeInput(c))
			break;
	return PQstatus(c) == CONNECTION_OK;
}

static int
pg_in_tx(void *conn)
{
	PGTransactionStatusType t = PQtransactionStatus(((struct pg_conn *)conn)->c);
	return t == PQTRANS_INTRANS || t == PQTRANS_INERROR || t == PQTRANS_ACTIVE;
}

static int
pg_exec(void *conn, const char *sql, struct zt_err *err)
{
	struct pg_conn *pc = conn;
	PGresult *res = PQexec(pc->c, sql);
	ExecStatusType st = PQresultStatus(res);
	int rc = 0;

	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
		rc = map_result(pc->c, res, err);
	PQclear(res);
	return rc;
}

static int64_t
pg_changes(void *conn)
{
	return ((struct pg_conn *)conn)->changes;
}

/* Rewrites ?N as $N outside string literals; records which N are used. */
static char *
rewrite(const char *sql, int used[PG_MAX_PARAMS + 1], int *maxn)
{
	struct buf b;
	int in_str = 0;

	buf_init(&b);
	*maxn = 0;
	for (const char *p = sql; *p; p++) {
		if (*p == '\'')
			in_str = !in_str;
		if (!in_str && *p == '?' && p[1] >= '0' && p[1] <= '9') {
			int n = 0;
			p++;
			while (*p >= '0' && *p <= '9')
				n = n * 10 + (*p++ - '0');
			p--;
			if (n > 0 && n <= PG_MAX_PARAMS) {
				used[n] = 1;
				if (n > *maxn)
					*maxn = n;
			}
			buf_printf(&b, "$%d", n);
			continue;
		}
		buf_append(&b, p, 1);
	}
	return buf_take(&b, NULL);
}

static void *
pg_prepare(void *conn, const char *sql, int id, struct zt_err *err)
{
	struct pg_conn *pc = conn;
	int used[PG_MAX_PARAMS + 1] = {0}, maxn;
	Oid types[PG_MAX_PARAMS];
	char *text = rewrite(sql, used, &maxn);
	struct pg_stmt *s = xcalloc(1, sizeof(*s));

	for (int i = 1; i <= maxn; i++)
		types[i - 1] = used[i] ? 0 : 25; /* 25 = text */
	snprintf(s->name, sizeof(s->name), "zt%d", id);
	PGresult *res = PQprepare(pc->c, s->name, text, maxn, types);
	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		map_result(pc->c, res, err);
		log_error("prepare failed: %s: %s", err->msg, sql);
		PQclear(res);
		free(text);
		free(s);
		return NULL;
	}
	PQclear(res);
	free(text);
	s->pc = pc;
	s->nparams = maxn;
	return s;
}

static void
clear_vals(struct pg_stmt *s)
{
	for (int i = 0; i < PG_MAX_PARAMS; i++) {
		free(s->vals[i]);
		s->vals[i] = NULL;
	}
}

static void
pg_reset(void *stmt)
{
	struct pg_stmt *s = stmt;

	PQclear(s->res);
	s->res = NULL;
	s->row = s->nrows = 0;
	clear_vals(s);
}

static void
pg_finalize(void *stmt)
{
	struct pg_stmt *s = stmt;
	char sql[48];

	pg_reset(s);
	/* The statement dies with its connection; deallocate it when the
	 * connection lives on. */
	if (PQstatus(s->pc->c) == CONNECTION_OK) {
		snprintf(sql, sizeof(sql), "DEALLOCATE %s", s->name);
		PQclear(PQexec(s->pc->c, sql));
	}
	free(s);
}

static void
set_val(struct pg_stmt *s, int idx, char *v)
{
	if (idx < 1 || idx > s->nparams) {
		free(v);
		return;
	}
	free(s->vals[idx - 1]);
	s->vals[idx - 1] = v;
}

static void
pg_bind_int(void *stmt, int idx, int64_t v)
{
	set_val(stmt, idx, xasprintf("%lld", (long long)v));
}

static void
pg_bind_double(void *stmt, int idx, double v)
{
	set_val(stmt, idx, xasprintf("%.17g", v));
}

static void
pg_bind_text(void *stmt, int idx, const char *v, size_t n)
{
	set_val(stmt, idx, xstrndup(v, n));
}

static void
pg_bind_null(void *stmt, int idx)
{
	set_val(stmt, idx, NULL);
}

static int
pg_step(void *stmt, struct zt_err *err)
{
	struct pg_stmt *s = stmt;

	if (s->res == NULL) {
		s->res = PQexecPrepared(s->pc->c, s->name, s->nparams, (const char *const *)s->vals,
					NULL, NULL, 0);
		ExecStatusType st = PQresultStatus(s->res);
		if (st == PGRES_TUPLES_OK)
			s->nrows = PQntuples(s->res);
		else if (st == PGRES_COMMAND_OK)
			s->nrows = 0;
		else {
			int code = map_result(s->pc->c, s->res, err);
			PQclear(s->res);
			s->res = NULL;
			return code;
		}
		const char *ct = PQcmdTuples(s->res);
		s->pc->changes = ct && *ct ? strtoll(ct, NULL, 10) : 0;
		s->row = -1;
	}
	if (s->row + 1 < s->nrows) {
		s->row++;
		return DB_ROW;
	}
	return DB_DONE;
}

static int64_t
pg_col_int(void *stmt, int col)
{
	struct pg_stmt *s = stmt;
	const char *v = PQgetvalue(s->res, s->row, col);

	if (v[0] == 't' && v[1] == '\0')
		return 1; /* boolean */
	return strtoll(v, NULL, 10);
}

static double
pg_col_double(void *stmt, int col)
{
	struct pg_stmt *s = stmt;

	return strtod(PQgetvalue(s->res, s->row, col), NULL);
}

static const char *
pg_col_text(void *stmt, int col)
{
	struct pg_stmt *s = stmt;

	if (PQgetisnull(s->res, s->row, col))
		return NULL;
	return PQgetvalue(s->res, s->row, col);
}

static int
pg_col_isnull(void *stmt, int col)
{
	struct pg_stmt *s = stmt;

	return PQgetisnull(s->res, s->row, col);
}

const struct db_backend db_pg_backend = {
    .kind = DB_PG,
    .name = "postgres",
    .begin_sql = "BEGIN",
    .global_init = pg_global_init,
    .open = pg_open,
    .close = pg_close,
    .alive = pg_alive,
    .in_tx = pg_in_tx,
    .exec = pg_exec,
    .changes = pg_changes,
    .prepare = pg_prepare,
    .finalize = pg_finalize,
    .reset = pg_reset,
    .bind_int = pg_bind_int,
    .bind_double = pg_bind_double,
    .bind_text = pg_bind_text,
    .bind_null = pg_bind_null,
    .step = pg_step,
    .col_int = pg_col_int,
    .col_double = pg_col_double,
    .col_text = pg_col_text,
    .col_isnull = pg_col_isnull,
};
