/* services.c - the service catalog: search, guide, create/edit/publish. */
#include "api/handlers.h"
#include "http/req.h"
#include "http/validate.h"
#include "base/clock.h"
#include "base/rcache.h"
#include "domain/service.h"

#include <pthread.h>

#include <stdio.h>
#include <string.h>

/* An optional code member key of the object at path p (letters, digits,
 * '-', '_' and '.', minlen..maxlen characters); NULL when absent or bad
 * (a field error naming p.key is recorded). */
static const char *
member_code(struct req *r, json_t *obj, const char *p, const char *key, size_t minlen,
	    size_t maxlen)
{
	json_t *v = json_object_get(obj, key);
	char f[80];

	if (v == NULL || json_is_null(v))
		return NULL;
	snprintf(f, sizeof(f), "%s.%s", p, key);
	const char *s = json_is_string(v) ? json_string_value(v) : NULL;
	size_t n = s ? strlen(s) : 0;
	if (s == NULL || n < minlen || n > maxlen ||
	    strspn(s, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_.") != n) {
		req_field_error(r, f, "format",
				"a code of %zu to %zu letters, digits, '-', '_' or '.'", minlen,
				maxlen);
		return NULL;
	}
	return s;
}

/* Reads and validates a service item body into in (strings borrowed from
 * r->json). Returns 0, or -1 after recording field errors. */
static int
parse_item(struct req *r, struct service_in *in)
{
	static const char *const fields[] = {
	    "code",	     "name",	  "type",	  "target",  "dept_id",	   "legal_days",
	    "promised_days", "depth",	  "max_visits",	  "fee",     "conditions", "legal_basis",
	    "process",	     "place",	  "office_hours", "consult", "complaint",  "channels",
	    "cross_modes",   "materials", "license_type", NULL};
	static const char *const mfields[] = {"name", "form",	      "count",	  "required",
					      "note", "license_type", "resource", NULL};
	json_t *j = r->json, *arr;
	int64_t v;

	memset(in, 0, sizeof(*in));
	v_only(r, j, "", fields);
	in->code = v_str(r, j, "code", 1, 3, 40);
	in->name = v_str(r, j, "name", 1, 2, 100);
	if (v_enum(r, j, "type", 1, service_types) >= 0)
		in->type = json_string_value(json_object_get(j, "type"));
	in->target = "both";
	if (json_object_get(j, "target") && v_enum(r, j, "target", 0, service_targets) >= 0)
		in->target = json_string_value(json_object_get(j, "target"));
	v_int(r, j, "dept_id", 0, 1, INT64_MAX, 0, &in->dept_id);
	if (v_int(r, j, "legal_days", 1, 0, 365, 0, &v) == 0)
		in->legal_days = (int)v;
	if (v_int(r, j, "promised_days", 1, 0, 365, 0, &v) == 0)
		in->promised_days = (int)v;
	if (v_int(r, j, "depth", 1, 1, 7, 0, &v) == 0)
		in->depth = (int)v;
	if (v_int(r, j, "max_visits", 1, 0, 10, 0, &v) == 0)
		in->max_visits = (int)v;
	in->fee = v_str(r, j, "fee", 1, 1, 200);
	in->conditions = v_str(r, j, "conditions", 1, 1, 4000);
	in->legal_basis = v_str(r, j, "legal_basis", 1, 1, 4000);
	in->place = v_str(r, j, "place", 1, 1, 500);
	in->office_hours = v_str(r, j, "office_hours", 1, 1, 200);
	in->consult = v_str(r, j, "consult", 1, 1, 500);
	in->complaint = v_str(r, j, "complaint", 1, 1, 500);
	in->license_type = v_str(r, j, "license_type", 0, 21, 21);
	in->process = v_array(r, j, "process", 1, 1, SERVICE_MAX_STEPS);
	if (in->process) {
		size_t i;
		json_t *e;
		json_array_foreach(in->process, i, e)
		{
			if (!json_is_string(e) || json_string_length(e) == 0 ||
			    utf8_len(json_string_value(e)) > 500) {
				char f[32];
				snprintf(f, sizeof(f), "process[%zu]", i);
				req_field_error(r, f, "type",
						"each step is text of 1 to 500 characters");
			}
		}
	}
	if ((arr = v_array(r, j, "channels", 1, 1, 5)) &&
	    service_bits_from_names(arr, channel_names, &in->channels) < 0)
		req_field_error(r, "channels", "enum",
				"channels are web, mobile, window, self_service, mail");
	in->cross_modes = 0;
	if ((arr = v_array(r, j, "cross_modes", 0, 0, 3)) &&
	    service_bits_from_names(arr, cross_mode_names, &in->cross_modes) < 0)
		req_field_error(r, "cross_modes", "enum",
				"cross_modes are full_online, proxy, multi_site");
	arr = v_array(r, j, "materials", 1, 0, SERVICE_MAX_MATERIALS);
	if (arr) {
		size_t i;
		json_t *m;
		json_array_foreach(arr, i, m)
		{
			char p[48], f[64];
			struct material_in *mi = &in->materials[i];
			snprintf(p, sizeof(p), "materials[%zu]", i);
			if (!json_is_object(m)) {
				req_field_error(r, p, "type", "each material is an object");
				continue;
			}
			v_only(r, m, p, mfields);
			int fi, req_;
			snprintf(f, sizeof(f), "%s.name", p);
			mi->name = json_is_string(json_object_get(m, "name"))
				       ? json_string_value(json_object_get(m, "name"))
				       : NULL;
			if (mi->name == NULL || *mi->name == '\0' || utf8_len(mi->name) > 100)
				req_field_error(r, f, "required", "name of 1 to 100 characters");
			snprintf(f, sizeof(f), "%s.form", p);
			json_t *form = json_object_get(m, "form");
			fi = -1;
			for (int k = 0; form && json_is_string(form) && material_forms[k]; k++)
				if (strcmp(material_forms[k], json_string_value(form)) == 0)
					fi = k;
			if (fi < 0)
				req_field_error(
				    r, f, "enum",
				    "form is original, copy, electronic or original_or_copy");
			else
				mi->form = material_forms[fi];
			json_t *cnt = json_object_get(m, "count");
			mi->count = 1;
			if (cnt) {
				if (!json_is_integer(cnt) || json_integer_value(cnt) < 1 ||
				    json_integer_value(cnt) > 20) {
					snprintf(f, sizeof(f), "%s.count", p);
					req_field_error(r, f, "range", "count is 1 to 20");
				} else
					mi->count = (int)json_integer_value(cnt);
			}
			json_t *rq = json_object_get(m, "required");
			req_ = 1;
			if (rq) {
				if (!json_is_boolean(rq)) {
					snprintf(f, sizeof(f), "%s.required", p);
					req_field_error(r, f, "type", "required is true or false");
				} else
					req_ = json_is_true(rq);
			}
			mi->required = req_;
			json_t *note = json_object_get(m, "note");
			mi->note = json_is_string(note) ? json_string_value(note) : "";
			if (utf8_len(mi->note) > 500) {
				snprintf(f, sizeof(f), "%s.note", p);
				req_field_error(r, f, "too_long", "note of at most 500 characters");
			}
			mi->license_type = member_code(r, m, p, "license_type", 21, 21);
			mi->resource = member_code(r, m, p, "resource", 1, 64);
		}
		in->nmaterials = (int)json_array_size(arr);
	}
	return reply_if_invalid(r) ? -1 : 0;
}

void
h_services_create(struct req *r)
{
	struct service_in in;
	struct zt_err err;
	int64_t id;

	if (parse_item(r, &in) < 0)
		return;
	err_clear(&err);
	if (service_create(&r->who, &in, &id, &err) < 0) {
		reply_err(r, &err);
		return;
	}
	json_t *o = service_get_json(req_db(r), &r->who, id, &err);
	reply_json(r, 201, o ? o : json_pack("{s:I}", "id", (json_int_t)id));
}

void
h_services_update(struct req *r)
{
	struct service_in in;
	struct zt_err err;
	int64_t id = req_param_id(r, 0);

	if (id < 0 || parse_item(r, &in) < 0)
		return;
	err_clear(&err);
	if (service_update(&r->who, id, &in, &err) < 0) {
		reply_err(r, &err);
		return;
	}
	json_t *o = service_get_json(req_db(r), &r->who, id, &err);
	reply_json(r, 200, o ? o : json_pack("{s:I}", "id", (json_int_t)id));
}

static void
set_status(struct req *r, const char *status)
{
	struct zt_err err;
	int64_t id = req_param_id(r, 0);

	if (id < 0)
		return;
	err_clear(&err);
	if (service_set_status(&r->who, id, status, &err) < 0) {
		reply_err(r, &err);
		return;
	}
	json_t *o = service_get_json(req_db(r), &r->who, id, &err);
	reply_json(r, 200, o ? o : json_pack("{s:I}", "id", (json_int_t)id));
}

void
h_services_publish(struct req *r)
{
	set_status(r, "published");
}

void
h_services_unpublish(struct req *r)
{
	set_status(r, "unpublished");
}

void
h_services_get(struct req *r)
{
	struct zt_err err;
	int64_t id = req_param_id(r, 0);

	if (id < 0)
		return;
	err_clear(&err);
	json_t *o = service_get_json(req_db(r), &r->who, id, &err);
	if (o == NULL) {
		reply_err(r, &err);
		return;
	}
	reply_json(r, 200, o);
}

static int
parse_query(struct req *r, struct service_query *q)
{
	int64_t v;

	memset(q, 0, sizeof(*q));
	q->q = q_str(r, "q", 100);
	q->region = q_str(r, "region", 6);
	if (q->region && (strlen(q->region) != 6 || strspn(q->region, "0123456789") != 6))
		req_field_error(r, "region", "format", "a six-digit region code");
	if (q_int(r, "dept", 1, INT64_MAX, 0, &v) == 0)
		q->dept_id = v;
	q->type = q_str(r, "type", 2);
	if (q->type) {
		int ok = 0;
		for (int i = 0; service_types[i]; i++)
			ok |= strcmp(service_types[i], q->type) == 0;
		if (!ok)
			req_field_error(r, "type", "enum", "unknown item type");
	}
	if (q_int(r, "depth", 1, 7, 0, &v) == 0)
		q->min_depth = (int)v;
	const char *cross = q_str(r, "cross", 20);
	if (cross) {
		for (int i = 0; cross_mode_names[i]; i++)
			if (strcmp(cross, cross_mode_names[i]) == 0)
				q->cross = 1u << i;
		if (q->cross == 0)
			req_field_error(r, "cross", "enum", "full_online, proxy or multi_site");
	}
	if (q_int(r, "limit", 1, 100, 20, &v) == 0)
		q->limit = (int)v;
	q->cursor = q_str(r, "cursor", 100);
	return reply_if_invalid(r) ? -1 : 0;
}

/* Public search answers are the same for everyone and change only with the
 * catalog: they are cached, keyed by the validated query, checked against
 * the catalog version, and kept at most SEARCH_CACHE_AGE seconds (so a
 * change made by another process shows within that). */
#define SEARCH_CACHE_AGE 2

static struct rcache *search_cache;
static pthread_once_t search_cache_once = PTHREAD_ONCE_INIT;

static void
search_cache_init(void)
{
	search_cache = rcache_new(4096, 256 << 10);
}

void
h_services_search(struct req *r)
{
	struct service_query q;
	struct zt_err err;
	char key[512];
	size_t len;

	if (parse_query(r, &q) < 0)
		return;
	pthread_once(&search_cache_once, search_cache_init);
	snprintf(key, sizeof(key), "%s\x1f%s\x1f%lld\x1f%s\x1f%d\x1f%u\x1f%d\x1f%s", q.q ? q.q : "",
		 q.region ? q.region : "", (long long)q.dept_id, q.type ? q.type : "", q.min_depth,
		 q.cross, q.limit, q.cursor ? q.cursor : "");
	uint64_t version = service_catalog_version();
	int64_t now = (int64_t)(clock_mono_ns() / 1000000000u);
	char *body = rcache_get(search_cache, key, version, now, SEARCH_CACHE_AGE, &len);
	if (body) {
		reply_raw(r, 200, "application/json; charset=utf-8", body, len);
		return;
	}
	err_clear(&err);
	json_t *o = service_search(req_db(r), &q, &err);
	if (o == NULL) {
		reply_err(r, &err);
		return;
	}
	body = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	len = strlen(body);
	rcache_put(search_cache, key, version, now, body, len);
	reply_raw(r, 200, "application/json; charset=utf-8", body, len);
}

void
h_dept_services(struct req *r)
{
	static const char *const statuses[] = {"draft", "published", "unpublished", NULL};
	struct service_query q;
	struct zt_err err;

	if (parse_query(r, &q) < 0)
		return;
	q.status = q_str(r, "status", 12);
	if (q.status == NULL)
		q.status = "draft";
	int ok = 0;
	for (int i = 0; statuses[i]; i++)
		ok |= strcmp(statuses[i], q.status) == 0;
	if (!ok) {
		req_field_error(r, "status", "enum", "draft, published or unpublished");
		reply_if_invalid(r);
		return;
	}
	q.only_dept = r->who.dept_id;
	err_clear(&err);
	json_t *o = service_search(req_db(r), &q, &err);
	if (o == NULL) {
		reply_err(r, &err);
		return;
	}
	reply_json(r, 200, o);
}
