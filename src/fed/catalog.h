/* catalog.h - catalog up: the service items and data resources of lower
 * nodes, searchable at the upper nodes (docs/federation-catalog.md).
 *
 * Every node serves a change feed of its catalog to its parent: its own
 * items (published and withdrawn, never drafts) and resources (catalog
 * metadata only), and the entries it holds from the nodes below it, in the
 * order of one change sequence (fed_seq, kept by triggers of migration
 * 009). The parent pulls each child's feed in catalog_tick() and upserts
 * the entries into fed_catalog together with the child's cursor, in one
 * write transaction. A search at a node covers its own catalog and every
 * entry held from below; at the hub that is the whole country. */
#ifndef ZT_FED_CATALOG_H
#define ZT_FED_CATALOG_H

#include <jansson.h>
#include <stdint.h>

#include "base/err.h"
#include "db/db.h"

#define CATALOG_FEED_MAX   500 /* entries per feed page */
#define CATALOG_PULL_LIMIT 200 /* entries a parent asks for per page */
#define CATALOG_CODE_MAX   40  /* characters of an item's or resource's code */
#define CATALOG_SEARCH_MAX 100 /* results per search page */

enum catalog_kind { CATALOG_ANY = 0, CATALOG_SERVICE = 1, CATALOG_RESOURCE = 2 };

/* One page of this node's feed: the entries whose change number is greater
 * than after (0 = from the start), oldest change first, at most limit.
 * Returns {"entries": [...], "next": cursor or null (no entries: keep
 * yours), "head": cursor of the newest change here}. */
json_t *catalog_feed(db_conn *c, int64_t after, int limit, struct zt_err *err);

/* Parses a feed cursor (decimal, up to 18 digits; NULL = 0). Returns 0, or
 * ZT_EINVAL naming field. */
int catalog_cursor_parse(const char *s, const char *field, int64_t *out, struct zt_err *err);

/* 1 if region is this node's parent (node_meta fed_parent, or else the
 * parent_region of this node's own fed_nodes row), 0 if not; negative on
 * error. */
int catalog_is_parent(db_conn *c, const char *region, struct zt_err *err);

struct catalog_query {
	const char *q;	    /* substring(s) of name, summary or department; NULL = any */
	int kind;	    /* enum catalog_kind */
	const char *region; /* six digits: entries of that region and below; NULL = all */
	unsigned cross;	    /* a cross_mode bit (services only), 0 = any */
	int limit;	    /* 1..CATALOG_SEARCH_MAX */
	const char *cursor; /* from a previous page's next, or NULL */
	int officials;	    /* 1: data resources are listed too */
};

/* Searches this node's own published items (and, for officials, resources)
 * and the published entries held from the nodes below. Ordered by origin
 * node, kind and code; {items: [...], next}. Errors: ZT_EINVAL (field
 * cursor). */
json_t *catalog_search(db_conn *c, const struct catalog_query *q, struct zt_err *err);

/* The full public guide (as GET /api/v1/services/{id} gives it) of this
 * node's own published item code, or NULL with ZT_ENOTFOUND. */
json_t *catalog_item_json(db_conn *c, const char *code, struct zt_err *err);

/* {region, region_name, node_name, url} of the node of region (url null
 * when unknown); NULL with ZT_ENOTFOUND when no such node is known. */
json_t *catalog_origin_json(db_conn *c, const char *region, struct zt_err *err);

/* 1 if s is a code: 1..CATALOG_CODE_MAX letters, digits, '.', '_', '-'. */
int catalog_code_valid(const char *s);

/* Federation ticker job (fed.c), every cfg.fed_interval_ms: pulls the feed
 * of each active child node at most once a second (sooner while pages come
 * back full); a child that does not answer is retried later and logged once
 * per outage. */
void catalog_tick(void);

#endif
