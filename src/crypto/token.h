/* token.h - session and API tokens, and random identifiers.
 *
 * A token is "zt_" + 32 random bytes in base64url without padding (43
 * characters). Only its SM3 hash is stored; the token itself is shown to
 * its owner once and never written to the database or logs. Randomness
 * comes from libsodium (the kernel CSPRNG); all functions are thread-safe. */
#ifndef ZT_TOKEN_H
#define ZT_TOKEN_H

#include <stddef.h>

#include "crypto/sm3.h"

#define TOKEN_PREFIX  "zt_"
#define TOKEN_RAW_LEN 32
#define TOKEN_STR_LEN 47 /* "zt_" + 43 base64url characters + NUL */

/* A fresh random token, NUL-terminated. */
void token_new(char out[TOKEN_STR_LEN]);
/* The value stored for a token: lower-case hex SM3 of the token string. */
void token_hash(const char *token, char out[SM3_HEX_LEN]);
/* 1 if s has the shape of a token (prefix, length, base64url characters),
 * else 0. Cheap; use it to reject garbage before any lookup. */
int token_looks_valid(const char *s);
/* n cryptographically random bytes. */
void random_bytes(void *p, size_t n);
/* 2*nbytes lower-case hex characters + NUL into out, e.g. for request ids. */
void random_hex(char *out, size_t nbytes);

#endif
