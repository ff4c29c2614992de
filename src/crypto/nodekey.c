/* nodekey.c - loading or creating the node's SM2 key, registering its
 * public half, and signing / verifying with registered keys. */
#include "crypto/nodekey.h"
#include "base/buf.h"
#include "base/clock.h"
#include "base/fileio.h"
#include "base/xmalloc.h"
#include "crypto/sm2.h"
#include "crypto/sm3.h"

#include <errno.h>
#include <openssl/crypto.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define KEY_FILE  "node.key"
#define CACHE_MAX 16
#define SIG_MAX	  160 /* DER SM2 signatures are at most 72 bytes */

static struct sm2_key *key;
static char key_id[NODEKEY_ID_LEN];
static char *pub_pem;
static unsigned char mac_key[SM3_LEN]; /* HMAC-SM3(private PEM, MAC_LABEL) */

#define MAC_LABEL "zt-audit-mac/1"

/* Public keys read from node_keys, by key_id. */
static pthread_mutex_t cache_mu = PTHREAD_MUTEX_INITIALIZER;
static struct {
	char id[NODEKEY_ID_LEN];
	struct sm2_key *k;
} cache[CACHE_MAX];
static int ncache;

static void
compute_id(const char *pem, char out[NODEKEY_ID_LEN])
{
	char hex[SM3_HEX_LEN];

	sm3_hex(pem, strlen(pem), hex);
	memcpy(out, hex, NODEKEY_ID_LEN - 1);
	out[NODEKEY_ID_LEN - 1] = '\0';
}

/* Writes a new key to path: a temporary file, fsync, then rename, so a
 * crash never leaves half a key. O_EXCL on the final name is emulated by
 * link(): two processes racing keep the first key. */
static int
write_key(const char *path, const char *pem, struct zt_err *err)
{
	char tmp[1100];
	int fd, rc = 0;
	size_t n = strlen(pem);

	snprintf(tmp, sizeof(tmp), "%s.%d.tmp", path, (int)getpid());
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return err_set(err, ZT_EINTERNAL, "", "node_key", "cannot create %s: %s", tmp,
			       strerror(errno));
	if (write(fd, pem, n) != (ssize_t)n || fsync(fd) < 0)
		rc = err_set(err, ZT_EINTERNAL, "", "node_key", "cannot write %s: %s", tmp,
			     strerror(errno));
	close(fd);
	if (rc == 0 && link(tmp, path) < 0 && errno != EEXIST)
		rc = err_set(err, ZT_EINTERNAL, "", "node_key", "cannot create %s: %s", path,
			     strerror(errno));
	unlink(tmp);
	return rc;
}

int
nodekey_register(db_conn *c, struct zt_err *err)
{
	if (key == NULL)
		return err_set(err, ZT_EUNAVAIL, "", "node_key", "the node key is not loaded");
	db_stmt *s = db_prepare(c,
				"INSERT INTO node_keys (key_id, public_pem, created_at)"
				" VALUES (?1, ?2, ?3) ON CONFLICT (key_id) DO NOTHING",
				err);
	if (s == NULL)
		return err->code;
	db_bind_text(s, 1, key_id);
	db_bind_text(s, 2, pub_pem);
	db_bind_int(s, 3, clock_now());
	int rc = db_step(s, err);
	return rc < 0 ? rc : 0;
}

int
nodekey_load(const char *data_dir, struct zt_err *err)
{
	char path[1024];
	char *pem = NULL;
	size_t len;
	int rc;

	if (key)
		return 0;
	snprintf(path, sizeof(path), "%s/%s", data_dir, KEY_FILE);
	rc = file_read_all(path, 64 * 1024, &pem, &len);
	if (rc == -1 && errno == ENOENT) {
		struct sm2_key *fresh = sm2_generate();
		char *priv = fresh ? sm2_private_pem(fresh) : NULL;
		sm2_free(fresh);
		if (priv == NULL)
			return err_set(err, ZT_EINTERNAL, "", "node_key",
				       "cannot generate an SM2 key");
		rc = write_key(path, priv, err);
		explicit_bzero(priv, strlen(priv));
		free(priv);
		if (rc < 0)
			return rc;
		rc = file_read_all(path, 64 * 1024, &pem, &len);
	}
	if (rc < 0)
		return err_set(err, ZT_EINTERNAL, "", "node_key", "cannot read %s", path);
	key = sm2_from_pem(pem, len);
	sm3_hmac(pem, len, MAC_LABEL, strlen(MAC_LABEL), mac_key);
	explicit_bzero(pem, len);
	free(pem);
	if (key == NULL || !sm2_has_private(key)) {
		sm2_free(key);
		key = NULL;
		return err_set(err, ZT_EINTERNAL, "", "node_key",
			       "%s is not an unencrypted SM2 private key", path);
	}
	pub_pem = sm2_public_pem(key);
	compute_id(pub_pem, key_id);
	return 0;
}

int
nodekey_ready(void)
{
	return key != NULL;
}

const char *
nodekey_id(void)
{
	return key_id;
}

const char *
nodekey_public_pem(void)
{
	return pub_pem ? pub_pem : "";
}

int
nodekey_sign(const void *msg, size_t n, char **sig_b64, struct zt_err *err)
{
	unsigned char *sig;
	size_t siglen;

	*sig_b64 = NULL;
	if (key == NULL)
		return err_set(err, ZT_EUNAVAIL, "", "node_key", "the node key is not loaded");
	if (sm2_sign(key, msg, n, &sig, &siglen) < 0)
		return err_set(err, ZT_EINTERNAL, "", "sign", "SM2 signing failed");
	*sig_b64 = xmalloc(4 * ((siglen + 2) / 3) + 1);
	b64url_encode(sig, siglen, *sig_b64);
	free(sig);
	return 0;
}

/* The parsed public key registered under id, from the cache or c. */
static struct sm2_key *
lookup(db_conn *c, const char *id, struct zt_err *err, int *rc, int *owned)
{
	struct sm2_key *k = NULL;

	*rc = 0;
	*owned = 0;
	pthread_mutex_lock(&cache_mu);
	for (int i = 0; i < ncache; i++)
		if (strcmp(cache[i].id, id) == 0) {
			k = cache[i].k;
			break;
		}
	pthread_mutex_unlock(&cache_mu);
	if (k)
		return k;
	db_stmt *s = db_prepare(c, "SELECT public_pem FROM node_keys WHERE key_id = ?1", err);
	if (s == NULL) {
		*rc = err->code;
		return NULL;
	}
	db_bind_text(s, 1, id);
	int step = db_step(s, err);
	if (step == DB_ROW) {
		const char *pem = db_col_text(s, 0);
		k = pem ? sm2_from_pem(pem, strlen(pem)) : NULL;
	}
	db_reset(s);
	if (step < 0) {
		*rc = step;
		return NULL;
	}
	if (k == NULL)
		return NULL;
	pthread_mutex_lock(&cache_mu);
	for (int i = 0; i < ncache; i++)
		if (strcmp(cache[i].id, id) == 0) { /* another thread was first */
			sm2_free(k);
			k = cache[i].k;
			goto done;
		}
	if (ncache == CACHE_MAX) { /* keys are few; past that, do not cache */
		*owned = 1;
		goto done;
	}
	snprintf(cache[ncache].id, sizeof(cache[ncache].id), "%s", id);
	cache[ncache++].k = k;
done:
	pthread_mutex_unlock(&cache_mu);
	return k;
}

int
nodekey_verify(db_conn *c, const char *id, const void *msg, size_t n, const char *sig_b64,
	       struct zt_err *err)
{
	unsigned char sig[SIG_MAX];
	int rc, siglen;

	if (id == NULL || sig_b64 == NULL || strlen(sig_b64) > 4 * SIG_MAX / 3)
		return 0;
	siglen = b64url_decode(sig_b64, sig, sizeof(sig));
	if (siglen <= 0)
		return 0;
	/* Cached keys live until nodekey_unload at shutdown; the mutex only
	 * guards the table. */
	int owned;
	struct sm2_key *k = lookup(c, id, err, &rc, &owned);
	if (k == NULL)
		return rc;
	rc = sm2_verify(k, msg, n, sig, (size_t)siglen);
	if (owned)
		sm2_free(k);
	if (rc < 0)
		return err_set(err, ZT_EINTERNAL, "", "verify", "SM2 verifier unavailable");
	return rc;
}

int
nodekey_mac(const void *msg, size_t n, char out[65], struct zt_err *err)
{
	unsigned char md[SM3_LEN];

	if (key == NULL)
		return err_set(err, ZT_EUNAVAIL, "", "node_key", "the node key is not loaded");
	sm3_hmac(mac_key, sizeof(mac_key), msg, n, md);
	hex_encode(md, SM3_LEN, out);
	return 0;
}

int
nodekey_mac_verify(const char *id, const void *msg, size_t n, const char *mac_hex)
{
	unsigned char md[SM3_LEN], got[SM3_LEN];

	if (key == NULL || id == NULL || strcmp(id, key_id) != 0)
		return -1;
	if (mac_hex == NULL || hex_decode(mac_hex, got, sizeof(got)) != SM3_LEN)
		return 0;
	sm3_hmac(mac_key, sizeof(mac_key), msg, n, md);
	return CRYPTO_memcmp(md, got, SM3_LEN) == 0;
}

void
nodekey_unload(void)
{
	sm2_free(key);
	key = NULL;
	key_id[0] = '\0';
	free(pub_pem);
	pub_pem = NULL;
	explicit_bzero(mac_key, sizeof(mac_key));
	pthread_mutex_lock(&cache_mu);
	for (int i = 0; i < ncache; i++)
		sm2_free(cache[i].k);
	ncache = 0;
	pthread_mutex_unlock(&cache_mu);
}
