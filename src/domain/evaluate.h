/* evaluate.h - the capability evaluation (一体化政务服务能力, issue 6):
 * periods, the configuration (weights and grade bands), the figures of a
 * region or department aggregated from live data, the five indicators and
 * their sub-measures as pure functions over those figures, and the
 * ranking, region detail, trend and analysis documents the API and the CLI
 * render. docs/evaluation.md describes the formulas. Nothing is cached:
 * every call reads the database. */
#ifndef ZT_EVALUATE_H
#define ZT_EVALUATE_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "db/db.h"

/* ---- periods ---- */

enum eval_kind { EVAL_YEAR, EVAL_QUARTER, EVAL_MONTH };

/* A year "2026", a quarter "2026-Q3" or a month "2026-09". */
struct eval_period {
	enum eval_kind kind;
	int year;
	int n;	      /* quarter 1-4 or month 1-12; 0 for a year */
	int64_t from; /* China-time midnight of the first day, Unix seconds */
	int64_t to;   /* the same of the first day after the period (exclusive) */
	char name[8];
	char first_day[11], last_day[11]; /* "YYYY-MM-DD", both inclusive */
};

/* Parses s (years 2000-2999). Returns 0, or ZT_EINVAL with field "period"
 * and reason "format" (not one of the three forms) or "range" (month 13,
 * quarter 5, year out of range). */
int eval_period_parse(const char *s, struct eval_period *p, struct zt_err *err);
/* Sets p to the period of kind, year and n (quarter or month; ignored for a
 * year), filling its bounds and name. n must be in range. */
void eval_period_make(enum eval_kind kind, int year, int n, struct eval_period *p);
/* The period of the same kind just before p (2026-Q1 -> 2025-Q4). */
void eval_period_prev(const struct eval_period *p, struct eval_period *out);
/* The period of kind containing the time t (China time). */
void eval_period_at(enum eval_kind kind, int64_t t, struct eval_period *out);
/* Kind from "year", "quarter", "month"; -1 if none. */
int eval_kind_parse(const char *s);

/* ---- configuration ---- */

enum { EVAL_COVERAGE, EVAL_GUIDE, EVAL_MATURITY, EVAL_CHANNELS, EVAL_EFFECTIVENESS, EVAL_NIND };
#define EVAL_MAX_MEASURES 5
#define EVAL_MAX_BANDS	  8

/* Keys of the indicators and of their sub-measures, in output order. */
struct eval_indicator_def {
	const char *key;
	int nmeasures;
	const char *measures[EVAL_MAX_MEASURES];
};
extern const struct eval_indicator_def eval_indicators[EVAL_NIND];

struct eval_config {
	double weights[EVAL_NIND];
	int nbands;
	char band_names[EVAL_MAX_BANDS][24];
	double band_min[EVAL_MAX_BANDS]; /* strictly descending */
};

/* Parses eval_weights ("coverage:1,guide:1,...": every indicator exactly
 * once, finite weights >= 0, not all 0) and eval_bands ("very_high:90,
 * high:80,medium:60,low:0": 1-8 bands, names [a-z_]{1,23}, minimums
 * strictly descending). Returns 0 or ZT_EINVAL with field "eval_weights" or
 * "eval_bands" and a message naming the bad entry. */
int eval_config_parse(const char *weights, const char *bands, struct eval_config *c,
		      struct zt_err *err);
/* Grade (band index) of a score: the first band whose minimum it reaches,
 * else the last band. */
int eval_grade(const struct eval_config *c, double score);

/* ---- figures and formulas ---- */

/* The figures of one region (its whole subtree) or department in one
 * period. Item figures count published items; case figures count cases of
 * those items submitted in the period; rect_* count bad_rating supervision
 * items opened in the period. */
struct eval_agg {
	int has_required; /* 0 for a department: coverage.published is absent */
	int64_t required, required_published;
	int64_t items, items_online, items_full_online, items_zero_visit, items_complete;
	int64_t legal_sum, promised_sum, channels_sum; /* channels_sum: Σ popcount(channels & 31) */
	int64_t cases, cases_online, on_time, late, visits_sum, exempted_sum, req_materials_sum;
	int64_t rated, stars_sum;
	int64_t rect_opened, rect_closed;
};

void eval_agg_add(struct eval_agg *dst, const struct eval_agg *src);

/* Sub-measures and indicators, each 0-100 when present. */
struct eval_score {
	double measure[EVAL_NIND][EVAL_MAX_MEASURES];
	int measure_present[EVAL_NIND][EVAL_MAX_MEASURES];
	double indicator[EVAL_NIND];
	int present[EVAL_NIND];
	double composite; /* weighted mean of the present indicators, unrounded */
	int has_composite;
};

/* Computes every sub-measure from a (absent when its denominator is 0),
 * each indicator as the mean of its present sub-measures, and the composite
 * as the weighted mean of the present indicators with c's weights (absent
 * when no indicator with a positive weight is present). */
void eval_score_compute(const struct eval_agg *a, const struct eval_config *c,
			struct eval_score *s);

/* ---- guide checks ---- */

enum {
	EVAL_CHK_PROMISED_EXCEEDS_LEGAL,
	EVAL_CHK_NO_MATERIALS,
	EVAL_CHK_BASIS,
	EVAL_CHK_FEE,
	EVAL_CHK_PLACE,
	EVAL_CHK_OFFICE_HOURS,
	EVAL_CHK_CONSULT,
	EVAL_CHK_COMPLAINT,
	EVAL_CHK_PROCESS_STEPS,
	EVAL_CHK_WEB_CHANNEL,
	EVAL_CHK_WINDOW_ONLY,
	EVAL_NCHECKS
};
extern const char *const eval_check_names[EVAL_NCHECKS];

struct eval_guide {
	int legal_days, promised_days, depth, max_visits, channels, nmaterials;
	const char *legal_basis, *fee, *place, *office_hours, *consult, *complaint;
	const char *process; /* JSON array of steps */
};

/* The bit set (1 << EVAL_CHK_*) of the checks g fails; 0 = complete. */
unsigned eval_guide_checks(const struct eval_guide *g);

/* Round half away from zero to 2 decimals (never -0). */
double eval_round2(double v);

/* ---- documents (the API's JSON; the CLI renders the same) ---- */

/* The ranking of period p: every evaluated region (at least one department
 * in its subtree), or with parent (not NULL) the evaluated regions directly
 * below it. ZT_ENOTFOUND with field "parent" for an unknown parent. */
json_t *eval_ranking_json(db_conn *c, const struct eval_config *cfg, const struct eval_period *p,
			  const char *parent, struct zt_err *err);
/* One region's object with departments, guide failures and the trend of
 * the 6 periods ending at p. ZT_ENOTFOUND (field "code") for an unknown
 * region or one without departments ("not_evaluated"). */
json_t *eval_region_json(db_conn *c, const struct eval_config *cfg, const struct eval_period *p,
			 const char *code, struct zt_err *err);
/* Composites of the count periods of kind ending with the current one. */
json_t *eval_trend_json(db_conn *c, const struct eval_config *cfg, enum eval_kind kind, int count,
			const char *parent, struct zt_err *err);
/* Analysis of score ("composite" or an indicator key) against the external
 * indicator for p. ZT_ERULE with field "indicator" and reason
 * "too_few_regions" when fewer than 3 regions have both values (> 0), or
 * "zero_variance" when their indicator values are all equal. */
json_t *eval_analysis_json(db_conn *c, const struct eval_config *cfg, const struct eval_period *p,
			   const char *indicator, const char *score, const char *parent,
			   struct zt_err *err);

/* json_dumps flags for the documents: 15 significant digits print the
 * 2-decimal numbers as such (68.95, not 68.950000000000003). */
#define EVAL_JSON_FLAGS (JSON_COMPACT | JSON_REAL_PRECISION(15))

/* 1 if s is a valid external indicator name, [a-z0-9_]{1,40}. */
int eval_indicator_name_ok(const char *s);

#endif
