/* auth.c - registration, login, logout, the current user, officials. */
#include "api/handlers.h"
#include "http/req.h"
#include "http/validate.h"
#include "base/clock.h"
#include "domain/auth.h"

#include <stdio.h>
#include <string.h>

void
h_register(struct req *r)
{
	static const char *const fields[] = {"kind",  "name",	  "id_number", "credit_code",
					     "phone", "password", NULL};
	static const char *const kinds[] = {"citizen", "enterprise", NULL};
	struct register_in in;
	struct zt_err err;
	int64_t id;

	memset(&in, 0, sizeof(in));
	v_only(r, r->json, "", fields);
	int kind = v_enum(r, r->json, "kind", 1, kinds);
	in.kind = kind == 1 ? KIND_ENTERPRISE : KIND_CITIZEN;
	in.name = v_str(r, r->json, "name", 1, 1, 100);
	if (kind == 0)
		in.id_number = v_str(r, r->json, "id_number", 1, 18, 18);
	else if (kind == 1)
		in.credit_code = v_str(r, r->json, "credit_code", 1, 18, 18);
	in.phone = v_str(r, r->json, "phone", 1, 11, 11);
	in.password = v_str(r, r->json, "password", 1, 1, 128);
	if (reply_if_invalid(r))
		return;
	err_clear(&err);
	if (auth_register(&in, &id, &err) < 0) {
		reply_err(r, &err);
		return;
	}
	json_t *u = auth_user_json(req_db(r), id, &err);
	reply_json(r, 201, u ? u : json_pack("{s:I}", "id", (json_int_t)id));
}

void
h_login(struct req *r)
{
	static const char *const fields[] = {"login", "password", NULL};
	char token[AUTH_TOKEN_LEN], exp[32];
	struct zt_err err;
	int64_t expires, uid;

	v_only(r, r->json, "", fields);
	const char *login = v_str(r, r->json, "login", 1, 1, 64);
	const char *password = v_str(r, r->json, "password", 1, 1, 128);
	if (reply_if_invalid(r))
		return;
	err_clear(&err);
	if (auth_login(req_db(r), login, password, token, &expires, &uid, &err) < 0) {
		if (err.code == ZT_ELIMIT) {
			char secs[24];
			snprintf(secs, sizeof(secs), "%lld",
				 (long long)auth_retry_after(req_db(r), login));
			req_add_header(r, "Retry-After", secs);
		}
		reply_err(r, &err);
		return;
	}
	time_format(expires, exp);
	json_t *u = auth_user_json(req_db(r), uid, &err);
	reply_json(r, 200,
		   json_pack("{s:s, s:s, s:o}", "token", token, "expires_at", exp, "user",
			     u ? u : json_object()));
}

void
h_logout(struct req *r)
{
	struct zt_err err;
	const char *h = req_header(r, "Authorization");

	err_clear(&err);
	if (auth_logout(h + 7, r->who.user_id, &err) < 0) {
		reply_err(r, &err);
		return;
	}
	reply_json(r, 200, json_pack("{s:b}", "ok", 1));
}

void
h_me(struct req *r)
{
	struct zt_err err;
	json_t *u = auth_user_json(req_db(r), r->who.user_id, &err);

	if (u == NULL) {
		reply_err(r, &err);
		return;
	}
	reply_json(r, 200, u);
}

void
h_officials_add(struct req *r)
{
	static const char *const fields[] = {"login",	"name",	 "phone", "password",
					     "dept_id", "roles", NULL};
	struct official_in in;
	struct zt_err err;
	int64_t dept, id;

	memset(&in, 0, sizeof(in));
	v_only(r, r->json, "", fields);
	in.login = v_str(r, r->json, "login", 1, 3, 32);
	in.name = v_str(r, r->json, "name", 1, 1, 100);
	in.phone = v_str(r, r->json, "phone", 0, 11, 11);
	in.password = v_str(r, r->json, "password", 1, 1, 128);
	v_int(r, r->json, "dept_id", 0, 1, INT64_MAX, r->who.dept_id, &dept);
	in.dept_id = dept;
	json_t *roles = v_array(r, r->json, "roles", 1, 1, 6);
	if (roles) {
		size_t i;
		json_t *v;
		json_array_foreach(roles, i, v)
		{
			unsigned bit = json_is_string(v) ? role_from_name(json_string_value(v)) : 0;
			if (bit == 0)
				req_field_error(
				    r, "roles", "enum",
				    "roles are clerk, reviewer, dept_admin, data_officer,"
				    " supervisor, sysadmin");
			in.roles |= bit;
		}
	}
	if (in.login) {
		for (const char *p = in.login; *p; p++)
			if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '.' ||
			      *p == '_' || *p == '-')) {
				req_field_error(r, "login", "format",
						"use lower-case letters, digits, '.', '_' or '-'");
				break;
			}
		if (strlen(in.login) == 18)
			req_field_error(r, "login", "format",
					"18-character logins are reserved for ID numbers");
	}
	if (reply_if_invalid(r))
		return;
	err_clear(&err);
	if (auth_add_official(&r->who, &in, &id, &err) < 0) {
		reply_err(r, &err);
		return;
	}
	json_t *u = auth_user_json(req_db(r), id, &err);
	reply_json(r, 201, u ? u : json_pack("{s:I}", "id", (json_int_t)id));
}

void
h_officials_list(struct req *r)
{
	struct zt_err err;
	int64_t dept;

	if (q_int(r, "dept_id", 1, INT64_MAX, r->who.dept_id, &dept) < 0) {
		reply_if_invalid(r);
		return;
	}
	if (!principal_has_role(&r->who, ROLE_SYSADMIN) && dept != r->who.dept_id) {
		reply_problem(r, 403, "other_department", "you may list only your own department");
		return;
	}
	json_t *a = auth_list_officials(req_db(r), dept, &err);
	if (a == NULL) {
		reply_err(r, &err);
		return;
	}
	reply_json(r, 200, json_pack("{s:o}", "items", a));
}
