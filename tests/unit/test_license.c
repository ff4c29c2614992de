/* test_license.c - unit tests for domain/license: the signed payload, SM2
 * signatures by the node key, issuing and verification on a real SQLite
 * database through the db layer (inline writer, as the CLI runs it).
 *
 * Test plan
 * - Set-up per test: config_load(NULL), data_dir and db in a fresh mkdtemp
 *   directory, sm3_init_lib, db_open, db_migrate, nodekey_load (creates
 *   node.key) and nodekey_register in a write job; a region, a department (a
 *   valid credit code), a citizen and a license type (5 years) inserted
 *   with SQL. The clock is pinned at T0 = 2026-03-02 10:00 +08:00.
 * - Payload: license_payload gives exactly the canonical JSON written out
 *   here by hand (keys sorted at every level, no spaces, raw UTF-8,
 *   valid_to null for long-term, a day otherwise).
 * - SM2 round trip: nodekey_sign over a payload verifies (1) through
 *   nodekey_verify with the node's key_id; refused (0): the payload with
 *   changed data, the signature with one character changed, a truncated
 *   signature, a signature by another SM2 key over the same payload, an
 *   unknown key_id.
 * - Issuing (license_issue in a db_write job): the identifier is
 *   1.2.156.3005.2.<cc>001.<cc>.0000001.001.<check> and validates; a second
 *   one gets serial 0000002; the row has issued_on 2026-03-02, valid_to
 *   2031-03-01, the node's key_id, and a signature that verifies over
 *   license_payload of the row; an audit record license.issue.
 * - Verification (license_verify_json): valid (holder masked); forged with
 *   bad_check_character, unknown_identifier; a QR signature by another key
 *   -> qr_mismatch, the stored one -> valid; data altered with SQL ->
 *   bad_signature; a malformed identifier -> NULL, ZT_EINVAL, "identifier";
 *   revoked (SQL) -> revoked; at 2031-03-02 -> expired (2031-03-01 still
 *   valid).
 * - license_find_valid: finds the newest valid license of the holder and
 *   type (1, with identifier and data), skips one whose data was altered,
 *   and finds nothing (0) for another holder or once all are revoked. */
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
#include "base/ident.h"
#include "base/licid.h"
#include "crypto/fieldenc.h"
#include "crypto/nodekey.h"
#include "crypto/sm2.h"
#include "crypto/sm3.h"
#include "db/db.h"
#include "domain/license.h"

#define T0     1772416800 /* 2026-03-02T10:00:00+08:00 */
#define DAY    86400
#define HOLDER "520102199506150075"

static char tmpdir[256];
static char cc[19];

static void
exec_sql(const char *sql)
{
	struct zt_err err;

	err_clear(&err);
	if (db_exec(db_cli_conn(), sql, &err) < 0)
		fail_msg("%s: %s", sql, err.msg);
}

static int
job_register(db_conn *c, void *arg, struct zt_err *err)
{
	(void)arg;
	return nodekey_register(c, err);
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
setup(void **state)
{
	struct zt_err err;
	char sql[1024];

	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/zt_test_license_XXXXXX");
	if (mkdtemp(tmpdir) == NULL)
		return -1;
	snprintf(cfg.data_dir, sizeof(cfg.data_dir), "%s", tmpdir);
	snprintf(cfg.db, sizeof(cfg.db), "%s/zhengtong.db", tmpdir);
	snprintf(cfg.data_key_file, sizeof(cfg.data_key_file), "%s/data.key", tmpdir);
	err_clear(&err);
	if (db_open(cfg.db, &err) < 0 || db_migrate(0, &err) < 0 ||
	    nodekey_load(tmpdir, &err) < 0 || fieldenc_load(cfg.data_key_file, 1, &err) < 0 ||
	    db_write(job_register, NULL, &err) < 0) {
		fprintf(stderr, "setup: %s\n", err.msg);
		return -1;
	}
	clock_set(T0);
	char first17[18];
	snprintf(first17, sizeof(first17), "11520102%s", "00091102");
	first17[16] = ident_org_check_char(first17 + 8);
	first17[17] = '\0';
	snprintf(cc, sizeof(cc), "%s%c", first17, ident_credit_check_char(first17));
	snprintf(sql, sizeof(sql),
		 "INSERT INTO regions (code, name, name_en, level) VALUES"
		 " ('520102', '南明区', 'Nanming', 'county');"
		 "INSERT INTO departments (id, credit_code, name, region_code, created_at)"
		 " VALUES (1, '%s', '南明区市场监督管理局', '520102', 0);"
		 "INSERT INTO license_types (code, name, dept_id, fields, valid_years, created_at)"
		 " VALUES ('%s001', '营业执照', 1, '[]', 5, 0);",
		 cc, cc);
	exec_sql(sql);
	return 0;
}

static int
teardown(void **state)
{
	static const char *const suffix[] = {"", "-wal", "-shm", "-journal"};
	char path[400];

	(void)state;
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

struct issue_job {
	const char *holder;
	char id[LICID_MAX];
};

static int
job_issue(db_conn *c, void *arg, struct zt_err *err)
{
	struct issue_job *j = arg;
	char type[32];
	json_t *data = json_pack("{s:s, s:{s:s}}", "case_no", "52010220260302000001", "fields",
				 "字号", "小明便利店");
	snprintf(type, sizeof(type), "%s001", cc);
	struct license_in in = {type, "citizen", j->holder, "张小明", 1, 0, data, 0};
	int rc = license_issue(c, &in, j->id, err);
	json_decref(data);
	return rc;
}

static void
issue(const char *holder, char id[LICID_MAX])
{
	struct issue_job j = {holder, ""};
	struct zt_err err;

	err_clear(&err);
	if (db_write(job_issue, &j, &err) < 0)
		fail_msg("issue: %s", err.msg);
	snprintf(id, LICID_MAX, "%s", j.id);
}

/* status and reason of license_verify_json. */
static void
expect_verdict(const char *id, const char *qr_sig, const char *status, const char *reason)
{
	struct zt_err err;

	err_clear(&err);
	json_t *o = license_verify_json(db_cli_conn(), id, qr_sig, &err);
	if (o == NULL)
		fail_msg("verify %s: %s", id, err.msg);
	assert_string_equal(json_string_value(json_object_get(o, "status")), status);
	const char *r = json_string_value(json_object_get(o, "reason"));
	if (reason)
		assert_string_equal(r ? r : "(null)", reason);
	else
		assert_null(r);
	json_decref(o);
}

static void
sql_text(const char *sql, const char *id, char *out, size_t cap)
{
	struct zt_err err;
	db_stmt *s = db_prepare_dyn(db_cli_conn(), sql, &err);

	assert_non_null(s);
	db_bind_text(s, 1, id);
	assert_int_equal(db_step(s, &err), DB_ROW);
	snprintf(out, cap, "%s", db_col_isnull(s, 0) ? "(null)" : db_col_text(s, 0));
	db_reset(s);
}

/* ---- tests ---- */

static void
test_payload(void **state)
{
	(void)state;
	json_t *data =
	    json_pack("{s:{s:s, s:i}, s:s}", "fields", "经营范围", "零售", "b", 2, "case_no", "N1");
	char *p = license_payload("ID", "T", "ISS", "H", "张三", "2026-03-02", NULL, data);
	assert_string_equal(p, "{\"data\":{\"case_no\":\"N1\",\"fields\":{\"b\":2,"
			       "\"经营范围\":\"零售\"}},\"holder_id\":\"H\",\"holder_name\":"
			       "\"张三\",\"identifier\":\"ID\",\"issued_on\":\"2026-03-02\","
			       "\"issuer\":\"ISS\",\"type\":\"T\",\"valid_to\":null}");
	free(p);
	p = license_payload("ID", "T", "ISS", "H", "张三", "2026-03-02", "2031-03-01", data);
	assert_non_null(strstr(p, "\"valid_to\":\"2031-03-01\"}"));
	free(p);
	json_decref(data);
}

static void
test_sign_verify(void **state)
{
	struct zt_err err;
	char *sig = NULL;

	(void)state;
	json_t *data = json_pack("{s:s}", "字号", "小明便利店");
	json_t *data2 = json_pack("{s:s}", "字号", "大明便利店");
	char *p = license_payload("ID", "T", "ISS", HOLDER, "张小明", "2026-03-02", NULL, data);
	char *p2 = license_payload("ID", "T", "ISS", HOLDER, "张小明", "2026-03-02", NULL, data2);
	db_conn *c = db_cli_conn();

	assert_int_equal(nodekey_sign(p, strlen(p), &sig, &err), 0);
	assert_int_equal(nodekey_verify(c, nodekey_id(), p, strlen(p), sig, &err), 1);
	assert_int_equal(nodekey_verify(c, nodekey_id(), p2, strlen(p2), sig, &err), 0);

	char *bad = strdup(sig);
	size_t mid = strlen(bad) / 2;
	bad[mid] = bad[mid] == 'A' ? 'B' : 'A';
	assert_int_equal(nodekey_verify(c, nodekey_id(), p, strlen(p), bad, &err), 0);
	snprintf(bad, strlen(sig) + 1, "%.*s", (int)(strlen(sig) - 4), sig);
	assert_int_equal(nodekey_verify(c, nodekey_id(), p, strlen(p), bad, &err), 0);
	free(bad);
	assert_int_equal(nodekey_verify(c, "0000000000000000", p, strlen(p), sig, &err), 0);

	/* Another key's signature over the same payload. */
	struct sm2_key *other = sm2_generate();
	unsigned char *der;
	size_t derlen;
	assert_int_equal(sm2_sign(other, p, strlen(p), &der, &derlen), 0);
	char *osig = malloc(4 * ((derlen + 2) / 3) + 1);
	b64url_encode(der, derlen, osig);
	assert_int_equal(nodekey_verify(c, nodekey_id(), p, strlen(p), osig, &err), 0);
	free(osig);
	free(der);
	sm2_free(other);

	free(sig);
	free(p);
	free(p2);
	json_decref(data);
	json_decref(data2);
}

static void
test_issue_and_verify(void **state)
{
	char id[LICID_MAX], id2[LICID_MAX], want[LICID_MAX + 8], body[LICID_MAX], v[512];
	struct licid parts;
	struct zt_err err;

	(void)state;
	issue(HOLDER, id);
	snprintf(body, sizeof(body), "1.2.156.3005.2.%s001.%s.0000001.001.", cc, cc);
	snprintf(want, sizeof(want), "%s%c", body, licid_check_char(body));
	assert_string_equal(id, want);
	assert_int_equal(licid_validate(id, &parts, &err), 0);
	issue(HOLDER, id2);
	assert_int_equal(licid_parse(id2, &parts, &err), 0);
	assert_int_equal(parts.serial, 2);

	sql_text("SELECT issued_on FROM licenses WHERE identifier = ?1", id, v, sizeof(v));
	assert_string_equal(v, "2026-03-02");
	sql_text("SELECT valid_to FROM licenses WHERE identifier = ?1", id, v, sizeof(v));
	assert_string_equal(v, "2031-03-01");
	sql_text("SELECT key_id FROM licenses WHERE identifier = ?1", id, v, sizeof(v));
	assert_string_equal(v, nodekey_id());
	sql_text("SELECT count(*) FROM audit_log WHERE action = 'license.issue' AND object_id = ?1",
		 id, v, sizeof(v));
	assert_string_equal(v, "1");

	/* The stored signature covers the canonical payload of the row. */
	char data[512], sig[LICENSE_SIG_MAX];
	sql_text("SELECT data FROM licenses WHERE identifier = ?1", id, data, sizeof(data));
	sql_text("SELECT sig FROM licenses WHERE identifier = ?1", id, sig, sizeof(sig));
	json_t *d = json_loads(data, 0, NULL);
	char type[32];
	snprintf(type, sizeof(type), "%s001", cc);
	char *p = license_payload(id, type, cc, HOLDER, "张小明", "2026-03-02", "2031-03-01", d);
	assert_int_equal(nodekey_verify(db_cli_conn(), nodekey_id(), p, strlen(p), sig, &err), 1);
	free(p);
	json_decref(d);

	expect_verdict(id, NULL, "valid", NULL);
	expect_verdict(id, sig, "valid", NULL);
	char other[LICENSE_SIG_MAX];
	sql_text("SELECT sig FROM licenses WHERE identifier = ?1", id2, other, sizeof(other));
	expect_verdict(id, other, "forged", "qr_mismatch");

	json_t *o = license_verify_json(db_cli_conn(), id, NULL, &err);
	json_t *h = json_object_get(json_object_get(o, "license"), "holder");
	assert_string_equal(json_string_value(json_object_get(h, "id")), "520102********0075");
	assert_string_equal(json_string_value(json_object_get(h, "name")), "张**");
	json_decref(o);

	char wrong[LICID_MAX];
	snprintf(wrong, sizeof(wrong), "%s", id);
	wrong[LICID_LEN - 1] = wrong[LICID_LEN - 1] == '0' ? '1' : '0';
	expect_verdict(wrong, NULL, "forged", "bad_check_character");
	snprintf(body, sizeof(body), "1.2.156.3005.2.%s001.%s.0000099.001.", cc, cc);
	snprintf(want, sizeof(want), "%s%c", body, licid_check_char(body));
	expect_verdict(want, NULL, "forged", "unknown_identifier");
	err_clear(&err);
	assert_null(license_verify_json(db_cli_conn(), "1.2.156", NULL, &err));
	assert_int_equal(err.code, ZT_EINVAL);
	assert_string_equal(err.field, "identifier");

	/* Expiry is by day: the last day is still valid. */
	clock_set(T0 + (int64_t)(365 * 5 + 1 - 1) * DAY); /* 2031-03-01 */
	expect_verdict(id, NULL, "valid", NULL);
	clock_set(T0 + (int64_t)(365 * 5 + 1) * DAY); /* 2031-03-02 */
	expect_verdict(id, NULL, "expired", "expired");
	clock_set(T0);

	exec_sql("UPDATE licenses SET status = 'revoked', revoked_at = 1 WHERE serial = 2");
	expect_verdict(id2, NULL, "revoked", "revoked");
	exec_sql("UPDATE licenses SET data = replace(data, '小明', '大明') WHERE serial = 1");
	expect_verdict(id, NULL, "forged", "bad_signature");
}

/* Holders are looked up by the blind index of their ID number. */
static const char *
hidx(const char *id)
{
	static char out[FIELDENC_IDX_LEN];
	fieldenc_index(id, out);
	return out;
}

static void
test_find_valid(void **state)
{
	char id1[LICID_MAX], id2[LICID_MAX], found[LICID_MAX], type[32];
	struct zt_err err;
	json_t *view = NULL;

	(void)state;
	snprintf(type, sizeof(type), "%s001", cc);
	issue(HOLDER, id1);
	issue(HOLDER, id2);
	db_conn *c = db_cli_conn();
	assert_int_equal(license_find_valid(c, type, hidx(HOLDER), found, &view, &err), 1);
	assert_string_equal(found, id2);
	assert_string_equal(json_string_value(json_object_get(view, "identifier")), id2);
	assert_string_equal(json_string_value(json_object_get(
				json_object_get(json_object_get(view, "data"), "fields"), "字号")),
			    "小明便利店");
	json_decref(view);
	assert_int_equal(
	    license_find_valid(c, type, hidx("110101199003077777"), found, &view, &err), 0);
	assert_null(view);

	exec_sql("UPDATE licenses SET data = replace(data, '小明', '大明') WHERE serial = 2");
	assert_int_equal(license_find_valid(c, type, hidx(HOLDER), found, &view, &err), 1);
	assert_string_equal(found, id1);
	json_decref(view);
	exec_sql("UPDATE licenses SET status = 'revoked'");
	assert_int_equal(license_find_valid(c, type, hidx(HOLDER), found, &view, &err), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_payload),
	    cmocka_unit_test_setup_teardown(test_sign_verify, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_issue_and_verify, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_find_valid, setup, teardown),
	};
	return cmocka_run_group_tests(tests, group_setup, NULL);
}
