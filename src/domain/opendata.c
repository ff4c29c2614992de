/* opendata.c - datasets of the open data portal: publication with a row
 * snapshot, republication, withdrawal, the catalog and row queries. */
#include "domain/opendata.h"
#include "domain/opendata_rows.h"
#include "domain/opendata_quality.h"
#include "domain/audit.h"
#include "domain/org.h"
#include "base/clock.h"
#include "base/jtime.h"
#include "base/log.h"
#include "base/buf.h"
#include "base/page.h"
#include "base/xmalloc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const opendata_licenses[] = {"CC-BY-4.0", "CC-BY-SA-4.0", "CC0-1.0", "ODC-BY-1.0",
					 "ODbL-1.0",  "PDDL-1.0",     NULL};
const char *const opendata_frequencies[] = {"realtime",	 "daily",  "weekly",	"monthly",
					    "quarterly", "yearly", "irregular", NULL};

/* The resource a dataset is published from. */
struct source {
	int64_t id, dept_id;
	char open_type[16];
	json_t *fields; /* the stored [{name, label, type, sensitivity, mask?}] */
};

struct pub_job {
	const struct principal *by;
	const struct opendata_in *in;		/* publish; NULL = republish */
	int64_t id;				/* the dataset (out for publish) */
	const struct opendata_field_in *fields; /* republish */
	int nfields;
	const char *reason; /* withdraw */
	int64_t version;
};

static json_t *
json_or(const char *text, json_t *dflt)
{
	json_t *v = text ? json_loads(text, 0, NULL) : NULL;

	if (v == NULL)
		return dflt;
	json_decref(dflt);
	return v;
}

static int
audit_dataset(db_conn *c, int64_t actor, const char *action, int64_t id, json_t *data,
	      struct zt_err *err)
{
	char obj[40];

	snprintf(obj, sizeof(obj), "dataset:%lld", (long long)id);
	return audit_append(c, actor, action, obj, data, err);
}

/* Loads the resource by code (id ignored) or by id. */
static int
source_load(db_conn *c, const char *code, int64_t id, struct source *src, struct zt_err *err)
{
	db_stmt *s = db_prepare(c,
				code ? "SELECT id, dept_id, open_type, fields FROM data_resources"
				       " WHERE code = ?2"
				     : "SELECT id, dept_id, open_type, fields FROM data_resources"
				       " WHERE id = ?1",
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
		src->id = db_col_int(s, 0);
		src->dept_id = db_col_int(s, 1);
		snprintf(src->open_type, sizeof(src->open_type), "%s", db_col_text(s, 2));
		src->fields = json_loads(db_col_text(s, 3), 0, NULL);
		if (!json_is_array(src->fields))
			rc = err_set(err, ZT_EINTERNAL, "", "corrupt", "bad stored fields");
	}
	db_reset(s);
	if (rc < 0)
		return rc;
	if (rc != DB_ROW)
		return err_set(err, ZT_ENOTFOUND, "resource", "not_found", "no such data resource");
	return 0;
}

/* Only resources open to everyone (无条件开放) may be published. */
static int
source_check(const struct principal *by, const struct source *src, struct zt_err *err)
{
	if (src->dept_id != by->dept_id)
		return err_set(err, ZT_EFORBIDDEN, "resource", "other_department",
			       "the resource belongs to another department");
	if (strcmp(src->open_type, "open") == 0)
		return 0;
	if (strcmp(src->open_type, "conditional") == 0)
		return err_set(err, ZT_ERULE, "resource", "conditional_open",
			       "the resource is open only on conditions (有条件开放); the portal "
			       "publishes only resources whose open type is open");
	return err_set(err, ZT_ERULE, "resource", "not_open",
		       "the resource's open type is %s: it may not be opened", src->open_type);
}

static json_t *
source_field(const struct source *src, const char *name)
{
	size_t i;
	json_t *f;

	json_array_foreach(src->fields, i, f)
	{
		const char *n = json_string_value(json_object_get(f, "name"));
		if (n && strcmp(n, name) == 0)
			return f;
	}
	return NULL;
}

/* The dictionary [{name, type, description, unit}] of the chosen fields:
 * each a public field of the resource, at most once. */
static json_t *
dictionary(const struct source *src, const struct opendata_field_in *fields, int n,
	   struct zt_err *err)
{
	json_t *dict = json_array();
	char f[32];

	for (int i = 0; i < n; i++) {
		json_t *rf = source_field(src, fields[i].name);
		snprintf(f, sizeof(f), "fields[%d]", i);
		if (rf == NULL) {
			err_set(err, ZT_EINVAL, f, "unknown_field", "the resource has no field %s",
				fields[i].name);
			goto fail;
		}
		const char *sens = json_string_value(json_object_get(rf, "sensitivity"));
		if (sens == NULL || strcmp(sens, "public") != 0) {
			err_set(err, ZT_EINVAL, f, "not_public",
				"the field %s is %s: only public fields may be opened",
				fields[i].name, sens ? sens : "unknown");
			goto fail;
		}
		for (int k = 0; k < i; k++)
			if (strcmp(fields[k].name, fields[i].name) == 0) {
				err_set(err, ZT_EINVAL, f, "duplicate",
					"the field %s is chosen twice", fields[i].name);
				goto fail;
			}
		const char *label = json_string_value(json_object_get(rf, "label"));
		json_array_append_new(
		    dict,
		    json_pack("{s:s, s:O, s:s, s:s}", "name", fields[i].name, "type",
			      json_object_get(rf, "type"), "description",
			      fields[i].description ? fields[i].description : (label ? label : ""),
			      "unit", fields[i].unit ? fields[i].unit : ""));
	}
	return dict;
fail:
	json_decref(dict);
	return NULL;
}

/* Version `version` of dataset id: the dictionary and a snapshot of the
 * resource's rows (only the dictionary's fields), in key order (bytes, on
 * both backends). */
static int
make_version(db_conn *c, struct pub_job *j, const struct source *src, json_t *dict, int64_t version,
	     struct zt_err *err)
{
	int64_t nrows, vid;
	int rc;

	db_stmt *s =
	    db_prepare(c, "SELECT count(*) FROM resource_rows WHERE resource_id = ?1", err);
	if (s == NULL)
		return err->code;
	db_bind_int(s, 1, src->id);
	rc = db_step(s, err);
	nrows = rc == DB_ROW ? db_col_int(s, 0) : 0;
	db_reset(s);
	if (rc < 0)
		return rc;
	if (nrows > OPENDATA_ROWS_MAX)
		return err_set(err, ZT_ERULE, "resource", "too_many_rows",
			       "the resource has %lld rows; a dataset holds at most %d",
			       (long long)nrows, OPENDATA_ROWS_MAX);
	char *fields = json_dumps(dict, JSON_COMPACT);
	s = db_prepare(c,
		       "INSERT INTO dataset_versions (dataset_id, version, fields, row_count,"
		       " published_at, published_by) VALUES (?1, ?2, ?3, ?4, ?5, ?6) RETURNING id",
		       err);
	if (s == NULL) {
		free(fields);
		return err->code;
	}
	db_bind_int(s, 1, j->id);
	db_bind_int(s, 2, version);
	db_bind_text(s, 3, fields);
	db_bind_int(s, 4, nrows);
	db_bind_int(s, 5, clock_now());
	db_bind_int(s, 6, j->by->user_id);
	rc = db_step_id(s, &vid, err);
	free(fields);
	if (rc < 0)
		return rc;

	int64_t copied = 0;
	if ((rc = opendata_rows_snapshot(c, vid, src->id, dict, &copied, err)) < 0)
		return rc;
	if (copied != nrows)
		return err_set(err, ZT_EINTERNAL, "", "db", "row count changed during snapshot");
	j->version = version;
	json_t *d = json_pack("{s:I, s:I, s:O}", "version", (json_int_t)version, "rows",
			      (json_int_t)nrows, "fields", dict);
	rc = audit_dataset(c, j->by->user_id,
			   version == 1 ? "dataset.publish" : "dataset.republish", j->id, d, err);
	json_decref(d);
	return rc;
}

static int
tx_publish(db_conn *c, void *arg, struct zt_err *err)
{
	struct pub_job *j = arg;
	const struct opendata_in *in = j->in;
	struct source src = {0};
	json_t *dict = NULL, *v;
	char *kw = NULL, *sp = NULL;
	size_t i;
	int rc;

	if ((rc = source_load(c, in->resource, 0, &src, err)) < 0)
		goto out;
	if ((rc = source_check(j->by, &src, err)) < 0)
		goto out;
	if ((dict = dictionary(&src, in->fields, in->nfields, err)) == NULL) {
		rc = err->code;
		goto out;
	}
	json_array_foreach(in->spatial, i, v)
	{
		if ((rc = org_region_exists(c, json_string_value(v), err)) < 0)
			goto out;
		if (rc == 0) {
			char f[32];
			snprintf(f, sizeof(f), "spatial[%zu]", i);
			rc = err_set(err, ZT_EINVAL, f, "unknown_region", "no region %s",
				     json_string_value(v));
			goto out;
		}
	}
	db_stmt *s = db_prepare(c, "SELECT 1 FROM datasets WHERE code = ?1", err);
	if (s == NULL) {
		rc = err->code;
		goto out;
	}
	db_bind_text(s, 1, in->code);
	rc = db_step(s, err);
	db_reset(s);
	if (rc < 0)
		goto out;
	if (rc == DB_ROW) {
		rc = err_set(err, ZT_ECONFLICT, "code", "taken", "the code %s is already in use",
			     in->code);
		goto out;
	}
	kw = json_dumps(in->keywords, JSON_COMPACT);
	sp = json_dumps(in->spatial, JSON_COMPACT);
	s = db_prepare(c,
		       "INSERT INTO datasets (code, resource_id, dept_id, title, description,"
		       " keywords, theme, license, update_frequency, temporal_from, temporal_to,"
		       " spatial, contact, issued_at, modified_at, status, current_version)"
		       " VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?14,'published',1)"
		       " RETURNING id",
		       err);
	if (s == NULL) {
		rc = err->code;
		goto out;
	}
	db_bind_text(s, 1, in->code);
	db_bind_int(s, 2, src.id);
	db_bind_int(s, 3, src.dept_id);
	db_bind_text(s, 4, in->title);
	db_bind_text(s, 5, in->description);
	db_bind_text(s, 6, kw);
	db_bind_text(s, 7, in->theme);
	db_bind_text(s, 8, in->license);
	db_bind_text(s, 9, in->update_frequency);
	db_bind_text(s, 10, in->temporal_from);
	db_bind_text(s, 11, in->temporal_to);
	db_bind_text(s, 12, sp);
	db_bind_text(s, 13, in->contact);
	db_bind_int(s, 14, clock_now());
	if ((rc = db_step_id(s, &j->id, err)) < 0)
		goto out;
	rc = make_version(c, j, &src, dict, 1, err);
out:
	free(kw);
	free(sp);
	json_decref(dict);
	json_decref(src.fields);
	return rc;
}

int
opendata_publish(const struct principal *by, const struct opendata_in *in, int64_t *id,
		 int64_t *version, struct zt_err *err)
{
	struct pub_job j = {by, in, 0, NULL, 0, NULL, 0};
	int rc;

	if ((rc = db_write(tx_publish, &j, err)) < 0)
		return rc;
	*id = j.id;
	*version = j.version;
	return 0;
}

struct dataset_row {
	int64_t resource_id, dept_id, current_version;
	char status[16];
};

static int
dataset_load(db_conn *c, int64_t id, struct dataset_row *d, struct zt_err *err)
{
	db_stmt *s = db_prepare(c,
				"SELECT resource_id, dept_id, current_version, status FROM datasets"
				" WHERE id = ?1",
				err);
	int rc;

	if (s == NULL)
		return err->code;
	db_bind_int(s, 1, id);
	rc = db_step(s, err);
	if (rc == DB_ROW) {
		d->resource_id = db_col_int(s, 0);
		d->dept_id = db_col_int(s, 1);
		d->current_version = db_col_int(s, 2);
		snprintf(d->status, sizeof(d->status), "%s", db_col_text(s, 3));
	}
	db_reset(s);
	if (rc < 0)
		return rc;
	if (rc != DB_ROW)
		return err_set(err, ZT_ENOTFOUND, "", "not_found", "no such dataset");
	return 0;
}

/* The dictionary of a version as publication input (pointers into dict). */
static int
fields_of(json_t *dict, struct opendata_field_in *out)
{
	size_t i;
	json_t *f;

	json_array_foreach(dict, i, f)
	{
		if (i >= RESOURCE_MAX_FIELDS)
			break;
		out[i].name = json_string_value(json_object_get(f, "name"));
		out[i].description = json_string_value(json_object_get(f, "description"));
		out[i].unit = json_string_value(json_object_get(f, "unit"));
		if (out[i].name == NULL)
			return -1;
	}
	return (int)(i < RESOURCE_MAX_FIELDS ? i : RESOURCE_MAX_FIELDS);
}

static int
tx_republish(db_conn *c, void *arg, struct zt_err *err)
{
	struct pub_job *j = arg;
	struct dataset_row d;
	struct source src = {0};
	struct opendata_field_in *cur = NULL;
	json_t *old = NULL, *dict = NULL;
	int rc;

	if ((rc = dataset_load(c, j->id, &d, err)) < 0)
		return rc;
	if (d.dept_id != j->by->dept_id)
		return err_set(err, ZT_EFORBIDDEN, "", "other_department",
			       "the dataset belongs to another department");
	if (strcmp(d.status, "published") != 0)
		return err_set(err, ZT_ECONFLICT, "", "withdrawn", "the dataset is withdrawn");
	if ((rc = source_load(c, NULL, d.resource_id, &src, err)) < 0)
		goto out;
	if ((rc = source_check(j->by, &src, err)) < 0)
		goto out;
	const struct opendata_field_in *fields = j->fields;
	int n = j->nfields;
	if (n == 0) {
		db_stmt *s = db_prepare(c,
					"SELECT fields FROM dataset_versions WHERE dataset_id = ?1"
					" AND version = ?2",
					err);
		if (s == NULL) {
			rc = err->code;
			goto out;
		}
		db_bind_int(s, 1, j->id);
		db_bind_int(s, 2, d.current_version);
		if ((rc = db_step(s, err)) == DB_ROW)
			old = json_loads(db_col_text(s, 0), 0, NULL);
		db_reset(s);
		if (rc < 0)
			goto out;
		cur = xcalloc(RESOURCE_MAX_FIELDS, sizeof(*cur));
		if (!json_is_array(old) || (n = fields_of(old, cur)) < 0) {
			rc = err_set(err, ZT_EINTERNAL, "", "corrupt", "bad stored dictionary");
			goto out;
		}
		fields = cur;
	}
	if ((dict = dictionary(&src, fields, n, err)) == NULL) {
		rc = err->code;
		goto out;
	}
	if ((rc = make_version(c, j, &src, dict, d.current_version + 1, err)) < 0)
		goto out;
	db_stmt *s = db_prepare(c,
				"UPDATE datasets SET current_version = ?2, modified_at = ?3"
				" WHERE id = ?1",
				err);
	if (s == NULL) {
		rc = err->code;
		goto out;
	}
	db_bind_int(s, 1, j->id);
	db_bind_int(s, 2, j->version);
	db_bind_int(s, 3, clock_now());
	rc = db_step(s, err);
	db_reset(s);
	rc = rc < 0 ? rc : 0;
out:
	json_decref(dict);
	json_decref(old);
	json_decref(src.fields);
	free(cur);
	return rc;
}

int
opendata_republish(const struct principal *by, int64_t id, const struct opendata_field_in *fields,
		   int nfields, int64_t *version, struct zt_err *err)
{
	struct pub_job j = {by, NULL, id, fields, nfields, NULL, 0};
	int rc;

	if ((rc = db_write(tx_republish, &j, err)) < 0)
		return rc;
	*version = j.version;
	return 0;
}

static int
tx_withdraw(db_conn *c, void *arg, struct zt_err *err)
{
	struct pub_job *j = arg;
	struct dataset_row d;
	int rc;

	if ((rc = dataset_load(c, j->id, &d, err)) < 0)
		return rc;
	if (d.dept_id != j->by->dept_id)
		return err_set(err, ZT_EFORBIDDEN, "", "other_department",
			       "the dataset belongs to another department");
	if (strcmp(d.status, "published") != 0)
		return err_set(err, ZT_ECONFLICT, "", "withdrawn", "the dataset is withdrawn");
	db_stmt *s = db_prepare(c,
				"UPDATE datasets SET status = 'withdrawn', withdrawn_at = ?2,"
				" withdraw_reason = ?3, modified_at = ?2 WHERE id = ?1",
				err);
	if (s == NULL)
		return err->code;
	db_bind_int(s, 1, j->id);
	db_bind_int(s, 2, clock_now());
	db_bind_text(s, 3, j->reason);
	rc = db_step(s, err);
	db_reset(s);
	if (rc < 0)
		return rc;
	json_t *data = json_pack("{s:s}", "reason", j->reason);
	rc = audit_dataset(c, j->by->user_id, "dataset.withdraw", j->id, data, err);
	json_decref(data);
	return rc;
}

int
opendata_withdraw(const struct principal *by, int64_t id, const char *reason, struct zt_err *err)
{
	struct pub_job j = {by, NULL, id, NULL, 0, reason, 0};

	return db_write(tx_withdraw, &j, err);
}

/* ---- catalog ---- */

static void
facet_add(json_t *facet, const char *key)
{
	json_t *n = json_object_get(facet, key);

	json_object_set_new(facet, key, json_integer(n ? json_integer_value(n) + 1 : 1));
}

static int
has_region(json_t *spatial, const char *region)
{
	size_t i;
	json_t *v;

	json_array_foreach(spatial, i, v)
	{
		if (json_is_string(v) && strcmp(json_string_value(v), region) == 0)
			return 1;
	}
	return 0;
}

/* The region facet {code: count} as [{code, name, count}]. */
static json_t *
region_facet(db_conn *c, json_t *counts, struct zt_err *err)
{
	json_t *out = json_array(), *cnt;
	const char *code;

	db_stmt *s = db_prepare(c, "SELECT name FROM regions WHERE code = ?1", err);
	if (s == NULL) {
		json_decref(out);
		return NULL;
	}
	json_object_foreach(counts, code, cnt)
	{
		db_bind_text(s, 1, code);
		int rc = db_step(s, err);
		json_array_append_new(out, json_pack("{s:s, s:s, s:O}", "code", code, "name",
						     rc == DB_ROW ? db_col_text(s, 0) : code,
						     "count", cnt));
		db_reset(s);
		if (rc < 0) {
			json_decref(out);
			return NULL;
		}
	}
	return out;
}

json_t *
opendata_search_json(db_conn *c, const struct opendata_query *q, struct zt_err *err)
{
	int64_t after = 0, last = 0, total = 0, now = clock_now();
	int n = 0, more = 0, rc;

	if (cursor_id(q->cursor, &after, err) < 0)
		return NULL;
	/* Substring search without LIKE (no escaping of % and _ needed). The
	 * facets count every match, so the whole match set is walked. */
	db_stmt *s = db_prepare(
	    c,
	    db_kind() == DB_PG
		? "SELECT d.id, d.code, d.title, d.description, d.keywords, d.theme, d.license,"
		  " d.update_frequency, d.spatial, d.dept_id, p.name, d.issued_at, d.modified_at,"
		  " d.current_version, d.temporal_from, d.temporal_to, v.fields, v.published_at,"
		  " v.row_count, d.query_count, d.download_count"
		  " FROM datasets d JOIN departments p ON p.id = d.dept_id"
		  " JOIN dataset_versions v ON v.dataset_id = d.id AND v.version = "
		  "d.current_version"
		  " WHERE d.status = 'published' AND (CAST(?1 AS TEXT) IS NULL"
		  " OR strpos(d.title, ?1) > 0 OR strpos(d.description, ?1) > 0"
		  " OR strpos(d.keywords, ?1) > 0) AND (?2 = 0 OR d.dept_id = ?2)"
		  " AND (CAST(?3 AS TEXT) IS NULL OR d.theme = ?3)"
		  " AND (CAST(?4 AS TEXT) IS NULL OR d.update_frequency = ?4) ORDER BY d.id"
		: "SELECT d.id, d.code, d.title, d.description, d.keywords, d.theme, d.license,"
		  " d.update_frequency, d.spatial, d.dept_id, p.name, d.issued_at, d.modified_at,"
		  " d.current_version, d.temporal_from, d.temporal_to, v.fields, v.published_at,"
		  " v.row_count, d.query_count, d.download_count"
		  " FROM datasets d JOIN departments p ON p.id = d.dept_id"
		  " JOIN dataset_versions v ON v.dataset_id = d.id AND v.version = "
		  "d.current_version"
		  " WHERE d.status = 'published' AND (?1 IS NULL"
		  " OR instr(d.title, ?1) > 0 OR instr(d.description, ?1) > 0"
		  " OR instr(d.keywords, ?1) > 0) AND (?2 = 0 OR d.dept_id = ?2)"
		  " AND (?3 IS NULL OR d.theme = ?3)"
		  " AND (?4 IS NULL OR d.update_frequency = ?4) ORDER BY d.id",
	    err);
	if (s == NULL)
		return NULL;
	db_bind_text(s, 1, q->q);
	db_bind_int(s, 2, q->dept_id);
	db_bind_text(s, 3, q->theme);
	db_bind_text(s, 4, q->update_frequency);
	json_t *items = json_array(), *fdept = json_object(), *ftheme = json_object(),
	       *fregion = json_object(), *ffreq = json_object(), *dnames = json_object();
	while ((rc = db_step(s, err)) == DB_ROW) {
		json_t *spatial = json_or(db_col_text(s, 8), json_array()), *v;
		size_t i;
		if (q->region && !has_region(spatial, q->region)) {
			json_decref(spatial);
			continue;
		}
		int64_t id = db_col_int(s, 0);
		char dept[24];
		snprintf(dept, sizeof(dept), "%lld", (long long)db_col_int(s, 9));
		total++;
		facet_add(fdept, dept);
		json_object_set_new(dnames, dept, json_string(db_col_text(s, 10)));
		facet_add(ftheme, db_col_text(s, 5));
		facet_add(ffreq, db_col_text(s, 7));
		json_array_foreach(spatial, i, v)
		{
			if (json_is_string(v))
				facet_add(fregion, json_string_value(v));
		}
		if (id <= after || more) {
			json_decref(spatial);
			continue;
		}
		if (n == q->limit) {
			more = 1;
			json_decref(spatial);
			continue;
		}
		last = id;
		n++;
		struct opendata_quality_in qi = {
		    .license = db_col_text(s, 6),
		    .description = db_col_text(s, 3),
		    .temporal_from = db_col_text(s, 14),
		    .temporal_to = db_col_text(s, 15),
		    .spatial = spatial,
		    .update_frequency = db_col_text(s, 7),
		    .modified_at = db_col_int(s, 12),
		    .published_at = db_col_int(s, 17),
		    .fields_text = db_col_text(s, 16),
		};
		int64_t nq = db_col_int(s, 19), nd = db_col_int(s, 20);
		opendata_count_pending(id, &nq, &nd);
		json_t *item = json_pack(
		    "{s:I, s:s, s:s, s:s, s:o, s:s, s:s, s:s, s:O, s:{s:I, s:s}, s:o, s:o, s:I}",
		    "id", (json_int_t)id, "code", db_col_text(s, 1), "title", db_col_text(s, 2),
		    "description", db_col_text(s, 3), "keywords",
		    json_or(db_col_text(s, 4), json_array()), "theme", db_col_text(s, 5), "license",
		    db_col_text(s, 6), "update_frequency", db_col_text(s, 7), "spatial", spatial,
		    "department", "id", (json_int_t)db_col_int(s, 9), "name", db_col_text(s, 10),
		    "issued_at", time_json(db_col_int(s, 11)), "modified_at",
		    time_json(db_col_int(s, 12)), "current_version", (json_int_t)db_col_int(s, 13));
		json_object_set_new(item, "row_count", json_integer(db_col_int(s, 18)));
		json_object_set_new(item, "query_count", json_integer(nq));
		json_object_set_new(item, "download_count", json_integer(nd));
		json_object_set_new(item, "formats", json_pack("[s, s]", "CSV", "JSON"));
		json_object_set_new(item, "quality_score",
				    json_integer(opendata_quality_score(&qi, now)));
		json_decref(spatial);
		json_array_append_new(items, item);
	}
	db_reset(s);
	/* dept facet: [{id, name, count}] */
	json_t *depts = json_array(), *cnt;
	const char *k;
	json_object_foreach(fdept, k, cnt)
	{
		json_array_append_new(depts, json_pack("{s:I, s:O, s:O}", "id",
						       (json_int_t)strtoll(k, NULL, 10), "name",
						       json_object_get(dnames, k), "count", cnt));
	}
	json_decref(fdept);
	json_decref(dnames);
	json_t *regions = rc < 0 ? NULL : region_facet(c, fregion, err);
	json_decref(fregion);
	if (rc < 0 || regions == NULL) {
		json_decref(items);
		json_decref(depts);
		json_decref(ftheme);
		json_decref(ffreq);
		return NULL;
	}
	json_t *page = page_json_id(items, more, last);
	json_object_set_new(page, "total", json_integer(total));
	/* Every dataset is offered in both formats. */
	json_t *fformat =
	    total ? json_pack("{s:I, s:I}", "CSV", (json_int_t)total, "JSON", (json_int_t)total)
		  : json_object();
	json_object_set_new(page, "facets",
			    json_pack("{s:o, s:o, s:o, s:o, s:o}", "dept", depts, "theme", ftheme,
				      "region", regions, "format", fformat, "update_frequency",
				      ffreq));
	return page;
}

json_t *
opendata_get_json(db_conn *c, int64_t id, struct zt_err *err)
{
	db_stmt *s = db_prepare(
	    c,
	    "SELECT d.id, d.code, d.title, d.description, d.keywords, d.theme, d.license,"
	    " d.update_frequency, d.temporal_from, d.temporal_to, d.spatial, d.contact, d.dept_id,"
	    " p.name, d.issued_at, d.modified_at, d.current_version, d.query_count,"
	    " d.download_count, r.code FROM datasets d JOIN departments p ON p.id = d.dept_id"
	    " JOIN data_resources r ON r.id = d.resource_id"
	    " WHERE d.id = ?1 AND d.status = 'published'",
	    err);
	json_t *o = NULL;
	int64_t current = 0;
	int rc;

	if (s == NULL)
		return NULL;
	db_bind_int(s, 1, id);
	if ((rc = db_step(s, err)) == DB_ROW) {
		current = db_col_int(s, 16);
		o = json_pack(
		    "{s:I, s:s, s:s, s:s, s:o, s:s, s:s, s:s, s:o, s:o, s:o, s:s, s:{s:I, s:s},"
		    " s:o, s:o, s:I, s:I, s:I, s:s, s:s}",
		    "id", (json_int_t)db_col_int(s, 0), "code", db_col_text(s, 1), "title",
		    db_col_text(s, 2), "description", db_col_text(s, 3), "keywords",
		    json_or(db_col_text(s, 4), json_array()), "theme", db_col_text(s, 5), "license",
		    db_col_text(s, 6), "update_frequency", db_col_text(s, 7), "temporal_from",
		    db_col_isnull(s, 8) ? json_null() : json_string(db_col_text(s, 8)),
		    "temporal_to",
		    db_col_isnull(s, 9) ? json_null() : json_string(db_col_text(s, 9)), "spatial",
		    json_or(db_col_text(s, 10), json_array()), "contact", db_col_text(s, 11),
		    "department", "id", (json_int_t)db_col_int(s, 12), "name", db_col_text(s, 13),
		    "issued_at", time_json(db_col_int(s, 14)), "modified_at",
		    time_json(db_col_int(s, 15)), "current_version", (json_int_t)current,
		    "query_count", (json_int_t)db_col_int(s, 17), "download_count",
		    (json_int_t)db_col_int(s, 18), "resource", db_col_text(s, 19), "status",
		    "published");
	}
	db_reset(s);
	if (rc != DB_ROW) {
		if (rc >= 0)
			err_set(err, ZT_ENOTFOUND, "", "not_found", "no such dataset");
		return NULL;
	}
	/* Counts not yet written (opendata_counts_flush) are counts too. */
	int64_t nq = json_integer_value(json_object_get(o, "query_count")),
		nd = json_integer_value(json_object_get(o, "download_count"));
	opendata_count_pending(id, &nq, &nd);
	json_object_set_new(o, "query_count", json_integer(nq));
	json_object_set_new(o, "download_count", json_integer(nd));
	json_object_set_new(o, "formats", json_pack("[s, s]", "CSV", "JSON"));
	json_t *quality = opendata_quality_json(c, id, clock_now(), err);
	if (quality == NULL) {
		json_decref(o);
		return NULL;
	}
	json_object_set_new(o, "quality", quality);
	s = db_prepare(c,
		       "SELECT version, fields, row_count, published_at FROM dataset_versions"
		       " WHERE dataset_id = ?1 ORDER BY version",
		       err);
	if (s == NULL) {
		json_decref(o);
		return NULL;
	}
	json_t *versions = json_array();
	db_bind_int(s, 1, id);
	while ((rc = db_step(s, err)) == DB_ROW) {
		int64_t v = db_col_int(s, 0);
		if (v == current)
			json_object_set_new(o, "fields", json_or(db_col_text(s, 1), json_array()));
		json_array_append_new(versions,
				      json_pack("{s:I, s:I, s:o}", "version", (json_int_t)v,
						"row_count", (json_int_t)db_col_int(s, 2),
						"published_at", time_json(db_col_int(s, 3))));
	}
	db_reset(s);
	json_object_set_new(o, "versions", versions);
	if (rc < 0) {
		json_decref(o);
		return NULL;
	}
	return o;
}
