/* test_complaint.c - unit tests for the pure parts of domain/complaint: the
 * masking of published outcomes and the per-client rate limit.
 *
 * Test plan:
 * - Masking: an 18-digit ID number and one ending in X/x keep the first 6
 *   and last 4; an 11-digit mobile number keeps 3 + 4; "+86" and "86"
 *   prefixes stay; 3-4-4 numbers with '-' or ' ' keep their separators; a
 *   number inside a longer digit run (19 digits, 12 digits), a landline
 *   (0851-...), an 11-digit number not starting 13-19 and a 17-digit run are
 *   left alone; names are masked wherever they occur, one-character names
 *   and NULL names are skipped; Chinese text around numbers is kept byte
 *   for byte; NULL and "" give "".
 * - Rate limit: COMPLAINT_RATE_MAX takes pass, the next answers a wait of
 *   1..COMPLAINT_RATE_WINDOW seconds and does not count; another client is
 *   unaffected; complaint_rate_reset forgets everyone. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "domain/complaint.h"

static void
expect_mask(const char *in, const char *const *names, const char *want)
{
	char *got = complaint_mask_text(in, names);

	assert_string_equal(got, want);
	free(got);
}

static void
test_mask_numbers(void **state)
{
	(void)state;
	expect_mask("身份证520102199003071234。", NULL, "身份证520102********1234。");
	expect_mask("id 52010219900307123X end", NULL, "id 520102********123X end");
	expect_mask("52010219900307123x", NULL, "520102********123x");
	expect_mask("电话13812345678", NULL, "电话138****5678");
	expect_mask("+8613812345678 and 8613812345678", NULL, "+86138****5678 and 86138****5678");
	expect_mask("138-1234-5678/139 1234 5678", NULL, "138-****-5678/139 **** 5678");
}

static void
test_mask_split(void **state)
{
	(void)state;
	expect_mask("138-1234-5678", NULL, "138-****-5678");
	expect_mask("拨打139 1234 5678。", NULL, "拨打139 **** 5678。");
	expect_mask("138-1234 5678", NULL, "138-1234 5678");
	expect_mask("138-1234-56789", NULL, "138-1234-56789");
}

static void
test_mask_left_alone(void **state)
{
	(void)state;
	expect_mask("5201021990030712345", NULL, "5201021990030712345");
	expect_mask("138123456789", NULL, "138123456789");
	expect_mask("0851-12345678", NULL, "0851-12345678");
	expect_mask("12345678901", NULL, "12345678901");
	expect_mask("52010219900307123", NULL, "52010219900307123");
	expect_mask("", NULL, "");
	expect_mask(NULL, NULL, "");
}

static void
test_mask_names(void **state)
{
	const char *const names[] = {"张小明", "王", NULL};
	const char *const one[] = {"李四", NULL};

	(void)state;
	expect_mask("已联系张小明，张小明表示满意；王科长已答复", names,
		    "已联系张**，张**表示满意；王科长已答复");
	expect_mask("李四 13812345678", one, "李* 138****5678");
}

static void
test_rate(void **state)
{
	(void)state;
	complaint_rate_reset();
	for (int i = 0; i < COMPLAINT_RATE_MAX; i++)
		assert_int_equal(complaint_rate_take("192.0.2.1"), 0);
	int wait = complaint_rate_take("192.0.2.1");
	assert_true(wait >= 1 && wait <= COMPLAINT_RATE_WINDOW);
	assert_true(complaint_rate_take("192.0.2.1") > 0);
	assert_int_equal(complaint_rate_take("192.0.2.2"), 0);
	complaint_rate_reset();
	assert_int_equal(complaint_rate_take("192.0.2.1"), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_mask_numbers),
	    cmocka_unit_test(test_mask_split),
	    cmocka_unit_test(test_mask_left_alone),
	    cmocka_unit_test(test_mask_names),
	    cmocka_unit_test(test_rate),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
