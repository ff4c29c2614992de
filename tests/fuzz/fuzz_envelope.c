/* fuzz_envelope.c - federation envelopes (fed/envelope): the six X-ZT-*
 * headers parsed (envelope_parse) and checked (envelope_verify) against the
 * node's registry, and the replay guard (envelope_mark_seen).
 *
 * Input: byte 0 picks the mode: even, the headers are only the input's; odd,
 * the message is first signed properly (as the peer 440000, or as this
 * node when bit 1 is set) and the input's headers override some of the
 * signed ones, so that the checks past the signature are reached too.
 * Byte 1 shifts the receiver's clock (-128..127 s times 4). The rest is
 *     METHOD PATH\nName: value\n...\n\nbody
 * Checks: a verified envelope is one whose fields are well-formed and whose
 * digest is the body's; it is marked seen once, and a second time it is
 * refused as replayed. */
#include "fuzz.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/buf.h"
#include "base/clock.h"
#include "base/xmalloc.h"
#include "crypto/sm2.h"
#include "crypto/sm3.h"
#include "fed/envelope.h"

#define MAXH 32

struct headers {
	const char *kv[2 * MAXH + 1];
	int n;
	char *owned[2 * 6]; /* the signed headers' copies */
	int nowned;
};

static const char *
get(void *ctx, const char *name)
{
	struct headers *h = ctx;

	for (int i = 0; i < h->n; i++)
		if (strcasecmp(h->kv[2 * i], name) == 0)
			return h->kv[2 * i + 1];
	return NULL;
}

static void
add(void *ctx, const char *name, const char *value)
{
	struct headers *h = ctx;

	if (h->n == MAXH)
		return;
	h->owned[h->nowned] = xstrdup(name);
	h->kv[2 * h->n] = h->owned[h->nowned++];
	h->owned[h->nowned] = xstrdup(value);
	h->kv[2 * h->n + 1] = h->owned[h->nowned++];
	h->n++;
}

/* Signs as the peer: what envelope_sign does with this node's key. */
static int
sign_as_peer(const char *method, const char *path, const void *body, size_t n, struct envelope *e)
{
	const char *key_id;
	struct sm2_key *k = fuzz_peer_key(&key_id);
	struct zt_err err;
	struct buf b;
	unsigned char *sig = NULL;
	size_t siglen = 0;

	memset(e, 0, sizeof(*e));
	snprintf(e->sender, sizeof(e->sender), "%s", fuzz_peer_region());
	err_clear(&err);
	if (envelope_new_id(e->message_id, &err) < 0)
		return -1;
	e->timestamp = clock_now();
	sm3_hex(body, n, e->digest);
	snprintf(e->key_id, sizeof(e->key_id), "%s", key_id);
	buf_init(&b);
	envelope_canonical(e, method, path, &b);
	int rc = sm2_sign(k, b.data, b.len, &sig, &siglen);
	buf_cleanup(&b);
	if (rc < 0 || siglen > 72) {
		free(sig);
		return -1;
	}
	b64url_encode(sig, siglen, e->signature);
	free(sig);
	return 0;
}

static int
job_mark(db_conn *c, void *arg, struct zt_err *err)
{
	return envelope_mark_seen(c, arg, err);
}

int
fuzz_envelope_one(const uint8_t *data, size_t size)
{
	struct headers h;
	struct envelope e;
	struct zt_err err;

	if (size < 2)
		return 0;
	fuzz_setup();
	int mode = data[0];
	int64_t shift = (int64_t)(int8_t)data[1] * 4;
	char *text = fuzz_strndup(data + 2, size - 2), *end = text + size - 2;
	memset(&h, 0, sizeof(h));

	/* "METHOD PATH" */
	char *nl = memchr(text, '\n', (size_t)(end - text));
	if (nl)
		*nl = '\0';
	char *method = text, *path = strchr(text, ' ');
	if (path)
		*path++ = '\0';
	else
		path = "/api/v1/fed/ping";
	const char *body = "";
	size_t blen = 0;
	for (char *p = nl ? nl + 1 : NULL; p && p < end;) {
		char *e2 = memchr(p, '\n', (size_t)(end - p));
		if (e2 == p) {
			body = p + 1;
			blen = (size_t)(end - p - 1);
			break;
		}
		if (e2)
			*e2 = '\0';
		char *colon = strchr(p, ':');
		if (colon && h.n < MAXH - 6) {
			*colon = '\0';
			h.kv[2 * h.n] = p;
			h.kv[2 * h.n + 1] = colon[1] == ' ' ? colon + 2 : colon + 1;
			h.n++;
		}
		if (e2 == NULL)
			break;
		p = e2 + 1;
	}
	if (mode & 1) {
		err_clear(&err);
		int rc = mode & 2 ? envelope_sign(method, path, body, blen, "520102", &e, &err)
				  : sign_as_peer(method, path, body, blen, &e);
		if (rc == 0)
			envelope_each_header(&e, add, &h); /* after the input's: they win */
	}

	err_clear(&err);
	if (envelope_parse(get, &h, &e, &err) == 0) {
		db_conn *c = db_read_acquire();
		char digest[SM3_HEX_LEN];
		err_clear(&err);
		int rc = envelope_verify(c, &e, method, path, body, blen, e.timestamp + shift, 300,
					 &err);
		db_read_release(c);
		if (rc == 0) {
			sm3_hex(body, blen, digest);
			if (strcmp(digest, e.digest) != 0)
				FUZZ_FAIL("verified with a wrong digest");
			if (shift > 300 || shift < -300)
				FUZZ_FAIL("verified a stale envelope (%lld s)", (long long)shift);
			err_clear(&err);
			if (db_write(job_mark, &e, &err) != 0)
				FUZZ_FAIL("mark_seen of a fresh message: %s", err.msg);
			err_clear(&err);
			if (db_write(job_mark, &e, &err) != ZT_ECONFLICT)
				FUZZ_FAIL("a replayed message was not refused");
		} else if (rc > 0 || err.code == 0)
			FUZZ_FAIL("envelope_verify: %d without an error", rc);
	} else if (err.code != ZT_EINVAL || strcmp(err.reason, "malformed") != 0)
		FUZZ_FAIL("envelope_parse: code %d reason %s", err.code, err.reason);
	for (int i = 0; i < h.nowned; i++)
		free(h.owned[i]);
	free(text);
	return 0;
}

FUZZ_TARGET_DB(envelope)
