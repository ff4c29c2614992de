/* test_opendata_quality.c - unit tests for domain/opendata_quality (the
 * quality score of an open dataset).
 *
 * Test plan:
 * - A well-documented dataset passes all six checks: score 100, checks in
 *   the order license, description, coverage, update_frequency_met,
 *   fields_documented, open_format with weights 20/15/15/20/20/10 (sum 100).
 * - license: every id of opendata_licenses passes; an unknown one and NULL
 *   fail (score 80).
 * - description: counted in characters: 29 Chinese characters fail, 30 pass
 *   (90 bytes); 10 Chinese characters (30 bytes) fail; invalid UTF-8 fails.
 * - coverage: no spatial (empty array or text "[]"), no temporal_from, no
 *   temporal_to ("" counts as absent) each fail with a detail naming what is
 *   missing.
 * - update_frequency_met: for every frequency, an update exactly the period
 *   ago passes and one second more fails (realtime/daily 2 days, weekly 8,
 *   monthly 32, quarterly 93, yearly 367); irregular passes ten years on; a
 *   later published_at counts instead of modified_at; an unknown frequency
 *   fails; a time in the future passes.
 * - fields_documented: a description equal to the name, an empty or absent
 *   one, an integer or number without a unit each fail, naming the fields
 *   (at most 4, then ", ..."); strings, dates and booleans need no unit; no
 *   fields (NULL, unparsable text, []) fails.
 * - Parsed json_t and stored text give the same result; opendata_quality_score
 *   equals the evaluation's score; the JSON has {score, checks[{check,
 *   passed, weight, detail}]} exactly. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "domain/opendata.h"
#include "domain/opendata_quality.h"

#define DAY 86400
#define NOW 1772416800 /* 2026-03-02T10:00:00+08:00 */
#define NCH OPENDATA_QUALITY_NCHECKS
#define GOODF                                                                                      \
	"[{\"name\":\"reg_no\",\"type\":\"string\",\"description\":\"注册号\",\"unit\":\"\"},"  \
	"{\"name\":\"capital\",\"type\":\"integer\",\"description\":\"注册资本\",\"unit\":"    \
	"\"万元\"},"                                                                             \
	"{\"name\":\"rate\",\"type\":\"number\",\"description\":\"合格率\",\"unit\":\"%\"},"    \
	"{\"name\":\"founded\",\"type\":\"date\",\"description\":\"成立日期\",\"unit\":\"\"}," \
	"{\"name\":\"active\",\"type\":\"boolean\",\"description\":\"存续\"}]"

/* 30 characters, 90 bytes. */
static const char DESC30[] = "南明区市场主体的注册号名称注册资本和存续状态每日更新一次数据";

static struct opendata_quality_in
good(void)
{
	struct opendata_quality_in in;

	memset(&in, 0, sizeof(in));
	in.license = "CC-BY-4.0";
	in.description = DESC30;
	in.temporal_from = "2018-01-01";
	in.temporal_to = "2026-03-01";
	in.spatial_text = "[\"520102\"]";
	in.update_frequency = "daily";
	in.modified_at = NOW - DAY;
	in.fields_text = GOODF;
	return in;
}

static const struct opendata_check *
chk(const struct opendata_quality *q, const char *name)
{
	for (int i = 0; i < NCH; i++)
		if (strcmp(q->checks[i].check, name) == 0)
			return &q->checks[i];
	fail_msg("no check %s", name);
	return NULL;
}

static int
passed(const struct opendata_quality_in *in, int64_t now, const char *name)
{
	struct opendata_quality q;

	opendata_quality_eval(in, now, &q);
	return chk(&q, name)->passed;
}

static void
test_all_passed(void **state)
{
	static const char *const names[] = {"license",		 "description",
					    "coverage",		 "update_frequency_met",
					    "fields_documented", "open_format"};
	static const int weights[] = {20, 15, 15, 20, 20, 10};
	struct opendata_quality_in in = good();
	struct opendata_quality q;
	int sum = 0;

	(void)state;
	assert_int_equal(strlen(DESC30), 90);
	opendata_quality_eval(&in, NOW, &q);
	assert_int_equal(q.score, 100);
	for (int i = 0; i < NCH; i++) {
		assert_string_equal(q.checks[i].check, names[i]);
		assert_int_equal(q.checks[i].weight, weights[i]);
		assert_true(q.checks[i].passed);
		sum += q.checks[i].weight;
	}
	assert_int_equal(sum, 100);
	assert_string_equal(chk(&q, "license")->detail, "CC-BY-4.0 is an open license");
	assert_string_equal(chk(&q, "description")->detail, "30 characters (at least 30 wanted)");
	assert_string_equal(chk(&q, "coverage")->detail, "1 region, 2018-01-01 to 2026-03-01");
	assert_string_equal(chk(&q, "update_frequency_met")->detail,
			    "daily: updated 1 days ago (at most 2 allowed)");
	assert_string_equal(chk(&q, "fields_documented")->detail, "all 5 fields documented");
	assert_int_equal(opendata_quality_score(&in, NOW), 100);
}

static void
test_license(void **state)
{
	struct opendata_quality_in in = good();

	(void)state;
	for (int i = 0; opendata_licenses[i]; i++) {
		in.license = opendata_licenses[i];
		assert_true(passed(&in, NOW, "license"));
	}
	in.license = "GPL-3.0";
	assert_false(passed(&in, NOW, "license"));
	assert_int_equal(opendata_quality_score(&in, NOW), 80);
	in.license = NULL;
	assert_int_equal(opendata_quality_score(&in, NOW), 80);
}

static void
test_description(void **state)
{
	struct opendata_quality_in in = good();
	char d29[128];
	struct opendata_quality q;

	(void)state;
	/* 29 characters: drop the last (3-byte) one. */
	memcpy(d29, DESC30, 87);
	d29[87] = '\0';
	in.description = d29;
	opendata_quality_eval(&in, NOW, &q);
	assert_false(chk(&q, "description")->passed);
	assert_string_equal(chk(&q, "description")->detail, "29 characters (at least 30 wanted)");
	assert_int_equal(q.score, 85);
	in.description = "南明区市场主体的注册号"; /* 10 characters, 30 bytes */
	assert_false(passed(&in, NOW, "description"));
	in.description = "\xff\xfe invalid UTF-8 is not counted as characters ..";
	assert_false(passed(&in, NOW, "description"));
	in.description = NULL;
	assert_false(passed(&in, NOW, "description"));
	in.description = "An English description of thirty+ characters";
	assert_true(passed(&in, NOW, "description"));
}

static void
test_coverage(void **state)
{
	struct opendata_quality_in in = good();
	struct opendata_quality q;

	(void)state;
	in.spatial_text = "[]";
	opendata_quality_eval(&in, NOW, &q);
	assert_false(chk(&q, "coverage")->passed);
	assert_string_equal(chk(&q, "coverage")->detail, "no spatial coverage");
	assert_int_equal(q.score, 85);

	in = good();
	in.temporal_to = NULL;
	opendata_quality_eval(&in, NOW, &q);
	assert_string_equal(chk(&q, "coverage")->detail, "no temporal_to");
	in.temporal_to = "2026-03-01";
	in.temporal_from = "";
	opendata_quality_eval(&in, NOW, &q);
	assert_string_equal(chk(&q, "coverage")->detail, "no temporal_from");
	in.temporal_to = NULL;
	in.spatial = json_array();
	opendata_quality_eval(&in, NOW, &q);
	assert_false(chk(&q, "coverage")->passed);
	assert_string_equal(chk(&q, "coverage")->detail,
			    "no spatial coverage; no temporal coverage");
	json_decref(in.spatial);

	in = good();
	in.spatial_text = "[\"520102\",\"520103\"]";
	opendata_quality_eval(&in, NOW, &q);
	assert_string_equal(chk(&q, "coverage")->detail, "2 regions, 2018-01-01 to 2026-03-01");
}

static void
test_update_frequency(void **state)
{
	static const struct {
		const char *f;
		int days;
	} t[] = {{"realtime", 2}, {"daily", 2},	     {"weekly", 8},
		 {"monthly", 32}, {"quarterly", 93}, {"yearly", 367}};
	struct opendata_quality_in in = good();
	struct opendata_quality q;

	(void)state;
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		in.update_frequency = t[i].f;
		assert_int_equal(opendata_frequency_days(t[i].f), t[i].days);
		in.modified_at = NOW - (int64_t)t[i].days * DAY;
		assert_true(passed(&in, NOW, "update_frequency_met"));
		in.modified_at--;
		assert_false(passed(&in, NOW, "update_frequency_met"));
		assert_int_equal(opendata_quality_score(&in, NOW), 80);
		/* A later version's publication counts. */
		in.published_at = NOW - DAY;
		assert_true(passed(&in, NOW, "update_frequency_met"));
		in.published_at = 0;
	}
	in.update_frequency = "irregular";
	assert_int_equal(opendata_frequency_days("irregular"), 0);
	in.modified_at = NOW - 3650LL * DAY;
	opendata_quality_eval(&in, NOW, &q);
	assert_true(chk(&q, "update_frequency_met")->passed);
	assert_string_equal(chk(&q, "update_frequency_met")->detail,
			    "irregular updates: always met");
	in.update_frequency = "hourly";
	assert_int_equal(opendata_frequency_days("hourly"), -1);
	assert_false(passed(&in, NOW, "update_frequency_met"));
	in.update_frequency = "weekly";
	in.modified_at = NOW + DAY; /* a clock set back */
	assert_true(passed(&in, NOW, "update_frequency_met"));
	in.modified_at = NOW - 9 * DAY;
	opendata_quality_eval(&in, NOW, &q);
	assert_string_equal(chk(&q, "update_frequency_met")->detail,
			    "weekly: updated 9 days ago (at most 8 allowed)");
}

static void
test_fields(void **state)
{
	struct opendata_quality_in in = good();
	struct opendata_quality q;

	(void)state;
	in.fields_text =
	    "[{\"name\":\"capital\",\"type\":\"integer\",\"description\":\"注册资本\"},"
	    "{\"name\":\"rate\",\"type\":\"number\",\"description\":\"rate\",\"unit\":\"%\"},"
	    "{\"name\":\"district\",\"type\":\"string\",\"description\":\"\"},"
	    "{\"name\":\"ok\",\"type\":\"string\",\"description\":\"好\"}]";
	opendata_quality_eval(&in, NOW, &q);
	assert_false(chk(&q, "fields_documented")->passed);
	assert_string_equal(chk(&q, "fields_documented")->detail,
			    "3 of 4 fields undocumented: capital (no unit), rate (no description), "
			    "district (no description)");
	assert_int_equal(q.score, 80);

	in.fields_text =
	    "[{\"name\":\"a\",\"type\":\"number\"},{\"name\":\"b\",\"type\":\"integer\"},"
	    "{\"name\":\"c\",\"type\":\"string\"},{\"name\":\"d\",\"type\":\"date\"},"
	    "{\"name\":\"e\",\"type\":\"boolean\"}]";
	opendata_quality_eval(&in, NOW, &q);
	assert_string_equal(chk(&q, "fields_documented")->detail,
			    "5 of 5 fields undocumented: a (no description, no unit), b (no "
			    "description, no unit), c (no description), d (no description), ...");

	in.fields_text = NULL;
	opendata_quality_eval(&in, NOW, &q);
	assert_string_equal(chk(&q, "fields_documented")->detail, "no fields");
	in.fields_text = "not json";
	assert_false(passed(&in, NOW, "fields_documented"));
	in.fields_text = "[]";
	assert_false(passed(&in, NOW, "fields_documented"));
}

static void
test_json_and_text(void **state)
{
	struct opendata_quality_in in = good();
	struct opendata_quality a, b;

	(void)state;
	in.spatial_text = "[]";
	in.temporal_to = NULL;
	in.fields_text = "[{\"name\":\"n\",\"type\":\"integer\",\"description\":\"数量\"}]";
	opendata_quality_eval(&in, NOW, &a);
	in.spatial = json_loads("[]", 0, NULL);
	in.fields = json_loads(in.fields_text, 0, NULL);
	in.spatial_text = "[\"520102\"]"; /* the json_t wins */
	in.fields_text = GOODF;
	opendata_quality_eval(&in, NOW, &b);
	assert_int_equal(a.score, 65);
	assert_memory_equal(&a, &b, sizeof(a));
	json_decref(in.spatial);
	json_decref(in.fields);

	json_t *j = opendata_quality_to_json(&a);
	assert_int_equal(json_object_size(j), 2);
	assert_int_equal(json_integer_value(json_object_get(j, "score")), 65);
	json_t *checks = json_object_get(j, "checks");
	assert_int_equal(json_array_size(checks), NCH);
	json_t *c2 = json_array_get(checks, 2);
	assert_int_equal(json_object_size(c2), 5);
	assert_string_equal(json_string_value(json_object_get(c2, "check")), "coverage");
	assert_true(json_is_false(json_object_get(c2, "passed")));
	assert_int_equal(json_integer_value(json_object_get(c2, "weight")), 15);
	assert_string_equal(json_string_value(json_object_get(c2, "detail")),
			    "no spatial coverage; no temporal_to");
	assert_true(json_is_true(json_object_get(json_array_get(checks, 5), "passed")));
	json_decref(j);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_all_passed),	     cmocka_unit_test(test_license),
	    cmocka_unit_test(test_description),	     cmocka_unit_test(test_coverage),
	    cmocka_unit_test(test_update_frequency), cmocka_unit_test(test_fields),
	    cmocka_unit_test(test_json_and_text),
	};
	return cmocka_run_group_tests(tests, 0, NULL);
}
