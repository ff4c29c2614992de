/* evaluate_model.c - reading the evaluation's inputs and rolling them up.
 *
 * Regions, departments, published items (with their guide checks) and the
 * required item lists are small: read whole. Cases are the big table: one
 * query per period aggregates them per item, walking the published items
 * and, for each, the range of cases_eval (item_id, submitted_at, ...) that
 * falls in the period, so only the period's cases are read and only from
 * the covering index. Items roll up to departments, departments to their
 * region and every region above it, here in C. */
#include "domain/evaluate_model.h"
#include "base/stats.h"
#include "base/xmalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <stddef.h>
#include <string.h>

#define MAX_DEPTH 16 /* guard against a cycle in regions.parent */

static int
cmp_region(const void *a, const void *b)
{
	return strcmp(((const struct em_region *)a)->code, ((const struct em_region *)b)->code);
}

int
em_region_ix(const struct em_model *m, const char *code)
{
	struct em_region key;

	if (code == NULL || strlen(code) >= sizeof(key.code))
		return -1;
	strcpy(key.code, code);
	const struct em_region *r =
	    bsearch(&key, m->regions, (size_t)m->nregions, sizeof(key), cmp_region);
	return r ? (int)(r - m->regions) : -1;
}

int
em_is_ancestor(const struct em_model *m, int a, int b)
{
	for (int k = 0; b >= 0 && k < MAX_DEPTH; k++, b = m->regions[b].parent_ix)
		if (b == a)
			return 1;
	return 0;
}

/* Binary search of n records of size bytes, sorted by the int64_t id at
 * offset off: the index of id, or -1. */
static int
find_id(const void *base, int n, size_t size, size_t off, int64_t id)
{
	int lo = 0, hi = n - 1;

	while (lo <= hi) {
		int mid = (lo + hi) / 2;
		int64_t v;
		memcpy(&v, (const char *)base + (size_t)mid * size + off, sizeof(v));
		if (v == id)
			return mid;
		if (v < id)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return -1;
}

static int
item_ix(const struct em_model *m, int64_t id)
{
	return find_id(m->items, m->nitems, sizeof(*m->items), offsetof(struct em_item, id), id);
}

static int
dept_ix(const struct em_model *m, int64_t id)
{
	return find_id(m->depts, m->ndepts, sizeof(*m->depts), offsetof(struct em_dept, id), id);
}

static char *
dup_col(db_stmt *s, int col)
{
	const char *v = db_col_text(s, col);

	return xstrdup(v ? v : "");
}

static void
copy_col(db_stmt *s, int col, char *out, size_t cap)
{
	const char *v = db_col_text(s, col);

	snprintf(out, cap, "%s", v ? v : "");
}

static int
load_regions(db_conn *c, struct em_model *m, struct zt_err *err)
{
	db_stmt *s = db_prepare(
	    c, "SELECT code, name, name_en, level, parent FROM regions ORDER BY code", err);
	int rc, cap = 0;

	if (s == NULL)
		return err->code;
	while ((rc = db_step(s, err)) == DB_ROW) {
		if (m->nregions == cap) {
			cap = cap ? 2 * cap : 64;
			m->regions = xreallocarray(m->regions, (size_t)cap, sizeof(*m->regions));
		}
		struct em_region *r = &m->regions[m->nregions++];
		memset(r, 0, sizeof(*r));
		copy_col(s, 0, r->code, sizeof(r->code));
		r->name = dup_col(s, 1);
		r->name_en = dup_col(s, 2);
		copy_col(s, 3, r->level, sizeof(r->level));
		copy_col(s, 4, r->parent, sizeof(r->parent));
	}
	if (rc < 0)
		return rc;
	/* ORDER BY code is byte order on both backends for these digit codes;
	 * sort again so that bsearch never depends on a collation. */
	qsort(m->regions, (size_t)m->nregions, sizeof(*m->regions), cmp_region);
	for (int i = 0; i < m->nregions; i++)
		m->regions[i].parent_ix =
		    m->regions[i].parent[0] ? em_region_ix(m, m->regions[i].parent) : -1;
	return 0;
}

static int
load_depts(db_conn *c, struct em_model *m, struct zt_err *err)
{
	db_stmt *s = db_prepare(
	    c, "SELECT id, name, name_en, region_code FROM departments ORDER BY id", err);
	int rc, cap = 0;

	if (s == NULL)
		return err->code;
	while ((rc = db_step(s, err)) == DB_ROW) {
		if (m->ndepts == cap) {
			cap = cap ? 2 * cap : 64;
			m->depts = xreallocarray(m->depts, (size_t)cap, sizeof(*m->depts));
		}
		struct em_dept *d = &m->depts[m->ndepts++];
		d->id = db_col_int(s, 0);
		d->name = dup_col(s, 1);
		d->name_en = dup_col(s, 2);
		d->region_ix = em_region_ix(m, db_col_text(s, 3));
		for (int r = d->region_ix, k = 0; r >= 0 && k < MAX_DEPTH;
		     r = m->regions[r].parent_ix, k++)
			m->regions[r].ndepts++;
	}
	return rc < 0 ? rc : 0;
}

static int
popcount5(int64_t v)
{
	int n = 0;

	for (int b = 0; b < 5; b++)
		n += (int)((v >> b) & 1);
	return n;
}

/* The item's own figures and guide checks from the current row of s. */
static void
item_from_row(db_stmt *s, struct em_item *it)
{
	struct eval_guide g = {
	    .legal_days = (int)db_col_int(s, 4),
	    .promised_days = (int)db_col_int(s, 5),
	    .depth = (int)db_col_int(s, 6),
	    .max_visits = (int)db_col_int(s, 7),
	    .channels = (int)db_col_int(s, 8),
	    .legal_basis = db_col_text(s, 9),
	    .fee = db_col_text(s, 10),
	    .place = db_col_text(s, 11),
	    .office_hours = db_col_text(s, 12),
	    .consult = db_col_text(s, 13),
	    .complaint = db_col_text(s, 14),
	    .process = db_col_text(s, 15),
	    .nmaterials = (int)db_col_int(s, 16),
	};
	struct eval_agg *a = &it->fixed;

	it->nrequired = (int)db_col_int(s, 17);
	it->published_at = db_col_int(s, 18);
	it->checks = eval_guide_checks(&g);
	memset(a, 0, sizeof(*a));
	a->items = 1;
	a->items_online = g.depth >= 4;
	a->items_full_online = g.depth >= 5 && g.depth <= 7;
	a->items_zero_visit = g.max_visits == 0;
	a->items_complete = it->checks == 0;
	a->legal_sum = g.legal_days;
	a->promised_sum = g.promised_days;
	a->channels_sum = popcount5(g.channels);
}

static int
load_items(db_conn *c, struct em_model *m, struct zt_err *err)
{
	db_stmt *s = db_prepare(
	    c,
	    "SELECT i.id, i.code, i.name, i.dept_id, i.legal_days, i.promised_days, i.depth,"
	    " i.max_visits, i.channels, i.legal_basis, i.fee, i.place, i.office_hours, i.consult,"
	    " i.complaint, i.process,"
	    " (SELECT count(*) FROM materials m WHERE m.item_id = i.id),"
	    " (SELECT count(*) FROM materials m WHERE m.item_id = i.id AND m.required = 1),"
	    " coalesce(i.published_at, 0)"
	    " FROM service_items i WHERE i.status = 'published' ORDER BY i.id",
	    err);
	int rc, cap = 0;

	if (s == NULL)
		return err->code;
	while ((rc = db_step(s, err)) == DB_ROW) {
		int d = dept_ix(m, db_col_int(s, 3));
		if (d < 0)
			continue;
		if (m->nitems == cap) {
			cap = cap ? 2 * cap : 256;
			m->items = xreallocarray(m->items, (size_t)cap, sizeof(*m->items));
		}
		struct em_item *it = &m->items[m->nitems++];
		it->id = db_col_int(s, 0);
		it->code = dup_col(s, 1);
		it->name = dup_col(s, 2);
		it->dept_ix = d;
		item_from_row(s, it);
	}
	return rc < 0 ? rc : 0;
}

static int
cmp_required(const void *a, const void *b)
{
	const struct em_required *x = a, *y = b;

	if (x->region_ix != y->region_ix)
		return (x->region_ix > y->region_ix) - (x->region_ix < y->region_ix);
	return strcmp(x->code, y->code);
}

struct code_ix {
	const char *code;
	int ix;
};

static int
cmp_code_ix(const void *a, const void *b)
{
	return strcmp(((const struct code_ix *)a)->code, ((const struct code_ix *)b)->code);
}

/* The required lists, each row with the published item of its code (item
 * codes are unique), sorted by region code and code (byte order on every
 * backend). */
static int
load_required(db_conn *c, struct em_model *m, struct zt_err *err)
{
	db_stmt *s = db_prepare(c, "SELECT region_code, code, name FROM required_items", err);
	struct code_ix *by_code;
	int rc, cap = 0;

	if (s == NULL)
		return err->code;
	by_code = xmalloc(sizeof(*by_code) * ((size_t)m->nitems + 1));
	for (int i = 0; i < m->nitems; i++)
		by_code[i] = (struct code_ix){m->items[i].code, i};
	qsort(by_code, (size_t)m->nitems, sizeof(*by_code), cmp_code_ix);
	while ((rc = db_step(s, err)) == DB_ROW) {
		int r = em_region_ix(m, db_col_text(s, 0)), it = -1;
		struct code_ix key = {db_col_text(s, 1), -1};
		if (r < 0 || key.code == NULL)
			continue;
		const struct code_ix *hit =
		    bsearch(&key, by_code, (size_t)m->nitems, sizeof(key), cmp_code_ix);
		if (hit)
			it = hit->ix;
		if (m->nreq == cap) {
			cap = cap ? 2 * cap : 64;
			m->req = xreallocarray(m->req, (size_t)cap, sizeof(*m->req));
		}
		struct em_required *q = &m->req[m->nreq++];
		q->region_ix = r;
		q->item_ix = it;
		q->code = dup_col(s, 1);
		q->name = dup_col(s, 2);
	}
	free(by_code);
	if (rc < 0)
		return rc;
	if (m->nreq > 1) /* m->req is NULL without required items */
		qsort(m->req, (size_t)m->nreq, sizeof(*m->req), cmp_required);
	return 0;
}

int
em_load(db_conn *c, struct em_model *m, struct zt_err *err)
{
	int rc;

	memset(m, 0, sizeof(*m));
	if ((rc = load_regions(c, m, err)) < 0 || (rc = load_depts(c, m, err)) < 0 ||
	    (rc = load_items(c, m, err)) < 0 || (rc = load_required(c, m, err)) < 0) {
		em_free(m);
		return rc;
	}
	return 0;
}

void
em_free(struct em_model *m)
{
	for (int i = 0; i < m->nregions; i++) {
		free(m->regions[i].name);
		free(m->regions[i].name_en);
	}
	for (int i = 0; i < m->ndepts; i++) {
		free(m->depts[i].name);
		free(m->depts[i].name_en);
	}
	for (int i = 0; i < m->nitems; i++) {
		free(m->items[i].code);
		free(m->items[i].name);
	}
	free(m->regions);
	free(m->depts);
	free(m->items);
	for (int i = 0; i < m->nreq; i++) {
		free(m->req[i].code);
		free(m->req[i].name);
	}
	free(m->req);
	memset(m, 0, sizeof(*m));
}

/* ---- one period ---- */

/* The case aggregates every query below selects, in this order. */
/* Aggregates with FILTER: measured about a fifth faster on PostgreSQL than
 * sum(CASE ...); the same on SQLite. */
#define CASE_SUMS                                                                                  \
	" count(*),"                                                                               \
	" count(*) FILTER (WHERE c.channel IN ('web', 'mobile')),"                                 \
	" count(*) FILTER (WHERE c.phase = 'closed' AND c.decided_at <= c.due_at),"                \
	" count(*) FILTER (WHERE (c.phase = 'closed' AND c.decided_at > c.due_at)"                 \
	"  OR (c.phase <> 'closed' AND c.due_at < ?3)),"                                           \
	" coalesce(sum(c.visits), 0), coalesce(sum(c.exempted), 0), count(c.stars),"               \
	" coalesce(sum(c.stars), 0)"

/* Stores the CASE_SUMS starting at column col into a. */
static void
case_row(db_stmt *s, int col, const struct em_item *it, struct eval_agg *a)
{
	a->cases = db_col_int(s, col);
	a->cases_online = db_col_int(s, col + 1);
	a->on_time = db_col_int(s, col + 2);
	a->late = db_col_int(s, col + 3);
	a->visits_sum = db_col_int(s, col + 4);
	a->exempted_sum = db_col_int(s, col + 5);
	a->rated = db_col_int(s, col + 6);
	a->stars_sum = db_col_int(s, col + 7);
	a->req_materials_sum = a->cases * it->nrequired;
}

/* Case figures per item (into cases[item]) for [p->from, p->to). */
static int
aggregate_cases(db_conn *c, const struct em_model *m, const struct eval_period *p, int64_t now,
		struct eval_agg *cases, struct zt_err *err)
{
	/* SQLite: CROSS JOIN keeps service_items the outer loop, so for each
	 * published item one range of cases_eval is read, only the period's
	 * cases. PostgreSQL: a parallel scan grouped by item, without the join
	 * (items not published are skipped below). */
	db_stmt *s = db_prepare(
	    c,
	    db_kind() == DB_PG ? "SELECT c.item_id," CASE_SUMS " FROM cases c"
				 " WHERE c.submitted_at >= ?1 AND c.submitted_at < ?2"
				 " GROUP BY c.item_id"
			       : "SELECT i.id," CASE_SUMS " FROM service_items i CROSS JOIN cases c"
				 " WHERE i.status = 'published' AND c.item_id = i.id"
				 " AND c.submitted_at >= ?1 AND c.submitted_at < ?2"
				 " GROUP BY i.id",
	    err);
	int rc;

	if (s == NULL)
		return err->code;
	db_bind_int(s, 1, p->from);
	db_bind_int(s, 2, p->to);
	db_bind_int(s, 3, now);
	while ((rc = db_step(s, err)) == DB_ROW) {
		int i = item_ix(m, db_col_int(s, 0));
		if (i >= 0) /* else not published (or published since the items were read) */
			case_row(s, 1, &m->items[i], &cases[i]);
	}
	return rc < 0 ? rc : 0;
}

/* Bad-rating rectification items opened in the period, per department. */
static int
aggregate_rectification(db_conn *c, const struct em_model *m, const struct eval_period *p,
			struct em_unit *depts, struct zt_err *err)
{
	db_stmt *s = db_prepare(
	    c,
	    "SELECT dept_id, count(*), sum(CASE WHEN status = 'closed' THEN 1 ELSE 0 END)"
	    " FROM supervision_items WHERE kind = 'bad_rating' AND opened_at >= ?1"
	    " AND opened_at < ?2 GROUP BY dept_id",
	    err);
	int rc;

	if (s == NULL)
		return err->code;
	db_bind_int(s, 1, p->from);
	db_bind_int(s, 2, p->to);
	while ((rc = db_step(s, err)) == DB_ROW) {
		int d = dept_ix(m, db_col_int(s, 0));
		if (d < 0)
			continue;
		depts[d].agg.rect_opened += db_col_int(s, 1);
		depts[d].agg.rect_closed += db_col_int(s, 2);
	}
	return rc < 0 ? rc : 0;
}

/* An item counts in a period it was published before the end of (a past
 * period is judged by the catalog it had, not by items published since). */
static int
item_in(const struct em_item *it, const struct eval_period *p)
{
	return it->published_at < p->to;
}

int
em_required_met(const struct em_model *m, int q, int g, const struct eval_period *p)
{
	int it = m->req[q].item_ix;

	return it >= 0 && item_in(&m->items[it], p) &&
	       em_is_ancestor(m, g, m->depts[m->items[it].dept_ix].region_ix);
}

static void
roll_up(const struct em_model *m, const struct eval_period *p, const struct eval_agg *cases,
	struct em_result *r)
{
	for (int i = 0; i < m->nitems; i++) {
		struct eval_agg *d = &r->depts[m->items[i].dept_ix].agg;
		if (item_in(&m->items[i], p))
			eval_agg_add(d, &m->items[i].fixed);
		eval_agg_add(d, &cases[i]);
	}
	for (int i = 0; i < m->nregions; i++)
		r->regions[i].agg.has_required = 1;
	for (int d = 0; d < m->ndepts; d++)
		for (int g = m->depts[d].region_ix, k = 0; g >= 0 && k < MAX_DEPTH;
		     g = m->regions[g].parent_ix, k++)
			eval_agg_add(&r->regions[g].agg, &r->depts[d].agg);
	for (int q = 0; q < m->nreq; q++)
		for (int g = m->req[q].region_ix, k = 0; g >= 0 && k < MAX_DEPTH;
		     g = m->regions[g].parent_ix, k++) {
			r->regions[g].agg.required++;
			if (em_required_met(m, q, g, p))
				r->regions[g].agg.required_published++;
		}
}

static void
score_unit(struct em_unit *u, const struct eval_config *cfg)
{
	eval_score_compute(&u->agg, cfg, &u->score);
	if (u->score.has_composite) {
		u->composite = eval_round2(u->score.composite);
		u->grade = eval_grade(cfg, u->composite);
	}
}

struct ranked {
	int parent, ix;
};

static int
cmp_by_parent(const void *a, const void *b)
{
	const struct ranked *x = a, *y = b;

	if (x->parent != y->parent)
		return x->parent < y->parent ? -1 : 1;
	return (x->ix > y->ix) - (x->ix < y->ix);
}

/* Competition ranks of the rounded composites within each parent group. */
static void
rank_regions(const struct em_model *m, struct em_result *r)
{
	struct ranked *v = xmalloc(sizeof(*v) * (size_t)(m->nregions + 1));
	double *scores = xmalloc(sizeof(double) * (size_t)(m->nregions + 1));
	size_t *ranks = xmalloc(sizeof(size_t) * (size_t)(m->nregions + 1));
	int n = 0;

	for (int i = 0; i < m->nregions; i++)
		if (m->regions[i].ndepts > 0 && r->regions[i].score.has_composite)
			v[n++] = (struct ranked){m->regions[i].parent_ix, i};
	qsort(v, (size_t)n, sizeof(*v), cmp_by_parent);
	for (int a = 0, b; a < n; a = b) {
		for (b = a; b < n && v[b].parent == v[a].parent; b++)
			scores[b - a] = r->regions[v[b].ix].composite;
		if (stats_rank_desc(scores, (size_t)(b - a), ranks, NULL, NULL) < 0)
			continue;
		for (int k = a; k < b; k++) {
			r->regions[v[k].ix].rank = (int)ranks[k - a];
			r->regions[v[k].ix].of = b - a;
		}
	}
	free(v);
	free(scores);
	free(ranks);
}

int
em_compute_many(db_conn *c, const struct em_model *m, const struct eval_config *cfg,
		const struct eval_period *p, int n, int64_t now, struct em_result *r,
		struct zt_err *err)
{
	size_t ni = (size_t)m->nitems;
	struct eval_agg *cases = xcalloc((size_t)n * ni + 1, sizeof(*cases));
	int rc = 0, done = 0;

	/* One query per period: each reads only its own cases (SQLite: index
	 * ranges per item; PostgreSQL: a parallel scan with a hash join, which
	 * measured faster than one scan grouped by item and period). */
	for (int k = 0; k < n && rc == 0; k++)
		rc = aggregate_cases(c, m, &p[k], now, cases + (size_t)k * ni, err);
	for (; rc == 0 && done < n; done++) {
		struct em_result *res = &r[done];
		memset(res, 0, sizeof(*res));
		res->period = p[done];
		res->regions = xcalloc((size_t)m->nregions + 1, sizeof(*res->regions));
		res->depts = xcalloc((size_t)m->ndepts + 1, sizeof(*res->depts));
		if ((rc = aggregate_rectification(c, m, &p[done], res->depts, err)) < 0) {
			em_result_free(res);
			break;
		}
		roll_up(m, &p[done], cases + (size_t)done * ni, res);
		for (int i = 0; i < m->ndepts; i++)
			score_unit(&res->depts[i], cfg);
		for (int i = 0; i < m->nregions; i++)
			score_unit(&res->regions[i], cfg);
		rank_regions(m, res);
	}
	if (rc < 0)
		while (done > 0)
			em_result_free(&r[--done]);
	free(cases);
	return rc < 0 ? rc : 0;
}

int
em_compute(db_conn *c, const struct em_model *m, const struct eval_config *cfg,
	   const struct eval_period *p, int64_t now, struct em_result *r, struct zt_err *err)
{
	return em_compute_many(c, m, cfg, p, 1, now, r, err);
}

void
em_result_free(struct em_result *r)
{
	free(r->regions);
	free(r->depts);
	r->regions = NULL;
	r->depts = NULL;
}
