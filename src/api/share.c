/* share.c - data sharing handlers: the resource catalog and its rows, share
 * requests and grants, API keys, the exchange and access records. */
#include "api/handlers.h"
#include "http/req.h"
#include "http/upload.h"
#include "http/validate.h"
#include "domain/resource.h"
#include "domain/share.h"

#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define IMPORT_ERRORS_MAX 100

static const char *const request_sides[] = {"outgoing", "incoming", NULL};
static const char *const request_states[] = {"pending", "approved", "refused", NULL};
static const char *const grant_sides[] = {"consumer", "provider", NULL};
static const char *const grant_states[] = {"active", "revoked", NULL};

/* Replies with err; a rate limit also says when to retry. */
static void
reply_share_err(struct req *r, const struct zt_err *err, int retry_after)
{
	if (err->code == ZT_ELIMIT) {
		char s[16];
		snprintf(s, sizeof(s), "%d", retry_after);
		req_add_header(r, "Retry-After", s);
	}
	reply_err(r, err);
}

static void
reply_page(struct req *r, json_t *o, const struct zt_err *err)
{
	if (o == NULL) {
		reply_err(r, err);
		return;
	}
	reply_json(r, 200, o);
}

typedef json_t *(*get_fn)(db_conn *c, const struct principal *by, int64_t id, struct zt_err *err);
typedef json_t *(*side_list_fn)(db_conn *c, const struct principal *by, const char *side,
				const char *status, int limit, const char *cursor,
				struct zt_err *err);
typedef int (*reason_fn)(const struct principal *by, int64_t id, const char *reason,
			 struct zt_err *err);

typedef json_t *(*page_fn)(db_conn *c, const struct principal *by, int limit, const char *cursor,
			   struct zt_err *err);

/* A list with only limit and cursor. */
static void
plain_list(struct req *r, page_fn fn)
{
	struct zt_err err;
	int64_t limit;

	q_int(r, "limit", 1, 100, 50, &limit);
	const char *cursor = q_str(r, "cursor", 100);
	if (reply_if_invalid(r))
		return;
	err_clear(&err);
	reply_page(r, fn(req_db(r), &r->who, (int)limit, cursor, &err), &err);
}

/* GET .../{id}: the entity as get renders it for the caller. */
static void
get_by_id(struct req *r, get_fn get)
{
	struct zt_err err;
	int64_t id = req_param_id(r, 0);

	if (id < 0)
		return;
	err_clear(&err);
	reply_page(r, get(req_db(r), &r->who, id, &err), &err);
}

/* A list with ?side= (sides[0] by default), ?status=, limit and cursor. */
static void
list_by_side(struct req *r, const char *const *sides, const char *const *states, side_list_fn fn)
{
	struct zt_err err;
	int64_t limit;
	const char *side = q_enum(r, "side", sides, sides[0]);
	const char *status = q_enum(r, "status", states, NULL);

	q_int(r, "limit", 1, 100, 50, &limit);
	const char *cursor = q_str(r, "cursor", 100);
	if (reply_if_invalid(r))
		return;
	err_clear(&err);
	reply_page(r, fn(req_db(r), &r->who, side, status, (int)limit, cursor, &err), &err);
}

/* POST .../{id}/<act> {reason}: act, then the entity as get renders it. */
static void
act_with_reason(struct req *r, reason_fn act, get_fn get)
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
	reply_page(r, get(req_db(r), &r->who, id, &err), &err);
}

/* ---- resources ---- */

/* A member text of a nested object, reported as path.key. */
static const char *
sub_str(struct req *r, json_t *o, const char *path, const char *key, int required, long max)
{
	json_t *v = json_object_get(o, key);
	char f[64];
	long n;

	snprintf(f, sizeof(f), "%s.%s", path, key);
	if (v == NULL || json_is_null(v)) {
		if (required)
			req_field_error(r, f, "required", "is required");
		return NULL;
	}
	if (!json_is_string(v) || (n = utf8_len(json_string_value(v))) < 1 || n > max) {
		req_field_error(r, f, "type", "text of 1 to %ld characters", max);
		return NULL;
	}
	return json_string_value(v);
}

static int
sub_enum(struct req *r, json_t *o, const char *path, const char *key, int required,
	 const char *const *allowed)
{
	const char *s = sub_str(r, o, path, key, required, 40);
	char f[64];

	if (s == NULL)
		return -1;
	for (int i = 0; allowed[i]; i++)
		if (strcmp(allowed[i], s) == 0)
			return i;
	snprintf(f, sizeof(f), "%s.%s", path, key);
	req_field_error(r, f, "enum", "%s is not one of the allowed values", s);
	return -1;
}

static void
parse_fields(struct req *r, json_t *arr, struct resource_in *in)
{
	static const char *const keys[] = {"name", "label", "type", "sensitivity", "mask", NULL};
	size_t i;
	json_t *e;

	json_array_foreach(arr, i, e)
	{
		struct resource_field_in *f = &in->fields[i];
		char p[32];
		snprintf(p, sizeof(p), "fields[%zu]", i);
		if (!json_is_object(e)) {
			req_field_error(r, p, "type", "each field is an object");
			continue;
		}
		v_only(r, e, p, keys);
		f->name = sub_str(r, e, p, "name", 1, 40);
		f->label = sub_str(r, e, p, "label", 1, 50);
		f->type = (enum field_type)sub_enum(r, e, p, "type", 1, field_type_names);
		f->sens = (enum sensitivity)sub_enum(r, e, p, "sensitivity", 1, sensitivity_names);
		const char *mask = sub_str(r, e, p, "mask", 0, 20);
		f->mask = mask ? mask_rule_from_name(mask) : -1;
		if (mask && f->mask < 0) {
			char m[48];
			snprintf(m, sizeof(m), "%s.mask", p);
			req_field_error(r, m, "enum",
					"id_number, phone, name, credit_code, partial or full");
		}
	}
	in->nfields = (int)json_array_size(arr);
}

/* The body of POST and PUT /resources. Returns 0, or 1 after replying. */
static int
parse_resource(struct req *r, struct resource_in *in, int create)
{
	static const char *const keys[] = {
	    "code",	     "name",	     "summary",		 "fields",	"key_field",
	    "subject_field", "share_type",   "share_conditions", "legal_basis", "share_method",
	    "open_type",     "update_cycle", "region_field",	 NULL};
	json_t *b = r->json;
	int i;

	memset(in, 0, sizeof(*in));
	v_only(r, b, "", keys);
	in->code = v_str(r, b, "code", create, 2, 40);
	if (in->code && strspn(in->code, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
					 "0123456789._-") != strlen(in->code))
		req_field_error(r, "code", "format", "letters, digits, '.', '_' and '-'");
	in->name = v_str(r, b, "name", 1, 1, 100);
	in->summary = v_str(r, b, "summary", 0, 0, 2000);
	json_t *fields = v_array(r, b, "fields", 1, 1, RESOURCE_MAX_FIELDS);
	if (fields)
		parse_fields(r, fields, in);
	in->key_field = v_str(r, b, "key_field", 1, 1, 40);
	in->subject_field = v_str(r, b, "subject_field", 0, 1, 40);
	in->region_field = v_str(r, b, "region_field", 0, 1, 40);
	if ((i = v_enum(r, b, "share_type", 1, share_type_names)) >= 0)
		in->share_type = share_type_names[i];
	in->share_conditions = v_str(r, b, "share_conditions", 0, 0, 2000);
	in->legal_basis = v_str(r, b, "legal_basis", 0, 0, 2000);
	if ((i = v_enum(r, b, "share_method", 1, share_method_names)) >= 0)
		in->share_method = share_method_names[i];
	if ((i = v_enum(r, b, "open_type", 1, open_type_names)) >= 0)
		in->open_type = open_type_names[i];
	if ((i = v_enum(r, b, "update_cycle", 1, update_cycle_names)) >= 0)
		in->update_cycle = update_cycle_names[i];
	return reply_if_invalid(r);
}

void
h_resources_search(struct req *r)
{
	struct resource_query q;
	struct zt_err err;
	int64_t v;

	memset(&q, 0, sizeof(q));
	q.q = q_str(r, "q", 50);
	q_int(r, "dept", 1, INT64_MAX, 0, &q.dept_id);
	q.share_type = q_enum(r, "share_type", share_type_names, NULL);
	if (q_int(r, "limit", 1, 100, 50, &v) == 0)
		q.limit = (int)v;
	q.cursor = q_str(r, "cursor", 100);
	if (reply_if_invalid(r))
		return;
	err_clear(&err);
	reply_page(r, resource_search_json(req_db(r), &q, &err), &err);
}

void
h_resources_create(struct req *r)
{
	struct resource_in in;
	struct zt_err err;
	int64_t id;

	if (parse_resource(r, &in, 1))
		return;
	err_clear(&err);
	if (resource_create(&r->who, &in, &id, &err) < 0) {
		reply_err(r, &err);
		return;
	}
	reply_created(r, "/api/v1/resources", id,
		      json_pack("{s:I, s:s}", "id", (json_int_t)id, "code", in.code));
}

void
h_resources_get(struct req *r)
{
	get_by_id(r, resource_get_json);
}

void
h_resources_update(struct req *r)
{
	struct resource_in in;
	struct zt_err err;
	int64_t id = req_param_id(r, 0);

	if (id < 0 || parse_resource(r, &in, 0))
		return;
	err_clear(&err);
	if (resource_update(&r->who, id, &in, &err) < 0) {
		reply_err(r, &err);
		return;
	}
	reply_page(r, resource_get_json(req_db(r), &r->who, id, &err), &err);
}

void
h_resources_rows(struct req *r)
{
	static const char *const keys[] = {"rows", NULL};
	struct zt_err err;
	int64_t id = req_param_id(r, 0), ins, upd;

	if (id < 0)
		return;
	v_only(r, r->json, "", keys);
	json_t *rows = v_array(r, r->json, "rows", 1, 1, RESOURCE_UPSERT_MAX);
	if (reply_if_invalid(r))
		return;
	err_clear(&err);
	if (resource_upsert(&r->who, id, rows, &ins, &upd, &err) < 0) {
		reply_err(r, &err);
		return;
	}
	reply_json(
	    r, 200,
	    json_pack("{s:I, s:I}", "inserted", (json_int_t)ins, "updated", (json_int_t)upd));
}

static void
collect_error(void *ctx, int64_t line, const char *field, const char *reason, const char *detail)
{
	json_t *errors = ctx;

	if (json_array_size(errors) < IMPORT_ERRORS_MAX)
		json_array_append_new(errors, json_pack("{s:I, s:s, s:s, s:s}", "line",
							(json_int_t)line, "field", field, "reason",
							reason, "detail", detail));
}

void
h_resources_import(struct req *r)
{
	const char *ct = req_header(r, "Content-Type");
	struct import_result res;
	struct zt_err err;
	int64_t id = req_param_id(r, 0);

	if (id < 0)
		return;
	if (ct == NULL || strncasecmp(ct, "text/csv", 8) != 0) {
		reply_problem(r, 415, "unsupported_media_type", "send the rows as text/csv");
		return;
	}
	FILE *f = fopen(r->upload->path, "rb");
	if (f == NULL) {
		reply_problem(r, 507, "storage_full", "cannot read the upload");
		return;
	}
	json_t *errors = json_array();
	struct import_hooks hooks = {errors, collect_error, NULL};
	err_clear(&err);
	int rc = resource_import(req_db(r), &r->who, id, NULL, f, &hooks, &res, &err);
	fclose(f);
	if (rc < 0) {
		json_decref(errors);
		reply_err(r, &err);
		return;
	}
	reply_json(r, 200,
		   json_pack("{s:I, s:I, s:I, s:I, s:o}", "loaded", (json_int_t)res.loaded,
			     "inserted", (json_int_t)res.inserted, "updated",
			     (json_int_t)res.updated, "rejected", (json_int_t)res.rejected,
			     "errors", errors));
}

/* ---- requests and grants ---- */

static void
check_day(struct req *r, const char *field, const char *s)
{
	int ok =
	    s && strlen(s) == 10 && s[4] == '-' && s[7] == '-' && strspn(s, "0123456789-") == 10;

	if (s && !ok)
		req_field_error(r, field, "format", "a day YYYY-MM-DD");
}

void
h_share_requests_create(struct req *r)
{
	static const char *const keys[] = {"resource", "fields",      "clear_fields",
					   "purpose",  "legal_basis", "valid_from",
					   "valid_to", "rate_limit",  NULL};
	struct share_request_in in;
	struct zt_err err;
	int64_t rate;
	json_t *out;

	memset(&in, 0, sizeof(in));
	v_only(r, r->json, "", keys);
	in.resource = v_str(r, r->json, "resource", 1, 1, 40);
	in.fields = v_array(r, r->json, "fields", 1, 1, RESOURCE_MAX_FIELDS);
	in.clear_fields = v_array(r, r->json, "clear_fields", 0, 0, RESOURCE_MAX_FIELDS);
	in.purpose = v_str(r, r->json, "purpose", 1, 2, 500);
	in.legal_basis = v_str(r, r->json, "legal_basis", 1, 2, 1000);
	in.valid_from = v_str(r, r->json, "valid_from", 0, 10, 10);
	in.valid_to = v_str(r, r->json, "valid_to", 1, 10, 10);
	check_day(r, "valid_from", in.valid_from);
	check_day(r, "valid_to", in.valid_to);
	if (v_int(r, r->json, "rate_limit", 0, 1, SHARE_MAX_RATE, SHARE_DEFAULT_RATE, &rate) == 0)
		in.rate_limit = (int)rate;
	if (reply_if_invalid(r))
		return;
	err_clear(&err);
	if (share_request(&r->who, &in, &out, &err) < 0) {
		reply_err(r, &err);
		return;
	}
	reply_created(r, "/api/v1/share-requests", json_integer_value(json_object_get(out, "id")),
		      out);
}

void
h_share_requests_list(struct req *r)
{
	list_by_side(r, request_sides, request_states, share_request_list_json);
}

void
h_share_requests_get(struct req *r)
{
	get_by_id(r, share_request_get_json);
}

void
h_share_requests_approve(struct req *r)
{
	static const char *const keys[] = {"fields", "clear_fields", "comment", NULL};
	struct zt_err err;
	int64_t id = req_param_id(r, 0), gid;

	if (id < 0)
		return;
	v_only(r, r->json, "", keys);
	json_t *fields = v_array(r, r->json, "fields", 0, 1, RESOURCE_MAX_FIELDS);
	json_t *clear = v_array(r, r->json, "clear_fields", 0, 0, RESOURCE_MAX_FIELDS);
	const char *comment = v_str(r, r->json, "comment", 0, 0, 1000);
	if (reply_if_invalid(r))
		return;
	err_clear(&err);
	if (share_approve(&r->who, id, fields, clear, comment, &gid, &err) < 0) {
		reply_err(r, &err);
		return;
	}
	reply_page(r, share_request_get_json(req_db(r), &r->who, id, &err), &err);
}

void
h_share_requests_refuse(struct req *r)
{
	act_with_reason(r, share_refuse, share_request_get_json);
}

void
h_grants_list(struct req *r)
{
	list_by_side(r, grant_sides, grant_states, share_grant_list_json);
}

void
h_grants_get(struct req *r)
{
	get_by_id(r, share_grant_get_json);
}

void
h_grants_revoke(struct req *r)
{
	act_with_reason(r, share_grant_revoke, share_grant_get_json);
}

/* ---- API keys ---- */

void
h_api_keys_create(struct req *r)
{
	static const char *const keys[] = {"name", NULL};
	char key[SHARE_KEY_LEN];
	struct zt_err err;
	int64_t id;

	v_only(r, r->json, "", keys);
	const char *name = v_str(r, r->json, "name", 1, 1, 100);
	if (reply_if_invalid(r))
		return;
	err_clear(&err);
	if (share_key_create(&r->who, name, &id, key, &err) < 0) {
		reply_err(r, &err);
		return;
	}
	reply_json(r, 201,
		   json_pack("{s:I, s:s, s:s}", "id", (json_int_t)id, "name", name, "key", key));
}

void
h_api_keys_list(struct req *r)
{
	plain_list(r, share_key_list_json);
}

void
h_api_keys_revoke(struct req *r)
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
	if (share_key_revoke(&r->who, id, &err) < 0) {
		reply_err(r, &err);
		return;
	}
	reply_json(r, 200, json_pack("{s:I, s:s}", "id", (json_int_t)id, "status", "revoked"));
}

/* ---- the exchange ---- */

void
h_exchange_row(struct req *r)
{
	struct zt_err err;
	int64_t gid = req_param_id(r, 0);
	const char *key = r->nparams > 1 ? r->params[1] : "";
	int retry = 0;
	json_t *out;

	if (gid < 0)
		return;
	if (*key == '\0' || strlen(key) >= RESOURCE_KEY_MAX) {
		req_field_error(r, "key", "length", "a key is 1 to %d bytes", RESOURCE_KEY_MAX - 1);
		reply_if_invalid(r);
		return;
	}
	err_clear(&err);
	if (share_exchange_key(req_db(r), &r->who, gid, key, &out, &retry, &err) < 0) {
		reply_share_err(r, &err, retry);
		return;
	}
	reply_json(r, 200, out);
}

struct filters {
	struct share_filter f[SHARE_MAX_FILTERS];
	int n, too_many;
};

static int
take_filter(void *cls, const char *key, const char *value)
{
	struct filters *fs = cls;

	if (strcmp(key, "limit") == 0 || strcmp(key, "cursor") == 0 || strcmp(key, "lang") == 0)
		return 0;
	if (fs->n == SHARE_MAX_FILTERS) {
		fs->too_many = 1;
		return 1;
	}
	fs->f[fs->n].field = key;
	fs->f[fs->n++].value = value;
	return 0;
}

void
h_exchange_rows(struct req *r)
{
	struct filters fs;
	struct zt_err err;
	int64_t gid = req_param_id(r, 0), limit;
	int retry = 0;
	json_t *out;

	if (gid < 0)
		return;
	memset(&fs, 0, sizeof(fs));
	req_query_each(r, take_filter, &fs);
	q_int(r, "limit", 1, 100, 50, &limit);
	const char *cursor = q_str(r, "cursor", 200);
	if (fs.too_many)
		req_field_error(r, "filter", "too_many", "at most %d filters", SHARE_MAX_FILTERS);
	else if (fs.n == 0)
		req_field_error(r, "filter", "required",
				"name at least one granted field: ?<field>=<value>");
	for (int i = 0; i < fs.n; i++) {
		const char *name = fs.f[i].field;
		long n = utf8_len(fs.f[i].value);
		if (strlen(name) > 40 ||
		    strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789_") != strlen(name)) {
			req_field_error(r, "filter", "format",
					"filters are ?<field>=<value> with a field name");
			break;
		}
		if (n < 0 || n > 200)
			req_field_error(r, name, n < 0 ? "format" : "too_long",
					"a filter value is UTF-8 text of at most 200 characters");
	}
	if (reply_if_invalid(r))
		return;
	err_clear(&err);
	if (share_exchange_filter(req_db(r), &r->who, gid, fs.f, fs.n, (int)limit, cursor, &out,
				  &retry, &err) < 0) {
		reply_share_err(r, &err, retry);
		return;
	}
	reply_json(r, 200, out);
}

/* ---- access records ---- */

void
h_me_data_access(struct req *r)
{
	plain_list(r, share_my_access_json);
}

void
h_access_records(struct req *r)
{
	struct zt_err err;
	int64_t limit, grant;
	const char *side = q_enum(r, "side", grant_sides, "consumer");
	const char *resource = q_str(r, "resource", 40);

	q_int(r, "grant", 1, INT64_MAX, 0, &grant);
	q_int(r, "limit", 1, 100, 50, &limit);
	const char *cursor = q_str(r, "cursor", 100);
	if (reply_if_invalid(r))
		return;
	err_clear(&err);
	reply_page(r,
		   share_access_list_json(req_db(r), &r->who, side, resource, grant, (int)limit,
					  cursor, &err),
		   &err);
}
