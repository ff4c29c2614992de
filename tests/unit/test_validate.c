/* test_validate.c - unit tests for the pure helpers of http/validate:
 * json_text_depth (the pre-parse nesting check) and utf8_len (character
 * counts of text limits).
 *
 * Test plan:
 * - json_text_depth: scalars and "" are 0; {} and [] are 1; nested arrays
 *   and objects count their deepest point, not the sum of siblings
 *   ([[],[[]]] = 3, {"a":[{"b":[1]}]} = 4); brackets inside strings are
 *   ignored, including after an escaped quote (\") and after an escaped
 *   backslash (\\" really closes the string, so later brackets count);
 *   other escapes (\n, \u005b) do not open or close anything; an unterminated
 *   string hides the rest; only the first n bytes are read (n shorter than the
 *   text, and text without a terminating NUL); a trailing lone backslash at
 *   the end of the n bytes does not read past n; 1000 and JSON_MAX_DEPTH + 1
 *   levels are counted exactly; the result is what jansson itself would have
 *   to recurse through for every valid sample.
 * - utf8_len: "" = 0, ASCII, Chinese (3-byte), mixed, 2-byte (é) and 4-byte
 *   (emoji, CJK extension B) sequences, the largest code point U+10FFFF.
 *   Invalid input gives -1: a lone continuation byte, 0xFE / 0xFF, a
 *   5-byte lead, sequences truncated by the end of the string (2-, 3- and
 *   4-byte leads), a continuation replaced by ASCII. RFC 3629 also makes
 *   overlong forms (C0 AF, E0 80 AF, F0 80 80 AF), UTF-16 surrogates
 *   (ED A0 80) and code points above U+10FFFF (F4 90 80 80, F5..F7 leads)
 *   invalid; those are checked in a separate test because utf8_len is used on
 *   query strings, which (unlike JSON bodies) jansson never validates.
 * - utf8_scrub: valid text is left as it is (0 replaced); a sequence cut
 *   short by the end of the string (a message cut at its buffer's size) is
 *   dropped; each byte of another broken sequence becomes '?' (a lone
 *   continuation, a cut sequence followed by more text, a surrogate, an
 *   overlong form); the valid characters around stay, and the result is
 *   valid (utf8_len >= 0). A problem's message quotes raw input this way (jansson's
 *   "near '...'" of a malformed body). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/xmalloc.h"
#include "base/utf8.h"
#include "http/validate.h"

static int
depth(const char *s)
{
	return json_text_depth(s, strlen(s));
}

static void
test_depth_basic(void **state)
{
	(void)state;
	assert_int_equal(depth(""), 0);
	assert_int_equal(depth("1"), 0);
	assert_int_equal(depth("\"x\""), 0);
	assert_int_equal(depth("null"), 0);
	assert_int_equal(depth("{}"), 1);
	assert_int_equal(depth("[]"), 1);
	assert_int_equal(depth("{\"a\":1,\"b\":2}"), 1);
	assert_int_equal(depth("[[[]]]"), 3);
	assert_int_equal(depth("[[],[[]]]"), 3);
	assert_int_equal(depth("[[],[],[]]"), 2);
	assert_int_equal(depth("{\"a\":[{\"b\":[1]}]}"), 4);
	assert_int_equal(depth("{\"a\":{\"b\":{}},\"c\":[]}"), 3);
	assert_int_equal(depth(" [ [ 1 , 2 ] , { \"k\" : [ ] } ] "), 3);
}

static void
test_depth_strings(void **state)
{
	(void)state;
	/* Brackets inside strings do not count. */
	assert_int_equal(depth("{\"a\":\"[[[{{{\"}"), 1);
	assert_int_equal(depth("[\"]]]]\",[1]]"), 2);
	assert_int_equal(depth("{\"[[[\":1}"), 1);
	/* An escaped quote does not end the string. */
	assert_int_equal(depth("{\"a\":\"\\\"[[[\"}"), 1);
	assert_int_equal(depth("[\"\\\"]]\\\"[[\"]"), 1);
	/* An escaped backslash does; the brackets after it count. */
	assert_int_equal(depth("[\"\\\\\",[[]]]"), 3);
	assert_int_equal(depth("[\"a\\\\\\\\\",[[[]]]]"), 4);
	/* Other escapes change nothing. */
	assert_int_equal(depth("[\"\\n\\t\\u005b\\/\",[]]"), 2);
	/* An unterminated string hides everything after it. */
	assert_int_equal(depth("[\"abc[[[["), 1);
	/* Closing brackets inside strings do not lower the depth either. */
	assert_int_equal(depth("[[\"]]]]]]]\",[[]]]]"), 4);
}

static void
test_depth_length_bound(void **state)
{
	char buf[8];

	(void)state;
	/* Only n bytes are read. */
	assert_int_equal(json_text_depth("[[[[", 2), 2);
	assert_int_equal(json_text_depth("[[[[", 0), 0);
	assert_int_equal(json_text_depth("[[\"]\"[[", 3), 2);
	/* Not NUL-terminated: the byte after n is never looked at. */
	memcpy(buf, "[[[[[[[[", 8);
	assert_int_equal(json_text_depth(buf, 8), 8);
	assert_int_equal(json_text_depth(buf, 5), 5);
	/* A backslash as the last byte of a string: the skip must stay within n. */
	memcpy(buf, "[\"\\[[[[[", 8);
	assert_int_equal(json_text_depth(buf, 3), 1);
}

static void
test_depth_deep(void **state)
{
	size_t n = 2000;
	char *s = xmalloc(2 * n + 1);

	(void)state;
	for (size_t i = 0; i < n; i++) {
		s[i] = i % 2 ? '[' : '{';
		s[2 * n - 1 - i] = i % 2 ? ']' : '}';
	}
	s[2 * n] = '\0';
	assert_int_equal(depth(s), 2000);
	/* One past the limit is seen as such. */
	assert_int_equal(json_text_depth(s, JSON_MAX_DEPTH + 1), JSON_MAX_DEPTH + 1);
	memset(s, '[', JSON_MAX_DEPTH + 1);
	memset(s + JSON_MAX_DEPTH + 1, ']', JSON_MAX_DEPTH + 1);
	assert_int_equal(json_text_depth(s, 2 * (JSON_MAX_DEPTH + 1)), JSON_MAX_DEPTH + 1);
	free(s);
}

/* Depth of a parsed value, to cross-check on valid samples. */
static int
tree_depth(json_t *v)
{
	int max = 0;

	if (json_is_array(v)) {
		size_t i;
		json_t *e;
		json_array_foreach(v, i, e)
		{
			int d = tree_depth(e);
			if (d > max)
				max = d;
		}
		return max + 1;
	}
	if (json_is_object(v)) {
		const char *k;
		json_t *e;
		json_object_foreach(v, k, e)
		{
			int d = tree_depth(e);
			if (d > max)
				max = d;
		}
		return max + 1;
	}
	return 0;
}

static void
test_depth_matches_parser(void **state)
{
	static const char *const samples[] = {
	    "{}",
	    "{\"form\":{\"name\":\"张三\",\"items\":[[1,2],[3,[4]]]}}",
	    "{\"a\":\"}}}]]]\",\"b\":[\"\\\"{\",{\"c\":\"\\\\\"}]}",
	    "[{\"x\":[{\"y\":[{\"z\":[]}]}]}]",
	    "{\"s\":\"\\u005b\\u007b\",\"t\":[true,false,null]}",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(samples) / sizeof(samples[0]); i++) {
		json_error_t jerr;
		json_t *v = json_loads(samples[i], 0, &jerr);
		if (v == NULL)
			fail_msg("sample %zu does not parse: %s", i, jerr.text);
		assert_int_equal(depth(samples[i]), tree_depth(v));
		json_decref(v);
	}
}

static void
test_utf8_valid(void **state)
{
	(void)state;
	assert_int_equal(utf8_len(""), 0);
	assert_int_equal(utf8_len("a"), 1);
	assert_int_equal(utf8_len("hello, world"), 12);
	assert_int_equal(utf8_len("政通"), 2);
	assert_int_equal(utf8_len("一网通办"), 4);
	assert_int_equal(utf8_len("a政b通c"), 5);
	assert_int_equal(utf8_len("北京市110000"), 9);
	assert_int_equal(utf8_len("caf\xc3\xa9"), 4);		   /* é, 2 bytes */
	assert_int_equal(utf8_len("\xf0\x9f\x98\x80"), 1);	   /* U+1F600, 4 bytes */
	assert_int_equal(utf8_len("\xf0\xa0\x80\x80x"), 2);	   /* U+20000 (CJK ext. B) */
	assert_int_equal(utf8_len("\xf4\x8f\xbf\xbf"), 1);	   /* U+10FFFF, the last one */
	assert_int_equal(utf8_len("\xc2\x80\xdf\xbf"), 2);	   /* U+0080, U+07FF */
	assert_int_equal(utf8_len("\xe0\xa0\x80\xef\xbf\xbf"), 2); /* U+0800, U+FFFF */
	assert_int_equal(utf8_len("\x7f"), 1);
	/* 100 Chinese characters are 100, not 300. */
	char buf[301];
	for (int i = 0; i < 100; i++)
		memcpy(buf + 3 * i, "政", 3);
	buf[300] = '\0';
	assert_int_equal(utf8_len(buf), 100);
}

static void
test_utf8_invalid(void **state)
{
	static const char *const bad[] = {
	    "\x80",			/* lone continuation */
	    "abc\xbf",			/* continuation after ASCII */
	    "\xfe",			/* never valid */
	    "\xff",			/* never valid */
	    "\xf8\x88\x80\x80\x80",	/* 5-byte lead */
	    "\xfc\x84\x80\x80\x80\x80", /* 6-byte lead */
	    "\xc3",			/* truncated 2-byte */
	    "\xe6\x94",			/* truncated 3-byte */
	    "abc\xe6",			/* truncated at the end */
	    "\xf0\x9f\x98",		/* truncated 4-byte */
	    "\xe6\x41\x41",		/* ASCII where a continuation belongs */
	    "\xc3\xc3\xa9",		/* lead where a continuation belongs */
	    "政\xe9\x80",		/* valid, then truncated */
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (utf8_len(bad[i]) != -1)
			fail_msg("bad[%zu] should be -1, got %ld", i, utf8_len(bad[i]));
}

/* RFC 3629 section 3: overlong forms, surrogates and code points above
 * U+10FFFF are not UTF-8. */
static void
test_utf8_invalid_rfc3629(void **state)
{
	static const char *const bad[] = {
	    "\xc0\xaf",		/* overlong '/' */
	    "\xc1\xbf",		/* overlong U+007F */
	    "\xc0\x80",		/* overlong NUL */
	    "\xe0\x80\xaf",	/* overlong '/', 3 bytes */
	    "\xe0\x9f\xbf",	/* overlong U+07FF */
	    "\xf0\x80\x80\xaf", /* overlong '/', 4 bytes */
	    "\xf0\x8f\xbf\xbf", /* overlong U+FFFF */
	    "\xed\xa0\x80",	/* U+D800, a surrogate */
	    "\xed\xbf\xbf",	/* U+DFFF, a surrogate */
	    "\xf4\x90\x80\x80", /* U+110000 */
	    "\xf5\x80\x80\x80", /* lead F5 */
	    "\xf7\xbf\xbf\xbf", /* lead F7 */
	};
	int failures = 0;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (utf8_len(bad[i]) != -1) {
			print_error("bad[%zu] (%s) should be -1, got %ld\n", i,
				    i < 3   ? "overlong 2-byte"
				    : i < 7 ? "overlong 3/4-byte"
				    : i < 9 ? "surrogate"
					    : "above U+10FFFF",
				    utf8_len(bad[i]));
			failures++;
		}
	assert_int_equal(failures, 0);
}

static void
test_utf8_scrub(void **state)
{
	static const struct {
		const char *in, *out;
		int n;
	} cases[] = {
	    {"", "", 0},
	    {"plain", "plain", 0},
	    {"政务\xf0\x9f\x98\x80", "政务\xf0\x9f\x98\x80", 0},
	    {"a\x8c"
	     "b",
	     "a?b", 1},
	    {"中\xe6\x96", "中", 2},
	    {"\"row\\\xe2", "\"row\\", 1},
	    {"a\xe6\x96"
	     "b",
	     "a??b", 2},
	    {"\xf0\x9f\x98", "", 3},
	    {"x\xed\xa0\x80y", "x???y", 3},
	    {"\xc0\xaf", "??", 2},
	    {"\xff\xfe政", "??政", 2},
	};
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *s = xstrdup(cases[i].in);
		assert_int_equal(utf8_scrub(s), cases[i].n);
		assert_string_equal(s, cases[i].out);
		assert_true(utf8_len(s) >= 0);
		free(s);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_depth_basic),
	    cmocka_unit_test(test_depth_strings),
	    cmocka_unit_test(test_depth_length_bound),
	    cmocka_unit_test(test_depth_deep),
	    cmocka_unit_test(test_depth_matches_parser),
	    cmocka_unit_test(test_utf8_valid),
	    cmocka_unit_test(test_utf8_invalid),
	    cmocka_unit_test(test_utf8_invalid_rfc3629),
	    cmocka_unit_test(test_utf8_scrub),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
