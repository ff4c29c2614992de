/* fed.c - federation plumbing over HTTP: the inbox other nodes deliver
 * signed messages to, the hub's signed registry, the public list of known
 * nodes and the operators' status page (docs/federation.md). */
#include "api/handlers.h"
#include "http/req.h"
#include "http/validate.h"
#include "base/clock.h"
#include "base/log.h"
#include "fed/client.h"
#include "fed/envelope.h"
#include "fed/inbox.h"
#include "fed/node.h"
#include "fed/outbox.h"
#include "fed/registry.h"

#include <microhttpd.h>
#include <string.h>

static const char *
get_header(void *ctx, const char *name)
{
	return req_header(ctx, name);
}

int
fed_req_verify(struct req *r, struct envelope *e)
{
	struct zt_err err;
	int rc;

	err_clear(&err);
	if (req_query_each(r, NULL, NULL) > 0) {
		req_field_error(r, "query", "not_allowed",
				"a signed call carries its arguments in the body, not the query");
		reply_if_invalid(r);
		return -1;
	}
	if ((rc = envelope_parse(get_header, r, e, &err)) == 0)
		rc = envelope_verify(req_db(r), e, r->method, r->path,
				     r->body.data ? r->body.data : "", r->body.len, clock_now(),
				     ENVELOPE_DEFAULT_SKEW, &err);
	if (rc == 0)
		return 0;
	if (rc == ZT_EUNAUTH || rc == ZT_EINVAL)
		log_warn("federation: refused %s %s from %s: %s (%s)", r->method, r->path,
			 e->sender[0] ? e->sender : "?", err.reason, err.msg);
	reply_err(r, &err);
	return -1;
}

/* POST /api/v1/fed/inbox {"type", "payload"}: applies one message exactly
 * once. 200 {"status": "applied", "message_id", "result"}; 409 replayed
 * when it was applied before. */
void
h_fed_inbox(struct req *r)
{
	struct envelope e;
	struct zt_err err;

	memset(&e, 0, sizeof(e));
	if (fed_req_verify(r, &e) < 0)
		return;
	const char *type = v_str(r, r->json, "type", 1, 1, 64);
	json_t *payload = v_object(r, r->json, "payload", 1);
	if (reply_if_invalid(r))
		return;
	json_t *answer = json_object();
	err_clear(&err);
	int rc = inbox_apply(&e, type, payload, answer, &err);
	if (rc < 0) {
		json_decref(answer);
		if (rc != ZT_ECONFLICT || strcmp(err.reason, "replayed") != 0)
			log_warn("federation: message %s (%s) from %s not applied: %s",
				 e.message_id, type, e.sender, err.msg);
		reply_err(r, &err);
		return;
	}
	json_t *o = json_object();
	json_object_set_new(o, "status", json_string("applied"));
	json_object_set_new(o, "message_id", json_string(e.message_id));
	json_object_set_new(o, "result", answer);
	reply_json(r, 200, o);
}

/* GET /api/v1/fed/registry: the hub's signed registry (404 elsewhere). */
void
h_fed_registry(struct req *r)
{
	struct zt_err err;

	err_clear(&err);
	json_t *doc = registry_document(req_db(r), &err);
	if (doc == NULL) {
		reply_err(r, &err);
		return;
	}
	reply_json(r, 200, doc);
}

/* GET /api/v1/fed/nodes: this node and the nodes it knows, for the portal
 * ("handled at ..."). Addresses and keys are public: they are in the
 * hub's public registry anyway. */
void
h_fed_nodes(struct req *r)
{
	struct zt_err err;
	struct node_identity id;

	err_clear(&err);
	json_t *o = registry_status_json(req_db(r), &err);
	if (o == NULL) {
		reply_err(r, &err);
		return;
	}
	int rc = node_identity_load(req_db(r), &id, &err);
	if (rc < 0) {
		json_decref(o);
		reply_err(r, &err);
		return;
	}
	json_object_set_new(o, "self",
			    rc == 0 ? json_null()
				    : json_pack("{s:s, s:s, s:s, s:s?}", "region", id.region,
						"name", id.name, "region_name", id.region_name,
						"parent_region", id.parent[0] ? id.parent : NULL));
	reply_json(r, 200, o);
}

/* GET /api/v1/fed/status?status=&limit=: identity, registry, outbox. */
void
h_fed_status(struct req *r)
{
	struct zt_err err;
	int64_t limit;
	const char *st = q_str(r, "status", 16);

	q_int(r, "limit", 1, 200, 50, &limit);
	if (st && strcmp(st, "pending") != 0 && strcmp(st, "delivered") != 0 &&
	    strcmp(st, "failed") != 0)
		req_field_error(r, "status", "enum", "status is pending, delivered or failed");
	if (reply_if_invalid(r))
		return;
	err_clear(&err);
	json_t *reg = registry_status_json(req_db(r), &err);
	json_t *ob = reg ? outbox_json(req_db(r), st, (int)limit, &err) : NULL;
	if (ob == NULL) {
		json_decref(reg);
		reply_err(r, &err);
		return;
	}
	json_t *o = json_object();
	json_object_set_new(o, "region", json_string(fed_self()));
	json_object_set_new(o, "registry", reg);
	json_object_set_new(o, "outbox", ob);
	reply_json(r, 200, o);
}
