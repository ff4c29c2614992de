/* required_items.h - a region's required item list (事项清单): the service
 * item codes it must publish, which the evaluation's coverage.published
 * measures (docs/evaluation.md). Loaded from CSV, region by region. */
#ifndef ZT_REQUIRED_ITEMS_H
#define ZT_REQUIRED_ITEMS_H

#include <stdint.h>
#include <stdio.h>

#include "base/err.h"
#include "db/db.h"
#include "domain/resource.h"

#define REQUIRED_CODE_MAX 64  /* bytes of [A-Za-z0-9-] */
#define REQUIRED_NAME_MAX 200 /* characters (code points) */

struct required_result {
	int64_t rows;	  /* data rows read */
	int64_t rejected; /* bad rows */
	int64_t regions;  /* regions whose list was replaced */
	int64_t replaced; /* rows those regions had before */
};

/* Reads CSV (RFC 4180, a UTF-8 BOM allowed; header region_code,code,name
 * in any order) from f and checks every row: a known region, a code of
 * 1-64 characters [A-Za-z0-9-], a name of 1-200 characters (UTF-8, no
 * control characters), no (region_code, code) twice. The file is the
 * complete list of every region it names: if every row is good, one write
 * transaction deletes those regions' rows, inserts the file's and appends
 * one audit record "required_items.import"; regions the file does not name
 * keep theirs. Otherwise nothing is stored, each bad row is reported
 * through hooks and the result is ZT_EINVAL (reason "rejected"). A bad
 * header is ZT_EINVAL with field "header". */
int required_import(db_conn *c, FILE *f, const struct import_hooks *h, struct required_result *res,
		    struct zt_err *err);

#endif
