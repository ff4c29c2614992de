/* audit.c - appending to and verifying the SM3 hash chain of audit records. */
#include "domain/audit.h"
#include "base/buf.h"
#include "base/clock.h"
#include "base/xmalloc.h"
#include "crypto/nodekey.h"
#include "crypto/sm3.h"

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

int
audit_append(db_conn *c, int64_t actor_id, const char *action, const char *object, json_t *data,
	     struct zt_err *err)
{
	char prev[SM3_HEX_LEN], hash[SM3_HEX_LEN];
	int64_t seq, at = clock_now();
	json_t *empty = NULL;
	char *text = NULL;
	int rc;

	/* With PostgreSQL several processes write: the head row is locked until
	 * commit, so the chain stays one chain. SQLite has one writer. */
	db_stmt *h = db_prepare(c,
				db_kind() == DB_PG
				    ? "SELECT seq, hash FROM audit_head WHERE id = 1 FOR UPDATE"
				    : "SELECT seq, hash FROM audit_head WHERE id = 1",
				err);
	if (h == NULL)
		return err->code;
	if ((rc = db_step(h, err)) != DB_ROW) {
		db_reset(h);
		return rc < 0 ? rc : err_set(err, ZT_EINTERNAL, "", "audit", "audit head missing");
	}
	seq = db_col_int(h, 0) + 1;
	snprintf(prev, sizeof(prev), "%s", db_col_text(h, 1));
	db_reset(h);

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
	db_stmt *h = db_prepare(c, "SELECT seq, hash FROM audit_head WHERE id = 1", err);
	if (h == NULL)
		return err->code;
	if (db_step(h, err) != DB_ROW) {
		db_reset(h);
		err_set(err, ZT_EINVAL, "", "head", "audit head record is missing");
		return expect;
	}
	int64_t hseq = db_col_int(h, 0);
	int head_ok = strcmp(db_col_text(h, 1), prev) == 0;
	db_reset(h);
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

/* The db pre-commit hook: signs the head once per transaction that
 * appended records. */
static int
sign_head(db_conn *c, struct zt_err *err)
{
	char msg[128], hash[SM3_HEX_LEN];
	char *sig = NULL;
	int64_t seq;
	int rc;

	if (!appended || !nodekey_ready())
		return 0;
	appended = 0;
	db_stmt *h = db_prepare(c, "SELECT seq, hash FROM audit_head WHERE id = 1", err);
	if (h == NULL)
		return err->code;
	if ((rc = db_step(h, err)) != DB_ROW) {
		db_reset(h);
		return rc < 0 ? rc : 0;
	}
	seq = db_col_int(h, 0);
	snprintf(hash, sizeof(hash), "%s", db_col_text(h, 1));
	db_reset(h);
	head_message(msg, sizeof(msg), seq, hash);
	if ((rc = nodekey_register(c, err)) < 0 ||
	    (rc = nodekey_sign(msg, strlen(msg), &sig, err)) < 0)
		return rc;
	db_stmt *ins = db_prepare(c,
				  "INSERT INTO audit_signatures (seq, hash, key_id, sig, at)"
				  " VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (seq) DO NOTHING",
				  err);
	if (ins == NULL) {
		free(sig);
		return err->code;
	}
	db_bind_int(ins, 1, seq);
	db_bind_text(ins, 2, hash);
	db_bind_text(ins, 3, nodekey_id());
	db_bind_text(ins, 4, sig);
	db_bind_int(ins, 5, clock_now());
	rc = db_step(ins, err);
	free(sig);
	return rc < 0 ? rc : 0;
}

void
audit_enable_signing(void)
{
	db_set_precommit(sign_head);
}

int64_t
audit_last_signed(db_conn *c, char key_id[17], struct zt_err *err)
{
	int64_t seq = 0;

	key_id[0] = '\0';
	db_stmt *s = db_prepare(
	    c, "SELECT seq, key_id FROM audit_signatures ORDER BY seq DESC LIMIT 1", err);
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
 * signatures. Returns 0, the first sequence number not vouched for, or a
 * negative error. */
static int64_t
verify_signatures(db_conn *c, int64_t head, struct zt_err *err)
{
	int64_t last = 0, prev_signed = 0, bad = 0;
	char last_hash[SM3_HEX_LEN] = "", last_key[64] = "", last_sig[256] = "";
	int rc;

	db_stmt *s =
	    db_prepare(c,
		       "SELECT g.seq, g.hash, g.key_id, g.sig, l.hash FROM audit_signatures g"
		       " LEFT JOIN audit_log l ON l.seq = g.seq ORDER BY g.seq",
		       err);
	if (s == NULL)
		return err->code;
	while ((rc = db_step(s, err)) == DB_ROW) {
		int64_t seq = db_col_int(s, 0);
		const char *gh = db_col_text(s, 1), *lh = db_col_text(s, 4);
		if (lh == NULL || gh == NULL || strcmp(gh, lh) != 0) {
			bad = last + 1;
			err_set(err, ZT_EINVAL, "", "signature",
				"records %lld..%lld do not match the head the node signed at %lld",
				(long long)bad, (long long)seq, (long long)seq);
			break;
		}
		prev_signed = last;
		last = seq;
		snprintf(last_hash, sizeof(last_hash), "%s", gh);
		snprintf(last_key, sizeof(last_key), "%s", db_col_text(s, 2));
		snprintf(last_sig, sizeof(last_sig), "%s", db_col_text(s, 3));
	}
	db_reset(s);
	if (rc < 0)
		return rc;
	if (bad)
		return bad;
	if (last == 0)
		return 0; /* never signed: the hashes are all there is */
	char msg[128];
	head_message(msg, sizeof(msg), last, last_hash);
	rc = nodekey_verify(c, last_key, msg, strlen(msg), last_sig, err);
	if (rc < 0)
		return rc;
	if (rc == 0) {
		err_set(err, ZT_EINVAL, "", "signature",
			"the signature over record %lld is not valid for key %s", (long long)last,
			last_key);
		return prev_signed + 1;
	}
	if (last < head) {
		err_set(err, ZT_EINVAL, "", "unsigned",
			"records %lld..%lld were added without the node's signature",
			(long long)(last + 1), (long long)head);
		return last + 1;
	}
	return 0;
}
