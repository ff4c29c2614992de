/* opendata.h - the open data portal (数据开放平台): datasets published from
 * open data resources.
 *
 * A data_officer publishes chosen public fields of one of the department's
 * resources whose open type is `open`, with DCAT-AP metadata. Each
 * publication is a version holding its field dictionary and a snapshot of
 * the rows (only the published fields, numbered 1..n); republishing makes
 * version n+1 and keeps the older ones; a withdrawn dataset leaves the
 * catalog. Anyone may search the catalog and query a version's rows with
 * field filters, one sort field and keyset paging. See docs/opendata.md. */
#ifndef ZT_OPENDATA_H
#define ZT_OPENDATA_H

#include <jansson.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/err.h"
#include "db/db.h"
#include "domain/principal.h"
#include "domain/resource.h"

#define OPENDATA_ROWS_MAX     2000000 /* rows of one version */
#define OPENDATA_KEYWORDS_MAX 20
#define OPENDATA_SPATIAL_MAX  20

extern const char *const opendata_licenses[];	 /* "CC-BY-4.0", ..., NULL */
extern const char *const opendata_frequencies[]; /* "realtime", ..., "irregular", NULL */

struct opendata_field_in {
	const char *name;
	const char *description; /* NULL = the resource field's label */
	const char *unit;	 /* NULL = "" */
};

/* A publication. Metadata members are checked at the edge (lengths, enums,
 * day formats); resource and fields are checked here. */
struct opendata_in {
	const char *resource; /* the resource's code */
	const char *code, *title, *description, *theme, *license, *update_frequency;
	const char *temporal_from, *temporal_to; /* 'YYYY-MM-DD' or NULL */
	const char *contact;
	json_t *keywords; /* array of text (borrowed) */
	json_t *spatial;  /* array of region codes (borrowed) */
	struct opendata_field_in fields[RESOURCE_MAX_FIELDS];
	int nfields;
};

/* Publishes version 1 of a new dataset (data_officer of the resource's
 * department) in one write transaction. Errors: ZT_ENOTFOUND (field
 * "resource"), ZT_EFORBIDDEN other department, ZT_ERULE the resource's open
 * type does not allow opening (reason not_open or conditional_open) or too
 * many rows, ZT_EINVAL naming fields[i] (unknown_field, not_public,
 * duplicate) or spatial[i] (unknown_region), ZT_ECONFLICT a taken code. */
int opendata_publish(const struct principal *by, const struct opendata_in *in, int64_t *id,
		     int64_t *version, struct zt_err *err);
/* Version n+1 of dataset id from the resource's current rows; nfields 0
 * keeps the current version's fields. Same errors as publish; a withdrawn
 * dataset is ZT_ECONFLICT. */
int opendata_republish(const struct principal *by, int64_t id,
		       const struct opendata_field_in *fields, int nfields, int64_t *version,
		       struct zt_err *err);
/* Withdraws dataset id (data_officer of its department); again -> ZT_ECONFLICT. */
int opendata_withdraw(const struct principal *by, int64_t id, const char *reason,
		      struct zt_err *err);

struct opendata_query {
	const char *q; /* substring of title, description or keywords */
	int64_t dept_id;
	const char *theme, *region, *update_frequency;
	int limit;
	const char *cursor;
};

/* A page of published datasets {items, next, total, facets}. */
json_t *opendata_search_json(db_conn *c, const struct opendata_query *q, struct zt_err *err);
/* A published dataset: metadata, the current dictionary, its versions and
 * counts. A withdrawn or unknown dataset is ZT_ENOTFOUND. */
json_t *opendata_get_json(db_conn *c, int64_t id, struct zt_err *err);

#endif
