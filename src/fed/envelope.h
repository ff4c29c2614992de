/* envelope.h - the signed envelope of a node-to-node HTTP message
 * (docs/federation.md).
 *
 * Six headers travel with every request one node sends to another:
 *   X-ZT-Sender      region code of the sending node (6 digits)
 *   X-ZT-Message-Id  32 lower-case hex, random (16 bytes of RAND_bytes)
 *   X-ZT-Timestamp   Unix seconds when the message was signed
 *   X-ZT-Digest      SM3 of the body, 64 lower-case hex
 *   X-ZT-Key-Id      key_id of the signing key (16 lower-case hex)
 *   X-ZT-Signature   base64url DER SM2-with-SM3 over the canonical string
 *     "ZT-FED-1\n" METHOD "\n" PATH "\n" sender "\n" message_id "\n"
 *     timestamp "\n" digest "\n" key_id
 * The receiver checks the envelope with envelope_verify() against its
 * registry (fed_nodes), then, in the write transaction that applies the
 * message, calls envelope_mark_seen(): the message takes effect exactly once,
 * together with its effect, however often it is delivered.
 *
 * Errors name the offending header in err->field and the reason in
 * err->reason: malformed, unknown_sender, bad_digest, bad_signature, stale,
 * replayed. */
#ifndef ZT_ENVELOPE_H
#define ZT_ENVELOPE_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/err.h"
#include "crypto/nodekey.h"
#include "crypto/sm3.h"
#include "db/db.h"

#define ENVELOPE_H_SENDER     "X-ZT-Sender"
#define ENVELOPE_H_MESSAGE_ID "X-ZT-Message-Id"
#define ENVELOPE_H_TIMESTAMP  "X-ZT-Timestamp"
#define ENVELOPE_H_DIGEST     "X-ZT-Digest"
#define ENVELOPE_H_KEY_ID     "X-ZT-Key-Id"
#define ENVELOPE_H_SIGNATURE  "X-ZT-Signature"

#define ENVELOPE_PREFIX	      "ZT-FED-1"
#define ENVELOPE_MSGID_LEN    33  /* 32 hex + NUL */
#define ENVELOPE_SIG_MAX      128 /* base64url of a DER signature (<= 72 bytes) + NUL */
#define ENVELOPE_PATH_MAX     2048
#define ENVELOPE_DEFAULT_SKEW 300 /* seconds either side */

struct envelope {
	char sender[8];
	char message_id[ENVELOPE_MSGID_LEN];
	int64_t timestamp;
	char digest[SM3_HEX_LEN];
	char key_id[NODEKEY_ID_LEN];
	char signature[ENVELOPE_SIG_MAX];
};

/* Signs a message from this node (the loaded node key) for METHOD PATH with
 * n body bytes: fills *out with sender, a fresh message id, the time of
 * clock_now(), the body's digest, the key's id and the signature. PATH is
 * the request target as sent (with its query string, if any). Returns 0,
 * ZT_EINVAL for a bad method, path or sender, or ZT_EUNAVAIL when no node
 * key is loaded. */
int envelope_sign(const char *method, const char *path, const void *body, size_t n,
		  const char *sender, struct envelope *out, struct zt_err *err);

/* The same with a given message id (32 lower-case hex): a message keeps its
 * id across retries, and is signed again (new timestamp) for each attempt.
 * NULL draws a fresh one. */
int envelope_sign_id(const char *method, const char *path, const void *body, size_t n,
		     const char *sender, const char *message_id, struct envelope *out,
		     struct zt_err *err);
/* A fresh random message id. */
int envelope_new_id(char out[ENVELOPE_MSGID_LEN], struct zt_err *err);

/* Appends the canonical string of e for method and path to b (the bytes
 * that are signed). */
void envelope_canonical(const struct envelope *e, const char *method, const char *path,
			struct buf *b);

/* Fills *out from the six headers, read through get(ctx, name) (NULL when a
 * header is absent). Returns 0, or ZT_EINVAL with reason "malformed" and the
 * header's name in err->field when one is missing or not in its format. */
int envelope_parse(const char *(*get)(void *ctx, const char *name), void *ctx, struct envelope *out,
		   struct zt_err *err);

/* Calls add(ctx, name, value) for each of the six headers of e, in the
 * order listed above (value is valid during the call only). */
void envelope_each_header(const struct envelope *e,
			  void (*add)(void *ctx, const char *name, const char *value), void *ctx);

/* Checks a received envelope for the request METHOD PATH with n body bytes,
 * at time now, allowing max_skew seconds of clock difference either side.
 * Reads the sender's public key from fed_nodes through c (parsed keys are
 * cached by key_id). The checks, in order, each with its own reason:
 *   malformed       a field missing or not in its format (ZT_EINVAL);
 *   unknown_sender  no such node in fed_nodes, the node is retired, or the
 *                   key id is not the node's registered key (ZT_EUNAUTH);
 *   bad_digest      the body's SM3 differs (ZT_EINVAL);
 *   bad_signature   the signature does not verify with that key (ZT_EUNAUTH);
 *   stale           |now - timestamp| > max_skew (ZT_EUNAUTH).
 * Returns 0 when the envelope is good, one of those codes otherwise, or
 * another negative error when the database fails. It does not check for a
 * replay: the handler calls envelope_mark_seen() in its write transaction. */
int envelope_verify(db_conn *c, const struct envelope *e, const char *method, const char *path,
		    const void *body, size_t n, int64_t now, int64_t max_skew, struct zt_err *err);

/* Inside the write transaction that applies the message: records (sender,
 * message id) in fed_seen. Returns 0 the first time; ZT_ECONFLICT with
 * reason "replayed" (field X-ZT-Message-Id) when that message was already
 * applied, so the handler applies nothing and answers as for a duplicate;
 * another negative error when the database fails. */
int envelope_mark_seen(db_conn *c, const struct envelope *e, struct zt_err *err);

/* Frees the cache of parsed public keys (tests, shutdown). */
void envelope_cache_clear(void);

#endif
