/* supervision.c - the supervisor's list of 督办 items and closing them. */
#include "api/handlers.h"
#include "http/req.h"
#include "http/validate.h"
#include "domain/supervise.h"

#include <string.h>

void
h_supervision_list(struct req *r)
{
	struct zt_err err;
	int64_t limit;
	const char *status = q_str(r, "status", 10);
	const char *kind = q_str(r, "kind", 16);

	if (status && strcmp(status, "open") != 0 && strcmp(status, "closed") != 0)
		req_field_error(r, "status", "enum", "open or closed");
	if (kind && strcmp(kind, "overdue") != 0 && strcmp(kind, "bad_rating") != 0 &&
	    strcmp(kind, "complaint") != 0 && strcmp(kind, "share_overdue") != 0)
		req_field_error(r, "kind", "enum",
				"overdue, bad_rating, complaint or share_overdue");
	q_int(r, "limit", 1, 100, 50, &limit);
	const char *cursor = q_str(r, "cursor", 24);
	if (reply_if_invalid(r))
		return;
	err_clear(&err);
	json_t *o = supervise_list_json(req_db(r), &r->who, status, kind, (int)limit, cursor, &err);
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
