/* license.c - e-license types, issuing, revocation, views and
 * verification (docs/sharing.md, E-licenses). */
#include "domain/license.h"
#include "domain/audit.h"
#include "base/buf.h"
#include "base/calendar.h"
#include "base/clock.h"
#include "base/ident.h"
#include "base/page.h"
#include "base/xmalloc.h"
#include "crypto/fieldenc.h"
#include "crypto/nodekey.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A license row as read from the database. */
struct lic_row {
	int64_t id, issuer_dept, case_id;
	char identifier[LICID_MAX];
	char type[LICID_TYPE_LEN + 1];
	char type_name[256];
	char holder_kind[16], holder_id[32], holder_name[256];
	char issuer_code[24], issuer_name[256];
	char issued_on[11], valid_to[11]; /* valid_to "" = long-term */
	char status[16];
	char key_id[NODEKEY_ID_LEN + 8];
	char sig[LICENSE_SIG_MAX];
	char *data; /* heap, the stored text */
	int64_t revoked_at;
	char revoke_reason[512];
};

static int row_load(db_conn *c, const char *identifier, struct lic_row *r, struct zt_err *err);
static void row_free(struct lic_row *r);
static int row_signature_ok(db_conn *c, const struct lic_row *r, const char *sig,
			    struct zt_err *err);
static int holder_of(db_conn *c, int64_t user_id, char kind[16], char id[32], char *name,
		     size_t namecap, struct zt_err *err);

/* An audit record whose data is {key: value}. */
static int
audit_one(db_conn *c, int64_t actor, const char *action, const char *object, const char *key,
	  const char *value, struct zt_err *err)
{
	json_t *d = json_pack("{s:s}", key, value);
	int rc = audit_append(c, actor, action, object, d, err);

	json_decref(d);
	return rc;
}

/* ---- types ---- */

struct type_job {
	const struct principal *by;
	const struct license_type_in *in;
	char code[LICID_TYPE_LEN + 1];
};

/* [{name, label}] with labels filled in; NULL and an error when bad. */
static json_t *
normalize_fields(json_t *fields, struct zt_err *err)
{
	json_t *out = json_array(), *f;
	size_t i;
	char field[48];

	json_array_foreach(fields, i, f)
	{
		json_t *name = json_object_get(f, "name"), *label = json_object_get(f, "label");
		snprintf(field, sizeof(field), "fields[%zu].name", i);
		if (!json_is_object(f) || !json_is_string(name) || json_string_length(name) == 0 ||
		    json_string_length(name) > 120) {
			json_decref(out);
			err_set(err, ZT_EINVAL, field, "required", "each field needs a name");
			return NULL;
		}
		for (size_t k = 0; k < i; k++)
			if (json_equal(json_object_get(json_array_get(out, k), "name"), name)) {
				json_decref(out);
				err_set(err, ZT_EINVAL, field, "duplicate", "field %s listed twice",
					json_string_value(name));
				return NULL;
			}
		json_array_append_new(out, json_pack("{s:O, s:O}", "name", name, "label",
						     json_is_string(label) ? label : name));
	}
	return out;
}

static int
tx_type_create(db_conn *c, void *arg, struct zt_err *err)
{
	struct type_job *j = arg;
	const struct license_type_in *in = j->in;
	int64_t dept = j->by->dept_id;
	char credit[24] = "", obj[48];
	int rc, next = 1;

	if (principal_has_role(j->by, ROLE_SYSADMIN) && in->dept_id)
		dept = in->dept_id;
	db_stmt *s = db_prepare(c, "SELECT credit_code FROM departments WHERE id = ?1", err);
	if (s == NULL)
		return err->code;
	db_bind_int(s, 1, dept);
	rc = db_step(s, err);
	if (rc == DB_ROW)
		snprintf(credit, sizeof(credit), "%s", db_col_text(s, 0));
	db_reset(s);
	if (rc < 0)
		return rc;
	if (rc != DB_ROW || strlen(credit) != 18)
		return err_set(err, ZT_EINVAL, "dept_id", "unknown", "no such department");
	s = db_prepare(c, "SELECT max(code) FROM license_types WHERE dept_id = ?1", err);
	if (s == NULL)
		return err->code;
	db_bind_int(s, 1, dept);
	rc = db_step(s, err);
	if (rc == DB_ROW && !db_col_isnull(s, 0)) {
		const char *last = db_col_text(s, 0);
		if (strlen(last) == LICID_TYPE_LEN && strncmp(last, credit, 18) == 0)
			next = atoi(last + 18) + 1;
	}
	db_reset(s);
	if (rc < 0)
		return rc;
	if (next > 999)
		return err_set(err, ZT_ERULE, "", "too_many_types",
			       "the department has 999 license types already");
	snprintf(j->code, sizeof(j->code), "%s%03d", credit, next);

	json_t *fields = normalize_fields(in->fields, err);
	if (fields == NULL)
		return err->code;
	char *ftext = json_dumps(fields, JSON_COMPACT);
	json_decref(fields);
	s = db_prepare(c,
		       "INSERT INTO license_types (code, name, name_en, dept_id, fields,"
		       " valid_years, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
		       err);
	if (s == NULL) {
		free(ftext);
		return err->code;
	}
	db_bind_text(s, 1, j->code);
	db_bind_text(s, 2, in->name);
	db_bind_text(s, 3, in->name_en ? in->name_en : "");
	db_bind_int(s, 4, dept);
	db_bind_text(s, 5, ftext);
	if (in->valid_years > 0)
		db_bind_int(s, 6, in->valid_years);
	else
		db_bind_null(s, 6);
	db_bind_int(s, 7, clock_now());
	free(ftext);
	if ((rc = db_step(s, err)) < 0)
		return rc;
	snprintf(obj, sizeof(obj), "license_type:%s", j->code);
	return audit_one(c, j->by->user_id, "license_type.create", obj, "name", in->name, err);
}

int
license_type_create(const struct principal *by, const struct license_type_in *in,
		    char code[LICID_TYPE_LEN + 1], struct zt_err *err)
{
	struct type_job j = {by, in, ""};
	int rc;

	if (by->kind != KIND_OFFICIAL || !(by->roles & (ROLE_DEPT_ADMIN | ROLE_SYSADMIN)))
		return err_set(err, ZT_EFORBIDDEN, "", "wrong_role",
			       "dept_admin or sysadmin define license types");
	if (in->valid_years < 0 || in->valid_years > 100)
		return err_set(err, ZT_EINVAL, "valid_years", "range",
			       "valid_years is 1 to 100, or null for long-term");
	if ((rc = db_write(tx_type_create, &j, err)) < 0)
		return rc;
	snprintf(code, LICID_TYPE_LEN + 1, "%s", j.code);
	return 0;
}

#define TYPE_COLS "t.code, t.name, t.name_en, t.dept_id, d.name, t.fields, t.valid_years"

static json_t *
type_read(db_stmt *s)
{
	json_t *fields = json_loads(db_col_text(s, 5), 0, NULL);

	return json_pack("{s:s, s:s, s:s, s:{s:I, s:s}, s:o, s:o}", "code", db_col_text(s, 0),
			 "name", db_col_text(s, 1), "name_en", db_col_text(s, 2), "department",
			 "id", (json_int_t)db_col_int(s, 3), "name", db_col_text(s, 4), "fields",
			 fields ? fields : json_array(), "valid_years",
			 db_col_isnull(s, 6) ? json_null() : json_integer(db_col_int(s, 6)));
}

json_t *
license_types_json(db_conn *c, int limit, const char *cursor, struct zt_err *err)
{
	char raw[CURSOR_RAW_MAX] = "";

	if (cursor && cursor_decode(cursor, raw) < 0) {
		err_set(err, ZT_EINVAL, "cursor", "invalid", "invalid cursor");
		return NULL;
	}
	db_stmt *s = db_prepare(c,
				"SELECT " TYPE_COLS " FROM license_types t"
				" JOIN departments d ON d.id = t.dept_id WHERE t.code > ?1"
				" ORDER BY t.code LIMIT ?2",
				err);
	if (s == NULL)
		return NULL;
	db_bind_text(s, 1, raw);
	db_bind_int(s, 2, limit + 1);
	json_t *items = json_array();
	int n = 0, more = 0, rc;
	char last[LICID_TYPE_LEN + 8] = "";
	while ((rc = db_step(s, err)) == DB_ROW) {
		if (n == limit) {
			more = 1;
			break;
		}
		snprintf(last, sizeof(last), "%s", db_col_text(s, 0));
		json_array_append_new(items, type_read(s));
		n++;
	}
	db_reset(s);
	if (rc < 0) {
		json_decref(items);
		return NULL;
	}
	return page_json(items, more, last);
}

json_t *
license_type_json(db_conn *c, const char *code, struct zt_err *err)
{
	json_t *o = NULL;
	db_stmt *s = db_prepare(c,
				"SELECT " TYPE_COLS " FROM license_types t"
				" JOIN departments d ON d.id = t.dept_id WHERE t.code = ?1",
				err);
	if (s == NULL)
		return NULL;
	db_bind_text(s, 1, code);
	int rc = db_step(s, err);
	if (rc == DB_ROW)
		o = type_read(s);
	db_reset(s);
	if (rc == DB_DONE)
		err_set(err, ZT_ENOTFOUND, "", "not_found", "no such license type");
	return o;
}

/* ---- issuing ---- */

char *
license_payload(const char *identifier, const char *type, const char *issuer, const char *holder_id,
		const char *holder_name, const char *issued_on, const char *valid_to, json_t *data)
{
	json_t *o = json_pack("{s:O, s:s, s:s, s:s, s:s, s:s, s:s, s:o}", "data", data, "holder_id",
			      holder_id, "holder_name", holder_name, "identifier", identifier,
			      "issued_on", issued_on, "issuer", issuer, "type", type, "valid_to",
			      valid_to && *valid_to ? json_string(valid_to) : json_null());
	char *s = o ? json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS) : NULL;

	json_decref(o);
	return s;
}

/* The last day of validity: valid_years after issued_on, minus one day. */
static void
valid_until(const char *issued_on, int years, char out[11])
{
	int32_t day;
	int y, m, d;

	date_parse(issued_on, &day);
	date_to_ymd(day, &y, &m, &d);
	if (m == 2 && d == 29)
		d = 28;
	date_format(date_from_ymd(y + years, m, d) - 1, out);
}

int
license_issue(db_conn *c, const struct license_in *in, char identifier[LICID_MAX],
	      struct zt_err *err)
{
	struct licid id;
	char issued_on[11], valid_to[11] = "", obj[LICID_MAX + 16];
	char *payload = NULL, *data = NULL, *sig = NULL;
	int valid_years = 0, rc;

	memset(&id, 0, sizeof(id));
	db_stmt *s = db_prepare(c,
				"SELECT t.valid_years, d.credit_code FROM license_types t,"
				" departments d WHERE t.code = ?1 AND d.id = ?2",
				err);
	if (s == NULL)
		return err->code;
	db_bind_text(s, 1, in->type_code);
	db_bind_int(s, 2, in->issuer_dept);
	rc = db_step(s, err);
	if (rc == DB_ROW) {
		valid_years = db_col_isnull(s, 0) ? 0 : (int)db_col_int(s, 0);
		snprintf(id.issuer, sizeof(id.issuer), "%s", db_col_text(s, 1));
	}
	db_reset(s);
	if (rc < 0)
		return rc;
	if (rc != DB_ROW)
		return err_set(err, ZT_EINVAL, "license_type", "unknown",
			       "no license type %s or no issuing department", in->type_code);
	snprintf(id.type, sizeof(id.type), "%s", in->type_code);
	id.version = 1;

	s = db_prepare(c,
		       "SELECT coalesce(max(serial), 0) + 1 FROM licenses"
		       " WHERE type_code = ?1 AND issuer_dept = ?2",
		       err);
	if (s == NULL)
		return err->code;
	db_bind_text(s, 1, in->type_code);
	db_bind_int(s, 2, in->issuer_dept);
	rc = db_step(s, err);
	id.serial = rc == DB_ROW ? (long)db_col_int(s, 0) : 0;
	db_reset(s);
	if (rc < 0)
		return rc;
	if ((rc = licid_build(&id, identifier, err)) < 0)
		return rc;

	clock_today(issued_on);
	if (valid_years > 0)
		valid_until(issued_on, valid_years, valid_to);
	data = json_dumps(in->data, JSON_COMPACT | JSON_SORT_KEYS);
	payload = license_payload(identifier, id.type, id.issuer, in->holder_id, in->holder_name,
				  issued_on, valid_to, in->data);
	if (data == NULL || payload == NULL) {
		rc = err_set(err, ZT_EINVAL, "data", "format", "license data is not valid JSON");
		goto out;
	}
	if ((rc = nodekey_register(c, err)) < 0 ||
	    (rc = nodekey_sign(payload, strlen(payload), &sig, err)) < 0)
		goto out;
	s = db_prepare(c,
		       "INSERT INTO licenses (identifier, type_code, holder_kind, holder_id,"
		       " holder_name, issuer_dept, serial, case_id, data, issued_on, valid_to,"
		       " status, key_id, sig, created_at, holder_id_enc) VALUES (?1, ?2, ?3, ?4,"
		       " ?5, ?6, ?7, ?8, ?9, ?10, ?11, 'valid', ?12, ?13, ?14, ?15)",
		       err);
	if (s == NULL) {
		rc = err->code;
		goto out;
	}
	db_bind_text(s, 1, identifier);
	db_bind_text(s, 2, id.type);
	db_bind_text(s, 3, in->holder_kind);
	/* The holder's ID number: its blind index for lookups, encrypted
	 * for reading (crypto/fieldenc.h). */
	char hidx[FIELDENC_IDX_LEN];
	fieldenc_index(in->holder_id, hidx);
	char *henc = fieldenc_encrypt_str(in->holder_id);
	db_bind_text(s, 4, hidx);
	db_bind_text(s, 15, henc);
	free(henc);
	db_bind_text(s, 5, in->holder_name);
	db_bind_int(s, 6, in->issuer_dept);
	db_bind_int(s, 7, id.serial);
	if (in->case_id)
		db_bind_int(s, 8, in->case_id);
	else
		db_bind_null(s, 8);
	db_bind_text(s, 9, data);
	db_bind_text(s, 10, issued_on);
	db_bind_text(s, 11, *valid_to ? valid_to : NULL);
	db_bind_text(s, 12, nodekey_id());
	db_bind_text(s, 13, sig);
	db_bind_int(s, 14, clock_now());
	if ((rc = db_step(s, err)) < 0)
		goto out;
	snprintf(obj, sizeof(obj), "license:%s", identifier);
	json_t *d = json_pack("{s:s, s:s, s:s?}", "type", id.type, "issued_on", issued_on,
			      "valid_to", *valid_to ? valid_to : NULL);
	rc = audit_append(c, in->actor, "license.issue", obj, d, err);
	json_decref(d);
out:
	free(sig);
	free(payload);
	free(data);
	return rc;
}

int
license_issue_for_case(db_conn *c, int64_t case_id, int64_t actor, char identifier[LICID_MAX],
		       struct zt_err *err)
{
	struct license_in in;
	char type[LICID_TYPE_LEN + 8] = "", kind[16] = "", holder[32] = "", name[256] = "";
	json_t *form = NULL, *fields = NULL, *data = NULL;
	int rc;

	memset(&in, 0, sizeof(in));
	db_stmt *s = db_prepare(
	    c,
	    "SELECT i.license_type, i.code, i.name, c.case_no, c.form, c.dept_id, t.fields,"
	    " c.applicant_id FROM cases c JOIN service_items i ON i.id = c.item_id"
	    " LEFT JOIN license_types t ON t.code = i.license_type WHERE c.id = ?1",
	    err);
	if (s == NULL)
		return err->code;
	db_bind_int(s, 1, case_id);
	rc = db_step(s, err);
	if (rc != DB_ROW || db_col_isnull(s, 0)) {
		db_reset(s);
		if (rc < 0)
			return rc;
		return rc == DB_ROW ? 0
				    : err_set(err, ZT_ENOTFOUND, "", "not_found", "no such case");
	}
	snprintf(type, sizeof(type), "%s", db_col_text(s, 0));
	form = fieldenc_load_json(db_col_text(s, 4), NULL); /* sealed at rest */
	fields = json_loads(db_col_isnull(s, 6) ? "[]" : db_col_text(s, 6), 0, NULL);
	data = json_pack("{s:s, s:s, s:s, s:{}}", "case_no",
			 db_col_isnull(s, 3) ? "" : db_col_text(s, 3), "item_code",
			 db_col_text(s, 1), "item_name", db_col_text(s, 2), "fields");
	in.issuer_dept = db_col_int(s, 5);
	int64_t applicant = db_col_int(s, 7);
	db_reset(s);

	size_t i;
	json_t *f;
	json_array_foreach(fields, i, f)
	{
		const char *fname = json_string_value(json_object_get(f, "name"));
		json_t *v = fname && form ? json_object_get(form, fname) : NULL;
		if (v)
			json_object_set(json_object_get(data, "fields"), fname, v);
	}
	if ((rc = holder_of(c, applicant, kind, holder, name, sizeof(name), err)) < 0)
		goto out;
	if (*holder == '\0') {
		rc = err_set(err, ZT_ERULE, "", "no_holder",
			     "the applicant has no ID number or credit code to hold a license");
		goto out;
	}
	in.type_code = type;
	in.holder_kind = kind;
	in.holder_id = holder;
	in.holder_name = name;
	in.case_id = case_id;
	in.data = data;
	in.actor = actor;
	rc = license_issue(c, &in, identifier, err);
	if (rc == 0)
		rc = 1;
out:
	json_decref(form);
	json_decref(fields);
	json_decref(data);
	return rc;
}

/* The license subject of an applicant: kind, ID number or credit code, name. */
static int
holder_of(db_conn *c, int64_t user_id, char kind[16], char id[32], char *name, size_t namecap,
	  struct zt_err *err)
{
	db_stmt *s = db_prepare(
	    c, "SELECT kind, id_number_enc, credit_code, name FROM users WHERE id = ?1", err);
	if (s == NULL)
		return err->code;
	db_bind_int(s, 1, user_id);
	int rc = db_step(s, err);
	kind[0] = id[0] = '\0';
	if (rc == DB_ROW) {
		int ent = strcmp(db_col_text(s, 0), "enterprise") == 0;
		snprintf(kind, 16, "%s", db_col_text(s, 0));
		char *v = fieldenc_open_str(db_col_text(s, ent ? 2 : 1), err);
		snprintf(id, 32, "%s", v ? v : "");
		free(v);
		snprintf(name, namecap, "%s", db_col_text(s, 3));
	}
	db_reset(s);
	return rc < 0 ? rc : 0;
}

/* ---- reading ---- */

#define LIC_COLS                                                                                   \
	"l.id, l.identifier, l.type_code, t.name, l.holder_kind,"                                  \
	" coalesce(l.holder_id_enc, l.holder_id), l.holder_name,"                                  \
	" l.issuer_dept, d.credit_code, d.name, l.case_id, l.data, l.issued_on, l.valid_to,"       \
	" l.status, l.key_id, l.sig, l.revoked_at, l.revoke_reason"
#define LIC_FROM                                                                                   \
	" FROM licenses l JOIN license_types t ON t.code = l.type_code"                            \
	" JOIN departments d ON d.id = l.issuer_dept"

static void
row_read(db_stmt *s, struct lic_row *r)
{
	memset(r, 0, sizeof(*r));
	r->id = db_col_int(s, 0);
	snprintf(r->identifier, sizeof(r->identifier), "%s", db_col_text(s, 1));
	snprintf(r->type, sizeof(r->type), "%s", db_col_text(s, 2));
	snprintf(r->type_name, sizeof(r->type_name), "%s", db_col_text(s, 3));
	snprintf(r->holder_kind, sizeof(r->holder_kind), "%s", db_col_text(s, 4));
	/* Decrypted; a copy that fails its check leaves "" (the signature then
	 * fails: the license reads as forged, never with a garbage holder). */
	char *hid = fieldenc_open_str(db_col_text(s, 5), NULL);
	snprintf(r->holder_id, sizeof(r->holder_id), "%s", hid ? hid : "");
	free(hid);
	snprintf(r->holder_name, sizeof(r->holder_name), "%s", db_col_text(s, 6));
	r->issuer_dept = db_col_int(s, 7);
	snprintf(r->issuer_code, sizeof(r->issuer_code), "%s", db_col_text(s, 8));
	snprintf(r->issuer_name, sizeof(r->issuer_name), "%s", db_col_text(s, 9));
	r->case_id = db_col_isnull(s, 10) ? 0 : db_col_int(s, 10);
	r->data = xstrdup(db_col_text(s, 11));
	snprintf(r->issued_on, sizeof(r->issued_on), "%s", db_col_text(s, 12));
	snprintf(r->valid_to, sizeof(r->valid_to), "%s",
		 db_col_isnull(s, 13) ? "" : db_col_text(s, 13));
	snprintf(r->status, sizeof(r->status), "%s", db_col_text(s, 14));
	snprintf(r->key_id, sizeof(r->key_id), "%s", db_col_text(s, 15));
	snprintf(r->sig, sizeof(r->sig), "%s", db_col_text(s, 16));
	r->revoked_at = db_col_isnull(s, 17) ? 0 : db_col_int(s, 17);
	snprintf(r->revoke_reason, sizeof(r->revoke_reason), "%s",
		 db_col_isnull(s, 18) ? "" : db_col_text(s, 18));
}

static void
row_free(struct lic_row *r)
{
	free(r->data);
	r->data = NULL;
}

/* 0 and r filled, ZT_ENOTFOUND, or an error. */
static int
row_load(db_conn *c, const char *identifier, struct lic_row *r, struct zt_err *err)
{
	db_stmt *s = db_prepare(c, "SELECT " LIC_COLS LIC_FROM " WHERE l.identifier = ?1", err);
	if (s == NULL)
		return err->code;
	db_bind_text(s, 1, identifier);
	int rc = db_step(s, err);
	if (rc == DB_ROW)
		row_read(s, r);
	db_reset(s);
	if (rc < 0)
		return rc;
	return rc == DB_ROW ? 0 : err_set(err, ZT_ENOTFOUND, "", "not_found", "no such license");
}

/* 1 if sig is the node's signature over the row's canonical payload. */
static int
row_signature_ok(db_conn *c, const struct lic_row *r, const char *sig, struct zt_err *err)
{
	json_t *data = json_loads(r->data, 0, NULL);
	if (data == NULL || !json_is_object(data)) {
		json_decref(data);
		return 0;
	}
	char *payload = license_payload(r->identifier, r->type, r->issuer_code, r->holder_id,
					r->holder_name, r->issued_on, r->valid_to, data);
	json_decref(data);
	if (payload == NULL)
		return 0;
	int rc = nodekey_verify(c, r->key_id, payload, strlen(payload), sig, err);
	free(payload);
	return rc;
}

static char *
qr_of(const struct lic_row *r)
{
	struct buf b;

	buf_init(&b);
	buf_printf(&b, "ZTL1|%s|%s", r->identifier, r->sig);
	return buf_take(&b, NULL);
}

static int
expired(const struct lic_row *r)
{
	char t[11];

	clock_today(t);
	return *r->valid_to && strcmp(r->valid_to, t) < 0;
}

static json_t *
row_json(const struct lic_row *r, int full)
{
	char t[32];
	json_t *o = json_pack(
	    "{s:s, s:{s:s, s:s}, s:{s:s, s:s, s:s}, s:{s:I, s:s, s:s}, s:s, s:o, s:s, s:b}",
	    "identifier", r->identifier, "type", "code", r->type, "name", r->type_name, "holder",
	    "kind", r->holder_kind, "id", r->holder_id, "name", r->holder_name, "issuer", "id",
	    (json_int_t)r->issuer_dept, "name", r->issuer_name, "credit_code", r->issuer_code,
	    "issued_on", r->issued_on, "valid_to",
	    *r->valid_to ? json_string(r->valid_to) : json_null(), "status", r->status, "expired",
	    expired(r));
	char *qr = qr_of(r);
	json_object_set_new(o, "qr", json_string(qr));
	free(qr);
	if (r->revoked_at) {
		time_format(r->revoked_at, t);
		json_object_set_new(o, "revoked_at", json_string(t));
		json_object_set_new(o, "revoke_reason", json_string(r->revoke_reason));
	}
	if (full) {
		json_t *data = json_loads(r->data, 0, NULL);
		json_object_set_new(o, "data", data ? data : json_null());
		json_object_set_new(o, "case_id",
				    r->case_id ? json_integer(r->case_id) : json_null());
		json_object_set_new(o, "key_id", json_string(r->key_id));
		json_object_set_new(o, "sig", json_string(r->sig));
	}
	return o;
}

/* Holder (applicant whose ID number / credit code it is) or an official of
 * the issuing department. */
static int
may_read(db_conn *c, const struct principal *by, const struct lic_row *r, struct zt_err *err)
{
	char kind[16], id[32], name[256];
	int rc;

	if (by->kind == KIND_OFFICIAL) {
		if (by->dept_id == r->issuer_dept)
			return 0;
		return err_set(err, ZT_EFORBIDDEN, "", "other_department",
			       "the license was issued by another department");
	}
	if (by->kind == KIND_CITIZEN || by->kind == KIND_ENTERPRISE) {
		if ((rc = holder_of(c, by->user_id, kind, id, name, sizeof(name), err)) < 0)
			return rc;
		if (*id && strcmp(id, r->holder_id) == 0)
			return 0;
	}
	return err_set(err, ZT_ENOTFOUND, "", "not_found", "no such license");
}

json_t *
license_get_json(db_conn *c, const struct principal *by, const char *identifier, struct zt_err *err)
{
	struct lic_row r;
	json_t *o = NULL;

	if (row_load(c, identifier, &r, err) < 0)
		return NULL;
	if (may_read(c, by, &r, err) == 0)
		o = row_json(&r, 1);
	row_free(&r);
	return o;
}

json_t *
license_list_json(db_conn *c, const struct principal *by, int limit, const char *cursor,
		  struct zt_err *err)
{
	char kind[16], holder[32] = "", name[256];
	int64_t cur = INT64_MAX;
	db_stmt *s;

	if (cursor_id(cursor, &cur, err) < 0)
		return NULL;
	if (by->kind == KIND_OFFICIAL) {
		s = db_prepare(c,
			       "SELECT " LIC_COLS LIC_FROM " WHERE l.issuer_dept = ?1 AND l.id < ?2"
			       " ORDER BY l.id DESC LIMIT ?3",
			       err);
		if (s)
			db_bind_int(s, 1, by->dept_id);
	} else {
		if (holder_of(c, by->user_id, kind, holder, name, sizeof(name), err) < 0)
			return NULL;
		char hidx[FIELDENC_IDX_LEN];
		fieldenc_index(holder, hidx);
		s = db_prepare(c,
			       "SELECT " LIC_COLS LIC_FROM " WHERE l.holder_id = ?1 AND l.id < ?2"
			       " ORDER BY l.id DESC LIMIT ?3",
			       err);
		if (s)
			db_bind_text(s, 1, hidx);
	}
	if (s == NULL)
		return NULL;
	db_bind_int(s, 2, cur);
	db_bind_int(s, 3, limit + 1);
	json_t *items = json_array();
	int n = 0, more = 0, rc;
	int64_t last = 0;
	while ((rc = db_step(s, err)) == DB_ROW) {
		struct lic_row r;
		if (n == limit) {
			more = 1;
			break;
		}
		row_read(s, &r);
		last = r.id;
		json_array_append_new(items, row_json(&r, 0));
		row_free(&r);
		n++;
	}
	db_reset(s);
	if (rc < 0) {
		json_decref(items);
		return NULL;
	}
	return page_json_id(items, more, last);
}

/* ---- revocation ---- */

struct revoke_job {
	const struct principal *by;
	const char *identifier, *reason;
};

static int
tx_revoke(db_conn *c, void *arg, struct zt_err *err)
{
	struct revoke_job *j = arg;
	struct lic_row r;
	char obj[LICID_MAX + 16];
	int rc;

	if ((rc = row_load(c, j->identifier, &r, err)) < 0)
		return rc;
	row_free(&r);
	if (j->by->dept_id != r.issuer_dept)
		return err_set(err, ZT_EFORBIDDEN, "", "other_department",
			       "only the issuing department revokes a license");
	if (strcmp(r.status, "revoked") == 0)
		return err_set(err, ZT_ECONFLICT, "status", "already_revoked",
			       "the license is already revoked");
	db_stmt *s = db_prepare(c,
				"UPDATE licenses SET status = 'revoked', revoked_at = ?1,"
				" revoked_by = ?2, revoke_reason = ?3 WHERE id = ?4",
				err);
	if (s == NULL)
		return err->code;
	db_bind_int(s, 1, clock_now());
	db_bind_int(s, 2, j->by->user_id);
	db_bind_text(s, 3, j->reason);
	db_bind_int(s, 4, r.id);
	if ((rc = db_step(s, err)) < 0)
		return rc;
	snprintf(obj, sizeof(obj), "license:%s", j->identifier);
	return audit_one(c, j->by->user_id, "license.revoke", obj, "reason", j->reason, err);
}

int
license_revoke(const struct principal *by, const char *identifier, const char *reason,
	       struct zt_err *err)
{
	struct revoke_job j = {by, identifier, reason};

	if (!principal_has_role(by, ROLE_REVIEWER | ROLE_DEPT_ADMIN))
		return err_set(err, ZT_EFORBIDDEN, "", "wrong_role",
			       "reviewers and dept_admins of the issuer revoke licenses");
	if (reason == NULL || *reason == '\0')
		return err_set(err, ZT_EINVAL, "reason", "required", "a reason is required");
	return db_write(tx_revoke, &j, err);
}

/* ---- verification ---- */

int
license_qr_parse(const char *qr, char identifier[LICID_MAX], char sig[LICENSE_SIG_MAX],
		 struct zt_err *err)
{
	const char *a, *b;

	identifier[0] = sig[0] = '\0';
	if (strncmp(qr, "ZTL1|", 5) != 0 || (a = qr + 5, b = strchr(a, '|')) == NULL ||
	    (size_t)(b - a) >= LICID_MAX || strlen(b + 1) == 0 ||
	    strlen(b + 1) >= LICENSE_SIG_MAX || strchr(b + 1, '|'))
		return err_set(err, ZT_EINVAL, "qr", "format",
			       "QR content is ZTL1|<identifier>|<signature>");
	b++;
	if (strspn(b, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") !=
	    strlen(b))
		return err_set(err, ZT_EINVAL, "qr", "format", "the signature is base64url");
	memcpy(identifier, a, (size_t)(b - 1 - a));
	identifier[b - 1 - a] = '\0';
	snprintf(sig, LICENSE_SIG_MAX, "%s", b);
	return 0;
}

static json_t *
verdict(const char *status, const char *reason)
{
	return json_pack("{s:s, s:s?}", "status", status, "reason", reason);
}

json_t *
license_verify_json(db_conn *c, const char *identifier, const char *qr_sig, struct zt_err *err)
{
	struct licid id;
	struct lic_row r;
	json_t *o;
	int rc;

	if ((rc = licid_validate(identifier, &id, err)) < 0) {
		if (strcmp(err->reason, "bad_check_character") == 0) {
			err_clear(err);
			return verdict("forged", "bad_check_character");
		}
		return NULL;
	}
	if ((rc = row_load(c, identifier, &r, err)) < 0) {
		if (rc != ZT_ENOTFOUND)
			return NULL;
		err_clear(err);
		return verdict("forged", "unknown_identifier");
	}
	if ((rc = row_signature_ok(c, &r, r.sig, err)) != 1) {
		row_free(&r);
		if (rc < 0)
			return NULL;
		return verdict("forged", "bad_signature");
	}
	if (qr_sig && strcmp(qr_sig, r.sig) != 0) {
		/* SM2 signatures are randomised: another valid signature by the
		 * node over the same content is genuine; anything else is not. */
		if ((rc = row_signature_ok(c, &r, qr_sig, err)) != 1) {
			row_free(&r);
			if (rc < 0)
				return NULL;
			return verdict("forged", "qr_mismatch");
		}
	}
	if (strcmp(r.status, "revoked") == 0)
		o = verdict("revoked", "revoked");
	else if (expired(&r))
		o = verdict("expired", "expired");
	else
		o = verdict("valid", NULL);
	char *hid = ident_mask_id(r.holder_id);
	char *hname = strcmp(r.holder_kind, "citizen") == 0 ? ident_mask_name(r.holder_name)
							    : xstrdup(r.holder_name);
	json_t *l =
	    json_pack("{s:s, s:{s:s, s:s}, s:{s:s, s:s, s:s}, s:{s:s, s:s}, s:s, s:o}",
		      "identifier", r.identifier, "type", "code", r.type, "name", r.type_name,
		      "holder", "kind", r.holder_kind, "id", hid, "name", hname, "issuer", "name",
		      r.issuer_name, "credit_code", r.issuer_code, "issued_on", r.issued_on,
		      "valid_to", *r.valid_to ? json_string(r.valid_to) : json_null());
	if (r.revoked_at) {
		char t[32];
		time_format(r.revoked_at, t);
		json_object_set_new(l, "revoked_at", json_string(t));
	}
	json_object_set_new(o, "license", l);
	free(hid);
	free(hname);
	row_free(&r);
	return o;
}

/* ---- once-only ---- */

int
license_find_valid(db_conn *c, const char *type_code, const char *holder_id,
		   char identifier[LICID_MAX], json_t **view, struct zt_err *err)
{
	char t[11];
	int found = 0, rc;

	*view = NULL;
	clock_today(t);
	db_stmt *s = db_prepare(c,
				"SELECT l.identifier" LIC_FROM " WHERE l.holder_id = ?1"
				" AND l.type_code = ?2 AND l.status = 'valid'"
				" AND (l.valid_to IS NULL OR l.valid_to >= ?3) ORDER BY l.id DESC"
				" LIMIT 5",
				err);
	if (s == NULL)
		return err->code;
	char ids[5][LICID_MAX];
	int n = 0;
	db_bind_text(s, 1, holder_id);
	db_bind_text(s, 2, type_code);
	db_bind_text(s, 3, t);
	while ((rc = db_step(s, err)) == DB_ROW && n < 5)
		snprintf(ids[n++], LICID_MAX, "%s", db_col_text(s, 0));
	db_reset(s);
	if (rc < 0)
		return rc;
	/* The newest whose signature holds (a tampered row is never used). */
	for (int i = 0; i < n && !found; i++) {
		struct lic_row r;
		if ((rc = row_load(c, ids[i], &r, err)) < 0)
			return rc;
		rc = row_signature_ok(c, &r, r.sig, err);
		if (rc < 0) {
			row_free(&r);
			return rc;
		}
		if (rc == 1) {
			json_t *data = json_loads(r.data, 0, NULL);
			*view =
			    json_pack("{s:s, s:s, s:s, s:s, s:s, s:o, s:o}", "identifier",
				      r.identifier, "type", r.type, "type_name", r.type_name,
				      "issuer", r.issuer_name, "issued_on", r.issued_on, "valid_to",
				      *r.valid_to ? json_string(r.valid_to) : json_null(), "data",
				      data ? data : json_object());
			snprintf(identifier, LICID_MAX, "%s", r.identifier);
			found = 1;
		}
		row_free(&r);
	}
	return found;
}
