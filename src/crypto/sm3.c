/* sm3.c - SM3 and HMAC-SM3 on OpenSSL 3's EVP and EVP_MAC interfaces.
 *
 * The fetched EVP_MD and EVP_MAC are immutable once fetched and may be
 * shared between threads (OpenSSL 3 threading rules); only the per-call
 * contexts are private. */
#include "crypto/sm3.h"
#include "base/buf.h"
#include "base/xmalloc.h"

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

struct sm3_ctx {
	EVP_MD_CTX *md;
};

static void fetch_once(void);
static const EVP_MD *get_md(void);
static void fail(const char *what);

static pthread_once_t fetched = PTHREAD_ONCE_INIT;
static EVP_MD *sm3_md;
static EVP_MAC *hmac_mac;

static void
fetch_once(void)
{
	sm3_md = EVP_MD_fetch(NULL, "SM3", NULL);
	hmac_mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	if (sm3_md == NULL || hmac_mac == NULL) {
		sm3_cleanup_lib();
		ERR_clear_error();
	}
}

static void
fail(const char *what)
{
	fprintf(stderr, "zhengtong: SM3: %s failed\n", what);
	abort();
}

static const EVP_MD *
get_md(void)
{
	if (sm3_init_lib() < 0)
		fail("fetching the SM3 digest");
	return sm3_md;
}

int
sm3_init_lib(void)
{
	pthread_once(&fetched, fetch_once);
	return sm3_md != NULL && hmac_mac != NULL ? 0 : -1;
}

void
sm3_cleanup_lib(void)
{
	EVP_MAC_free(hmac_mac);
	EVP_MD_free(sm3_md);
	hmac_mac = NULL;
	sm3_md = NULL;
}

void
sm3_digest(const void *p, size_t n, unsigned char out[SM3_LEN])
{
	const EVP_MD *md = get_md();

	if (!EVP_Digest(p, n, out, NULL, md, NULL))
		fail("EVP_Digest");
}

void
sm3_hex(const void *p, size_t n, char out[SM3_HEX_LEN])
{
	unsigned char d[SM3_LEN];

	sm3_digest(p, n, d);
	hex_encode(d, SM3_LEN, out);
}

struct sm3_ctx *
sm3_new(void)
{
	const EVP_MD *md = get_md();
	struct sm3_ctx *c = xmalloc(sizeof(*c));

	c->md = EVP_MD_CTX_new();
	if (c->md == NULL)
		fail("EVP_MD_CTX_new");
	if (!EVP_DigestInit_ex2(c->md, md, NULL))
		fail("EVP_DigestInit_ex2");
	return c;
}

void
sm3_update(struct sm3_ctx *c, const void *p, size_t n)
{
	if (n && !EVP_DigestUpdate(c->md, p, n))
		fail("EVP_DigestUpdate");
}

void
sm3_final(struct sm3_ctx *c, unsigned char out[SM3_LEN])
{
	if (!EVP_DigestFinal_ex(c->md, out, NULL))
		fail("EVP_DigestFinal_ex");
	if (!EVP_DigestInit_ex2(c->md, NULL, NULL))
		fail("EVP_DigestInit_ex2");
}

void
sm3_free(struct sm3_ctx *c)
{
	if (c == NULL)
		return;
	EVP_MD_CTX_free(c->md);
	free(c);
}

void
sm3_hmac(const void *key, size_t klen, const void *p, size_t n, unsigned char out[SM3_LEN])
{
	/* A NULL key means "keep the previous key" to EVP_MAC_init, so an empty
	 * key is passed as a valid pointer with length 0. */
	static const unsigned char empty_key[1];
	OSSL_PARAM params[] = {
	    OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)"SM3", 0),
	    OSSL_PARAM_construct_end(),
	};
	EVP_MAC_CTX *ctx;
	size_t outl = 0;

	get_md();
	ctx = EVP_MAC_CTX_new(hmac_mac);
	if (ctx == NULL)
		fail("EVP_MAC_CTX_new");
	if (!EVP_MAC_init(ctx, klen ? key : empty_key, klen, params))
		fail("EVP_MAC_init");
	if (n && !EVP_MAC_update(ctx, p, n))
		fail("EVP_MAC_update");
	if (!EVP_MAC_final(ctx, out, &outl, SM3_LEN) || outl != SM3_LEN)
		fail("EVP_MAC_final");
	EVP_MAC_CTX_free(ctx);
}
