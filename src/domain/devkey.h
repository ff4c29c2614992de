/* devkey.h - developer API keys for the open data portal (数据开放平台).
 *
 * Any signed-in person (citizen, enterprise, official) may create keys for
 * their own apps, at most DEVKEY_MAX_ACTIVE not revoked at a time. A key is
 * "ztd_" + 43 base64url characters (the layout of session tokens and of
 * department system keys, crypto/token.h); only its SM3 hash is stored,
 * with its first DEVKEY_PREFIX_LEN characters so the owner can tell keys
 * apart. The key is shown once, at creation, and never written to the
 * database, the audit chain or a log. A key sent in X-API-Key gives the
 * caller the per-key open-data rate (cfg.opendata_rate_key) instead of the
 * per-address one. */
#ifndef ZT_DEVKEY_H
#define ZT_DEVKEY_H

#include <jansson.h>
#include <stdint.h>

#include "base/err.h"
#include "db/db.h"
#include "domain/principal.h"

#define DEVKEY_PREFIX	  "ztd_"
#define DEVKEY_LEN	  48 /* "ztd_" + 43 base64url characters + NUL */
#define DEVKEY_PREFIX_LEN 12 /* shown in lists: "ztd_" + 8 characters */
#define DEVKEY_NAME_MAX	  40 /* characters */
#define DEVKEY_MAX_ACTIVE 5
#define DEVKEY_TOUCH_S	  60 /* last_used_at is written at most this often */

/* 1 if s has the shape of a developer key. Cheap; no lookup. */
int devkey_looks_valid(const char *s);

/* Makes a key named name (1..DEVKEY_NAME_MAX characters, checked by the
 * caller) for by (a signed-in person). On success *out = {id, name, key,
 * prefix, created_at, rate_per_min}, the only place the key appears. A
 * caller with DEVKEY_MAX_ACTIVE keys not revoked is ZT_ERULE
 * "too_many_keys". Audited as dev_key.create (without the key). */
int devkey_create(const struct principal *by, const char *name, json_t **out, struct zt_err *err);

/* by's own keys, newest first: {items: [{id, name, prefix, created_at,
 * last_used_at, revoked_at, rate_per_min}], next}. */
json_t *devkey_list_json(db_conn *c, const struct principal *by, int limit, const char *cursor,
			 struct zt_err *err);
/* One of by's keys as in the list; NULL and ZT_ENOTFOUND for a key that
 * is not by's. */
json_t *devkey_get_json(db_conn *c, const struct principal *by, int64_t id, struct zt_err *err);

/* Revokes by's key id: ZT_ENOTFOUND when it is not by's, ZT_ECONFLICT
 * "already_revoked" the second time. Audited as dev_key.revoke. */
int devkey_revoke(const struct principal *by, int64_t id, struct zt_err *err);

/* Looks a key up by its hash: 1 with *id set when it exists, is not revoked
 * and its owner's account is active; 0 otherwise; negative error. */
int devkey_lookup(db_conn *c, const char *key, int64_t *id, struct zt_err *err);

/* Records that key id was used now: writes last_used_at when this process
 * has not written it for the key in the last DEVKEY_TOUCH_S seconds (of
 * monotonic time), so a busy key costs one write a minute, not one per
 * request. A failed write is logged and otherwise ignored. */
void devkey_touch(int64_t id);

#endif
