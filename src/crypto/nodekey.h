/* nodekey.h - this node's SM2 signing key (e-licenses, the audit chain and,
 * with federation, node-to-node messages).
 *
 * The private key lives outside the database, in data_dir/node.key (PKCS#8
 * PEM, mode 0600), created on first use. Its public key is registered in the
 * node_keys table (when first used to sign) under key_id = the first 16 hex characters of
 * SM3(public PEM), so that anything this process signed can be verified by every process sharing
 * the database, also after the key is replaced. Signatures are SM2 with SM3 and the GM/T 0009
 * default ID, DER, base64url. */
#ifndef ZT_NODEKEY_H
#define ZT_NODEKEY_H

#include <stddef.h>

#include "base/err.h"
#include "db/db.h"

#define NODEKEY_ID_LEN 17 /* 16 hex + NUL */

/* Loads data_dir/node.key or creates it. Returns 0 or an error. */
int nodekey_load(const char *data_dir, struct zt_err *err);
/* Inside a write transaction: registers the loaded key's public half in
 * node_keys (once; later calls change nothing). Every transaction that
 * stores a signature calls it first, so a key is registered exactly when it
 * is first used and a database is never written just by loading a key. The
 * audit chain's pre-commit signing does it for every transaction that
 * appended audit records. Returns 0, or ZT_EUNAVAIL when no key is loaded. */
int nodekey_register(db_conn *c, struct zt_err *err);
/* 1 once nodekey_load succeeded. */
int nodekey_ready(void);
/* The key_id of the loaded key ("" before nodekey_load). */
const char *nodekey_id(void);
/* The loaded public key as PEM ("" before nodekey_load). */
const char *nodekey_public_pem(void);
/* Signs n bytes at msg; *sig_b64 gets a heap base64url DER signature for
 * the caller to free. Returns 0, or ZT_EUNAVAIL when no key is loaded. */
int nodekey_sign(const void *msg, size_t n, char **sig_b64, struct zt_err *err);
/* Verifies sig_b64 over msg with the public key registered under key_id,
 * read through c (parsed keys are cached). Returns 1 when valid, 0 when the
 * signature is wrong, malformed or the key unknown, negative on error. */
int nodekey_verify(db_conn *c, const char *key_id, const void *msg, size_t n, const char *sig_b64,
		   struct zt_err *err);
/* HMAC-SM3 of msg under a key derived from the node's private key (so it
 * never leaves node.key either): lower-case hex into out. Returns 0, or
 * ZT_EUNAVAIL when no key is loaded. Cheap (microseconds) where an SM2
 * signature costs about half a millisecond. */
int nodekey_mac(const void *msg, size_t n, char out[65], struct zt_err *err);
/* Checks a MAC made by nodekey_mac under the key key_id: 1 valid, 0 wrong,
 * -1 when key_id is not the loaded key (only the holder of node.key can
 * check its MACs). */
int nodekey_mac_verify(const char *key_id, const void *msg, size_t n, const char *mac_hex);

/* Frees the loaded key and the cache (tests, shutdown). */
void nodekey_unload(void);

#endif
