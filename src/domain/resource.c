/* resource.c - the data resource catalog, row upserts and CSV import. */
#include "domain/resource.h"
#include "domain/audit.h"
#include "base/buf.h"
#include "base/calendar.h"
#include "base/clock.h"
#include "base/jtime.h"
#include "base/ident.h"
#include "base/page.h"
#include "base/xmalloc.h"
#include "crypto/fieldenc.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

const char *const field_type_names[] = {"string", "integer", "number", "date", "boolean", NULL};
const char *const sensitivity_names[] = {"public", "internal", "personal", "sensitive", NULL};
const char *const share_type_names[] = {"unconditional", "conditional", "none", NULL};
const char *const share_method_names[] = {"api", "file", "both", NULL};
const char *const open_type_names[] = {"open", "conditional", "closed", NULL};
const char *const update_cycle_names[] = {"realtime",  "daily",	 "weekly", "monthly",
					  "quarterly", "yearly", NULL};

static int name_index(const char *const *names, const char *s);
static int field_name_ok(const char *s);

static int
name_index(const char *const *names, const char *s)
{
	for (int i = 0; s && names[i]; i++)
		if (strcmp(names[i], s) == 0)
			return i;
	return -1;
}

static int
field_name_ok(const char *s)
{
	size_t n = strlen(s);

	if (n < 1 || n > 40 || s[0] < 'a' || s[0] > 'z')
		return 0;
	return strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_") == n;
}

/* ---- fields ---- */

int
resource_field_index(const struct resource_meta *m, const char *name)
{
	for (int i = 0; i < m->nfields; i++)
		if (strcmp(m->fields[i].name, name) == 0)
			return i;
	return -1;
}

int
resource_fields_parse(const char *text, struct resource_meta *m)
{
	json_t *a = json_loads(text, 0, NULL), *e;
	size_t i;

	m->nfields = 0;
	if (!json_is_array(a) || json_array_size(a) > RESOURCE_MAX_FIELDS) {
		json_decref(a);
		return -1;
	}
	json_array_foreach(a, i, e)
	{
		struct resource_field *f = &m->fields[m->nfields++];
		const char *name = json_string_value(json_object_get(e, "name"));
		int t = name_index(field_type_names, json_string_value(json_object_get(e, "type")));
		int s = name_index(sensitivity_names,
				   json_string_value(json_object_get(e, "sensitivity")));
		int mk = mask_rule_from_name(json_string_value(json_object_get(e, "mask")));
		if (name == NULL || t < 0 || s < 0) {
			json_decref(a);
			return -1;
		}
		snprintf(f->name, sizeof(f->name), "%s", name);
		f->type = (enum field_type)t;
		f->sens = (enum sensitivity)s;
		f->mask =
		    s >= SENS_PERSONAL ? (mk > 0 ? (enum mask_rule)mk : MASK_PARTIAL) : MASK_NONE;
	}
	json_decref(a);
	return 0;
}

/* The stored form of the fields, masks resolved. */
static json_t *
fields_json(const struct resource_in *in)
{
	json_t *a = json_array();

	for (int i = 0; i < in->nfields; i++) {
		const struct resource_field_in *f = &in->fields[i];
		json_t *o =
		    json_pack("{s:s, s:s, s:s, s:s}", "name", f->name, "label", f->label, "type",
			      field_type_names[f->type], "sensitivity", sensitivity_names[f->sens]);
		if (f->sens >= SENS_PERSONAL) {
			enum mask_rule r =
			    f->mask > 0 ? (enum mask_rule)f->mask : mask_rule_for_field(f->name);
			json_object_set_new(o, "mask", json_string(mask_rule_name(r)));
		}
		json_array_append_new(a, o);
	}
	return a;
}

static int
in_field(const struct resource_in *in, const char *name)
{
	for (int i = 0; name && i < in->nfields; i++)
		if (strcmp(in->fields[i].name, name) == 0)
			return i;
	return -1;
}

/* The rules beyond the edge checks (see resource_create). */
static int
check_in(const struct resource_in *in, struct zt_err *err)
{
	char f[48];

	if (in->nfields < 1)
		return err_set(err, ZT_EINVAL, "fields", "required", "at least one field");
	for (int i = 0; i < in->nfields; i++) {
		const struct resource_field_in *fi = &in->fields[i];
		if (!field_name_ok(fi->name)) {
			snprintf(f, sizeof(f), "fields[%d].name", i);
			return err_set(err, ZT_EINVAL, f, "format",
				       "a field name is a lower-case letter, then up to 39 "
				       "lower-case letters, digits or '_'");
		}
		for (int k = 0; k < i; k++)
			if (strcmp(in->fields[k].name, fi->name) == 0) {
				snprintf(f, sizeof(f), "fields[%d].name", i);
				return err_set(err, ZT_EINVAL, f, "duplicate",
					       "the field %s is declared twice", fi->name);
			}
		if (fi->mask > 0 && fi->sens < SENS_PERSONAL) {
			snprintf(f, sizeof(f), "fields[%d].mask", i);
			return err_set(err, ZT_EINVAL, f, "not_applicable",
				       "only personal and sensitive fields are masked");
		}
	}
	int k = in_field(in, in->key_field);
	if (k < 0)
		return err_set(err, ZT_EINVAL, "key_field", "unknown_field",
			       "the key field must be one of the fields");
	if (in->fields[k].type != FT_STRING && in->fields[k].type != FT_INTEGER)
		return err_set(err, ZT_EINVAL, "key_field", "type",
			       "the key field must be a string or integer field");
	if (in->region_field) {
		int s = in_field(in, in->region_field);
		if (s < 0)
			return err_set(err, ZT_EINVAL, "region_field", "unknown_field",
				       "the region field must be one of the fields");
		if (in->fields[s].type != FT_STRING)
			return err_set(err, ZT_EINVAL, "region_field", "type",
				       "the region field holds region codes (string)");
	}
	if (in->subject_field) {
		int s = in_field(in, in->subject_field);
		if (s < 0)
			return err_set(err, ZT_EINVAL, "subject_field", "unknown_field",
				       "the subject field must be one of the fields");
		if (in->fields[s].type != FT_STRING)
			return err_set(
			    err, ZT_EINVAL, "subject_field", "type",
			    "the subject field holds ID numbers or credit codes (string)");
	}
	int conditional = strcmp(in->share_type, "conditional") == 0;
	if ((conditional || strcmp(in->share_type, "none") == 0) &&
	    (in->legal_basis == NULL || *in->legal_basis == '\0'))
		return err_set(err, ZT_EINVAL, "legal_basis", "required",
			       "conditional and non-shared resources need a legal basis");
	if (conditional && (in->share_conditions == NULL || *in->share_conditions == '\0'))
		return err_set(err, ZT_EINVAL, "share_conditions", "required",
			       "conditional sharing needs its conditions");
	return 0;
}

/* ---- create / update ---- */

struct save_job {
	const struct principal *by;
	const struct resource_in *in;
	int64_t id;
};

static int
bind_in(db_stmt *s, const struct resource_in *in, const char *fields)
{
	db_bind_text(s, 1, in->name);
	db_bind_text(s, 2, in->summary ? in->summary : "");
	db_bind_text(s, 3, fields);
	db_bind_text(s, 4, in->key_field);
	db_bind_text(s, 5, in->subject_field);
	db_bind_text(s, 6, in->share_type);
	db_bind_text(s, 7, in->share_conditions ? in->share_conditions : "");
	db_bind_text(s, 8, in->legal_basis ? in->legal_basis : "");
	db_bind_text(s, 9, in->share_method);
	db_bind_text(s, 10, in->open_type);
	db_bind_text(s, 11, in->update_cycle);
	db_bind_int(s, 12, clock_now());
	return 0;
}

static int
audit_resource(db_conn *c, int64_t actor, const char *action, int64_t id, json_t *data,
	       struct zt_err *err)
{
	char obj[40];

	snprintf(obj, sizeof(obj), "resource:%lld", (long long)id);
	return audit_append(c, actor, action, obj, data, err);
}

static int
tx_create(db_conn *c, void *arg, struct zt_err *err)
{
	struct save_job *j = arg;
	int rc;

	db_stmt *s = db_prepare(c, "SELECT 1 FROM data_resources WHERE code = ?1", err);
	if (s == NULL)
		return err->code;
	db_bind_text(s, 1, j->in->code);
	rc = db_step(s, err);
	db_reset(s);
	if (rc < 0)
		return rc;
	if (rc == DB_ROW)
		return err_set(err, ZT_ECONFLICT, "code", "taken", "the code %s is already in use",
			       j->in->code);
	json_t *fj = fields_json(j->in);
	char *fields = json_dumps(fj, JSON_COMPACT);
	json_decref(fj);
	s = db_prepare(
	    c,
	    "INSERT INTO data_resources (name, summary, fields, key_field, subject_field,"
	    " share_type, share_conditions, legal_basis, share_method, open_type,"
	    " update_cycle, created_at, updated_at, code, dept_id, created_by, region_field)"
	    " VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?12,?13,?14,?15,?16) RETURNING id",
	    err);
	if (s == NULL) {
		free(fields);
		return err->code;
	}
	bind_in(s, j->in, fields);
	db_bind_text(s, 13, j->in->code);
	db_bind_int(s, 14, j->by->dept_id);
	db_bind_int(s, 15, j->by->user_id);
	db_bind_text(s, 16, j->in->region_field);
	rc = db_step(s, err);
	free(fields);
	if (rc == DB_ROW)
		j->id = db_col_int(s, 0);
	db_reset(s);
	if (rc != DB_ROW)
		return rc < 0 ? rc : err_set(err, ZT_EINTERNAL, "", "db", "no id");
	json_t *d = json_pack("{s:s, s:s}", "code", j->in->code, "share_type", j->in->share_type);
	rc = audit_resource(c, j->by->user_id, "resource.create", j->id, d, err);
	json_decref(d);
	return rc;
}

int
resource_create(const struct principal *by, const struct resource_in *in, int64_t *id,
		struct zt_err *err)
{
	struct save_job j = {by, in, 0};
	int rc;

	if ((rc = check_in(in, err)) < 0)
		return rc;
	if ((rc = db_write(tx_create, &j, err)) < 0)
		return rc;
	*id = j.id;
	return 0;
}

/* Once rows exist, the shape they were checked against must stay. */
static int
check_compatible(const struct resource_meta *old, const struct resource_in *in, struct zt_err *err)
{
	const char *subj = in->subject_field ? in->subject_field : "";

	if (strcmp(old->key_field, in->key_field) != 0)
		return err_set(err, ZT_ERULE, "key_field", "in_use",
			       "the key field cannot change while the resource has rows");
	if (strcmp(old->subject_field, subj) != 0)
		return err_set(err, ZT_ERULE, "subject_field", "in_use",
			       "the subject field cannot change while the resource has rows");
	for (int i = 0; i < old->nfields; i++) {
		int k = in_field(in, old->fields[i].name);
		if (k < 0 || in->fields[k].type != old->fields[i].type)
			return err_set(err, ZT_ERULE, "fields", "in_use",
				       "the field %s cannot be removed or change type while the "
				       "resource has rows",
				       old->fields[i].name);
	}
	return 0;
}

static int
tx_update(db_conn *c, void *arg, struct zt_err *err)
{
	struct save_job *j = arg;
	struct resource_meta *old = xmalloc(sizeof(*old));
	char *fields = NULL;
	int rc;

	if ((rc = resource_meta_load(c, j->id, NULL, old, err)) < 0)
		goto out;
	if (old->dept_id != j->by->dept_id) {
		rc = err_set(err, ZT_EFORBIDDEN, "", "other_department",
			     "the resource belongs to another department");
		goto out;
	}
	if (j->in->code && strcmp(j->in->code, old->code) != 0) {
		rc = err_set(err, ZT_ERULE, "code", "immutable", "the code of a resource stays");
		goto out;
	}
	db_stmt *s = db_prepare(c, "SELECT row_count FROM data_resources WHERE id = ?1", err);
	if (s == NULL) {
		rc = err->code;
		goto out;
	}
	db_bind_int(s, 1, j->id);
	rc = db_step(s, err);
	int64_t count = rc == DB_ROW ? db_col_int(s, 0) : 0;
	db_reset(s);
	if (rc < 0)
		goto out;
	if (count > 0 && (rc = check_compatible(old, j->in, err)) < 0)
		goto out;
	json_t *fj = fields_json(j->in);
	fields = json_dumps(fj, JSON_COMPACT);
	json_decref(fj);
	s = db_prepare(
	    c,
	    "UPDATE data_resources SET name = ?1, summary = ?2, fields = ?3,"
	    " key_field = ?4, subject_field = ?5, share_type = ?6, share_conditions = ?7,"
	    " legal_basis = ?8, share_method = ?9, open_type = ?10, update_cycle = ?11,"
	    " updated_at = ?12, region_field = ?14 WHERE id = ?13",
	    err);
	if (s == NULL) {
		rc = err->code;
		goto out;
	}
	bind_in(s, j->in, fields);
	db_bind_int(s, 13, j->id);
	/* Left out: the stored region field stays while it is still a field. */
	const char *rf = j->in->region_field;
	if (rf == NULL && old->region_field[0] && in_field(j->in, old->region_field) >= 0)
		rf = old->region_field;
	db_bind_text(s, 14, rf);
	if ((rc = db_step(s, err)) < 0)
		goto out;
	json_t *d = json_pack("{s:s}", "share_type", j->in->share_type);
	rc = audit_resource(c, j->by->user_id, "resource.update", j->id, d, err);
	json_decref(d);
out:
	free(fields);
	free(old);
	return rc;
}

int
resource_update(const struct principal *by, int64_t id, const struct resource_in *in,
		struct zt_err *err)
{
	struct save_job j = {by, in, id};
	int rc;

	if ((rc = check_in(in, err)) < 0)
		return rc;
	return db_write(tx_update, &j, err);
}

/* ---- reading ---- */

int
resource_meta_load(db_conn *c, int64_t id, const char *code, struct resource_meta *m,
		   struct zt_err *err)
{
	db_stmt *s = db_prepare(
	    c,
	    code ? "SELECT id, dept_id, code, key_field, subject_field, share_type, fields,"
		   " region_field FROM data_resources WHERE code = ?2"
		 : "SELECT id, dept_id, code, key_field, subject_field, share_type, fields,"
		   " region_field FROM data_resources WHERE id = ?1",
	    err);
	int rc;

	if (s == NULL)
		return err->code;
	if (code)
		db_bind_text(s, 2, code);
	else
		db_bind_int(s, 1, id);
	rc = db_step(s, err);
	if (rc == DB_ROW) {
		m->id = db_col_int(s, 0);
		m->dept_id = db_col_int(s, 1);
		snprintf(m->code, sizeof(m->code), "%s", db_col_text(s, 2));
		snprintf(m->key_field, sizeof(m->key_field), "%s", db_col_text(s, 3));
		snprintf(m->subject_field, sizeof(m->subject_field), "%s",
			 db_col_isnull(s, 4) ? "" : db_col_text(s, 4));
		snprintf(m->share_type, sizeof(m->share_type), "%s", db_col_text(s, 5));
		snprintf(m->region_field, sizeof(m->region_field), "%s",
			 db_col_isnull(s, 7) ? "" : db_col_text(s, 7));
		if (resource_fields_parse(db_col_text(s, 6), m) < 0)
			rc = err_set(err, ZT_EINTERNAL, "", "corrupt", "bad stored fields");
	}
	db_reset(s);
	if (rc < 0)
		return rc;
	if (rc != DB_ROW)
		return err_set(err, ZT_ENOTFOUND, "", "not_found", "no such data resource");
	return 0;
}

static json_t *
json_or_empty(const char *text)
{
	json_t *v = text ? json_loads(text, 0, NULL) : NULL;

	return v ? v : json_array();
}

json_t *
resource_get_json(db_conn *c, const struct principal *by, int64_t id, struct zt_err *err)
{
	db_stmt *s = db_prepare(
	    c,
	    "SELECT r.id, r.code, r.name, r.summary, r.dept_id, d.name, r.fields, r.key_field,"
	    " r.subject_field, r.share_type, r.share_conditions, r.legal_basis, r.share_method,"
	    " r.open_type, r.update_cycle, r.row_count, r.created_at, r.updated_at,"
	    " r.region_field FROM data_resources r JOIN departments d ON d.id = r.dept_id"
	    " WHERE r.id = ?1",
	    err);
	json_t *o = NULL;
	int rc;

	if (s == NULL)
		return NULL;
	db_bind_int(s, 1, id);
	if ((rc = db_step(s, err)) == DB_ROW) {
		o = json_pack(
		    "{s:I, s:s, s:s, s:s, s:{s:I, s:s}, s:o, s:s, s:o, s:s, s:s, s:s, s:s,"
		    " s:s, s:s, s:I, s:o, s:o}",
		    "id", (json_int_t)db_col_int(s, 0), "code", db_col_text(s, 1), "name",
		    db_col_text(s, 2), "summary", db_col_text(s, 3), "department", "id",
		    (json_int_t)db_col_int(s, 4), "name", db_col_text(s, 5), "fields",
		    json_or_empty(db_col_text(s, 6)), "key_field", db_col_text(s, 7),
		    "subject_field",
		    db_col_isnull(s, 8) ? json_null() : json_string(db_col_text(s, 8)),
		    "share_type", db_col_text(s, 9), "share_conditions", db_col_text(s, 10),
		    "legal_basis", db_col_text(s, 11), "share_method", db_col_text(s, 12),
		    "open_type", db_col_text(s, 13), "update_cycle", db_col_text(s, 14),
		    "row_count", (json_int_t)db_col_int(s, 15), "created_at",
		    time_json(db_col_int(s, 16)), "updated_at", time_json(db_col_int(s, 17)));
		json_object_set_new(o, "region_field",
				    db_col_isnull(s, 18) ? json_null()
							 : json_string(db_col_text(s, 18)));
	}
	db_reset(s);
	if (rc != DB_ROW) {
		if (rc >= 0)
			err_set(err, ZT_ENOTFOUND, "", "not_found", "no such data resource");
		return NULL;
	}
	json_t *grants = json_array();
	s = db_prepare(c,
		       "SELECT id, status, fields, clear_fields, purpose, valid_from, valid_to,"
		       " rate_limit FROM grants WHERE resource_id = ?1 AND consumer_dept = ?2"
		       " ORDER BY id",
		       err);
	if (s == NULL) {
		json_decref(grants);
		json_decref(o);
		return NULL;
	}
	db_bind_int(s, 1, id);
	db_bind_int(s, 2, by->dept_id);
	while ((rc = db_step(s, err)) == DB_ROW)
		json_array_append_new(
		    grants,
		    json_pack("{s:I, s:s, s:o, s:o, s:s, s:s, s:s, s:I}", "id",
			      (json_int_t)db_col_int(s, 0), "status", db_col_text(s, 1), "fields",
			      json_or_empty(db_col_text(s, 2)), "clear_fields",
			      json_or_empty(db_col_text(s, 3)), "purpose", db_col_text(s, 4),
			      "valid_from", db_col_text(s, 5), "valid_to", db_col_text(s, 6),
			      "rate_limit", (json_int_t)db_col_int(s, 7)));
	db_reset(s);
	json_object_set_new(o, "grants", grants);
	if (rc < 0) {
		json_decref(o);
		return NULL;
	}
	return o;
}

json_t *
resource_search_json(db_conn *c, const struct resource_query *q, struct zt_err *err)
{
	int64_t after = 0;

	if (cursor_id(q->cursor, &after, err) < 0)
		return NULL;
	/* Substring search without LIKE (no escaping of % and _ needed). */
	db_stmt *s = db_prepare(
	    c,
	    db_kind() == DB_PG
		? "SELECT r.id, r.code, r.name, r.summary, r.dept_id, d.name, r.share_type,"
		  " r.share_method, r.open_type, r.update_cycle, r.row_count, r.updated_at"
		  " FROM data_resources r JOIN departments d ON d.id = r.dept_id"
		  " WHERE r.id > ?1 AND (CAST(?2 AS TEXT) IS NULL OR strpos(r.name, ?2) > 0"
		  " OR strpos(r.code, ?2) > 0 OR strpos(r.summary, ?2) > 0)"
		  " AND (?3 = 0 OR r.dept_id = ?3) AND (CAST(?4 AS TEXT) IS NULL"
		  " OR r.share_type = ?4) ORDER BY r.id LIMIT ?5"
		: "SELECT r.id, r.code, r.name, r.summary, r.dept_id, d.name, r.share_type,"
		  " r.share_method, r.open_type, r.update_cycle, r.row_count, r.updated_at"
		  " FROM data_resources r JOIN departments d ON d.id = r.dept_id"
		  " WHERE r.id > ?1 AND (?2 IS NULL OR instr(r.name, ?2) > 0"
		  " OR instr(r.code, ?2) > 0 OR instr(r.summary, ?2) > 0)"
		  " AND (?3 = 0 OR r.dept_id = ?3) AND (?4 IS NULL"
		  " OR r.share_type = ?4) ORDER BY r.id LIMIT ?5",
	    err);
	if (s == NULL)
		return NULL;
	db_bind_int(s, 1, after);
	db_bind_text(s, 2, q->q);
	db_bind_int(s, 3, q->dept_id);
	db_bind_text(s, 4, q->share_type);
	db_bind_int(s, 5, q->limit + 1);
	json_t *items = json_array();
	int n = 0, more = 0, rc;
	int64_t last = 0;
	while ((rc = db_step(s, err)) == DB_ROW) {
		if (n == q->limit) {
			more = 1;
			break;
		}
		last = db_col_int(s, 0);
		json_array_append_new(
		    items,
		    json_pack("{s:I, s:s, s:s, s:s, s:{s:I, s:s}, s:s, s:s, s:s, s:s, s:I,"
			      " s:o}",
			      "id", (json_int_t)last, "code", db_col_text(s, 1), "name",
			      db_col_text(s, 2), "summary", db_col_text(s, 3), "department", "id",
			      (json_int_t)db_col_int(s, 4), "name", db_col_text(s, 5), "share_type",
			      db_col_text(s, 6), "share_method", db_col_text(s, 7), "open_type",
			      db_col_text(s, 8), "update_cycle", db_col_text(s, 9), "row_count",
			      (json_int_t)db_col_int(s, 10), "updated_at",
			      time_json(db_col_int(s, 11))));
		n++;
	}
	db_reset(s);
	if (rc < 0) {
		json_decref(items);
		return NULL;
	}
	return page_json_id(items, more, last);
}

/* ---- rows ---- */

static int
value_error(struct zt_err *err, const struct resource_field *f)
{
	static const char *const want[] = {
	    [FT_STRING] = "text",	    [FT_INTEGER] = "an integer",
	    [FT_NUMBER] = "a number",	    [FT_DATE] = "a date YYYY-MM-DD",
	    [FT_BOOLEAN] = "true or false",
	};
	return err_set(err, ZT_EINVAL, f->name, "type", "%s must be %s", f->name, want[f->type]);
}

/* Checks a subject value; writes its normal form (ID 'x' upper-cased). */
static int
check_subject(const char *v, int ymd, char out[24], struct zt_err *err)
{
	struct zt_err e2;

	if (v == NULL || ident_normalize(v, out, 24) < 0)
		out[0] = '\0';
	err_clear(&e2);
	if (out[0] && ident_check_id_number(out, ymd, &e2) == 0)
		return 0;
	err_clear(&e2);
	if (out[0] && ident_check_credit_code(v, &e2) == 0) {
		snprintf(out, 24, "%s", v);
		return 0;
	}
	out[0] = '\0';
	return -1;
}

int
resource_row_check(const struct resource_meta *m, json_t *row, int ymd, struct resource_row *out,
		   struct zt_err *err)
{
	const char *k;
	json_t *v, *canon;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	if (!json_is_object(row))
		return err_set(err, ZT_EINVAL, "", "type", "a row is a JSON object");
	canon = json_object();
	json_object_foreach(row, k, v)
	{
		int i = resource_field_index(m, k);
		if (i < 0) {
			rc = err_set(err, ZT_EINVAL, k, "unknown_field",
				     "%s is not a field of the resource", k);
			goto out;
		}
		const struct resource_field *f = &m->fields[i];
		int32_t day;
		if (json_is_null(v))
			continue;
		switch (f->type) {
		case FT_STRING:
			if (!json_is_string(v)) {
				rc = value_error(err, f);
				goto out;
			}
			if (mask_nchars(json_string_value(v)) > RESOURCE_TEXT_MAX) {
				rc = err_set(err, ZT_EINVAL, k, "length",
					     "%s is longer than %d characters", k,
					     RESOURCE_TEXT_MAX);
				goto out;
			}
			break;
		case FT_INTEGER:
			if (!json_is_integer(v))
				rc = value_error(err, f);
			break;
		case FT_NUMBER:
			if (!json_is_number(v))
				rc = value_error(err, f);
			break;
		case FT_DATE:
			if (!json_is_string(v) || date_parse(json_string_value(v), &day) < 0)
				rc = value_error(err, f);
			break;
		case FT_BOOLEAN:
			if (!json_is_boolean(v))
				rc = value_error(err, f);
			break;
		}
		if (rc < 0)
			goto out;
		json_object_set(canon, k, v);
	}
	v = json_object_get(canon, m->key_field);
	if (v == NULL) {
		rc = err_set(err, ZT_EINVAL, m->key_field, "required",
			     "the key field %s is required", m->key_field);
		goto out;
	}
	if (json_is_string(v) &&
	    (json_string_length(v) == 0 || json_string_length(v) >= RESOURCE_KEY_MAX)) {
		rc = err_set(err, ZT_EINVAL, m->key_field, "length",
			     "a key is 1 to %d bytes of text", RESOURCE_KEY_MAX - 1);
		goto out;
	}
	if (m->subject_field[0] && (v = json_object_get(canon, m->subject_field)) != NULL) {
		char subject[24];
		if (check_subject(json_string_value(v), ymd, subject, err) < 0) {
			rc = err_set(err, ZT_EINVAL, m->subject_field, "invalid_subject",
				     "%s must be a valid ID number or unified social credit code",
				     m->subject_field);
			goto out;
		}
		json_object_set_new(canon, m->subject_field, json_string(subject));
		fieldenc_index(subject, out->subject);
	}
	/* The key as stored: after the subject's normal form (ID 'x' -> 'X'),
	 * a blind index when the key field is personal. */
	v = json_object_get(canon, m->key_field);
	char key[RESOURCE_KEY_MAX];
	if (json_is_integer(v))
		snprintf(key, sizeof(key), "%lld", (long long)json_integer_value(v));
	else
		snprintf(key, sizeof(key), "%s", json_string_value(v));
	resource_key_stored(resource_key_is_personal(m), key, out->key);
	resource_data_seal(m, canon);
	out->data = json_dumps(canon, JSON_COMPACT | JSON_SORT_KEYS);
out:
	json_decref(canon);
	return rc;
}

/* ---- encryption at rest of row values ---- */

void
resource_data_seal(const struct resource_meta *m, json_t *obj)
{
	for (int i = 0; i < m->nfields; i++) {
		const struct resource_field *f = &m->fields[i];
		json_t *v = json_object_get(obj, f->name);
		if (f->sens < SENS_PERSONAL || v == NULL || json_is_null(v) ||
		    (json_is_string(v) && fieldenc_is_enc(json_string_value(v))))
			continue;
		char *text = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
		char *enc = fieldenc_encrypt_str(text);
		json_object_set_new(obj, f->name, json_string(enc));
		free(enc);
		free(text);
	}
}

int
resource_data_open(json_t *obj, struct zt_err *err)
{
	const char *k;
	json_t *v;
	void *tmp;

	json_object_foreach_safe(obj, tmp, k, v)
	{
		if (!json_is_string(v) || !fieldenc_is_enc(json_string_value(v)))
			continue;
		char *text = NULL;
		if (fieldenc_decrypt(json_string_value(v), &text, NULL, err) < 0)
			return ZT_EINTERNAL;
		json_t *clear = json_loads(text, JSON_DECODE_ANY, NULL);
		free(text);
		if (clear == NULL)
			return err_set(err, ZT_EINTERNAL, k, "bad_ciphertext",
				       "a decrypted value is not JSON");
		json_object_set_new(obj, k, clear);
	}
	return 0;
}

json_t *
resource_data_load(const char *text, struct zt_err *err)
{
	json_t *o = text ? json_loads(text, 0, NULL) : NULL;

	if (!json_is_object(o)) {
		json_decref(o);
		err_set(err, ZT_EINTERNAL, "", "bad_row", "a stored row is not a JSON object");
		return NULL;
	}
	if (resource_data_open(o, err) < 0) {
		json_decref(o);
		return NULL;
	}
	return o;
}

int
resource_key_is_personal(const struct resource_meta *m)
{
	int i = resource_field_index(m, m->key_field);
	return i >= 0 && m->fields[i].sens >= SENS_PERSONAL;
}

void
resource_key_stored(int key_personal, const char *key, char out[RESOURCE_KEY_MAX])
{
	if (key_personal)
		fieldenc_index(key, out);
	else
		snprintf(out, RESOURCE_KEY_MAX, "%s", key);
}

struct store_job {
	int64_t resource_id, actor;
	const char *via;
	struct resource_row *rows;
	int n;
	int64_t inserted, updated;
};

static int
tx_store(db_conn *c, void *arg, struct zt_err *err)
{
	struct store_job *j = arg;
	int64_t now = clock_now();
	int rc;

	j->inserted = j->updated = 0;
	/* The batch's change order: seqs last - n + 1 .. last (see resource.h). */
	db_stmt *s = db_prepare(c,
				"UPDATE data_resources SET row_seq = row_seq + ?1 WHERE id = ?2"
				" RETURNING row_seq",
				err);
	if (s == NULL)
		return err->code;
	db_bind_int(s, 1, j->n);
	db_bind_int(s, 2, j->resource_id);
	int64_t last = 0;
	if ((rc = db_step_id(s, &last, err)) < 0)
		return rc;
	int64_t seq = last - j->n;
	for (int i = 0; i < j->n; i++) {
		s = db_prepare(c, "SELECT 1 FROM resource_rows WHERE resource_id = ?1 AND key = ?2",
			       err);
		if (s == NULL)
			return err->code;
		db_bind_int(s, 1, j->resource_id);
		db_bind_text(s, 2, j->rows[i].key);
		rc = db_step(s, err);
		db_reset(s);
		if (rc < 0)
			return rc;
		if (rc == DB_ROW)
			j->updated++;
		else
			j->inserted++;
		s = db_prepare(
		    c,
		    "INSERT INTO resource_rows (resource_id, key, subject, data, updated_at, seq)"
		    " VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (resource_id, key) DO UPDATE"
		    " SET subject = excluded.subject, data = excluded.data,"
		    " updated_at = excluded.updated_at, seq = excluded.seq",
		    err);
		if (s == NULL)
			return err->code;
		db_bind_int(s, 1, j->resource_id);
		db_bind_text(s, 2, j->rows[i].key);
		db_bind_text(s, 3, j->rows[i].subject[0] ? j->rows[i].subject : NULL);
		db_bind_text(s, 4, j->rows[i].data);
		db_bind_int(s, 5, now);
		db_bind_int(s, 6, ++seq);
		if ((rc = db_step(s, err)) < 0)
			return rc;
	}
	s = db_prepare(c,
		       "UPDATE data_resources SET row_count = row_count + ?1, updated_at = ?2"
		       " WHERE id = ?3",
		       err);
	if (s == NULL)
		return err->code;
	db_bind_int(s, 1, j->inserted);
	db_bind_int(s, 2, now);
	db_bind_int(s, 3, j->resource_id);
	if ((rc = db_step(s, err)) < 0)
		return rc;
	json_t *d = json_pack("{s:s, s:I, s:I}", "via", j->via, "inserted", (json_int_t)j->inserted,
			      "updated", (json_int_t)j->updated);
	rc = audit_resource(c, j->actor, "resource.rows", j->resource_id, d, err);
	json_decref(d);
	return rc;
}

static void
rows_free(struct resource_row *rows, int n)
{
	for (int i = 0; i < n; i++)
		free(rows[i].data);
}

struct upsert_job {
	const struct principal *by;
	int64_t id;
	json_t *rows;
	struct store_job store;
};

static int
tx_upsert(db_conn *c, void *arg, struct zt_err *err)
{
	struct upsert_job *j = arg;
	struct resource_meta *m = xmalloc(sizeof(*m));
	size_t n = json_array_size(j->rows), i;
	struct resource_row *rows = xcalloc(n ? n : 1, sizeof(*rows));
	int ymd = clock_today_ymd(), rc, done = 0;
	json_t *row;

	if ((rc = resource_meta_load(c, j->id, NULL, m, err)) < 0)
		goto out;
	if (m->dept_id != j->by->dept_id) {
		rc = err_set(err, ZT_EFORBIDDEN, "", "other_department",
			     "the resource belongs to another department");
		goto out;
	}
	json_array_foreach(j->rows, i, row)
	{
		if ((rc = resource_row_check(m, row, ymd, &rows[i], err)) < 0) {
			char f[ZT_ERR_FIELD_MAX];
			snprintf(f, sizeof(f), "rows[%zu]%s%s", i, err->field[0] ? "." : "",
				 err->field);
			snprintf(err->field, sizeof(err->field), "%s", f);
			goto out;
		}
		done = (int)i + 1;
	}
	j->store = (struct store_job){m->id, j->by->user_id, "rows", rows, (int)n, 0, 0};
	rc = tx_store(c, &j->store, err);
out:
	rows_free(rows, done);
	free(rows);
	free(m);
	return rc;
}

int
resource_upsert(const struct principal *by, int64_t id, json_t *rows, int64_t *inserted,
		int64_t *updated, struct zt_err *err)
{
	struct upsert_job j;
	int rc;

	memset(&j, 0, sizeof(j));
	j.by = by;
	j.id = id;
	j.rows = rows;
	if (json_array_size(rows) > RESOURCE_UPSERT_MAX)
		return err_set(err, ZT_EINVAL, "rows", "too_many", "at most %d rows at once",
			       RESOURCE_UPSERT_MAX);
	if ((rc = db_write(tx_upsert, &j, err)) < 0)
		return rc;
	*inserted = j.store.inserted;
	*updated = j.store.updated;
	return 0;
}

/* ---- CSV reader ---- */

#define CSV_RECORD_MAX (1 << 20)
#define CSV_CELLS_MAX  1000

struct csv_reader {
	FILE *f;
	unsigned char in[65536];
	size_t pos, len;
	int eof, started;
	int64_t offset, line;
	struct buf rec;
	size_t starts[CSV_CELLS_MAX];
	char *cells[CSV_CELLS_MAX];
	int ncells;
};

struct csv_reader *
resource_csv_new(FILE *f)
{
	struct csv_reader *r = xcalloc(1, sizeof(*r));

	r->f = f;
	r->line = 1;
	buf_init(&r->rec);
	return r;
}

void
resource_csv_free(struct csv_reader *r)
{
	if (r == NULL)
		return;
	buf_cleanup(&r->rec);
	free(r);
}

int64_t
resource_csv_offset(const struct csv_reader *r)
{
	return r->offset;
}

static int
csv_peek(struct csv_reader *r)
{
	if (r->pos == r->len) {
		if (r->eof)
			return -1;
		r->len = fread(r->in, 1, sizeof(r->in), r->f);
		r->pos = 0;
		if (r->len == 0) {
			r->eof = 1;
			return -1;
		}
		if (!r->started) {
			r->started = 1;
			if (r->len >= 3 && memcmp(r->in, "\xEF\xBB\xBF", 3) == 0) {
				r->pos = 3;
				r->offset = 3;
				return csv_peek(r);
			}
		}
	}
	return r->in[r->pos];
}

static int
csv_get(struct csv_reader *r)
{
	int c = csv_peek(r);

	if (c >= 0) {
		r->pos++;
		r->offset++;
	}
	return c;
}

/* Ends the current cell. Returns -1 when there are too many. */
static int
csv_end_cell(struct csv_reader *r)
{
	buf_append(&r->rec, "", 1);
	if (r->ncells == CSV_CELLS_MAX)
		return -1;
	return 0;
}

/* Skips to just after the next line end (error recovery). */
static void
csv_skip_line(struct csv_reader *r)
{
	int c;

	while ((c = csv_get(r)) >= 0)
		if (c == '\n') {
			r->line++;
			return;
		}
}

int
resource_csv_next(struct csv_reader *r, char ***cells, int *n, int64_t *line, struct zt_err *err)
{
	int c, quoted = 0, at_start = 1;

	/* Blank lines between records are skipped. */
	for (;;) {
		c = csv_peek(r);
		if (c == '\n') {
			csv_get(r);
			r->line++;
		} else if (c == '\r') {
			csv_get(r);
			if (csv_peek(r) == '\n')
				csv_get(r);
			r->line++;
		} else
			break;
	}
	if (c < 0)
		return 0;
	*line = r->line;
	buf_reset(&r->rec);
	r->ncells = 0;
	r->starts[r->ncells++] = 0;
	for (;;) {
		c = csv_get(r);
		if (r->rec.len > CSV_RECORD_MAX) {
			if (!(quoted && c < 0))
				csv_skip_line(r);
			return err_set(err, ZT_EINVAL, "", "too_long",
				       "the record is longer than %d bytes", CSV_RECORD_MAX);
		}
		if (quoted) {
			if (c < 0)
				return err_set(err, ZT_EINVAL, "", "quote",
					       "a quoted value is not closed");
			if (c == '"') {
				if (csv_peek(r) == '"') {
					csv_get(r);
					buf_append(&r->rec, "\"", 1);
					continue;
				}
				quoted = 0;
				int nx = csv_peek(r);
				if (nx >= 0 && nx != ',' && nx != '\n' && nx != '\r') {
					csv_skip_line(r);
					return err_set(err, ZT_EINVAL, "", "quote",
						       "text after a closing quote");
				}
				continue;
			}
			if (c == '\n')
				r->line++;
			char ch = (char)c;
			buf_append(&r->rec, &ch, 1);
			continue;
		}
		if (c == '"' && at_start) {
			quoted = 1;
			at_start = 0;
			continue;
		}
		at_start = 0;
		if (c == ',') {
			if (csv_end_cell(r) < 0) {
				csv_skip_line(r);
				return err_set(err, ZT_EINVAL, "", "too_long",
					       "more than %d values", CSV_CELLS_MAX);
			}
			r->starts[r->ncells++] = r->rec.len;
			at_start = 1;
			continue;
		}
		if (c < 0 || c == '\n' || c == '\r') {
			if (c == '\r' && csv_peek(r) == '\n')
				csv_get(r);
			if (c >= 0)
				r->line++;
			buf_append(&r->rec, "", 1);
			break;
		}
		char ch = (char)c;
		buf_append(&r->rec, &ch, 1);
	}
	for (int i = 0; i < r->ncells; i++) {
		size_t end = i + 1 < r->ncells ? r->starts[i + 1] - 1 : r->rec.len - 1;
		r->cells[i] = r->rec.data + r->starts[i];
		if (strlen(r->cells[i]) != end - r->starts[i])
			return err_set(err, ZT_EINVAL, "", "encoding",
				       "the record holds a NUL byte");
	}
	*cells = r->cells;
	*n = r->ncells;
	return 1;
}

/* ---- import ---- */

/* A cell as the JSON value of its field's type; NULL with err when bad. */
static json_t *
cell_value(const struct resource_field *f, const char *s, struct zt_err *err)
{
	char *end;

	switch (f->type) {
	case FT_STRING:
	case FT_DATE: {
		json_t *v = json_string(s);
		if (v == NULL)
			err_set(err, ZT_EINVAL, f->name, "encoding", "%s is not valid UTF-8",
				f->name);
		return v;
	}
	case FT_INTEGER: {
		errno = 0;
		long long v = strtoll(s, &end, 10);
		if (*s && *end == '\0' && errno == 0 && strspn(s, "-0123456789") == strlen(s))
			return json_integer(v);
		break;
	}
	case FT_NUMBER: {
		if (strspn(s, "-0123456789") == strlen(s)) {
			errno = 0;
			long long v = strtoll(s, &end, 10);
			if (*end == '\0' && errno == 0)
				return json_integer(v);
		}
		double d = strtod(s, &end);
		if (*end == '\0' && isfinite(d) && strspn(s, "+-0123456789.eE") == strlen(s))
			return json_real(d);
		break;
	}
	case FT_BOOLEAN:
		if (strcmp(s, "true") == 0 || strcmp(s, "1") == 0)
			return json_true();
		if (strcmp(s, "false") == 0 || strcmp(s, "0") == 0)
			return json_false();
		break;
	}
	value_error(err, f);
	return NULL;
}

struct importer {
	struct resource_meta *m;
	const struct import_hooks *hooks;
	struct import_result *res;
	int64_t actor;
	int header[CSV_CELLS_MAX];
	int ncols;
	struct resource_row rows[RESOURCE_IMPORT_BATCH];
	int nrows;
};

static void
reject(struct importer *im, int64_t line, const struct zt_err *e)
{
	im->res->rejected++;
	if (im->hooks && im->hooks->on_error)
		im->hooks->on_error(im->hooks->ctx, line, e->field, e->reason, e->msg);
}

static int
flush(struct importer *im, struct zt_err *err)
{
	struct store_job j = {im->m->id, im->actor, "import", im->rows, im->nrows, 0, 0};
	int rc = 0;

	if (im->nrows > 0)
		rc = db_write(tx_store, &j, err);
	rows_free(im->rows, im->nrows);
	if (rc == 0) {
		im->res->loaded += im->nrows;
		im->res->inserted += j.inserted;
		im->res->updated += j.updated;
	}
	im->nrows = 0;
	return rc;
}

static int
read_header(struct importer *im, struct csv_reader *csv, struct zt_err *err)
{
	char **cells;
	int n, rc, has_key = 0;
	int64_t line;

	rc = resource_csv_next(csv, &cells, &n, &line, err);
	if (rc == 0)
		return err_set(err, ZT_EINVAL, "header", "required",
			       "the file is empty; the first line names the fields");
	if (rc < 0) {
		snprintf(err->field, sizeof(err->field), "header");
		return rc;
	}
	for (int i = 0; i < n; i++) {
		int k = resource_field_index(im->m, cells[i]);
		if (k < 0)
			return err_set(err, ZT_EINVAL, "header", "unknown_field",
				       "column %d (%.60s) is not a field of the resource", i + 1,
				       cells[i]);
		for (int p = 0; p < i; p++)
			if (im->header[p] == k)
				return err_set(err, ZT_EINVAL, "header", "duplicate",
					       "column %d (%s) repeats column %d", i + 1, cells[i],
					       p + 1);
		im->header[i] = k;
		has_key |= strcmp(cells[i], im->m->key_field) == 0;
	}
	if (!has_key)
		return err_set(err, ZT_EINVAL, "header", "missing_key",
			       "the key field %s must be a column", im->m->key_field);
	im->ncols = n;
	return 0;
}

int
resource_import(db_conn *c, const struct principal *by, int64_t id, const char *code, FILE *f,
		const struct import_hooks *hooks, struct import_result *res, struct zt_err *err)
{
	struct importer *im = xcalloc(1, sizeof(*im));
	struct csv_reader *csv = NULL;
	int ymd = clock_today_ymd(), rc;
	int64_t nread = 0;

	memset(res, 0, sizeof(*res));
	im->m = xmalloc(sizeof(*im->m));
	im->hooks = hooks;
	im->res = res;
	im->actor = by ? by->user_id : 0;
	if ((rc = resource_meta_load(c, id, code, im->m, err)) < 0)
		goto out;
	if (by && im->m->dept_id != by->dept_id) {
		rc = err_set(err, ZT_EFORBIDDEN, "", "other_department",
			     "the resource belongs to another department");
		goto out;
	}
	csv = resource_csv_new(f);
	if ((rc = read_header(im, csv, err)) < 0)
		goto out;
	for (;;) {
		char **cells;
		int n;
		int64_t line;
		struct zt_err e;

		err_clear(&e);
		rc = resource_csv_next(csv, &cells, &n, &line, &e);
		if (rc == 0)
			break;
		nread++;
		if (rc < 0) {
			reject(im, line, &e);
			continue;
		}
		if (n != im->ncols) {
			err_set(&e, ZT_EINVAL, "", "columns", "%d values for %d columns", n,
				im->ncols);
			reject(im, line, &e);
			continue;
		}
		json_t *row = json_object();
		int bad = 0;
		for (int i = 0; i < n && !bad; i++) {
			if (cells[i][0] == '\0')
				continue;
			const struct resource_field *fd = &im->m->fields[im->header[i]];
			json_t *v = cell_value(fd, cells[i], &e);
			if (v == NULL)
				bad = 1;
			else
				json_object_set_new(row, fd->name, v);
		}
		if (!bad && resource_row_check(im->m, row, ymd, &im->rows[im->nrows], &e) < 0)
			bad = 1;
		json_decref(row);
		if (bad) {
			reject(im, line, &e);
			continue;
		}
		if (++im->nrows == RESOURCE_IMPORT_BATCH) {
			if ((rc = flush(im, err)) < 0)
				goto out;
			if (hooks && hooks->progress)
				hooks->progress(hooks->ctx, nread, resource_csv_offset(csv));
		}
	}
	rc = flush(im, err);
	if (rc == 0 && hooks && hooks->progress)
		hooks->progress(hooks->ctx, nread, resource_csv_offset(csv));
out:
	rows_free(im->rows, im->nrows);
	resource_csv_free(csv);
	free(im->m);
	free(im);
	return rc;
}
