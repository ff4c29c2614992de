/* cases.c - applications, transitions, visits, ratings and case views. */
#include "api/handlers.h"
#include "http/req.h"
#include "http/validate.h"
#include "domain/case.h"
#include "domain/rating.h"

#include <stdio.h>
#include <string.h>

/* Reads materials:[{seq?, name, file}] into m. Returns the count or -1. */
static int
parse_materials(struct req *r, json_t *arr, struct case_material_in *m)
{
	static const char *const fields[] = {"seq", "name", "file", NULL};
	size_t i;
	json_t *e;

	json_array_foreach(arr, i, e)
	{
		char p[40], f[56];
		snprintf(p, sizeof(p), "materials[%zu]", i);
		if (!json_is_object(e)) {
			req_field_error(r, p, "type", "each material is an object");
			continue;
		}
		v_only(r, e, p, fields);
		json_t *seq = json_object_get(e, "seq"), *name = json_object_get(e, "name");
		json_t *file = json_object_get(e, "file");
		m[i].seq = 0;
		if (seq) {
			if (!json_is_integer(seq) || json_integer_value(seq) < 1 ||
			    json_integer_value(seq) > 100) {
				snprintf(f, sizeof(f), "%s.seq", p);
				req_field_error(r, f, "range", "seq is the item's material number");
			} else
				m[i].seq = (int)json_integer_value(seq);
		}
		m[i].name = json_is_string(name) ? json_string_value(name) : NULL;
		if (m[i].name == NULL || *m[i].name == '\0' || utf8_len(m[i].name) > 100) {
			snprintf(f, sizeof(f), "%s.name", p);
			req_field_error(r, f, "required", "name of 1 to 100 characters");
		}
		m[i].file = json_is_string(file) ? json_string_value(file) : NULL;
		int ok = m[i].file && strlen(m[i].file) == 64 &&
			 strspn(m[i].file, "0123456789abcdef") == 64;
		if (!ok) {
			snprintf(f, sizeof(f), "%s.file", p);
			req_field_error(r, f, "format",
					"the id of an uploaded file (64 hex digits)");
		}
	}
	return (int)json_array_size(arr);
}

void
h_cases_submit(struct req *r)
{
	static const char *const fields[] = {"item_code", "form", "materials", "channel", NULL};
	static const char *const channels[] = {"web", "mobile", NULL};
	struct case_submit_in in;
	struct zt_err err;
	int64_t id;
	int replayed;

	memset(&in, 0, sizeof(in));
	v_only(r, r->json, "", fields);
	in.item_code = v_str(r, r->json, "item_code", 1, 1, 40);
	int ch = v_enum(r, r->json, "channel", 0, channels);
	in.channel = ch < 0 ? "web" : channels[ch];
	in.form = v_object(r, r->json, "form", 0);
	json_t *empty = json_object();
	if (in.form == NULL)
		in.form = empty;
	json_t *arr = v_array(r, r->json, "materials", 0, 0, CASE_MAX_MATERIALS);
	if (arr)
		in.nmaterials = parse_materials(r, arr, in.materials);
	in.idem_key = req_header(r, "Idempotency-Key");
	if (in.idem_key && (strlen(in.idem_key) == 0 || strlen(in.idem_key) > 64))
		req_field_error(r, "Idempotency-Key", "format", "1 to 64 characters");
	if (reply_if_invalid(r)) {
		json_decref(empty);
		return;
	}
	err_clear(&err);
	int rc = case_submit(&r->who, &in, &id, &replayed, &err);
	json_decref(empty);
	if (rc < 0) {
		reply_err(r, &err);
		return;
	}
	json_t *o = case_get_json(req_db(r), &r->who, id, &err);
	char loc[48];
	snprintf(loc, sizeof(loc), "/api/v1/cases/%lld", (long long)id);
	req_add_header(r, "Location", loc);
	if (replayed)
		req_add_header(r, "Idempotent-Replayed", "true");
	reply_json(r, replayed ? 200 : 201, o ? o : json_pack("{s:I}", "id", (json_int_t)id));
}

void
h_cases_list(struct req *r)
{
	static const char *const states[] = {"submitted",	 "accepted", "not_accepted",
					     "needs_supplement", "approved", "denied",
					     "delivered",	 NULL};
	static const char *const timers[] = {"normal", "warning", "overdue",
					     "paused", "closed",  NULL};
	struct case_query q;
	struct zt_err err;
	int64_t v;

	memset(&q, 0, sizeof(q));
	q.state = q_enum(r, "state", states, NULL);
	q.timer = q_enum(r, "timer", timers, NULL);
	if (q_int(r, "limit", 1, 100, 20, &v) == 0)
		q.limit = (int)v;
	q.cursor = q_str(r, "cursor", 100);
	if (reply_if_invalid(r))
		return;
	err_clear(&err);
	json_t *o = case_list_json(req_db(r), &r->who, &q, &err);
	if (o == NULL) {
		reply_err(r, &err);
		return;
	}
	reply_json(r, 200, o);
}

void
h_cases_get(struct req *r)
{
	struct zt_err err;
	int64_t id = req_param_id(r, 0);

	if (id < 0)
		return;
	err_clear(&err);
	json_t *o = case_get_json(req_db(r), &r->who, id, &err);
	if (o == NULL) {
		reply_err(r, &err);
		return;
	}
	reply_json(r, 200, o);
}

/* Shared by all transitions: validates the body for action, applies it and
 * answers with the updated case. */
static void
act(struct req *r, enum case_action action)
{
	static const char *const f_comment[] = {"comment", NULL};
	static const char *const f_reason[] = {"reason", NULL};
	static const char *const f_supp[] = {"missing", "comment", NULL};
	static const char *const f_resub[] = {"materials", "form", "comment", NULL};
	static const char *const f_deliver[] = {"delivery", "comment", NULL};
	static const char *const deliveries[] = {"electronic", "mail", "window", NULL};
	struct case_action_in in;
	struct zt_err err;
	int64_t id = req_param_id(r, 0);

	if (id < 0)
		return;
	memset(&in, 0, sizeof(in));
	in.action = action;
	switch (action) {
	case ACT_NOT_ACCEPT:
	case ACT_DENY:
		v_only(r, r->json, "", f_reason);
		in.comment = v_str(r, r->json, "reason", 1, 2, 1000);
		break;
	case ACT_SUPPLEMENT: {
		v_only(r, r->json, "", f_supp);
		in.missing = v_array(r, r->json, "missing", 1, 1, 50);
		size_t i;
		json_t *e;
		json_array_foreach(in.missing, i, e)
		{
			if (!json_is_string(e) || json_string_length(e) == 0 ||
			    utf8_len(json_string_value(e)) > 200) {
				char f[32];
				snprintf(f, sizeof(f), "missing[%zu]", i);
				req_field_error(r, f, "type", "text of 1 to 200 characters");
			}
		}
		in.comment = v_str(r, r->json, "comment", 0, 0, 1000);
		break;
	}
	case ACT_RESUBMIT: {
		v_only(r, r->json, "", f_resub);
		json_t *arr = v_array(r, r->json, "materials", 0, 0, CASE_MAX_MATERIALS);
		if (arr)
			in.nmaterials = parse_materials(r, arr, in.materials);
		in.form = v_object(r, r->json, "form", 0);
		in.comment = v_str(r, r->json, "comment", 0, 0, 1000);
		break;
	}
	case ACT_DELIVER:
		v_only(r, r->json, "", f_deliver);
		if (json_object_get(r->json, "delivery") &&
		    v_enum(r, r->json, "delivery", 0, deliveries) >= 0)
			in.delivery = json_string_value(json_object_get(r->json, "delivery"));
		in.comment = v_str(r, r->json, "comment", 0, 0, 1000);
		break;
	case ACT_ACCEPT:
	case ACT_APPROVE:
	case ACT__COUNT:
		v_only(r, r->json, "", f_comment);
		in.comment = v_str(r, r->json, "comment", 0, 0, 1000);
		break;
	}
	if (reply_if_invalid(r))
		return;
	err_clear(&err);
	if (case_act(&r->who, id, &in, &err) < 0) {
		reply_err(r, &err);
		return;
	}
	json_t *o = case_get_json(req_db(r), &r->who, id, &err);
	reply_json(r, 200, o ? o : json_pack("{s:I}", "id", (json_int_t)id));
}

void
h_cases_accept(struct req *r)
{
	act(r, ACT_ACCEPT);
}

void
h_cases_not_accept(struct req *r)
{
	act(r, ACT_NOT_ACCEPT);
}

void
h_cases_supplement(struct req *r)
{
	act(r, ACT_SUPPLEMENT);
}

void
h_cases_resubmit(struct req *r)
{
	act(r, ACT_RESUBMIT);
}

void
h_cases_approve(struct req *r)
{
	act(r, ACT_APPROVE);
}

void
h_cases_deny(struct req *r)
{
	act(r, ACT_DENY);
}

void
h_cases_deliver(struct req *r)
{
	act(r, ACT_DELIVER);
}

void
h_cases_visit(struct req *r)
{
	static const char *const fields[] = {"purpose", NULL};
	struct zt_err err;
	int64_t id = req_param_id(r, 0);

	if (id < 0)
		return;
	v_only(r, r->json, "", fields);
	const char *purpose = v_str(r, r->json, "purpose", 1, 2, 200);
	if (reply_if_invalid(r))
		return;
	err_clear(&err);
	if (case_record_visit(&r->who, id, purpose, &err) < 0) {
		reply_err(r, &err);
		return;
	}
	json_t *o = case_get_json(req_db(r), &r->who, id, &err);
	reply_json(r, 201, o ? o : json_pack("{s:I}", "id", (json_int_t)id));
}

void
h_cases_rate(struct req *r)
{
	static const char *const fields[] = {"stars", "comment", NULL};
	struct zt_err err;
	int64_t id = req_param_id(r, 0), stars;

	if (id < 0)
		return;
	v_only(r, r->json, "", fields);
	v_int(r, r->json, "stars", 1, 1, 5, 0, &stars);
	const char *comment = v_str(r, r->json, "comment", 0, 0, 500);
	if (reply_if_invalid(r))
		return;
	err_clear(&err);
	if (rating_submit(&r->who, id, (int)stars, comment, &err) < 0) {
		reply_err(r, &err);
		return;
	}
	json_t *o = case_get_json(req_db(r), &r->who, id, &err);
	reply_json(r, 201, o ? o : json_pack("{s:I}", "id", (json_int_t)id));
}
