/* org.c - regions and departments. */
#include "api/handlers.h"
#include "http/req.h"
#include "http/validate.h"
#include "base/ident.h"
#include "domain/org.h"

#include <string.h>

void
h_regions(struct req *r)
{
	struct zt_err err;
	const char *parent = q_str(r, "parent", 6);

	if (reply_if_invalid(r))
		return;
	json_t *a = org_regions_json(req_db(r), parent, &err);
	if (a == NULL) {
		reply_err(r, &err);
		return;
	}
	reply_json(r, 200, json_pack("{s:o}", "items", a));
}

void
h_departments(struct req *r)
{
	struct zt_err err;
	const char *region = q_str(r, "region", 6);

	if (reply_if_invalid(r))
		return;
	json_t *a = org_departments_json(req_db(r), region, &err);
	if (a == NULL) {
		reply_err(r, &err);
		return;
	}
	reply_json(r, 200, json_pack("{s:o}", "items", a));
}

void
h_departments_add(struct req *r)
{
	static const char *const fields[] = {"credit_code", "name",	 "name_en",
					     "region_code", "oversight", NULL};
	struct dept_in in;
	struct zt_err err;
	int64_t id;

	memset(&in, 0, sizeof(in));
	v_only(r, r->json, "", fields);
	v_bool(r, r->json, "oversight", 0, 0, &in.oversight);
	in.credit_code = v_str(r, r->json, "credit_code", 1, 18, 18);
	in.name = v_str(r, r->json, "name", 1, 2, 100);
	in.name_en = v_str(r, r->json, "name_en", 0, 0, 200);
	in.region_code = v_str(r, r->json, "region_code", 1, 6, 6);
	if (reply_if_invalid(r))
		return;
	err_clear(&err);
	if (org_add_department(&r->who, &in, &id, &err) < 0) {
		reply_err(r, &err);
		return;
	}
	reply_json(r, 201,
		   json_pack("{s:I, s:s, s:s, s:s, s:b}", "id", (json_int_t)id, "credit_code",
			     in.credit_code, "name", in.name, "region_code", in.region_code,
			     "oversight", in.oversight));
}
