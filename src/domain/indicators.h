/* indicators.h - external indicators (economic data such as GDP per capita,
 * scores from outside surveys) per region, period and name, imported from
 * CSV and analysed against the evaluation (evaluate.h). */
#ifndef ZT_INDICATORS_H
#define ZT_INDICATORS_H

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>

#include "base/err.h"
#include "db/db.h"
#include "domain/resource.h"

#define INDICATORS_SOURCE_MAX 200 /* characters of --source */

struct indicators_result {
	int64_t rows, inserted, updated, rejected;
};

/* Reads CSV (RFC 4180; header region_code,period,indicator,value in any
 * order) from f and checks every row: a known region, a valid period
 * (evaluate.h), a name [a-z0-9_]{1,40}, a finite number, no (region,
 * period, indicator) twice. If every row is good, upserts them all in one
 * transaction with source and the time; otherwise stores nothing, reports
 * each bad row through hooks and returns ZT_EINVAL (reason "rejected").
 * A bad header is ZT_EINVAL with field "header". */
int indicators_import(db_conn *c, FILE *f, const char *source, const struct import_hooks *h,
		      struct indicators_result *res, struct zt_err *err);

/* {"indicators":[{"name","periods":[...],"regions":N}]}, by name. */
json_t *indicators_list_json(db_conn *c, struct zt_err *err);

#endif
