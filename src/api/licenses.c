/* licenses.c - e-license types, the holder's and issuer's licenses,
 * revocation, public verification, and the once-only prefill of an item. */
#include "api/handlers.h"
#include "http/req.h"
#include "http/validate.h"
#include "domain/case.h"
#include "domain/license.h"

#include <stdio.h>
#include <string.h>

void
h_license_types_list(struct req *r)
{
	struct zt_err err;
	int64_t limit = 50;

	q_int(r, "limit", 1, 100, 50, &limit);
	const char *cursor = q_str(r, "cursor", 100);
	if (reply_if_invalid(r))
		return;
	err_clear(&err);
	json_t *o = license_types_json(req_db(r), (int)limit, cursor, &err);
	if (o == NULL) {
		reply_err(r, &err);
		return;
	}
	reply_json(r, 200, o);
}

void
h_license_types_create(struct req *r)
{
	static const char *const fields[] = {"name",	    "name_en", "fields",
					     "valid_years", "dept_id", NULL};
	static const char *const ffields[] = {"name", "label", NULL};
	struct license_type_in in;
	struct zt_err err;
	char code[LICID_TYPE_LEN + 1];
	int64_t v = 0;

	memset(&in, 0, sizeof(in));
	v_only(r, r->json, "", fields);
	in.name = v_str(r, r->json, "name", 1, 2, 100);
	in.name_en = v_str(r, r->json, "name_en", 0, 0, 200);
	if (v_int(r, r->json, "valid_years", 0, 1, 100, 0, &v) == 0)
		in.valid_years = (int)v;
	v_int(r, r->json, "dept_id", 0, 1, INT64_MAX, 0, &in.dept_id);
	json_t *empty = json_array();
	in.fields = v_array(r, r->json, "fields", 0, 0, LICENSE_MAX_FIELDS);
	size_t i;
	json_t *f;
	json_array_foreach(in.fields, i, f)
	{
		char p[32];
		snprintf(p, sizeof(p), "fields[%zu]", i);
		if (!json_is_object(f)) {
			req_field_error(r, p, "type", "each field is {name, label}");
			continue;
		}
		v_only(r, f, p, ffields);
		for (int k = 0; k < 2; k++) {
			json_t *s = json_object_get(f, ffields[k]);
			char fp[48];
			snprintf(fp, sizeof(fp), "%s.%s", p, ffields[k]);
			if ((s == NULL && k == 1))
				continue;
			if (!json_is_string(s) || json_string_length(s) == 0 ||
			    utf8_len(json_string_value(s)) > 40)
				req_field_error(r, fp, "format", "text of 1 to 40 characters");
		}
	}
	if (in.fields == NULL)
		in.fields = empty;
	if (reply_if_invalid(r)) {
		json_decref(empty);
		return;
	}
	err_clear(&err);
	int rc = license_type_create(&r->who, &in, code, &err);
	json_decref(empty);
	if (rc < 0) {
		reply_err(r, &err);
		return;
	}
	json_t *o = license_type_json(req_db(r), code, &err);
	reply_json(r, 201, o ? o : json_pack("{s:s}", "code", code));
}

void
h_licenses_list(struct req *r)
{
	struct zt_err err;
	int64_t limit = 50;

	const char *dept = q_str(r, "dept", 10);
	if (dept && (r->who.kind != KIND_OFFICIAL || strcmp(dept, "mine") != 0))
		req_field_error(r, "dept", "enum", "officials may ask for dept=mine only");
	q_int(r, "limit", 1, 100, 50, &limit);
	const char *cursor = q_str(r, "cursor", 100);
	if (reply_if_invalid(r))
		return;
	err_clear(&err);
	json_t *o = license_list_json(req_db(r), &r->who, (int)limit, cursor, &err);
	if (o == NULL) {
		reply_err(r, &err);
		return;
	}
	reply_json(r, 200, o);
}

/* The {identifier} path parameter when it has the identifier layout (else
 * answers 404 and returns NULL). */
static const char *
param_identifier(struct req *r)
{
	struct licid id;
	struct zt_err err;

	if (r->nparams < 1 || licid_parse(r->params[0], &id, &err) < 0) {
		reply_problem(r, 404, "not_found", "no such license");
		return NULL;
	}
	return r->params[0];
}

void
h_licenses_get(struct req *r)
{
	struct zt_err err;
	int download = 0;
	const char *identifier = param_identifier(r);

	if (identifier == NULL)
		return;
	const char *d = req_query(r, "download");
	if (d && strcmp(d, "1") != 0 && strcmp(d, "0") != 0)
		req_field_error(r, "download", "enum", "download is 0 or 1");
	if (reply_if_invalid(r))
		return;
	download = d && strcmp(d, "1") == 0;
	err_clear(&err);
	json_t *o = license_get_json(req_db(r), &r->who, identifier, &err);
	if (o == NULL) {
		reply_err(r, &err);
		return;
	}
	if (download) {
		char cd[128];
		snprintf(cd, sizeof(cd), "attachment; filename=\"%s.json\"", identifier);
		req_add_header(r, "Content-Disposition", cd);
	}
	reply_json(r, 200, o);
}

void
h_licenses_revoke(struct req *r)
{
	static const char *const fields[] = {"reason", NULL};
	struct zt_err err;
	const char *identifier = param_identifier(r);

	if (identifier == NULL)
		return;
	v_only(r, r->json, "", fields);
	const char *reason = v_str(r, r->json, "reason", 1, 2, 500);
	if (reply_if_invalid(r))
		return;
	err_clear(&err);
	if (license_revoke(&r->who, identifier, reason, &err) < 0) {
		reply_err(r, &err);
		return;
	}
	json_t *o = license_get_json(req_db(r), &r->who, identifier, &err);
	reply_json(r, 200, o ? o : json_pack("{s:s}", "identifier", identifier));
}

void
h_licenses_verify(struct req *r)
{
	static const char *const fields[] = {"identifier", "qr", NULL};
	char identifier[LICID_MAX], sig[LICENSE_SIG_MAX];
	struct zt_err err;

	v_only(r, r->json, "", fields);
	const char *id = v_str(r, r->json, "identifier", 0, 1, 200);
	const char *qr = v_str(r, r->json, "qr", 0, 1, 600);
	if (reply_if_invalid(r))
		return;
	if (id == NULL && qr == NULL)
		req_field_error(r, "identifier", "required", "give identifier or qr");
	else if (id && qr)
		req_field_error(r, "qr", "conflict", "give identifier or qr, not both");
	if (reply_if_invalid(r))
		return;
	err_clear(&err);
	if (qr) {
		if (license_qr_parse(qr, identifier, sig, &err) < 0) {
			reply_err(r, &err);
			return;
		}
	} else {
		snprintf(identifier, sizeof(identifier), "%s", id);
	}
	json_t *o = license_verify_json(req_db(r), identifier, qr ? sig : NULL, &err);
	if (o == NULL) {
		/* A malformed identifier inside a QR code is a bad QR code. */
		if (qr && strcmp(err.field, "identifier") == 0)
			snprintf(err.field, sizeof(err.field), "qr");
		reply_err(r, &err);
		return;
	}
	reply_json(r, 200, o);
}

void
h_services_prefill(struct req *r)
{
	struct zt_err err;
	int64_t id = req_param_id(r, 0);

	if (id < 0)
		return;
	err_clear(&err);
	json_t *o = case_prefill_json(req_db(r), &r->who, id, &err);
	if (o == NULL) {
		reply_err(r, &err);
		return;
	}
	reply_json(r, 200, o);
}
