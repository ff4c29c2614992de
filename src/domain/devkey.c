/* devkey.c - developer API keys for the open data portal (see devkey.h). */
#include "domain/devkey.h"
#include "domain/audit.h"
#include "domain/share.h"
#include "base/clock.h"
#include "base/jtime.h"
#include "base/config.h"
#include "base/log.h"
#include "base/page.h"
#include "crypto/token.h"
#include "http/ratelimit.h"

#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#define KEY_COLS "id, name, prefix, created_at, last_used_at, revoked_at"

static json_t *time_or_null(db_stmt *s, int col);
static json_t *key_json(db_stmt *s);

static json_t *
time_or_null(db_stmt *s, int col)
{
	return time_json_or_null(db_col_int(s, col), db_col_isnull(s, col));
}

/* A row of KEY_COLS as the owner sees it. */
static json_t *
key_json(db_stmt *s)
{
	return json_pack("{s:I, s:s, s:s, s:o, s:o, s:o, s:i}", "id", (json_int_t)db_col_int(s, 0),
			 "name", db_col_text(s, 1), "prefix", db_col_text(s, 2), "created_at",
			 time_or_null(s, 3), "last_used_at", time_or_null(s, 4), "revoked_at",
			 time_or_null(s, 5), "rate_per_min", cfg.opendata_rate_key);
}

int
devkey_looks_valid(const char *s)
{
	char t[TOKEN_STR_LEN];

	if (s == NULL || strncmp(s, DEVKEY_PREFIX, sizeof(DEVKEY_PREFIX) - 1) != 0 ||
	    strnlen(s, DEVKEY_LEN) != DEVKEY_LEN - 1)
		return 0;
	/* The same random part as a session token: check it as one. */
	snprintf(t, sizeof(t), "%s%s", TOKEN_PREFIX, s + sizeof(DEVKEY_PREFIX) - 1);
	return token_looks_valid(t);
}

/* ==== create ==== */

struct create_job {
	const struct principal *by;
	const char *name, *hash, *prefix;
	int64_t id, at;
};

static int
tx_create(db_conn *c, void *arg, struct zt_err *err)
{
	struct create_job *j = arg;
	char obj[40];
	int rc;

	db_stmt *s = db_prepare(c,
				"SELECT count(*) FROM dev_api_keys"
				" WHERE user_id = ?1 AND revoked_at IS NULL",
				err);
	if (s == NULL)
		return err->code;
	db_bind_int(s, 1, j->by->user_id);
	rc = db_step(s, err);
	int64_t n = rc == DB_ROW ? db_col_int(s, 0) : 0;
	db_reset(s);
	if (rc < 0)
		return rc;
	if (n >= DEVKEY_MAX_ACTIVE)
		return err_set(err, ZT_ERULE, "", "too_many_keys",
			       "at most %d keys may be active at a time; revoke one first",
			       DEVKEY_MAX_ACTIVE);
	s = db_prepare(c,
		       "INSERT INTO dev_api_keys (user_id, name, key_hash, prefix, created_at)"
		       " VALUES (?1, ?2, ?3, ?4, ?5) RETURNING id",
		       err);
	if (s == NULL)
		return err->code;
	db_bind_int(s, 1, j->by->user_id);
	db_bind_text(s, 2, j->name);
	db_bind_text(s, 3, j->hash);
	db_bind_text(s, 4, j->prefix);
	db_bind_int(s, 5, j->at);
	if ((rc = db_step_id(s, &j->id, err)) < 0)
		return rc;
	/* The name only: neither the key nor its hash goes into the chain. */
	snprintf(obj, sizeof(obj), "dev_key:%lld", (long long)j->id);
	json_t *d = json_pack("{s:s}", "name", j->name);
	rc = audit_append(c, j->by->user_id, "dev_key.create", obj, d, err);
	json_decref(d);
	return rc;
}

int
devkey_create(const struct principal *by, const char *name, json_t **out, struct zt_err *err)
{
	char tok[TOKEN_STR_LEN], key[DEVKEY_LEN], h[SM3_HEX_LEN], prefix[DEVKEY_PREFIX_LEN + 1];
	char at[32];
	struct create_job j = {by, name, h, prefix, 0, clock_now()};
	int rc;

	*out = NULL;
	if (by->user_id <= 0 || by->kind == KIND_SYSTEM)
		return err_set(err, ZT_EFORBIDDEN, "", "forbidden", "sign in as a person first");
	token_new(tok);
	snprintf(key, sizeof(key), "%s%s", DEVKEY_PREFIX, tok + sizeof(TOKEN_PREFIX) - 1);
	sodium_memzero(tok, sizeof(tok));
	token_hash(key, h);
	snprintf(prefix, sizeof(prefix), "%.*s", DEVKEY_PREFIX_LEN, key);
	if ((rc = db_write(tx_create, &j, err)) < 0)
		goto out;
	time_format(j.at, at);
	*out = json_pack("{s:I, s:s, s:s, s:s, s:s, s:i}", "id", (json_int_t)j.id, "name", name,
			 "key", key, "prefix", prefix, "created_at", at, "rate_per_min",
			 cfg.opendata_rate_key);
out:
	sodium_memzero(key, sizeof(key));
	return rc;
}

/* ==== list, get ==== */

json_t *
devkey_list_json(db_conn *c, const struct principal *by, int limit, const char *cursor,
		 struct zt_err *err)
{
	int64_t before = INT64_MAX;

	if (cursor_id(cursor, &before, err) < 0)
		return NULL;
	db_stmt *s = db_prepare(c,
				"SELECT " KEY_COLS " FROM dev_api_keys"
				" WHERE user_id = ?1 AND id < ?2 ORDER BY id DESC LIMIT ?3",
				err);
	if (s == NULL)
		return NULL;
	db_bind_int(s, 1, by->user_id);
	db_bind_int(s, 2, before);
	db_bind_int(s, 3, limit + 1);
	return share_page_rows(s, limit, key_json, err);
}

json_t *
devkey_get_json(db_conn *c, const struct principal *by, int64_t id, struct zt_err *err)
{
	json_t *o = NULL;

	db_stmt *s = db_prepare(
	    c, "SELECT " KEY_COLS " FROM dev_api_keys WHERE id = ?1 AND user_id = ?2", err);
	if (s == NULL)
		return NULL;
	db_bind_int(s, 1, id);
	db_bind_int(s, 2, by->user_id);
	int rc = db_step(s, err);
	if (rc == DB_ROW)
		o = key_json(s);
	else if (rc == DB_DONE)
		err_set(err, ZT_ENOTFOUND, "", "not_found", "no such API key");
	db_reset(s);
	return o;
}

/* ==== revoke ==== */

struct revoke_job {
	const struct principal *by;
	int64_t id;
};

static int
tx_revoke(db_conn *c, void *arg, struct zt_err *err)
{
	static const struct key_table dev_keys = {"dev_api_keys", "user_id", "dev_key"};
	struct revoke_job *j = arg;

	return share_key_row_revoke(c, &dev_keys, j->by->user_id, j->id, j->by->user_id, err);
}

int
devkey_revoke(const struct principal *by, int64_t id, struct zt_err *err)
{
	struct revoke_job j = {by, id};

	return db_write(tx_revoke, &j, err);
}

/* ==== use ==== */

int
devkey_lookup(db_conn *c, const char *key, int64_t *id, struct zt_err *err)
{
	char h[SM3_HEX_LEN];

	token_hash(key, h);
	db_stmt *s = db_prepare(c,
				"SELECT k.id FROM dev_api_keys k JOIN users u ON u.id = k.user_id"
				" WHERE k.key_hash = ?1 AND k.revoked_at IS NULL"
				" AND u.status = 'active'",
				err);
	if (s == NULL)
		return err->code;
	db_bind_text(s, 1, h);
	int rc = db_step(s, err);
	if (rc == DB_ROW) {
		*id = db_col_int(s, 0);
		rc = 1;
	}
	db_reset(s);
	return rc;
}

struct touch_job {
	int64_t id, at;
};

static int
tx_touch(db_conn *c, void *arg, struct zt_err *err)
{
	struct touch_job *j = arg;

	db_stmt *s = db_prepare(c, "UPDATE dev_api_keys SET last_used_at = ?1 WHERE id = ?2", err);
	if (s == NULL)
		return err->code;
	db_bind_int(s, 1, j->at);
	db_bind_int(s, 2, j->id);
	int rc = db_step(s, err);
	return rc < 0 ? rc : 0;
}

/* Which keys were written lately: a window of one write per key. */
static struct ratelimit *touched;
static pthread_once_t touched_once = PTHREAD_ONCE_INIT;

static void
touched_init(void)
{
	touched = ratelimit_new(4096);
}

void
devkey_touch(int64_t id)
{
	static const struct rl_policy once = {RL_WINDOW, 1, DEVKEY_TOUCH_S, 0};
	struct touch_job j = {id, clock_now()};
	struct zt_err err;
	char k[24];

	pthread_once(&touched_once, touched_init);
	snprintf(k, sizeof(k), "%lld", (long long)id);
	if (ratelimit_take(touched, k, &once, NULL) != 0)
		return;
	err_clear(&err);
	if (db_write(tx_touch, &j, &err) < 0)
		log_warn("devkey: last_used_at of key %lld not written: %s", (long long)id,
			 err.msg);
}
