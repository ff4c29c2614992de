/* fieldenc.c - the data keyring, SM4-CTR + HMAC-SM3 field encryption and
 * keyed SM3 blind indexes (see fieldenc.h). */
#include "crypto/fieldenc.h"
#include "base/buf.h"
#include "base/fileio.h"
#include "base/ident.h"
#include "base/log.h"
#include "base/xmalloc.h"
#include "crypto/sm3.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>

#define SECRET_LEN 32
#define IV_LEN	   16
#define SM4_LEN	   16
#define MAX_VERS   64
#define FILE_MAX   (64 * 1024)

#define LABEL_SM4   "zt-fieldenc/sm4/1"
#define LABEL_MAC   "zt-fieldenc/hmac-sm3/1"
#define LABEL_INDEX "zt-fieldenc/index/1"
#define LABEL_FP    "zt-fieldenc/fingerprint/1"

struct kver {
	int v;
	unsigned char secret[SECRET_LEN];
	unsigned char k1[SM3_LEN]; /* enc: SM4 key (first 16 bytes); lookup: index key */
	unsigned char k2[SM3_LEN]; /* enc: HMAC-SM3 key */
};

struct ring {
	int cur, lcur;
	int n, ln;
	struct kver k[MAX_VERS];
	struct kver l[MAX_VERS];
};

static pthread_rwlock_t mu = PTHREAD_RWLOCK_INITIALIZER;
static struct ring *ring;
static char ring_path[1024];
static pthread_mutex_t reload_mu = PTHREAD_MUTEX_INITIALIZER;
static time_t last_auto_reload;
/* The file as last read, to notice a rotation by another process. */
static struct stat ring_stat;
static time_t last_stat_check;

static pthread_once_t cipher_once = PTHREAD_ONCE_INIT;
static EVP_CIPHER *sm4_ctr;

static void
fetch_cipher(void)
{
	sm4_ctr = EVP_CIPHER_fetch(NULL, "SM4-CTR", NULL);
	if (sm4_ctr == NULL)
		ERR_clear_error();
}

static void
die(const char *what)
{
	fprintf(stderr, "zhengtong: fieldenc: %s\n", what);
	abort();
}

static void
derive(struct kver *k, int lookup)
{
	if (lookup) {
		sm3_hmac(k->secret, SECRET_LEN, LABEL_INDEX, strlen(LABEL_INDEX), k->k1);
		memset(k->k2, 0, sizeof(k->k2));
	} else {
		sm3_hmac(k->secret, SECRET_LEN, LABEL_SM4, strlen(LABEL_SM4), k->k1);
		sm3_hmac(k->secret, SECRET_LEN, LABEL_MAC, strlen(LABEL_MAC), k->k2);
	}
}

static void
ring_free(struct ring *r)
{
	if (r == NULL)
		return;
	OPENSSL_cleanse(r, sizeof(*r));
	free(r);
}

static struct kver *
find(struct kver *arr, int n, int v)
{
	for (int i = 0; i < n; i++)
		if (arr[i].v == v)
			return &arr[i];
	return NULL;
}

/* Parses the keyring text. Returns a ring or NULL with err filled. */
static struct ring *
parse(char *text, struct zt_err *err)
{
	struct ring *r = xcalloc(1, sizeof(*r));
	char *save = NULL;
	int line = 0;

	for (char *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		char word[16], b64[128];
		int v, k;
		line++;
		while (*l == ' ' || *l == '\t')
			l++;
		if (*l == '#' || *l == '\0' || *l == '\r')
			continue;
		k = sscanf(l, "%15s %d %127s", word, &v, b64);
		if (k >= 2 && v >= 1 && v <= FIELDENC_MAX_VER && strcmp(word, "current") == 0)
			r->cur = v;
		else if (k >= 2 && v >= 1 && v <= FIELDENC_MAX_VER && strcmp(word, "lookup") == 0)
			r->lcur = v;
		else if (k == 3 && v >= 1 && v <= FIELDENC_MAX_VER &&
			 (strcmp(word, "enc") == 0 || strcmp(word, "idx") == 0)) {
			int lookup = word[0] == 'i';
			struct kver *arr = lookup ? r->l : r->k;
			int *n = lookup ? &r->ln : &r->n;
			unsigned char sec[SECRET_LEN + 4];
			if (find(arr, *n, v) || *n >= MAX_VERS ||
			    b64url_decode(b64, sec, sizeof(sec)) != SECRET_LEN) {
				err_set(err, ZT_EINTERNAL, "data_key_file", "bad_keyring",
					"line %d: a bad or repeated key", line);
				goto fail;
			}
			arr[*n].v = v;
			memcpy(arr[*n].secret, sec, SECRET_LEN);
			OPENSSL_cleanse(sec, sizeof(sec));
			derive(&arr[*n], lookup);
			(*n)++;
			OPENSSL_cleanse(b64, sizeof(b64));
		} else {
			err_set(err, ZT_EINTERNAL, "data_key_file", "bad_keyring",
				"line %d is not understood", line);
			goto fail;
		}
	}
	if (!find(r->k, r->n, r->cur) || !find(r->l, r->ln, r->lcur)) {
		err_set(err, ZT_EINTERNAL, "data_key_file", "bad_keyring",
			"the current key or lookup key is missing");
		goto fail;
	}
	return r;
fail:
	ring_free(r);
	return NULL;
}

static void
format_ring(const struct ring *r, struct buf *b)
{
	char enc[64];

	buf_puts(b, "# zhengtong data keys: SM4 + HMAC-SM3 field encryption ('enc') and the\n"
		    "# keyed SM3 lookup index ('idx'). Secret: keep this file 0600, outside the\n"
		    "# database, and back it up apart from it. Without it the encrypted fields\n"
		    "# of the database cannot be read. Rotate with 'zhengtong keys rotate'.\n");
	buf_printf(b, "current %d\nlookup %d\n", r->cur, r->lcur);
	for (int i = 0; i < r->n; i++) {
		b64url_encode(r->k[i].secret, SECRET_LEN, enc);
		buf_printf(b, "enc %d %s\n", r->k[i].v, enc);
	}
	for (int i = 0; i < r->ln; i++) {
		b64url_encode(r->l[i].secret, SECRET_LEN, enc);
		buf_printf(b, "idx %d %s\n", r->l[i].v, enc);
	}
	OPENSSL_cleanse(enc, sizeof(enc));
}

/* Writes the ring to path through a temporary file (fsync, then link for a
 * new file or rename over an old one), mode 0600. */
static int
write_ring(const char *path, const struct ring *r, int replace, struct zt_err *err)
{
	char tmp[1100];
	struct buf b;
	int fd, rc = 0;

	buf_init(&b);
	format_ring(r, &b);
	snprintf(tmp, sizeof(tmp), "%s.%d.tmp", path, (int)getpid());
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0) {
		rc = err_set(err, ZT_EINTERNAL, "data_key_file", "io", "cannot create %s: %s", tmp,
			     strerror(errno));
		goto out;
	}
	if (write(fd, b.data, b.len) != (ssize_t)b.len || fsync(fd) < 0)
		rc = err_set(err, ZT_EINTERNAL, "data_key_file", "io", "cannot write %s: %s", tmp,
			     strerror(errno));
	close(fd);
	if (rc == 0 && replace && rename(tmp, path) < 0)
		rc = err_set(err, ZT_EINTERNAL, "data_key_file", "io", "cannot replace %s: %s",
			     path, strerror(errno));
	if (rc == 0 && !replace && link(tmp, path) < 0 && errno != EEXIST)
		rc = err_set(err, ZT_EINTERNAL, "data_key_file", "io", "cannot create %s: %s", path,
			     strerror(errno));
	unlink(tmp);
out:
	OPENSSL_cleanse(b.data, b.len);
	buf_cleanup(&b);
	return rc;
}

static void
fresh_secret(struct kver *k, int v, int lookup)
{
	k->v = v;
	if (RAND_bytes(k->secret, SECRET_LEN) != 1)
		die("RAND_bytes failed");
	derive(k, lookup);
}

static int
read_ring(const char *path, struct ring **out, struct zt_err *err)
{
	char *text = NULL;
	size_t len;
	int rc = file_read_all(path, FILE_MAX, &text, &len);

	if (rc == -1 && errno == ENOENT)
		return err_set(err, ZT_ENOTFOUND, "data_key_file", "missing", "%s does not exist",
			       path);
	if (rc < 0)
		return err_set(err, ZT_EINTERNAL, "data_key_file", "io", "cannot read %s", path);
	struct stat st;
	if (stat(path, &st) == 0)
		ring_stat = st;
	*out = parse(text, err);
	OPENSSL_cleanse(text, len);
	free(text);
	return *out ? 0 : err->code;
}

static void maybe_reload(void);

static void
install(struct ring *r)
{
	pthread_rwlock_wrlock(&mu);
	struct ring *old = ring;
	ring = r;
	pthread_rwlock_unlock(&mu);
	ring_free(old);
}

int
fieldenc_load(const char *path, int may_create, struct zt_err *err)
{
	struct ring *r = NULL;
	int rc;

	pthread_once(&cipher_once, fetch_cipher);
	if (sm4_ctr == NULL || sm3_init_lib() < 0)
		return err_set(err, ZT_EINTERNAL, "", "no_sm4", "OpenSSL lacks SM4-CTR or SM3");
	rc = read_ring(path, &r, err);
	if (rc == ZT_ENOTFOUND && may_create) {
		struct ring *fresh = xcalloc(1, sizeof(*fresh));
		fresh->cur = fresh->lcur = 1;
		fresh->n = fresh->ln = 1;
		fresh_secret(&fresh->k[0], 1, 0);
		fresh_secret(&fresh->l[0], 1, 1);
		rc = write_ring(path, fresh, 0, err);
		ring_free(fresh);
		if (rc < 0)
			return rc;
		rc = read_ring(path, &r, err); /* a racing process's key wins */
	}
	if (rc < 0)
		return rc;
	snprintf(ring_path, sizeof(ring_path), "%s", path);
	install(r);
	return 0;
}

int
fieldenc_ready(void)
{
	pthread_rwlock_rdlock(&mu);
	int ok = ring != NULL;
	pthread_rwlock_unlock(&mu);
	return ok;
}

const char *
fieldenc_path(void)
{
	return ring_path;
}

int
fieldenc_reload(struct zt_err *err)
{
	struct ring *r = NULL;
	int rc;

	if (ring_path[0] == '\0')
		return err_set(err, ZT_EUNAVAIL, "data_key_file", "not_loaded",
			       "no keyring loaded");
	pthread_mutex_lock(&reload_mu);
	rc = read_ring(ring_path, &r, err);
	if (rc == 0)
		install(r);
	pthread_mutex_unlock(&reload_mu);
	return rc;
}

void
fieldenc_unload(void)
{
	install(NULL);
	ring_path[0] = '\0';
}

int
fieldenc_current(void)
{
	pthread_rwlock_rdlock(&mu);
	int v = ring ? ring->cur : 0;
	pthread_rwlock_unlock(&mu);
	return v;
}

int
fieldenc_lookup_current(void)
{
	pthread_rwlock_rdlock(&mu);
	int v = ring ? ring->lcur : 0;
	pthread_rwlock_unlock(&mu);
	return v;
}

static int
list_versions(int lookup, int *out, int cap)
{
	int n = 0;

	pthread_rwlock_rdlock(&mu);
	if (ring) {
		const struct kver *arr = lookup ? ring->l : ring->k;
		int total = lookup ? ring->ln : ring->n;
		for (int i = 0; i < total && n < cap; i++)
			out[n++] = arr[i].v;
	}
	pthread_rwlock_unlock(&mu);
	return n;
}

int
fieldenc_versions(int *out, int cap)
{
	return list_versions(0, out, cap);
}

int
fieldenc_lookup_versions(int *out, int cap)
{
	return list_versions(1, out, cap);
}

void
fieldenc_fingerprint(int lookup, int version, char out[17])
{
	unsigned char d[SM3_LEN];
	char hex[SM3_HEX_LEN];

	out[0] = '\0';
	pthread_rwlock_rdlock(&mu);
	struct kver *k =
	    ring ? find(lookup ? ring->l : ring->k, lookup ? ring->ln : ring->n, version) : NULL;
	if (k) {
		sm3_hmac(k->secret, SECRET_LEN, LABEL_FP, strlen(LABEL_FP), d);
		hex_encode(d, 8, hex);
		memcpy(out, hex, 17);
	}
	pthread_rwlock_unlock(&mu);
}

/* Reads the key file, lets edit change the ring, writes it back and makes
 * it the ring in use, all under reload_mu (one read-modify-write at a
 * time). Returns edit's result (>= 0) or a negative error (nothing
 * written). */
static int
edit_ring(int (*edit)(struct ring *r, int lookup, int arg, struct zt_err *err), int lookup, int arg,
	  struct zt_err *err)
{
	struct ring *r = NULL;
	int rc, res;

	if (ring_path[0] == '\0')
		return err_set(err, ZT_EUNAVAIL, "data_key_file", "not_loaded",
			       "no keyring loaded");
	pthread_mutex_lock(&reload_mu);
	if ((rc = read_ring(ring_path, &r, err)) < 0)
		goto out;
	if ((rc = res = edit(r, lookup, arg, err)) < 0)
		goto out;
	if ((rc = write_ring(ring_path, r, 1, err)) < 0)
		goto out;
	install(r);
	r = NULL;
	rc = res;
out:
	pthread_mutex_unlock(&reload_mu);
	ring_free(r);
	return rc;
}

/* A new version with a fresh secret; current when make_current. */
static int
edit_add(struct ring *r, int lookup, int make_current, struct zt_err *err)
{
	struct kver *arr = lookup ? r->l : r->k;
	int *n = lookup ? &r->ln : &r->n, v = 0;

	if (*n >= MAX_VERS)
		return err_set(err, ZT_ERULE, "", "too_many_versions",
			       "the keyring holds %d versions; remove unused ones first", *n);
	for (int i = 0; i < *n; i++)
		if (arr[i].v > v)
			v = arr[i].v;
	if (++v > FIELDENC_MAX_VER)
		return err_set(err, ZT_ERULE, "", "too_many_versions", "version numbers exhausted");
	fresh_secret(&arr[*n], v, lookup);
	(*n)++;
	if (make_current && lookup)
		r->lcur = v;
	else if (make_current)
		r->cur = v;
	return v;
}

int
fieldenc_add_version(int lookup, int make_current, struct zt_err *err)
{
	return edit_ring(edit_add, lookup, make_current, err);
}

static int
edit_current(struct ring *r, int lookup, int version, struct zt_err *err)
{
	if (!find(lookup ? r->l : r->k, lookup ? r->ln : r->n, version))
		return err_set(err, ZT_ENOTFOUND, "version", "unknown", "no key version %d",
			       version);
	if (lookup)
		r->lcur = version;
	else
		r->cur = version;
	return 0;
}

int
fieldenc_make_current(int lookup, int version, struct zt_err *err)
{
	return edit_ring(edit_current, lookup, version, err);
}

static int
edit_remove(struct ring *r, int lookup, int version, struct zt_err *err)
{
	struct kver *arr = lookup ? r->l : r->k;
	int *n = lookup ? &r->ln : &r->n;
	struct kver *k = find(arr, *n, version);

	if (k == NULL)
		return err_set(err, ZT_ENOTFOUND, "version", "unknown", "no key version %d",
			       version);
	if (version == (lookup ? r->lcur : r->cur))
		return err_set(err, ZT_ERULE, "version", "current",
			       "version %d is current; rotate first", version);
	*k = arr[*n - 1];
	OPENSSL_cleanse(&arr[*n - 1], sizeof(arr[0]));
	(*n)--;
	return 0;
}

int
fieldenc_remove_version(int lookup, int version, struct zt_err *err)
{
	return edit_ring(edit_remove, lookup, version, err);
}

/* Rereads the file when it changed (another process rotated a key); looks
 * at most once a second. */
static void
maybe_reload(void)
{
	struct timespec now;
	struct stat st;
	int go = 0;

	if (ring_path[0] == '\0')
		return;
	clock_gettime(CLOCK_MONOTONIC, &now);
	pthread_mutex_lock(&reload_mu);
	if (now.tv_sec != last_stat_check) {
		last_stat_check = now.tv_sec;
		go = stat(ring_path, &st) == 0 &&
		     (st.st_ino != ring_stat.st_ino || st.st_size != ring_stat.st_size ||
		      st.st_mtim.tv_sec != ring_stat.st_mtim.tv_sec ||
		      st.st_mtim.tv_nsec != ring_stat.st_mtim.tv_nsec);
	}
	pthread_mutex_unlock(&reload_mu);
	if (go) {
		struct zt_err e;
		err_clear(&e);
		if (fieldenc_reload(&e) == 0)
			log_info("data keyring reloaded (the key file changed)");
		else
			log_warn("data keyring reload failed: %s", e.msg);
	}
}

/* ---- values ---- */

static void
ver_bytes(int v, unsigned char out[4])
{
	out[0] = (unsigned char)(v >> 24);
	out[1] = (unsigned char)(v >> 16);
	out[2] = (unsigned char)(v >> 8);
	out[3] = (unsigned char)v;
}

/* HMAC-SM3 over version || iv || ct under mk. */
static void
mac_of(const unsigned char *mk, int v, const unsigned char *ivct, size_t n,
       unsigned char out[SM3_LEN])
{
	unsigned char *m = xmalloc(n + 4);

	ver_bytes(v, m);
	memcpy(m + 4, ivct, n);
	sm3_hmac(mk, SM3_LEN, m, n + 4, out);
	free(m);
}

static int
sm4_ctr_run(const unsigned char *key, const unsigned char *iv, const unsigned char *in, size_t n,
	    unsigned char *out)
{
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	int l1 = 0, l2 = 0, ok;

	if (ctx == NULL)
		return -1;
	ok = EVP_EncryptInit_ex2(ctx, sm4_ctr, key, iv, NULL) &&
	     (n == 0 || EVP_EncryptUpdate(ctx, out, &l1, in, (int)n)) &&
	     EVP_EncryptFinal_ex(ctx, out + l1, &l2) && (size_t)(l1 + l2) == n;
	EVP_CIPHER_CTX_free(ctx);
	return ok ? 0 : -1;
}

char *
fieldenc_encrypt(const char *plain, size_t n)
{
	unsigned char k1[SM4_LEN], k2[SM3_LEN];
	int v;

	if (n > (1u << 30))
		die("value too large");
	maybe_reload();
	pthread_rwlock_rdlock(&mu);
	if (ring == NULL) {
		pthread_rwlock_unlock(&mu);
		die("encrypt: no keyring loaded");
	}
	struct kver *k = find(ring->k, ring->n, ring->cur);
	v = k->v;
	memcpy(k1, k->k1, SM4_LEN);
	memcpy(k2, k->k2, SM3_LEN);
	pthread_rwlock_unlock(&mu);

	size_t blen = IV_LEN + n + SM3_LEN;
	unsigned char *b = xmalloc(blen);
	if (RAND_bytes(b, IV_LEN) != 1)
		die("RAND_bytes failed");
	if (sm4_ctr_run(k1, b, (const unsigned char *)plain, n, b + IV_LEN) < 0)
		die("SM4-CTR failed");
	mac_of(k2, v, b, IV_LEN + n, b + IV_LEN + n);
	OPENSSL_cleanse(k1, sizeof(k1));
	OPENSSL_cleanse(k2, sizeof(k2));
	char *out = xmalloc(sizeof(FIELDENC_PREFIX) + 12 + 4 * ((blen + 2) / 3) + 1);
	int h = sprintf(out, FIELDENC_PREFIX "%d:", v);
	b64url_encode(b, blen, out + h);
	free(b);
	return out;
}

char *
fieldenc_encrypt_str(const char *s)
{
	return s ? fieldenc_encrypt(s, strlen(s)) : NULL;
}

int
fieldenc_is_enc(const char *s)
{
	return s && strncmp(s, FIELDENC_PREFIX, sizeof(FIELDENC_PREFIX) - 1) == 0;
}

/* Parses "<prefix><digits>:" at s: the version and the rest, or -1. */
static int
parse_version(const char *s, const char *prefix, const char **rest)
{
	size_t pl = strlen(prefix);
	int v = 0;

	if (s == NULL || strncmp(s, prefix, pl) != 0)
		return -1;
	s += pl;
	if (*s < '1' || *s > '9')
		return -1;
	while (*s >= '0' && *s <= '9' && v <= FIELDENC_MAX_VER)
		v = v * 10 + (*s++ - '0');
	if (*s != ':' || v > FIELDENC_MAX_VER)
		return -1;
	if (rest)
		*rest = s + 1;
	return v;
}

int
fieldenc_version_of(const char *s)
{
	return parse_version(s, FIELDENC_PREFIX, NULL);
}

/* Copies the keys of version v: 1 found, 0 not held. */
static int
keys_of(int v, unsigned char k1[SM4_LEN], unsigned char k2[SM3_LEN])
{
	int found = 0;

	pthread_rwlock_rdlock(&mu);
	struct kver *k = ring ? find(ring->k, ring->n, v) : NULL;
	if (k) {
		memcpy(k1, k->k1, SM4_LEN);
		memcpy(k2, k->k2, SM3_LEN);
		found = 1;
	}
	pthread_rwlock_unlock(&mu);
	return found;
}

/* An unknown version may be a rotation by another process: reread the
 * file, at most once a second. */
static int
keys_of_reloading(int v, unsigned char k1[SM4_LEN], unsigned char k2[SM3_LEN])
{
	if (keys_of(v, k1, k2))
		return 1;
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	int go = 0;
	pthread_mutex_lock(&reload_mu);
	if (now.tv_sec != last_auto_reload) {
		last_auto_reload = now.tv_sec;
		go = 1;
	}
	pthread_mutex_unlock(&reload_mu);
	if (go) {
		struct zt_err e;
		err_clear(&e);
		if (fieldenc_reload(&e) == 0)
			log_info("data keyring reloaded (met key version %d)", v);
		else
			log_warn("data keyring reload failed: %s", e.msg);
	}
	return keys_of(v, k1, k2);
}

int
fieldenc_decrypt(const char *s, char **out, size_t *n, struct zt_err *err)
{
	unsigned char k1[SM4_LEN], k2[SM3_LEN], mac[SM3_LEN];
	const char *rest;
	unsigned char *b = NULL;
	int v, bl, rc = 0;

	*out = NULL;
	v = parse_version(s, FIELDENC_PREFIX, &rest);
	size_t rl = v > 0 ? strlen(rest) : 0;
	if (v > 0 && rl / 4 * 3 + 3 < (size_t)1 << 30) {
		b = xmalloc(rl / 4 * 3 + 3);
		bl = b64url_decode(rest, b, rl / 4 * 3 + 3);
	} else
		bl = -1;
	if (bl < IV_LEN + SM3_LEN) {
		log_error("fieldenc: a malformed encrypted value (%.12s...)", s ? s : "");
		rc = err_set(err, ZT_EINTERNAL, "", "bad_ciphertext",
			     "a stored encrypted value is malformed");
		goto out;
	}
	if (!keys_of_reloading(v, k1, k2)) {
		log_error("fieldenc: a value encrypted under key version %d, which the data key "
			  "file does not hold",
			  v);
		rc = err_set(err, ZT_EINTERNAL, "", "unknown_key_version",
			     "data key version %d is not in the key file", v);
		goto out;
	}
	size_t ctl = (size_t)bl - IV_LEN - SM3_LEN;
	mac_of(k2, v, b, IV_LEN + ctl, mac);
	if (CRYPTO_memcmp(mac, b + IV_LEN + ctl, SM3_LEN) != 0) {
		log_error("fieldenc: an encrypted value failed its integrity check (tampered, or "
			  "the wrong key file)");
		rc = err_set(err, ZT_EINTERNAL, "", "bad_mac",
			     "a stored encrypted value failed its integrity check");
		goto out;
	}
	char *p = xmalloc(ctl + 1);
	if (sm4_ctr_run(k1, b, b + IV_LEN, ctl, (unsigned char *)p) < 0)
		die("SM4-CTR failed");
	p[ctl] = '\0';
	*out = p;
	if (n)
		*n = ctl;
out:
	OPENSSL_cleanse(k1, sizeof(k1));
	OPENSSL_cleanse(k2, sizeof(k2));
	free(b);
	return rc;
}

char *
fieldenc_open_str(const char *s, struct zt_err *err)
{
	char *out = NULL;

	if (s == NULL)
		return NULL;
	if (!fieldenc_is_enc(s))
		return xstrdup(s);
	if (fieldenc_decrypt(s, &out, NULL, err) < 0)
		return NULL;
	return out;
}

/* ---- blind index ---- */

static void
index_with(const unsigned char *ik, int v, const char *value, char out[FIELDENC_IDX_LEN])
{
	unsigned char d[SM3_LEN];
	int h = snprintf(out, FIELDENC_IDX_LEN, FIELDENC_IDX_PREFIX "%d:", v);

	sm3_hmac(ik, SM3_LEN, value, strlen(value), d);
	hex_encode(d, SM3_LEN, out + h);
}

int
fieldenc_index_ver(int version, const char *value, char out[FIELDENC_IDX_LEN])
{
	unsigned char ik[SM3_LEN];
	int found = 0;

	pthread_rwlock_rdlock(&mu);
	struct kver *k = ring ? find(ring->l, ring->ln, version) : NULL;
	if (k) {
		memcpy(ik, k->k1, SM3_LEN);
		found = 1;
	}
	pthread_rwlock_unlock(&mu);
	if (!found) {
		out[0] = '\0';
		return -1;
	}
	index_with(ik, version, value, out);
	OPENSSL_cleanse(ik, sizeof(ik));
	return 0;
}

void
fieldenc_index(const char *value, char out[FIELDENC_IDX_LEN])
{
	maybe_reload();
	int v = fieldenc_lookup_current();

	if (v == 0 || fieldenc_index_ver(v, value, out) < 0)
		die("index: no keyring loaded");
}

int
fieldenc_is_index(const char *s)
{
	return s && strncmp(s, FIELDENC_IDX_PREFIX, sizeof(FIELDENC_IDX_PREFIX) - 1) == 0;
}

int
fieldenc_index_version_of(const char *s)
{
	return parse_version(s, FIELDENC_IDX_PREFIX, NULL);
}

/* ---- scrubbing free text ---- */

static int
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

char *
fieldenc_scrub(const char *text)
{
	char *out = xstrdup(text ? text : "");
	size_t n = strlen(out);

	for (size_t i = 0; i < n;) {
		if (!is_digit(out[i]) || (i > 0 && is_digit(out[i - 1]))) {
			i++;
			continue;
		}
		size_t j = i;
		while (j < n && is_digit(out[j]))
			j++;
		size_t run = j - i;
		if (run == 17 && j < n && (out[j] == 'X' || out[j] == 'x'))
			run = 18, j++;
		if (run == 18 && !(j < n && is_digit(out[j])))
			memset(out + i + 6, '*', 8);
		else if (run == 11 && out[i] == '1')
			memset(out + i + 3, '*', 4);
		i = j;
	}
	return out;
}

/* ---- free-form JSON ---- */

/* Whether a form's value is sealed: every string (not sealed already) and
 * every number; true, false and null say nothing. */
static int
sealable(json_t *v)
{
	if (json_is_string(v))
		return !fieldenc_is_enc(json_string_value(v));
	return json_is_number(v);
}

static json_t *
sealed(json_t *v)
{
	char *text = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
	char *enc = fieldenc_encrypt_str(text);
	json_t *out = json_string(enc);

	free(enc);
	free(text);
	return out;
}

static void
seal_in(json_t *v, int *n)
{
	const char *k;
	json_t *m;
	size_t i;

	if (json_is_object(v)) {
		json_object_foreach(v, k, m)
		{
			if (sealable(m)) {
				json_object_set_new(v, k, sealed(m));
				(*n)++;
			} else
				seal_in(m, n);
		}
	} else if (json_is_array(v)) {
		json_array_foreach(v, i, m)
		{
			if (sealable(m)) {
				json_array_set_new(v, i, sealed(m));
				(*n)++;
			} else
				seal_in(m, n);
		}
	}
}

char *
fieldenc_seal_json(json_t *v, int *nsealed)
{
	int n = 0;

	if (v == NULL)
		return NULL;
	json_t *copy = json_deep_copy(v);
	seal_in(copy, &n);
	char *text = json_dumps(copy, JSON_COMPACT | JSON_ENCODE_ANY);
	json_decref(copy);
	if (nsealed)
		*nsealed = n;
	return text;
}

/* The opened value of an "enc1:" string, or NULL (err set). */
static json_t *
opened(const char *s, struct zt_err *err)
{
	char *text = NULL;

	if (fieldenc_decrypt(s, &text, NULL, err) < 0)
		return NULL;
	json_t *v = json_loads(text, JSON_DECODE_ANY, NULL);
	free(text);
	if (v == NULL)
		err_set(err, ZT_EINTERNAL, "", "bad_ciphertext", "a decrypted value is not JSON");
	return v;
}

int
fieldenc_open_json(json_t *v, struct zt_err *err)
{
	const char *k;
	json_t *m;
	size_t i;
	void *tmp;

	if (json_is_object(v)) {
		json_object_foreach_safe(v, tmp, k, m)
		{
			if (json_is_string(m) && fieldenc_is_enc(json_string_value(m))) {
				json_t *o = opened(json_string_value(m), err);
				if (o == NULL)
					return ZT_EINTERNAL;
				json_object_set_new(v, k, o);
			} else if (fieldenc_open_json(m, err) < 0)
				return ZT_EINTERNAL;
		}
	} else if (json_is_array(v)) {
		json_array_foreach(v, i, m)
		{
			if (json_is_string(m) && fieldenc_is_enc(json_string_value(m))) {
				json_t *o = opened(json_string_value(m), err);
				if (o == NULL)
					return ZT_EINTERNAL;
				json_array_set_new(v, i, o);
			} else if (fieldenc_open_json(m, err) < 0)
				return ZT_EINTERNAL;
		}
	}
	return 0;
}

json_t *
fieldenc_load_json(const char *text, struct zt_err *err)
{
	json_t *v = text ? json_loads(text, JSON_DECODE_ANY, NULL) : NULL;

	if (v == NULL) {
		err_set(err, ZT_EINTERNAL, "", "bad_json", "a stored value is not JSON");
		return NULL;
	}
	if (fieldenc_open_json(v, err) < 0) {
		json_decref(v);
		return NULL;
	}
	return v;
}
