/* quality.c - public service-quality figures per department and item. */
#include "domain/quality.h"
#include "domain/org.h"
#include "domain/evaluate.h"
#include "base/calendar.h"
#include "base/clock.h"
#include "base/xmalloc.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Counts of one department or item. */
struct tally {
	int64_t id;
	int64_t stars[5];
	int64_t closed, on_time;
	int64_t opened_bad, closed_bad;
	json_t *obj; /* its object in the answer (borrowed) */
};

struct tallies {
	struct tally *v;
	size_t n, cap;
	json_t *index; /* "id" -> position */
};

static struct tally *
tally_add(struct tallies *t, int64_t id, json_t *obj)
{
	char key[24];

	if (t->n == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 64;
		t->v = xrealloc(t->v, t->cap * sizeof(*t->v));
	}
	struct tally *x = &t->v[t->n];
	memset(x, 0, sizeof(*x));
	x->id = id;
	x->obj = obj;
	snprintf(key, sizeof(key), "%lld", (long long)id);
	json_object_set_new(t->index, key, json_integer((json_int_t)t->n));
	t->n++;
	return x;
}

static struct tally *
tally_find(struct tallies *t, int64_t id)
{
	char key[24];

	snprintf(key, sizeof(key), "%lld", (long long)id);
	json_t *i = json_object_get(t->index, key);
	return i ? &t->v[json_integer_value(i)] : NULL;
}

static json_t *
rate(int64_t part, int64_t whole)
{
	return whole ? json_real(round(10000.0 * (double)part / (double)whole) / 100.0)
		     : json_null();
}

/* Writes the three figure objects into x->obj. */
static void
tally_render(const struct tally *x)
{
	int64_t count = 0, sum = 0;
	json_t *stars = json_array();

	for (int k = 0; k < 5; k++) {
		count += x->stars[k];
		sum += (k + 1) * x->stars[k];
		json_array_append_new(stars, json_integer(x->stars[k]));
	}
	json_t *avg =
	    count ? json_real(round(100.0 * (double)sum / (double)count) / 100.0) : json_null();
	json_object_set_new(x->obj, "ratings",
			    json_pack("{s:I, s:o, s:I, s:I, s:o}", "count", (json_int_t)count,
				      "average", avg, "good",
				      (json_int_t)(x->stars[3] + x->stars[4]), "bad",
				      (json_int_t)(x->stars[0] + x->stars[1]), "stars", stars));
	json_object_set_new(x->obj, "rectification",
			    json_pack("{s:I, s:I, s:o}", "opened", (json_int_t)x->opened_bad,
				      "closed", (json_int_t)x->closed_bad, "rate",
				      rate(x->closed_bad, x->opened_bad)));
	json_object_set_new(x->obj, "on_time",
			    json_pack("{s:I, s:I, s:o}", "closed", (json_int_t)x->closed, "on_time",
				      (json_int_t)x->on_time, "rate", rate(x->on_time, x->closed)));
}

/* Departments of ?1's subtree (all when ?1 is NULL). */
#define IN_SCOPE " (CAST(?1 AS TEXT) IS NULL OR d.region_code IN " ORG_SUBTREE_OF_1 ")"

static int
load_units(db_conn *c, const char *region, struct tallies *depts, struct tallies *items, json_t *da,
	   json_t *ia, struct zt_err *err)
{
	int rc;
	db_stmt *s = db_prepare(
	    c, "SELECT d.id, d.name, d.name_en FROM departments d WHERE" IN_SCOPE " ORDER BY d.id",
	    err);
	if (s == NULL)
		return err->code;
	db_bind_text(s, 1, region);
	while ((rc = db_step(s, err)) == DB_ROW) {
		json_t *o = json_pack("{s:I, s:s, s:s}", "id", (json_int_t)db_col_int(s, 0), "name",
				      db_col_text(s, 1), "name_en", db_col_text(s, 2));
		json_array_append_new(da, o);
		tally_add(depts, db_col_int(s, 0), o);
	}
	db_reset(s);
	if (rc < 0)
		return rc;
	s = db_prepare(
	    c,
	    "SELECT i.id, i.code, i.name, i.dept_id FROM service_items i"
	    " JOIN departments d ON d.id = i.dept_id WHERE i.status = 'published' AND" IN_SCOPE
	    " ORDER BY i.dept_id, i.code, i.id",
	    err);
	if (s == NULL)
		return err->code;
	db_bind_text(s, 1, region);
	while ((rc = db_step(s, err)) == DB_ROW) {
		json_t *o = json_pack("{s:I, s:s, s:s, s:I}", "id", (json_int_t)db_col_int(s, 0),
				      "code", db_col_text(s, 1), "name", db_col_text(s, 2),
				      "dept_id", (json_int_t)db_col_int(s, 3));
		json_array_append_new(ia, o);
		tally_add(items, db_col_int(s, 0), o);
	}
	db_reset(s);
	return rc < 0 ? rc : 0;
}

/* Ratings and finished cases of the period. */
static int
count_cases(db_conn *c, const char *region, const struct eval_period *p, struct tallies *depts,
	    struct tallies *items, struct zt_err *err)
{
	int rc;
	db_stmt *s = db_prepare(
	    c,
	    "SELECT c.item_id, c.dept_id, c.stars, count(*),"
	    " sum(CASE WHEN c.phase = 'closed' THEN 1 ELSE 0 END),"
	    " sum(CASE WHEN c.phase = 'closed' AND c.decided_at <= c.due_at THEN 1 ELSE 0 END)"
	    " FROM cases c JOIN departments d ON d.id = c.dept_id"
	    " WHERE c.submitted_at >= ?2 AND c.submitted_at < ?3 AND" IN_SCOPE
	    " GROUP BY c.item_id, c.dept_id, c.stars",
	    err);
	if (s == NULL)
		return err->code;
	db_bind_text(s, 1, region);
	db_bind_int(s, 2, p->from);
	db_bind_int(s, 3, p->to);
	while ((rc = db_step(s, err)) == DB_ROW) {
		struct tally *t[2] = {tally_find(items, db_col_int(s, 0)),
				      tally_find(depts, db_col_int(s, 1))};
		int stars = db_col_isnull(s, 2) ? 0 : (int)db_col_int(s, 2);
		for (int k = 0; k < 2; k++) {
			if (t[k] == NULL)
				continue;
			if (stars >= 1 && stars <= 5)
				t[k]->stars[stars - 1] += db_col_int(s, 3);
			t[k]->closed += db_col_int(s, 4);
			t[k]->on_time += db_col_int(s, 5);
		}
	}
	db_reset(s);
	return rc < 0 ? rc : 0;
}

/* Bad-rating rectification items opened in the period. */
static int
count_rectification(db_conn *c, const char *region, const struct eval_period *p,
		    struct tallies *depts, struct tallies *items, struct zt_err *err)
{
	int rc;
	db_stmt *s = db_prepare(
	    c,
	    "SELECT c.item_id, s.dept_id, count(*),"
	    " sum(CASE WHEN s.status = 'closed' THEN 1 ELSE 0 END)"
	    " FROM supervision_items s JOIN cases c ON c.id = s.case_id"
	    " JOIN departments d ON d.id = s.dept_id"
	    " WHERE s.kind = 'bad_rating' AND s.opened_at >= ?2 AND s.opened_at < ?3 AND" IN_SCOPE
	    " GROUP BY c.item_id, s.dept_id",
	    err);
	if (s == NULL)
		return err->code;
	db_bind_text(s, 1, region);
	db_bind_int(s, 2, p->from);
	db_bind_int(s, 3, p->to);
	while ((rc = db_step(s, err)) == DB_ROW) {
		struct tally *t[2] = {tally_find(items, db_col_int(s, 0)),
				      tally_find(depts, db_col_int(s, 1))};
		for (int k = 0; k < 2; k++)
			if (t[k]) {
				t[k]->opened_bad += db_col_int(s, 2);
				t[k]->closed_bad += db_col_int(s, 3);
			}
	}
	db_reset(s);
	return rc < 0 ? rc : 0;
}

json_t *
quality_json(db_conn *c, const char *region, const char *period, struct zt_err *err)
{
	struct tallies depts = {0}, items = {0};
	struct eval_period p;
	char year[8];
	json_t *out = NULL, *da = json_array(), *ia = json_array();
	int rc;

	if (period == NULL) {
		int y, m, d;
		date_to_ymd(date_of_time(clock_now()), &y, &m, &d);
		snprintf(year, sizeof(year), "%d", y);
		period = year;
	}
	if (eval_period_parse(period, &p, err) < 0)
		goto out;
	if (region && (rc = org_region_exists(c, region, err)) <= 0) {
		if (rc == 0)
			err_set(err, ZT_ENOTFOUND, "region", "not_found", "no such region");
		goto out;
	}
	depts.index = json_object();
	items.index = json_object();
	if (load_units(c, region, &depts, &items, da, ia, err) < 0 ||
	    count_cases(c, region, &p, &depts, &items, err) < 0 ||
	    count_rectification(c, region, &p, &depts, &items, err) < 0)
		goto out;
	for (size_t i = 0; i < depts.n; i++)
		tally_render(&depts.v[i]);
	for (size_t i = 0; i < items.n; i++)
		tally_render(&items.v[i]);
	out = json_pack("{s:o, s:s, s:s, s:s, s:O, s:O}", "region",
			region ? json_string(region) : json_null(), "period", p.name, "from",
			p.first_day, "to", p.last_day, "departments", da, "items", ia);
out:
	json_decref(da);
	json_decref(ia);
	json_decref(depts.index);
	json_decref(items.index);
	free(depts.v);
	free(items.v);
	return out;
}
