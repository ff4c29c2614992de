/* keys_cli.c - the data keyring at startup, the one-time encryption of
 * clear values, and `zhengtong keys status|rotate|remove`.
 *
 * Where encrypted values and blind indexes live (migration 014):
 *   enc_cols  - columns holding one "enc1:" value each;
 *   idx_cols  - blind-index columns with the encrypted value beside them;
 *   subj_tabs - access subject tables: blind indexes without a clear copy
 *               (re-keyed through the values known elsewhere);
 *   resource_rows - subject and personal keys (indexes), personal and
 *               sensitive values inside data (encrypted);
 *   json_cols - free-form JSON (case forms) with every string and number
 *               value sealed wherever it sits (crypto/fieldenc.h);
 *   fed_rows  - rows received by subscriptions: the values of the grant's
 *               clear fields inside data (encrypted), a key given in clear
 *               that is one of them (index; fed/xshare.h). */
#include "cli/keys_cli.h"
#include "base/buf.h"
#include "base/config.h"
#include "base/ident.h"
#include "base/log.h"
#include "base/xmalloc.h"
#include "cli/cli.h"
#include "crypto/fieldenc.h"
#include "db/db.h"
#include "domain/resource.h"
#include "fed/xshare.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct col {
	const char *table, *pk, *col;
};

static const struct col enc_cols[] = {
    {"users", "id", "phone"},
    {"users", "id", "id_number_enc"},
    {"complaints", "id", "contact_name"},
    {"complaints", "id", "contact_phone"},
    {"fed_cases", "id", "applicant_phone"},
    {"fed_cases", "id", "applicant_id_no_enc"},
    {"licenses", "id", "holder_id_enc"},
    {"fed_outbox", "id", "payload"},
};
#define NENC (sizeof(enc_cols) / sizeof(enc_cols[0]))

struct idxcol {
	const char *table, *pk, *col, *enccol;
};

static const struct idxcol idx_cols[] = {
    {"users", "id", "id_number", "id_number_enc"},
    {"fed_cases", "id", "applicant_id_no", "applicant_id_no_enc"},
    {"licenses", "id", "holder_id", "holder_id_enc"},
};
#define NIDX (sizeof(idx_cols) / sizeof(idx_cols[0]))

static const struct col json_cols[] = {
    {"cases", "id", "form"},
    {"fed_cases", "id", "form"},
};
#define NJSON (sizeof(json_cols) / sizeof(json_cols[0]))

static const char *const subj_tabs[] = {"access_subjects", "fed_share_served_subjects"};
#define NSUBJ (sizeof(subj_tabs) / sizeof(subj_tabs[0]))

static const struct col query_cols[] = {
    {"access_records", "id", "query"},
    {"fed_share_access", "id", "query"},
    {"fed_share_served", "id", "query"},
};
#define NQUERY (sizeof(query_cols) / sizeof(query_cols[0]))

/* node_meta fieldenc.converted: the last conversion level done (see
 * tx_convert; absent = none). */
#define META_CONVERTED "fieldenc.converted"
#define CONVERT_LEVEL  5

/* ---- small helpers ---- */

struct pair {
	int64_t id;
	char *a, *b;
};

struct pairs {
	struct pair *p;
	size_t n, cap;
};

static void
pairs_add(struct pairs *ps, int64_t id, const char *a, const char *b)
{
	if (ps->n == ps->cap) {
		ps->cap = ps->cap ? 2 * ps->cap : 64;
		ps->p = xrealloc(ps->p, ps->cap * sizeof(*ps->p));
	}
	ps->p[ps->n].id = id;
	ps->p[ps->n].a = a ? xstrdup(a) : NULL;
	ps->p[ps->n].b = b ? xstrdup(b) : NULL;
	ps->n++;
}

static void
pairs_free(struct pairs *ps)
{
	for (size_t i = 0; i < ps->n; i++) {
		free(ps->p[i].a);
		free(ps->p[i].b);
	}
	free(ps->p);
	memset(ps, 0, sizeof(*ps));
}

/* Runs sql (one or two text/int columns) and collects (col0 as id or text,
 * col1, col2). */
static int
collect(db_conn *c, const char *sql, int id_col, int64_t bind1, int nbind, struct pairs *out,
	struct zt_err *err)
{
	db_stmt *s = db_prepare_once(c, sql, err);
	int rc;

	if (s == NULL)
		return err->code;
	if (nbind)
		db_bind_int(s, 1, bind1);
	while ((rc = db_step(s, err)) == DB_ROW) {
		if (id_col)
			pairs_add(out, db_col_int(s, 0), db_col_text(s, 1), db_col_text(s, 2));
		else
			pairs_add(out, 0, db_col_text(s, 0), db_col_text(s, 1));
	}
	db_finalize(s);
	return rc < 0 ? rc : 0;
}

static int
exec_text2(db_conn *c, const char *sql, const char *a, const char *b, int64_t id, int use_id,
	   struct zt_err *err)
{
	db_stmt *s = db_prepare_once(c, sql, err);
	int rc;

	if (s == NULL)
		return err->code;
	db_bind_text(s, 1, a);
	if (use_id)
		db_bind_int(s, 2, id);
	else
		db_bind_text(s, 2, b);
	rc = db_step(s, err);
	db_finalize(s);
	return rc < 0 ? rc : 0;
}

static int
meta_get(db_conn *c, const char *key, char *out, size_t cap, struct zt_err *err)
{
	db_stmt *s = db_prepare(c, "SELECT value FROM node_meta WHERE key = ?1", err);
	if (s == NULL)
		return err->code;
	db_bind_text(s, 1, key);
	int rc = db_step(s, err);
	if (rc == DB_ROW)
		snprintf(out, cap, "%s", db_col_text(s, 0));
	db_reset(s);
	return rc < 0 ? rc : rc == DB_ROW;
}

static int
meta_put(db_conn *c, const char *key, const char *value, struct zt_err *err)
{
	db_stmt *s = db_prepare(c,
				"INSERT INTO node_meta (key, value) VALUES (?1, ?2)"
				" ON CONFLICT (key) DO UPDATE SET value = excluded.value",
				err);
	if (s == NULL)
		return err->code;
	db_bind_text(s, 1, key);
	db_bind_text(s, 2, value);
	int rc = db_step(s, err);
	return rc < 0 ? rc : 0;
}

/* ---- one-time conversion of clear values ---- */

static int
convert_users(db_conn *c, int64_t *n, struct zt_err *err)
{
	struct pairs ps = {0};
	int rc;

	/* a = login, b = id_number; phone read per row below. */
	rc = collect(c,
		     "SELECT id, login, id_number FROM users WHERE id_number IS NOT NULL"
		     " AND id_number NOT LIKE 'bi1:%'",
		     1, 0, 0, &ps, err);
	for (size_t i = 0; rc == 0 && i < ps.n; i++) {
		char idx[FIELDENC_IDX_LEN], login[200];
		const char *l = ps.p[i].a, *id = ps.p[i].b;
		size_t ll = strlen(l), il = strlen(id);
		fieldenc_index(id, idx);
		if (strcmp(l, id) == 0)
			snprintf(login, sizeof(login), "%s", idx);
		else if (ll > il && strcmp(l + ll - il, id) == 0) /* fed.<R>.<id> shadows */
			snprintf(login, sizeof(login), "%.*s%s", (int)(ll - il), l, idx + 4);
		else
			snprintf(login, sizeof(login), "%s", l);
		char *enc = fieldenc_encrypt_str(id);
		db_stmt *s = db_prepare_once(c,
					     "UPDATE users SET login = ?1, id_number = ?2,"
					     " id_number_enc = ?3 WHERE id = ?4",
					     err);
		if (s == NULL) {
			rc = err->code;
		} else {
			db_bind_text(s, 1, login);
			db_bind_text(s, 2, idx);
			db_bind_text(s, 3, enc);
			db_bind_int(s, 4, ps.p[i].id);
			rc = db_step(s, err) < 0 ? err->code : 0;
			db_finalize(s);
		}
		free(enc);
		(*n)++;
	}
	pairs_free(&ps);
	return rc;
}

static int
convert_idx(db_conn *c, const struct idxcol *x, int64_t *n, struct zt_err *err)
{
	struct pairs ps = {0};
	char sql[300];
	int rc;

	snprintf(sql, sizeof(sql), "SELECT %s, %s FROM %s WHERE %s NOT LIKE 'bi1:%%'", x->pk,
		 x->col, x->table, x->col);
	rc = collect(c, sql, 1, 0, 0, &ps, err);
	snprintf(sql, sizeof(sql), "UPDATE %s SET %s = ?1, %s = ?3 WHERE %s = ?2", x->table, x->col,
		 x->enccol, x->pk);
	for (size_t i = 0; rc == 0 && i < ps.n; i++) {
		char idx[FIELDENC_IDX_LEN];
		fieldenc_index(ps.p[i].a, idx);
		char *enc = fieldenc_encrypt_str(ps.p[i].a);
		db_stmt *s = db_prepare_once(c, sql, err);
		if (s == NULL)
			rc = err->code;
		else {
			db_bind_text(s, 1, idx);
			db_bind_int(s, 2, ps.p[i].id);
			db_bind_text(s, 3, enc);
			rc = db_step(s, err) < 0 ? err->code : 0;
			db_finalize(s);
		}
		free(enc);
		(*n)++;
	}
	pairs_free(&ps);
	return rc;
}

static int
convert_enc(db_conn *c, const struct col *x, int64_t *n, struct zt_err *err)
{
	struct pairs ps = {0};
	char sql[300];
	int rc;

	snprintf(sql, sizeof(sql),
		 "SELECT %s, %s FROM %s WHERE %s IS NOT NULL AND %s NOT LIKE 'enc1:%%'", x->pk,
		 x->col, x->table, x->col, x->col);
	rc = collect(c, sql, 1, 0, 0, &ps, err);
	snprintf(sql, sizeof(sql), "UPDATE %s SET %s = ?1 WHERE %s = ?2", x->table, x->col, x->pk);
	for (size_t i = 0; rc == 0 && i < ps.n; i++) {
		char *enc = fieldenc_encrypt_str(ps.p[i].a);
		rc = exec_text2(c, sql, enc, NULL, ps.p[i].id, 1, err);
		free(enc);
		(*n)++;
	}
	pairs_free(&ps);
	return rc;
}

static int
convert_subjects(db_conn *c, const char *table, int64_t *n, struct zt_err *err)
{
	struct pairs ps = {0};
	char sql[300];
	int rc;

	snprintf(sql, sizeof(sql),
		 "SELECT DISTINCT subject FROM %s WHERE subject NOT LIKE 'bi1:%%'", table);
	rc = collect(c, sql, 0, 0, 0, &ps, err);
	snprintf(sql, sizeof(sql), "UPDATE %s SET subject = ?1 WHERE subject = ?2", table);
	for (size_t i = 0; rc == 0 && i < ps.n; i++) {
		char idx[FIELDENC_IDX_LEN];
		fieldenc_index(ps.p[i].a, idx);
		rc = exec_text2(c, sql, idx, ps.p[i].a, 0, 0, err);
		(*n)++;
	}
	pairs_free(&ps);
	return rc;
}

static int
convert_queries(db_conn *c, const struct col *x, int64_t *n, struct zt_err *err)
{
	struct pairs ps = {0};
	char sql[300];
	int rc;

	snprintf(sql, sizeof(sql), "SELECT %s, %s FROM %s", x->pk, x->col, x->table);
	rc = collect(c, sql, 1, 0, 0, &ps, err);
	snprintf(sql, sizeof(sql), "UPDATE %s SET %s = ?1 WHERE %s = ?2", x->table, x->col, x->pk);
	for (size_t i = 0; rc == 0 && i < ps.n; i++) {
		char *clean = fieldenc_scrub(ps.p[i].a);
		if (strcmp(clean, ps.p[i].a) != 0) {
			rc = exec_text2(c, sql, clean, NULL, ps.p[i].id, 1, err);
			(*n)++;
		}
		free(clean);
	}
	pairs_free(&ps);
	return rc;
}

/* Queues a row rewrite: a = "old key\nnew subject", b = "new key\ndata". */
static void
add_rewrite(struct pairs *ps, const char *oldkey, const char *nsub, const char *nkey,
	    const char *data)
{
	char *a = xmalloc(strlen(oldkey) + strlen(nsub) + 2);
	char *b = xmalloc(strlen(nkey) + strlen(data) + 2);

	sprintf(a, "%s\n%s", oldkey, nsub);
	sprintf(b, "%s\n%s", nkey, data);
	pairs_add(ps, 0, NULL, NULL);
	ps->p[ps->n - 1].a = a;
	ps->p[ps->n - 1].b = b;
}

/* Rewrites one resource's rows: what = 0 seals clear values and indexes
 * clear subjects and keys (conversion); 2 recomputes blind indexes under
 * lookup version ver (lookup rotation: the new version, not current yet). */
static int
rows_rewrite(db_conn *c, int64_t rid, int what, int ver, int64_t *n, struct zt_err *err)
{
	struct resource_meta m;
	struct pairs ps = {0};
	int rc;

	if ((rc = resource_meta_load(c, rid, NULL, &m, err)) < 0)
		return rc;
	int kp = resource_key_is_personal(&m);
	db_stmt *s = db_prepare_once(c,
				     "SELECT key, subject, data FROM resource_rows"
				     " WHERE resource_id = ?1 ORDER BY key",
				     err);
	if (s == NULL)
		return err->code;
	db_bind_int(s, 1, rid);
	while ((rc = db_step(s, err)) == DB_ROW) {
		const char *key = db_col_text(s, 0), *sub = db_col_text(s, 1);
		json_t *d = json_loads(db_col_text(s, 2), 0, NULL);
		char nkey[RESOURCE_KEY_MAX], nsub[FIELDENC_IDX_LEN] = "";
		int changed = 0;
		if (!json_is_object(d)) {
			json_decref(d);
			continue;
		}
		if (what == 0) {
			snprintf(nkey, sizeof(nkey), "%s", key);
			if (kp && !fieldenc_is_index(key))
				fieldenc_index(key, nkey), changed = 1;
			if (sub)
				snprintf(nsub, sizeof(nsub), "%s", sub);
			if (sub && !fieldenc_is_index(sub))
				fieldenc_index(sub, nsub), changed = 1;
			char *before = json_dumps(d, JSON_COMPACT | JSON_SORT_KEYS);
			resource_data_seal(&m, d);
			char *after = json_dumps(d, JSON_COMPACT | JSON_SORT_KEYS);
			changed |= strcmp(before, after) != 0;
			if (changed)
				add_rewrite(&ps, key, nsub, nkey, after);
			free(before);
			free(after);
		} else if (what == 2) {
			json_t *clear = json_deep_copy(d);
			struct zt_err e2;
			err_clear(&e2);
			if (resource_data_open(clear, &e2) < 0) {
				json_decref(clear);
				json_decref(d);
				db_finalize(s);
				pairs_free(&ps);
				return err_set(err, e2.code, e2.field, e2.reason, "%s", e2.msg);
			}
			json_t *kv = json_object_get(clear, m.key_field);
			json_t *sv =
			    m.subject_field[0] ? json_object_get(clear, m.subject_field) : NULL;
			char ck[RESOURCE_KEY_MAX];
			if (json_is_integer(kv))
				snprintf(ck, sizeof(ck), "%lld", (long long)json_integer_value(kv));
			else
				snprintf(ck, sizeof(ck), "%s",
					 json_is_string(kv) ? json_string_value(kv) : key);
			if (kp)
				fieldenc_index_ver(ver, ck, nkey);
			else
				snprintf(nkey, sizeof(nkey), "%s", ck);
			if (json_is_string(sv))
				fieldenc_index_ver(ver, json_string_value(sv), nsub);
			changed = strcmp(nkey, key) != 0 || strcmp(nsub, sub ? sub : "") != 0;
			if (changed) {
				char *t = json_dumps(d, JSON_COMPACT | JSON_SORT_KEYS);
				add_rewrite(&ps, key, nsub, nkey, t);
				free(t);
			}
			json_decref(clear);
		}
		json_decref(d);
	}
	db_finalize(s);
	if (rc < 0) {
		pairs_free(&ps);
		return rc;
	}
	rc = 0;
	for (size_t i = 0; rc == 0 && i < ps.n; i++) {
		char *oldkey = ps.p[i].a, *nsub = strchr(oldkey, '\n');
		char *nkey = ps.p[i].b, *data = strchr(nkey, '\n');
		*nsub++ = '\0';
		*data++ = '\0';
		s = db_prepare_once(c,
				    "UPDATE resource_rows SET key = ?1, subject = ?2, data = ?3"
				    " WHERE resource_id = ?4 AND key = ?5",
				    err);
		if (s == NULL) {
			rc = err->code;
			break;
		}
		db_bind_text(s, 1, nkey);
		db_bind_text(s, 2, nsub[0] ? nsub : NULL);
		db_bind_text(s, 3, data);
		db_bind_int(s, 4, rid);
		db_bind_text(s, 5, oldkey);
		rc = db_step(s, err) < 0 ? err->code : 0;
		db_finalize(s);
		(*n)++;
	}
	pairs_free(&ps);
	return rc;
}

static int
all_resources(db_conn *c, int what, int ver, int64_t *n, struct zt_err *err)
{
	struct pairs ids = {0};
	int rc = collect(c, "SELECT DISTINCT resource_id FROM resource_rows ORDER BY 1", 1, 0, 0,
			 &ids, err);

	for (size_t i = 0; rc == 0 && i < ids.n; i++)
		rc = rows_rewrite(c, ids.p[i].id, what, ver, n, err);
	pairs_free(&ids);
	return rc;
}

/* Level 1: the tables of migration 014. */
static int
convert_v1(db_conn *c, int64_t *n, struct zt_err *err)
{
	int rc;

	if ((rc = convert_users(c, n, err)) < 0)
		return rc;
	for (size_t i = 1; i < NIDX; i++)
		if ((rc = convert_idx(c, &idx_cols[i], n, err)) < 0)
			return rc;
	for (size_t i = 0; i < NENC; i++)
		if (strstr(enc_cols[i].col, "_enc") == NULL &&
		    strcmp(enc_cols[i].table, "fed_outbox") != 0 &&
		    (rc = convert_enc(c, &enc_cols[i], n, err)) < 0)
			return rc;
	for (size_t i = 0; i < NSUBJ; i++)
		if ((rc = convert_subjects(c, subj_tabs[i], n, err)) < 0)
			return rc;
	for (size_t i = 0; i < NQUERY; i++)
		if ((rc = convert_queries(c, &query_cols[i], n, err)) < 0)
			return rc;
	if ((rc = all_resources(c, 0, 0, n, err)) < 0)
		return rc;
	/* Failed logins are counted by login name; an ID number there would
	 * stay in clear. The counters are short-lived (login_window): start
	 * them afresh. */
	return db_exec(c, "DELETE FROM login_failures WHERE length(login) = 18", err) < 0
		   ? err->code
		   : 0;
}

/* Level 2: federation outbox payloads. */
static int
convert_v2(db_conn *c, int64_t *n, struct zt_err *err)
{
	static const struct col outbox = {"fed_outbox", "id", "payload"};

	return convert_enc(c, &outbox, n, err);
}

/* Level 3: rows received by subscriptions, sealed as xshare_row_seal
 * seals a new one (the key moves to its index with the row). */
static int
convert_v3(db_conn *c, int64_t *n, struct zt_err *err)
{
	struct pairs reqs = {0};
	int rc = collect(c,
			 "SELECT id, clear_fields, NULL FROM fed_share_requests WHERE id IN"
			 " (SELECT DISTINCT request_id FROM fed_rows) ORDER BY id",
			 1, 0, 0, &reqs, err);

	for (size_t r = 0; rc == 0 && r < reqs.n; r++) {
		struct pairs ps = {0};
		json_t *clear = json_loads(reqs.p[r].a, 0, NULL);
		rc = collect(c, "SELECT request_id, key, data FROM fed_rows WHERE request_id = ?1",
			     1, reqs.p[r].id, 1, &ps, err);
		for (size_t i = 0; rc == 0 && i < ps.n; i++) {
			char skey[RESOURCE_KEY_MAX];
			json_t *row = json_loads(ps.p[i].b, 0, NULL);
			if (!json_is_object(row)) {
				json_decref(row);
				continue;
			}
			xshare_row_seal(row, clear, ps.p[i].a, skey, sizeof(skey));
			char *data = json_dumps(row, JSON_COMPACT | JSON_SORT_KEYS);
			json_decref(row);
			if (strcmp(data, ps.p[i].b) != 0 || strcmp(skey, ps.p[i].a) != 0) {
				db_stmt *s = db_prepare_once(
				    c,
				    "UPDATE fed_rows SET key = ?1, data = ?2 WHERE request_id = ?3"
				    " AND key = ?4",
				    err);
				if (s == NULL)
					rc = err->code;
				else {
					db_bind_text(s, 1, skey);
					db_bind_text(s, 2, data);
					db_bind_int(s, 3, ps.p[i].id);
					db_bind_text(s, 4, ps.p[i].a);
					rc = db_step(s, err) < 0 ? err->code : 0;
					db_finalize(s);
				}
				(*n)++;
			}
			free(data);
		}
		json_decref(clear);
		pairs_free(&ps);
	}
	pairs_free(&reqs);
	return rc;
}

/* Levels 4 and 5: case forms, read in pages by id (a generated node holds
 * many cases). Level 4 sealed the ID numbers and phones inside them; level
 * 5 seals every other string and number value as well. */
static int
convert_forms(db_conn *c, int64_t *n, struct zt_err *err)
{
	int rc = 0;
	char sel[200], upd[200];

	for (size_t t = 0; rc == 0 && t < NJSON; t++) {
		const struct col *x = &json_cols[t];
		int64_t after = 0;
		snprintf(sel, sizeof(sel),
			 "SELECT %s, %s, NULL FROM %s WHERE %s > ?1 AND %s IS NOT NULL ORDER BY %s"
			 " LIMIT 2000",
			 x->pk, x->col, x->table, x->pk, x->col, x->pk);
		snprintf(upd, sizeof(upd), "UPDATE %s SET %s = ?1 WHERE %s = ?2", x->table, x->col,
			 x->pk);
		for (;;) {
			struct pairs ps = {0};
			if ((rc = collect(c, sel, 1, after, 1, &ps, err)) < 0 || ps.n == 0) {
				pairs_free(&ps);
				break;
			}
			for (size_t i = 0; rc == 0 && i < ps.n; i++) {
				json_t *v = json_loads(ps.p[i].a, JSON_DECODE_ANY, NULL);
				int k = 0;
				char *text = fieldenc_seal_json(v, &k);
				if (k > 0) {
					rc = exec_text2(c, upd, text, NULL, ps.p[i].id, 1, err);
					(*n) += k;
				}
				free(text);
				json_decref(v);
			}
			after = ps.p[ps.n - 1].id;
			pairs_free(&ps);
			if (rc < 0)
				break;
		}
	}
	return rc;
}

struct convert_job {
	int from; /* the level done before */
	int64_t n;
};

/* The one-time conversion of clear values, from the level the database is
 * at to CONVERT_LEVEL, in one transaction. Every step leaves values
 * already encrypted or indexed as they are, so a step run twice changes
 * nothing. */
static int
tx_convert(db_conn *c, void *arg, struct zt_err *err)
{
	struct convert_job *j = arg;
	int rc;
	char lvl[16];

	if (j->from < 1 && (rc = convert_v1(c, &j->n, err)) < 0)
		return rc;
	if (j->from < 2 && (rc = convert_v2(c, &j->n, err)) < 0)
		return rc;
	if (j->from < 3 && (rc = convert_v3(c, &j->n, err)) < 0)
		return rc;
	if (j->from < 5 && (rc = convert_forms(c, &j->n, err)) < 0)
		return rc;
	snprintf(lvl, sizeof(lvl), "%d", CONVERT_LEVEL);
	return meta_put(c, META_CONVERTED, lvl, err);
}

/* ---- startup ---- */

struct fp_job {
	int mismatch;
	char what[64];
};

static int
tx_fingerprints(db_conn *c, void *arg, struct zt_err *err)
{
	struct fp_job *j = arg;
	int vs[FIELDENC_MAX_VER > 64 ? 64 : FIELDENC_MAX_VER];

	for (int lookup = 0; lookup <= 1; lookup++) {
		int nv = lookup ? fieldenc_lookup_versions(vs, 64) : fieldenc_versions(vs, 64);
		for (int i = 0; i < nv; i++) {
			char key[64], fp[17], have[64];
			snprintf(key, sizeof(key), "fieldenc.fp.%s.%d", lookup ? "idx" : "enc",
				 vs[i]);
			fieldenc_fingerprint(lookup, vs[i], fp);
			int rc = meta_get(c, key, have, sizeof(have), err);
			if (rc < 0)
				return rc;
			if (rc == 1 && strcmp(have, fp) != 0) {
				j->mismatch = 1;
				snprintf(j->what, sizeof(j->what), "%s key version %d",
					 lookup ? "lookup" : "data", vs[i]);
				return 0;
			}
			if (rc == 0 && (rc = meta_put(c, key, fp, err)) < 0)
				return rc;
		}
	}
	return 0;
}

int
keys_startup(struct zt_err *err)
{
	db_conn *c = db_cli_conn();
	char v[16];
	int rc;

	rc = fieldenc_load(cfg.data_key_file, 0, err);
	if (rc == ZT_ENOTFOUND) {
		int64_t known = db_query_int(
		    c, "SELECT count(*) FROM node_meta WHERE key LIKE 'fieldenc.fp.%'", 0, err);
		if (known != 0)
			return err_set(err, ZT_EINTERNAL, "data_key_file", "missing",
				       "the data key file %s is missing, but the database holds "
				       "data encrypted under it: restore the key file from its "
				       "backup (see docs/security.md)",
				       cfg.data_key_file);
		err_clear(err);
		rc = fieldenc_load(cfg.data_key_file, 1, err);
	}
	if (rc < 0)
		return rc;
	struct fp_job fj = {0};
	if ((rc = db_write(tx_fingerprints, &fj, err)) < 0)
		return rc;
	if (fj.mismatch)
		return err_set(err, ZT_EINTERNAL, "data_key_file", "wrong_key",
			       "the data key file %s does not match this database (%s differs)",
			       cfg.data_key_file, fj.what);
	if ((rc = meta_get(c, META_CONVERTED, v, sizeof(v), err)) < 0)
		return rc;
	struct convert_job cj = {rc == 1 ? atoi(v) : 0, 0};
	if (cj.from < CONVERT_LEVEL) {
		if ((rc = db_write(tx_convert, &cj, err)) < 0)
			return rc;
		if (cj.n > 0)
			log_info("encryption at rest: %lld stored values encrypted or indexed",
				 (long long)cj.n);
	}
	return 0;
}

/* ---- rotation of the data key ---- */

/* Tables of rows (JSON objects with encrypted members), keyed by
 * (an integer id, key). */
static const char *const row_tabs[][2] = {{"resource_rows", "resource_id"},
					  {"fed_rows", "request_id"}};
#define NROWTAB (sizeof(row_tabs) / sizeof(row_tabs[0]))

struct batch {
	const struct col *x;	/* NULL: row_tabs[tab] */
	const struct col *json; /* set: a json_cols column (x NULL) */
	size_t tab;
	int64_t after_id;
	char after_key[RESOURCE_KEY_MAX];
	int limit;
	int cur;
	int64_t seen, changed, failed;
	int done;
};

static char *
reencrypt(const char *v, int cur, int *changed, struct zt_err *err)
{
	char *clear = NULL, *out;
	size_t n;

	if (fieldenc_version_of(v) == cur) {
		*changed = 0;
		return xstrdup(v);
	}
	if (fieldenc_decrypt(v, &clear, &n, err) < 0)
		return NULL;
	out = fieldenc_encrypt(clear, n);
	free(clear);
	*changed = 1;
	return out;
}

static int
tx_batch_col(db_conn *c, void *arg, struct zt_err *err)
{
	struct batch *b = arg;
	struct pairs ps = {0};
	char sql[300];
	int rc;

	snprintf(sql, sizeof(sql),
		 "SELECT %s, %s FROM %s WHERE %s > ?1 AND %s LIKE 'enc1:%%' ORDER BY %s LIMIT %d",
		 b->x->pk, b->x->col, b->x->table, b->x->pk, b->x->col, b->x->pk, b->limit);
	if ((rc = collect(c, sql, 1, b->after_id, 1, &ps, err)) < 0)
		return rc;
	snprintf(sql, sizeof(sql), "UPDATE %s SET %s = ?1 WHERE %s = ?2", b->x->table, b->x->col,
		 b->x->pk);
	for (size_t i = 0; rc == 0 && i < ps.n; i++) {
		int ch = 0;
		struct zt_err e2;
		err_clear(&e2);
		char *nv = reencrypt(ps.p[i].a, b->cur, &ch, &e2);
		b->seen++;
		if (nv == NULL) {
			b->failed++;
			fprintf(stderr, "keys rotate: %s.%s %s=%lld: %s\n", b->x->table, b->x->col,
				b->x->pk, (long long)ps.p[i].id, e2.msg);
		} else if (ch) {
			rc = exec_text2(c, sql, nv, NULL, ps.p[i].id, 1, err);
			b->changed++;
		}
		free(nv);
	}
	if (ps.n > 0)
		b->after_id = ps.p[ps.n - 1].id;
	b->done = ps.n < (size_t)b->limit;
	pairs_free(&ps);
	return rc;
}

static int
tx_batch_rows(db_conn *c, void *arg, struct zt_err *err)
{
	struct batch *b = arg;
	struct pairs ps = {0};
	int rc = 0;
	const char *tab = row_tabs[b->tab][0], *idc = row_tabs[b->tab][1];
	char sql[300];
	snprintf(sql, sizeof(sql),
		 "SELECT %s, key, data FROM %s WHERE (%s > ?1 OR (%s = ?1 AND key > ?2))"
		 " ORDER BY %s, key LIMIT ?3",
		 idc, tab, idc, idc, idc);
	db_stmt *s = db_prepare_once(c, sql, err);
	if (s == NULL)
		return err->code;
	db_bind_int(s, 1, b->after_id);
	db_bind_text(s, 2, b->after_key);
	db_bind_int(s, 3, b->limit);
	int n = 0;
	while ((rc = db_step(s, err)) == DB_ROW) {
		const char *key = db_col_text(s, 1), *data = db_col_text(s, 2);
		b->after_id = db_col_int(s, 0);
		snprintf(b->after_key, sizeof(b->after_key), "%s", key);
		n++;
		if (strstr(data, FIELDENC_PREFIX) == NULL)
			continue;
		json_t *d = json_loads(data, 0, NULL);
		const char *k;
		json_t *v;
		int changed = 0, bad = 0;
		json_object_foreach(d, k, v)
		{
			if (!json_is_string(v) || !fieldenc_is_enc(json_string_value(v)))
				continue;
			int ch = 0;
			struct zt_err e2;
			err_clear(&e2);
			char *nv = reencrypt(json_string_value(v), b->cur, &ch, &e2);
			b->seen++;
			if (nv == NULL) {
				bad = 1;
				b->failed++;
				fprintf(stderr, "keys rotate: %s %lld/%s %s: %s\n", tab,
					(long long)b->after_id, key, k, e2.msg);
				continue;
			}
			if (ch) {
				json_string_set(v, nv);
				changed = 1;
				b->changed++;
			}
			free(nv);
		}
		(void)bad;
		if (changed) {
			char *t = json_dumps(d, JSON_COMPACT | JSON_SORT_KEYS);
			pairs_add(&ps, b->after_id, key, t);
			free(t);
		}
		json_decref(d);
	}
	db_finalize(s);
	if (rc < 0) {
		pairs_free(&ps);
		return rc;
	}
	rc = 0;
	for (size_t i = 0; rc == 0 && i < ps.n; i++) {
		snprintf(sql, sizeof(sql), "UPDATE %s SET data = ?1 WHERE %s = ?2 AND key = ?3",
			 tab, idc);
		s = db_prepare_once(c, sql, err);
		if (s == NULL)
			return err->code;
		db_bind_text(s, 1, ps.p[i].b);
		db_bind_int(s, 2, ps.p[i].id);
		db_bind_text(s, 3, ps.p[i].a);
		rc = db_step(s, err) < 0 ? err->code : 0;
		db_finalize(s);
	}
	b->done = n < b->limit;
	pairs_free(&ps);
	return rc;
}

/* Re-encrypts every sealed value inside v under cur; counts in b. */
static void rekey_json(json_t *v, struct batch *b, int *changed);

/* Re-encrypts m when it is a sealed string, else descends into it. where
 * names it in an error (an object member or an array index). */
static void
rekey_member(json_t *m, struct batch *b, int *changed, const char *where)
{
	if (!json_is_string(m) || !fieldenc_is_enc(json_string_value(m))) {
		rekey_json(m, b, changed);
		return;
	}
	int ch = 0;
	struct zt_err e2;
	err_clear(&e2);
	char *nv = reencrypt(json_string_value(m), b->cur, &ch, &e2);
	b->seen++;
	if (nv == NULL) {
		b->failed++;
		fprintf(stderr, "keys rotate: %s.%s %lld %s: %s\n", b->json->table, b->json->col,
			(long long)b->after_id, where, e2.msg);
		return;
	}
	if (ch) {
		json_string_set(m, nv);
		b->changed++;
		*changed = 1;
	}
	free(nv);
}

static void
rekey_json(json_t *v, struct batch *b, int *changed)
{
	const char *k;
	json_t *m;
	size_t i;

	if (json_is_object(v)) {
		json_object_foreach(v, k, m) rekey_member(m, b, changed, k);
	} else if (json_is_array(v)) {
		json_array_foreach(v, i, m)
		{
			char where[32];
			snprintf(where, sizeof(where), "[%zu]", i);
			rekey_member(m, b, changed, where);
		}
	}
}

static int
tx_batch_json(db_conn *c, void *arg, struct zt_err *err)
{
	struct batch *b = arg;
	struct pairs ps = {0};
	char sql[300];
	int rc;

	snprintf(sql, sizeof(sql),
		 "SELECT %s, %s, NULL FROM %s WHERE %s > ?1 AND %s LIKE '%%enc1:%%' ORDER BY %s"
		 " LIMIT %d",
		 b->json->pk, b->json->col, b->json->table, b->json->pk, b->json->col, b->json->pk,
		 b->limit);
	if ((rc = collect(c, sql, 1, b->after_id, 1, &ps, err)) < 0)
		return rc;
	snprintf(sql, sizeof(sql), "UPDATE %s SET %s = ?1 WHERE %s = ?2", b->json->table,
		 b->json->col, b->json->pk);
	for (size_t i = 0; rc == 0 && i < ps.n; i++) {
		json_t *v = json_loads(ps.p[i].a, JSON_DECODE_ANY, NULL);
		int changed = 0;
		b->after_id = ps.p[i].id;
		rekey_json(v, b, &changed);
		if (changed) {
			char *t = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
			rc = exec_text2(c, sql, t, NULL, ps.p[i].id, 1, err);
			free(t);
		}
		json_decref(v);
	}
	b->done = ps.n < (size_t)b->limit;
	pairs_free(&ps);
	return rc;
}

static int
reencrypt_all(int limit, int64_t *failed)
{
	struct zt_err err;
	int cur = fieldenc_current();

	for (size_t i = 0; i < NENC + NROWTAB + NJSON; i++) {
		struct batch b;
		memset(&b, 0, sizeof(b));
		b.x = i < NENC ? &enc_cols[i] : NULL;
		b.json = i >= NENC + NROWTAB ? &json_cols[i - NENC - NROWTAB] : NULL;
		b.tab = i < NENC || b.json ? 0 : i - NENC;
		b.limit = limit;
		b.cur = cur;
		const char *name = b.x ? b.x->table : b.json ? b.json->table : row_tabs[b.tab][0];
		const char *col = b.x ? b.x->col : b.json ? b.json->col : "data";
		while (!b.done) {
			err_clear(&err);
			if (db_write(b.x      ? tx_batch_col
				     : b.json ? tx_batch_json
					      : tx_batch_rows,
				     &b, &err) < 0) {
				fprintf(stderr, "keys rotate: %s.%s: %s\n", name, col, err.msg);
				return -1;
			}
			if (!b.done)
				fprintf(stderr,
					"keys rotate: %s.%s: %lld values seen, %lld re-encrypted\n",
					name, col, (long long)b.seen, (long long)b.changed);
		}
		fprintf(stderr,
			"keys rotate: %s.%s: %lld re-encrypted to version %d (%lld already)%s\n",
			name, col, (long long)b.changed, cur,
			(long long)(b.seen - b.changed - b.failed),
			b.failed ? ", some FAILED" : "");
		*failed += b.failed;
	}
	return 0;
}

/* ---- rotation of the lookup key: one transaction ---- */

/* Adds old index -> new index for a clear value under every other lookup
 * version held. */
static void
map_value(json_t *map, const char *clear, int cur)
{
	int vs[64], nv = fieldenc_lookup_versions(vs, 64);
	char nw[FIELDENC_IDX_LEN], old[FIELDENC_IDX_LEN];

	fieldenc_index_ver(cur, clear, nw);
	for (int i = 0; i < nv; i++)
		if (vs[i] != cur && fieldenc_index_ver(vs[i], clear, old) == 0)
			json_object_set_new(map, old, json_string(nw));
}

struct lookup_job {
	int cur;
	int64_t changed, unmapped;
};

static int
tx_lookup(db_conn *c, void *arg, struct zt_err *err)
{
	struct lookup_job *j = arg;
	json_t *map = json_object();
	struct pairs ps = {0};
	char sql[400];
	int rc = 0;

	/* Index columns with their encrypted copy (users also re-key logins). */
	for (size_t t = 0; rc == 0 && t < NIDX; t++) {
		const struct idxcol *x = &idx_cols[t];
		snprintf(sql, sizeof(sql), "SELECT %s, %s, %s FROM %s WHERE %s IS NOT NULL", x->pk,
			 x->col, x->enccol, x->table, x->enccol);
		if ((rc = collect(c, sql, 1, 0, 0, &ps, err)) < 0)
			break;
		for (size_t i = 0; rc == 0 && i < ps.n; i++) {
			char *clear = NULL, nw[FIELDENC_IDX_LEN];
			if ((rc = fieldenc_decrypt(ps.p[i].b, &clear, NULL, err)) < 0)
				break;
			map_value(map, clear, j->cur);
			fieldenc_index_ver(j->cur, clear, nw);
			free(clear);
			if (strcmp(nw, ps.p[i].a) == 0)
				continue;
			snprintf(sql, sizeof(sql), "UPDATE %s SET %s = ?1 WHERE %s = ?2", x->table,
				 x->col, x->pk);
			if ((rc = exec_text2(c, sql, nw, NULL, ps.p[i].id, 1, err)) < 0)
				break;
			if (t == 0) {
				/* logins: the old index, or fed.<R>.<old hex> */
				const char *old = ps.p[i].a;
				db_stmt *s = db_prepare_once(
				    c,
				    "UPDATE users SET login = CASE WHEN login = ?1 THEN ?2 ELSE"
				    " substr(login, 1, length(login) - length(?3)) || ?4 END"
				    " WHERE id = ?5 AND (login = ?1 OR login LIKE '%.' || ?3)",
				    err);
				if (s == NULL) {
					rc = err->code;
					break;
				}
				db_bind_text(s, 1, old);
				db_bind_text(s, 2, nw);
				db_bind_text(s, 3, old + 4);
				db_bind_text(s, 4, nw + 4);
				db_bind_int(s, 5, ps.p[i].id);
				rc = db_step(s, err) < 0 ? err->code : 0;
				db_finalize(s);
			}
			j->changed++;
		}
		pairs_free(&ps);
	}
	/* Enterprises: their credit codes are subjects too. */
	if (rc == 0 &&
	    (rc = collect(c, "SELECT credit_code, NULL FROM users WHERE credit_code IS NOT NULL", 0,
			  0, 0, &ps, err)) == 0) {
		for (size_t i = 0; i < ps.n; i++)
			map_value(map, ps.p[i].a, j->cur);
		pairs_free(&ps);
	}
	/* Resource rows: subjects and personal keys from the decrypted data;
	 * their subjects feed the map. */
	if (rc == 0 &&
	    (rc = collect(c, "SELECT data, NULL FROM resource_rows WHERE subject IS NOT NULL", 0, 0,
			  0, &ps, err)) == 0) {
		for (size_t i = 0; rc == 0 && i < ps.n; i++) {
			json_t *d = resource_data_load(ps.p[i].a, err);
			if (d == NULL) {
				rc = err->code;
				break;
			}
			const char *k;
			json_t *v;
			json_object_foreach(d, k, v) if (json_is_string(v))
			{
				char norm[24];
				if (strlen(json_string_value(v)) == 18 &&
				    ident_normalize(json_string_value(v), norm, sizeof(norm)) == 0)
					map_value(map, norm, j->cur);
			}
			json_decref(d);
		}
		pairs_free(&ps);
	}
	if (rc == 0)
		rc = all_resources(c, 2, j->cur, &j->changed, err);
	/* Received rows: a key given in clear is found again in the opened
	 * row and indexed anew. */
	if (rc == 0 && (rc = collect(c,
				     "SELECT request_id, key, data FROM fed_rows WHERE key LIKE "
				     "'bi1:%'",
				     1, 0, 0, &ps, err)) == 0) {
		for (size_t i = 0; rc == 0 && i < ps.n; i++) {
			char clear[RESOURCE_KEY_MAX], nw[FIELDENC_IDX_LEN];
			if (fieldenc_index_version_of(ps.p[i].a) == j->cur)
				continue;
			json_t *d = resource_data_load(ps.p[i].b, err);
			if (d == NULL || xshare_row_key(d, ps.p[i].a, clear, sizeof(clear)) < 0) {
				json_decref(d);
				rc = err_set(
				    err, ZT_EINTERNAL, "", "integrity",
				    "fed_rows %lld: the key of a stored row is not found in "
				    "it",
				    (long long)ps.p[i].id);
				break;
			}
			json_decref(d);
			fieldenc_index_ver(j->cur, clear, nw);
			db_stmt *s = db_prepare_once(
			    c, "UPDATE fed_rows SET key = ?1 WHERE request_id = ?2 AND key = ?3",
			    err);
			if (s == NULL) {
				rc = err->code;
				break;
			}
			db_bind_text(s, 1, nw);
			db_bind_int(s, 2, ps.p[i].id);
			db_bind_text(s, 3, ps.p[i].a);
			rc = db_step(s, err) < 0 ? err->code : 0;
			db_finalize(s);
			j->changed++;
		}
		pairs_free(&ps);
	}
	/* Access subject tables through the map. */
	for (size_t t = 0; rc == 0 && t < NSUBJ; t++) {
		snprintf(sql, sizeof(sql), "SELECT DISTINCT subject, NULL FROM %s", subj_tabs[t]);
		if ((rc = collect(c, sql, 0, 0, 0, &ps, err)) < 0)
			break;
		for (size_t i = 0; rc == 0 && i < ps.n; i++) {
			if (fieldenc_index_version_of(ps.p[i].a) == j->cur)
				continue;
			json_t *nw = json_object_get(map, ps.p[i].a);
			if (nw == NULL) {
				j->unmapped++;
				continue;
			}
			snprintf(sql, sizeof(sql), "UPDATE %s SET subject = ?1 WHERE subject = ?2",
				 subj_tabs[t]);
			rc = exec_text2(c, sql, json_string_value(nw), ps.p[i].a, 0, 0, err);
			j->changed++;
		}
		pairs_free(&ps);
	}
	json_decref(map);
	return rc;
}

/* ---- status ---- */

struct counts {
	int64_t enc[FIELDENC_MAX_VER + 1], idx[FIELDENC_MAX_VER + 1], clear;
};

static int
count_col(db_conn *c, const char *sql, int is_idx, struct counts *k, struct zt_err *err)
{
	db_stmt *s = db_prepare_once(c, sql, err);
	int rc;

	if (s == NULL)
		return err->code;
	while ((rc = db_step(s, err)) == DB_ROW) {
		const char *v = db_col_text(s, 0);
		int ver = is_idx ? fieldenc_index_version_of(v) : fieldenc_version_of(v);
		if (ver > 0)
			(is_idx ? k->idx : k->enc)[ver]++;
		else if (v)
			k->clear++;
	}
	db_finalize(s);
	return rc < 0 ? rc : 0;
}

/* Counts the sealed values inside v by version. */
static void
count_json(json_t *v, struct counts *k)
{
	const char *key;
	json_t *m;
	size_t i;

	if (json_is_string(v)) {
		int ver = fieldenc_version_of(json_string_value(v));
		if (ver > 0)
			k->enc[ver]++;
	} else if (json_is_object(v)) {
		json_object_foreach(v, key, m)
		{
			count_json(m, k);
		}
	} else if (json_is_array(v)) {
		json_array_foreach(v, i, m)
		{
			count_json(m, k);
		}
	}
}

static int
keys_status(void)
{
	db_conn *c = db_cli_conn();
	struct counts *k = xcalloc(1, sizeof(*k));
	struct zt_err err;
	char sql[300];
	int rc = 0;

	err_clear(&err);
	for (size_t i = 0; rc == 0 && i < NENC; i++) {
		snprintf(sql, sizeof(sql), "SELECT %s FROM %s WHERE %s IS NOT NULL",
			 enc_cols[i].col, enc_cols[i].table, enc_cols[i].col);
		rc = count_col(c, sql, 0, k, &err);
	}
	for (size_t i = 0; rc == 0 && i < NIDX; i++) {
		snprintf(sql, sizeof(sql), "SELECT %s FROM %s WHERE %s IS NOT NULL",
			 idx_cols[i].col, idx_cols[i].table, idx_cols[i].col);
		rc = count_col(c, sql, 1, k, &err);
	}
	for (size_t i = 0; rc == 0 && i < NSUBJ; i++) {
		snprintf(sql, sizeof(sql), "SELECT subject FROM %s", subj_tabs[i]);
		rc = count_col(c, sql, 1, k, &err);
	}
	if (rc == 0)
		rc = count_col(c, "SELECT subject FROM resource_rows WHERE subject IS NOT NULL", 1,
			       k, &err);
	if (rc == 0)
		rc = count_col(c, "SELECT key FROM resource_rows WHERE key LIKE 'bi1:%'", 1, k,
			       &err);
	if (rc == 0)
		rc = count_col(c, "SELECT key FROM fed_rows WHERE key LIKE 'bi1:%'", 1, k, &err);
	if (rc == 0) {
		db_stmt *s =
		    db_prepare_once(c,
				    "SELECT data FROM resource_rows WHERE data LIKE '%enc1:%'"
				    " UNION ALL SELECT data FROM fed_rows WHERE data LIKE "
				    "'%enc1:%'"
				    " UNION ALL SELECT form FROM cases WHERE form LIKE '%enc1:%'"
				    " UNION ALL SELECT form FROM fed_cases WHERE form LIKE "
				    "'%enc1:%'",
				    &err);
		if (s == NULL)
			rc = err.code;
		while (s && (rc = db_step(s, &err)) == DB_ROW) {
			json_t *d = json_loads(db_col_text(s, 0), 0, NULL);
			count_json(d, k);
			json_decref(d);
		}
		db_finalize(s);
		rc = rc < 0 ? rc : 0;
	}
	if (rc < 0) {
		fprintf(stderr, "keys status: %s\n", err.msg);
		free(k);
		return 1;
	}
	int vs[64], nv = fieldenc_versions(vs, 64);
	printf("key file: %s\n", fieldenc_path());
	printf("data keys (SM4-CTR + HMAC-SM3), current %d:\n", fieldenc_current());
	for (int i = 0; i < nv; i++)
		printf("  enc %d: %lld values%s%s\n", vs[i], (long long)k->enc[vs[i]],
		       vs[i] == fieldenc_current() ? " (current)" : "",
		       vs[i] != fieldenc_current() && k->enc[vs[i]] == 0 ? " (removable)" : "");
	for (int v = 1; v <= FIELDENC_MAX_VER; v++) {
		int held = 0;
		for (int i = 0; i < nv; i++)
			held |= vs[i] == v;
		if (!held && k->enc[v])
			printf("  enc %d: %lld values (KEY MISSING)\n", v, (long long)k->enc[v]);
	}
	nv = fieldenc_lookup_versions(vs, 64);
	printf("lookup keys (HMAC-SM3 blind index), current %d:\n", fieldenc_lookup_current());
	for (int i = 0; i < nv; i++)
		printf("  idx %d: %lld values%s%s\n", vs[i], (long long)k->idx[vs[i]],
		       vs[i] == fieldenc_lookup_current() ? " (current)" : "",
		       vs[i] != fieldenc_lookup_current() && k->idx[vs[i]] == 0 ? " (removable)"
										: "");
	printf("clear values in encrypted columns: %lld\n", (long long)k->clear);
	free(k);
	return 0;
}

/* ---- the command ---- */

/* `keys open`: each line of stdin decrypted to stdout, one line each: an
 * "enc1:" value gives its clear text, a stored row (a JSON object) gives the
 * row with every encrypted member opened (canonical JSON, as it was before
 * sealing); anything else is copied. For maintenance and tests; the values
 * come on stdin so that they stay out of process lists. 0, or 1 at the
 * first value that fails (named on stderr). */
static int
keys_open(void)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int rc = 0;

	while ((n = getline(&line, &cap, stdin)) >= 0) {
		struct zt_err err;
		err_clear(&err);
		while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = '\0';
		if (line[0] == '{') {
			json_t *o = fieldenc_load_json(line, &err);
			if (o == NULL) {
				fprintf(stderr, "keys open: %s\n", err.msg);
				rc = 1;
				break;
			}
			char *out = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
			printf("%s\n", out);
			free(out);
			json_decref(o);
		} else if (fieldenc_is_enc(line)) {
			char *out = NULL;
			if (fieldenc_decrypt(line, &out, NULL, &err) < 0) {
				fprintf(stderr, "keys open: %s\n", err.msg);
				rc = 1;
				break;
			}
			printf("%s\n", out);
			free(out);
		} else
			printf("%s\n", line);
	}
	free(line);
	return rc;
}

int
cli_keys(int argc, char **argv)
{
	int lookup = 0, resume = 0, limit = 500, rc = 0;
	const char *sub = argc > 0 ? argv[0] : "";
	const char *value = NULL;
	int first_value = 0; /* lookup: argv[first_value..] are the values */
	long remove_v = 0;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--lookup") == 0)
			lookup = 1;
		else if (strcmp(argv[i], "--resume") == 0)
			resume = 1;
		else if (strcmp(argv[i], "--batch") == 0 && i + 1 < argc)
			limit = atoi(argv[++i]);
		else if (strcmp(sub, "remove") == 0 && remove_v == 0)
			remove_v = strtol(argv[i], NULL, 10);
		else if (strcmp(sub, "lookup") == 0 && argv[i][0] != '-') {
			if (value == NULL) {
				value = argv[i];
				first_value = i;
			}
		} else {
			fprintf(stderr, "keys: unexpected argument %s\nusage: %s\n", argv[i],
				CLI_KEYS_USAGE);
			return 2;
		}
	}
	if (limit < 1 || limit > 100000 ||
	    (strcmp(sub, "status") && strcmp(sub, "rotate") && strcmp(sub, "remove") &&
	     strcmp(sub, "lookup") && strcmp(sub, "open")) ||
	    (strcmp(sub, "remove") == 0 && remove_v <= 0) ||
	    (strcmp(sub, "lookup") == 0 && value == NULL)) {
		fprintf(stderr, "usage: %s\n", CLI_KEYS_USAGE);
		return 2;
	}
	if (cli_setup(0) < 0)
		return 1;
	struct zt_err err;
	err_clear(&err);
	if (strcmp(sub, "status") == 0) {
		rc = keys_status();
		goto out;
	}
	if (strcmp(sub, "open") == 0) {
		rc = keys_open();
		goto out;
	}
	if (strcmp(sub, "lookup") == 0) {
		/* The blind index as the lookup columns hold it: identifiers in
		 * their normal form (ID 'x' upper-cased), other values as given. */
		char norm[64], idx[FIELDENC_IDX_LEN];
		for (int i = first_value; i < argc; i++) {
			if (ident_normalize(argv[i], norm, sizeof(norm)) < 0)
				snprintf(norm, sizeof(norm), "%s", argv[i]);
			fieldenc_index(norm, idx);
			printf("%s\n", idx);
		}
		goto out;
	}
	if (strcmp(sub, "remove") == 0) {
		if (fieldenc_remove_version(lookup, (int)remove_v, &err) < 0) {
			fprintf(stderr, "keys remove: %s\n", err.msg);
			rc = 1;
		} else
			printf("removed %s key version %ld from %s\n", lookup ? "lookup" : "data",
			       remove_v, fieldenc_path());
		goto out;
	}
	if (lookup) {
		struct lookup_job j = {0};
		int v = fieldenc_add_version(1, 0, &err);
		if (v < 0) {
			fprintf(stderr, "keys rotate: %s\n", err.msg);
			rc = 1;
			goto out;
		}
		fprintf(stderr, "keys rotate: lookup key version %d added\n", v);
		j.cur = v;
		if (db_write(tx_lookup, &j, &err) < 0) {
			fprintf(stderr,
				"keys rotate: %s (nothing changed; the new version is not "
				"current)\n",
				err.msg);
			rc = 1;
			goto out;
		}
		if (fieldenc_make_current(1, v, &err) < 0) {
			fprintf(stderr, "keys rotate: %s\n", err.msg);
			rc = 1;
			goto out;
		}
		printf("lookup key version %d is current: %lld blind indexes recomputed, %lld "
		       "access subjects without a known value kept\n",
		       v, (long long)j.changed, (long long)j.unmapped);
		goto out;
	}
	if (!resume) {
		int v = fieldenc_add_version(0, 1, &err);
		if (v < 0) {
			fprintf(stderr, "keys rotate: %s\n", err.msg);
			rc = 1;
			goto out;
		}
		fprintf(stderr, "keys rotate: data key version %d added and current\n", v);
	}
	/* Record the new fingerprint before anything is encrypted under it. */
	struct fp_job fj = {0};
	if (db_write(tx_fingerprints, &fj, &err) < 0 || fj.mismatch) {
		fprintf(stderr, "keys rotate: %s\n", fj.mismatch ? "key file mismatch" : err.msg);
		rc = 1;
		goto out;
	}
	int64_t failed = 0;
	if (reencrypt_all(limit, &failed) < 0)
		rc = 1;
	else if (failed) {
		fprintf(stderr, "keys rotate: %lld values could not be decrypted (see above)\n",
			(long long)failed);
		rc = 1;
	} else
		printf("every encrypted value is under data key version %d\n", fieldenc_current());
out:
	cli_teardown();
	return rc;
}
