/* xshare_int.h - what xshare.c and xshare_feed.c share inside the
 * cross-node sharing module (not a public contract; see xshare.h). */
#ifndef ZT_FED_XSHARE_INT_H
#define ZT_FED_XSHARE_INT_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "db/db.h"
#include "fed/envelope.h"

struct resource_meta;
struct share_plan;

/* JSON of a text (NULL -> null), of a column: text, time, JSON array. */
json_t *xs_str(const char *s);
json_t *xs_col_text(db_stmt *s, int col);
json_t *xs_col_time(db_stmt *s, int col);
json_t *xs_col_array(db_stmt *s, int col);

/* 1 when region code is root or lies below it in the regions tree, 0 when
 * not, negative on error. */
int xs_region_below(db_conn *c, const char *code, const char *root, struct zt_err *err);
/* The region's name (its code when unknown). */
int xs_region_name(db_conn *c, const char *code, char *out, size_t cap, struct zt_err *err);

/* The reason of a problem+json answer: its first field error's, else the
 * last part of its type; NULL when neither. Borrowed from j. */
const char *xs_problem_reason(json_t *j);

/* Keyset paging newest first by id (column 0). */
int xs_page_before(const char *cursor, int64_t *before, struct zt_err *err);

/* An approved request or subscription of another node (the provider's
 * fed_share_incoming row), as fetch and feed check it. */
struct xs_grant {
	int64_t id, resource_id;
	char status[12], from[11], to[11];
	int rate_limit;
	char *fields, *clear, *purpose, *regions;
	struct resource_meta *m;
	char *res_fields;
	char salt[ENVELOPE_MSGID_LEN]; /* subscriptions: of pseudonymous keys */
};

/* Loads incoming id for the node sender (kind request, or subscription
 * when sub) and admits it: ZT_EFORBIDDEN not_granted (none of the
 * sender's, or not approved), grant_revoked / subscription_revoked,
 * grant_not_started, grant_expired. On 0 the caller frees g. */
int xs_grant_load(db_conn *c, const char *sender, int64_t id, int sub, struct xs_grant *g,
		  struct zt_err *err);
void xs_grant_free(struct xs_grant *g);
/* The masking plan of g (NULL if corrupt); share_plan_free() it. */
struct share_plan *xs_grant_plan(const struct xs_grant *g);

/* One thing served to another node, for the provider's access log. */
struct xs_served {
	int64_t incoming_id, resource_id;
	const char *kind; /* fetch | feed */
	const char *by, *purpose, *query;
	int rows;
	const char *const *subjects;
	int nsubjects;
};

/* In one durable transaction: marks the call's envelope seen (a replayed
 * call is refused, ZT_ECONFLICT replayed), appends the audit record and the
 * served record with its subjects; *id gets the record's id. */
int xs_write_served(const struct envelope *e, const struct xs_served *v, int64_t *id,
		    struct zt_err *err);

#endif
