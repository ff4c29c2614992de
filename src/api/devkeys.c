/* devkeys.c - developer API keys of the open data portal: a signed-in
 * person creates, lists and revokes their own keys; anyone may check their
 * open-data quota. */
#include "api/handlers.h"
#include "http/req.h"
#include "http/validate.h"
#include "domain/devkey.h"

#include <stdio.h>

void
h_devkeys_create(struct req *r)
{
	static const char *const fields[] = {"name", NULL};
	struct zt_err err;
	json_t *out;

	v_only(r, r->json, "", fields);
	const char *name = v_str(r, r->json, "name", 1, 1, DEVKEY_NAME_MAX);
	if (reply_if_invalid(r))
		return;
	err_clear(&err);
	if (devkey_create(&r->who, name, &out, &err) < 0) {
		reply_err(r, &err);
		return;
	}
	reply_created(r, "/api/v1/me/api-keys",
		      (int64_t)json_integer_value(json_object_get(out, "id")), out);
}

void
h_devkeys_list(struct req *r)
{
	struct zt_err err;
	int64_t limit;

	q_int(r, "limit", 1, 100, 50, &limit);
	const char *cursor = q_str(r, "cursor", 100);
	if (reply_if_invalid(r))
		return;
	err_clear(&err);
	json_t *o = devkey_list_json(req_db(r), &r->who, (int)limit, cursor, &err);
	if (o == NULL) {
		reply_err(r, &err);
		return;
	}
	reply_json(r, 200, o);
}

void
h_devkeys_revoke(struct req *r)
{
	struct zt_err err;
	int64_t id = req_param_id(r, 0);

	if (id < 0)
		return;
	if (json_object_size(r->json) > 0) {
		req_field_error(r, "", "unknown_field", "this call takes no fields");
		reply_if_invalid(r);
		return;
	}
	err_clear(&err);
	json_t *o = NULL;
	if (devkey_revoke(&r->who, id, &err) < 0 ||
	    (o = devkey_get_json(req_db(r), &r->who, id, &err)) == NULL) {
		reply_err(r, &err);
		return;
	}
	reply_json(r, 200, o);
}

void
h_devkeys_limit(struct req *r)
{
	struct opendata_quota q;

	if (opendata_limit_quota(r, &q) < 0)
		return;
	json_t *o = json_pack("{s:s}", "who", q.keyed ? "key" : "anonymous");
	json_object_set_new(o, "limit", q.limit ? json_integer(q.limit) : json_null());
	json_object_set_new(o, "remaining", q.limit ? json_integer(q.remaining) : json_null());
	reply_json(r, 200, o);
}
