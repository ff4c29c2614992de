/* org.h - regions (GB/T 2260) and departments (统一社会信用代码, GB 32100). */
#ifndef ZT_ORG_H
#define ZT_ORG_H

#include <jansson.h>
#include <stdint.h>

#include "base/err.h"
#include "db/db.h"
#include "domain/principal.h"

struct dept_in {
	const char *credit_code;
	const char *name;
	const char *name_en;
	const char *region_code;
	int oversight; /* 1: the region's supervision office (督查室), whose
			* supervisors see the region and receive escalations */
};

/* Inserts the national root, the 31 provinces and the demo province's
 * cities and counties (idempotent), inside the caller's transaction. */
int org_seed_regions(db_conn *c, struct zt_err *err);
/* Creates a department; by = NULL for the CLI. Returns 0 and its id. */
int org_add_department(const struct principal *by, const struct dept_in *in, int64_t *id,
		       struct zt_err *err);
/* Lists regions; parent NULL = all. */
json_t *org_regions_json(db_conn *c, const char *parent, struct zt_err *err);
json_t *org_departments_json(db_conn *c, const char *region, struct zt_err *err);
/* 1 if the region exists, 0 if not, negative on error. */
int org_region_exists(db_conn *c, const char *code, struct zt_err *err);
/* Region code of a department, "" if unknown. */
int org_dept_region(db_conn *c, int64_t dept_id, char out[8], struct zt_err *err);

/* SQL: the codes of region ?1 and of every region below it, a subquery
 * for "x IN " ORG_SUBTREE_OF_1. */
#define ORG_SUBTREE_OF_1                                                                           \
	"(WITH RECURSIVE sub(code) AS (SELECT CAST(?1 AS TEXT) UNION ALL"                          \
	" SELECT r.code FROM regions r JOIN sub ON r.parent = sub.code) SELECT code FROM sub)"

#endif
