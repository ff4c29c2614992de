/* xshare.h - cross-node data sharing and flow-back (数据回流)
 * (docs/federation.md, "Cross-node sharing and flow-back").
 *
 * Two nodes, two roles. The consumer node (B) is where a department asks
 * for data: its data officer sends a request for a resource of the
 * provider node (A), or, on a node below A in the regions tree (L), a
 * subscription to A's resource filtered to L's own regions. The provider
 * node decides with the rules of local sharing (unconditional: granted at
 * once; conditional: its data officer approves, maybe with fewer fields or
 * fewer fields in clear, or refuses; none: refused) and may revoke later.
 *
 * Messages (durable outbox, applied once by the receiver's inbox):
 *   share.request, sub.request   B -> A  the request or subscription
 *   share.decision, sub.decision A -> B  approved (with the terms), refused
 *                                        or revoked
 * Synchronous signed calls (fed_call; A answers):
 *   POST /api/v1/fed/share/resource  the catalog entry of a resource
 *   POST /api/v1/fed/share/fetch     one row through a grant (exchange)
 *   POST /api/v1/fed/feed            a page of a subscription's change feed
 *
 * Tables: consumer side fed_share_requests (requests and subscriptions and
 * their terms; a granted request is B's grant), fed_share_access (every
 * exchange), fed_rows (rows received by subscriptions); provider side
 * fed_share_incoming (requests from other nodes and their grants),
 * fed_share_served and fed_share_served_subjects (every row fetched and
 * every non-empty feed page, shown to the data subjects with the local
 * access records). Local sharing (domain/share.h) is not changed by any of
 * this: a department of another node is not a local department. */
#ifndef ZT_FED_XSHARE_H
#define ZT_FED_XSHARE_H

#include <jansson.h>
#include <stdint.h>

#include "base/err.h"
#include "db/db.h"
#include "domain/principal.h"
#include "fed/envelope.h"

#define XSHARE_REGIONS_MAX 50	/* region codes of one subscription */
#define XSHARE_FEED_MAX	   1000 /* rows of one feed page */
#define XSHARE_FEED_PAGE   500	/* rows a subscriber asks for at a time */
#define XSHARE_PAGES_TICK  8	/* pages one subscription pulls per tick */

#define XSHARE_RESOURCE_PATH "/api/v1/fed/share/resource"
#define XSHARE_FETCH_PATH    "/api/v1/fed/share/fetch"
#define XSHARE_FEED_PATH     "/api/v1/fed/feed"

/* ---- consumer side (B, L) ---- */

struct xshare_request_in {
	int subscription;     /* 0: share request, 1: flow-back subscription */
	const char *provider; /* region code of the provider node */
	const char *resource; /* code at the provider */
	json_t *fields;	      /* field names; NULL = all (subscriptions) */
	json_t *clear_fields; /* NULL = none */
	const char *purpose;  /* NULL for a subscription: "数据回流" */
	const char *legal_basis;
	const char *valid_from; /* requests: NULL = today */
	const char *valid_to;	/* requests */
	int rate_limit;		/* requests: calls a minute */
	json_t *regions;	/* subscriptions: region codes (this node's or below) */
};

/* A data officer of by->dept_id asks the provider node. The provider's
 * catalog entry is read first (a signed call): an unknown resource or
 * field is refused here (ZT_ERULE / ZT_EINVAL naming the field), an
 * unreachable provider is ZT_EUNAVAIL (reason provider_unreachable).
 * A subscription needs the provider above this node in the regions tree
 * (ZT_ERULE provider) and regions at or below this node's region
 * (ZT_EFORBIDDEN naming regions[i]). Then the request and its message go
 * in one transaction; *out = the request as xshare_request_get_json shows
 * it (state pending). */
int xshare_request(const struct principal *by, const struct xshare_request_in *in, json_t **out,
		   struct zt_err *err);
/* The department's requests (kind "request" or "subscription", state NULL
 * = any), newest first {items, next}; every official of the department. */
json_t *xshare_request_list_json(db_conn *c, const struct principal *by, const char *kind,
				 const char *state, int limit, const char *cursor,
				 struct zt_err *err);
json_t *xshare_request_get_json(db_conn *c, const struct principal *by, int64_t id,
				struct zt_err *err);
/* Reads the row with key through the granted request id as by (an
 * official of its department or the department's system): a signed call
 * to the provider, which checks its grant, masks, records the access and
 * answers; then the access is recorded here. *out = {grant, provider,
 * resource, row}. A row the provider does not have is ZT_ENOTFOUND (both
 * sides recorded it); a refusal of the provider keeps its reason
 * (grant_revoked, grant_expired, rate_limited with *retry_after...); an
 * unreachable provider is ZT_EUNAVAIL. */
int xshare_exchange(const struct principal *by, int64_t id, const char *key, json_t **out,
		    int *retry_after, struct zt_err *err);
/* The rows a subscription received, by key {items:[{key, seq, row,
 * received_at}], next}. */
json_t *xshare_rows_json(db_conn *c, const struct principal *by, int64_t id, int limit,
			 const char *cursor, struct zt_err *err);
/* Access records of cross-node sharing for a data officer: side
 * "consumer" (this department's exchanges through remote grants) or
 * "provider" (rows of its resources served to other nodes). */
json_t *xshare_access_list_json(db_conn *c, const struct principal *by, const char *side, int limit,
				const char *cursor, struct zt_err *err);

/* ---- provider side (A) ---- */

/* Requests and subscriptions of other nodes for the caller department's
 * resources (kind, status NULL = any), newest first. */
json_t *xshare_incoming_list_json(db_conn *c, const struct principal *by, const char *kind,
				  const char *status, int limit, const char *cursor,
				  struct zt_err *err);
json_t *xshare_incoming_get_json(db_conn *c, const struct principal *by, int64_t id,
				 struct zt_err *err);
/* The provider's data officer decides a pending one (the rules and field
 * checks of share_approve / share_refuse) or revokes an approved one; the
 * decision goes to the consumer's node in the same transaction. */
int xshare_approve(const struct principal *by, int64_t id, json_t *fields, json_t *clear_fields,
		   const char *comment, struct zt_err *err);
int xshare_refuse(const struct principal *by, int64_t id, const char *reason, struct zt_err *err);
int xshare_revoke(const struct principal *by, int64_t id, const char *reason, struct zt_err *err);

/* Answers of the signed calls; e is the verified envelope, body the JSON
 * body. Each returns 0 with *out, or an error to reply. */
int xshare_serve_resource(db_conn *c, const struct envelope *e, json_t *body, json_t **out,
			  struct zt_err *err);
int xshare_serve_fetch(db_conn *c, const struct envelope *e, json_t *body, json_t **out,
		       int *retry_after, struct zt_err *err);
int xshare_serve_feed(db_conn *c, const struct envelope *e, json_t *body, json_t **out,
		      struct zt_err *err);

/* ---- messages (fed/inbox.h) ---- */

/* share.request and sub.request (provider side): records the request and,
 * unless it waits for the data officer, sends the decision back. */
int xshare_on_share_request(db_conn *c, const char *sender, json_t *payload, json_t *answer,
			    struct zt_err *err);
int xshare_on_sub_request(db_conn *c, const char *sender, json_t *payload, json_t *answer,
			  struct zt_err *err);
/* share.decision and sub.decision (consumer side). */
int xshare_on_decision(db_conn *c, const char *sender, json_t *payload, json_t *answer,
		       struct zt_err *err);

/* ---- flow-back pulls ---- */

/* Federation ticker job (fed.c), every cfg.fed_interval_ms: every granted
 * subscription pulls its feed from its cursor and stores each page and the
 * new cursor in one transaction (no gap, no duplicate, across restarts). */
void xshare_tick(void);
/* One pull pass over every granted subscription (the tick, and tests).
 * Returns the number of rows applied, or a negative error. */
int xshare_pull_all(struct zt_err *err);

/* ---- received rows at rest (encryption at rest, crypto/fieldenc.h) ----
 *
 * The subscriber does not know the provider's field classes; what it
 * knows is the grant's clear fields, and those are the only personal or
 * sensitive values that arrive in clear (others come masked). So: */

/* Seals a received row in place: the value of every clear field becomes an
 * "enc1:" value of its JSON text (values already sealed are left). When
 * key, as received, is the value of one of those fields (a personal key
 * given in clear), *stored_key is its blind index, else key itself. key
 * and stored_key may not overlap. */
void xshare_row_seal(json_t *row, json_t *clear_fields, const char *key, char *stored_key,
		     size_t cap);
/* The key as received, for a stored key and its opened row: a blind index
 * is matched against the row's values (under its own lookup version). 0,
 * or -1 when none matches (a corrupt row, or a lookup key not held). */
int xshare_row_key(json_t *opened_row, const char *stored_key, char *out, size_t cap);

#endif
