/* test_evaluate.c - unit tests for domain/evaluate (periods, configuration,
 * guide checks, indicator formulas, composite, grading, rounding).
 *
 * Test plan:
 * - Periods: "2026" is [2026-01-01, 2027-01-01) China time = [1767196800,
 *   1798732800); "2026-Q3" [1782835200, 1790784000), days 2026-07-01 ..
 *   2026-09-30; "2024-02" ends on the 29th (leap year), [1706716800,
 *   1709222400). Previous: 2026-Q1 -> 2025-Q4 (from 1759248000), 2026-01 ->
 *   2025-12, 2026 -> 2025, 2026-Q3 -> 2026-Q2. The period at 2026-03-31
 *   16:00 UTC (= 04-01 00:00 China time) is 2026-Q2 / 2026-04; one second
 *   earlier 2026-Q1 / 2026-03. Invalid: "", "26", "abcd", "2026-1",
 *   "2026-001", "2026-q3", "2026/03", "2026-Q3x" -> reason format;
 *   "2026-13", "2026-00", "2026-Q5", "2026-Q0", "1999", "3000" -> range; all
 *   with field "period".
 * - Configuration: the defaults parse to weights 1 and bands very_high 90,
 *   high 80, medium 60, low 0; blanks are allowed. Errors with exact field
 *   and reason: unknown indicator, missing one, duplicate, negative, all
 *   zero, "coverage=1" (format), "coverage:x" (format), bands not strictly
 *   descending, a bad grade name, no bands, a duplicate grade.
 * - Grading at the edges: 90 -> very_high, 89.99 -> high, 80 -> high,
 *   79.99 -> medium, 60 -> medium, 59.99 -> low, 0 and -1 -> low.
 * - Formulas over one hand-built aggregate (all sub-measures present):
 *   coverage published 3/4 = 75, online 6/8 = 75 -> 75; guide 2/8 = 25;
 *   maturity full_online 4/8 = 50, zero_visit 2/8 = 25, trips avg 15/10 =
 *   1.5 visits -> 50, exempted 6/24 = 25, compression (100-60)/100 = 40 ->
 *   38; channels 20/(5*8) = 50; effectiveness online 7/10 = 70, on_time
 *   6/(6+2) = 75, rating avg 14/4 = 3.5 -> 62.5, rectification 1/4 = 25 ->
 *   58.125; composite (75+25+38+50+58.125)/5 = 49.225; with coverage:2
 *   321.125/6 = 53.520833...
 * - Absent: a department (no required list) has no coverage.published, so
 *   coverage = online; no cases -> trips, exempted, online_share, on_time,
 *   rating absent; no rectification items -> effectiveness absent and its
 *   weight redistributed: composite (75+25+38.333..+50)/4. No items at all
 *   -> every indicator absent, no composite. Only effectiveness weighted
 *   and absent -> no composite. Σlegal = 0 -> compression absent. Average
 *   visits above 3 -> trips 0; exempted above required -> 100.
 * - Rounding half away from zero (0.125 -> 0.13, -0.125 -> -0.13, -0.001
 *   -> +0) and ranks from rounded composites: 80.004 and 79.996 both round
 *   to 80 and tie at rank 1; then 70 is rank 3.
 * - Guide checks: a complete item passes; each defect sets exactly its
 *   bit: promised > legal, no materials, short texts (3 characters after
 *   trimming, counted in code points: "免费" fails, "四个汉字" passes,
 *   "  ab  " fails), one process step or invalid JSON, depth 4 without the
 *   web channel, zero visits with window only.
 * - Indicator names: [a-z0-9_]{1,40}. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "base/stats.h"
#include "domain/evaluate.h"

#define DEFAULT_WEIGHTS "coverage:1,guide:1,maturity:1,channels:1,effectiveness:1"
#define DEFAULT_BANDS	"very_high:90,high:80,medium:60,low:0"

static void
period_ok(const char *s, int64_t from, int64_t to, const char *first, const char *last)
{
	struct eval_period p;
	struct zt_err err;

	err_clear(&err);
	assert_int_equal(eval_period_parse(s, &p, &err), 0);
	assert_int_equal(p.from, from);
	assert_int_equal(p.to, to);
	assert_string_equal(p.name, s);
	assert_string_equal(p.first_day, first);
	assert_string_equal(p.last_day, last);
}

static void
period_bad(const char *s, const char *reason)
{
	struct eval_period p;
	struct zt_err err;

	err_clear(&err);
	assert_int_equal(eval_period_parse(s, &p, &err), ZT_EINVAL);
	assert_string_equal(err.field, "period");
	assert_string_equal(err.reason, reason);
}

static void
prev_is(const char *s, const char *prev, int64_t from)
{
	struct eval_period p, q;

	assert_int_equal(eval_period_parse(s, &p, NULL), 0);
	eval_period_prev(&p, &q);
	assert_string_equal(q.name, prev);
	if (from)
		assert_int_equal(q.from, from);
	assert_int_equal(q.to, p.from);
}

static void
test_periods(void **state)
{
	struct eval_period p;

	(void)state;
	period_ok("2026", 1767196800, 1798732800, "2026-01-01", "2026-12-31");
	period_ok("2026-Q3", 1782835200, 1790784000, "2026-07-01", "2026-09-30");
	period_ok("2024-02", 1706716800, 1709222400, "2024-02-01", "2024-02-29");
	period_ok("2026-12", 1796054400, 1798732800, "2026-12-01", "2026-12-31");
	prev_is("2026-Q1", "2025-Q4", 1759248000);
	prev_is("2026-01", "2025-12", 0);
	prev_is("2026", "2025", 0);
	prev_is("2026-Q3", "2026-Q2", 0);
	prev_is("2026-03", "2026-02", 0);
	eval_period_at(EVAL_QUARTER, 1774972800, &p); /* 2026-04-01 00:00 +08:00 */
	assert_string_equal(p.name, "2026-Q2");
	eval_period_at(EVAL_MONTH, 1774972800, &p);
	assert_string_equal(p.name, "2026-04");
	eval_period_at(EVAL_QUARTER, 1774972799, &p);
	assert_string_equal(p.name, "2026-Q1");
	eval_period_at(EVAL_MONTH, 1774972799, &p);
	assert_string_equal(p.name, "2026-03");
	eval_period_at(EVAL_YEAR, 1798732799, &p);
	assert_string_equal(p.name, "2026");
	eval_period_at(EVAL_YEAR, 1798732800, &p);
	assert_string_equal(p.name, "2027");
	const char *fmt[] = {"",	"26",	   "abcd",     "2026-1", "2026-001",
			     "2026-q3", "2026/03", "2026-Q3x", "2026-",	 "2026-Qa"};
	for (size_t i = 0; i < sizeof(fmt) / sizeof(fmt[0]); i++)
		period_bad(fmt[i], "format");
	period_bad(NULL, "format");
	const char *range[] = {"2026-13", "2026-00", "2026-Q5", "2026-Q0", "1999", "3000"};
	for (size_t i = 0; i < sizeof(range) / sizeof(range[0]); i++)
		period_bad(range[i], "range");
	assert_int_equal(eval_kind_parse("month"), EVAL_MONTH);
	assert_int_equal(eval_kind_parse("quarter"), EVAL_QUARTER);
	assert_int_equal(eval_kind_parse("year"), EVAL_YEAR);
	assert_int_equal(eval_kind_parse("week"), -1);
}

static void
config_bad(const char *w, const char *b, const char *field, const char *reason)
{
	struct eval_config c;
	struct zt_err err;

	err_clear(&err);
	assert_int_equal(eval_config_parse(w, b, &c, &err), ZT_EINVAL);
	assert_string_equal(err.field, field);
	assert_string_equal(err.reason, reason);
	assert_true(strlen(err.msg) > 0);
}

static void
test_config(void **state)
{
	struct eval_config c;
	struct zt_err err;

	(void)state;
	err_clear(&err);
	assert_int_equal(eval_config_parse(DEFAULT_WEIGHTS, DEFAULT_BANDS, &c, &err), 0);
	for (int i = 0; i < EVAL_NIND; i++)
		assert_true(c.weights[i] == 1.0);
	assert_int_equal(c.nbands, 4);
	assert_string_equal(c.band_names[0], "very_high");
	assert_string_equal(c.band_names[3], "low");
	assert_true(c.band_min[0] == 90 && c.band_min[1] == 80 && c.band_min[2] == 60 &&
		    c.band_min[3] == 0);
	assert_int_equal(eval_config_parse(" guide : 2 , coverage:0.5,maturity:1,channels:0,"
					   "effectiveness:1 ",
					   "top:50, rest:0", &c, &err),
			 0);
	assert_true(c.weights[EVAL_GUIDE] == 2 && c.weights[EVAL_COVERAGE] == 0.5 &&
		    c.weights[EVAL_CHANNELS] == 0);
	assert_int_equal(c.nbands, 2);

	config_bad("coverage:1,guide:1,maturity:1,channels:1,speed:1", DEFAULT_BANDS,
		   "eval_weights", "unknown");
	config_bad("coverage:1,guide:1,maturity:1,channels:1", DEFAULT_BANDS, "eval_weights",
		   "missing");
	config_bad(DEFAULT_WEIGHTS ",guide:2", DEFAULT_BANDS, "eval_weights", "duplicate");
	config_bad("coverage:-1,guide:1,maturity:1,channels:1,effectiveness:1", DEFAULT_BANDS,
		   "eval_weights", "negative");
	config_bad("coverage:0,guide:0,maturity:0,channels:0,effectiveness:0", DEFAULT_BANDS,
		   "eval_weights", "all_zero");
	config_bad("coverage=1,guide:1,maturity:1,channels:1,effectiveness:1", DEFAULT_BANDS,
		   "eval_weights", "format");
	config_bad("coverage:x,guide:1,maturity:1,channels:1,effectiveness:1", DEFAULT_BANDS,
		   "eval_weights", "format");
	config_bad("coverage:nan,guide:1,maturity:1,channels:1,effectiveness:1", DEFAULT_BANDS,
		   "eval_weights", "format");
	config_bad(DEFAULT_WEIGHTS, "high:80,very_high:90,low:0", "eval_bands", "not_descending");
	config_bad(DEFAULT_WEIGHTS, "high:80,medium:80", "eval_bands", "not_descending");
	config_bad(DEFAULT_WEIGHTS, "High:80,low:0", "eval_bands", "name");
	config_bad(DEFAULT_WEIGHTS, "", "eval_bands", "missing");
	config_bad(DEFAULT_WEIGHTS, "a:3,b:2,a:1", "eval_bands", "duplicate");
	config_bad(DEFAULT_WEIGHTS, "high", "eval_bands", "format");
}

static void
test_grades(void **state)
{
	struct eval_config c;

	(void)state;
	assert_int_equal(eval_config_parse(DEFAULT_WEIGHTS, DEFAULT_BANDS, &c, NULL), 0);
	assert_int_equal(eval_grade(&c, 100), 0);
	assert_int_equal(eval_grade(&c, 90), 0);
	assert_int_equal(eval_grade(&c, 89.99), 1);
	assert_int_equal(eval_grade(&c, 80), 1);
	assert_int_equal(eval_grade(&c, 79.99), 2);
	assert_int_equal(eval_grade(&c, 60), 2);
	assert_int_equal(eval_grade(&c, 59.99), 3);
	assert_int_equal(eval_grade(&c, 0), 3);
	assert_int_equal(eval_grade(&c, -1), 3);
	assert_int_equal(eval_config_parse(DEFAULT_WEIGHTS, "only:0", &c, NULL), 0);
	assert_int_equal(eval_grade(&c, 55), 0);
}

static struct eval_agg
full_agg(void)
{
	struct eval_agg a;

	memset(&a, 0, sizeof(a));
	a.has_required = 1;
	a.required = 4, a.required_published = 3;
	a.items = 8, a.items_online = 6, a.items_complete = 2;
	a.items_full_online = 4, a.items_zero_visit = 2;
	a.legal_sum = 100, a.promised_sum = 60, a.channels_sum = 20;
	a.cases = 10, a.visits_sum = 15, a.exempted_sum = 6, a.req_materials_sum = 24;
	a.cases_online = 7, a.on_time = 6, a.late = 2, a.rated = 4, a.stars_sum = 14;
	a.rect_opened = 4, a.rect_closed = 1;
	return a;
}

#define NEAR(a, b) assert_true(fabs((a) - (b)) < 1e-9)

static void
test_formulas(void **state)
{
	struct eval_config c;
	struct eval_score s;
	struct eval_agg a = full_agg();

	(void)state;
	assert_int_equal(eval_config_parse(DEFAULT_WEIGHTS, DEFAULT_BANDS, &c, NULL), 0);
	eval_score_compute(&a, &c, &s);
	const double want[EVAL_NIND][EVAL_MAX_MEASURES] = {
	    {75, 75}, {25}, {50, 25, 50, 25, 40}, {50}, {70, 75, 62.5, 25}};
	for (int i = 0; i < EVAL_NIND; i++)
		for (int j = 0; j < eval_indicators[i].nmeasures; j++) {
			assert_true(s.measure_present[i][j]);
			NEAR(s.measure[i][j], want[i][j]);
		}
	NEAR(s.indicator[EVAL_COVERAGE], 75);
	NEAR(s.indicator[EVAL_GUIDE], 25);
	NEAR(s.indicator[EVAL_MATURITY], 38);
	NEAR(s.indicator[EVAL_CHANNELS], 50);
	NEAR(s.indicator[EVAL_EFFECTIVENESS], 58.125);
	assert_true(s.has_composite);
	NEAR(s.composite, 49.225);
	assert_int_equal(eval_config_parse("coverage:2,guide:1,maturity:1,channels:1,"
					   "effectiveness:1",
					   DEFAULT_BANDS, &c, NULL),
			 0);
	eval_score_compute(&a, &c, &s);
	NEAR(s.composite, 321.125 / 6);
}

static void
test_absent(void **state)
{
	struct eval_config c;
	struct eval_score s;
	struct eval_agg a = full_agg();

	(void)state;
	assert_int_equal(eval_config_parse(DEFAULT_WEIGHTS, DEFAULT_BANDS, &c, NULL), 0);
	/* A department in a period without cases or rectification items. */
	a.has_required = 0;
	a.cases = a.visits_sum = a.exempted_sum = a.req_materials_sum = 0;
	a.cases_online = a.on_time = a.late = a.rated = a.stars_sum = 0;
	a.rect_opened = a.rect_closed = 0;
	eval_score_compute(&a, &c, &s);
	assert_false(s.measure_present[EVAL_COVERAGE][0]);
	NEAR(s.indicator[EVAL_COVERAGE], 75);
	assert_false(s.measure_present[EVAL_MATURITY][2]);
	assert_false(s.measure_present[EVAL_MATURITY][3]);
	NEAR(s.indicator[EVAL_MATURITY], 115.0 / 3);
	assert_false(s.present[EVAL_EFFECTIVENESS]);
	for (int j = 0; j < 4; j++)
		assert_false(s.measure_present[EVAL_EFFECTIVENESS][j]);
	assert_true(s.has_composite);
	NEAR(s.composite, (75 + 25 + 115.0 / 3 + 50) / 4);

	/* Open cases only late: on_time 0 of 3 is 0, present. */
	a.late = 3;
	eval_score_compute(&a, &c, &s);
	assert_true(s.measure_present[EVAL_EFFECTIVENESS][1]);
	NEAR(s.measure[EVAL_EFFECTIVENESS][1], 0);
	a.late = 0;

	/* Only effectiveness weighted, and it is absent. */
	assert_int_equal(eval_config_parse("coverage:0,guide:0,maturity:0,channels:0,"
					   "effectiveness:1",
					   DEFAULT_BANDS, &c, NULL),
			 0);
	eval_score_compute(&a, &c, &s);
	assert_false(s.has_composite);

	/* Nothing at all. */
	struct eval_agg z;
	memset(&z, 0, sizeof(z));
	z.has_required = 1;
	assert_int_equal(eval_config_parse(DEFAULT_WEIGHTS, DEFAULT_BANDS, &c, NULL), 0);
	eval_score_compute(&z, &c, &s);
	for (int i = 0; i < EVAL_NIND; i++)
		assert_false(s.present[i]);
	assert_false(s.has_composite);

	/* Edges: Σlegal 0, more than 3 visits, more exempted than required. */
	a = full_agg();
	a.legal_sum = a.promised_sum = 0;
	a.visits_sum = 45;
	a.exempted_sum = 30;
	eval_score_compute(&a, &c, &s);
	assert_false(s.measure_present[EVAL_MATURITY][4]);
	NEAR(s.measure[EVAL_MATURITY][2], 0);
	NEAR(s.measure[EVAL_MATURITY][3], 100);
	NEAR(s.indicator[EVAL_MATURITY], (50 + 25 + 0 + 100) / 4.0);
}

static void
test_round_rank(void **state)
{
	double v[3];
	size_t ranks[3];

	(void)state;
	assert_true(eval_round2(0.125) == 0.13);
	assert_true(eval_round2(-0.125) == -0.13);
	assert_true(eval_round2(49.225 + 1e-9) == 49.23);
	double z = eval_round2(-0.001);
	assert_true(z == 0 && !signbit(z));
	v[0] = eval_round2(80.004);
	v[1] = eval_round2(79.996);
	v[2] = eval_round2(70);
	assert_int_equal(stats_rank_desc(v, 3, ranks, NULL, NULL), 0);
	assert_int_equal(ranks[0], 1);
	assert_int_equal(ranks[1], 1);
	assert_int_equal(ranks[2], 3);
}

static struct eval_guide
good_item(void)
{
	struct eval_guide g = {
	    .legal_days = 20,
	    .promised_days = 5,
	    .depth = 4,
	    .max_visits = 0,
	    .channels = 1 | 2 | 4,
	    .nmaterials = 2,
	    .legal_basis = "《中华人民共和国行政许可法》",
	    .fee = "不收费用",
	    .place = "南明区政务服务中心",
	    .office_hours = "工作日 9:00-17:00",
	    .consult = "0851-12345",
	    .complaint = "12345 热线",
	    .process = "[\"申请\", \"受理\", \"决定\"]",
	};
	return g;
}

static void
test_guide_checks(void **state)
{
	struct eval_guide g = good_item();

	(void)state;
	assert_int_equal(eval_guide_checks(&g), 0);
	g.promised_days = 21;
	assert_int_equal(eval_guide_checks(&g), 1u << EVAL_CHK_PROMISED_EXCEEDS_LEGAL);
	g = good_item();
	g.nmaterials = 0;
	assert_int_equal(eval_guide_checks(&g), 1u << EVAL_CHK_NO_MATERIALS);
	g = good_item();
	g.fee = "\xe3\x80\x80 ";
	assert_int_equal(eval_guide_checks(&g), 1u << EVAL_CHK_FEE);
	g.fee = "免费"; /* a complete statement of the fee */
	assert_int_equal(eval_guide_checks(&g), 0);
	g.legal_basis = "  ab  ";
	assert_int_equal(eval_guide_checks(&g), 1u << EVAL_CHK_BASIS);
	g = good_item();
	g.place = "\xe3\x80\x80"
		  "大厅一\xe3\x80\x80"; /* full-width blanks trimmed */
	assert_int_equal(eval_guide_checks(&g), 1u << EVAL_CHK_PLACE);
	g = good_item();
	g.office_hours = "";
	g.consult = "abc";
	g.complaint = NULL;
	assert_int_equal(eval_guide_checks(&g), (1u << EVAL_CHK_OFFICE_HOURS) |
						    (1u << EVAL_CHK_CONSULT) |
						    (1u << EVAL_CHK_COMPLAINT));
	g = good_item();
	g.process = "[\"申请\"]";
	assert_int_equal(eval_guide_checks(&g), 1u << EVAL_CHK_PROCESS_STEPS);
	g.process = "not json";
	assert_int_equal(eval_guide_checks(&g), 1u << EVAL_CHK_PROCESS_STEPS);
	g = good_item();
	g.channels = 2 | 4;
	assert_int_equal(eval_guide_checks(&g), 1u << EVAL_CHK_WEB_CHANNEL);
	g.depth = 3; /* below 4 the web channel is not required */
	assert_int_equal(eval_guide_checks(&g), 0);
	g.channels = 4;
	assert_int_equal(eval_guide_checks(&g), 1u << EVAL_CHK_WINDOW_ONLY);
	g.max_visits = 1;
	assert_int_equal(eval_guide_checks(&g), 0);
	assert_string_equal(eval_check_names[EVAL_CHK_WINDOW_ONLY], "window_only");
	assert_string_equal(eval_check_names[EVAL_CHK_BASIS], "basis");
}

static void
test_indicator_names(void **state)
{
	(void)state;
	assert_true(eval_indicator_name_ok("gdp_per_capita"));
	assert_true(eval_indicator_name_ok("a"));
	assert_true(eval_indicator_name_ok("x0123456789012345678901234567890123456789") == 0);
	assert_true(eval_indicator_name_ok("x012345678901234567890123456789012345678"));
	assert_false(eval_indicator_name_ok(""));
	assert_false(eval_indicator_name_ok("GDP"));
	assert_false(eval_indicator_name_ok("gdp-per"));
	assert_false(eval_indicator_name_ok(NULL));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_periods),	 cmocka_unit_test(test_config),
	    cmocka_unit_test(test_grades),	 cmocka_unit_test(test_formulas),
	    cmocka_unit_test(test_absent),	 cmocka_unit_test(test_round_rank),
	    cmocka_unit_test(test_guide_checks), cmocka_unit_test(test_indicator_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
