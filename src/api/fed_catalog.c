/* fed_catalog.c - catalog up over HTTP (docs/federation-catalog.md): the
 * signed feed a node serves its parent, the signed search and item calls
 * between nodes, the public search (this node and the nodes below it, or
 * with scope=national the hub's) and a remote item's guide. */
#include "api/handlers.h"
#include "http/req.h"
#include "http/validate.h"
#include "base/log.h"
#include "fed/catalog.h"
#include "fed/client.h"
#include "fed/envelope.h"
#include "fed/registry.h"
#include "domain/service.h"

#include <string.h>

static const char *const kinds[] = {"service", "resource", NULL}; /* enum catalog_kind - 1 */
static const char *const scopes[] = {"local", "national", NULL};
static const char *const audiences[] = {"public", "official", NULL};

static int
region_valid(const char *s)
{
	return strlen(s) == 6 && strspn(s, "0123456789") == 6;
}

/* The checks a search's words share, whether they come from the query
 * string or a signed body; fills q. */
static void
check_query(struct req *r, const char *kind, const char *region, const char *cross,
	    struct catalog_query *q)
{
	if (kind) {
		int k = -1;
		for (int i = 0; kinds[i]; i++)
			if (strcmp(kinds[i], kind) == 0)
				k = i;
		if (k < 0)
			req_field_error(r, "kind", "enum", "kind is service or resource");
		else
			q->kind = k + 1;
	}
	if (region && !region_valid(region))
		req_field_error(r, "region", "format", "a six-digit region code");
	q->region = region;
	if (cross) {
		for (int i = 0; cross_mode_names[i]; i++)
			if (strcmp(cross, cross_mode_names[i]) == 0)
				q->cross = 1u << i;
		if (q->cross == 0)
			req_field_error(r, "cross", "enum",
					"cross is full_online, proxy or multi_site");
	}
}

/* Replies with a search's answer, or its error. */
static void
reply_search(struct req *r, const struct catalog_query *q)
{
	struct zt_err err;

	err_clear(&err);
	json_t *o = catalog_search(req_db(r), q, &err);
	if (o == NULL) {
		reply_err(r, &err);
		return;
	}
	reply_json(r, 200, o);
}

/* POST /api/v1/fed/catalog/feed {"after": cursor|null, "limit": 1..500}:
 * one page of this node's catalog changes, for its parent only. */
void
h_fed_catalog_feed(struct req *r)
{
	static const char *const fields[] = {"after", "limit", NULL};
	struct envelope e;
	struct zt_err err;
	int64_t after = 0, limit = CATALOG_PULL_LIMIT;

	memset(&e, 0, sizeof(e));
	if (fed_req_verify(r, &e) < 0)
		return;
	err_clear(&err);
	int rc = catalog_is_parent(req_db(r), e.sender, &err);
	if (rc < 0) {
		reply_err(r, &err);
		return;
	}
	if (rc == 0) {
		log_warn("catalog: refused the feed to %s, which is not this node's parent",
			 e.sender);
		reply_problem(r, 403, "not_parent",
			      "only the parent node of this node may read its catalog feed");
		return;
	}
	v_only(r, r->json, "", fields);
	const char *a = v_str(r, r->json, "after", 0, 1, 18);
	if (a && catalog_cursor_parse(a, "after", &after, &err) < 0)
		req_field_error(r, "after", "invalid", "%s", err.msg);
	v_int(r, r->json, "limit", 0, 1, CATALOG_FEED_MAX, CATALOG_PULL_LIMIT, &limit);
	if (reply_if_invalid(r))
		return;
	json_t *o = catalog_feed(req_db(r), after, (int)limit, &err);
	if (o == NULL) {
		reply_err(r, &err);
		return;
	}
	reply_json(r, 200, o);
}

/* POST /api/v1/fed/catalog/query {q, kind, region, cross, limit, cursor,
 * audience}: the search of GET /api/v1/fed/catalog for another node (the
 * hub serves the national search this way). audience "official" lists data
 * resources too: the calling node vouches for its user. */
void
h_fed_catalog_query(struct req *r)
{
	static const char *const fields[] = {"q",     "kind",	"region",   "cross",
					     "limit", "cursor", "audience", NULL};
	struct envelope e;
	struct catalog_query q;
	int64_t limit = 20;

	memset(&e, 0, sizeof(e));
	if (fed_req_verify(r, &e) < 0)
		return;
	memset(&q, 0, sizeof(q));
	v_only(r, r->json, "", fields);
	q.q = v_str(r, r->json, "q", 0, 1, 100);
	const char *kind = v_str(r, r->json, "kind", 0, 1, 16);
	const char *region = v_str(r, r->json, "region", 0, 6, 6);
	const char *cross = v_str(r, r->json, "cross", 0, 1, 20);
	v_int(r, r->json, "limit", 0, 1, CATALOG_SEARCH_MAX, 20, &limit);
	q.cursor = v_str(r, r->json, "cursor", 0, 1, 100);
	q.officials = v_enum(r, r->json, "audience", 0, audiences) == 1;
	check_query(r, kind, region, cross, &q);
	q.limit = (int)limit;
	if (reply_if_invalid(r))
		return;
	reply_search(r, &q);
}

/* POST /api/v1/fed/catalog/item {"code"}: the public guide of one of this
 * node's own published items. */
void
h_fed_catalog_item(struct req *r)
{
	static const char *const fields[] = {"code", NULL};
	struct envelope e;
	struct zt_err err;

	memset(&e, 0, sizeof(e));
	if (fed_req_verify(r, &e) < 0)
		return;
	v_only(r, r->json, "", fields);
	const char *code = v_str(r, r->json, "code", 1, 1, CATALOG_CODE_MAX);
	if (code && !catalog_code_valid(code))
		req_field_error(r, "code", "format", "letters, digits, '.', '_' and '-'");
	if (reply_if_invalid(r))
		return;
	err_clear(&err);
	json_t *o = catalog_item_json(req_db(r), code, &err);
	if (o == NULL) {
		reply_err(r, &err);
		return;
	}
	reply_json(r, 200, o);
}

/* The national search from a node that is not the hub: the same query,
 * signed, to the hub; its answer passed on. */
static void
search_at_hub(struct req *r, const struct catalog_query *q, const char *kind, const char *cross)
{
	struct zt_err err;
	long status;
	json_t *answer = NULL;

	json_t *body =
	    json_pack("{s:s?, s:s?, s:s?, s:s?, s:i, s:s?, s:s}", "q", q->q, "kind", kind, "region",
		      q->region, "cross", cross, "limit", q->limit, "cursor", q->cursor, "audience",
		      q->officials ? "official" : "public");
	err_clear(&err);
	int rc = fed_call(REGISTRY_HUB, "POST", "/api/v1/fed/catalog/query", body, &status, &answer,
			  &err);
	json_decref(body);
	if (rc == 0 && status == 200 && json_is_array(json_object_get(answer, "items"))) {
		reply_json(r, 200, answer);
		return;
	}
	if (rc == 0 && status >= 400 && status < 500 && status != 401 && status != 403 &&
	    json_is_object(answer)) {
		/* The hub found the query wrong (a stale cursor): say so. */
		json_t *errors = json_object_get(answer, "errors");
		if (json_is_array(errors) && json_array_size(errors) > 0) {
			json_t *f = json_array_get(errors, 0);
			const char *field = json_string_value(json_object_get(f, "field"));
			const char *detail = json_string_value(json_object_get(f, "detail"));
			req_field_error(r, field ? field : "query", "hub", "%s",
					detail ? detail : "refused by the national hub");
			json_decref(answer);
			reply_if_invalid(r);
			return;
		}
	}
	if (rc < 0)
		log_warn("catalog: national search: the hub is not reachable: %s", err.msg);
	else
		log_warn("catalog: national search: the hub answered HTTP %ld", status);
	json_decref(answer);
	reply_problem(
	    r, 503, "hub_unreachable",
	    "the national hub cannot be reached for a national search now; try again later"
	    " or search this region");
}

/* GET /api/v1/fed/catalog?q=&kind=&region=&cross=&limit=&cursor=&scope=:
 * this node's own published items and resources and the entries of the
 * nodes below it; scope=national asks the hub (at the hub: the same). Data
 * resources are listed for officials only. */
void
h_fed_catalog_search(struct req *r)
{
	struct catalog_query q;
	int64_t limit;

	memset(&q, 0, sizeof(q));
	q.q = q_str(r, "q", 100);
	const char *kind = q_str(r, "kind", 16);
	const char *region = q_str(r, "region", 6);
	const char *cross = q_str(r, "cross", 20);
	const char *scope = q_str(r, "scope", 16);
	q_int(r, "limit", 1, CATALOG_SEARCH_MAX, 20, &limit);
	q.cursor = q_str(r, "cursor", 100);
	check_query(r, kind, region, cross, &q);
	int national = 0;
	if (scope) {
		if (strcmp(scope, scopes[1]) == 0)
			national = 1;
		else if (strcmp(scope, scopes[0]) != 0)
			req_field_error(r, "scope", "enum", "scope is local or national");
	}
	q.limit = (int)limit;
	if (reply_if_invalid(r))
		return;
	q.officials = r->who.kind == KIND_OFFICIAL;
	if (q.kind == CATALOG_RESOURCE && !q.officials) {
		reply_problem(
		    r, 403, "officials_only",
		    "data resources are listed for officials only; sign in as an official");
		return;
	}
	const char *self = fed_self();
	if (national && strcmp(self, REGISTRY_HUB) != 0) {
		if (self[0] == '\0') {
			reply_problem(r, 503, "hub_unreachable",
				      "this node is not part of a federation (no node identity)");
			return;
		}
		search_at_hub(r, &q, kind, cross);
		return;
	}
	reply_search(r, &q);
}

/* GET /api/v1/fed/services/{region}/{code}: the guide of a published item
 * of the node of region (this node's own, or fetched from that node with a
 * signed call), as GET /api/v1/services/{id} gives it, plus "origin":
 * {region, region_name, node_name, url, local}, local true when region is
 * this node's own. */
void
h_fed_services_get(struct req *r)
{
	struct zt_err err;
	const char *region = r->params[0], *code = r->params[1];
	json_t *item = NULL, *answer = NULL;
	long status = 0;

	if (!region_valid(region))
		req_field_error(r, "region", "format", "a six-digit region code");
	if (!catalog_code_valid(code))
		req_field_error(r, "code", "format", "letters, digits, '.', '_' and '-'");
	if (reply_if_invalid(r))
		return;
	err_clear(&err);
	json_t *origin = catalog_origin_json(req_db(r), region, &err);
	if (origin == NULL) {
		reply_err(r, &err);
		return;
	}
	int local = strcmp(region, fed_self()) == 0;
	json_object_set_new(origin, "local", json_boolean(local));
	if (local) {
		if ((item = catalog_item_json(req_db(r), code, &err)) == NULL) {
			json_decref(origin);
			reply_err(r, &err);
			return;
		}
	} else {
		json_t *body = json_pack("{s:s}", "code", code);
		int rc = fed_call(region, "POST", "/api/v1/fed/catalog/item", body, &status,
				  &answer, &err);
		json_decref(body);
		if (rc == 0 && status == 200 && json_is_object(answer) &&
		    json_is_string(json_object_get(answer, "code")) &&
		    strcmp(json_string_value(json_object_get(answer, "code")), code) == 0) {
			item = answer;
			answer = NULL;
		} else if (rc == 0 && status == 404) {
			json_decref(answer);
			json_decref(origin);
			reply_problem(r, 404, "not_found",
				      "that node has no published service item of this code");
			return;
		} else {
			if (rc < 0)
				log_warn("catalog: item %s of %s: %s", code, region, err.msg);
			else
				log_warn("catalog: item %s of %s: HTTP %ld", code, region, status);
			json_decref(answer);
			json_decref(origin);
			reply_problem(
			    r, 503, "node_unreachable",
			    "the node of that region cannot be reached now; try again later");
			return;
		}
	}
	json_object_set_new(item, "origin", origin);
	reply_json(r, 200, item);
}
