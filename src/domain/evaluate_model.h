/* evaluate_model.h - internal to the evaluation (evaluate_model.c,
 * evaluate_json.c): the regions, departments and published items read once
 * per document, and the figures of one period rolled up from them. */
#ifndef ZT_EVALUATE_MODEL_H
#define ZT_EVALUATE_MODEL_H

#include "domain/evaluate.h"

struct em_region {
	char code[16], parent[16], level[12];
	char *name, *name_en;
	int parent_ix; /* -1: none (or not in the table) */
	int ndepts;    /* departments in the subtree */
};

struct em_dept {
	int64_t id;
	char *name, *name_en;
	int region_ix; /* -1 if its region is unknown */
};

struct em_item {
	int64_t id;
	char *code, *name;
	int dept_ix;
	int nrequired; /* required materials */
	int64_t published_at;
	unsigned checks;
	struct eval_agg fixed; /* the item's own item figures (items = 1) */
};

/* One row of required_items whose region is known. */
struct em_required {
	int region_ix;
	int item_ix; /* the published item with that code, or -1 */
	char *code, *name;
};

struct em_model {
	struct em_region *regions; /* sorted by code */
	int nregions;
	struct em_dept *depts; /* sorted by id */
	int ndepts;
	struct em_item *items; /* published, sorted by id */
	int nitems;
	struct em_required *req; /* by region code, code */
	int nreq;
};

/* One unit (region or department) in one period. */
struct em_unit {
	struct eval_agg agg;
	struct eval_score score;
	double composite; /* rounded to 2 decimals; valid when score.has_composite */
	int grade;
	int rank, of; /* 0 when not ranked */
};

struct em_result {
	struct eval_period period;
	struct em_unit *regions; /* parallel to model regions */
	struct em_unit *depts;	 /* parallel to model depts */
};

int em_load(db_conn *c, struct em_model *m, struct zt_err *err);
void em_free(struct em_model *m);
int em_region_ix(const struct em_model *m, const char *code);
/* 1 if region a is b or above it. */
int em_is_ancestor(const struct em_model *m, int a, int b);

/* 1 if required item q has its item published by the end of p in the
 * subtree of region g, else 0. */
int em_required_met(const struct em_model *m, int q, int g, const struct eval_period *p);

/* Aggregates period p (cases, supervision items) and computes every unit's
 * score, composite, grade and rank (among evaluated regions with the same
 * parent). now decides which open cases are late. */
int em_compute(db_conn *c, const struct em_model *m, const struct eval_config *cfg,
	       const struct eval_period *p, int64_t now, struct em_result *r, struct zt_err *err);
/* The same for n consecutive periods p[0..n-1] (each the one before the
 * next) into r[0..n-1]. On failure no result is left to free. */
int em_compute_many(db_conn *c, const struct em_model *m, const struct eval_config *cfg,
		    const struct eval_period *p, int n, int64_t now, struct em_result *r,
		    struct zt_err *err);
void em_result_free(struct em_result *r);

#endif
