/* test_ident.c - unit tests for base/ident (national identifiers).
 *
 * Test plan:
 * - Check characters: every sample's check char is recomputed here by an
 *   independent formulation (ISO 7064 MOD 11-2 "sum including the check is
 *   1 mod 11", Horner's rule for the GB 32100 powers of 3, a GB 11714
 *   weight table) and compared with ident_*_check_char, so a wrong weight
 *   table in the module cannot hide behind a wrong sample in the test.
 * - ID numbers: known-valid numbers (the GB 11643 example 11010519491231002X,
 *   others), lower-case 'x' accepted and normalised; each reason code with
 *   its exact field, reason and message: length (17, 19, 15, empty, NULL),
 *   format (letters), region (99, 71), birth_date (19990230, 19000229, before
 *   1900 - the standard's own example 440524188001010014 has a correct check
 *   digit but an 1880 birth date - and after today_ymd, with today itself
 *   allowed), checksum. The first failing check wins.
 * - Credit codes: six published codes (Huawei, Tencent, Alibaba, Xiaomi,
 *   PetroChina, the commonly cited 91350100M000100Y43) pass and also pass the
 *   independent reference checks; generated codes pass; wrong check char,
 *   each of I O Z S V and lower case, bad registration-authority code, bad
 *   region, and a bad organisation-code check char (with a correct position
 *   18, so only the org check can catch it) are rejected with exact reasons.
 * - Masks: ID, phone (incl. too short), names in ASCII and Chinese with 1-4
 *   characters, NULL and "".
 * - Phone and region code syntax; ident_normalize bounds. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/ident.h"

#define TODAY 20261127

static const char *const real_credit_codes[] = {
    "91350100M000100Y43", /* commonly cited example */
    "914403001922038216", /* 华为技术有限公司 */
    "91440300708461136T", /* 深圳市腾讯计算机系统有限公司 */
    "91330100799655058B", /* 阿里巴巴(中国)有限公司 */
    "91110108551385082Q", /* 小米科技有限责任公司 */
    "91110000710925462X", /* 中国石油天然气股份有限公司 */
};

/* ISO 7064 MOD 11-2 as the standard states it: with weights 2^(18-i) mod 11
 * over all 18 positions (the check char's weight is 1, X = 10), the sum is
 * 1 mod 11. */
static char
ref_id_check(const char *s)
{
	int i, c, sum = 0, w;

	for (i = 0; i < 17; i++) {
		w = 1;
		for (c = 0; c < 17 - i; c++)
			w = w * 2 % 11;
		sum += (s[i] - '0') * w;
	}
	for (c = 0; c <= 10; c++)
		if ((sum + c) % 11 == 1)
			return c == 10 ? 'X' : (char)('0' + c);
	return '?';
}

static int
ref_credit_value(char c)
{
	const char *set = "0123456789ABCDEFGHJKLMNPQRTUWXY";
	const char *p = strchr(set, c);

	return p && c ? (int)(p - set) : -1;
}

/* GB 32100: sum of v_i * 3^i mod 31 by Horner's rule from the right. */
static char
ref_credit_check(const char *s)
{
	const char *set = "0123456789ABCDEFGHJKLMNPQRTUWXY";
	int i, acc = 0;

	for (i = 16; i >= 0; i--)
		acc = (acc * 3 + ref_credit_value(s[i])) % 31;
	return set[(31 - acc) % 31];
}

static char
ref_org_check(const char *s)
{
	const int w[8] = {3, 7, 9, 10, 5, 8, 4, 2};
	int i, sum = 0, v;

	for (i = 0; i < 8; i++)
		sum += (s[i] <= '9' ? s[i] - '0' : s[i] - 'A' + 10) * w[i];
	v = 11 - sum % 11;
	return v == 10 ? 'X' : v == 11 ? '0' : (char)('0' + v);
}

/* Asserts rc is ZT_EINVAL with the given field and reason. */
#define assert_err(rc, e, f, r)                                                                    \
	do {                                                                                       \
		assert_int_equal((rc), ZT_EINVAL);                                                 \
		assert_int_equal((e).code, ZT_EINVAL);                                             \
		assert_string_equal((e).field, (f));                                               \
		assert_string_equal((e).reason, (r));                                              \
	} while (0)

/* Builds a valid ID number from 17 digits into out[19]. */
static void
make_id(const char *first17, char *out)
{
	memcpy(out, first17, 17);
	out[17] = ref_id_check(first17);
	out[18] = '\0';
	assert_int_equal(ident_id_check_char(first17), out[17]);
}

static void
test_id_check_char_reference(void **state)
{
	const char *samples[] = {"11010519491231002X", "440524188001010014", "110101199003074477",
				 "11010119900307803X", "310104198001011235"};
	size_t i;

	(void)state;
	/* The two GB 11643 examples, checked against the reference too. */
	assert_int_equal(ref_id_check("11010519491231002X"), 'X');
	assert_int_equal(ref_id_check("440524188001010014"), '4');
	for (i = 0; i < sizeof(samples) / sizeof(samples[0]); i++)
		assert_int_equal(ident_id_check_char(samples[i]), ref_id_check(samples[i]));
	assert_int_equal(ident_id_check_char("1101051949123100"), 0); /* 16 digits */
	assert_int_equal(ident_id_check_char("1101051949123100A"), 0);
	assert_int_equal(ident_id_check_char(NULL), 0);
}

static void
test_id_valid(void **state)
{
	struct zt_err e = {0};
	char id[19], norm[19];

	(void)state;
	assert_int_equal(ident_check_id_number("11010519491231002X", TODAY, &e), 0);
	assert_int_equal(ident_check_id_number("110101199003074477", TODAY, &e), 0);
	assert_int_equal(ident_check_id_number("11010119900307803X", TODAY, &e), 0);
	/* Lower-case x is accepted; ident_normalize gives the stored form. */
	assert_int_equal(ident_check_id_number("11010519491231002x", TODAY, &e), 0);
	assert_int_equal(ident_normalize("11010519491231002x", norm, sizeof(norm)), 0);
	assert_string_equal(norm, "11010519491231002X");
	/* Leap day, HK/MO/TW residence permit prefixes, born today, 1900-01-01. */
	make_id("44030120000229123", id);
	assert_int_equal(ident_check_id_number(id, TODAY, &e), 0);
	make_id("81000019900101002", id);
	assert_int_equal(ident_check_id_number(id, TODAY, &e), 0);
	make_id("83000019900101002", id);
	assert_int_equal(ident_check_id_number(id, TODAY, &e), 0);
	make_id("65010120261127001", id);
	assert_int_equal(ident_check_id_number(id, TODAY, &e), 0);
	make_id("11010119000101001", id);
	assert_int_equal(ident_check_id_number(id, TODAY, &e), 0);
	/* A NULL err is allowed. */
	assert_int_equal(ident_check_id_number("110101199003074478", TODAY, NULL), ZT_EINVAL);
}

static void
test_id_invalid(void **state)
{
	struct zt_err e = {0};
	char id[19];

	(void)state;
	assert_err(ident_check_id_number("110101199003074478", TODAY, &e), e, "id_number",
		   "checksum");
	assert_string_equal(e.msg, "ID number check digit should be 7, got 8");
	assert_err(ident_check_id_number("110105194912310021", TODAY, &e), e, "id_number",
		   "checksum");
	assert_string_equal(e.msg, "ID number check digit should be X, got 1");

	assert_err(ident_check_id_number("11010519491231002", TODAY, &e), e, "id_number", "length");
	assert_string_equal(e.msg, "ID number must be 18 characters, got 17");
	assert_err(ident_check_id_number("11010519491231002X1", TODAY, &e), e, "id_number",
		   "length");
	assert_err(ident_check_id_number("110105491231002", TODAY, &e), e, "id_number", "length");
	assert_err(ident_check_id_number("", TODAY, &e), e, "id_number", "length");
	assert_err(ident_check_id_number(NULL, TODAY, &e), e, "id_number", "length");

	assert_err(ident_check_id_number("11010519491231A02X", TODAY, &e), e, "id_number",
		   "format");
	assert_string_equal(e.msg, "ID number character 15 must be a digit, got 'A'");
	assert_err(ident_check_id_number("11010519491231002Y", TODAY, &e), e, "id_number",
		   "format");
	assert_err(ident_check_id_number("X1010519491231002X", TODAY, &e), e, "id_number",
		   "format");

	make_id("99010519491231002", id);
	assert_err(ident_check_id_number(id, TODAY, &e), e, "id_number", "region");
	assert_string_equal(e.msg, "ID number region prefix 99 is not a province-level code");
	make_id("71010519491231002", id);
	assert_err(ident_check_id_number(id, TODAY, &e), e, "id_number", "region");
	make_id("00010519491231002", id);
	assert_err(ident_check_id_number(id, TODAY, &e), e, "id_number", "region");

	make_id("11010119990230001", id);
	assert_err(ident_check_id_number(id, TODAY, &e), e, "id_number", "birth_date");
	assert_string_equal(e.msg, "ID number birth date 19990230 is not a real date");
	make_id("11010119000229001", id); /* 1900 was not a leap year */
	assert_err(ident_check_id_number(id, TODAY, &e), e, "id_number", "birth_date");
	make_id("11010119991301001", id);
	assert_err(ident_check_id_number(id, TODAY, &e), e, "id_number", "birth_date");
	/* The standard's own example: right check digit, but born 1880. */
	assert_err(ident_check_id_number("440524188001010014", TODAY, &e), e, "id_number",
		   "birth_date");
	assert_string_equal(e.msg, "ID number birth date 18800101 is before 1900-01-01");
	make_id("11010120261128001", id);
	assert_err(ident_check_id_number(id, TODAY, &e), e, "id_number", "birth_date");
	assert_string_equal(e.msg, "ID number birth date 20261128 is after today (20261127)");
	assert_int_equal(ident_check_id_number(id, 20261128, &e), 0);

	/* The first failing check wins: bad region and bad checksum -> region. */
	assert_err(ident_check_id_number("990105194912310021", TODAY, &e), e, "id_number",
		   "region");
}

static void
test_credit_real_codes(void **state)
{
	struct zt_err e = {0};
	size_t i;
	const char *s;

	(void)state;
	for (i = 0; i < sizeof(real_credit_codes) / sizeof(real_credit_codes[0]); i++) {
		s = real_credit_codes[i];
		/* Independent reference first: the sample itself must be right. */
		assert_int_equal(ref_org_check(s + 8), s[16]);
		assert_int_equal(ref_credit_check(s), s[17]);
		assert_int_equal(ident_org_check_char(s + 8), s[16]);
		assert_int_equal(ident_credit_check_char(s), s[17]);
		err_clear(&e);
		assert_int_equal(ident_check_credit_code(s, &e), 0);
		assert_int_equal(e.code, 0);
	}
}

static void
test_credit_generated(void **state)
{
	const char *prefixes[] = {"91110108MA01ABCD", "52440300ABCDEFGH", "Y1650100JK123456",
				  "N2530102Q0000001", "A1110000PT20X4W7"};
	struct zt_err e = {0};
	char code[19];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
		memcpy(code, prefixes[i], 16);
		code[16] = ident_org_check_char(code + 8);
		assert_int_equal(code[16], ref_org_check(code + 8));
		code[17] = ident_credit_check_char(code);
		assert_int_equal(code[17], ref_credit_check(code));
		code[18] = '\0';
		assert_int_equal(ident_check_credit_code(code, &e), 0);
	}
	assert_int_equal(ident_credit_check_char("91350100M000100Y"), 0); /* 16 chars */
	assert_int_equal(ident_credit_check_char("91350100M000100I4"), 0);
	assert_int_equal(ident_credit_check_char(NULL), 0);
	assert_int_equal(ident_org_check_char("M000100"), 0);
	assert_int_equal(ident_org_check_char("m000100Y"), 0);
	/* Org codes whose check values are 10 and 11 map to X and 0. */
	assert_int_equal(ident_org_check_char("00000001"), '9');
	assert_int_equal(ident_org_check_char("00000000"), '0');
	assert_int_equal(ref_org_check("00000006"), 'X');
	assert_int_equal(ident_org_check_char("00000006"), 'X');
}

static void
test_credit_invalid(void **state)
{
	const char forbidden[] = "IOZSV";
	struct zt_err e = {0};
	char code[19];
	size_t i;

	(void)state;
	assert_err(ident_check_credit_code("91350100M000100Y44", &e), e, "credit_code", "checksum");
	assert_string_equal(e.msg, "credit code check character should be 3, got 4");

	assert_err(ident_check_credit_code("91350100M000100Y4", &e), e, "credit_code", "length");
	assert_err(ident_check_credit_code("91350100M000100Y433", &e), e, "credit_code", "length");
	assert_err(ident_check_credit_code(NULL, &e), e, "credit_code", "length");

	for (i = 0; forbidden[i] != '\0'; i++) {
		strcpy(code, "91350100M000100Y43");
		code[9] = forbidden[i];
		assert_err(ident_check_credit_code(code, &e), e, "credit_code", "charset");
	}
	assert_string_equal(e.msg, "credit code character 10 is 'V'; only digits and upper-case "
				   "letters other than I, O, Z, S, V are used");
	assert_err(ident_check_credit_code("91350100m000100y43", &e), e, "credit_code", "charset");
	assert_err(ident_check_credit_code("91350100M000100Y4\n", &e), e, "credit_code", "charset");
	assert_string_equal(e.msg, "credit code character 18 is byte 0x0A; only digits and "
				   "upper-case letters other than I, O, Z, S, V are used");

	/* Registration authority code: 0 and B are in the set but not allowed. */
	strcpy(code, "01350100M000100Y4");
	code[17] = ident_credit_check_char(code);
	assert_err(ident_check_credit_code(code, &e), e, "credit_code", "charset");
	strcpy(code, "B1350100M000100Y4");
	code[17] = ident_credit_check_char(code);
	assert_err(ident_check_credit_code(code, &e), e, "credit_code", "charset");

	strcpy(code, "91990100M000100Y4");
	code[17] = ident_credit_check_char(code);
	assert_err(ident_check_credit_code(code, &e), e, "credit_code", "region");
	assert_string_equal(
	    e.msg, "credit code region code 990100 does not start with a province-level code");
	/* Central-level registrations (region 100000) are not accepted. */
	strcpy(code, "12100000M000100Y4");
	code[17] = ident_credit_check_char(code);
	assert_err(ident_check_credit_code(code, &e), e, "credit_code", "region");
	strcpy(code, "9135A100M000100Y4");
	code[17] = ident_credit_check_char(code);
	assert_err(ident_check_credit_code(code, &e), e, "credit_code", "region");

	/* Wrong org check char but a matching position 18. */
	strcpy(code, "91350100M000100Y5");
	code[17] = ident_credit_check_char(code);
	assert_int_equal(code[17], ref_credit_check(code));
	assert_err(ident_check_credit_code(code, &e), e, "credit_code", "org_code");
	assert_string_equal(
	    e.msg, "credit code organisation code M000100Y5: check character should be 4, got 5");
}

static void
test_masks(void **state)
{
	char *s;

	(void)state;
#define MASK_EQ(call, want)                                                                        \
	do {                                                                                       \
		s = (call);                                                                        \
		assert_string_equal(s, (want));                                                    \
		free(s);                                                                           \
	} while (0)
	MASK_EQ(ident_mask_id("11010519491231002X"), "110105********002X");
	MASK_EQ(ident_mask_id("12345678901"), "123456*8901");
	MASK_EQ(ident_mask_id("1234567890"), "**********");
	MASK_EQ(ident_mask_id(NULL), "");
	MASK_EQ(ident_mask_phone("13812345678"), "138****5678");
	MASK_EQ(ident_mask_phone("1381234"), "*******");
	MASK_EQ(ident_mask_phone(""), "");
	MASK_EQ(ident_mask_name("张三"), "张*");
	MASK_EQ(ident_mask_name("李小明"), "李**");
	MASK_EQ(ident_mask_name("欧阳娜娜"), "欧***");
	MASK_EQ(ident_mask_name("张"), "张");
	MASK_EQ(ident_mask_name("Alice"), "A****");
	MASK_EQ(ident_mask_name("Li Lei"), "L*****");
	MASK_EQ(ident_mask_name("Zoë"), "Z**");
	MASK_EQ(ident_mask_name("𠮷野"), "𠮷*"); /* 4-byte first character */
	MASK_EQ(ident_mask_name(""), "");
	MASK_EQ(ident_mask_name(NULL), "");
#undef MASK_EQ
}

static void
test_phone(void **state)
{
	struct zt_err e = {0};

	(void)state;
	assert_int_equal(ident_check_phone("13812345678", &e), 0);
	assert_int_equal(ident_check_phone("19912345678", &e), 0);
	assert_int_equal(ident_check_phone("16612345678", &e), 0);
	assert_err(ident_check_phone("12812345678", &e), e, "phone", "format");
	assert_string_equal(e.msg, "phone number must start with 13-19, got 12");
	assert_err(ident_check_phone("23812345678", &e), e, "phone", "format");
	assert_err(ident_check_phone("1381234567", &e), e, "phone", "format");
	assert_string_equal(e.msg, "phone number must be 11 digits, got 10 characters");
	assert_err(ident_check_phone("138123456789", &e), e, "phone", "format");
	assert_err(ident_check_phone("1381234567a", &e), e, "phone", "format");
	assert_err(ident_check_phone("+8613812345", &e), e, "phone", "format");
	assert_err(ident_check_phone(NULL, &e), e, "phone", "format");
}

static void
test_region_code(void **state)
{
	struct zt_err e = {0};

	(void)state;
	assert_int_equal(ident_check_region_code("110105", &e), 0);
	assert_int_equal(ident_check_region_code("650100", &e), 0);
	assert_int_equal(ident_check_region_code("820000", &e), 0);
	assert_err(ident_check_region_code("990000", &e), e, "region_code", "region");
	assert_err(ident_check_region_code("160000", &e), e, "region_code", "region");
	assert_err(ident_check_region_code("11010", &e), e, "region_code", "format");
	assert_err(ident_check_region_code("1101050", &e), e, "region_code", "format");
	assert_err(ident_check_region_code("11010a", &e), e, "region_code", "format");
	assert_err(ident_check_region_code(NULL, &e), e, "region_code", "format");
}

static void
test_normalize(void **state)
{
	char out[19];

	(void)state;
	assert_int_equal(ident_normalize("11010519491231002x", out, sizeof(out)), 0);
	assert_string_equal(out, "11010519491231002X");
	assert_int_equal(ident_normalize("11010519491231002x", out, 18), -1);
	assert_string_equal(out, "");
	assert_int_equal(ident_normalize("", out, 1), 0);
	assert_string_equal(out, "");
	assert_int_equal(ident_normalize("ab", out, 0), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_id_check_char_reference),
	    cmocka_unit_test(test_id_valid),
	    cmocka_unit_test(test_id_invalid),
	    cmocka_unit_test(test_credit_real_codes),
	    cmocka_unit_test(test_credit_generated),
	    cmocka_unit_test(test_credit_invalid),
	    cmocka_unit_test(test_masks),
	    cmocka_unit_test(test_phone),
	    cmocka_unit_test(test_region_code),
	    cmocka_unit_test(test_normalize),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
