/* password.h - password hashing (Argon2id via libsodium) and password policy.
 *
 * Hashes are self-describing strings ("$argon2id$v=19$m=...,t=...,p=1$...")
 * stored as they are; verification reads the parameters from the string, so
 * raising the cost later only needs password_needs_rehash at sign-in. */
#ifndef ZT_PASSWORD_H
#define ZT_PASSWORD_H

#include "base/err.h"

/* Room for a hash string + NUL (libsodium's crypto_pwhash_STRBYTES is 128;
 * password.c checks that this is enough). */
#define PASSWORD_HASH_MAX 128
#define PASSWORD_MIN_LEN  8
#define PASSWORD_MAX_LEN  128

/* Initialises libsodium (sodium_init). Call at startup; the functions below
 * also do it on first use. Returns 0, or -1 if libsodium cannot start. */
int password_init(void);
/* Hashes pw with Argon2id at libsodium's "interactive" cost into out
 * (NUL-terminated). Returns 0, or -1 (out of memory). */
int password_hash(const char *pw, char out[PASSWORD_HASH_MAX]);
/* 1 if pw matches hash, 0 if not or if hash is not a valid hash string. */
int password_verify(const char *hash, const char *pw);
/* 1 if hash was made with other parameters than the current ones (rehash
 * after a successful sign-in), 0 if current, -1 if hash is not a valid
 * Argon2id hash string. */
int password_needs_rehash(const char *hash);
/* Checks a new password: PASSWORD_MIN_LEN..PASSWORD_MAX_LEN bytes and at
 * least two of the classes letters, digits, other characters (any non-ASCII
 * byte counts as "other"). Returns 0, or ZT_EINVAL with err field
 * "password" and reason "length" or "weak". */
int password_check_policy(const char *pw, struct zt_err *err);

#endif
