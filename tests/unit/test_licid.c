/* test_licid.c - unit tests for base/licid: GB/T 36904 e-license
 * identifiers and their ISO/IEC 7064 MOD 37,36 check character.
 *
 * Test plan
 * - The check character against references worked out independently:
 *   * the standard's own MOD 37,36 example, A12425GABC1234002 -> M;
 *   * by hand, "0": P = 36; S = (36 + 0) mod 36 = 0 -> 36; P = 72 mod 37 =
 *     35; check = (37 - 35) mod 36 = 2 -> '2'.
 *     "A": S = (36 + 10) mod 36 = 10; P = 20; check = 17 -> 'H'.
 *     "1.2" (dots skipped) = "12": S = 37 mod 36 = 1, P = 2; S = 2 + 2 = 4,
 *     P = 8; check = 29 -> 'T';
 *   * a second implementation written here in another form (the standard's
 *     verification rule: a string with its check character appended runs to
 *     P with (P + c) mod 36 = 1, searched over all 36 characters), agreeing
 *     on 2000 pseudo-random strings of 1..60 characters and on the sample.
 *   Characters outside 0-9A-Z (lower case, '-', a space) and the empty
 *   string give 0.
 * - Build: a sample (type = credit code 115201020009110239 + "001", issuer
 *   the same, serial 1, version 1) gives exactly
 *   1.2.156.3005.2.115201020009110239001.115201020009110239.0000001.001.<c>,
 *   69 characters, c the reference character; parse gives the parts back;
 *   validate accepts it. Serial 9999999 and version 999 build; serial 0,
 *   10000000, version 0 and 1000, a 20-character type, a type ending in a
 *   letter, and an issuer with 'I' are refused (ZT_EINVAL, "format").
 * - Error detection on the sample: every substitution of one non-dot
 *   character by any other of 0-9A-Z (60 positions x 35) is refused by
 *   validate (as bad_check_character, or as format where the layout forbids
 *   the character there); where the layout allows it, the reason is
 *   bad_check_character. Every adjacent transposition of two different
 *   characters is refused too. (The hybrid system detects every single
 *   substitution by construction; it misses about 1 in 1000 adjacent
 *   transpositions in general, none of them in this sample, which the test
 *   pins.)
 * - Malformed layouts are refused with reason "format": empty, too short,
 *   too long, another prefix (1.2.156.3005.3.), missing or extra dots,
 *   lower-case letters, a non-digit serial or version, a check character
 *   that is not alphanumeric, NUL-free garbage of the right length. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/licid.h"

static const char ALPHA[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
static const char CC[] = "115201020009110239";

/* The check character found by the verification rule: the c for which the
 * recursion over s + c ends with (P + c) mod 36 == 1. */
static char
reference_check(const char *s)
{
	for (int c = 0; c < 36; c++) {
		int p = 36;
		for (const char *q = s; *q; q++) {
			if (*q == '.')
				continue;
			int v = (int)(strchr(ALPHA, *q) - ALPHA);
			int t = (p + v) % 36;
			p = 2 * (t ? t : 36) % 37;
		}
		if ((p + c) % 36 == 1)
			return ALPHA[c];
	}
	return 0;
}

static void
sample(char out[LICID_MAX])
{
	struct licid id;
	struct zt_err err;

	memset(&id, 0, sizeof(id));
	snprintf(id.type, sizeof(id.type), "%s001", CC);
	snprintf(id.issuer, sizeof(id.issuer), "%s", CC);
	id.serial = 1;
	id.version = 1;
	assert_int_equal(licid_build(&id, out, &err), 0);
}

static void
test_check_char_references(void **state)
{
	(void)state;
	assert_int_equal(licid_check_char("A12425GABC1234002"), 'M');
	assert_int_equal(licid_check_char("0"), '2');
	assert_int_equal(licid_check_char("A"), 'H');
	assert_int_equal(licid_check_char("1.2"), 'T');
	assert_int_equal(licid_check_char("12"), 'T');
	assert_int_equal(reference_check("A12425GABC1234002"), 'M');
	assert_int_equal(licid_check_char(""), 0);
	assert_int_equal(licid_check_char("a"), 0);
	assert_int_equal(licid_check_char("12-3"), 0);
	assert_int_equal(licid_check_char("1 2"), 0);

	unsigned seed = 12345;
	char s[64];
	for (int n = 0; n < 2000; n++) {
		seed = seed * 1103515245u + 12345u;
		int len = 1 + (int)(seed >> 16) % 60;
		for (int i = 0; i < len; i++) {
			seed = seed * 1103515245u + 12345u;
			s[i] = ALPHA[(seed >> 16) % 36];
		}
		s[len] = '\0';
		assert_int_equal(licid_check_char(s), reference_check(s));
	}
}

static void
test_build_parse(void **state)
{
	char id[LICID_MAX], want[LICID_MAX + 8], body[LICID_MAX];
	struct licid p;
	struct zt_err err;

	(void)state;
	sample(id);
	snprintf(body, sizeof(body), "1.2.156.3005.2.%s001.%s.0000001.001.", CC, CC);
	snprintf(want, sizeof(want), "%s%c", body, reference_check(body));
	assert_string_equal(id, want);
	assert_int_equal(strlen(id), LICID_LEN);
	assert_int_equal(licid_parse(id, &p, &err), 0);
	assert_string_equal(p.issuer, CC);
	assert_memory_equal(p.type, CC, 18);
	assert_string_equal(p.type + 18, "001");
	assert_int_equal(p.serial, 1);
	assert_int_equal(p.version, 1);
	assert_int_equal(p.check, id[LICID_LEN - 1]);
	assert_int_equal(licid_validate(id, &p, &err), 0);

	struct licid in;
	memset(&in, 0, sizeof(in));
	snprintf(in.type, sizeof(in.type), "%s123", CC);
	snprintf(in.issuer, sizeof(in.issuer), "%s", CC);
	in.serial = 9999999;
	in.version = 999;
	assert_int_equal(licid_build(&in, id, &err), 0);
	assert_int_equal(licid_validate(id, &p, &err), 0);
	assert_int_equal(p.serial, 9999999);
	assert_int_equal(p.version, 999);

	struct {
		long serial;
		int version;
		const char *type, *issuer;
	} bad[] = {
	    {0, 1, NULL, NULL},
	    {10000000, 1, NULL, NULL},
	    {1, 0, NULL, NULL},
	    {1, 1000, NULL, NULL},
	    {1, 1, "11520102000911023900", NULL},
	    {1, 1, "11520102000911023900A", NULL},
	    {1, 1, NULL, "11520102000911023I"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct licid b = in;
		b.serial = bad[i].serial;
		b.version = bad[i].version;
		if (bad[i].type)
			snprintf(b.type, sizeof(b.type), "%s", bad[i].type);
		if (bad[i].issuer)
			snprintf(b.issuer, sizeof(b.issuer), "%s", bad[i].issuer);
		err_clear(&err);
		assert_int_equal(licid_build(&b, id, &err), ZT_EINVAL);
		assert_string_equal(err.reason, "format");
		assert_string_equal(id, "");
	}
}

static void
test_substitutions(void **state)
{
	char id[LICID_MAX], t[LICID_MAX];
	struct licid p;
	struct zt_err err;
	int refused = 0, as_check = 0;

	(void)state;
	sample(id);
	for (int i = 0; i < LICID_LEN; i++) {
		if (id[i] == '.')
			continue;
		for (const char *a = ALPHA; *a; a++) {
			if (*a == id[i])
				continue;
			memcpy(t, id, sizeof(t));
			t[i] = *a;
			err_clear(&err);
			int rc = licid_validate(t, &p, &err);
			if (rc != ZT_EINVAL)
				fail_msg("substitution %d -> %c not detected: %s", i, *a, t);
			refused++;
			/* Where the layout allows the character, the check
			 * character is what refuses it. */
			struct zt_err e2;
			if (licid_parse(t, &p, &e2) == 0) {
				assert_string_equal(err.reason, "bad_check_character");
				as_check++;
			} else {
				assert_string_equal(err.reason, "format");
			}
		}
	}
	assert_int_equal(refused, 60 * 35); /* 69 characters, 9 of them dots */
	assert_true(as_check > 1000);
}

static void
test_transpositions(void **state)
{
	char id[LICID_MAX], t[LICID_MAX];
	struct licid p;
	struct zt_err err;
	int n = 0;

	(void)state;
	sample(id);
	for (int i = 0; i + 1 < LICID_LEN; i++) {
		if (id[i] == id[i + 1])
			continue;
		memcpy(t, id, sizeof(t));
		t[i] = id[i + 1];
		t[i + 1] = id[i];
		if (licid_validate(t, &p, &err) != ZT_EINVAL)
			fail_msg("transposition at %d not detected: %s", i, t);
		n++;
	}
	assert_true(n > 40);
}

static void
test_malformed(void **state)
{
	char id[LICID_MAX], t[LICID_MAX * 2];
	struct licid p;
	struct zt_err err;

	(void)state;
	sample(id);
	const char *fixed[] = {"", "1.2.156.3005.2.", "garbage", NULL};
	for (int i = 0; fixed[i]; i++) {
		err_clear(&err);
		assert_int_equal(licid_validate(fixed[i], &p, &err), ZT_EINVAL);
		assert_string_equal(err.reason, "format");
		assert_string_equal(err.field, "identifier");
	}
	/* Variations of the sample. */
	struct {
		int pos; /* -1: append, -2: cut last, else replace at pos */
		char with;
	} var[] = {
	    {-1, 'A'}, {-2, 0},	  {13, '3'}, /* 1.2.156.3005.3. */
	    {36, 'A'},			     /* the dot after the type */
	    {55, '1'},			     /* the dot after the issuer */
	    {57, 'A'},			     /* a letter in the serial */
	    {65, 'B'},			     /* a letter in the version */
	    {68, '-'},			     /* check character */
	    {68, 'a'}, {20, 'a'},	     /* lower case */
	    {20, 'I'},			     /* not a credit-code character */
	    {40, 'O'},
	};
	for (size_t i = 0; i < sizeof(var) / sizeof(var[0]); i++) {
		snprintf(t, sizeof(t), "%s", id);
		if (var[i].pos == -1)
			strcat(t, "A");
		else if (var[i].pos == -2)
			t[strlen(t) - 1] = '\0';
		else
			t[var[i].pos] = var[i].with;
		err_clear(&err);
		if (licid_validate(t, &p, &err) != ZT_EINVAL || strcmp(err.reason, "format") != 0)
			fail_msg("variation %zu accepted or wrong reason (%s): %s", i, err.reason,
				 t);
	}
	/* Serial and version 0 are not in the layout's range. */
	snprintf(t, sizeof(t), "1.2.156.3005.2.%s001.%s.0000000.001.", CC, CC);
	size_t n = strlen(t);
	t[n] = licid_check_char(t);
	t[n + 1] = '\0';
	assert_int_equal(licid_validate(t, &p, &err), ZT_EINVAL);
	assert_string_equal(err.reason, "format");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_check_char_references),
	    cmocka_unit_test(test_build_parse),
	    cmocka_unit_test(test_substitutions),
	    cmocka_unit_test(test_transpositions),
	    cmocka_unit_test(test_malformed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
