/* audit.c - appending to and verifying the SM3 hash chain of audit records. */
#include "domain/audit.h"
#include "base/buf.h"
#include "base/clock.h"
#include "base/log.h"
#include "base/ticker.h"
#include "base/xmalloc.h"
#include "crypto/nodekey.h"
#include "crypto/sm3.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Set when the running write transaction appended a record; only the
 * writer thread (or the CLI's inline writer, under its lock) touches it. */
static int appended;

static const char zero_hash[] = "0000000000000000000000000000000000000000000000000000000000000000";

/* Computes the chain hash of one record into out (hex). */
static int
record_hash(const char *prev_hex, int64_t seq, int64_t at, int64_t actor, const char *action,
	    const char *object, json_t *data, char out[SM3_HEX_LEN])
{
	unsigned char prev[SM3_LEN], md[SM3_LEN];
	json_t *rec;
	char *canon;
	struct buf b;

	if (hex_decode(prev_hex, prev, sizeof(prev)) != SM3_LEN)
		return -1;
	rec = json_pack("{s:s, s:I, s:I, s:O, s:s, s:I}", "action", action, "actor",
			(json_int_t)actor, "at", (json_int_t)at, "data", data, "object", object,
			"seq", (json_int_t)seq);
	if (rec == NULL)
		return -1;
	canon = json_dumps(rec, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(rec);
	if (canon == NULL)
		return -1;
	buf_init(&b);
	buf_append(&b, prev, sizeof(prev));
	buf_puts(&b, canon);
	sm3_digest(b.data, b.len, md);
	hex_encode(md, SM3_LEN, out);
	buf_cleanup(&b);
	free(canon);
	return 0;
}

/* The chain head: DB_ROW with *seq and hash filled, DB_DONE when its row is
 * missing, or a negative error. lock: with PostgreSQL several processes
 * write, so an appender locks the head row until commit and the chain stays
 * one chain (SQLite has one writer). */
static int
head_get(db_conn *c, int lock, int64_t *seq, char hash[SM3_HEX_LEN], struct zt_err *err)
{
	*seq = 0; /* defined whatever the outcome */
	hash[0] = '\0';
	db_stmt *h = db_prepare(c,
				lock && db_kind() == DB_PG
				    ? "SELECT seq, hash FROM audit_head WHERE id = 1 FOR UPDATE"
				    : "SELECT seq, hash FROM audit_head WHERE id = 1",
				err);
	if (h == NULL)
		return err->code;
	int rc = db_step(h, err);
	if (rc == DB_ROW) {
		*seq = db_col_int(h, 0);
		snprintf(hash, SM3_HEX_LEN, "%s", db_col_text(h, 1));
	}
	db_reset(h);
	return rc;
}

int
audit_append(db_conn *c, int64_t actor_id, const char *action, const char *object, json_t *data,
	     struct zt_err *err)
{
	char prev[SM3_HEX_LEN], hash[SM3_HEX_LEN];
	int64_t seq, at = clock_now();
	json_t *empty = NULL;
	char *text = NULL;
	int rc;

	if ((rc = head_get(c, 1, &seq, prev, err)) != DB_ROW)
		return rc < 0 ? rc : err_set(err, ZT_EINTERNAL, "", "audit", "audit head missing");
	seq++;

	if (data == NULL)
		data = empty = json_object();
	if (record_hash(prev, seq, at, actor_id, action, object, data, hash) < 0) {
		rc = err_set(err, ZT_EINTERNAL, "", "audit", "cannot hash audit record");
		goto out;
	}
	text = json_dumps(data, JSON_COMPACT | JSON_SORT_KEYS);
	db_stmt *ins =
	    db_prepare(c,
		       "INSERT INTO audit_log (seq, at, actor_id, action, object_type,"
		       " object_id, data, prev_hash, hash) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9)",
		       err);
	if (ins == NULL) {
		rc = err->code;
		goto out;
	}
	const char *colon = strchr(object, ':');
	db_bind_int(ins, 1, seq);
	db_bind_int(ins, 2, at);
	if (actor_id > 0)
		db_bind_int(ins, 3, actor_id);
	else
		db_bind_null(ins, 3);
	db_bind_text(ins, 4, action);
	if (colon) {
		db_bind_textn(ins, 5, object, (size_t)(colon - object));
		db_bind_text(ins, 6, colon + 1);
	} else {
		db_bind_text(ins, 5, object);
		db_bind_text(ins, 6, "");
	}
	db_bind_text(ins, 7, text);
	db_bind_text(ins, 8, prev);
	db_bind_text(ins, 9, hash);
	if ((rc = db_step(ins, err)) < 0)
		goto out;
	db_stmt *up = db_prepare(c, "UPDATE audit_head SET seq = ?1, hash = ?2 WHERE id = 1", err);
	if (up == NULL) {
		rc = err->code;
		goto out;
	}
	db_bind_int(up, 1, seq);
	db_bind_text(up, 2, hash);
	rc = db_step(up, err);
	rc = rc < 0 ? rc : 0;
	if (rc == 0)
		appended = 1;
out:
	free(text);
	json_decref(empty);
	return rc;
}

static int64_t verify_signatures(db_conn *c, int64_t head, struct zt_err *err);

int64_t
audit_verify(db_conn *c, int64_t *checked, void (*progress)(int64_t done, int64_t total),
	     struct zt_err *err)
{
	char prev[SM3_HEX_LEN], hash[SM3_HEX_LEN];
	int64_t expect = 1, total, bad = 0;
	int rc;

	*checked = 0;
	total = db_query_int(c, "SELECT count(*) FROM audit_log", 0, err);
	snprintf(prev, sizeof(prev), "%s", zero_hash);
	db_stmt *s = db_prepare(c,
				"SELECT seq, at, actor_id, action, object_type, object_id, data,"
				" prev_hash, hash FROM audit_log ORDER BY seq",
				err);
	if (s == NULL)
		return err->code;
	while ((rc = db_step(s, err)) == DB_ROW) {
		int64_t seq = db_col_int(s, 0);
		const char *otype = db_col_text(s, 4), *oid = db_col_text(s, 5);
		const char *dtext = db_col_text(s, 6), *ph = db_col_text(s, 7),
			   *hh = db_col_text(s, 8);
		char object[256];
		json_t *data;

		(*checked)++;
		if (progress && *checked % 10000 == 0)
			progress(*checked, total);
		if (seq != expect) {
			bad = expect;
			err_set(err, ZT_EINVAL, "", "gap",
				"record %lld is missing (next record found is %lld)",
				(long long)expect, (long long)seq);
			break;
		}
		if (ph == NULL || strcmp(ph, prev) != 0) {
			bad = seq;
			err_set(err, ZT_EINVAL, "", "link",
				"record %lld does not link to the previous record's hash",
				(long long)seq);
			break;
		}
		data = dtext ? json_loads(dtext, 0, NULL) : NULL;
		snprintf(object, sizeof(object), "%s%s%s", otype ? otype : "",
			 oid && *oid ? ":" : "", oid ? oid : "");
		if (data == NULL ||
		    record_hash(prev, seq, db_col_int(s, 1),
				db_col_isnull(s, 2) ? 0 : db_col_int(s, 2), db_col_text(s, 3),
				object, data, hash) < 0 ||
		    hh == NULL || strcmp(hh, hash) != 0) {
			json_decref(data);
			bad = seq;
			err_set(err, ZT_EINVAL, "", "hash",
				"record %lld was changed: its content does not match its hash",
				(long long)seq);
			break;
		}
		json_decref(data);
		snprintf(prev, sizeof(prev), "%s", hh);
		expect++;
	}
	db_reset(s);
	if (rc < 0)
		return rc;
	if (bad)
		return bad;
	int64_t hseq;
	char hhash[SM3_HEX_LEN];
	if (head_get(c, 0, &hseq, hhash, err) != DB_ROW) {
		err_set(err, ZT_EINVAL, "", "head", "audit head record is missing");
		return expect;
	}
	int head_ok = strcmp(hhash, prev) == 0;
	if (hseq != expect - 1 || !head_ok) {
		err_set(err, ZT_EINVAL, "", "tail",
			"the chain ends at record %lld but its head says %lld: records were "
			"deleted or added at the end",
			(long long)(expect - 1), (long long)hseq);
		/* Records past the head were added; or the head's hash differs. */
		if (hseq < expect - 1)
			return hseq + 1;
		return hseq >= expect ? expect : (hseq > 0 ? hseq : 1);
	}
	return verify_signatures(c, hseq, err);
}

/* The signed message for a head. */
static int
head_message(char *out, size_t cap, int64_t seq, const char *hash)
{
	return snprintf(out, cap, "zt-audit|%lld|%s", (long long)seq, hash);
}

/* Signing costs about half a millisecond of one core, far more than the
 * records of a busy transaction: so a transaction is signed with SM2 when
 * the last signature of this process is a second old, and sealed with the
 * node's HMAC-SM3 otherwise; the seal thread then signs the head within a
 * second (audit_seal_start). last_sm2_ns is the writer's own. */
#define SM2_EVERY_NS 1000000000ull
static uint64_t last_sm2_ns;
static atomic_int unsealed; /* the newest seal is an HMAC */

/* Seals the current head: SM2 when force or due, HMAC-SM3 otherwise. An
 * existing HMAC seal of the same head is replaced by a signature. */
static int
seal_head(db_conn *c, int force, struct zt_err *err)
{
	char msg[128], hash[SM3_HEX_LEN], mac[SM3_HEX_LEN];
	char *sig = NULL;
	const char *alg;
	uint64_t now = clock_mono_ns();
	int64_t seq;
	int rc;

	if ((rc = head_get(c, 0, &seq, hash, err)) != DB_ROW)
		return rc < 0 ? rc : 0;
	if (seq == 0)
		return 0;
	head_message(msg, sizeof(msg), seq, hash);
	if ((rc = nodekey_register(c, err)) < 0)
		return rc;
	if (force || last_sm2_ns == 0 || now - last_sm2_ns >= SM2_EVERY_NS) {
		if ((rc = nodekey_sign(msg, strlen(msg), &sig, err)) < 0)
			return rc;
		alg = "sm2";
	} else {
		if ((rc = nodekey_mac(msg, strlen(msg), mac, err)) < 0)
			return rc;
		alg = "hmac-sm3";
	}
	db_stmt *ins = db_prepare(c,
				  "INSERT INTO audit_signatures (seq, hash, key_id, alg, sig, at)"
				  " VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (seq) DO UPDATE"
				  " SET key_id = excluded.key_id, alg = excluded.alg,"
				  " sig = excluded.sig, at = excluded.at"
				  " WHERE audit_signatures.alg <> 'sm2' AND excluded.alg = 'sm2'",
				  err);
	if (ins == NULL) {
		free(sig);
		return err->code;
	}
	db_bind_int(ins, 1, seq);
	db_bind_text(ins, 2, hash);
	db_bind_text(ins, 3, nodekey_id());
	db_bind_text(ins, 4, alg);
	db_bind_text(ins, 5, sig ? sig : mac);
	db_bind_int(ins, 6, clock_now());
	rc = db_step(ins, err);
	int signed_sm2 = sig != NULL;
	free(sig);
	if (rc < 0)
		return rc;
	if (signed_sm2) {
		last_sm2_ns = now;
		atomic_store(&unsealed, 0);
	} else
		atomic_store(&unsealed, 1);
	return 0;
}

/* The db pre-commit hook: seals the head once per transaction that
 * appended records. */
static int
sign_head(db_conn *c, struct zt_err *err)
{
	if (!appended || !nodekey_ready())
		return 0;
	appended = 0;
	return seal_head(c, 0, err);
}

void
audit_enable_signing(void)
{
	last_sm2_ns = 0; /* the first seal is a signature */
	atomic_store(&unsealed, 0);
	db_set_precommit(sign_head);
}

/* ---- the seal thread ---- */

static struct ticker sealer;

static int
tx_seal(db_conn *c, void *arg, struct zt_err *err)
{
	(void)arg;
	return seal_head(c, 1, err);
}

void
audit_seal_flush(void)
{
	struct zt_err err;

	if (!atomic_load(&unsealed) || !nodekey_ready())
		return;
	err_clear(&err);
	if (db_write(tx_seal, NULL, &err) < 0)
		log_warn("audit seal failed: %s", err.msg);
}

static void
seal_tick(void *unused)
{
	(void)unused;
	audit_seal_flush();
}

int
audit_seal_start(void)
{
	/* Twice a second: the newest head is signed within a second. */
	return ticker_start(&sealer, seal_tick, NULL, 500, 0);
}

void
audit_seal_stop(void)
{
	ticker_stop(&sealer);
	audit_seal_flush();
}

int64_t
audit_last_signed(db_conn *c, char key_id[17], struct zt_err *err)
{
	int64_t seq = 0;

	key_id[0] = '\0';
	db_stmt *s = db_prepare(c,
				"SELECT seq, key_id FROM audit_signatures WHERE alg = 'sm2'"
				" ORDER BY seq DESC LIMIT 1",
				err);
	if (s == NULL)
		return err->code;
	int rc = db_step(s, err);
	if (rc == DB_ROW) {
		seq = db_col_int(s, 0);
		snprintf(key_id, 17, "%s", db_col_text(s, 1));
	}
	db_reset(s);
	return rc < 0 ? rc : seq;
}

/* Part two of audit_verify, on an intact chain of head records: the
 * seals. Returns 0, the first sequence number not vouched for, or a
 * negative error. */
static int64_t
verify_signatures(db_conn *c, int64_t head, struct zt_err *err)
{
	struct seal {
		int64_t seq;
		char hash[SM3_HEX_LEN], key[64], sig[256], alg[12];
	} sm2 = {0}, last = {0};
	int64_t prev_sm2 = 0, bad = 0;
	int rc;

	db_stmt *s = db_prepare(c,
				"SELECT g.seq, g.hash, g.key_id, g.sig, g.alg, l.hash"
				" FROM audit_signatures g LEFT JOIN audit_log l ON l.seq = g.seq"
				" ORDER BY g.seq",
				err);
	if (s == NULL)
		return err->code;
	while ((rc = db_step(s, err)) == DB_ROW) {
		int64_t seq = db_col_int(s, 0);
		const char *gh = db_col_text(s, 1), *lh = db_col_text(s, 5);
		if (lh == NULL || gh == NULL || strcmp(gh, lh) != 0) {
			bad = last.seq + 1;
			err_set(err, ZT_EINVAL, "", "signature",
				"records %lld..%lld do not match the head the node sealed at %lld",
				(long long)bad, (long long)seq, (long long)seq);
			break;
		}
		last.seq = seq;
		snprintf(last.hash, sizeof(last.hash), "%s", gh);
		snprintf(last.key, sizeof(last.key), "%s", db_col_text(s, 2));
		snprintf(last.sig, sizeof(last.sig), "%s", db_col_text(s, 3));
		snprintf(last.alg, sizeof(last.alg), "%s", db_col_text(s, 4));
		if (strcmp(last.alg, "sm2") == 0) {
			prev_sm2 = sm2.seq;
			sm2 = last;
		}
	}
	db_reset(s);
	if (rc < 0)
		return rc;
	if (bad)
		return bad;
	if (last.seq == 0)
		return 0; /* never sealed: the hashes are all there is */
	char msg[128];
	if (sm2.seq > 0) {
		head_message(msg, sizeof(msg), sm2.seq, sm2.hash);
		rc = nodekey_verify(c, sm2.key, msg, strlen(msg), sm2.sig, err);
		if (rc < 0)
			return rc;
		if (rc == 0) {
			err_set(err, ZT_EINVAL, "", "signature",
				"the signature over record %lld is not valid for key %s",
				(long long)sm2.seq, sm2.key);
			return prev_sm2 + 1;
		}
	}
	if (last.seq > sm2.seq) {
		/* Newer than the last signature: a MAC only the node can check. */
		head_message(msg, sizeof(msg), last.seq, last.hash);
		rc = nodekey_mac_verify(last.key, msg, strlen(msg), last.sig);
		if (rc == 0) {
			err_set(err, ZT_EINVAL, "", "signature",
				"the seal over record %lld is not the node's (key %s)",
				(long long)last.seq, last.key);
			return sm2.seq + 1;
		}
	}
	if (last.seq < head) {
		err_set(err, ZT_EINVAL, "", "unsigned",
			"records %lld..%lld were added without the node's signature",
			(long long)(last.seq + 1), (long long)head);
		return last.seq + 1;
	}
	return 0;
}
