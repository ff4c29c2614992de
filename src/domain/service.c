/* service.c - service items: create, edit, publish, read and search. */
#include "domain/service.h"
#include "domain/audit.h"
#include "domain/org.h"
#include "base/buf.h"
#include "base/page.h"
#include "base/clock.h"
#include "base/xmalloc.h"

#include <math.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static _Atomic uint64_t catalog_version = 1;

uint64_t
service_catalog_version(void)
{
	return atomic_load(&catalog_version);
}

const char *const service_types[] = {"XK", "QR", "GF", "CF", "QZ", "ZS",
				     "JC", "JL", "CJ", "GG", "QT", NULL};
const char *const service_targets[] = {"citizen", "enterprise", "both", NULL};
const char *const material_forms[] = {"original", "copy", "electronic", "original_or_copy", NULL};
const char *const channel_names[] = {"web", "mobile", "window", "self_service", "mail", NULL};
const char *const cross_mode_names[] = {"full_online", "proxy", "multi_site", NULL};

int
service_bits_from_names(json_t *arr, const char *const *names, unsigned *out)
{
	size_t i;
	json_t *v;

	*out = 0;
	json_array_foreach(arr, i, v)
	{
		int found = -1;
		if (json_is_string(v))
			for (int k = 0; names[k]; k++)
				if (strcmp(names[k], json_string_value(v)) == 0)
					found = k;
		if (found < 0)
			return -(int)i - 1;
		*out |= 1u << found;
	}
	return 0;
}

json_t *
service_names_from_bits(unsigned bits, const char *const *names)
{
	json_t *a = json_array();

	for (int k = 0; names[k]; k++)
		if (bits & (1u << k))
			json_array_append_new(a, json_string(names[k]));
	return a;
}

int
service_validate(const struct service_in *in, struct zt_err *err)
{
	if (in->promised_days > in->legal_days)
		return err_set(err, ZT_ERULE, "promised_days", "exceeds_legal",
			       "promised time limit (%d) must not exceed the legal limit (%d)",
			       in->promised_days, in->legal_days);
	for (const char *p = in->code; *p; p++)
		if (!((*p >= '0' && *p <= '9') || (*p >= 'A' && *p <= 'Z') || *p == '-' ||
		      (*p >= 'a' && *p <= 'z')))
			return err_set(err, ZT_EINVAL, "code", "format",
				       "code may contain only letters, digits and '-'");
	if (in->depth >= 4 && !(in->channels & (CH_WEB | CH_MOBILE)))
		return err_set(err, ZT_ERULE, "channels", "online_depth",
			       "an item handled online (depth >= 4) must offer web or mobile");
	if (in->max_visits == 0 && in->depth < 4)
		return err_set(err, ZT_ERULE, "max_visits", "zero_visit_offline",
			       "a zero-visit item must be handled online (depth >= 4)");
	if (in->cross_modes & CROSS_FULL_ONLINE && in->depth < 5)
		return err_set(err, ZT_ERULE, "cross_modes", "full_online_depth",
			       "全程网办 needs online depth 5 or more");
	for (int i = 0; i < in->nmaterials; i++)
		for (int k = 0; k < i; k++)
			if (strcmp(in->materials[i].name, in->materials[k].name) == 0) {
				char f[48];
				snprintf(f, sizeof(f), "materials[%d].name", i);
				return err_set(err, ZT_EINVAL, f, "duplicate",
					       "material listed twice: %s", in->materials[i].name);
			}
	for (int i = 0; i < in->nmaterials; i++)
		if (in->materials[i].license_type && in->materials[i].resource) {
			char f[48];
			snprintf(f, sizeof(f), "materials[%d].resource", i);
			return err_set(
			    err, ZT_EINVAL, f, "conflict",
			    "a material is satisfied by a license type or by a resource, "
			    "not both");
		}
	return 0;
}

/* 1 if the table exists (the sharing tables arrive with migration 004). */
static int
table_exists(db_conn *c, const char *name, struct zt_err *err)
{
	db_stmt *s = db_prepare(
	    c,
	    db_kind() == DB_PG ? "SELECT 1 WHERE to_regclass(CAST(?1 AS TEXT)) IS NOT NULL"
			       : "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1",
	    err);
	if (s == NULL)
		return err->code;
	db_bind_text(s, 1, name);
	int rc = db_step(s, err);
	db_reset(s);
	return rc < 0 ? rc : rc == DB_ROW;
}

/* 1 if a row with key exists: sql selects by ?1. */
static int
row_exists(db_conn *c, const char *sql, const char *key, struct zt_err *err)
{
	db_stmt *s = db_prepare(c, sql, err);
	if (s == NULL)
		return err->code;
	db_bind_text(s, 1, key);
	int rc = db_step(s, err);
	db_reset(s);
	return rc < 0 ? rc : rc == DB_ROW;
}

/* The license types and resources the item names must exist. */
static int
check_refs(db_conn *c, const struct service_in *in, struct zt_err *err)
{
	static const char type_sql[] = "SELECT 1 FROM license_types WHERE code = ?1";
	static const char res_sql[] = "SELECT 1 FROM data_resources WHERE code = ?1";
	char f[48];
	int rc, resources = -1;

	if (in->license_type && (rc = row_exists(c, type_sql, in->license_type, err)) <= 0)
		return rc < 0 ? rc
			      : err_set(err, ZT_EINVAL, "license_type", "unknown",
					"no license type %s", in->license_type);
	for (int i = 0; i < in->nmaterials; i++) {
		const struct material_in *m = &in->materials[i];
		if (m->license_type && (rc = row_exists(c, type_sql, m->license_type, err)) <= 0) {
			if (rc < 0)
				return rc;
			snprintf(f, sizeof(f), "materials[%d].license_type", i);
			return err_set(err, ZT_EINVAL, f, "unknown", "no license type %s",
				       m->license_type);
		}
		if (m->resource == NULL)
			continue;
		if (resources < 0 && (resources = table_exists(c, "data_resources", err)) < 0)
			return resources;
		if (resources && (rc = row_exists(c, res_sql, m->resource, err)) <= 0) {
			if (rc < 0)
				return rc;
			snprintf(f, sizeof(f), "materials[%d].resource", i);
			return err_set(err, ZT_EINVAL, f, "unknown", "no data resource %s",
				       m->resource);
		}
	}
	return 0;
}

/* Sets the item's license type (a statement of its own, so the shared
 * column list of insert and update stays as it is). */
static int
save_license_type(db_conn *c, int64_t id, const char *type, struct zt_err *err)
{
	db_stmt *s = db_prepare(c, "UPDATE service_items SET license_type = ?1 WHERE id = ?2", err);
	if (s == NULL)
		return err->code;
	db_bind_text(s, 1, type);
	db_bind_int(s, 2, id);
	int rc = db_step(s, err);
	return rc < 0 ? rc : 0;
}

static char *
guide_text(const struct service_in *in)
{
	struct buf b;
	size_t i;
	json_t *v;

	buf_init(&b);
	buf_printf(&b, "%s\n%s\n%s\n%s\n%s\n", in->conditions, in->legal_basis, in->place, in->fee,
		   in->consult);
	json_array_foreach(in->process, i, v) buf_printf(&b, "%s\n", json_string_value(v));
	for (int k = 0; k < in->nmaterials; k++)
		buf_printf(&b, "%s\n", in->materials[k].name);
	return buf_take(&b, NULL);
}

struct item_job {
	const struct principal *by;
	const struct service_in *in;
	int64_t id;
	const char *status;
};

static int
write_materials_fts(db_conn *c, int64_t id, const struct service_in *in, struct zt_err *err)
{
	db_stmt *s;
	int rc;

	s = db_prepare(c, "DELETE FROM materials WHERE item_id = ?1", err);
	if (s == NULL)
		return err->code;
	db_bind_int(s, 1, id);
	if ((rc = db_step(s, err)) < 0)
		return rc;
	s = db_prepare(c,
		       "INSERT INTO materials (item_id, seq, name, form, count, required, note,"
		       " license_type, resource_code) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
		       err);
	if (s == NULL)
		return err->code;
	for (int i = 0; i < in->nmaterials; i++) {
		const struct material_in *m = &in->materials[i];
		db_reset(s);
		db_bind_int(s, 1, id);
		db_bind_int(s, 2, i + 1);
		db_bind_text(s, 3, m->name);
		db_bind_text(s, 4, m->form);
		db_bind_int(s, 5, m->count);
		db_bind_int(s, 6, m->required);
		db_bind_text(s, 7, m->note ? m->note : "");
		db_bind_text(s, 8, m->license_type);
		db_bind_text(s, 9, m->resource);
		if ((rc = db_step(s, err)) < 0)
			return rc;
	}
	char *guide = guide_text(in);
	if (db_kind() == DB_PG) {
		/* PostgreSQL: one text column under a pg_trgm GIN index. */
		s = db_prepare(c,
			       "UPDATE service_items SET search_doc = ?2 || chr(10) || ?3"
			       " WHERE id = ?1",
			       err);
	} else {
		/* SQLite: an FTS5 trigram table keyed by the item id. */
		s = db_prepare(c, "DELETE FROM service_fts WHERE rowid = ?1", err);
		if (s == NULL) {
			free(guide);
			return err->code;
		}
		db_bind_int(s, 1, id);
		if ((rc = db_step(s, err)) < 0) {
			free(guide);
			return rc;
		}
		s = db_prepare(
		    c, "INSERT INTO service_fts (rowid, name, guide) VALUES (?1, ?2, ?3)", err);
	}
	if (s == NULL) {
		free(guide);
		return err->code;
	}
	db_bind_int(s, 1, id);
	db_bind_text(s, 2, in->name);
	db_bind_text(s, 3, guide);
	free(guide);
	rc = db_step(s, err);
	return rc < 0 ? rc : 0;
}

/* Binds the item columns ?1..?22 shared by insert and update. */
static void
bind_item(db_stmt *s, const struct service_in *in, int64_t dept_id, const char *region)
{
	char *process = json_dumps(in->process, JSON_COMPACT);

	db_bind_text(s, 1, in->code);
	db_bind_text(s, 2, in->name);
	db_bind_text(s, 3, in->type);
	db_bind_int(s, 4, dept_id);
	db_bind_text(s, 5, region);
	db_bind_text(s, 6, in->target);
	db_bind_int(s, 7, in->legal_days);
	db_bind_int(s, 8, in->promised_days);
	db_bind_int(s, 9, in->depth);
	db_bind_int(s, 10, in->max_visits);
	db_bind_text(s, 11, in->fee);
	db_bind_text(s, 12, in->conditions);
	db_bind_text(s, 13, in->legal_basis);
	db_bind_text(s, 14, process);
	db_bind_text(s, 15, in->place);
	db_bind_text(s, 16, in->office_hours);
	db_bind_text(s, 17, in->consult);
	db_bind_text(s, 18, in->complaint);
	db_bind_int(s, 19, in->channels);
	db_bind_int(s, 20, in->cross_modes);
	db_bind_int(s, 21, clock_now());
	free(process);
}

/* The region of the department an item belongs to; an unknown department
 * is bad input here. */
static int
dept_region(db_conn *c, int64_t dept_id, char region[8], struct zt_err *err)
{
	int rc = org_dept_region(c, dept_id, region, err);

	if (rc == ZT_ENOTFOUND)
		return err_set(err, ZT_EINVAL, "dept_id", "unknown", "no such department");
	return rc;
}

static int
code_taken(db_conn *c, const char *code, int64_t except, struct zt_err *err)
{
	db_stmt *s =
	    db_prepare(c, "SELECT id FROM service_items WHERE code = ?1 AND id <> ?2", err);
	if (s == NULL)
		return err->code;
	db_bind_text(s, 1, code);
	db_bind_int(s, 2, except);
	int rc = db_step(s, err);
	db_reset(s);
	if (rc < 0)
		return rc;
	return rc == DB_ROW
		   ? err_set(err, ZT_ECONFLICT, "code", "taken", "another item has code %s", code)
		   : 0;
}

static int64_t
target_dept(const struct principal *by, const struct service_in *in)
{
	if (by && principal_has_role(by, ROLE_SYSADMIN) && in->dept_id)
		return in->dept_id;
	return by ? by->dept_id : in->dept_id;
}

static int
tx_create(db_conn *c, void *arg, struct zt_err *err)
{
	struct item_job *j = arg;
	int64_t dept = target_dept(j->by, j->in);
	char region[8], obj[32];
	int rc;

	if ((rc = dept_region(c, dept, region, err)) < 0)
		return rc;
	if ((rc = code_taken(c, j->in->code, 0, err)) < 0)
		return rc;
	if ((rc = check_refs(c, j->in, err)) < 0)
		return rc;
	db_stmt *s = db_prepare(c,
				"INSERT INTO service_items (code, name, type, dept_id, region_code,"
				" target, legal_days, promised_days, depth, max_visits, fee,"
				" conditions, legal_basis, process, place, office_hours, consult,"
				" complaint, channels, cross_modes, created_at, updated_at)"
				" VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16,"
				"?17,?18,?19,?20,?21,?21) RETURNING id",
				err);
	if (s == NULL)
		return err->code;
	bind_item(s, j->in, dept, region);
	rc = db_step_id(s, &j->id, err);
	if (rc < 0)
		return rc;
	if ((rc = write_materials_fts(c, j->id, j->in, err)) < 0)
		return rc;
	if ((rc = save_license_type(c, j->id, j->in->license_type, err)) < 0)
		return rc;
	snprintf(obj, sizeof(obj), "service_item:%lld", (long long)j->id);
	json_t *d = json_pack("{s:s, s:s}", "code", j->in->code, "name", j->in->name);
	rc = audit_append(c, j->by ? j->by->user_id : 0, "service.create", obj, d, err);
	json_decref(d);
	return rc;
}

int
service_create(const struct principal *by, const struct service_in *in, int64_t *id,
	       struct zt_err *err)
{
	struct item_job j = {by, in, 0, NULL};
	int rc;

	if ((rc = service_validate(in, err)) < 0)
		return rc;
	if ((rc = db_write(tx_create, &j, err)) < 0)
		return rc;
	atomic_fetch_add(&catalog_version, 1);
	*id = j.id;
	return 0;
}

/* Checks that by may manage item id; fills its department. */
static int
may_manage(db_conn *c, const struct principal *by, int64_t id, int64_t *dept, struct zt_err *err)
{
	db_stmt *s = db_prepare(c, "SELECT dept_id FROM service_items WHERE id = ?1", err);
	if (s == NULL)
		return err->code;
	db_bind_int(s, 1, id);
	int rc = db_step(s, err);
	if (rc == DB_ROW)
		*dept = db_col_int(s, 0);
	db_reset(s);
	if (rc < 0)
		return rc;
	if (rc != DB_ROW)
		return err_set(err, ZT_ENOTFOUND, "", "not_found", "no such service item");
	if (by && !principal_has_role(by, ROLE_SYSADMIN) && by->dept_id != *dept)
		return err_set(err, ZT_EFORBIDDEN, "", "other_department",
			       "the item belongs to another department");
	return 0;
}

static int
tx_update(db_conn *c, void *arg, struct zt_err *err)
{
	struct item_job *j = arg;
	int64_t dept;
	char region[8], obj[32];
	int rc;

	if ((rc = may_manage(c, j->by, j->id, &dept, err)) < 0)
		return rc;
	if (j->by && principal_has_role(j->by, ROLE_SYSADMIN) && j->in->dept_id)
		dept = j->in->dept_id;
	if ((rc = dept_region(c, dept, region, err)) < 0)
		return rc;
	if ((rc = code_taken(c, j->in->code, j->id, err)) < 0)
		return rc;
	if ((rc = check_refs(c, j->in, err)) < 0)
		return rc;
	db_stmt *s =
	    db_prepare(c,
		       "UPDATE service_items SET code=?1, name=?2, type=?3, dept_id=?4,"
		       " region_code=?5, target=?6, legal_days=?7, promised_days=?8,"
		       " depth=?9, max_visits=?10, fee=?11, conditions=?12, legal_basis=?13,"
		       " process=?14, place=?15, office_hours=?16, consult=?17,"
		       " complaint=?18, channels=?19, cross_modes=?20, updated_at=?21,"
		       " version = version + 1 WHERE id = ?22",
		       err);
	if (s == NULL)
		return err->code;
	bind_item(s, j->in, dept, region);
	db_bind_int(s, 22, j->id);
	if ((rc = db_step(s, err)) < 0)
		return rc;
	if ((rc = write_materials_fts(c, j->id, j->in, err)) < 0)
		return rc;
	if ((rc = save_license_type(c, j->id, j->in->license_type, err)) < 0)
		return rc;
	snprintf(obj, sizeof(obj), "service_item:%lld", (long long)j->id);
	json_t *d = json_pack("{s:s, s:s}", "code", j->in->code, "name", j->in->name);
	rc = audit_append(c, j->by ? j->by->user_id : 0, "service.update", obj, d, err);
	json_decref(d);
	return rc;
}

int
service_update(const struct principal *by, int64_t id, const struct service_in *in,
	       struct zt_err *err)
{
	struct item_job j = {by, in, id, NULL};
	int rc;

	if ((rc = service_validate(in, err)) < 0)
		return rc;
	if ((rc = db_write(tx_update, &j, err)) == 0)
		atomic_fetch_add(&catalog_version, 1);
	return rc;
}

static int
tx_status(db_conn *c, void *arg, struct zt_err *err)
{
	struct item_job *j = arg;
	int64_t dept;
	char obj[32];
	int rc;

	if ((rc = may_manage(c, j->by, j->id, &dept, err)) < 0)
		return rc;
	db_stmt *s = db_prepare(c, "SELECT status FROM service_items WHERE id = ?1", err);
	if (s == NULL)
		return err->code;
	db_bind_int(s, 1, j->id);
	rc = db_step(s, err);
	int same = rc == DB_ROW && strcmp(db_col_text(s, 0), j->status) == 0;
	int draft = rc == DB_ROW && strcmp(db_col_text(s, 0), "draft") == 0;
	db_reset(s);
	if (same)
		return err_set(err, ZT_ECONFLICT, "status", "unchanged", "the item is already %s",
			       j->status);
	if (draft && strcmp(j->status, "unpublished") == 0)
		return err_set(err, ZT_ECONFLICT, "status", "draft",
			       "a draft that was never published cannot be unpublished");
	s = db_prepare(c,
		       "UPDATE service_items SET status = ?1, updated_at = ?2,"
		       " published_at = CASE WHEN ?1 = 'published' THEN ?2 ELSE published_at END"
		       " WHERE id = ?3",
		       err);
	if (s == NULL)
		return err->code;
	db_bind_text(s, 1, j->status);
	db_bind_int(s, 2, clock_now());
	db_bind_int(s, 3, j->id);
	if ((rc = db_step(s, err)) < 0)
		return rc;
	snprintf(obj, sizeof(obj), "service_item:%lld", (long long)j->id);
	return audit_append(c, j->by ? j->by->user_id : 0,
			    strcmp(j->status, "published") == 0 ? "service.publish"
								: "service.unpublish",
			    obj, NULL, err);
}

int
service_set_status(const struct principal *by, int64_t id, const char *status, struct zt_err *err)
{
	struct item_job j = {by, NULL, id, status};
	int rc = db_write(tx_status, &j, err);

	if (rc == 0)
		atomic_fetch_add(&catalog_version, 1);
	return rc;
}

json_t *
service_materials_json(db_conn *c, int64_t item_id, struct zt_err *err)
{
	json_t *a = json_array();
	db_stmt *s = db_prepare(c,
				"SELECT seq, name, form, count, required, note, license_type,"
				" resource_code FROM materials WHERE item_id = ?1 ORDER BY seq",
				err);
	if (s == NULL) {
		json_decref(a);
		return NULL;
	}
	db_bind_int(s, 1, item_id);
	while (db_step(s, err) == DB_ROW) {
		json_t *m =
		    json_pack("{s:I, s:s, s:s, s:I, s:b, s:s}", "seq", (json_int_t)db_col_int(s, 0),
			      "name", db_col_text(s, 1), "form", db_col_text(s, 2), "count",
			      (json_int_t)db_col_int(s, 3), "required", (int)db_col_int(s, 4),
			      "note", db_col_text(s, 5));
		/* Only when set: what satisfies the material (once-only). */
		if (!db_col_isnull(s, 6))
			json_object_set_new(m, "license_type", json_string(db_col_text(s, 6)));
		if (!db_col_isnull(s, 7))
			json_object_set_new(m, "resource", json_string(db_col_text(s, 7)));
		json_array_append_new(a, m);
	}
	db_reset(s);
	return a;
}

json_t *
service_get_json(db_conn *c, const struct principal *by, int64_t id, struct zt_err *err)
{
	json_t *o = NULL;
	db_stmt *s = db_prepare(
	    c,
	    "SELECT i.id, i.code, i.name, i.type, i.dept_id, d.name, d.name_en, i.region_code,"
	    " r.name, i.target, i.legal_days, i.promised_days, i.depth, i.max_visits, i.fee,"
	    " i.conditions, i.legal_basis, i.process, i.place, i.office_hours, i.consult,"
	    " i.complaint, i.channels, i.cross_modes, i.status, i.version, i.updated_at,"
	    " i.published_at, i.license_type FROM service_items i JOIN departments d ON d.id = "
	    "i.dept_id"
	    " JOIN regions r ON r.code = i.region_code WHERE i.id = ?1",
	    err);
	if (s == NULL)
		return NULL;
	db_bind_int(s, 1, id);
	int rc = db_step(s, err);
	if (rc != DB_ROW) {
		db_reset(s);
		if (rc >= 0)
			err_set(err, ZT_ENOTFOUND, "", "not_found", "no such service item");
		return NULL;
	}
	const char *status = db_col_text(s, 24);
	int64_t dept = db_col_int(s, 4);
	if (strcmp(status, "published") != 0 &&
	    !(by->kind == KIND_OFFICIAL &&
	      (by->dept_id == dept || principal_has_role(by, ROLE_SYSADMIN)))) {
		db_reset(s);
		err_set(err, ZT_ENOTFOUND, "", "not_found", "no such service item");
		return NULL;
	}
	json_t *process = json_loads(db_col_text(s, 17), 0, NULL);
	char upd[32];
	time_format(db_col_int(s, 26), upd);
	o = json_pack(
	    "{s:I, s:s, s:s, s:s, s:{s:I, s:s, s:s}, s:{s:s, s:s}, s:s, s:I, s:I,"
	    " s:I, s:I, s:s, s:s, s:s, s:o, s:s, s:s, s:s, s:s, s:o, s:o, s:s, s:I,"
	    " s:s}",
	    "id", (json_int_t)db_col_int(s, 0), "code", db_col_text(s, 1), "name",
	    db_col_text(s, 2), "type", db_col_text(s, 3), "department", "id", (json_int_t)dept,
	    "name", db_col_text(s, 5), "name_en", db_col_text(s, 6), "region", "code",
	    db_col_text(s, 7), "name", db_col_text(s, 8), "target", db_col_text(s, 9), "legal_days",
	    (json_int_t)db_col_int(s, 10), "promised_days", (json_int_t)db_col_int(s, 11), "depth",
	    (json_int_t)db_col_int(s, 12), "max_visits", (json_int_t)db_col_int(s, 13), "fee",
	    db_col_text(s, 14), "conditions", db_col_text(s, 15), "legal_basis", db_col_text(s, 16),
	    "process", process ? process : json_array(), "place", db_col_text(s, 18),
	    "office_hours", db_col_text(s, 19), "consult", db_col_text(s, 20), "complaint",
	    db_col_text(s, 21), "channels",
	    service_names_from_bits((unsigned)db_col_int(s, 22), channel_names), "cross_modes",
	    service_names_from_bits((unsigned)db_col_int(s, 23), cross_mode_names), "status",
	    status, "version", (json_int_t)db_col_int(s, 25), "updated_at", upd);
	json_object_set_new(o, "license_type",
			    db_col_isnull(s, 28) ? json_null() : json_string(db_col_text(s, 28)));
	db_reset(s);
	json_t *m = service_materials_json(c, id, err);
	json_object_set_new(o, "materials", m ? m : json_array());
	return o;
}

int
service_ref_by_code(db_conn *c, const char *code, struct service_ref *out, struct zt_err *err)
{
	db_stmt *s =
	    db_prepare(c,
		       "SELECT id, dept_id, code, name, status, target, promised_days, depth,"
		       " license_type FROM service_items WHERE code = ?1",
		       err);
	if (s == NULL)
		return err->code;
	db_bind_text(s, 1, code);
	int rc = db_step(s, err);
	if (rc == DB_ROW) {
		out->id = db_col_int(s, 0);
		out->dept_id = db_col_int(s, 1);
		snprintf(out->code, sizeof(out->code), "%s", db_col_text(s, 2));
		snprintf(out->name, sizeof(out->name), "%s", db_col_text(s, 3));
		snprintf(out->status, sizeof(out->status), "%s", db_col_text(s, 4));
		snprintf(out->target, sizeof(out->target), "%s", db_col_text(s, 5));
		out->promised_days = (int)db_col_int(s, 6);
		out->depth = (int)db_col_int(s, 7);
		snprintf(out->license_type, sizeof(out->license_type), "%s",
			 db_col_isnull(s, 8) ? "" : db_col_text(s, 8));
	}
	db_reset(s);
	if (rc < 0)
		return rc;
	return rc == DB_ROW ? 0
			    : err_set(err, ZT_ENOTFOUND, "item_code", "unknown",
				      "no service item with code %s", code);
}

/* ---- search ---- */

#define MAX_TERMS 5

/* Splits q on spaces into at most MAX_TERMS terms (copies into store). */
static int
split_terms(const char *q, char terms[MAX_TERMS][128])
{
	int n = 0;
	const char *p = q;

	while (*p && n < MAX_TERMS) {
		while (*p == ' ' || *p == '\t')
			p++;
		const char *e = p;
		while (*e && *e != ' ' && *e != '\t')
			e++;
		if (e > p) {
			size_t len = (size_t)(e - p) < 127 ? (size_t)(e - p) : 127;
			memcpy(terms[n], p, len);
			terms[n][len] = '\0';
			n++;
		}
		p = e;
	}
	return n;
}

static long
chars(const char *s)
{
	long n = 0;

	for (; *s; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return n;
}

/* "%term%" for PostgreSQL's ILIKE, the term's own %, _ and \\ literal. */
static void
like_pattern(const char *term, char *out, size_t cap)
{
	size_t o = 0;

	out[o++] = '%';
	for (const char *p = term; *p && o + 4 < cap; p++) {
		if (*p == '%' || *p == '_' || *p == '\\')
			out[o++] = '\\';
		out[o++] = *p;
	}
	out[o++] = '%';
	out[o] = '\0';
}

static void
region_prefix(const char *code, char out[8])
{
	snprintf(out, 8, "%s", code);
	size_t n = strlen(out);
	while (n >= 2 && out[n - 1] == '0' && out[n - 2] == '0')
		out[n -= 2] = '\0';
}

json_t *
service_search(db_conn *c, const struct service_query *q, struct zt_err *err)
{
	char terms[MAX_TERMS][128], prefix[8], shortq[MAX_TERMS][264];
	int nterms = q->q ? split_terms(q->q, terms) : 0, np = 0;
	int ranked = 0, has_cursor = 0;
	double cur_score = 0;
	int64_t cur_id = 0;
	struct buf sql, match;
	json_t *out = NULL;

	if (q->cursor) {
		char raw[CURSOR_RAW_MAX], *end;
		if (cursor_decode(q->cursor, raw) < 0) {
			err_set(err, ZT_EINVAL, "cursor", "invalid", "invalid cursor");
			return NULL;
		}
		cur_score = strtod(raw, &end);
		if (*end != ':' || (cur_id = strtoll(end + 1, &end, 10)) <= 0 || *end != '\0' ||
		    !isfinite(cur_score)) {
			err_set(err, ZT_EINVAL, "cursor", "invalid", "invalid cursor");
			return NULL;
		}
		has_cursor = 1;
	}
	buf_init(&sql);
	buf_init(&match);
	for (int i = 0; i < nterms; i++) {
		if (chars(terms[i]) >= 3) {
			buf_puts(&match, match.len ? " \"" : "\"");
			for (const char *p = terms[i]; *p; p++) {
				if (*p == '"')
					buf_puts(&match, "\"\"");
				else
					buf_append(&match, p, 1);
			}
			buf_puts(&match, "\"");
		}
	}
	int pg = db_kind() == DB_PG;
	ranked = pg ? nterms > 0 : match.len > 0;
	buf_printf(&sql,
		   "SELECT * FROM (SELECT i.id, i.code, i.name, i.type, i.dept_id, d.name AS dname,"
		   " i.region_code, i.promised_days, i.legal_days, i.depth, i.max_visits,"
		   " i.cross_modes, i.channels, i.fee, i.status, %s AS score"
		   " FROM service_items i JOIN departments d ON d.id = i.dept_id",
		   !ranked ? "0.0"
		   : pg	   ? "-similarity(i.name, ?2)"
			   : "bm25(service_fts, 10.0, 1.0)");
	if (nterms && !pg)
		buf_puts(&sql, " JOIN service_fts ON service_fts.rowid = i.id");
	buf_puts(&sql, " WHERE i.status = ?1");
	if (ranked && !pg)
		buf_puts(&sql, " AND service_fts MATCH ?2");
	for (int i = 0, k = 0; i < nterms; i++) {
		if (pg) {
			/* Every term a substring (ILIKE uses the trigram index). */
			like_pattern(terms[i], shortq[np], sizeof(shortq[np]));
			buf_printf(&sql, " AND i.search_doc ILIKE ?%d", 10 + k);
		} else {
			if (chars(terms[i]) >= 3)
				continue;
			/* Short terms: substring scan (trigrams need 3 characters).
			 * instr(), not LIKE: a LIKE on a bound parameter makes
			 * SQLite re-prepare the statement on every binding. */
			snprintf(shortq[np], sizeof(shortq[np]), "%s", terms[i]);
			buf_printf(&sql,
				   " AND (instr(lower(service_fts.name), lower(?%d)) > 0"
				   " OR instr(lower(service_fts.guide), lower(?%d)) > 0)",
				   10 + k, 10 + k);
		}
		k++;
		np++;
	}
	if (q->region)
		buf_puts(&sql, " AND i.region_code BETWEEN ?3 AND ?9");
	if (q->dept_id)
		buf_puts(&sql, " AND i.dept_id = ?4");
	if (q->type)
		buf_puts(&sql, " AND i.type = ?5");
	if (q->min_depth)
		buf_puts(&sql, " AND i.depth >= ?6");
	if (q->cross)
		buf_puts(&sql, " AND (i.cross_modes & ?7) <> 0");
	if (q->only_dept)
		buf_puts(&sql, " AND i.dept_id = ?8");
	buf_puts(&sql, ") t");
	if (has_cursor)
		buf_puts(&sql, " WHERE (score > ?20 OR (score = ?20 AND id > ?21))");
	buf_puts(&sql, " ORDER BY score, id LIMIT ?22");

	db_stmt *s = db_prepare_dyn(c, sql.data, err);
	if (s == NULL)
		goto out;
	db_bind_text(s, 1, q->status ? q->status : "published");
	if (ranked)
		db_bind_text(s, 2, pg ? q->q : match.data);
	for (int k = 0; k < np; k++)
		db_bind_text(s, 10 + k, shortq[k]);
	if (q->region) {
		/* Codes under a region share its prefix: 5201 -> 520100..520199. */
		char lo[8], hi[8];
		region_prefix(q->region, prefix);
		snprintf(lo, sizeof(lo), "%s000000", prefix);
		snprintf(hi, sizeof(hi), "%s999999", prefix);
		lo[6] = hi[6] = '\0';
		db_bind_text(s, 3, lo);
		db_bind_text(s, 9, hi);
	}
	if (q->dept_id)
		db_bind_int(s, 4, q->dept_id);
	if (q->type)
		db_bind_text(s, 5, q->type);
	if (q->min_depth)
		db_bind_int(s, 6, q->min_depth);
	if (q->cross)
		db_bind_int(s, 7, q->cross);
	if (q->only_dept)
		db_bind_int(s, 8, q->only_dept);
	if (has_cursor) {
		db_bind_double(s, 20, cur_score);
		db_bind_int(s, 21, cur_id);
	}
	db_bind_int(s, 22, q->limit + 1);

	json_t *items = json_array();
	double last_score = 0;
	int64_t last_id = 0;
	int n = 0, more = 0, rc;
	while ((rc = db_step(s, err)) == DB_ROW) {
		if (n == q->limit) {
			more = 1;
			break;
		}
		last_id = db_col_int(s, 0);
		last_score = db_col_double(s, 15);
		json_array_append_new(
		    items,
		    json_pack(
			"{s:I, s:s, s:s, s:s, s:{s:I, s:s}, s:s, s:I, s:I, s:I, s:I, s:o,"
			" s:o, s:s, s:s}",
			"id", (json_int_t)last_id, "code", db_col_text(s, 1), "name",
			db_col_text(s, 2), "type", db_col_text(s, 3), "department", "id",
			(json_int_t)db_col_int(s, 4), "name", db_col_text(s, 5), "region_code",
			db_col_text(s, 6), "promised_days", (json_int_t)db_col_int(s, 7),
			"legal_days", (json_int_t)db_col_int(s, 8), "depth",
			(json_int_t)db_col_int(s, 9), "max_visits", (json_int_t)db_col_int(s, 10),
			"cross_modes",
			service_names_from_bits((unsigned)db_col_int(s, 11), cross_mode_names),
			"channels",
			service_names_from_bits((unsigned)db_col_int(s, 12), channel_names), "fee",
			db_col_text(s, 13), "status", db_col_text(s, 14)));
		n++;
	}
	db_reset(s);
	if (rc < 0) {
		json_decref(items);
		goto out;
	}
	char raw[CURSOR_RAW_MAX];
	snprintf(raw, sizeof(raw), "%.17g:%lld", last_score, (long long)last_id);
	out = page_json(items, more, raw);
out:
	buf_cleanup(&sql);
	buf_cleanup(&match);
	return out;
}
