/* fed_cases.c - 跨省通办 over HTTP: applications for items of other nodes in
 * three modes, the window's formal review and hand-over, 补正, the views,
 * and the window's scans (fed/xcase.h, docs/federation.md). */
#include "api/handlers.h"
#include "http/req.h"
#include "http/upload.h"
#include "http/validate.h"
#include "base/clock.h"
#include "base/fileio.h"
#include "base/ident.h"
#include "base/xmalloc.h"
#include "domain/files.h"
#include "fed/xcase.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const modes[] = {"full_online", "proxy", "joint", NULL};

/* Reads materials:[{seq?, name, file}] of field into m. Returns the count. */
static int
parse_materials(struct req *r, json_t *arr, const char *field, struct case_material_in *m)
{
	static const char *const fields[] = {"seq", "name", "file", NULL};
	size_t i;
	json_t *e;

	json_array_foreach(arr, i, e)
	{
		char p[48], f[64];
		snprintf(p, sizeof(p), "%s[%zu]", field, i);
		memset(&m[i], 0, sizeof(m[i]));
		if (!json_is_object(e)) {
			req_field_error(r, p, "type", "each material is an object");
			continue;
		}
		v_only(r, e, p, fields);
		json_t *seq = json_object_get(e, "seq"), *name = json_object_get(e, "name");
		json_t *file = json_object_get(e, "file");
		if (seq && !json_is_null(seq)) {
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
		if (!m[i].file || strlen(m[i].file) != 64 ||
		    strspn(m[i].file, "0123456789abcdef") != 64) {
			snprintf(f, sizeof(f), "%s.file", p);
			req_field_error(r, f, "format",
					"the id of an uploaded file (64 hex digits)");
		}
	}
	return (int)json_array_size(arr);
}

/* A member that the mode does not take. */
static void
not_for_mode(struct req *r, const char *field, const char *mode)
{
	if (json_object_get(r->json, field))
		req_field_error(r, field, "not_allowed", "not taken in mode %s", mode);
}

static void
reply_fed_case(struct req *r, int status, int64_t id)
{
	struct zt_err err;
	char loc[64];

	err_clear(&err);
	json_t *o = xcase_get_json(req_db(r), &r->who, id, &err);
	snprintf(loc, sizeof(loc), "/api/v1/fed/cases/%lld", (long long)id);
	if (status == 201)
		req_add_header(r, "Location", loc);
	reply_json(r, status, o ? o : json_pack("{s:I}", "id", (json_int_t)id));
}

/* POST /api/v1/fed/cases */
void
h_fed_cases_create(struct req *r)
{
	static const char *const fields[] = {"mode",
					     "home_region",
					     "item_code",
					     "form",
					     "materials",
					     "local_item_code",
					     "local_materials",
					     "applicant_kind",
					     "applicant_id_no",
					     "applicant_name",
					     "applicant_phone",
					     NULL};
	static const char *const kinds[] = {"citizen", "enterprise", NULL};
	struct xcase_in *in = xcalloc(1, sizeof(*in));
	struct zt_err err;
	char idno[32];
	int64_t id;

	v_only(r, r->json, "", fields);
	int m = v_enum(r, r->json, "mode", 1, modes);
	in->mode = m < 0 ? "full_online" : modes[m];
	in->home_region = v_str(r, r->json, "home_region", 1, 6, 6);
	if (in->home_region && strspn(in->home_region, "0123456789") != 6)
		req_field_error(r, "home_region", "format", "a region code of 6 digits");
	in->item_code = v_str(r, r->json, "item_code", 1, 1, 60);
	in->form = v_object(r, r->json, "form", 0);
	json_t *empty = json_object();
	if (in->form == NULL)
		in->form = empty;
	json_t *arr = v_array(r, r->json, "materials", 0, 0, CASE_MAX_MATERIALS);
	if (arr)
		in->nmaterials = parse_materials(r, arr, "materials", in->materials);
	if (m == 2) { /* joint */
		in->local_item_code = v_str(r, r->json, "local_item_code", 1, 1, 60);
		arr = v_array(r, r->json, "local_materials", 0, 0, CASE_MAX_MATERIALS);
		if (arr)
			in->nlocal =
			    parse_materials(r, arr, "local_materials", in->local_materials);
	} else if (m >= 0) {
		not_for_mode(r, "local_item_code", in->mode);
		not_for_mode(r, "local_materials", in->mode);
	}
	if (m == 1) { /* proxy: the person at the window */
		int k = v_enum(r, r->json, "applicant_kind", 0, kinds);
		in->applicant_kind = k < 0 ? "citizen" : kinds[k];
		const char *raw = v_str(r, r->json, "applicant_id_no", 1, 1, 18);
		struct zt_err e2;
		err_clear(&e2);
		if (raw) {
			if (ident_normalize(raw, idno, sizeof(idno)) < 0 ||
			    (k == 1 ? ident_check_credit_code(idno, &e2)
				    : ident_check_id_number(idno, clock_today_ymd(), &e2)) < 0)
				req_field_error(r, "applicant_id_no",
						e2.reason[0] ? e2.reason : "format", "%s",
						e2.msg[0] ? e2.msg : "not a valid number");
			else
				in->applicant_id_no = idno;
		}
		in->applicant_name = v_str(r, r->json, "applicant_name", 1, 1, 50);
		in->applicant_phone = v_str(r, r->json, "applicant_phone", 0, 1, 20);
		err_clear(&e2);
		if (in->applicant_phone && ident_check_phone(in->applicant_phone, &e2) < 0)
			req_field_error(r, "applicant_phone", e2.reason, "%s", e2.msg);
	} else if (m >= 0) {
		not_for_mode(r, "applicant_kind", in->mode);
		not_for_mode(r, "applicant_id_no", in->mode);
		not_for_mode(r, "applicant_name", in->mode);
		not_for_mode(r, "applicant_phone", in->mode);
	}
	if (reply_if_invalid(r))
		goto out;
	err_clear(&err);
	if (xcase_create(&r->who, in, &id, &err) < 0) {
		reply_err(r, &err);
		goto out;
	}
	reply_fed_case(r, 201, id);
out:
	json_decref(empty);
	free(in);
}

/* GET /api/v1/fed/cases?state=&mode=&limit=&cursor= */
void
h_fed_cases_list(struct req *r)
{
	static const char *const states[] = {"received",
					     "not_accepted_here",
					     "forwarded",
					     "submitted",
					     "accepted",
					     "not_accepted",
					     "needs_supplement",
					     "approved",
					     "denied",
					     "delivered",
					     NULL};
	struct xcase_query q;
	struct zt_err err;
	int64_t v;

	memset(&q, 0, sizeof(q));
	q.state = q_enum(r, "state", states, NULL);
	q.mode = q_enum(r, "mode", modes, NULL);
	if (q_int(r, "limit", 1, 100, 20, &v) == 0)
		q.limit = (int)v;
	q.cursor = q_str(r, "cursor", 100);
	if (reply_if_invalid(r))
		return;
	err_clear(&err);
	json_t *o = xcase_list_json(req_db(r), &r->who, &q, &err);
	if (o == NULL) {
		reply_err(r, &err);
		return;
	}
	reply_json(r, 200, o);
}

/* GET /api/v1/fed/cases/{id} */
void
h_fed_cases_get(struct req *r)
{
	struct zt_err err;
	int64_t id = req_param_id(r, 0);

	if (id < 0)
		return;
	err_clear(&err);
	json_t *o = xcase_get_json(req_db(r), &r->who, id, &err);
	if (o == NULL) {
		reply_err(r, &err);
		return;
	}
	reply_json(r, 200, o);
}

/* POST /api/v1/fed/cases/{id}/review {decision: pass|reject, note} */
void
h_fed_cases_review(struct req *r)
{
	static const char *const fields[] = {"decision", "note", NULL};
	static const char *const decisions[] = {"pass", "reject", NULL};
	struct zt_err err;
	int64_t id = req_param_id(r, 0);

	if (id < 0)
		return;
	v_only(r, r->json, "", fields);
	int d = v_enum(r, r->json, "decision", 1, decisions);
	const char *note = v_str(r, r->json, "note", d == 1, d == 1 ? 2 : 0, 1000);
	if (reply_if_invalid(r))
		return;
	err_clear(&err);
	if (xcase_review(&r->who, id, d == 0, note, &err) < 0) {
		reply_err(r, &err);
		return;
	}
	reply_fed_case(r, 200, id);
}

/* POST /api/v1/fed/cases/{id}/resubmit {materials, form, comment} */
void
h_fed_cases_resubmit(struct req *r)
{
	static const char *const fields[] = {"materials", "form", "comment", NULL};
	struct case_material_in *m = xcalloc(CASE_MAX_MATERIALS, sizeof(*m));
	struct zt_err err;
	int n = 0;
	int64_t id = req_param_id(r, 0);

	if (id < 0)
		goto out;
	v_only(r, r->json, "", fields);
	json_t *arr = v_array(r, r->json, "materials", 0, 0, CASE_MAX_MATERIALS);
	if (arr)
		n = parse_materials(r, arr, "materials", m);
	json_t *form = v_object(r, r->json, "form", 0);
	const char *comment = v_str(r, r->json, "comment", 0, 0, 1000);
	if (reply_if_invalid(r))
		goto out;
	err_clear(&err);
	if (xcase_resubmit(&r->who, id, form, m, n, comment, &err) < 0) {
		reply_err(r, &err);
		goto out;
	}
	reply_fed_case(r, 200, id);
out:
	free(m);
}

/* POST /api/v1/fed/cases/{id}/deliver {comment} */
void
h_fed_cases_deliver(struct req *r)
{
	static const char *const fields[] = {"comment", NULL};
	struct zt_err err;
	int64_t id = req_param_id(r, 0);

	if (id < 0)
		return;
	v_only(r, r->json, "", fields);
	const char *comment = v_str(r, r->json, "comment", 0, 0, 1000);
	if (reply_if_invalid(r))
		return;
	err_clear(&err);
	if (xcase_deliver(&r->who, id, comment, &err) < 0) {
		reply_err(r, &err);
		return;
	}
	reply_fed_case(r, 200, id);
}

/* GET /api/v1/fed/cases/{id}/files/{hash}: a material of an application,
 * for those who may read it (the files stay at this node). */
void
h_fed_cases_file(struct req *r)
{
	const char *hash = r->params[1];
	char path[800];
	struct zt_err err;
	int64_t id = req_param_id(r, 0);

	if (id < 0)
		return;
	err_clear(&err);
	json_t *o = xcase_get_json(req_db(r), &r->who, id, &err);
	if (o == NULL) {
		reply_err(r, &err);
		return;
	}
	const char *mime = NULL;
	size_t i;
	json_t *e;
	json_array_foreach(json_object_get(o, "materials"), i, e)
	{
		const char *f = json_string_value(json_object_get(e, "file"));
		if (f && strcmp(f, hash) == 0)
			mime = json_string_value(json_object_get(e, "mime"));
	}
	char ct[64];
	snprintf(ct, sizeof(ct), "%s", mime ? mime : "");
	json_decref(o);
	char *data;
	size_t n;
	if (*ct == '\0' || files_path(hash, path, sizeof(path)) < 0 ||
	    file_read_all(path, 64 << 20, &data, &n) < 0) {
		reply_problem(r, 404, "not_found", "no such material");
		return;
	}
	req_add_header(r, "Content-Disposition", "inline");
	reply_raw(r, 200,
		  strcmp(ct, "application/pdf") == 0 ? "application/pdf"
		  : strcmp(ct, "image/jpeg") == 0    ? "image/jpeg"
		  : strcmp(ct, "image/png") == 0     ? "image/png"
						     : "application/ofd",
		  data, n);
}

/* POST /api/v1/fed/files: a clerk's scan of a material brought to the
 * window (proxy mode), stored like an applicant's upload. */
void
h_fed_files_upload(struct req *r)
{
	struct upload *u = r->upload;
	char hash[SM3_HEX_LEN];
	struct zt_err err;
	json_t *out;

	if (u->size == 0) {
		req_field_error(r, "file", "required", "the body must be the file's content");
		reply_if_invalid(r);
		return;
	}
	const char *mime = files_detect(u->head, u->headlen);
	if (mime == NULL) {
		reply_problem(r, 415, "unsupported_media_type",
			      "only PDF, JPEG, PNG and OFD files are accepted (judged by content)");
		return;
	}
	if (!files_declared_agrees(req_header(r, "Content-Type"), mime)) {
		reply_problem(r, 415, "type_mismatch",
			      "the declared Content-Type does not match the file's content");
		return;
	}
	if (upload_finish(u, hash) < 0) {
		reply_problem(r, 507, "storage_full", "cannot store the file");
		return;
	}
	err_clear(&err);
	if (files_store(&r->who, u->path, hash, u->size, mime, &out, &err) < 0) {
		reply_err(r, &err);
		return;
	}
	reply_json(r, 201, out);
}
