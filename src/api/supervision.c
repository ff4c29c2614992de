/* supervision.c - the supervisor's 督办 items, their dashboard and closing
 * them; public complaints (投诉/线索) and the public service-quality figures. */
#include "api/handlers.h"
#include "http/ratelimit.h"
#include "http/req.h"
#include "http/validate.h"
#include "domain/complaint.h"
#include "domain/quality.h"
#include "domain/supervise.h"
#include "base/ident.h"

#include <stdio.h>
#include <string.h>

static const char *const kinds[] = {"overdue",	     "bad_rating", "complaint",
				    "share_overdue", "escalated",  NULL};
static const char *const statuses[] = {"open", "closed", NULL};
static const char *const scopes[] = {"dept", "region", NULL};
static const char *const abouts[] = {"item", "case", "department", NULL};

static enum supervise_scope
q_scope(struct req *r)
{
	const char *sc = q_enum(r, "scope", scopes, NULL);
	return sc && strcmp(sc, "region") == 0 ? SCOPE_REGION : SCOPE_DEPT;
}

void
h_supervision_list(struct req *r)
{
	struct zt_err err;
	int64_t limit;
	const char *st = q_enum(r, "status", statuses, NULL);
	const char *kind = q_enum(r, "kind", kinds, NULL);
	enum supervise_scope scope = q_scope(r);

	q_int(r, "limit", 1, 100, 50, &limit);
	const char *cursor = q_str(r, "cursor", 24);
	if (reply_if_invalid(r))
		return;
	err_clear(&err);
	json_t *o =
	    supervise_list_json(req_db(r), &r->who, scope, st, kind, (int)limit, cursor, &err);
	if (o == NULL) {
		reply_err(r, &err);
		return;
	}
	reply_json(r, 200, o);
}

void
h_supervision_summary(struct req *r)
{
	struct zt_err err;
	enum supervise_scope scope = q_scope(r);

	if (reply_if_invalid(r))
		return;
	err_clear(&err);
	json_t *o = supervise_summary_json(req_db(r), &r->who, scope, &err);
	if (o == NULL) {
		reply_err(r, &err);
		return;
	}
	reply_json(r, 200, o);
}

void
h_supervision_close(struct req *r)
{
	static const char *const fields[] = {"outcome", NULL};
	struct zt_err err;
	int64_t id = req_param_id(r, 0);

	if (id < 0)
		return;
	v_only(r, r->json, "", fields);
	const char *outcome = v_str(r, r->json, "outcome", 1, 2, 2000);
	if (reply_if_invalid(r))
		return;
	err_clear(&err);
	if (supervise_close(&r->who, id, outcome, &err) < 0) {
		reply_err(r, &err);
		return;
	}
	reply_json(r, 200, json_pack("{s:I, s:s}", "id", (json_int_t)id, "status", "closed"));
}

/* ==== complaints ==== */

void
h_complaints_submit(struct req *r)
{
	static const char *const fields[] = {"about",	"item_id",	"case_no",	 "dept_id",
					     "content", "contact_name", "contact_phone", NULL};
	struct complaint_in in;
	struct zt_err err;
	char client[64];
	json_t *out;

	memset(&in, 0, sizeof(in));
	v_only(r, r->json, "", fields);
	int about = v_enum(r, r->json, "about", 1, abouts);
	in.about = about < 0 ? NULL : abouts[about];
	/* The subject the about names, and no other. */
	static const char *const subjects[] = {"item_id", "case_no", "dept_id"};
	for (int i = 0; i < 3; i++)
		if (i != about && about >= 0 && json_object_get(r->json, subjects[i]))
			req_field_error(r, subjects[i], "not_allowed", "not used for about=%s",
					in.about);
	if (about == 0)
		v_int(r, r->json, "item_id", 1, 1, INT64_MAX, 0, &in.item_id);
	else if (about == 1)
		in.case_no = v_str(r, r->json, "case_no", 1, 1, 40);
	else if (about == 2)
		v_int(r, r->json, "dept_id", 1, 1, INT64_MAX, 0, &in.dept_id);
	in.content = v_str(r, r->json, "content", 1, COMPLAINT_CONTENT_MIN, COMPLAINT_CONTENT_MAX);
	in.contact_name = v_str(r, r->json, "contact_name", 0, 1, COMPLAINT_NAME_MAX);
	in.contact_phone = v_str(r, r->json, "contact_phone", 0, 1, 20);
	if (in.contact_phone && ident_check_phone(in.contact_phone, &err) < 0)
		req_field_error(r, "contact_phone", "format", "a mainland mobile number");
	if (reply_if_invalid(r))
		return;
	/* The contact rule before the limit: a refused complaint costs nothing. */
	err_clear(&err);
	if (!complaint_signed_in(&r->who) &&
	    (in.contact_name == NULL || in.contact_phone == NULL)) {
		err_set(&err, ZT_ERULE, in.contact_name ? "contact_phone" : "contact_name",
			"required",
			"a complaint without signing in needs a contact name and phone");
		reply_err(r, &err);
		return;
	}
	/* Who is filing: the address, or the local proxy's X-Real-IP. */
	req_client_key(r, client);
	int wait = complaint_rate_take(client);
	if (wait > 0) {
		char secs[16];
		snprintf(secs, sizeof(secs), "%d", wait);
		req_add_header(r, "Retry-After", secs);
		reply_problem(r, 429, "rate_limited", "too many complaints from this address");
		return;
	}
	err_clear(&err);
	if (complaint_submit(&r->who, &in, &out, &err) < 0) {
		reply_err(r, &err);
		return;
	}
	char loc[64];
	snprintf(loc, sizeof(loc), "/api/v1/complaints/%s",
		 json_string_value(json_object_get(out, "no")));
	req_add_header(r, "Location", loc);
	reply_json(r, 201, out);
}

void
h_complaints_public(struct req *r)
{
	struct zt_err err;
	int64_t limit, dept;
	const char *st = q_enum(r, "status", statuses, NULL);

	q_int(r, "dept_id", 1, INT64_MAX, 0, &dept);
	q_int(r, "limit", 1, 100, 20, &limit);
	const char *cursor = q_str(r, "cursor", 64);
	if (reply_if_invalid(r))
		return;
	err_clear(&err);
	json_t *o = complaint_public_list_json(req_db(r), dept, st, (int)limit, cursor, &err);
	if (o == NULL) {
		reply_err(r, &err);
		return;
	}
	reply_json(r, 200, o);
}

void
h_complaints_get(struct req *r)
{
	struct zt_err err;
	const char *no = r->nparams > 0 ? r->params[0] : "";

	err_clear(&err);
	if (strlen(no) > 24) {
		reply_problem(r, 404, "not_found", "no such complaint");
		return;
	}
	json_t *o = complaint_public_json(req_db(r), no, &err);
	if (o == NULL) {
		reply_err(r, &err);
		return;
	}
	reply_json(r, 200, o);
}

/* ==== service quality ==== */

void
h_quality(struct req *r)
{
	struct zt_err err;
	const char *region = q_str(r, "region", 6);
	const char *period = q_str(r, "period", 7);

	if (region && ident_check_region_code(region, &err) < 0)
		req_field_error(r, "region", "format", "a 6-digit region code");
	if (reply_if_invalid(r))
		return;
	err_clear(&err);
	json_t *o = quality_json(req_db(r), region, period, &err);
	if (o == NULL) {
		reply_err(r, &err);
		return;
	}
	reply_json(r, 200, o);
}
