/* sm3.h - SM3 hashing (GB/T 32905) and HMAC-SM3 through OpenSSL 3.
 *
 * The SM3 digest and the HMAC implementation are fetched from OpenSSL once
 * and shared; every call uses its own context, so all functions here are
 * safe to call from several threads at once. Library failures inside the
 * void functions (which only happen when OpenSSL is out of memory or built
 * without SM3) abort, like xmalloc. */
#ifndef ZT_SM3_H
#define ZT_SM3_H

#include <stddef.h>

#define SM3_LEN	    32 /* digest bytes */
#define SM3_HEX_LEN 65 /* lower-case hex digest + NUL */

/* Fetches SM3 and HMAC from OpenSSL. Call once at startup to fail early;
 * the other functions also do it on first use. Returns 0 or -1 (SM3 is not
 * available). Thread-safe. */
int sm3_init_lib(void);
/* Frees what sm3_init_lib fetched, for a tidy shutdown (no memory left for
 * leak checkers). Call only after every thread that hashes has stopped; a
 * later sm3_* or token_hash call aborts. Deliberately not an atexit handler:
 * exit() may run while other threads still hash. */
void sm3_cleanup_lib(void);

/* One-shot digest of n bytes at p. */
void sm3_digest(const void *p, size_t n, unsigned char out[SM3_LEN]);
/* One-shot digest as 64 lower-case hex characters + NUL. */
void sm3_hex(const void *p, size_t n, char out[SM3_HEX_LEN]);

/* Streaming hash, e.g. for uploads. A context is used by one thread at a
 * time. After sm3_final the context is reset and can hash a new message. */
struct sm3_ctx;

struct sm3_ctx *sm3_new(void);
void sm3_update(struct sm3_ctx *c, const void *p, size_t n);
void sm3_final(struct sm3_ctx *c, unsigned char out[SM3_LEN]);
void sm3_free(struct sm3_ctx *c);

/* HMAC-SM3 (RFC 2104 with SM3, 64-byte blocks) of n bytes at p under a key
 * of klen bytes (klen may be 0). */
void sm3_hmac(const void *key, size_t klen, const void *p, size_t n, unsigned char out[SM3_LEN]);

#endif
