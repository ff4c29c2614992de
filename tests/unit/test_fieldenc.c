/* test_fieldenc.c - unit tests for crypto/fieldenc: encryption at rest.
 *
 * Test plan
 * - Keyring: fieldenc_load creates data.key (mode 0600) with version 1 of
 *   both secrets when asked, refuses a missing file otherwise (ZT_ENOTFOUND)
 *   and a malformed one; reloading the same file keeps the same keys.
 * - Round trip: "", one byte, an ID number, 5000 bytes of UTF-8 decrypt to
 *   themselves; two encryptions of one value differ (random IV); the text
 *   form is "enc1:1:" + base64url of 16 + n + 32 bytes.
 * - Integrity: flipping any one character of the ciphertext part, cutting
 *   it short, or changing the version gives an error ("bad_mac",
 *   "bad_ciphertext" or "unknown_key_version") and no output.
 * - Known answer: an independent SM4-CTR (EVP "SM4-CTR") and HMAC-SM3
 *   (EVP_MAC) under keys derived by hand from the secret in the file
 *   (HMAC-SM3 of the secret with the labels) decrypt and authenticate what
 *   fieldenc_encrypt wrote; the SM4 block cipher itself is pinned by the
 *   GB/T 32907 example (key = plaintext = 0123456789abcdeffedcba9876543210,
 *   ciphertext 681edf34d206965e86b3e94f536e4246) through EVP "SM4-ECB".
 * - Rotation: after fieldenc_add_version the new version is current, new
 *   values carry it, old values still decrypt; after removing the old
 *   version they fail with "unknown_key_version"; the current version
 *   cannot be removed.
 * - Blind index: stable, "bi1:1:" + 64 hex, equals HMAC-SM3 under the
 *   derived index key computed by hand; differs per value and per lookup
 *   key (another keyring gives another index for the same value).
 * - fieldenc_scrub masks ID numbers and mobile numbers in free text and
 *   leaves other digit runs alone.
 * - Forms: fieldenc_seal_json seals every string and number value at any
 *   depth (ID numbers, phones, names, addresses, landlines, decimals),
 *   leaves true/false/null, member names and the input untouched, is
 *   idempotent (0 sealed the second time), and fieldenc_load_json gives the
 *   original back (types kept); a tampered sealed value fails "bad_mac". */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <openssl/evp.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/xmalloc.h"
#include "crypto/fieldenc.h"
#include "crypto/sm3.h"

static char dir[64], path[128];

static int
setup(void **state)
{
	struct zt_err err;

	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/zt_test_fieldenc_XXXXXX");
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(path, sizeof(path), "%s/data.key", dir);
	err_clear(&err);
	return fieldenc_load(path, 1, &err);
}

static int
teardown(void **state)
{
	char cmd[128];

	(void)state;
	fieldenc_unload();
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static char *
roundtrip(const char *p, size_t n)
{
	struct zt_err err;
	char *enc = fieldenc_encrypt(p, n), *out = NULL;
	size_t on = 0;

	err_clear(&err);
	assert_true(fieldenc_is_enc(enc));
	assert_int_equal(fieldenc_decrypt(enc, &out, &on, &err), 0);
	assert_int_equal(on, n);
	assert_memory_equal(out, p, n);
	free(out);
	return enc;
}

static void
test_keyring(void **state)
{
	struct zt_err err;
	struct stat st;
	char other[160];

	(void)state;
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(fieldenc_current(), 1);
	assert_int_equal(fieldenc_lookup_current(), 1);
	char a[FIELDENC_IDX_LEN], b[FIELDENC_IDX_LEN];
	fieldenc_index("520102199003071236", a);
	err_clear(&err);
	assert_int_equal(fieldenc_reload(&err), 0);
	fieldenc_index("520102199003071236", b);
	assert_string_equal(a, b);
	/* Missing without create; malformed. The loaded ring stays. */
	snprintf(other, sizeof(other), "%s/none.key", dir);
	assert_int_equal(fieldenc_load(other, 0, &err), ZT_ENOTFOUND);
	FILE *f = fopen(other, "w");
	fputs("current 1\nlookup 1\nenc 1 short\n", f);
	fclose(f);
	assert_int_equal(fieldenc_load(other, 0, &err), ZT_EINTERNAL);
	assert_string_equal(err.reason, "bad_keyring");
	fieldenc_index("520102199003071236", b);
	assert_string_equal(a, b);
}

static void
test_roundtrip(void **state)
{
	char big[5001];

	(void)state;
	free(roundtrip("", 0));
	free(roundtrip("x", 1));
	char *e1 = roundtrip("520102199003071236", 18);
	char *e2 = roundtrip("520102199003071236", 18);
	assert_string_not_equal(e1, e2);
	assert_int_equal(strncmp(e1, "enc1:1:", 7), 0);
	/* 16 + 18 + 32 = 66 bytes -> 88 base64url characters. */
	assert_int_equal(strlen(e1), 7 + 88);
	assert_int_equal(fieldenc_version_of(e1), 1);
	for (size_t i = 0; i < 5000; i++)
		big[i] = "政通ab"[i % 8];
	big[5000] = '\0';
	free(roundtrip(big, 5000));
	free(e1);
	free(e2);
	char *open = fieldenc_open_str("13800005678", NULL);
	assert_string_equal(open, "13800005678"); /* clear passes through */
	free(open);
}

static void
test_tamper(void **state)
{
	struct zt_err err;
	char *out = (char *)1;

	(void)state;
	char *e = fieldenc_encrypt("13800005678", 11);
	size_t n = strlen(e);
	for (size_t i = 7; i < n; i++) {
		char *t = strdup(e);
		t[i] = t[i] == 'A' ? 'B' : 'A';
		err_clear(&err);
		out = (char *)1;
		assert_true(fieldenc_decrypt(t, &out, NULL, &err) < 0);
		assert_null(out);
		assert_true(strcmp(err.reason, "bad_mac") == 0 ||
			    strcmp(err.reason, "bad_ciphertext") == 0);
		free(t);
	}
	char *t = strdup(e);
	t[7 + 72] = '\0';
	assert_true(fieldenc_decrypt(t, &out, NULL, &err) < 0);
	assert_string_equal(err.reason, "bad_mac");
	free(t);
	t = strdup(e);
	t[5] = '7'; /* version 7 is not held */
	assert_true(fieldenc_decrypt(t, &out, NULL, &err) < 0);
	assert_string_equal(err.reason, "unknown_key_version");
	free(t);
	assert_true(fieldenc_decrypt("enc1:1:!!", &out, NULL, &err) < 0);
	assert_string_equal(err.reason, "bad_ciphertext");
	assert_null(fieldenc_open_str("enc1:1:AAAA", NULL));
	free(e);
}

/* The secret of a version as the file holds it. */
static void
file_secret(const char *word, int v, unsigned char out[32])
{
	char line[256], w[16], b64[128];
	int fv, found = 0;
	FILE *f = fopen(path, "r");

	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%15s %d %127s", w, &fv, b64) == 3 && strcmp(w, word) == 0 &&
		    fv == v && b64url_decode(b64, out, 32) == 32)
			found = 1;
	fclose(f);
	assert_true(found);
}

static void
test_known_answer(void **state)
{
	static const unsigned char k[16] = {0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef,
					    0xfe, 0xdc, 0xba, 0x98, 0x76, 0x54, 0x32, 0x10};
	static const unsigned char want[16] = {0x68, 0x1e, 0xdf, 0x34, 0xd2, 0x06, 0x96, 0x5e,
					       0x86, 0xb3, 0xe9, 0x4f, 0x53, 0x6e, 0x42, 0x46};
	unsigned char ct[32], secret[32], sm4k[32], mack[32], mac[32], raw[200], pt[64];
	int l1 = 0, l2 = 0;

	(void)state;
	/* SM4 itself: GB/T 32907 appendix A.1. */
	EVP_CIPHER_CTX *x = EVP_CIPHER_CTX_new();
	EVP_CIPHER *ecb = EVP_CIPHER_fetch(NULL, "SM4-ECB", NULL);
	assert_non_null(ecb);
	assert_true(EVP_EncryptInit_ex2(x, ecb, k, NULL, NULL));
	EVP_CIPHER_CTX_set_padding(x, 0);
	assert_true(EVP_EncryptUpdate(x, ct, &l1, k, 16));
	assert_int_equal(l1, 16);
	assert_memory_equal(ct, want, 16);
	EVP_CIPHER_free(ecb);
	EVP_CIPHER_CTX_free(x);

	/* A value written by fieldenc, opened by hand. */
	const char *msg = "520102199003071236";
	char *e = fieldenc_encrypt(msg, strlen(msg));
	int n = b64url_decode(e + 7, raw, sizeof(raw));
	assert_int_equal(n, 16 + 18 + 32);
	file_secret("enc", 1, secret);
	sm3_hmac(secret, 32, "zt-fieldenc/sm4/1", 17, sm4k);
	sm3_hmac(secret, 32, "zt-fieldenc/hmac-sm3/1", 22, mack);
	unsigned char macin[4 + 16 + 18] = {0, 0, 0, 1};
	memcpy(macin + 4, raw, 16 + 18);
	size_t ml = 0;
	EVP_MAC *hm = EVP_MAC_fetch(NULL, "HMAC", NULL);
	EVP_MAC_CTX *mc = EVP_MAC_CTX_new(hm);
	OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string("digest", (char *)"SM3", 0),
			       OSSL_PARAM_construct_end()};
	assert_true(EVP_MAC_init(mc, mack, 32, params));
	assert_true(EVP_MAC_update(mc, macin, sizeof(macin)));
	assert_true(EVP_MAC_final(mc, mac, &ml, sizeof(mac)));
	assert_int_equal(ml, 32);
	assert_memory_equal(mac, raw + 16 + 18, 32);
	EVP_MAC_CTX_free(mc);
	EVP_MAC_free(hm);
	EVP_CIPHER *ctr = EVP_CIPHER_fetch(NULL, "SM4-CTR", NULL);
	x = EVP_CIPHER_CTX_new();
	assert_true(EVP_DecryptInit_ex2(x, ctr, sm4k, raw, NULL));
	assert_true(EVP_DecryptUpdate(x, pt, &l1, raw + 16, 18));
	assert_true(EVP_DecryptFinal_ex(x, pt + l1, &l2));
	assert_int_equal(l1 + l2, 18);
	assert_memory_equal(pt, msg, 18);
	EVP_CIPHER_CTX_free(x);
	EVP_CIPHER_free(ctr);
	free(e);

	/* The blind index by hand. */
	unsigned char ik[32], d[32];
	char hex[65], want_idx[FIELDENC_IDX_LEN], got[FIELDENC_IDX_LEN];
	file_secret("idx", 1, secret);
	sm3_hmac(secret, 32, "zt-fieldenc/index/1", 19, ik);
	sm3_hmac(ik, 32, msg, 18, d);
	hex_encode(d, 32, hex);
	snprintf(want_idx, sizeof(want_idx), "bi1:1:%s", hex);
	fieldenc_index(msg, got);
	assert_string_equal(got, want_idx);
	assert_true(fieldenc_is_index(got));
	assert_int_equal(fieldenc_index_version_of(got), 1);
	fieldenc_index("520102199003071237", want_idx);
	assert_string_not_equal(got, want_idx);
}

static void
test_rotation(void **state)
{
	struct zt_err err;
	char *out = NULL;

	(void)state;
	err_clear(&err);
	char *old = fieldenc_encrypt("13800005678", 11);
	char i1[FIELDENC_IDX_LEN], i2[FIELDENC_IDX_LEN];
	fieldenc_index("520102199003071236", i1);
	assert_int_equal(fieldenc_add_version(0, 1, &err), 2);
	assert_int_equal(fieldenc_current(), 2);
	char *nw = fieldenc_encrypt("13800005678", 11);
	assert_int_equal(fieldenc_version_of(nw), 2);
	assert_int_equal(fieldenc_decrypt(old, &out, NULL, &err), 0);
	assert_string_equal(out, "13800005678");
	free(out);
	assert_int_equal(fieldenc_remove_version(0, 2, &err), ZT_ERULE);
	assert_int_equal(fieldenc_remove_version(0, 1, &err), 0);
	assert_true(fieldenc_decrypt(old, &out, NULL, &err) < 0);
	assert_string_equal(err.reason, "unknown_key_version");
	assert_int_equal(fieldenc_decrypt(nw, &out, NULL, &err), 0);
	free(out);
	/* A new lookup key: another index for the same value, the old one
	 * still computable while its version is held. */
	assert_int_equal(fieldenc_add_version(1, 0, &err), 2);
	assert_int_equal(fieldenc_lookup_current(), 1);
	assert_int_equal(fieldenc_index_ver(2, "520102199003071236", i2), 0);
	assert_string_not_equal(i1, i2);
	assert_int_equal(fieldenc_make_current(1, 2, &err), 0);
	fieldenc_index("520102199003071236", i1);
	assert_string_equal(i1, i2);
	free(old);
	free(nw);
}

static void
test_scrub(void **state)
{
	(void)state;
	char *s = fieldenc_scrub("key=520102199003071236&phone=13800005678&n=12345");
	assert_string_equal(s, "key=520102********1236&phone=138****5678&n=12345");
	free(s);
	s = fieldenc_scrub("id 52010219900307123x; 1234567890123456789 seq=20260302");
	assert_string_equal(s, "id 520102********123x; 1234567890123456789 seq=20260302");
	free(s);
}

static void
test_forms(void **state)
{
	(void)state;
	const char *in = "{\"a\":\"520102199003071236\",\"b\":[1,{\"p\":\"13800005678\"}],"
			 "\"n\":13900001234,\"name\":\"李秀英\",\"addr\":\"贵阳市南明区花果园\","
			 "\"tel\":\"0851-85551234\",\"k\":12.5,\"ok\":true,\"no\":false,\"z\":null,"
			 "\"e\":{}}";
	json_t *v = json_loads(in, 0, NULL);
	int n = -1;
	char *sealed = fieldenc_seal_json(v, &n);
	/* every string and number, nested ones too; not true/false/null */
	assert_int_equal(n, 8);
	json_t *sv = json_loads(sealed, 0, NULL);
	const char *keys[] = {"a", "n", "name", "addr", "tel", "k"};
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		assert_true(fieldenc_is_enc(json_string_value(json_object_get(sv, keys[i]))));
	json_t *b = json_object_get(sv, "b");
	assert_true(fieldenc_is_enc(json_string_value(json_array_get(b, 0))));
	assert_true(fieldenc_is_enc(json_string_value(json_object_get(json_array_get(b, 1), "p"))));
	assert_true(json_is_true(json_object_get(sv, "ok")));
	assert_true(json_is_false(json_object_get(sv, "no")));
	assert_true(json_is_null(json_object_get(sv, "z")));
	assert_int_equal(json_object_size(json_object_get(sv, "e")), 0);
	assert_null(strstr(sealed, "李秀英"));
	assert_null(strstr(sealed, "0851"));
	assert_null(strstr(sealed, "520102199003071236"));
	assert_null(strstr(sealed, "13800005678"));
	/* the input is untouched; sealing again seals nothing */
	assert_string_equal(json_string_value(json_object_get(v, "a")), "520102199003071236");
	char *again = fieldenc_seal_json(sv, &n);
	assert_int_equal(n, 0);
	struct zt_err err;
	err_clear(&err);
	json_t *back = fieldenc_load_json(sealed, &err);
	assert_non_null(back);
	assert_true(json_equal(back, v));
	/* one changed character of a sealed value */
	char *bad = xstrdup(sealed);
	char *p = strchr(strstr(bad, "enc1:") + 5, ':') + 3;
	*p = *p == 'A' ? 'B' : 'A';
	err_clear(&err);
	assert_null(fieldenc_load_json(bad, &err));
	assert_string_equal(err.reason, "bad_mac");
	free(bad);
	free(again);
	free(sealed);
	json_decref(back);
	json_decref(sv);
	json_decref(v);
}

int
main(void)
{
	/* clang-format off */
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_keyring),
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_tamper),
		cmocka_unit_test(test_known_answer),
		cmocka_unit_test(test_rotation),
		cmocka_unit_test(test_scrub),
		cmocka_unit_test(test_forms),
	};
	/* clang-format on */
	return cmocka_run_group_tests(tests, setup, teardown);
}
