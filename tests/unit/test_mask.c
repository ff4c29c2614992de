/* test_mask.c - unit tests for base/mask (masking rules of the exchange).
 *
 * Test plan:
 * - id_number keeps the first 6 and the last 4 characters of an 18-character
 *   ID (with a trailing X too), 11 characters keep 6 + 1 star + 4, 10 or
 *   fewer are all stars; "" and NULL give "". The result equals
 *   ident_mask_id's for ASCII, and on Chinese text the same rule counts
 *   characters, so nothing is cut inside a UTF-8 sequence.
 * - phone: 138****5678; 7 or fewer characters all stars.
 * - name: 张三 -> 张*, 李小明 -> 李**, 欧阳娜娜 -> 欧***, 张 -> 张, a 4-byte
 *   first character, ASCII, "".
 * - credit_code: first 8 and last 2 kept (91350100********43); 11
 *   characters keep 8 + 1 star + 2; 10 or fewer all stars.
 * - partial: the first and last n/4 characters (贵阳*****华路 for 9 Chinese
 *   characters, a**d, 贵州省******花果园 for 12), fewer than 4 all stars,
 *   4-byte characters counted as one.
 * - full: one star per character; MASK_NONE copies.
 * - Every masked string keeps its length in characters.
 * - Rule names round-trip; unknown, "" and NULL are -1; MASK_NONE's name is "".
 * - Default rules from field names, by '_'-separated words: id_number,
 *   holder_id_number, id_no, id_card_no, idcard, sfzh; phone, mobile,
 *   contact_tel, telephone; credit_code, uscc; name, holder_name; and names
 *   that only contain such letters (hotel_name is a name, not a phone;
 *   paid_notes, identity, nickname, address, salary) fall to their own rule
 *   or partial. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/ident.h"
#include "base/mask.h"

#define MASK_EQ(rule, in, want)                                                                    \
	do {                                                                                       \
		char *got_ = mask_apply((rule), (in));                                             \
		assert_string_equal(got_, (want));                                                 \
		free(got_);                                                                        \
	} while (0)

static long
chars(const char *s)
{
	long n = 0;

	for (; *s; s++)
		if ((*s & 0xC0) != 0x80)
			n++;
	return n;
}

static void
test_id_number(void **state)
{
	(void)state;
	MASK_EQ(MASK_ID_NUMBER, "110101199003071234", "110101********1234");
	MASK_EQ(MASK_ID_NUMBER, "11010519491231002X", "110105********002X");
	MASK_EQ(MASK_ID_NUMBER, "12345678901", "123456*8901");
	MASK_EQ(MASK_ID_NUMBER, "1234567890", "**********");
	MASK_EQ(MASK_ID_NUMBER, "", "");
	MASK_EQ(MASK_ID_NUMBER, NULL, "");
	/* The same as ident_mask_id on ASCII. */
	char *a = ident_mask_id("520102199506150075"),
	     *b = mask_apply(MASK_ID_NUMBER, "520102199506150075");
	assert_string_equal(a, b);
	free(a);
	free(b);
	/* Counted in characters on other text. */
	MASK_EQ(MASK_ID_NUMBER, "一二三四五六七八九十甲", "一二三四五六*八九十甲");
}

static void
test_phone_and_name(void **state)
{
	(void)state;
	MASK_EQ(MASK_PHONE, "13812345678", "138****5678");
	MASK_EQ(MASK_PHONE, "1381234", "*******");
	MASK_EQ(MASK_PHONE, "", "");
	MASK_EQ(MASK_NAME, "张三", "张*");
	MASK_EQ(MASK_NAME, "李小明", "李**");
	MASK_EQ(MASK_NAME, "欧阳娜娜", "欧***");
	MASK_EQ(MASK_NAME, "张", "张");
	MASK_EQ(MASK_NAME, "𠮷野家", "𠮷**");
	MASK_EQ(MASK_NAME, "Alice", "A****");
	MASK_EQ(MASK_NAME, "", "");
	MASK_EQ(MASK_NAME, NULL, "");
}

static void
test_credit_code(void **state)
{
	(void)state;
	MASK_EQ(MASK_CREDIT_CODE, "91350100M000100Y43", "91350100********43");
	MASK_EQ(MASK_CREDIT_CODE, "91350100123", "91350100*23");
	MASK_EQ(MASK_CREDIT_CODE, "9135010012", "**********");
	MASK_EQ(MASK_CREDIT_CODE, "", "");
}

static void
test_partial_and_full(void **state)
{
	(void)state;
	MASK_EQ(MASK_PARTIAL, "贵阳市南明区中华路", "贵阳*****华路");
	MASK_EQ(MASK_PARTIAL, "贵州省贵阳市南明区花果园", "贵州省******花果园");
	MASK_EQ(MASK_PARTIAL, "abcd", "a**d");
	MASK_EQ(MASK_PARTIAL, "abcdefg", "a*****g");
	MASK_EQ(MASK_PARTIAL, "abc", "***");
	MASK_EQ(MASK_PARTIAL, "𠮷𠮷𠮷𠮷", "𠮷**𠮷");
	MASK_EQ(MASK_PARTIAL, "", "");
	MASK_EQ(MASK_FULL, "张三", "**");
	MASK_EQ(MASK_FULL, "1800", "****");
	MASK_EQ(MASK_FULL, "", "");
	MASK_EQ(MASK_NONE, "张三 13812345678", "张三 13812345678");
	MASK_EQ(MASK_NONE, NULL, "");
}

static void
test_length_kept(void **state)
{
	static const char *const samples[] = {"",
					      "a",
					      "张",
					      "13812345678",
					      "贵州省贵阳市\n南明区中华南路1号",
					      "Zoë Müller-Lüdenscheidt",
					      "𠮷野家 株式会社",
					      "110101199003071234"};
	(void)state;
	for (size_t i = 0; i < sizeof(samples) / sizeof(samples[0]); i++)
		for (int r = MASK_NONE; r <= MASK_FULL; r++) {
			char *m = mask_apply((enum mask_rule)r, samples[i]);
			assert_int_equal(chars(m), chars(samples[i]));
			free(m);
		}
}

static void
test_rule_names(void **state)
{
	(void)state;
	for (int r = MASK_ID_NUMBER; r <= MASK_FULL; r++)
		assert_int_equal(mask_rule_from_name(mask_rule_name((enum mask_rule)r)), r);
	assert_string_equal(mask_rule_name(MASK_ID_NUMBER), "id_number");
	assert_string_equal(mask_rule_name(MASK_CREDIT_CODE), "credit_code");
	assert_string_equal(mask_rule_name(MASK_NONE), "");
	assert_int_equal(mask_rule_from_name("blur"), -1);
	assert_int_equal(mask_rule_from_name(""), -1);
	assert_int_equal(mask_rule_from_name(NULL), -1);
}

static void
test_rule_for_field(void **state)
{
	(void)state;
	assert_int_equal(mask_rule_for_field("id_number"), MASK_ID_NUMBER);
	assert_int_equal(mask_rule_for_field("holder_id_number"), MASK_ID_NUMBER);
	assert_int_equal(mask_rule_for_field("id_no"), MASK_ID_NUMBER);
	assert_int_equal(mask_rule_for_field("id_card_no"), MASK_ID_NUMBER);
	assert_int_equal(mask_rule_for_field("idcard"), MASK_ID_NUMBER);
	assert_int_equal(mask_rule_for_field("sfzh"), MASK_ID_NUMBER);
	assert_int_equal(mask_rule_for_field("phone"), MASK_PHONE);
	assert_int_equal(mask_rule_for_field("mobile"), MASK_PHONE);
	assert_int_equal(mask_rule_for_field("contact_tel"), MASK_PHONE);
	assert_int_equal(mask_rule_for_field("telephone"), MASK_PHONE);
	assert_int_equal(mask_rule_for_field("credit_code"), MASK_CREDIT_CODE);
	assert_int_equal(mask_rule_for_field("uscc"), MASK_CREDIT_CODE);
	assert_int_equal(mask_rule_for_field("name"), MASK_NAME);
	assert_int_equal(mask_rule_for_field("holder_name"), MASK_NAME);
	assert_int_equal(mask_rule_for_field("hotel_name"), MASK_NAME);
	assert_int_equal(mask_rule_for_field("paid_notes"), MASK_PARTIAL);
	assert_int_equal(mask_rule_for_field("identity"), MASK_PARTIAL);
	assert_int_equal(mask_rule_for_field("nickname"), MASK_PARTIAL);
	assert_int_equal(mask_rule_for_field("address"), MASK_PARTIAL);
	assert_int_equal(mask_rule_for_field("salary"), MASK_PARTIAL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_id_number),	   cmocka_unit_test(test_phone_and_name),
	    cmocka_unit_test(test_credit_code),	   cmocka_unit_test(test_partial_and_full),
	    cmocka_unit_test(test_length_kept),	   cmocka_unit_test(test_rule_names),
	    cmocka_unit_test(test_rule_for_field),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
