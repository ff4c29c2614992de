/* envelope.c - signing and checking the envelope of node-to-node messages
 * (see envelope.h and docs/federation.md). */
#include "fed/envelope.h"
#include "base/clock.h"
#include "base/xmalloc.h"
#include "crypto/sm2.h"

#include <openssl/rand.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CACHE_MAX   64
#define SIG_DER_MAX 80 /* DER SM2 signatures are at most 72 bytes */
#define METHOD_MAX  16
#define TS_DIGITS   12

static int is_lower_hex(const char *s, size_t len);
static int valid_sender(const char *s);
static int valid_method(const char *m);
static int valid_path(const char *p);

/* Public keys parsed from fed_nodes, by key_id and PEM. Entries are never
 * evicted while the program runs (a verifier may be using one); when the
 * cache is full, keys are parsed for one use. */
static pthread_mutex_t cache_mu = PTHREAD_MUTEX_INITIALIZER;
static struct {
	char id[NODEKEY_ID_LEN];
	char *pem;
	struct sm2_key *k;
} cache[CACHE_MAX];
static int ncache;

static int
is_lower_hex(const char *s, size_t len)
{
	if (strlen(s) != len)
		return 0;
	for (size_t i = 0; i < len; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return 1;
}

static int
valid_sender(const char *s)
{
	if (strlen(s) != 6)
		return 0;
	for (int i = 0; i < 6; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

static int
valid_method(const char *m)
{
	size_t n = strlen(m);

	if (n == 0 || n > METHOD_MAX)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (m[i] < 'A' || m[i] > 'Z')
			return 0;
	return 1;
}

/* A request target: starts with '/', printable ASCII without spaces. */
static int
valid_path(const char *p)
{
	size_t n = strlen(p);

	if (n == 0 || n >= ENVELOPE_PATH_MAX || p[0] != '/')
		return 0;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)p[i] <= 0x20 || (unsigned char)p[i] >= 0x7f)
			return 0;
	return 1;
}

/* 1 when sig is base64url of 1..SIG_DER_MAX bytes. */
static int
valid_signature(const char *sig)
{
	unsigned char der[SIG_DER_MAX];
	size_t n = strlen(sig);

	if (n == 0 || n >= ENVELOPE_SIG_MAX)
		return 0;
	int len = b64url_decode(sig, der, sizeof(der));
	return len > 0;
}

void
envelope_canonical(const struct envelope *e, const char *method, const char *path, struct buf *b)
{
	buf_printf(b, ENVELOPE_PREFIX "\n%s\n%s\n%s\n%s\n%lld\n%s\n%s", method, path, e->sender,
		   e->message_id, (long long)e->timestamp, e->digest, e->key_id);
}

int
envelope_sign(const char *method, const char *path, const void *body, size_t n, const char *sender,
	      struct envelope *out, struct zt_err *err)
{
	return envelope_sign_id(method, path, body, n, sender, NULL, out, err);
}

int
envelope_new_id(char out[ENVELOPE_MSGID_LEN], struct zt_err *err)
{
	unsigned char rnd[16];

	if (RAND_bytes(rnd, sizeof(rnd)) != 1)
		return err_set(err, ZT_EINTERNAL, "", "random", "no random bytes from OpenSSL");
	hex_encode(rnd, sizeof(rnd), out);
	return 0;
}

int
envelope_sign_id(const char *method, const char *path, const void *body, size_t n,
		 const char *sender, const char *message_id, struct envelope *out,
		 struct zt_err *err)
{
	struct buf b;
	char *sig = NULL;
	int rc;

	memset(out, 0, sizeof(*out));
	if (!valid_method(method))
		return err_set(err, ZT_EINVAL, "method", "malformed", "not an HTTP method");
	if (!valid_path(path))
		return err_set(err, ZT_EINVAL, "path", "malformed", "not a request target");
	if (!valid_sender(sender))
		return err_set(err, ZT_EINVAL, ENVELOPE_H_SENDER, "malformed",
			       "the sender must be a 6-digit region code");
	if (!nodekey_ready())
		return err_set(err, ZT_EUNAVAIL, "", "node_key", "the node key is not loaded");
	if (message_id == NULL) {
		if (envelope_new_id(out->message_id, err) < 0)
			return err->code;
	} else if (is_lower_hex(message_id, ENVELOPE_MSGID_LEN - 1))
		memcpy(out->message_id, message_id, ENVELOPE_MSGID_LEN);
	else
		return err_set(err, ZT_EINVAL, ENVELOPE_H_MESSAGE_ID, "malformed",
			       "a message id is 32 lower-case hex");
	memcpy(out->sender, sender, 7);
	out->timestamp = clock_now();
	sm3_hex(body, n, out->digest);
	snprintf(out->key_id, sizeof(out->key_id), "%s", nodekey_id());
	buf_init(&b);
	envelope_canonical(out, method, path, &b);
	rc = nodekey_sign(b.data, b.len, &sig, err);
	if (rc < 0)
		goto out;
	if (strlen(sig) >= sizeof(out->signature)) {
		rc = err_set(err, ZT_EINTERNAL, "", "sign", "signature longer than expected");
		goto out;
	}
	snprintf(out->signature, sizeof(out->signature), "%s", sig);
out:
	free(sig);
	buf_cleanup(&b);
	return rc;
}

static int
malformed(struct zt_err *err, const char *header, const char *what)
{
	return err_set(err, ZT_EINVAL, header, "malformed", "%s: %s", header, what);
}

/* Copies header h (through get) into dst, or fails as malformed. */
static int
take(const char *(*get)(void *ctx, const char *name), void *ctx, const char *h, char *dst,
     size_t cap, struct zt_err *err)
{
	const char *v = get(ctx, h);

	if (v == NULL || *v == '\0')
		return malformed(err, h, "missing");
	if (strlen(v) >= cap)
		return malformed(err, h, "too long");
	memcpy(dst, v, strlen(v) + 1);
	return 0;
}

/* The format checks of every field, in header order. */
static int
check_fields(const struct envelope *e, struct zt_err *err)
{
	if (!valid_sender(e->sender))
		return malformed(err, ENVELOPE_H_SENDER, "not a 6-digit region code");
	if (!is_lower_hex(e->message_id, ENVELOPE_MSGID_LEN - 1))
		return malformed(err, ENVELOPE_H_MESSAGE_ID, "not 32 lower-case hex characters");
	if (e->timestamp <= 0)
		return malformed(err, ENVELOPE_H_TIMESTAMP, "not a positive Unix time");
	if (!is_lower_hex(e->digest, SM3_HEX_LEN - 1))
		return malformed(err, ENVELOPE_H_DIGEST, "not 64 lower-case hex characters");
	if (!is_lower_hex(e->key_id, NODEKEY_ID_LEN - 1))
		return malformed(err, ENVELOPE_H_KEY_ID, "not 16 lower-case hex characters");
	if (!valid_signature(e->signature))
		return malformed(err, ENVELOPE_H_SIGNATURE, "not a base64url signature");
	return 0;
}

int
envelope_parse(const char *(*get)(void *ctx, const char *name), void *ctx, struct envelope *out,
	       struct zt_err *err)
{
	char ts[TS_DIGITS + 1];
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = take(get, ctx, ENVELOPE_H_SENDER, out->sender, sizeof(out->sender), err)) < 0 ||
	    (rc = take(get, ctx, ENVELOPE_H_MESSAGE_ID, out->message_id, sizeof(out->message_id),
		       err)) < 0 ||
	    (rc = take(get, ctx, ENVELOPE_H_TIMESTAMP, ts, sizeof(ts), err)) < 0 ||
	    (rc = take(get, ctx, ENVELOPE_H_DIGEST, out->digest, sizeof(out->digest), err)) < 0 ||
	    (rc = take(get, ctx, ENVELOPE_H_KEY_ID, out->key_id, sizeof(out->key_id), err)) < 0 ||
	    (rc = take(get, ctx, ENVELOPE_H_SIGNATURE, out->signature, sizeof(out->signature),
		       err)) < 0)
		return rc;
	/* Decimal digits only: no sign, no spaces, no leading zero. */
	if (ts[0] == '0')
		return malformed(err, ENVELOPE_H_TIMESTAMP, "not a positive Unix time");
	for (const char *p = ts; *p; p++) {
		if (*p < '0' || *p > '9')
			return malformed(err, ENVELOPE_H_TIMESTAMP, "not a positive Unix time");
		out->timestamp = out->timestamp * 10 + (*p - '0');
	}
	return check_fields(out, err);
}

void
envelope_each_header(const struct envelope *e,
		     void (*add)(void *ctx, const char *name, const char *value), void *ctx)
{
	char ts[24];

	snprintf(ts, sizeof(ts), "%lld", (long long)e->timestamp);
	add(ctx, ENVELOPE_H_SENDER, e->sender);
	add(ctx, ENVELOPE_H_MESSAGE_ID, e->message_id);
	add(ctx, ENVELOPE_H_TIMESTAMP, ts);
	add(ctx, ENVELOPE_H_DIGEST, e->digest);
	add(ctx, ENVELOPE_H_KEY_ID, e->key_id);
	add(ctx, ENVELOPE_H_SIGNATURE, e->signature);
}

/* The parsed key for (id, pem): from the cache, or parsed and cached, or,
 * when the cache is full, parsed for the caller to free (*owned = 1).
 * NULL when pem is not an SM2 public key. */
static struct sm2_key *
key_for(const char *id, const char *pem, int *owned)
{
	struct sm2_key *k = NULL;

	*owned = 0;
	pthread_mutex_lock(&cache_mu);
	for (int i = 0; i < ncache; i++)
		if (strcmp(cache[i].id, id) == 0 && strcmp(cache[i].pem, pem) == 0) {
			k = cache[i].k;
			goto out;
		}
	k = sm2_from_pem(pem, strlen(pem));
	if (k == NULL)
		goto out;
	if (ncache < CACHE_MAX) {
		snprintf(cache[ncache].id, sizeof(cache[ncache].id), "%s", id);
		cache[ncache].pem = xstrdup(pem);
		cache[ncache].k = k;
		ncache++;
	} else
		*owned = 1;
out:
	pthread_mutex_unlock(&cache_mu);
	return k;
}

void
envelope_cache_clear(void)
{
	pthread_mutex_lock(&cache_mu);
	for (int i = 0; i < ncache; i++) {
		sm2_free(cache[i].k);
		free(cache[i].pem);
	}
	ncache = 0;
	pthread_mutex_unlock(&cache_mu);
}

int
envelope_verify(db_conn *c, const struct envelope *e, const char *method, const char *path,
		const void *body, size_t n, int64_t now, int64_t max_skew, struct zt_err *err)
{
	char digest[SM3_HEX_LEN];
	unsigned char der[SIG_DER_MAX];
	struct sm2_key *k = NULL;
	char *pem = NULL;
	struct buf b;
	int rc, owned = 0;

	buf_init(&b);
	if (!valid_method(method))
		return err_set(err, ZT_EINVAL, "method", "malformed", "not an HTTP method");
	if (!valid_path(path))
		return err_set(err, ZT_EINVAL, "path", "malformed", "not a request target");
	if ((rc = check_fields(e, err)) < 0)
		return rc;

	db_stmt *s =
	    db_prepare(c,
		       "SELECT n.key_id, n.public_key, n.status, n.source, m.value FROM fed_nodes n"
		       " LEFT JOIN node_meta m ON m.key = 'fed_registry_expires'"
		       " WHERE n.region_code = ?1",
		       err);
	if (s == NULL)
		return err->code;
	db_bind_text(s, 1, e->sender);
	rc = db_step(s, err);
	if (rc < 0)
		goto out;
	if (rc != DB_ROW) {
		rc = err_set(err, ZT_EUNAUTH, ENVELOPE_H_SENDER, "unknown_sender",
			     "no node of region %s is registered", e->sender);
		goto out;
	}
	if (strcmp(db_col_text(s, 2), "active") != 0) {
		rc = err_set(err, ZT_EUNAUTH, ENVELOPE_H_SENDER, "unknown_sender",
			     "the node of region %s is retired", e->sender);
		goto out;
	}
	if (strcmp(db_col_text(s, 3), "registry") == 0 &&
	    (db_col_isnull(s, 4) || strtoll(db_col_text(s, 4), NULL, 10) < now)) {
		/* Learned from the hub's registry, trusted only while it is valid. */
		rc = err_set(err, ZT_EUNAUTH, ENVELOPE_H_SENDER, "unknown_sender",
			     "region %s is known only from the hub's registry, which has expired",
			     e->sender);
		goto out;
	}
	if (strcmp(db_col_text(s, 0), e->key_id) != 0) {
		rc = err_set(err, ZT_EUNAUTH, ENVELOPE_H_KEY_ID, "unknown_sender",
			     "key %s is not the registered key of region %s", e->key_id, e->sender);
		goto out;
	}
	pem = xstrdup(db_col_text(s, 1));
	db_reset(s);

	sm3_hex(body, n, digest);
	if (strcmp(digest, e->digest) != 0) {
		rc = err_set(err, ZT_EINVAL, ENVELOPE_H_DIGEST, "bad_digest",
			     "the body's SM3 digest differs from X-ZT-Digest");
		goto out;
	}
	k = key_for(e->key_id, pem, &owned);
	if (k == NULL) {
		rc = err_set(err, ZT_EINTERNAL, ENVELOPE_H_KEY_ID, "bad_key",
			     "the registered key of region %s is not an SM2 public key", e->sender);
		goto out;
	}
	int len = b64url_decode(e->signature, der, sizeof(der));
	envelope_canonical(e, method, path, &b);
	int ok = len > 0 ? sm2_verify(k, b.data, b.len, der, (size_t)len) : 0;
	if (ok < 0) {
		rc = err_set(err, ZT_EINTERNAL, "", "verify", "SM2 verification unavailable");
		goto out;
	}
	if (ok == 0) {
		rc = err_set(err, ZT_EUNAUTH, ENVELOPE_H_SIGNATURE, "bad_signature",
			     "the signature does not verify with the key of region %s", e->sender);
		goto out;
	}
	if (e->timestamp < now - max_skew || e->timestamp > now + max_skew) {
		rc = err_set(err, ZT_EUNAUTH, ENVELOPE_H_TIMESTAMP, "stale",
			     "timestamp %lld is more than %lld s from this node's time %lld",
			     (long long)e->timestamp, (long long)max_skew, (long long)now);
		goto out;
	}
	rc = 0;
out:
	db_reset(s);
	if (owned)
		sm2_free(k);
	free(pem);
	buf_cleanup(&b);
	return rc;
}

int
envelope_mark_seen(db_conn *c, const struct envelope *e, struct zt_err *err)
{
	db_stmt *s = db_prepare(c,
				"INSERT INTO fed_seen (sender, message_id, received_at)"
				" VALUES (?1, ?2, ?3) ON CONFLICT (sender, message_id) DO NOTHING",
				err);
	if (s == NULL)
		return err->code;
	db_bind_text(s, 1, e->sender);
	db_bind_text(s, 2, e->message_id);
	db_bind_int(s, 3, clock_now());
	int rc = db_step(s, err);
	db_reset(s);
	if (rc < 0)
		return rc;
	if (db_changes(c) == 0)
		return err_set(err, ZT_ECONFLICT, ENVELOPE_H_MESSAGE_ID, "replayed",
			       "message %s from region %s was already received", e->message_id,
			       e->sender);
	return 0;
}
