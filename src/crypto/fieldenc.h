/* fieldenc.h - encryption at rest of personal fields (GB/T 39786: the
 * confidentiality and integrity of important data with national algorithms).
 *
 * A keyring file outside the database (default data_dir/data.key, mode
 * 0600; config data_key_file / ZT_DATA_KEY_FILE) holds numbered master
 * secrets (32 random bytes each), which one is current, and numbered lookup
 * secrets. Per master version an SM4 key and an HMAC-SM3 key are derived
 * (HMAC-SM3 of the secret with distinct labels).
 *
 * Values: SM4-CTR under a random 16-byte IV, then HMAC-SM3 over
 * (version as 4 bytes big-endian || IV || ciphertext): encrypt-then-MAC.
 * Stored as "enc1:<version>:<base64url(IV || ciphertext || MAC)>". The MAC
 * is checked (in constant time) before anything is decrypted.
 *
 * Lookups (blind index): "bi1:<lookup version>:" + 64 hex of
 * HMAC-SM3(HMAC-SM3(lookup secret, label), value): equal values give equal
 * indexes, so columns holding them keep equality lookups, joins and
 * uniqueness; without the key file nobody can test a guessed ID number.
 *
 * Thread-safe: the keyring is swapped under a lock by fieldenc_reload (on
 * SIGHUP, and when a value names a version this process does not know). */
#ifndef ZT_FIELDENC_H
#define ZT_FIELDENC_H

#include <jansson.h>
#include <stddef.h>

#include "base/err.h"

#define FIELDENC_PREFIX	    "enc1:"
#define FIELDENC_IDX_PREFIX "bi1:"
#define FIELDENC_IDX_LEN    80 /* "bi1:" + version + ":" + 64 hex + NUL */
#define FIELDENC_MAX_VER    1000

/* Loads the keyring at path. When the file does not exist and may_create
 * is set, creates it (version 1 of both secrets) first. Returns 0, or an
 * error (ZT_ENOTFOUND when absent and not created). */
int fieldenc_load(const char *path, int may_create, struct zt_err *err);
/* 1 once a keyring is loaded. */
int fieldenc_ready(void);
/* The path loaded from ("" before). */
const char *fieldenc_path(void);
/* Reads the keyring file again (after a rotation). 0 or an error (the
 * loaded keyring stays). */
int fieldenc_reload(struct zt_err *err);
/* Forgets the keys (tests, shutdown). */
void fieldenc_unload(void);

/* Current versions and the list of versions held (up to cap each). */
int fieldenc_current(void);
int fieldenc_lookup_current(void);
int fieldenc_versions(int *out, int cap);
int fieldenc_lookup_versions(int *out, int cap);
/* A short public fingerprint of a version's key ("" when unknown), 16 hex:
 * recorded in the database so that a wrong or replaced key file is noticed
 * before it encrypts anything. lookup selects the lookup secrets. */
void fieldenc_fingerprint(int lookup, int version, char out[17]);

/* Key management (the `keys` CLI): appends a new random secret (made
 * current when make_current) and rewrites the file atomically. Returns the
 * new version or an error. */
int fieldenc_add_version(int lookup, int make_current, struct zt_err *err);
/* Makes a held version current and rewrites the file. 0 or an error. */
int fieldenc_make_current(int lookup, int version, struct zt_err *err);
/* Removes a version that is not current from the file. 0 or an error. */
int fieldenc_remove_version(int lookup, int version, struct zt_err *err);

/* Encrypts n bytes under the current version: a heap string (caller frees).
 * Never NULL once loaded; aborts when no keyring is loaded (a programming
 * error: the CLI and server load it before touching data). */
char *fieldenc_encrypt(const char *plain, size_t n);
/* Same for a NUL-terminated string; NULL gives NULL. */
char *fieldenc_encrypt_str(const char *s);
/* Decrypts a value made by fieldenc_encrypt: 0 with *out a heap,
 * NUL-terminated string (caller frees; *n its length when n is not NULL),
 * or ZT_EINTERNAL with err->reason "bad_ciphertext" (malformed),
 * "bad_mac" (tampered or wrong key) or "unknown_key_version". Failures are
 * logged. Never returns unauthenticated bytes. */
int fieldenc_decrypt(const char *s, char **out, size_t *n, struct zt_err *err);
/* Like fieldenc_decrypt but for values that may still be clear text
 * (NULL gives NULL): a value without the prefix is copied as is. On a
 * failure returns NULL and logs. */
char *fieldenc_open_str(const char *s, struct zt_err *err);
/* 1 when s is an encrypted value (starts with the prefix). */
int fieldenc_is_enc(const char *s);
/* The key version of an encrypted value, or -1. */
int fieldenc_version_of(const char *s);

/* The blind index of value (exact bytes; callers normalize) under the
 * current lookup secret into out. */
void fieldenc_index(const char *value, char out[FIELDENC_IDX_LEN]);
/* Same under a given lookup version: 0, or -1 when that version is not
 * held. */
int fieldenc_index_ver(int version, const char *value, char out[FIELDENC_IDX_LEN]);
/* 1 when s is a blind index. */
int fieldenc_is_index(const char *s);
/* The lookup version of a blind index, or -1. */
int fieldenc_index_version_of(const char *s);

/* A copy of text (heap) with every run that looks like an 18-character ID
 * number or an 11-digit mobile number masked (first 6 and last 4, first 3
 * and last 4 kept): for free text that records queries (access records). */
char *fieldenc_scrub(const char *text);

/* ---- free-form JSON (case forms) ----
 *
 * A form's members are whatever the item asks for, and all of it is the
 * applicant's: ID numbers and phones, but also names, addresses, landlines,
 * incomes, which nothing can tell apart from harmless text. So every string
 * and number value, wherever it sits (nested objects and arrays included),
 * is sealed as an "enc1:" string of its JSON text (a number stays a number
 * when opened); member names, true, false and null stay as they are. */

/* The compact JSON text of v (NULL gives NULL) with every string and
 * number value sealed; v itself is not changed. Caller frees. Values already sealed
 * stay as they are. *nsealed (may be NULL) gets how many were sealed. */
char *fieldenc_seal_json(json_t *v, int *nsealed);
/* Opens in place every "enc1:" string inside v (objects and arrays). 0,
 * or ZT_EINTERNAL (a value failed its check; logged; v partly opened). */
int fieldenc_open_json(json_t *v, struct zt_err *err);
/* Like fieldenc_open_json on the JSON text: a new object (caller decrefs),
 * or NULL when the text is not JSON or a value failed its check. */
json_t *fieldenc_load_json(const char *text, struct zt_err *err);

#endif
