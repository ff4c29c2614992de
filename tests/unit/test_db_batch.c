/* test_db_batch.c - the group-commit writer when the database ends a
 * batch's transaction by itself (SQLite does after a full disk, an I/O error
 * or out of memory in the middle of a statement).
 *
 * Test plan: the writer is held busy by one job while three more queue up,
 * so that they run as one batch: A inserts a row, B ends the transaction
 * (a ROLLBACK, as SQLite's own) and fails, C inserts a row. All three must
 * be answered as failed, and neither A's row (rolled back with the
 * transaction) nor C's (it must not run outside a transaction) may be in the
 * table; the holding job's own batch is committed. Then a normal write
 * works again. Before the fix C was committed in autocommit mode while its
 * caller was told it had failed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <unistd.h>

#include <cmocka.h>

#include "db/db.h"

static int
job_insert(db_conn *c, void *arg, struct zt_err *err)
{
	char sql[64];

	snprintf(sql, sizeof(sql), "INSERT INTO t (x) VALUES (%d)", *(int *)arg);
	return db_exec(c, sql, err) < 0 ? err->code : 0;
}

static int
job_hold(db_conn *c, void *arg, struct zt_err *err)
{
	usleep(300 * 1000); /* the others queue meanwhile */
	return job_insert(c, arg, err);
}

static int
job_lost(db_conn *c, void *arg, struct zt_err *err)
{
	(void)arg;
	struct zt_err e;
	db_exec(c, "ROLLBACK", &e); /* what SQLite does on SQLITE_FULL mid-statement */
	return err_set(err, ZT_ENOSPACE, "", "storage_full", "disk full");
}

struct call {
	db_job_fn fn;
	int arg, rc;
	pthread_t t;
};

static void *
run(void *p)
{
	struct call *c = p;
	struct zt_err err;

	err_clear(&err);
	c->rc = db_write(c->fn, &c->arg, &err);
	return NULL;
}

static int64_t
count(const char *where)
{
	struct zt_err err;
	char sql[128];

	snprintf(sql, sizeof(sql), "SELECT count(*) FROM t WHERE %s", where);
	db_conn *c = db_read_acquire();
	db_stmt *s = db_prepare_once(c, sql, &err);
	int64_t n = db_step(s, &err) == DB_ROW ? db_col_int(s, 0) : -1;
	db_finalize(s);
	db_read_release(c);
	return n;
}

static void
test_lost_batch(void **state)
{
	char dir[] = "/tmp/zt_dbbatch_XXXXXX", path[64];
	struct zt_err err;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/t.db", dir);
	err_clear(&err);
	assert_int_equal(db_open(path, &err), 0);
	assert_int_equal(db_exec(db_cli_conn(), "CREATE TABLE t (x INTEGER)", &err), 0);
	assert_int_equal(db_writer_start(), 0);

	struct call hold = {.fn = job_hold, .arg = 0}, a = {.fn = job_insert, .arg = 1},
		    b = {.fn = job_lost, .arg = 2}, c = {.fn = job_insert, .arg = 3};
	pthread_create(&hold.t, NULL, run, &hold);
	usleep(50 * 1000);
	pthread_create(&a.t, NULL, run, &a);
	usleep(20 * 1000);
	pthread_create(&b.t, NULL, run, &b);
	usleep(20 * 1000);
	pthread_create(&c.t, NULL, run, &c);
	pthread_join(hold.t, NULL);
	pthread_join(a.t, NULL);
	pthread_join(b.t, NULL);
	pthread_join(c.t, NULL);

	assert_int_equal(hold.rc, 0);
	assert_int_equal(count("x = 0"), 1);
	assert_int_equal(b.rc, ZT_ENOSPACE);
	/* A and C were in B's batch: failed, and nothing of them stored. */
	assert_int_equal(a.rc, ZT_ENOSPACE);
	assert_int_equal(c.rc, ZT_ENOSPACE);
	assert_int_equal(count("x IN (1, 3)"), 0);

	/* The writer goes on. */
	struct call d = {.fn = job_insert, .arg = 4};
	run(&d);
	assert_int_equal(d.rc, 0);
	assert_int_equal(count("x = 4"), 1);

	db_close();
	unlink(path);
	char wal[80];
	snprintf(wal, sizeof(wal), "%s-wal", path);
	unlink(wal);
	snprintf(wal, sizeof(wal), "%s-shm", path);
	unlink(wal);
	rmdir(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_lost_batch),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
