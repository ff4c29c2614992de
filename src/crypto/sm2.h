/* sm2.h - SM2 key pairs and SM2-with-SM3 signatures (GM/T 0003, GM/T 0009).
 *
 * Used for e-license signatures and node identity. Signatures are DER
 * SEQUENCE { r, s } over SM3 with the user ID always set explicitly to the
 * GM/T 0009 default "1234567812345678" on both sides, so they interoperate
 * with other GM/T 0009 implementations. Keys travel as PEM: PKCS#8
 * "PRIVATE KEY" (unencrypted) and SubjectPublicKeyInfo "PUBLIC KEY". */
#ifndef ZT_SM2_H
#define ZT_SM2_H

#include <stddef.h>

#define SM2_DEFAULT_ID "1234567812345678"

struct sm2_key;

/* A fresh key pair, or NULL if OpenSSL fails. Free with sm2_free. */
struct sm2_key *sm2_generate(void);
/* Loads a private key PEM (PKCS#8 PRIVATE KEY or the traditional SM2 PRIVATE
 * KEY; a key that would need a passphrase is refused) or a public key PEM
 * (PUBLIC KEY). A public key can verify but not sign. Returns NULL if the
 * text is not an SM2 key. */
struct sm2_key *sm2_from_pem(const char *pem, size_t len);
/* Unencrypted PKCS#8 PEM of the private key, NUL-terminated, for the caller
 * to free (and to wipe: it is a secret). NULL for a public-only key. */
char *sm2_private_pem(const struct sm2_key *k);
/* PEM of the public key, NUL-terminated, for the caller to free. */
char *sm2_public_pem(const struct sm2_key *k);
/* 1 if k holds a private key (can sign), else 0. */
int sm2_has_private(const struct sm2_key *k);
/* Signs n bytes at msg. On success returns 0 and sets *sig to a heap DER
 * signature (caller frees) of *siglen bytes; returns -1 if k is public-only
 * or OpenSSL fails. */
int sm2_sign(const struct sm2_key *k, const void *msg, size_t n, unsigned char **sig,
	     size_t *siglen);
/* Returns 1 if sig is a valid signature of msg by k, 0 if it is not
 * (including a malformed signature), -1 if the verifier cannot be set up. */
int sm2_verify(const struct sm2_key *k, const void *msg, size_t n, const unsigned char *sig,
	       size_t siglen);
void sm2_free(struct sm2_key *k);

#endif
