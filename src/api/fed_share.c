/* fed_share.c - cross-node sharing and flow-back over HTTP
 * (docs/federation.md, "Cross-node sharing and flow-back"; fed/xshare.h):
 * the consumer's requests, subscriptions and exchange, the provider's
 * decisions, and the three signed calls other nodes make (catalog entry,
 * row fetch, feed page). */
#include "api/handlers.h"
#include "api/handlers_fed.h"
#include "api/handlers_fed_share.h"
#include "http/req.h"
#include "http/validate.h"
#include "base/calendar.h"
#include "base/clock.h"
#include "domain/resource.h"
#include "domain/share.h"
#include "fed/client.h"
#include "fed/envelope.h"
#include "fed/xshare.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const out_states[] = {"pending", "granted", "refused", "revoked", NULL};
static const char *const in_states[] = {"pending", "approved", "refused", "revoked", NULL};
static const char *const kinds[] = {"request", "subscription", NULL};
static const char *const access_sides[] = {"consumer", "provider", NULL};

/* A query-string enum: its value, dflt when absent, NULL with a field
 * error when not allowed. */
static const char *
q_one_of(struct req *r, const char *key, const char *const *allowed, const char *dflt)
{
	const char *s = q_str(r, key, 20);

	if (s == NULL)
		return req_query(r, key) && *req_query(r, key) ? NULL : dflt;
	for (int i = 0; allowed[i]; i++)
		if (strcmp(allowed[i], s) == 0)
			return allowed[i];
	req_field_error(r, key, "enum", "%s is not an allowed value", s);
	return NULL;
}

static void
reply_or_err(struct req *r, int status, json_t *o, const struct zt_err *err)
{
	if (o == NULL)
		reply_err(r, err);
	else
		reply_json(r, status, o);
}

static void
reply_limited(struct req *r, const struct zt_err *err, int retry_after)
{
	if (err->code == ZT_ELIMIT) {
		char s[16];
		snprintf(s, sizeof(s), "%d", retry_after > 0 ? retry_after : 60);
		req_add_header(r, "Retry-After", s);
	}
	reply_err(r, err);
}

static int
region_code_ok(const char *s)
{
	return s && strlen(s) == 6 && strspn(s, "0123456789") == 6;
}

static void
check_day(struct req *r, const char *field, const char *s)
{
	int32_t d;

	if (s && (strlen(s) != 10 || date_parse(s, &d) < 0))
		req_field_error(r, field, "format", "a day YYYY-MM-DD");
}

/* The common members of a request and a subscription. */
static void
parse_ask(struct req *r, struct xshare_request_in *in)
{
	in->provider = v_str(r, r->json, "provider_region", 1, 6, 6);
	if (in->provider && !region_code_ok(in->provider))
		req_field_error(r, "provider_region", "format", "a region code is six digits");
	in->resource = v_str(r, r->json, "resource_code", 1, 1, RESOURCE_CODE_MAX - 1);
	in->fields = v_array(r, r->json, "fields", !in->subscription, 1, RESOURCE_MAX_FIELDS);
	in->clear_fields = v_array(r, r->json, "clear_fields", 0, 0, RESOURCE_MAX_FIELDS);
}

/* ---- consumer side ---- */

void
h_xshare_requests_create(struct req *r)
{
	static const char *const keys[] = {
	    "provider_region", "resource_code", "fields", "clear_fields", "purpose", "legal_basis",
	    "valid_from",      "valid_to",	"days",	  "rate_limit",	  NULL};
	struct xshare_request_in in;
	struct zt_err err;
	int64_t rate, days = 0;
	char to[11];
	json_t *out;

	memset(&in, 0, sizeof(in));
	v_only(r, r->json, "", keys);
	parse_ask(r, &in);
	in.purpose = v_str(r, r->json, "purpose", 1, 2, 500);
	in.legal_basis = v_str(r, r->json, "legal_basis", 0, 2, 1000);
	in.valid_from = v_str(r, r->json, "valid_from", 0, 10, 10);
	in.valid_to = v_str(r, r->json, "valid_to", 0, 10, 10);
	check_day(r, "valid_from", in.valid_from);
	check_day(r, "valid_to", in.valid_to);
	v_int(r, r->json, "days", 0, 1, 3650, 0, &days);
	if (in.valid_to && days)
		req_field_error(r, "days", "conflict", "give valid_to or days, not both");
	else if (in.valid_to == NULL && days == 0 && json_object_get(r->json, "days") == NULL)
		req_field_error(r, "valid_to", "required", "the last day of the grant (or days)");
	if (v_int(r, r->json, "rate_limit", 0, 1, SHARE_MAX_RATE, SHARE_DEFAULT_RATE, &rate) == 0)
		in.rate_limit = (int)rate;
	if (reply_if_invalid(r))
		return;
	if (days) {
		/* days of validity counted from valid_from (today by default) */
		int32_t d;
		char today[11];
		clock_today(today);
		date_parse(in.valid_from ? in.valid_from : today, &d);
		date_format(d + (int32_t)days - 1, to);
		in.valid_to = to;
	}
	err_clear(&err);
	if (xshare_request(&r->who, &in, &out, &err) < 0) {
		reply_err(r, &err);
		return;
	}
	reply_created(r, "/api/v1/fed/share/requests",
		      json_integer_value(json_object_get(out, "id")), out);
}

static void
list_out(struct req *r, const char *kind)
{
	struct zt_err err;
	int64_t limit;
	const char *state = q_one_of(r, "state", out_states, NULL);

	q_int(r, "limit", 1, 100, 50, &limit);
	const char *cursor = q_str(r, "cursor", 100);
	if (reply_if_invalid(r))
		return;
	err_clear(&err);
	reply_or_err(
	    r, 200,
	    xshare_request_list_json(req_db(r), &r->who, kind, state, (int)limit, cursor, &err),
	    &err);
}

static void
get_out(struct req *r, const char *kind)
{
	struct zt_err err;
	int64_t id = req_param_id(r, 0);

	if (id < 0)
		return;
	err_clear(&err);
	json_t *o = xshare_request_get_json(req_db(r), &r->who, id, &err);
	if (o && strcmp(json_string_value(json_object_get(o, "kind")), kind) != 0) {
		json_decref(o);
		o = NULL;
		err_set(&err, ZT_ENOTFOUND, "", "not_found", "no such %s", kind);
	}
	reply_or_err(r, 200, o, &err);
}

void
h_xshare_requests_list(struct req *r)
{
	list_out(r, "request");
}

void
h_xshare_requests_get(struct req *r)
{
	get_out(r, "request");
}

void
h_xshare_resource(struct req *r)
{
	const char *provider = q_str(r, "provider_region", 6);
	const char *code = q_str(r, "code", RESOURCE_CODE_MAX - 1);
	struct zt_err err;
	json_t *ans = NULL;
	long status = 0;

	if (!region_code_ok(provider))
		req_field_error(r, "provider_region", "required", "a region code of six digits");
	if (code == NULL)
		req_field_error(r, "code", "required", "the resource's code at the provider");
	if (reply_if_invalid(r))
		return;
	err_clear(&err);
	json_t *body = json_pack("{s:s}", "code", code);
	int rc = fed_call(provider, "POST", XSHARE_RESOURCE_PATH, body, &status, &ans, &err);
	json_decref(body);
	if (rc == ZT_ENOTFOUND) {
		err_set(&err, ZT_ENOTFOUND, "provider_region", "unknown_node",
			"no node of region %s is known", provider);
		reply_err(r, &err);
		return;
	}
	if (rc < 0) {
		err_set(&err, ZT_EUNAVAIL, "provider_region", "provider_unreachable",
			"the node of region %s cannot be reached now", provider);
		reply_err(r, &err);
		return;
	}
	if (status == 404) {
		json_decref(ans);
		err_set(&err, ZT_ENOTFOUND, "code", "unknown_resource",
			"the node of region %s has no data resource %s", provider, code);
		reply_err(r, &err);
		return;
	}
	if (status != 200 || !json_is_object(ans)) {
		json_decref(ans);
		err_set(&err, ZT_EUNAVAIL, "provider_region", "provider_error",
			"the node of region %s answered HTTP %ld", provider, status);
		reply_err(r, &err);
		return;
	}
	reply_json(r, 200, ans);
}

void
h_xshare_exchange(struct req *r)
{
	static const char *const keys[] = {"grant", "key", NULL};
	struct zt_err err;
	int64_t grant = 0;
	int retry = 0;
	json_t *out;

	v_only(r, r->json, "", keys);
	v_int(r, r->json, "grant", 1, 1, INT64_MAX, 0, &grant);
	const char *key = v_str(r, r->json, "key", 1, 1, RESOURCE_KEY_MAX - 1);
	if (key && strlen(key) >= RESOURCE_KEY_MAX)
		req_field_error(r, "key", "length", "a key is 1 to %d bytes", RESOURCE_KEY_MAX - 1);
	if (reply_if_invalid(r))
		return;
	err_clear(&err);
	if (xshare_exchange(&r->who, grant, key, &out, &retry, &err) < 0) {
		reply_limited(r, &err, retry);
		return;
	}
	reply_json(r, 200, out);
}

void
h_xshare_subscriptions_create(struct req *r)
{
	static const char *const keys[] = {"provider_region", "resource_code", "regions", "fields",
					   "clear_fields",    "purpose",       NULL};
	struct xshare_request_in in;
	struct zt_err err;
	json_t *out;

	memset(&in, 0, sizeof(in));
	in.subscription = 1;
	v_only(r, r->json, "", keys);
	parse_ask(r, &in);
	in.purpose = v_str(r, r->json, "purpose", 0, 2, 500);
	in.regions = v_array(r, r->json, "regions", 1, 1, XSHARE_REGIONS_MAX);
	size_t i;
	json_t *v;
	json_array_foreach(in.regions, i, v) if (!region_code_ok(json_string_value(v)))
	{
		char f[32];
		snprintf(f, sizeof(f), "regions[%zu]", i);
		req_field_error(r, f, "format", "a region code is six digits");
	}
	if (reply_if_invalid(r))
		return;
	err_clear(&err);
	if (xshare_request(&r->who, &in, &out, &err) < 0) {
		reply_err(r, &err);
		return;
	}
	reply_created(r, "/api/v1/fed/subscriptions",
		      json_integer_value(json_object_get(out, "id")), out);
}

void
h_xshare_subscriptions_list(struct req *r)
{
	list_out(r, "subscription");
}

void
h_xshare_subscriptions_get(struct req *r)
{
	get_out(r, "subscription");
}

void
h_xshare_subscription_rows(struct req *r)
{
	struct zt_err err;
	int64_t id = req_param_id(r, 0), limit;

	if (id < 0)
		return;
	q_int(r, "limit", 1, 100, 50, &limit);
	const char *cursor = q_str(r, "cursor", 200);
	if (reply_if_invalid(r))
		return;
	err_clear(&err);
	reply_or_err(r, 200, xshare_rows_json(req_db(r), &r->who, id, (int)limit, cursor, &err),
		     &err);
}

void
h_xshare_access(struct req *r)
{
	struct zt_err err;
	int64_t limit;
	const char *side = q_one_of(r, "side", access_sides, "consumer");

	q_int(r, "limit", 1, 100, 50, &limit);
	const char *cursor = q_str(r, "cursor", 100);
	if (reply_if_invalid(r))
		return;
	err_clear(&err);
	reply_or_err(r, 200,
		     xshare_access_list_json(req_db(r), &r->who, side, (int)limit, cursor, &err),
		     &err);
}

/* ---- provider side ---- */

void
h_xshare_incoming_list(struct req *r)
{
	struct zt_err err;
	int64_t limit;
	const char *kind = q_one_of(r, "kind", kinds, NULL);
	const char *status = q_one_of(r, "status", in_states, NULL);

	q_int(r, "limit", 1, 100, 50, &limit);
	const char *cursor = q_str(r, "cursor", 100);
	if (reply_if_invalid(r))
		return;
	err_clear(&err);
	reply_or_err(
	    r, 200,
	    xshare_incoming_list_json(req_db(r), &r->who, kind, status, (int)limit, cursor, &err),
	    &err);
}

void
h_xshare_incoming_get(struct req *r)
{
	struct zt_err err;
	int64_t id = req_param_id(r, 0);

	if (id < 0)
		return;
	err_clear(&err);
	reply_or_err(r, 200, xshare_incoming_get_json(req_db(r), &r->who, id, &err), &err);
}

void
h_xshare_incoming_approve(struct req *r)
{
	static const char *const keys[] = {"fields", "clear_fields", "comment", NULL};
	struct zt_err err;
	int64_t id = req_param_id(r, 0);

	if (id < 0)
		return;
	v_only(r, r->json, "", keys);
	json_t *fields = v_array(r, r->json, "fields", 0, 1, RESOURCE_MAX_FIELDS);
	json_t *clear = v_array(r, r->json, "clear_fields", 0, 0, RESOURCE_MAX_FIELDS);
	const char *comment = v_str(r, r->json, "comment", 0, 0, 1000);
	if (reply_if_invalid(r))
		return;
	err_clear(&err);
	if (xshare_approve(&r->who, id, fields, clear, comment, &err) < 0) {
		reply_err(r, &err);
		return;
	}
	reply_or_err(r, 200, xshare_incoming_get_json(req_db(r), &r->who, id, &err), &err);
}

static void
act_reason(struct req *r,
	   int (*act)(const struct principal *, int64_t, const char *, struct zt_err *))
{
	static const char *const keys[] = {"reason", NULL};
	struct zt_err err;
	int64_t id = req_param_id(r, 0);

	if (id < 0)
		return;
	v_only(r, r->json, "", keys);
	const char *reason = v_str(r, r->json, "reason", 1, 2, 1000);
	if (reply_if_invalid(r))
		return;
	err_clear(&err);
	if (act(&r->who, id, reason, &err) < 0) {
		reply_err(r, &err);
		return;
	}
	reply_or_err(r, 200, xshare_incoming_get_json(req_db(r), &r->who, id, &err), &err);
}

void
h_xshare_incoming_refuse(struct req *r)
{
	act_reason(r, xshare_refuse);
}

void
h_xshare_incoming_revoke(struct req *r)
{
	act_reason(r, xshare_revoke);
}

/* ---- signed calls from other nodes ---- */

typedef int (*serve_fn)(db_conn *c, const struct envelope *e, json_t *body, json_t **out,
			int *retry_after, struct zt_err *err);

static int
serve_resource(db_conn *c, const struct envelope *e, json_t *body, json_t **out, int *retry_after,
	       struct zt_err *err)
{
	(void)retry_after;
	return xshare_serve_resource(c, e, body, out, err);
}

static int
serve_feed(db_conn *c, const struct envelope *e, json_t *body, json_t **out, int *retry_after,
	   struct zt_err *err)
{
	(void)retry_after;
	return xshare_serve_feed(c, e, body, out, err);
}

static void
signed_call(struct req *r, serve_fn fn)
{
	struct envelope e;
	struct zt_err err;
	int retry = 0;
	json_t *out;

	memset(&e, 0, sizeof(e));
	if (fed_req_verify(r, &e) < 0)
		return;
	if (!json_is_object(r->json)) {
		req_field_error(r, "", "type", "the body is a JSON object");
		reply_if_invalid(r);
		return;
	}
	err_clear(&err);
	if (fn(req_db(r), &e, r->json, &out, &retry, &err) < 0) {
		reply_limited(r, &err, retry);
		return;
	}
	reply_json(r, 200, out);
}

void
h_xshare_serve_resource(struct req *r)
{
	signed_call(r, serve_resource);
}

void
h_xshare_serve_fetch(struct req *r)
{
	signed_call(r, xshare_serve_fetch);
}

void
h_xshare_serve_feed(struct req *r)
{
	signed_call(r, serve_feed);
}
