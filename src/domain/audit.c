/* audit.c - appending to and verifying the SM3 hash chain of audit records. */
#include "domain/audit.h"
#include "base/buf.h"
#include "base/clock.h"
#include "base/xmalloc.h"
#include "crypto/sm3.h"

#include <stdio.h>
#include <string.h>

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
out:
	free(text);
	json_decref(empty);
	return rc;
}

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
	return 0;
}
