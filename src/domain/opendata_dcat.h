/* opendata_dcat.h - the open data catalog as DCAT-AP JSON-LD, for
 * harvesters (data.gov.cn-style portals, the EU data portal, CKAN).
 *
 * One page of the catalog is a dcat:Catalog whose dcat:dataset lists
 * published datasets (and, when asked for changes since a time, the
 * datasets withdrawn since then with adms:status Withdrawn so harvesters
 * delete them), ordered by (modified_at, id) with keyset paging. IRIs are
 * absolute, built from the base URL the caller gives. See docs/opendata.md. */
#ifndef ZT_OPENDATA_DCAT_H
#define ZT_OPENDATA_DCAT_H

#include <jansson.h>
#include <stdint.h>

#include "base/err.h"
#include "db/db.h"

#define OPENDATA_DCAT_LIMIT_MAX	    500
#define OPENDATA_DCAT_LIMIT_DEFAULT 100

struct opendata_dcat_query {
	const char *base;	/* "http://host:port", no trailing '/' */
	const char *publisher;	/* the catalog's publisher (this node's name) */
	int has_since;		/* modified_since given */
	int64_t modified_since; /* Unix seconds */
	const char *since_text; /* as given, repeated in page links */
	int limit;		/* 1..OPENDATA_DCAT_LIMIT_MAX */
	const char *cursor;	/* NULL = first page */
};

/* The IRI of a license id ("CC-BY-4.0" -> the Creative Commons deed), or
 * NULL when unknown. */
const char *opendata_license_iri(const char *license);
/* The EU frequency vocabulary IRI of an update frequency, or NULL. */
const char *opendata_frequency_iri(const char *frequency);

/* Parses modified_since: "YYYY-MM-DD" (00:00 China time that day) or an
 * ISO 8601 time "YYYY-MM-DDTHH:MM:SS[.fff][Z|+hh:mm]" (no zone = China
 * time). Returns 0 with *out set, or -1. */
int opendata_dcat_parse_since(const char *s, int64_t *out);

/* One page of the catalog as a JSON-LD document. A bad cursor is ZT_EINVAL
 * naming "cursor" (reason invalid). */
json_t *opendata_dcat_catalog(db_conn *c, const struct opendata_dcat_query *q, struct zt_err *err);

#endif
