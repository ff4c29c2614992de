/* test_envelope.c - unit tests for fed/envelope (signed node-to-node
 * messages) and the registry functions of fed/node they rely on, on a real
 * SQLite database through the db layer (inline writer, as the CLI runs it).
 *
 * Test plan
 * - Set-up per test: config_load(NULL), a fresh mkdtemp directory holding
 *   the database and node.key, db_open, db_migrate, nodekey_load. Regions
 *   000000, 520000 (this node), 440000 (a peer), 110000 (a retired peer) and
 *   330000 (no node). node_init registers this node as 520000; node_add_peer
 *   registers 440000 and 110000 with two freshly generated SM2 keys (public
 *   PEM) and 110000 is then set to 'retired' with SQL. The clock is pinned
 *   at T0 = 2026-03-02 10:00 +08:00; max skew 300 s.
 * - Sign then verify: envelope_sign gives sender 520000, a message id of 32
 *   lower-case hex (a second signature gets another), timestamp T0, digest
 *   SM3 of the body, key_id of node.key; envelope_verify accepts it (0).
 *   The headers written by envelope_each_header and read back by
 *   envelope_parse give the same envelope, which verifies. A message from
 *   the peer 440000, signed with its key (not in node_keys), verifies: the
 *   key comes from fed_nodes.
 * - Rejections, each with its code, field (header name) and reason:
 *   tampered body -> bad_digest (X-ZT-Digest); tampered body with its digest
 *   recomputed -> bad_signature; another path, another method ->
 *   bad_signature; sender 330000 (no node) and 999999 -> unknown_sender
 *   (X-ZT-Sender); the retired 110000 -> unknown_sender (X-ZT-Sender); the
 *   peer's key id under sender 520000 -> unknown_sender (X-ZT-Key-Id); a
 *   signature by the peer's key over this node's envelope -> bad_signature;
 *   a signature with one character changed -> bad_signature.
 * - Order of the checks: unknown sender wins over a bad digest, a bad
 *   digest over a bad signature, a bad signature over a stale timestamp.
 * - Clock skew: signed at T0, accepted at T0 - 300 and T0 + 300 (the edge),
 *   stale (X-ZT-Timestamp) at T0 - 301 and T0 + 301.
 * - Malformed (ZT_EINVAL, reason malformed, field = the header): each
 *   header missing in turn; a message id in upper case; timestamps "-5",
 *   "12a", "0", "0123"; a digest of 63 characters; a key id with a 'g'; a
 *   signature with '+'; sender "52000"; method "post" and a path with a
 *   space are refused by envelope_verify.
 * - Replay: envelope_mark_seen in a write job -> 0; the same envelope again
 *   -> ZT_ECONFLICT, reason replayed, field X-ZT-Message-Id; the same
 *   message id from another sender -> 0; fed_seen holds 2 rows. A job that
 *   marks a message and then fails leaves no row, and the message can then
 *   be marked (it takes effect exactly once, with its effect). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "base/buf.h"
#include "base/clock.h"
#include "base/config.h"
#include "base/err.h"
#include "crypto/nodekey.h"
#include "crypto/sm2.h"
#include "crypto/sm3.h"
#include "db/db.h"
#include "fed/envelope.h"
#include "fed/node.h"

#define T0     1772416800 /* 2026-03-02T10:00:00+08:00 */
#define SKEW   300
#define METHOD "POST"
#define PATH   "/api/v1/fed/messages?kind=ping"
#define BODY   "{\"kind\":\"ping\",\"n\":1}"

static char tmpdir[256];
static struct sm2_key *peer_key;    /* 440000 */
static struct sm2_key *retired_key; /* 110000 */
static char peer_id[NODEKEY_ID_LEN];

static void
exec_sql(const char *sql)
{
	struct zt_err err;

	err_clear(&err);
	if (db_exec(db_cli_conn(), sql, &err) < 0)
		fail_msg("%s: %s", sql, err.msg);
}

static int64_t
count(const char *sql)
{
	struct zt_err err;

	err_clear(&err);
	return db_query_int(db_cli_conn(), sql, -1, &err);
}

struct reg_job {
	const struct node_in *in;
	const char *pem; /* NULL: node_init */
	char key_id[NODEKEY_ID_LEN];
};

static int
job_register(db_conn *c, void *arg, struct zt_err *err)
{
	struct reg_job *j = arg;
	int updated;

	if (j->pem == NULL)
		return node_init(c, j->in, &updated, err);
	return node_add_peer(c, j->in, j->pem, j->key_id, &updated, err);
}

static int
group_setup(void **state)
{
	char ebuf[256];

	(void)state;
	if (config_load(NULL, ebuf, sizeof(ebuf)) < 0)
		return -1;
	return sm3_init_lib();
}

static int
add_peer(const char *region, struct sm2_key *k, char key_id[NODEKEY_ID_LEN])
{
	struct node_in in = {region, "peer", "https://peer.example.cn:8443", "000000"};
	struct reg_job j = {&in, NULL, ""};
	struct zt_err err;

	char *pem = sm2_public_pem(k);
	j.pem = pem;
	err_clear(&err);
	int rc = db_write(job_register, &j, &err);
	if (rc < 0)
		fprintf(stderr, "add_peer %s: %s\n", region, err.msg);
	else if (key_id)
		memcpy(key_id, j.key_id, NODEKEY_ID_LEN);
	free(pem);
	return rc;
}

static int
setup(void **state)
{
	struct node_in self = {"520000", "贵州省政务服务节点", "http://127.0.0.1:8080", "000000"};
	struct reg_job j = {&self, NULL, ""};
	struct zt_err err;

	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/zt_test_envelope_XXXXXX");
	if (mkdtemp(tmpdir) == NULL)
		return -1;
	snprintf(cfg.data_dir, sizeof(cfg.data_dir), "%s", tmpdir);
	snprintf(cfg.db, sizeof(cfg.db), "%s/zhengtong.db", tmpdir);
	clock_set(T0);
	err_clear(&err);
	if (db_open(cfg.db, &err) < 0 || db_migrate(0, &err) < 0 ||
	    nodekey_load(tmpdir, &err) < 0) {
		fprintf(stderr, "setup: %s\n", err.msg);
		return -1;
	}
	exec_sql("INSERT INTO regions (code, name, name_en, level, parent) VALUES"
		 " ('000000', '中华人民共和国', 'China', 'national', NULL),"
		 " ('520000', '贵州省', 'Guizhou', 'province', '000000'),"
		 " ('440000', '广东省', 'Guangdong', 'province', '000000'),"
		 " ('110000', '北京市', 'Beijing', 'province', '000000'),"
		 " ('330000', '浙江省', 'Zhejiang', 'province', '000000')");
	if (db_write(job_register, &j, &err) < 0) {
		fprintf(stderr, "setup: node_init: %s\n", err.msg);
		return -1;
	}
	peer_key = sm2_generate();
	retired_key = sm2_generate();
	if (peer_key == NULL || retired_key == NULL)
		return -1;
	if (add_peer("440000", peer_key, peer_id) < 0 || add_peer("110000", retired_key, NULL) < 0)
		return -1;
	exec_sql("UPDATE fed_nodes SET status = 'retired' WHERE region_code = '110000'");
	return 0;
}

static int
teardown(void **state)
{
	static const char *const suffix[] = {"", "-wal", "-shm", "-journal"};
	char path[400];

	(void)state;
	sm2_free(peer_key);
	sm2_free(retired_key);
	peer_key = retired_key = NULL;
	envelope_cache_clear();
	db_close();
	nodekey_unload();
	clock_set(0);
	for (int i = 0; i < 4; i++) {
		snprintf(path, sizeof(path), "%s%s", cfg.db, suffix[i]);
		unlink(path);
	}
	snprintf(path, sizeof(path), "%s/node.key", tmpdir);
	unlink(path);
	rmdir(tmpdir);
	return 0;
}

/* ---- helpers ---- */

static void
sign(struct envelope *e)
{
	struct zt_err err;

	err_clear(&err);
	if (envelope_sign(METHOD, PATH, BODY, strlen(BODY), "520000", e, &err) < 0)
		fail_msg("envelope_sign: %s", err.msg);
}

/* Replaces e's signature by one made with k over e for METHOD PATH. */
static void
resign(struct envelope *e, const struct sm2_key *k)
{
	unsigned char *der;
	size_t n;
	struct buf b;

	buf_init(&b);
	envelope_canonical(e, METHOD, PATH, &b);
	assert_int_equal(sm2_sign(k, b.data, b.len, &der, &n), 0);
	assert_true(4 * ((n + 2) / 3) < sizeof(e->signature));
	b64url_encode(der, n, e->signature);
	free(der);
	buf_cleanup(&b);
}

static int
verify_at(const struct envelope *e, const char *method, const char *path, const char *body,
	  int64_t now, struct zt_err *err)
{
	err_clear(err);
	return envelope_verify(db_cli_conn(), e, method, path, body, strlen(body), now, SKEW, err);
}

static void
expect_ok(const struct envelope *e, int64_t now)
{
	struct zt_err err;
	int rc = verify_at(e, METHOD, PATH, BODY, now, &err);

	if (rc != 0)
		fail_msg("expected valid, got %d %s %s: %s", rc, err.field, err.reason, err.msg);
}

static void
expect_reject_full(const struct envelope *e, const char *method, const char *path, const char *body,
		   int64_t now, int code, const char *field, const char *reason)
{
	struct zt_err err;
	int rc = verify_at(e, method, path, body, now, &err);

	assert_int_equal(rc, code);
	assert_string_equal(err.field, field);
	assert_string_equal(err.reason, reason);
}

static void
expect_reject(const struct envelope *e, int code, const char *field, const char *reason)
{
	expect_reject_full(e, METHOD, PATH, BODY, T0, code, field, reason);
}

/* Headers held as a name/value table for envelope_parse. */
struct headers {
	int n;
	const char *name[8];
	char value[8][ENVELOPE_SIG_MAX + 32];
};

static void
hdr_add(void *ctx, const char *name, const char *value)
{
	struct headers *h = ctx;

	h->name[h->n] = name;
	snprintf(h->value[h->n], sizeof(h->value[h->n]), "%s", value);
	h->n++;
}

static const char *
hdr_get(void *ctx, const char *name)
{
	struct headers *h = ctx;

	for (int i = 0; i < h->n; i++)
		if (h->name[i] && strcmp(h->name[i], name) == 0)
			return h->value[i];
	return NULL;
}

static void
hdr_set(struct headers *h, const char *name, const char *value)
{
	for (int i = 0; i < h->n; i++)
		if (h->name[i] && strcmp(h->name[i], name) == 0) {
			if (value)
				snprintf(h->value[i], sizeof(h->value[i]), "%s", value);
			else
				h->name[i] = NULL;
		}
}

static void
expect_malformed(const struct envelope *good, const char *header, const char *value)
{
	struct headers h;
	struct envelope e;
	struct zt_err err;

	memset(&h, 0, sizeof(h));
	envelope_each_header(good, hdr_add, &h);
	hdr_set(&h, header, value);
	err_clear(&err);
	assert_int_equal(envelope_parse(hdr_get, &h, &e, &err), ZT_EINVAL);
	assert_string_equal(err.field, header);
	assert_string_equal(err.reason, "malformed");
}

/* ---- tests ---- */

static void
test_sign_verify(void **state)
{
	struct envelope e, e2, parsed;
	struct headers h;
	struct zt_err err;
	char digest[SM3_HEX_LEN];

	(void)state;
	sign(&e);
	assert_string_equal(e.sender, "520000");
	assert_int_equal(strlen(e.message_id), 32);
	assert_int_equal(strspn(e.message_id, "0123456789abcdef"), 32);
	assert_int_equal(e.timestamp, T0);
	sm3_hex(BODY, strlen(BODY), digest);
	assert_string_equal(e.digest, digest);
	assert_string_equal(e.key_id, nodekey_id());
	expect_ok(&e, T0);
	sign(&e2);
	assert_string_not_equal(e.message_id, e2.message_id);
	expect_ok(&e2, T0);

	/* Through the headers and back. */
	memset(&h, 0, sizeof(h));
	envelope_each_header(&e, hdr_add, &h);
	assert_int_equal(h.n, 6);
	assert_string_equal(h.name[0], "X-ZT-Sender");
	assert_string_equal(h.name[5], "X-ZT-Signature");
	assert_string_equal(hdr_get(&h, "X-ZT-Timestamp"), "1772416800");
	err_clear(&err);
	assert_int_equal(envelope_parse(hdr_get, &h, &parsed, &err), 0);
	assert_memory_equal(&parsed, &e, sizeof(e));
	expect_ok(&parsed, T0);

	/* A peer's message verifies with the key from fed_nodes (the peer's
	 * key is in no node_keys row). */
	assert_int_equal(count("SELECT count(*) FROM node_keys"), 0);
	struct envelope p = e;
	snprintf(p.sender, sizeof(p.sender), "440000");
	snprintf(p.key_id, sizeof(p.key_id), "%s", peer_id);
	resign(&p, peer_key);
	expect_ok(&p, T0);
	/* Verified twice: the second time from the key cache. */
	expect_ok(&p, T0);
}

static void
test_rejections(void **state)
{
	struct envelope good, e;
	const char *tampered = "{\"kind\":\"ping\",\"n\":2}";

	(void)state;
	sign(&good);

	expect_reject_full(&good, METHOD, PATH, tampered, T0, ZT_EINVAL, "X-ZT-Digest",
			   "bad_digest");
	e = good;
	sm3_hex(tampered, strlen(tampered), e.digest);
	expect_reject_full(&e, METHOD, PATH, tampered, T0, ZT_EUNAUTH, "X-ZT-Signature",
			   "bad_signature");
	expect_reject_full(&good, METHOD, "/api/v1/fed/messages?kind=pong", BODY, T0, ZT_EUNAUTH,
			   "X-ZT-Signature", "bad_signature");
	expect_reject_full(&good, "PUT", PATH, BODY, T0, ZT_EUNAUTH, "X-ZT-Signature",
			   "bad_signature");

	e = good;
	snprintf(e.sender, sizeof(e.sender), "330000");
	expect_reject(&e, ZT_EUNAUTH, "X-ZT-Sender", "unknown_sender");
	snprintf(e.sender, sizeof(e.sender), "999999");
	expect_reject(&e, ZT_EUNAUTH, "X-ZT-Sender", "unknown_sender");

	/* The retired node, even with a signature by its own registered key. */
	e = good;
	snprintf(e.sender, sizeof(e.sender), "110000");
	char rid[NODEKEY_ID_LEN];
	struct zt_err err;
	db_stmt *s = db_prepare(db_cli_conn(),
				"SELECT key_id FROM fed_nodes WHERE region_code = '110000'", &err);
	assert_non_null(s);
	assert_int_equal(db_step(s, &err), DB_ROW);
	snprintf(rid, sizeof(rid), "%s", db_col_text(s, 0));
	db_reset(s);
	snprintf(e.key_id, sizeof(e.key_id), "%s", rid);
	resign(&e, retired_key);
	expect_reject(&e, ZT_EUNAUTH, "X-ZT-Sender", "unknown_sender");

	/* The peer's key id under this node's region. */
	e = good;
	snprintf(e.key_id, sizeof(e.key_id), "%s", peer_id);
	resign(&e, peer_key);
	expect_reject(&e, ZT_EUNAUTH, "X-ZT-Key-Id", "unknown_sender");

	/* Forged: this node's envelope signed with another key. */
	e = good;
	resign(&e, peer_key);
	expect_reject(&e, ZT_EUNAUTH, "X-ZT-Signature", "bad_signature");

	/* One character of the signature changed (still base64url). */
	e = good;
	size_t mid = strlen(e.signature) / 2;
	e.signature[mid] = e.signature[mid] == 'A' ? 'B' : 'A';
	expect_reject(&e, ZT_EUNAUTH, "X-ZT-Signature", "bad_signature");
}

static void
test_check_order(void **state)
{
	struct envelope good, e;
	const char *tampered = "tampered";

	(void)state;
	sign(&good);
	/* Unknown sender before the digest. */
	e = good;
	snprintf(e.sender, sizeof(e.sender), "330000");
	expect_reject_full(&e, METHOD, PATH, tampered, T0, ZT_EUNAUTH, "X-ZT-Sender",
			   "unknown_sender");
	/* Digest before the signature. */
	e = good;
	resign(&e, peer_key);
	expect_reject_full(&e, METHOD, PATH, tampered, T0, ZT_EINVAL, "X-ZT-Digest", "bad_digest");
	/* Signature before the clock. */
	expect_reject_full(&e, METHOD, PATH, BODY, T0 + 3600, ZT_EUNAUTH, "X-ZT-Signature",
			   "bad_signature");
}

static void
test_skew(void **state)
{
	struct envelope e;

	(void)state;
	sign(&e);
	expect_ok(&e, T0 - SKEW);
	expect_ok(&e, T0 + SKEW);
	expect_reject_full(&e, METHOD, PATH, BODY, T0 - SKEW - 1, ZT_EUNAUTH, "X-ZT-Timestamp",
			   "stale");
	expect_reject_full(&e, METHOD, PATH, BODY, T0 + SKEW + 1, ZT_EUNAUTH, "X-ZT-Timestamp",
			   "stale");
}

static void
test_malformed(void **state)
{
	static const char *const names[] = {"X-ZT-Sender", "X-ZT-Message-Id", "X-ZT-Timestamp",
					    "X-ZT-Digest", "X-ZT-Key-Id",     "X-ZT-Signature"};
	struct envelope good, e;
	char upper[ENVELOPE_MSGID_LEN];

	(void)state;
	sign(&good);
	for (int i = 0; i < 6; i++) {
		expect_malformed(&good, names[i], NULL);
		expect_malformed(&good, names[i], "");
	}
	snprintf(upper, sizeof(upper), "%s", good.message_id);
	for (char *p = upper; *p; p++)
		if (*p >= 'a' && *p <= 'f')
			*p = (char)(*p - 'a' + 'A');
	if (strcmp(upper, good.message_id) == 0)
		upper[0] = 'G';
	expect_malformed(&good, "X-ZT-Message-Id", upper);
	expect_malformed(&good, "X-ZT-Timestamp", "-5");
	expect_malformed(&good, "X-ZT-Timestamp", "12a");
	expect_malformed(&good, "X-ZT-Timestamp", "0");
	expect_malformed(&good, "X-ZT-Timestamp", "01772416800");
	expect_malformed(&good, "X-ZT-Timestamp", "1772416800000000");
	char shorter[SM3_HEX_LEN];
	snprintf(shorter, sizeof(shorter), "%.63s", good.digest);
	expect_malformed(&good, "X-ZT-Digest", shorter);
	expect_malformed(&good, "X-ZT-Key-Id", "0123456789abcdeg");
	expect_malformed(&good, "X-ZT-Signature", "MEUCIQ+abc");
	expect_malformed(&good, "X-ZT-Sender", "52000");

	/* The same checks on a struct handed to envelope_verify. */
	e = good;
	e.timestamp = 0;
	expect_reject(&e, ZT_EINVAL, "X-ZT-Timestamp", "malformed");
	e = good;
	snprintf(e.message_id, sizeof(e.message_id), "%s", "xyz");
	expect_reject(&e, ZT_EINVAL, "X-ZT-Message-Id", "malformed");
	expect_reject_full(&good, "post", PATH, BODY, T0, ZT_EINVAL, "method", "malformed");
	expect_reject_full(&good, METHOD, "/a b", BODY, T0, ZT_EINVAL, "path", "malformed");
}

struct seen_job {
	const struct envelope *e;
	int fail_after; /* then return an error: the effect failed */
};

static int
job_seen(db_conn *c, void *arg, struct zt_err *err)
{
	struct seen_job *j = arg;
	int rc = envelope_mark_seen(c, j->e, err);

	if (rc == 0 && j->fail_after)
		return err_set(err, ZT_ERULE, "", "effect_failed", "the effect failed");
	return rc;
}

static int
mark(const struct envelope *e, int fail_after, struct zt_err *err)
{
	struct seen_job j = {e, fail_after};

	err_clear(err);
	return db_write(job_seen, &j, err);
}

static void
test_replay(void **state)
{
	struct envelope e, other;
	struct zt_err err;

	(void)state;
	sign(&e);
	/* A failed effect leaves no mark. */
	assert_int_equal(mark(&e, 1, &err), ZT_ERULE);
	assert_int_equal(count("SELECT count(*) FROM fed_seen"), 0);

	assert_int_equal(mark(&e, 0, &err), 0);
	assert_int_equal(mark(&e, 0, &err), ZT_ECONFLICT);
	assert_string_equal(err.reason, "replayed");
	assert_string_equal(err.field, "X-ZT-Message-Id");
	other = e;
	snprintf(other.sender, sizeof(other.sender), "440000");
	assert_int_equal(mark(&other, 0, &err), 0);
	assert_int_equal(count("SELECT count(*) FROM fed_seen"), 2);
	assert_int_equal(count("SELECT count(*) FROM fed_seen WHERE sender = '520000'"
			       " AND received_at = 1772416800"),
			 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_sign_verify, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_rejections, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_check_order, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_skew, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_malformed, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_replay, setup, teardown),
	};
	return cmocka_run_group_tests(tests, group_setup, NULL);
}
