/* sm2.c - SM2 keys and signatures on OpenSSL 3 EVP (no deprecated EC_KEY).
 *
 * An EVP_PKEY is safe to use from several threads for signing and
 * verifying as long as nobody modifies it; each call here makes its own
 * EVP_MD_CTX. Failed OpenSSL calls leave entries on the thread's error
 * queue; we clear them so they cannot be mistaken later for new errors. */
#include "crypto/sm2.h"
#include "base/xmalloc.h"

#include <limits.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <stdlib.h>
#include <string.h>

struct sm2_key {
	EVP_PKEY *pkey;
	int has_private;
};

static struct sm2_key *wrap(EVP_PKEY *pkey, int has_private);
static int no_passphrase(char *buf, int size, int rwflag, void *u);
static EVP_PKEY *read_pem(const char *pem, size_t len, int private);
static char *bio_to_string(BIO *bio);

static struct sm2_key *
wrap(EVP_PKEY *pkey, int has_private)
{
	struct sm2_key *k = xmalloc(sizeof(*k));

	k->pkey = pkey;
	k->has_private = has_private;
	return k;
}

struct sm2_key *
sm2_generate(void)
{
	EVP_PKEY *pkey = EVP_PKEY_Q_keygen(NULL, NULL, "SM2");

	if (pkey == NULL) {
		ERR_clear_error();
		return NULL;
	}
	return wrap(pkey, 1);
}

/* Refuses encrypted keys instead of letting OpenSSL prompt on the terminal. */
static int
no_passphrase(char *buf, int size, int rwflag, void *u)
{
	(void)buf;
	(void)size;
	(void)rwflag;
	(void)u;
	return -1;
}

static EVP_PKEY *
read_pem(const char *pem, size_t len, int private)
{
	EVP_PKEY *pkey;
	BIO *bio = BIO_new_mem_buf(pem, (int)len);

	if (bio == NULL)
		return NULL;
	if (private)
		pkey = PEM_read_bio_PrivateKey(bio, NULL, no_passphrase, NULL);
	else
		pkey = PEM_read_bio_PUBKEY(bio, NULL, no_passphrase, NULL);
	BIO_free(bio);
	return pkey;
}

struct sm2_key *
sm2_from_pem(const char *pem, size_t len)
{
	EVP_PKEY *pkey;
	int has_private = 1;

	if (pem == NULL || len == 0 || len > INT_MAX)
		return NULL;
	pkey = read_pem(pem, len, 1);
	if (pkey == NULL) {
		has_private = 0;
		pkey = read_pem(pem, len, 0);
	}
	ERR_clear_error();
	if (pkey == NULL)
		return NULL;
	if (!EVP_PKEY_is_a(pkey, "SM2")) {
		EVP_PKEY_free(pkey);
		return NULL;
	}
	return wrap(pkey, has_private);
}

static char *
bio_to_string(BIO *bio)
{
	char *data, *s;
	long n = BIO_get_mem_data(bio, &data);

	if (n <= 0)
		return NULL;
	s = xmalloc((size_t)n + 1);
	memcpy(s, data, (size_t)n);
	s[n] = '\0';
	return s;
}

char *
sm2_private_pem(const struct sm2_key *k)
{
	char *s = NULL;
	BIO *bio;

	if (!k->has_private)
		return NULL;
	bio = BIO_new(BIO_s_mem());
	if (bio == NULL)
		goto out;
	if (PEM_write_bio_PrivateKey(bio, k->pkey, NULL, NULL, 0, NULL, NULL))
		s = bio_to_string(bio);
out:
	/* A memory BIO wipes its buffer when freed. */
	BIO_free(bio);
	ERR_clear_error();
	return s;
}

char *
sm2_public_pem(const struct sm2_key *k)
{
	char *s = NULL;
	BIO *bio = BIO_new(BIO_s_mem());

	if (bio == NULL)
		goto out;
	if (PEM_write_bio_PUBKEY(bio, k->pkey))
		s = bio_to_string(bio);
out:
	BIO_free(bio);
	ERR_clear_error();
	return s;
}

int
sm2_has_private(const struct sm2_key *k)
{
	return k->has_private;
}

int
sm2_sign(const struct sm2_key *k, const void *msg, size_t n, unsigned char **sig, size_t *siglen)
{
	EVP_MD_CTX *mdctx = NULL;
	EVP_PKEY_CTX *pctx = NULL;
	unsigned char *s = NULL;
	size_t slen;
	int max, rc = -1;

	*sig = NULL;
	*siglen = 0;
	if (!k->has_private)
		return -1;
	max = EVP_PKEY_get_size(k->pkey);
	if (max <= 0)
		goto out;
	mdctx = EVP_MD_CTX_new();
	if (mdctx == NULL)
		goto out;
	if (EVP_DigestSignInit_ex(mdctx, &pctx, "SM3", NULL, NULL, k->pkey, NULL) != 1)
		goto out;
	if (EVP_PKEY_CTX_set1_id(pctx, SM2_DEFAULT_ID, (int)strlen(SM2_DEFAULT_ID)) != 1)
		goto out;
	s = xmalloc((size_t)max);
	slen = (size_t)max;
	if (EVP_DigestSign(mdctx, s, &slen, msg, n) != 1)
		goto out;
	*sig = s;
	*siglen = slen;
	s = NULL;
	rc = 0;
out:
	free(s);
	EVP_MD_CTX_free(mdctx);
	if (rc != 0)
		ERR_clear_error();
	return rc;
}

int
sm2_verify(const struct sm2_key *k, const void *msg, size_t n, const unsigned char *sig,
	   size_t siglen)
{
	EVP_MD_CTX *mdctx = EVP_MD_CTX_new();
	EVP_PKEY_CTX *pctx = NULL;
	int rc = -1;

	if (mdctx == NULL)
		goto out;
	if (EVP_DigestVerifyInit_ex(mdctx, &pctx, "SM3", NULL, NULL, k->pkey, NULL) != 1)
		goto out;
	if (EVP_PKEY_CTX_set1_id(pctx, SM2_DEFAULT_ID, (int)strlen(SM2_DEFAULT_ID)) != 1)
		goto out;
	/* Anything but 1 is a failed verification here: OpenSSL reports a
	 * malformed DER signature as an error, but to the caller it is simply
	 * not a valid signature. */
	rc = sig != NULL && siglen > 0 && EVP_DigestVerify(mdctx, sig, siglen, msg, n) == 1;
out:
	EVP_MD_CTX_free(mdctx);
	ERR_clear_error();
	return rc;
}

void
sm2_free(struct sm2_key *k)
{
	if (k == NULL)
		return;
	EVP_PKEY_free(k->pkey);
	free(k);
}
