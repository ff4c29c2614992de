/* evaluate_json.c - the evaluation's documents: ranking, region detail,
 * trend and the analysis against an external indicator. Every number is
 * rounded to 2 decimals (half away from zero); ranks come from the same
 * rounded composites. */
#include "domain/evaluate.h"
#include "domain/evaluate_model.h"
#include "base/clock.h"
#include "base/stats.h"
#include "base/xmalloc.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define TREND_PERIODS 6
#define MISSING_MAX   200 /* missing required items listed in a region detail */

static json_t *
num(double v, int present)
{
	return present && isfinite(v) ? json_real(eval_round2(v)) : json_null();
}

static json_t *
indicators_json(const struct eval_score *s)
{
	json_t *o = json_object();

	for (int i = 0; i < EVAL_NIND; i++) {
		json_t *ms = json_object();
		for (int j = 0; j < eval_indicators[i].nmeasures; j++)
			json_object_set_new(ms, eval_indicators[i].measures[j],
					    num(s->measure[i][j], s->measure_present[i][j]));
		json_object_set_new(o, eval_indicators[i].key,
				    json_pack("{s:o, s:o}", "score",
					      num(s->indicator[i], s->present[i]), "measures", ms));
	}
	return o;
}

static json_t *
absent_json(const struct eval_score *s)
{
	json_t *a = json_array();

	for (int i = 0; i < EVAL_NIND; i++)
		if (!s->present[i])
			json_array_append_new(a, json_string(eval_indicators[i].key));
	return a;
}

static json_t *
grade_json(const struct eval_config *cfg, const struct em_unit *u)
{
	return u->score.has_composite ? json_string(cfg->band_names[u->grade]) : json_null();
}

static json_t *
rank_json(const struct em_unit *u)
{
	return u->rank > 0 ? json_integer(u->rank) : json_null();
}

/* Sets the figures every unit object carries. */
static void
unit_fields(json_t *o, const struct eval_config *cfg, const struct em_unit *u)
{
	json_object_set_new(o, "composite", num(u->composite, u->score.has_composite));
	json_object_set_new(o, "grade", grade_json(cfg, u));
	json_object_set_new(o, "cases", json_integer(u->agg.cases));
	json_object_set_new(o, "items", json_integer(u->agg.items));
	json_object_set_new(o, "indicators", indicators_json(&u->score));
	json_object_set_new(o, "absent", absent_json(&u->score));
}

/* The region object of region i in cur, with prev (may be NULL) for change. */
static json_t *
region_json(const struct em_model *m, int i, const struct eval_config *cfg,
	    const struct em_result *cur, const struct em_result *prev)
{
	const struct em_region *g = &m->regions[i];
	const struct em_unit *u = &cur->regions[i];
	const struct em_unit *pu = prev ? &prev->regions[i] : NULL;
	int has_prev = pu && pu->score.has_composite;
	json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:o}", "code", g->code, "name", g->name,
			      "name_en", g->name_en, "level", g->level, "parent",
			      g->parent[0] ? json_string(g->parent) : json_null());

	unit_fields(o, cfg, u);
	json_object_set_new(o, "rank", rank_json(u));
	json_object_set_new(o, "of", u->of > 0 ? json_integer(u->of) : json_null());
	json_object_set_new(o, "previous_composite", num(has_prev ? pu->composite : 0, has_prev));
	json_object_set_new(o, "previous_rank", pu ? rank_json(pu) : json_null());
	json_object_set_new(
	    o, "change",
	    num(u->composite - (has_prev ? pu->composite : 0), has_prev && u->score.has_composite));
	return o;
}

static json_t *
head_json(const struct eval_config *cfg, const struct eval_period *p)
{
	struct eval_period prev;
	json_t *w = json_object(), *bands = json_array();

	eval_period_prev(p, &prev);
	for (int i = 0; i < EVAL_NIND; i++)
		json_object_set_new(w, eval_indicators[i].key, json_real(cfg->weights[i]));
	for (int i = 0; i < cfg->nbands; i++)
		json_array_append_new(bands, json_pack("{s:s, s:f}", "grade", cfg->band_names[i],
						       "min", cfg->band_min[i]));
	return json_pack("{s:s, s:s, s:s, s:s, s:o, s:o}", "period", p->name, "from", p->first_day,
			 "to", p->last_day, "previous", prev.name, "weights", w, "bands", bands);
}

struct order {
	const struct em_model *m;
	const struct em_result *r;
	int ix;
};

static int
cmp_order(const void *a, const void *b)
{
	const struct order *x = a, *y = b;
	const struct em_region *gx = &x->m->regions[x->ix], *gy = &x->m->regions[y->ix];
	int rx = x->r->regions[x->ix].rank, ry = x->r->regions[y->ix].rank, c;

	if ((c = strcmp(gx->parent, gy->parent)) != 0)
		return c;
	if (rx != ry) /* unranked (0) last */
		return rx == 0 ? 1 : ry == 0 ? -1 : (rx < ry ? -1 : 1);
	return strcmp(gx->code, gy->code);
}

/* The evaluated regions (below parent_ix unless it is -2), display order. */
static struct order *
ordered(const struct em_model *m, const struct em_result *r, int parent_ix, int *n)
{
	struct order *v = xmalloc(sizeof(*v) * ((size_t)m->nregions + 1));

	*n = 0;
	for (int i = 0; i < m->nregions; i++)
		if (m->regions[i].ndepts > 0 &&
		    (parent_ix == -2 || m->regions[i].parent_ix == parent_ix))
			v[(*n)++] = (struct order){m, r, i};
	qsort(v, (size_t)*n, sizeof(*v), cmp_order);
	return v;
}

static int
parent_lookup(const struct em_model *m, const char *parent, int *ix, struct zt_err *err)
{
	*ix = -2;
	if (parent == NULL)
		return 0;
	if ((*ix = em_region_ix(m, parent)) < 0)
		return err_set(err, ZT_ENOTFOUND, "parent", "not_found", "no region %s", parent);
	return 0;
}

json_t *
eval_ranking_json(db_conn *c, const struct eval_config *cfg, const struct eval_period *p,
		  const char *parent, struct zt_err *err)
{
	struct em_model m;
	struct em_result res[2];
	struct eval_period per[2];
	json_t *out = NULL;
	int pix, n;

	if (em_load(c, &m, err) < 0)
		return NULL;
	if (parent_lookup(&m, parent, &pix, err) < 0)
		goto out_model;
	eval_period_prev(p, &per[0]);
	per[1] = *p;
	if (em_compute_many(c, &m, cfg, per, 2, clock_now(), res, err) < 0)
		goto out_model;
	struct order *v = ordered(&m, &res[1], pix, &n);
	json_t *regions = json_array();
	for (int k = 0; k < n; k++)
		json_array_append_new(regions, region_json(&m, v[k].ix, cfg, &res[1], &res[0]));
	free(v);
	out = head_json(cfg, p);
	json_object_set_new(out, "regions", regions);
	em_result_free(&res[0]);
	em_result_free(&res[1]);
out_model:
	em_free(&m);
	return out;
}

/* ---- region detail ---- */

static json_t *
departments_json(const struct em_model *m, int g, const struct eval_config *cfg,
		 const struct em_result *r)
{
	json_t *a = json_array();

	for (int d = 0; d < m->ndepts; d++) {
		const struct em_dept *dp = &m->depts[d];
		if (!em_is_ancestor(m, g, dp->region_ix))
			continue;
		json_t *o = json_pack("{s:I, s:s, s:s, s:s}", "id", (json_int_t)dp->id, "name",
				      dp->name, "name_en", dp->name_en, "region_code",
				      m->regions[dp->region_ix].code);
		unit_fields(o, cfg, &r->depts[d]);
		json_array_append_new(a, o);
	}
	return a;
}

static json_t *
guide_failures_json(const struct em_model *m, int g)
{
	json_t *a = json_array();

	for (int i = 0; i < m->nitems; i++) {
		const struct em_item *it = &m->items[i];
		const struct em_dept *dp = &m->depts[it->dept_ix];
		if (it->checks == 0 || !em_is_ancestor(m, g, dp->region_ix))
			continue;
		json_t *checks = json_array();
		for (int k = 0; k < EVAL_NCHECKS; k++)
			if (it->checks & (1u << k))
				json_array_append_new(checks, json_string(eval_check_names[k]));
		json_array_append_new(a, json_pack("{s:I, s:s, s:s, s:I, s:s, s:o}", "item_id",
						   (json_int_t)it->id, "code", it->code, "name",
						   it->name, "dept_id", (json_int_t)dp->id, "dept",
						   dp->name, "checks", checks));
	}
	return a;
}

/* The required items of the subtree of g not published in it by the end
 * of p, by region code and code: at most MISSING_MAX of them into *list,
 * their number returned. */
static json_int_t
missing_items_json(const struct em_model *m, int g, const struct eval_period *p, json_t **list)
{
	json_int_t n = 0;

	*list = json_array();
	for (int q = 0; q < m->nreq; q++) {
		const struct em_required *rq = &m->req[q];
		if (!em_is_ancestor(m, g, rq->region_ix) || em_required_met(m, q, g, p))
			continue;
		if (n++ < MISSING_MAX)
			json_array_append_new(*list, json_pack("{s:s, s:s, s:s}", "code", rq->code,
							       "name", rq->name, "region_code",
							       m->regions[rq->region_ix].code));
	}
	return n;
}

json_t *
eval_region_json(db_conn *c, const struct eval_config *cfg, const struct eval_period *p,
		 const char *code, struct zt_err *err)
{
	struct em_model m;
	struct em_result res[TREND_PERIODS];
	struct eval_period per[TREND_PERIODS];
	json_t *out = NULL;
	int g, n = 0;

	if (em_load(c, &m, err) < 0)
		return NULL;
	if ((g = em_region_ix(&m, code)) < 0) {
		err_set(err, ZT_ENOTFOUND, "code", "not_found", "no region %s", code);
		goto out;
	}
	if (m.regions[g].ndepts == 0) {
		err_set(err, ZT_ENOTFOUND, "code", "not_evaluated",
			"region %s has no departments to evaluate", code);
		goto out;
	}
	per[TREND_PERIODS - 1] = *p;
	for (int k = TREND_PERIODS - 1; k > 0; k--)
		eval_period_prev(&per[k], &per[k - 1]);
	if (em_compute_many(c, &m, cfg, per, TREND_PERIODS, clock_now(), res, err) < 0)
		goto out;
	n = TREND_PERIODS;
	const struct em_result *cur = &res[TREND_PERIODS - 1];
	json_t *trend = json_array();
	for (int k = 0; k < TREND_PERIODS; k++) {
		const struct em_unit *u = &res[k].regions[g];
		json_array_append_new(trend, json_pack("{s:s, s:o, s:o}", "period", per[k].name,
						       "composite",
						       num(u->composite, u->score.has_composite),
						       "rank", rank_json(u)));
	}
	out = region_json(&m, g, cfg, cur, &res[TREND_PERIODS - 2]);
	json_object_set_new(out, "departments", departments_json(&m, g, cfg, cur));
	json_object_set_new(out, "guide_failures", guide_failures_json(&m, g));
	json_t *missing;
	json_int_t nmissing = missing_items_json(&m, g, p, &missing);
	json_object_set_new(out, "missing_items", missing);
	json_object_set_new(out, "missing_total", json_integer(nmissing));
	json_object_set_new(out, "trend", trend);
	json_t *head = head_json(cfg, p);
	json_object_update_missing(out, head);
	json_decref(head);
out:
	while (n > 0)
		em_result_free(&res[--n]);
	em_free(&m);
	return out;
}

/* ---- trend ---- */

json_t *
eval_trend_json(db_conn *c, const struct eval_config *cfg, enum eval_kind kind, int count,
		const char *parent, struct zt_err *err)
{
	struct em_model m;
	struct em_result *res = xcalloc((size_t)count, sizeof(*res));
	struct eval_period *per = xcalloc((size_t)count, sizeof(*per));
	json_t *out = NULL;
	int pix, n = 0, nr;

	if (em_load(c, &m, err) < 0)
		goto out_free;
	if (parent_lookup(&m, parent, &pix, err) < 0)
		goto out;
	eval_period_at(kind, clock_now(), &per[count - 1]);
	for (int k = count - 1; k > 0; k--)
		eval_period_prev(&per[k], &per[k - 1]);
	if (em_compute_many(c, &m, cfg, per, count, clock_now(), res, err) < 0)
		goto out;
	n = count;
	json_t *periods = json_array(), *regions = json_array();
	for (int k = 0; k < count; k++)
		json_array_append_new(periods, json_string(per[k].name));
	struct order *v = ordered(&m, &res[count - 1], pix, &nr);
	for (int q = 0; q < nr; q++) {
		int g = v[q].ix;
		json_t *comp = json_array(), *ranks = json_array();
		for (int k = 0; k < count; k++) {
			const struct em_unit *u = &res[k].regions[g];
			json_array_append_new(comp, num(u->composite, u->score.has_composite));
			json_array_append_new(ranks, rank_json(u));
		}
		json_array_append_new(
		    regions, json_pack("{s:s, s:s, s:s, s:o, s:o}", "code", m.regions[g].code,
				       "name", m.regions[g].name, "name_en", m.regions[g].name_en,
				       "composite", comp, "rank", ranks));
	}
	free(v);
	out = json_pack("{s:s, s:o, s:o}", "kind",
			kind == EVAL_YEAR      ? "year"
			: kind == EVAL_QUARTER ? "quarter"
					       : "month",
			"periods", periods, "regions", regions);
out:
	while (n > 0)
		em_result_free(&res[--n]);
	em_free(&m);
out_free:
	free(res);
	free(per);
	return out;
}

/* ---- analysis ---- */

/* External values of indicator for period into vals[region] (NAN = none). */
static int
load_values(db_conn *c, const struct em_model *m, const char *period, const char *indicator,
	    double *vals, struct zt_err *err)
{
	db_stmt *s = db_prepare(c,
				"SELECT region_code, value FROM indicator_values"
				" WHERE period = ?1 AND indicator = ?2",
				err);
	int rc;

	if (s == NULL)
		return err->code;
	for (int i = 0; i < m->nregions; i++)
		vals[i] = NAN;
	db_bind_text(s, 1, period);
	db_bind_text(s, 2, indicator);
	while ((rc = db_step(s, err)) == DB_ROW) {
		int g = em_region_ix(m, db_col_text(s, 0));
		if (g >= 0)
			vals[g] = db_col_double(s, 1);
	}
	return rc < 0 ? rc : 0;
}

/* The rounded score of region unit u: composite (which < 0) or indicator. */
static int
score_of(const struct em_unit *u, int which, double *y)
{
	if (which < 0) {
		*y = u->composite;
		return u->score.has_composite;
	}
	*y = eval_round2(u->score.indicator[which]);
	return u->score.present[which];
}

struct analysis {
	int n;
	int *ix;
	double *x, *y, *resid;
};

static json_t *
analysis_body(const struct em_model *m, struct analysis *a, struct zt_err *err)
{
	struct stats_logfit fit;
	double r, rho;
	size_t *order = xmalloc(sizeof(size_t) * ((size_t)a->n + 1));
	json_t *out = NULL;

	if (stats_logfit(a->x, a->y, (size_t)a->n, &fit, a->resid, err) < 0) {
		if (strcmp(err->reason, "zero_variance") == 0)
			err_set(err, ZT_ERULE, "indicator", "zero_variance",
				"every region has the same indicator value; no fit exists");
		goto out;
	}
	if (stats_pearson(a->x, a->y, (size_t)a->n, &r, err) < 0 ||
	    stats_spearman(a->x, a->y, (size_t)a->n, &rho, err) < 0 ||
	    stats_order_desc(a->resid, (size_t)a->n, order, err) < 0)
		goto out;
	json_t *points = json_array(), *above = json_array(), *below = json_array();
	for (int k = 0; k < a->n; k++) {
		const struct em_region *g = &m->regions[a->ix[k]];
		json_array_append_new(
		    points, json_pack("{s:s, s:s, s:s, s:o, s:o, s:o, s:o}", "code", g->code,
				      "name", g->name, "name_en", g->name_en, "x", num(a->x[k], 1),
				      "y", num(a->y[k], 1), "fitted", num(a->y[k] - a->resid[k], 1),
				      "residual", num(a->resid[k], 1)));
	}
	for (int k = 0; k < a->n && k < 3 && a->resid[order[k]] > 0; k++)
		json_array_append_new(above, json_string(m->regions[a->ix[order[k]]].code));
	for (int k = a->n - 1; k >= 0 && k >= a->n - 3 && a->resid[order[k]] < 0; k--)
		json_array_append_new(below, json_string(m->regions[a->ix[order[k]]].code));
	out = json_pack("{s:i, s:o, s:o, s:{s:o, s:o, s:o}, s:o, s:o, s:o}", "n", a->n, "pearson",
			num(r, 1), "spearman", num(rho, 1), "fit", "a", num(fit.a, 1), "b",
			num(fit.b, 1), "r2", num(fit.r2, 1), "points", points, "above", above,
			"below", below);
out:
	free(order);
	return out;
}

json_t *
eval_analysis_json(db_conn *c, const struct eval_config *cfg, const struct eval_period *p,
		   const char *indicator, const char *score, const char *parent, struct zt_err *err)
{
	struct em_model m;
	struct em_result cur;
	struct analysis a = {0};
	json_t *out = NULL;
	int which = -1, pix, nr;

	if (strcmp(score, "composite") != 0) {
		for (which = 0; which < EVAL_NIND && strcmp(eval_indicators[which].key, score);
		     which++)
			;
		if (which == EVAL_NIND)
			return err_set(err, ZT_EINVAL, "score", "enum",
				       "score is composite or one of the five indicators"),
			       NULL;
	}
	if (em_load(c, &m, err) < 0)
		return NULL;
	if (parent_lookup(&m, parent, &pix, err) < 0)
		goto out_model;
	if (em_compute(c, &m, cfg, p, clock_now(), &cur, err) < 0)
		goto out_model;
	double *vals = xmalloc(sizeof(double) * ((size_t)m.nregions + 1));
	if (load_values(c, &m, p->name, indicator, vals, err) < 0)
		goto out_vals;
	struct order *v = ordered(&m, &cur, pix, &nr);
	a.ix = xmalloc(sizeof(int) * ((size_t)nr + 1));
	a.x = xmalloc(sizeof(double) * ((size_t)nr + 1));
	a.y = xmalloc(sizeof(double) * ((size_t)nr + 1));
	a.resid = xmalloc(sizeof(double) * ((size_t)nr + 1));
	for (int k = 0; k < nr; k++) {
		int g = v[k].ix;
		double y;
		if (!isfinite(vals[g]) || vals[g] <= 0 || !score_of(&cur.regions[g], which, &y))
			continue;
		a.ix[a.n] = g;
		a.x[a.n] = vals[g];
		a.y[a.n++] = y;
	}
	free(v);
	if (a.n < 3) {
		err_set(err, ZT_ERULE, "indicator", "too_few_regions",
			"%d region(s) have both %s for %s and a %s score; at least 3 are needed",
			a.n, indicator, p->name, score);
		goto out_a;
	}
	if ((out = analysis_body(&m, &a, err)) != NULL) {
		json_object_set_new(out, "period", json_string(p->name));
		json_object_set_new(out, "indicator", json_string(indicator));
		json_object_set_new(out, "score", json_string(score));
		json_object_set_new(out, "parent", parent ? json_string(parent) : json_null());
	}
out_a:
	free(a.ix);
	free(a.x);
	free(a.y);
	free(a.resid);
out_vals:
	free(vals);
	em_result_free(&cur);
out_model:
	em_free(&m);
	return out;
}
