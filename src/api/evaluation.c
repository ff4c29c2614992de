/* evaluation.c - the capability evaluation API: ranking, region detail,
 * trend, external indicators and the analysis against them. Every answer is
 * computed from the database on each request (nothing cached). */
#include "api/handlers.h"
#include "http/req.h"
#include "http/validate.h"
#include "base/clock.h"
#include "base/config.h"
#include "base/log.h"
#include "domain/evaluate.h"
#include "domain/indicators.h"

#include <stdlib.h>
#include <string.h>

#define TREND_MAX 24

/* The configured weights and bands; replies 500 naming the bad setting. */
static int
config_or_reply(struct req *r, struct eval_config *c)
{
	struct zt_err err;

	err_clear(&err);
	if (eval_config_parse(cfg.eval_weights, cfg.eval_bands, c, &err) == 0)
		return 0;
	log_error("evaluation: configuration: %s", err.msg);
	reply_problem(r, 500, "config", err.msg);
	return -1;
}

/* ?period= (default: the current year); records a field error when bad. */
static void
q_period(struct req *r, struct eval_period *p)
{
	const char *s = q_str(r, "period", 7);
	struct zt_err err;

	eval_period_at(EVAL_YEAR, clock_now(), p);
	if (s == NULL)
		return;
	err_clear(&err);
	if (eval_period_parse(s, p, &err) < 0)
		req_field_error(r, "period", err.reason, "%s", err.msg);
}

/* A region code query argument: six digits, or NULL when absent. */
static const char *
q_region(struct req *r, const char *key)
{
	const char *s = q_str(r, key, 12);

	if (s == NULL)
		return NULL;
	if (strlen(s) != 6 || strspn(s, "0123456789") != 6) {
		req_field_error(r, key, "format", "a region code is six digits");
		return NULL;
	}
	return s;
}

/* Replies with o, its reals printed with 15 significant digits so that a
 * number rounded to 2 decimals reads as such (68.95, not 68.950000000000003). */
static void
reply_doc(struct req *r, json_t *o, const struct zt_err *err)
{
	if (o == NULL) {
		reply_err(r, err);
		return;
	}
	char *s = json_dumps(o, EVAL_JSON_FLAGS);
	json_decref(o);
	if (s == NULL) {
		reply_problem(r, 500, "internal", "internal error; see the server log");
		return;
	}
	reply_raw(r, 200, "application/json; charset=utf-8", s, strlen(s));
}

void
h_evaluation(struct req *r)
{
	struct eval_config c;
	struct eval_period p;
	struct zt_err err;

	q_period(r, &p);
	const char *parent = q_region(r, "parent");
	if (reply_if_invalid(r) || config_or_reply(r, &c) < 0)
		return;
	err_clear(&err);
	reply_doc(r, eval_ranking_json(req_db(r), &c, &p, parent, &err), &err);
}

void
h_evaluation_region(struct req *r)
{
	struct eval_config c;
	struct eval_period p;
	struct zt_err err;
	const char *code = r->params[0];

	q_period(r, &p);
	if (strlen(code) != 6 || strspn(code, "0123456789") != 6) {
		reply_problem(r, 404, "not_found", "no such region");
		return;
	}
	if (reply_if_invalid(r) || config_or_reply(r, &c) < 0)
		return;
	err_clear(&err);
	reply_doc(r, eval_region_json(req_db(r), &c, &p, code, &err), &err);
}

void
h_evaluation_analysis(struct req *r)
{
	struct eval_config c;
	struct eval_period p;
	struct zt_err err;

	q_period(r, &p);
	const char *raw = req_query(r, "indicator");
	const char *indicator = q_str(r, "indicator", 40);
	const char *score = q_str(r, "score", 20);
	const char *parent = q_region(r, "parent");
	if (raw == NULL || *raw == '\0')
		req_field_error(r, "indicator", "required", "is required");
	else if (indicator && !eval_indicator_name_ok(indicator))
		req_field_error(r, "indicator", "format", "1-40 characters of a-z, 0-9 and _");
	if (reply_if_invalid(r) || config_or_reply(r, &c) < 0)
		return;
	err_clear(&err);
	reply_doc(r,
		  eval_analysis_json(req_db(r), &c, &p, indicator, score ? score : "composite",
				     parent, &err),
		  &err);
}

void
h_evaluation_indicators(struct req *r)
{
	struct zt_err err;

	err_clear(&err);
	reply_doc(r, indicators_list_json(req_db(r), &err), &err);
}

void
h_evaluation_trend(struct req *r)
{
	struct eval_config c;
	struct zt_err err;
	int64_t count;
	const char *k = q_str(r, "kind", 10);
	int kind = k ? eval_kind_parse(k) : EVAL_YEAR;

	if (kind < 0)
		req_field_error(r, "kind", "enum", "must be one of: month, quarter, year");
	q_int(r, "count", 1, TREND_MAX, 6, &count);
	const char *parent = q_region(r, "parent");
	if (reply_if_invalid(r) || config_or_reply(r, &c) < 0)
		return;
	err_clear(&err);
	reply_doc(r, eval_trend_json(req_db(r), &c, (enum eval_kind)kind, (int)count, parent, &err),
		  &err);
}
