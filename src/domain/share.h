/* share.h - data sharing and exchange (数据共享交换): share requests,
 * grants, API keys, the exchange read through a grant, access records and
 * the data subject's view of them (docs/sharing.md).
 *
 * A grant is the only key to data. The exchange checks it on every call
 * (one indexed lookup, so a revocation by any process takes effect at once),
 * keeps the masking plan of each grant in memory (rebuilt when the
 * resource's fields change), limits calls per grant with a fixed 60-second
 * window held in memory — per process: N processes behind a balancer allow
 * up to N times the limit — and writes the access record, its data subjects
 * and an audit record in one durable transaction before answering. */
#ifndef ZT_SHARE_H
#define ZT_SHARE_H

#include <jansson.h>
#include <stdint.h>

#include "base/err.h"
#include "db/db.h"
#include "domain/principal.h"

/* Inside the caller's write transaction: finds an active, current grant held
 * by consumer_dept on the resource with code resource_code, reads the row
 * whose subject is `subject`, masks it per the grant, records an access
 * (user_id = actor, purpose given) with its subject and an audit record.
 * Returns 1 and sets *row (new reference, masked granted fields) and
 * *grant_id; 0 when no grant or no row; negative error. */
int share_fetch_for_case(db_conn *c, int64_t consumer_dept, const char *resource_code,
			 const char *subject, int64_t actor, const char *purpose, json_t **row,
			 int64_t *grant_id, struct zt_err *err);

#define SHARE_WORKDAYS	   10 /* a conditional request is answered within */
#define SHARE_MAX_FILTERS  5
#define SHARE_DEFAULT_RATE 600
/* docs/sharing.md says 1..100000 a minute; the exchange benchmark (bench/run)
 * reads ~15 000 times a second through one grant, so the bound is 10x. */
#define SHARE_MAX_RATE	  1000000
#define SHARE_KEY_PREFIX  "ztk_"
#define SHARE_KEY_LEN	  48 /* "ztk_" + 43 base64url characters + NUL */
#define SHARE_RATE_WINDOW 60 /* seconds */
#define SHARE_QUERY_MAX	  1000

/* ---- API keys of department systems ---- */

/* 1 if s has the shape of an API key. Cheap. */
int share_key_looks_valid(const char *s);
/* Looks an API key up (by its SM3 hash, not revoked). Returns 1 and fills out
 * as a KIND_SYSTEM principal of the key's department, 0 when unknown or
 * revoked, or a negative error. */
int share_key_lookup(db_conn *c, const char *key, struct principal *out, struct zt_err *err);
/* Makes a key for the caller's department; key receives it (shown once). */
int share_key_create(const struct principal *by, const char *name, int64_t *id,
		     char key[SHARE_KEY_LEN], struct zt_err *err);
/* The department's keys, newest first {items, next}. */
json_t *share_key_list_json(db_conn *c, const struct principal *by, int limit, const char *cursor,
			    struct zt_err *err);
int share_key_revoke(const struct principal *by, int64_t id, struct zt_err *err);
/* A table of keys (department keys api_keys, developer keys dev_api_keys):
 * its name, the column naming a key's owner, and the kind audited
 * ("<kind>.revoke" on "<kind>:<id>"). */
struct key_table {
	const char *table, *owner_col, *kind;
};
/* Revokes key id of table t held by owner, in c's transaction: 404
 * not_found for another owner's key or none (existence not revealed), 409
 * already_revoked; audited as by_user. */
int share_key_row_revoke(db_conn *c, const struct key_table *t, int64_t owner, int64_t id,
			 int64_t by_user, struct zt_err *err);

/* ---- requests and grants ---- */

struct share_request_in {
	const char *resource; /* code */
	json_t *fields;	      /* array of field names (borrowed) */
	json_t *clear_fields; /* NULL or a subset of fields */
	const char *purpose, *legal_basis;
	const char *valid_from; /* "YYYY-MM-DD" or NULL = today */
	const char *valid_to;	/* "YYYY-MM-DD" */
	int rate_limit;		/* per minute */
};

/* The consumer side's request (a data_officer of by->dept_id). *out gets
 * {id, status, grant_id?, due?, reason?}: unconditional resources are
 * granted at once, conditional ones wait (due in SHARE_WORKDAYS working
 * days), none are refused with reason "not_shareable". */
int share_request(const struct principal *by, const struct share_request_in *in, json_t **out,
		  struct zt_err *err);
/* side: "incoming" (requests for the caller's resources) or "outgoing";
 * status NULL = any. */
json_t *share_request_list_json(db_conn *c, const struct principal *by, const char *side,
				const char *status, int limit, const char *cursor,
				struct zt_err *err);
json_t *share_request_get_json(db_conn *c, const struct principal *by, int64_t id,
			       struct zt_err *err);
/* The provider approves (fields: NULL or a subset of the requested ones;
 * clear_fields: NULL = the requested ones still granted, else a subset of
 * both). */
int share_approve(const struct principal *by, int64_t id, json_t *fields, json_t *clear_fields,
		  const char *comment, int64_t *grant_id, struct zt_err *err);
int share_refuse(const struct principal *by, int64_t id, const char *reason, struct zt_err *err);

/* side: "consumer" (every official) or "provider" (data_officer). */
json_t *share_grant_list_json(db_conn *c, const struct principal *by, const char *side,
			      const char *status, int limit, const char *cursor,
			      struct zt_err *err);
/* Officials of the consumer department, data_officers of the provider. */
json_t *share_grant_get_json(db_conn *c, const struct principal *by, int64_t id,
			     struct zt_err *err);
/* The provider's data_officer revokes; effective for the next call. */
int share_grant_revoke(const struct principal *by, int64_t id, const char *reason,
		       struct zt_err *err);

/* ---- the exchange ---- */

struct share_filter {
	const char *field, *value;
};

/* Reads the row with key through grant_id as by (an official of the
 * consumer department or its system). *out = {grant, resource, row}. A
 * missing row is ZT_ENOTFOUND but is recorded like a hit. ZT_ELIMIT sets
 * *retry_after (seconds). */
int share_exchange_key(db_conn *c, const struct principal *by, int64_t grant_id, const char *key,
		       json_t **out, int *retry_after, struct zt_err *err);
/* Rows matching every filter (granted fields only), by key, one page:
 * *out = {grant, resource, items, next}. */
int share_exchange_filter(db_conn *c, const struct principal *by, int64_t grant_id,
			  const struct share_filter *f, int nf, int limit, const char *cursor,
			  json_t **out, int *retry_after, struct zt_err *err);

/* ---- for cross-node sharing and flow-back (fed/xshare.h) ---- */

struct resource_meta;

/* The decision on a request's fields, as the provider's approval makes it:
 * fields_in NULL keeps the requested fields, else a subset of them;
 * clear_in NULL keeps the requested clear fields still granted, else a
 * subset of those. New arrays (resource order) in *fields_out and
 * *clear_out, or an error naming fields[i] / clear_fields[i]. */
int share_decide_fields(const struct resource_meta *m, json_t *req_fields, json_t *req_clear,
			json_t *fields_in, json_t *clear_in, json_t **fields_out,
			json_t **clear_out, struct zt_err *err);
/* The names in list (each a field of m, no repeats, within `within` when
 * not NULL) as a new array in the resource's field order; NULL with err
 * naming what[i]. */
json_t *share_field_list(const struct resource_meta *m, json_t *list, json_t *within,
			 const char *what, struct zt_err *err);

/* A masking plan like a grant's: the granted fields of a resource (its
 * stored fields JSON) in the resource's order, personal and sensitive ones
 * masked unless in clear_fields. NULL when a text is corrupt. */
struct share_plan;
struct share_plan *share_plan_new(int64_t resource_id, const char *code, const char *res_fields,
				  const char *key_field, const char *subject_field,
				  const char *grant_fields, const char *clear_fields);
/* A stored row (canonical JSON) as the plan delivers it (new reference). */
json_t *share_plan_render(const struct share_plan *p, const char *data);
void share_plan_free(struct share_plan *p);
/* Counts one call against limit per SHARE_RATE_WINDOW under key (a local
 * grant's id; other users pick keys that cannot collide, e.g. negative).
 * Returns 0, or the seconds until the window ends when the limit is used. */
int share_rate_take(int64_t key, int limit);

/* ---- access records ---- */

/* Accesses to the caller's own data (citizen: ID number, enterprise: credit
 * code), newest first: by this node's departments, and by other nodes'
 * departments through this node's cross-node grants (items with "remote":
 * true, consumer {id: null, name, region {code, name}}). */
json_t *share_my_access_json(db_conn *c, const struct principal *by, int limit, const char *cursor,
			     struct zt_err *err);
/* A data_officer's view: side "consumer" (the department's reads) or
 * "provider" (reads of its resources); resource (code) and grant_id (0 =
 * any) narrow it. */
json_t *share_access_list_json(db_conn *c, const struct principal *by, const char *side,
			       const char *resource, int64_t grant_id, int limit,
			       const char *cursor, struct zt_err *err);

/* Inside the caller's write transaction: opens one share_overdue 督办 item
 * (for the provider's supervisor) for each of at most max pending requests
 * past their due time that have none. *found gets how many such requests
 * were found (max: there may be more). Returns the number opened or a
 * negative error. Called by the SLA sweep (sla.c). */
int share_escalate_overdue(db_conn *c, int max, int *found, struct zt_err *err);

/* Steps s, whose rows come newest first keyed by the id in column 0,
 * rendering at most limit of them with row_fn, and resets it: the keyset
 * page {items, next}, or NULL on error. */
json_t *share_page_rows(db_stmt *s, int limit, json_t *(*row_fn)(db_stmt *s), struct zt_err *err);

#endif
