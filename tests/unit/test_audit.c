/* test_audit.c - unit tests for domain/audit: the SM3 hash chain, end to end
 * on a real SQLite database through the db layer (inline writer, as the CLI
 * runs it).
 *
 * Test plan:
 * - Set-up like the CLI: config_load(NULL), data_dir and db pointed at a
 *   fresh mkdtemp directory, sm3_init_lib, db_open, db_migrate. Every test
 *   gets its own new database (per-test setup / teardown), so one tamper
 *   never leaks into the next case. The clock is pinned (clock_set) and
 *   moves one second per record.
 * - An empty chain verifies (0, 0 records checked). Five records appended by
 *   five db_write jobs verify (0, 5 checked); seq runs 1..5, every record's
 *   prev_hash is the previous record's hash (zeros for record 1), and
 *   audit_head holds (5, hash of record 5).
 * - Independent hashes: record 1 equals SM3(32 zero bytes || canonical JSON)
 *   where the canonical JSON is written out by hand here (sorted keys, no
 *   spaces, raw UTF-8, nested array) from data built in unsorted key order;
 *   record 2 equals SM3(raw hash of record 1 || its JSON); a record with no
 *   actor (actor 0, stored NULL) and NULL data ({}) hashes with "actor":0 and
 *   "data":{}. The stored data column is the canonical (sorted) JSON.
 * - Tampering with raw SQL (db_exec on db_cli_conn), each on a fresh chain
 *   of 5 and with the exact returned sequence number and err->reason:
 *   data of record 3 -> 3 (hash); at of record 2 -> 2 (hash); actor_id,
 *   action, object_type and object_id of record 4 -> 4 (hash); the stored
 *   hash of record 3 -> 3 (hash); prev_hash of record 3 -> 3 (link);
 *   data of record 3 changed AND its hash recomputed honestly -> 4 (link);
 *   record 2 deleted -> 2 (gap); the last record deleted -> 5 (tail: the
 *   head still says 5); a forged record 6 with a garbage hash -> 6 (hash);
 *   a forged record 6 correctly hashed and linked but the head not updated
 *   -> 6 (tail: the first record the head does not vouch for); the head's
 *   hash changed -> detected (5); the head row deleted -> detected.
 * - Transactions: a job that appends and then fails (ZT_ERULE) returns that
 *   error and leaves no record (count and head unchanged, chain intact); a
 *   job appending twice then failing leaves neither; the next successful
 *   append continues at the next seq and links to the last kept record. Two
 *   appends inside one job get consecutive seqs and link. Two jobs in a row
 *   keep the chain linked.
 * - Seals (node key loaded from the temporary data directory, signing
 *   enabled): every write transaction that appended records seals the head
 *   once (three jobs -> seals at 1, 2, 3; a job appending twice -> one seal
 *   at its last record). Within a second of this process's last SM2
 *   signature the seal is an HMAC-SM3: here seal 1 is 'sm2', the quick ones
 *   after it 'hmac-sm3'; audit_seal_flush() turns the newest HMAC seal into
 *   a signature (same row); flushing again changes nothing. Every SM2 seal
 *   verifies with the registered key and not for another seq; every HMAC
 *   seal checks with nodekey_mac_verify and not for another seq;
 *   audit_last_signed() names the last SM2 seal; the chain verifies. A job
 *   that appends nothing seals nothing. Attacks by someone who can write the
 *   database but lacks the key: records 2..3 deleted and re-appended
 *   honestly without sealing (hash chain intact) -> 2 (signature: no longer
 *   the sealed head); a record appended without sealing after sealed ones
 *   -> that record (unsigned); the last SM2 signature replaced by an earlier
 *   one -> the record after the previous signature (signature); the newest
 *   HMAC seal replaced by another record's MAC -> the record after the last
 *   signature (signature). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "base/clock.h"
#include "base/config.h"
#include "base/err.h"
#include "crypto/nodekey.h"
#include "crypto/sm3.h"
#include "db/db.h"
#include "domain/audit.h"

#define T0 1772416800 /* 2026-03-02T10:00:00+08:00 */

static char tmpdir[256];
static int64_t tick;

/* ---- fixture ---- */

/* ZT_TEST_PG=postgres://user@host:port runs every test on PostgreSQL, each
 * in a fresh database of its own. */
static const char *pg_base;
static char pg_name[64];

static int
pg_admin(const char *sql, struct zt_err *err)
{
	char url[300];
	int rc;

	snprintf(url, sizeof(url), "%s/postgres", pg_base);
	if ((rc = db_open(url, err)) == 0)
		rc = db_exec(db_cli_conn(), sql, err);
	db_close();
	return rc;
}

static int
pg_fresh_db(struct zt_err *err)
{
	static int n;
	char sql[128];

	snprintf(pg_name, sizeof(pg_name), "zt_unit_audit_%d_%d", (int)getpid(), n++);
	snprintf(sql, sizeof(sql), "CREATE DATABASE %s", pg_name);
	if (pg_admin(sql, err) < 0)
		return -1;
	snprintf(cfg.db, sizeof(cfg.db), "%s/%s", pg_base, pg_name);
	return 0;
}

static void
pg_drop_db(void)
{
	struct zt_err err;
	char sql[128];

	snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS %s WITH (FORCE)", pg_name);
	pg_admin(sql, &err);
}

static int
group_setup(void **state)
{
	char ebuf[256];

	(void)state;
	pg_base = getenv("ZT_TEST_PG");
	if (pg_base && *pg_base == '\0')
		pg_base = NULL;
	if (config_load(NULL, ebuf, sizeof(ebuf)) < 0) {
		fprintf(stderr, "config_load: %s\n", ebuf);
		return -1;
	}
	return sm3_init_lib();
}

static int
setup(void **state)
{
	struct zt_err err;

	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/zt_test_audit_XXXXXX");
	if (mkdtemp(tmpdir) == NULL)
		return -1;
	snprintf(cfg.data_dir, sizeof(cfg.data_dir), "%s", tmpdir);
	snprintf(cfg.db, sizeof(cfg.db), "%s/zhengtong.db", tmpdir);
	err_clear(&err);
	if (pg_base && pg_fresh_db(&err) < 0) {
		fprintf(stderr, "postgres: %s\n", err.msg);
		return -1;
	}
	if (db_open(cfg.db, &err) < 0 || db_migrate(0, &err) < 0) {
		fprintf(stderr, "db: %s\n", err.msg);
		return -1;
	}
	tick = T0;
	clock_set(tick);
	return 0;
}

static int
teardown(void **state)
{
	static const char *const suffix[] = {"", "-wal", "-shm", "-journal"};
	char path[400];

	(void)state;
	db_set_precommit(NULL);
	nodekey_unload();
	db_close();
	clock_set(0);
	snprintf(path, sizeof(path), "%s/node.key", tmpdir);
	unlink(path);
	if (pg_base)
		pg_drop_db();
	for (int i = 0; i < 4; i++) {
		snprintf(path, sizeof(path), "%s%s", cfg.db, suffix[i]);
		unlink(path);
	}
	rmdir(tmpdir);
	return 0;
}

/* ---- helpers ---- */

struct append_job {
	int64_t actor;
	json_t *data; /* borrowed, may be NULL */
	int times;    /* appends in the job */
	int fail;     /* return ZT_ERULE after appending */
};

static int
job_append(db_conn *c, void *arg, struct zt_err *err)
{
	struct append_job *j = arg;
	int rc;

	for (int i = 0; i < j->times; i++)
		if ((rc = audit_append(c, j->actor, "test.action", "thing:1", j->data, err)) < 0)
			return rc;
	if (j->fail)
		return err_set(err, ZT_ERULE, "", "test_failure", "the job fails on purpose");
	return 0;
}

/* Appends one record with data {"n": n} at the next second. */
static void
append_n(int64_t n)
{
	struct zt_err err;
	json_t *d = json_pack("{s:I}", "n", (json_int_t)n);
	struct append_job j = {7, d, 1, 0};

	clock_set(++tick);
	err_clear(&err);
	assert_int_equal(db_write(job_append, &j, &err), 0);
	json_decref(d);
}

static void
build_chain(int n)
{
	for (int i = 1; i <= n; i++)
		append_n(i);
}

static void
exec_sql(const char *sql)
{
	struct zt_err err;

	err_clear(&err);
	if (db_exec(db_cli_conn(), sql, &err) < 0)
		fail_msg("%s: %s", sql, err.msg);
}

static int64_t
count_records(void)
{
	struct zt_err err;

	return db_query_int(db_cli_conn(), "SELECT count(*) FROM audit_log", -1, &err);
}

static int64_t
head_seq(void)
{
	struct zt_err err;

	return db_query_int(db_cli_conn(), "SELECT seq FROM audit_head WHERE id = 1", -1, &err);
}

/* Copies column col ("hash", "prev_hash", "data") of record seq into out. */
static void
record_text(int64_t seq, const char *col, char *out, size_t cap)
{
	struct zt_err err;
	db_stmt *s;

	if (strcmp(col, "hash") == 0)
		s = db_prepare(db_cli_conn(), "SELECT hash FROM audit_log WHERE seq = ?1", &err);
	else if (strcmp(col, "prev_hash") == 0)
		s = db_prepare(db_cli_conn(), "SELECT prev_hash FROM audit_log WHERE seq = ?1",
			       &err);
	else
		s = db_prepare(db_cli_conn(), "SELECT data FROM audit_log WHERE seq = ?1", &err);
	assert_non_null(s);
	db_bind_int(s, 1, seq);
	assert_int_equal(db_step(s, &err), DB_ROW);
	snprintf(out, cap, "%s", db_col_text(s, 0));
	db_reset(s);
}

static void
head_hash(char out[SM3_HEX_LEN])
{
	struct zt_err err;
	db_stmt *s = db_prepare(db_cli_conn(), "SELECT hash FROM audit_head WHERE id = 1", &err);

	assert_non_null(s);
	assert_int_equal(db_step(s, &err), DB_ROW);
	snprintf(out, SM3_HEX_LEN, "%s", db_col_text(s, 0));
	db_reset(s);
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* The chain hash computed independently of audit.c:
 * SM3(raw prev || canonical JSON written out by hand). data_canon must
 * already be canonical. */
static void
chain_hash(const char *prev_hex, int64_t seq, int64_t at, int64_t actor, const char *action,
	   const char *object, const char *data_canon, char out[SM3_HEX_LEN])
{
	unsigned char msg[4096], md[SM3_LEN];
	int n;

	assert_int_equal(strlen(prev_hex), 64);
	for (int i = 0; i < SM3_LEN; i++) {
		int hi = hexval(prev_hex[2 * i]), lo = hexval(prev_hex[2 * i + 1]);
		assert_true(hi >= 0 && lo >= 0);
		msg[i] = (unsigned char)(hi << 4 | lo);
	}
	n = snprintf((char *)msg + SM3_LEN, sizeof(msg) - SM3_LEN,
		     "{\"action\":\"%s\",\"actor\":%lld,\"at\":%lld,\"data\":%s,\"object\":\"%s\","
		     "\"seq\":%lld}",
		     action, (long long)actor, (long long)at, data_canon, object, (long long)seq);
	assert_true(n > 0 && (size_t)n < sizeof(msg) - SM3_LEN);
	sm3_digest(msg, SM3_LEN + (size_t)n, md);
	for (int i = 0; i < SM3_LEN; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
}

static const char zeros[] = "0000000000000000000000000000000000000000000000000000000000000000";

/* Runs audit_verify and checks its result, checked count and reason. */
static void
expect_verify(int64_t want, const char *want_reason)
{
	struct zt_err err;
	int64_t checked = -1;

	err_clear(&err);
	int64_t got = audit_verify(db_cli_conn(), &checked, NULL, &err);
	if (got != want)
		fail_msg("audit_verify returned %lld, want %lld (%s: %s)", (long long)got,
			 (long long)want, err.reason, err.msg);
	if (want_reason)
		assert_string_equal(err.reason, want_reason);
	assert_true(checked >= 0);
}

/* Inserts record seq with the given prev and hash (raw, bypassing audit.c). */
static void
insert_raw(int64_t seq, int64_t at, const char *data, const char *prev, const char *hash)
{
	struct zt_err err;
	db_stmt *s = db_prepare(db_cli_conn(),
				"INSERT INTO audit_log (seq, at, actor_id, action, object_type,"
				" object_id, data, prev_hash, hash)"
				" VALUES (?1, ?2, 7, 'test.action', 'thing', '1', ?3, ?4, ?5)",
				&err);

	assert_non_null(s);
	db_bind_int(s, 1, seq);
	db_bind_int(s, 2, at);
	db_bind_text(s, 3, data);
	db_bind_text(s, 4, prev);
	db_bind_text(s, 5, hash);
	assert_int_equal(db_step(s, &err), DB_DONE);
	db_reset(s);
}

/* ---- intact chains ---- */

static void
test_empty_chain(void **state)
{
	struct zt_err err;
	int64_t checked = -1;

	(void)state;
	err_clear(&err);
	assert_int_equal(audit_verify(db_cli_conn(), &checked, NULL, &err), 0);
	assert_int_equal(checked, 0);
	assert_int_equal(head_seq(), 0);
}

static void
test_intact_chain(void **state)
{
	char prev[SM3_HEX_LEN], h[SM3_HEX_LEN], ph[SM3_HEX_LEN], hh[SM3_HEX_LEN];
	struct zt_err err;
	int64_t checked = -1;

	(void)state;
	build_chain(5);
	err_clear(&err);
	assert_int_equal(audit_verify(db_cli_conn(), &checked, NULL, &err), 0);
	assert_int_equal(checked, 5);
	assert_int_equal(count_records(), 5);
	assert_int_equal(db_query_int(db_cli_conn(), "SELECT min(seq) FROM audit_log", -1, &err),
			 1);
	assert_int_equal(db_query_int(db_cli_conn(), "SELECT max(seq) FROM audit_log", -1, &err),
			 5);
	snprintf(prev, sizeof(prev), "%s", zeros);
	for (int64_t seq = 1; seq <= 5; seq++) {
		char data[64], want[64];
		record_text(seq, "prev_hash", ph, sizeof(ph));
		record_text(seq, "hash", h, sizeof(h));
		record_text(seq, "data", data, sizeof(data));
		assert_string_equal(ph, prev);
		assert_int_equal(strlen(h), 64);
		assert_int_equal(strspn(h, "0123456789abcdef"), 64);
		snprintf(want, sizeof(want), "{\"n\":%lld}", (long long)seq);
		assert_string_equal(data, want);
		/* Every record's hash recomputed independently. */
		char mine[SM3_HEX_LEN];
		chain_hash(prev, seq, T0 + seq, 7, "test.action", "thing:1", want, mine);
		assert_string_equal(h, mine);
		snprintf(prev, sizeof(prev), "%s", h);
	}
	assert_int_equal(head_seq(), 5);
	head_hash(hh);
	assert_string_equal(hh, prev);
	/* The object is split into type and id columns; the actor is kept. */
	assert_int_equal(db_query_int(db_cli_conn(),
				      "SELECT count(*) FROM audit_log WHERE object_type = 'thing'"
				      " AND object_id = '1' AND actor_id = 7"
				      " AND action = 'test.action'",
				      -1, &err),
			 5);
}

static void
test_record1_hash_independent(void **state)
{
	/* Canonical form: keys sorted, no spaces, UTF-8 as is. */
	static const char canon_data[] = "{\"a\":1,\"m\":[1,\"x\",{\"k\":null}],\"z\":\"政通\"}";
	char stored[SM3_HEX_LEN], mine[SM3_HEX_LEN], data[256];
	struct zt_err err;
	/* Built in unsorted key order on purpose. */
	json_t *d = json_pack("{s:s, s:i, s:[i, s, {s:n}]}", "z", "政通", "a", 1, "m", 1, "x", "k");
	struct append_job j = {42, d, 1, 0};

	(void)state;
	clock_set(T0);
	err_clear(&err);
	assert_int_equal(db_write(job_append, &j, &err), 0);
	json_decref(d);

	record_text(1, "hash", stored, sizeof(stored));
	record_text(1, "data", data, sizeof(data));
	assert_string_equal(data, canon_data);
	chain_hash(zeros, 1, T0, 42, "test.action", "thing:1", canon_data, mine);
	assert_string_equal(stored, mine);

	/* The same thing byte by byte, with no helper at all. */
	static const char msg_json[] =
	    "{\"action\":\"test.action\",\"actor\":42,\"at\":1772416800,"
	    "\"data\":{\"a\":1,\"m\":[1,\"x\",{\"k\":null}],\"z\":\"政通\"},"
	    "\"object\":\"thing:1\",\"seq\":1}";
	unsigned char msg[SM3_LEN + sizeof(msg_json)], md[SM3_LEN];
	char hex[SM3_HEX_LEN];
	memset(msg, 0, SM3_LEN);
	memcpy(msg + SM3_LEN, msg_json, sizeof(msg_json) - 1);
	sm3_digest(msg, SM3_LEN + sizeof(msg_json) - 1, md);
	for (int i = 0; i < SM3_LEN; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
	assert_string_equal(stored, hex);

	/* Record 2 chains on the raw bytes of record 1's hash. */
	clock_set(T0 + 60);
	d = json_pack("{s:b}", "ok", 1);
	j.data = d;
	assert_int_equal(db_write(job_append, &j, &err), 0);
	json_decref(d);
	char h2[SM3_HEX_LEN];
	record_text(2, "hash", h2, sizeof(h2));
	chain_hash(stored, 2, T0 + 60, 42, "test.action", "thing:1", "{\"ok\":true}", mine);
	assert_string_equal(h2, mine);
	expect_verify(0, NULL);
}

static void
test_no_actor_no_data(void **state)
{
	char stored[SM3_HEX_LEN], mine[SM3_HEX_LEN], data[64];
	struct zt_err err;
	struct append_job j = {0, NULL, 1, 0};

	(void)state;
	clock_set(T0);
	err_clear(&err);
	assert_int_equal(db_write(job_append, &j, &err), 0);
	assert_int_equal(db_query_int(db_cli_conn(),
				      "SELECT count(*) FROM audit_log WHERE actor_id IS NULL", -1,
				      &err),
			 1);
	record_text(1, "data", data, sizeof(data));
	assert_string_equal(data, "{}");
	record_text(1, "hash", stored, sizeof(stored));
	chain_hash(zeros, 1, T0, 0, "test.action", "thing:1", "{}", mine);
	assert_string_equal(stored, mine);
	expect_verify(0, NULL);
}

/* ---- tampering ---- */

static void
test_tamper_data(void **state)
{
	(void)state;
	build_chain(5);
	exec_sql("UPDATE audit_log SET data = '{\"n\":99}' WHERE seq = 3");
	expect_verify(3, "hash");
}

static void
test_tamper_at(void **state)
{
	(void)state;
	build_chain(5);
	exec_sql("UPDATE audit_log SET at = at + 1 WHERE seq = 2");
	expect_verify(2, "hash");
}

static void
test_tamper_other_columns(void **state)
{
	static const char *const sql[] = {
	    "UPDATE audit_log SET actor_id = 8 WHERE seq = 4",
	    "UPDATE audit_log SET actor_id = NULL WHERE seq = 4",
	    "UPDATE audit_log SET action = 'test.other' WHERE seq = 4",
	    "UPDATE audit_log SET object_type = 'thong' WHERE seq = 4",
	    "UPDATE audit_log SET object_id = '2' WHERE seq = 4",
	};

	(void)state;
	build_chain(5);
	for (int i = 0; i < 5; i++) {
		exec_sql("BEGIN");
		exec_sql(sql[i]);
		expect_verify(4, "hash");
		exec_sql("ROLLBACK");
		expect_verify(0, NULL);
	}
}

static void
test_tamper_hash(void **state)
{
	(void)state;
	build_chain(5);
	exec_sql("UPDATE audit_log SET hash = '1111111111111111111111111111111111111111111111111111"
		 "111111111111' WHERE seq = 3");
	expect_verify(3, "hash");
}

static void
test_tamper_prev_hash(void **state)
{
	(void)state;
	build_chain(5);
	exec_sql("UPDATE audit_log SET prev_hash = '222222222222222222222222222222222222222222222"
		 "2222222222222222222' WHERE seq = 3");
	expect_verify(3, "link");
}

static void
test_tamper_data_and_rehash(void **state)
{
	char prev[SM3_HEX_LEN], mine[SM3_HEX_LEN];
	struct zt_err err;

	(void)state;
	build_chain(5);
	/* A forger who recomputes record 3's hash breaks record 4's link. */
	record_text(2, "hash", prev, sizeof(prev));
	chain_hash(prev, 3, T0 + 3, 7, "test.action", "thing:1", "{\"n\":99}", mine);
	db_stmt *s =
	    db_prepare(db_cli_conn(),
		       "UPDATE audit_log SET data = '{\"n\":99}', hash = ?1 WHERE seq = 3", &err);
	assert_non_null(s);
	db_bind_text(s, 1, mine);
	assert_int_equal(db_step(s, &err), DB_DONE);
	db_reset(s);
	expect_verify(4, "link");
}

static void
test_delete_middle(void **state)
{
	(void)state;
	build_chain(5);
	exec_sql("DELETE FROM audit_log WHERE seq = 2");
	expect_verify(2, "gap");
}

static void
test_delete_last(void **state)
{
	(void)state;
	build_chain(5);
	exec_sql("DELETE FROM audit_log WHERE seq = 5");
	/* The remaining chain 1..4 is internally sound; the head says 5. */
	expect_verify(5, "tail");
}

static void
test_forged_tail_garbage_hash(void **state)
{
	char prev[SM3_HEX_LEN];

	(void)state;
	build_chain(5);
	record_text(5, "hash", prev, sizeof(prev));
	insert_raw(6, T0 + 6, "{\"n\":6}", prev,
		   "3333333333333333333333333333333333333333333333333333333333333333");
	expect_verify(6, "hash");
}

static void
test_forged_tail_valid_hash(void **state)
{
	char prev[SM3_HEX_LEN], mine[SM3_HEX_LEN];
	struct zt_err err;
	int64_t checked = -1;

	(void)state;
	build_chain(5);
	record_text(5, "hash", prev, sizeof(prev));
	chain_hash(prev, 6, T0 + 6, 7, "test.action", "thing:1", "{\"n\":6}", mine);
	insert_raw(6, T0 + 6, "{\"n\":6}", prev, mine);
	assert_int_equal(head_seq(), 5);
	/* Only the head can tell; audit.h promises "the first bad sequence
	 * number", and the first record the head does not vouch for is 6. */
	err_clear(&err);
	int64_t got = audit_verify(db_cli_conn(), &checked, NULL, &err);
	assert_int_equal(checked, 6);
	assert_string_equal(err.reason, "tail");
	assert_true(got > 0);
	assert_int_equal(got, 6);
}

static void
test_tamper_head(void **state)
{
	(void)state;
	build_chain(5);
	exec_sql("UPDATE audit_head SET hash = '444444444444444444444444444444444444444444444444444"
		 "4444444444444' WHERE id = 1");
	expect_verify(5, "tail");
}

static void
test_delete_head(void **state)
{
	struct zt_err err;
	int64_t checked;

	(void)state;
	build_chain(5);
	exec_sql("DELETE FROM audit_head");
	err_clear(&err);
	assert_true(audit_verify(db_cli_conn(), &checked, NULL, &err) > 0);
	assert_string_equal(err.reason, "head");
	assert_int_equal(checked, 5);
}

/* ---- transactions ---- */

static void
test_failed_job_rolls_back(void **state)
{
	char h3[SM3_HEX_LEN], hh[SM3_HEX_LEN], ph[SM3_HEX_LEN];
	struct zt_err err;
	json_t *d = json_pack("{s:s}", "x", "y");
	struct append_job one = {7, d, 1, 1}, two = {7, d, 2, 1};

	(void)state;
	build_chain(3);
	record_text(3, "hash", h3, sizeof(h3));

	err_clear(&err);
	clock_set(++tick);
	assert_int_equal(db_write(job_append, &one, &err), ZT_ERULE);
	assert_string_equal(err.reason, "test_failure");
	assert_int_equal(count_records(), 3);
	assert_int_equal(head_seq(), 3);
	head_hash(hh);
	assert_string_equal(hh, h3);
	expect_verify(0, NULL);

	err_clear(&err);
	assert_int_equal(db_write(job_append, &two, &err), ZT_ERULE);
	assert_int_equal(count_records(), 3);
	assert_int_equal(head_seq(), 3);
	expect_verify(0, NULL);
	json_decref(d);

	/* The next good append continues the kept chain: seq 4 after 3. */
	append_n(4);
	assert_int_equal(count_records(), 4);
	assert_int_equal(head_seq(), 4);
	record_text(4, "prev_hash", ph, sizeof(ph));
	assert_string_equal(ph, h3);
	expect_verify(0, NULL);
}

static void
test_two_appends_in_one_job(void **state)
{
	char h1[SM3_HEX_LEN], ph2[SM3_HEX_LEN];
	struct zt_err err;
	struct append_job j = {7, NULL, 2, 0};

	(void)state;
	err_clear(&err);
	assert_int_equal(db_write(job_append, &j, &err), 0);
	assert_int_equal(count_records(), 2);
	assert_int_equal(head_seq(), 2);
	record_text(1, "hash", h1, sizeof(h1));
	record_text(2, "prev_hash", ph2, sizeof(ph2));
	assert_string_equal(h1, ph2);
	expect_verify(0, NULL);
}

static void
test_two_jobs_linked(void **state)
{
	char h1[SM3_HEX_LEN], ph1[SM3_HEX_LEN], ph2[SM3_HEX_LEN], h2[SM3_HEX_LEN];
	char hh[SM3_HEX_LEN];

	(void)state;
	append_n(1);
	append_n(2);
	record_text(1, "prev_hash", ph1, sizeof(ph1));
	record_text(1, "hash", h1, sizeof(h1));
	record_text(2, "prev_hash", ph2, sizeof(ph2));
	record_text(2, "hash", h2, sizeof(h2));
	assert_string_equal(ph1, zeros);
	assert_string_equal(ph2, h1);
	assert_string_not_equal(h1, h2);
	head_hash(hh);
	assert_string_equal(hh, h2);
	assert_int_equal(head_seq(), 2);
	expect_verify(0, NULL);
}

/* ---- signatures ---- */

static void
enable_signing(void)
{
	struct zt_err err;

	err_clear(&err);
	if (nodekey_load(tmpdir, &err) < 0)
		fail_msg("nodekey_load: %s", err.msg);
	audit_enable_signing();
}

static int64_t
count_sigs(void)
{
	struct zt_err err;

	return db_query_int(db_cli_conn(), "SELECT count(*) FROM audit_signatures", -1, &err);
}

static int
job_nothing(db_conn *c, void *arg, struct zt_err *err)
{
	(void)c;
	(void)arg;
	(void)err;
	return 0;
}

/* Seals of one kind (literal SQL: db_query_int caches by the text's
 * address). */
static int64_t
alg_count(const char *alg)
{
	struct zt_err err;

	return strcmp(alg, "sm2") == 0
		   ? db_query_int(db_cli_conn(),
				  "SELECT count(*) FROM audit_signatures WHERE alg = 'sm2'", -1,
				  &err)
		   : db_query_int(db_cli_conn(),
				  "SELECT count(*) FROM audit_signatures WHERE alg = 'hmac-sm3'",
				  -1, &err);
}

static void
test_signed_per_transaction(void **state)
{
	struct zt_err err;
	char kid[17];

	(void)state;
	enable_signing();
	build_chain(3);
	assert_int_equal(count_sigs(), 3);
	struct append_job j = {7, NULL, 2, 0};
	clock_set(++tick);
	assert_int_equal(db_write(job_append, &j, &err), 0);
	assert_int_equal(count_sigs(), 4);
	assert_int_equal(db_write(job_nothing, NULL, &err), 0);
	assert_int_equal(count_sigs(), 4);
	assert_int_equal(
	    db_query_int(db_cli_conn(), "SELECT max(seq) FROM audit_signatures", -1, &err), 5);
	assert_int_equal(db_query_int(db_cli_conn(),
				      "SELECT count(*) FROM audit_signatures g JOIN audit_log l"
				      " ON l.seq = g.seq AND l.hash = g.hash",
				      -1, &err),
			 4);
	/* The first is signed; the next ones, within the second, MACed. */
	assert_int_equal(alg_count("sm2"), 1);
	assert_int_equal(alg_count("hmac-sm3"), 3);
	assert_int_equal(audit_last_signed(db_cli_conn(), kid, &err), 1);
	expect_verify(0, NULL);
	audit_seal_flush();
	assert_int_equal(alg_count("sm2"), 2);
	assert_int_equal(count_sigs(), 4);
	assert_int_equal(audit_last_signed(db_cli_conn(), kid, &err), 5);
	assert_string_equal(kid, nodekey_id());
	audit_seal_flush();
	assert_int_equal(alg_count("sm2"), 2);
	expect_verify(0, NULL);

	/* Each seal checks on its own: signatures with the registered key,
	 * MACs with the node key; neither for another seq. */
	db_stmt *s = db_prepare(db_cli_conn(),
				"SELECT seq, hash, key_id, sig, alg FROM audit_signatures", &err);
	int n = 0;
	while (db_step(s, &err) == DB_ROW) {
		char msg[128];
		int sm2 = strcmp(db_col_text(s, 4), "sm2") == 0;
		snprintf(msg, sizeof(msg), "zt-audit|%lld|%s", (long long)db_col_int(s, 0),
			 db_col_text(s, 1));
		for (int other = 0; other < 2; other++) {
			if (other)
				msg[9] = msg[9] == '1' ? '2' : '1';
			int rc = sm2 ? nodekey_verify(db_cli_conn(), db_col_text(s, 2), msg,
						      strlen(msg), db_col_text(s, 3), &err)
				     : nodekey_mac_verify(db_col_text(s, 2), msg, strlen(msg),
							  db_col_text(s, 3));
			assert_int_equal(rc, other ? 0 : 1);
		}
		n++;
	}
	db_reset(s);
	assert_int_equal(n, 4);
}

static void
test_rewritten_chain_loses_signature(void **state)
{
	(void)state;
	enable_signing();
	build_chain(3);
	/* The attacker deletes 2..3 and appends honest records without the key. */
	exec_sql("DELETE FROM audit_log WHERE seq >= 2");
	char sql[256], h1[SM3_HEX_LEN];
	record_text(1, "hash", h1, sizeof(h1));
	snprintf(sql, sizeof(sql), "UPDATE audit_head SET seq = 1, hash = '%s' WHERE id = 1", h1);
	exec_sql(sql);
	db_set_precommit(NULL);
	tick += 100; /* other times, so other hashes */
	append_n(20);
	append_n(30);
	expect_verify(2, "signature");
}

static void
test_unsigned_tail(void **state)
{
	(void)state;
	enable_signing();
	build_chain(3);
	db_set_precommit(NULL);
	append_n(4);
	expect_verify(4, "unsigned");
}

static void
test_borrowed_signature(void **state)
{
	(void)state;
	enable_signing();
	build_chain(3);
	audit_seal_flush(); /* 1 and 3 signed, 2 MACed */
	assert_int_equal(alg_count("sm2"), 2);
	exec_sql(
	    "UPDATE audit_signatures SET sig = (SELECT sig FROM audit_signatures WHERE seq = 1)"
	    " WHERE seq = 3");
	expect_verify(2, "signature");
}

static void
test_borrowed_mac(void **state)
{
	(void)state;
	enable_signing();
	build_chain(4); /* 1 signed, 2..4 MACed */
	assert_int_equal(alg_count("sm2"), 1);
	exec_sql(
	    "UPDATE audit_signatures SET sig = (SELECT sig FROM audit_signatures WHERE seq = 2)"
	    " WHERE seq = 4");
	expect_verify(2, "signature");
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_empty_chain),
	    T(test_intact_chain),
	    T(test_record1_hash_independent),
	    T(test_no_actor_no_data),
	    T(test_tamper_data),
	    T(test_tamper_at),
	    T(test_tamper_other_columns),
	    T(test_tamper_hash),
	    T(test_tamper_prev_hash),
	    T(test_tamper_data_and_rehash),
	    T(test_delete_middle),
	    T(test_delete_last),
	    T(test_forged_tail_garbage_hash),
	    T(test_forged_tail_valid_hash),
	    T(test_tamper_head),
	    T(test_delete_head),
	    T(test_failed_job_rolls_back),
	    T(test_two_appends_in_one_job),
	    T(test_two_jobs_linked),
	    T(test_signed_per_transaction),
	    T(test_rewritten_chain_loses_signature),
	    T(test_unsigned_tail),
	    T(test_borrowed_signature),
	    T(test_borrowed_mac),
	};

	return cmocka_run_group_tests(tests, group_setup, NULL);
}
