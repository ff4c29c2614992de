/* xshare.c - cross-node sharing: requests and subscriptions, decisions,
 * the exchange through a remote grant and the provider's answer to it
 * (see xshare.h; the flow-back feed is in xshare_feed.c). */
#include "fed/xshare.h"
#include "fed/xshare_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/calendar.h"
#include "base/clock.h"
#include "base/log.h"
#include "base/page.h"
#include "base/xmalloc.h"
#include "crypto/fieldenc.h"
#include "domain/audit.h"
#include "domain/org.h"
#include "domain/resource.h"
#include "domain/share.h"
#include "domain/workcal.h"
#include "fed/client.h"
#include "fed/outbox.h"

#define SUB_PURPOSE "数据回流：属地数据下发"

/* ==== small helpers (shared with xshare_feed.c through xshare_int.h) ==== */

json_t *
xs_str(const char *s)
{
	return s ? json_string(s) : json_null();
}

json_t *
xs_col_text(db_stmt *s, int col)
{
	return db_col_isnull(s, col) ? json_null() : json_string(db_col_text(s, col));
}

json_t *
xs_col_time(db_stmt *s, int col)
{
	char t[32];

	if (db_col_isnull(s, col))
		return json_null();
	time_format(db_col_int(s, col), t);
	return json_string(t);
}

json_t *
xs_col_array(db_stmt *s, int col)
{
	json_t *v = db_col_isnull(s, col) ? NULL : json_loads(db_col_text(s, col), 0, NULL);

	return json_is_array(v) ? v : (json_decref(v), json_array());
}

int
xs_region_below(db_conn *c, const char *code, const char *root, struct zt_err *err)
{
	char cur[8];

	snprintf(cur, sizeof(cur), "%s", code);
	for (int depth = 0; depth < 8 && cur[0]; depth++) {
		if (strcmp(cur, root) == 0)
			return 1;
		db_stmt *s = db_prepare(c, "SELECT parent FROM regions WHERE code = ?1", err);
		if (s == NULL)
			return err->code;
		db_bind_text(s, 1, cur);
		int rc = db_step(s, err);
		if (rc == DB_ROW && !db_col_isnull(s, 0))
			snprintf(cur, sizeof(cur), "%s", db_col_text(s, 0));
		else
			cur[0] = '\0';
		db_reset(s);
		if (rc < 0)
			return rc;
	}
	return 0;
}

int
xs_region_name(db_conn *c, const char *code, char *out, size_t cap, struct zt_err *err)
{
	db_stmt *s = db_prepare(c, "SELECT name FROM regions WHERE code = ?1", err);

	if (s == NULL)
		return err->code;
	db_bind_text(s, 1, code);
	int rc = db_step(s, err);
	snprintf(out, cap, "%s", rc == DB_ROW ? db_col_text(s, 0) : code);
	db_reset(s);
	return rc < 0 ? rc : rc == DB_ROW;
}

int
xs_page_before(const char *cursor, int64_t *before, struct zt_err *err)
{
	*before = INT64_MAX;
	return cursor_id(cursor, before, err);
}

/* A valid region code: six digits. */
static int
code_ok(const char *s)
{
	return s && strlen(s) == 6 && strspn(s, "0123456789") == 6;
}

/* ==== consumer side: asking ==== */

/* The provider's catalog entry of code, read by a signed call. Fills m
 * (fields parsed) and returns the entry (new reference). */
static json_t *
remote_resource(const char *provider, const char *code, struct resource_meta *m, struct zt_err *err)
{
	json_t *body = json_pack("{s:s}", "code", code), *ans = NULL;
	long status;
	int rc = fed_call(provider, "POST", XSHARE_RESOURCE_PATH, body, &status, &ans, err);

	json_decref(body);
	if (rc == ZT_ENOTFOUND) {
		err_set(err, ZT_ERULE, "provider", "unknown_node", "no node of region %s is known",
			provider);
		return NULL;
	}
	if (rc < 0) {
		err_set(err, ZT_EUNAVAIL, "provider", "provider_unreachable",
			"the node of region %s cannot be reached now; try again later", provider);
		return NULL;
	}
	if (status == 404) {
		json_decref(ans);
		err_set(err, ZT_ERULE, "resource", "unknown_resource",
			"the node of region %s has no data resource %s", provider, code);
		return NULL;
	}
	json_t *fields = json_object_get(ans, "fields");
	char *text =
	    status == 200 && json_is_array(fields) ? json_dumps(fields, JSON_COMPACT) : NULL;
	memset(m, 0, sizeof(*m));
	if (text == NULL || resource_fields_parse(text, m) < 0 ||
	    !json_is_string(json_object_get(ans, "name"))) {
		free(text);
		json_decref(ans);
		err_set(err, ZT_EUNAVAIL, "provider", "provider_error",
			"the node of region %s answered HTTP %ld", provider, status);
		return NULL;
	}
	free(text);
	snprintf(m->code, sizeof(m->code), "%s", code);
	const char *rf = json_string_value(json_object_get(ans, "region_field"));
	snprintf(m->region_field, sizeof(m->region_field), "%s", rf ? rf : "");
	return ans;
}

/* Checks a subscription's regions against this node's region. */
static int
check_regions(db_conn *c, const char *self, json_t *regions, struct zt_err *err)
{
	size_t i;
	json_t *v;
	char f[32];

	json_array_foreach(regions, i, v)
	{
		const char *code = json_string_value(v);
		snprintf(f, sizeof(f), "regions[%zu]", i);
		if (!code_ok(code))
			return err_set(err, ZT_EINVAL, f, "format", "a region code is six digits");
		int rc = org_region_exists(c, code, err);
		if (rc < 0)
			return rc;
		if (rc == 0)
			return err_set(err, ZT_EINVAL, f, "unknown_region",
				       "no region has the code %s", code);
		for (size_t k = 0; k < i; k++)
			if (strcmp(json_string_value(json_array_get(regions, k)), code) == 0)
				return err_set(err, ZT_EINVAL, f, "duplicate", "%s is named twice",
					       code);
		if ((rc = xs_region_below(c, code, self, err)) < 0)
			return rc;
		if (rc == 0)
			return err_set(err, ZT_EFORBIDDEN, f, "outside_own_region",
				       "%s is not this node's region (%s) or below it", code, self);
	}
	return 0;
}

struct ask_job {
	const struct principal *by;
	const struct xshare_request_in *in;
	const char *resource_name, *provider_name;
	json_t *fields, *clear;
	char from[11];
	int64_t id;
};

static int
tx_ask(db_conn *c, void *arg, struct zt_err *err)
{
	struct ask_job *j = arg;
	const struct xshare_request_in *in = j->in;
	char dname[192] = "", dcode[24] = "", dregion[8] = "", obj[48];
	char *ftext = json_dumps(j->fields, JSON_COMPACT),
	     *ctext = json_dumps(j->clear, JSON_COMPACT);
	char *rtext = in->subscription ? json_dumps(in->regions, JSON_COMPACT) : NULL;
	const char *purpose = in->purpose ? in->purpose : SUB_PURPOSE;
	json_t *p = NULL;
	int rc;

	db_stmt *s = db_prepare(
	    c, "SELECT name, credit_code, region_code FROM departments WHERE id = ?1", err);
	if (s == NULL) {
		rc = err->code;
		goto out;
	}
	db_bind_int(s, 1, j->by->dept_id);
	if ((rc = db_step(s, err)) == DB_ROW) {
		snprintf(dname, sizeof(dname), "%s", db_col_text(s, 0));
		snprintf(dcode, sizeof(dcode), "%s", db_col_text(s, 1));
		snprintf(dregion, sizeof(dregion), "%s", db_col_text(s, 2));
	}
	db_reset(s);
	if (rc != DB_ROW) {
		rc =
		    rc < 0 ? rc : err_set(err, ZT_EFORBIDDEN, "", "no_department", "no department");
		goto out;
	}
	s = db_prepare(
	    c,
	    "INSERT INTO fed_share_requests (kind, consumer_dept, requested_by, provider_region,"
	    " resource_code, resource_name, provider_name, fields, clear_fields, purpose,"
	    " legal_basis, valid_from, valid_to, rate_limit, regions, submitted_at)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)"
	    " RETURNING id",
	    err);
	if (s == NULL) {
		rc = err->code;
		goto out;
	}
	db_bind_text(s, 1, in->subscription ? "subscription" : "request");
	db_bind_int(s, 2, j->by->dept_id);
	db_bind_int(s, 3, j->by->user_id);
	db_bind_text(s, 4, in->provider);
	db_bind_text(s, 5, in->resource);
	db_bind_text(s, 6, j->resource_name);
	db_bind_text(s, 7, j->provider_name);
	db_bind_text(s, 8, ftext);
	db_bind_text(s, 9, ctext);
	db_bind_text(s, 10, purpose);
	db_bind_text(s, 11, in->legal_basis ? in->legal_basis : "");
	db_bind_text(s, 12, in->subscription ? NULL : j->from);
	db_bind_text(s, 13, in->subscription ? NULL : in->valid_to);
	if (in->subscription)
		db_bind_null(s, 14);
	else
		db_bind_int(s, 14, in->rate_limit);
	db_bind_text(s, 15, rtext);
	db_bind_int(s, 16, clock_now());
	if ((rc = db_step_id(s, &j->id, err)) < 0)
		goto out;
	p = json_pack("{s:I, s:s, s:O, s:O, s:s, s:s, s:{s:s, s:s, s:s}, s:s}", "ref",
		      (json_int_t)j->id, "resource", in->resource, "fields", j->fields,
		      "clear_fields", j->clear, "purpose", purpose, "legal_basis",
		      in->legal_basis ? in->legal_basis : "", "consumer", "region", dregion, "name",
		      dname, "code", dcode, "requested_by", j->by->name);
	if (in->subscription)
		json_object_set(p, "regions", in->regions);
	else {
		json_object_set_new(p, "valid_from", json_string(j->from));
		json_object_set_new(p, "valid_to", json_string(in->valid_to));
		json_object_set_new(p, "rate_limit", json_integer(in->rate_limit));
	}
	if ((rc =
		 outbox_enqueue(c, in->provider, in->subscription ? "sub.request" : "share.request",
				p, NULL, err)) < 0)
		goto out;
	snprintf(obj, sizeof(obj), "fed_share_request:%lld", (long long)j->id);
	json_t *d =
	    json_pack("{s:s, s:s, s:s}", "kind", in->subscription ? "subscription" : "request",
		      "provider", in->provider, "resource", in->resource);
	rc = audit_append(c, j->by->user_id, "fed_share.request", obj, d, err);
	json_decref(d);
out:
	json_decref(p);
	free(ftext);
	free(ctext);
	free(rtext);
	return rc;
}

int
xshare_request(const struct principal *by, const struct xshare_request_in *in, json_t **out,
	       struct zt_err *err)
{
	struct resource_meta *m = xmalloc(sizeof(*m));
	struct ask_job j;
	json_t *entry = NULL;
	const char *self = fed_self();
	char today[11];
	int rc;

	memset(&j, 0, sizeof(j));
	*out = NULL;
	if (self[0] == '\0') {
		rc = err_set(err, ZT_EUNAVAIL, "", "not_initialised",
			     "this node has no federation identity (zhengtong node init)");
		goto out;
	}
	if (strcmp(in->provider, self) == 0) {
		rc = err_set(err, ZT_ERULE, "provider", "own_node",
			     "the provider is this node: use the local share requests");
		goto out;
	}
	db_conn *c = db_read_acquire();
	if (c == NULL) {
		rc = err_set(err, ZT_EUNAVAIL, "", "db", "no database connection");
		goto out;
	}
	rc = 0;
	if (in->subscription) {
		rc = xs_region_below(c, self, in->provider, err);
		if (rc == 0)
			rc = err_set(err, ZT_ERULE, "provider", "not_upper_node",
				     "flow-back comes from a node above this one (%s)", self);
		if (rc > 0)
			rc = check_regions(c, self, in->regions, err);
	}
	db_read_release(c);
	if (rc < 0)
		goto out;
	if ((entry = remote_resource(in->provider, in->resource, m, err)) == NULL) {
		rc = err->code;
		goto out;
	}
	if (in->subscription && m->region_field[0] == '\0') {
		rc = err_set(err, ZT_ERULE, "resource", "no_region_field",
			     "the resource names no region field: it cannot be filtered by region");
		goto out;
	}
	if (in->fields)
		j.fields = share_field_list(m, in->fields, NULL, "fields", err);
	else {
		j.fields = json_array();
		for (int i = 0; i < m->nfields; i++)
			json_array_append_new(j.fields, json_string(m->fields[i].name));
	}
	if (j.fields == NULL) {
		rc = err->code;
		goto out;
	}
	j.clear = in->clear_fields
		      ? share_field_list(m, in->clear_fields, j.fields, "clear_fields", err)
		      : json_array();
	if (j.clear == NULL) {
		rc = err->code;
		goto out;
	}
	if (!in->subscription) {
		int32_t d_from, d_to;
		clock_today(today);
		snprintf(j.from, sizeof(j.from), "%s", in->valid_from ? in->valid_from : today);
		if (date_parse(j.from, &d_from) < 0) {
			rc = err_set(err, ZT_EINVAL, "valid_from", "format", "days are YYYY-MM-DD");
			goto out;
		}
		if (date_parse(in->valid_to, &d_to) < 0) {
			rc = err_set(err, ZT_EINVAL, "valid_to", "format", "days are YYYY-MM-DD");
			goto out;
		}
		if (strcmp(in->valid_to, today) < 0) {
			rc = err_set(err, ZT_EINVAL, "valid_to", "past", "valid_to is in the past");
			goto out;
		}
		if (d_to < d_from) {
			rc = err_set(err, ZT_EINVAL, "valid_to", "range",
				     "valid_to is before valid_from");
			goto out;
		}
	}
	j.by = by;
	j.in = in;
	j.resource_name = json_string_value(json_object_get(entry, "name"));
	j.provider_name =
	    json_string_value(json_object_get(json_object_get(entry, "department"), "name"));
	if (j.provider_name == NULL)
		j.provider_name = "";
	if ((rc = db_write(tx_ask, &j, err)) < 0)
		goto out;
	c = db_read_acquire();
	*out = c ? xshare_request_get_json(c, by, j.id, err) : NULL;
	if (c)
		db_read_release(c);
	rc = *out ? 0 : err->code;
out:
	json_decref(entry);
	json_decref(j.fields);
	json_decref(j.clear);
	free(m);
	return rc;
}

/* ==== consumer side: lists ==== */

#define OUT_SELECT                                                                                 \
	"SELECT q.id, q.kind, q.state, q.provider_region, g.name, q.resource_code,"                \
	" q.resource_name, q.provider_name, q.consumer_dept, d.name, u.name, q.fields,"            \
	" q.clear_fields, q.purpose, q.legal_basis, q.valid_from, q.valid_to, q.rate_limit,"       \
	" q.regions, q.remote_id, q.reason, q.submitted_at, q.decided_at, q.revoked_at,"           \
	" q.feed_cursor, q.received, q.synced_at, q.sync_error, q.sync_error_at,"                  \
	" (SELECT count(*) FROM fed_rows x WHERE x.request_id = q.id)"                             \
	" FROM fed_share_requests q JOIN departments d ON d.id = q.consumer_dept"                  \
	" LEFT JOIN regions g ON g.code = q.provider_region"                                       \
	" LEFT JOIN users u ON u.id = q.requested_by"

static json_t *
out_json(db_stmt *s)
{
	int sub = strcmp(db_col_text(s, 1), "subscription") == 0;
	json_t *o = json_pack(
	    "{s:I, s:s, s:s, s:{s:s, s:o, s:s}, s:{s:s, s:s}, s:{s:I, s:s}, s:o, s:o, s:o, s:s,"
	    " s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:b}",
	    "id", (json_int_t)db_col_int(s, 0), "kind", db_col_text(s, 1), "state",
	    db_col_text(s, 2), "provider", "region", db_col_text(s, 3), "name", xs_col_text(s, 4),
	    "department", db_col_text(s, 7), "resource", "code", db_col_text(s, 5), "name",
	    db_col_text(s, 6), "consumer", "id", (json_int_t)db_col_int(s, 8), "name",
	    db_col_text(s, 9), "requested_by", xs_col_text(s, 10), "fields", xs_col_array(s, 11),
	    "clear_fields", xs_col_array(s, 12), "purpose", db_col_text(s, 13), "legal_basis",
	    db_col_text(s, 14), "valid_from", xs_col_text(s, 15), "valid_to", xs_col_text(s, 16),
	    "rate_limit", db_col_isnull(s, 17) ? json_null() : json_integer(db_col_int(s, 17)),
	    "regions", sub ? xs_col_array(s, 18) : json_null(), "remote_id",
	    db_col_isnull(s, 19) ? json_null() : json_integer(db_col_int(s, 19)), "reason",
	    xs_col_text(s, 20), "submitted_at", xs_col_time(s, 21), "decided_at",
	    xs_col_time(s, 22), "remote", 1);
	json_object_set_new(o, "revoked_at", xs_col_time(s, 23));
	if (sub)
		json_object_set_new(o, "sync",
				    json_pack("{s:I, s:I, s:I, s:o, s:o, s:o}", "cursor",
					      (json_int_t)db_col_int(s, 24), "received",
					      (json_int_t)db_col_int(s, 25), "rows",
					      (json_int_t)db_col_int(s, 29), "synced_at",
					      xs_col_time(s, 26), "error", xs_col_text(s, 27),
					      "error_at", xs_col_time(s, 28)));
	else
		json_object_set_new(o, "sync", json_null());
	return o;
}

json_t *
xshare_request_list_json(db_conn *c, const struct principal *by, const char *kind,
			 const char *state, int limit, const char *cursor, struct zt_err *err)
{
	int64_t before;

	if (xs_page_before(cursor, &before, err) < 0)
		return NULL;
	db_stmt *s = db_prepare(c,
				OUT_SELECT " WHERE q.consumer_dept = ?1 AND q.kind = ?2"
					   " AND (CAST(?3 AS TEXT) IS NULL OR q.state = ?3)"
					   " AND q.id < ?4 ORDER BY q.id DESC LIMIT ?5",
				err);
	if (s == NULL)
		return NULL;
	db_bind_int(s, 1, by->dept_id);
	db_bind_text(s, 2, kind);
	db_bind_text(s, 3, state);
	db_bind_int(s, 4, before);
	db_bind_int(s, 5, limit + 1);
	return share_page_rows(s, limit, out_json, err);
}

json_t *
xshare_request_get_json(db_conn *c, const struct principal *by, int64_t id, struct zt_err *err)
{
	json_t *o = NULL;
	db_stmt *s = db_prepare(c, OUT_SELECT " WHERE q.id = ?1", err);

	if (s == NULL)
		return NULL;
	db_bind_int(s, 1, id);
	int rc = db_step(s, err);
	if (rc == DB_ROW && db_col_int(s, 8) == by->dept_id)
		o = out_json(s);
	else if (rc == DB_ROW)
		err_set(err, ZT_EFORBIDDEN, "", "other_department",
			"the request belongs to another department");
	else if (rc == DB_DONE)
		err_set(err, ZT_ENOTFOUND, "", "not_found", "no such cross-node request");
	db_reset(s);
	return o;
}

/* ==== provider side: receiving ==== */

/* Queues the decision on incoming id (its row as it now stands) to the
 * consumer's node. */
static int
send_decision(db_conn *c, int64_t id, struct zt_err *err)
{
	db_stmt *s = db_prepare(
	    c,
	    "SELECT i.sender, i.remote_id, i.kind, i.status, i.fields, i.clear_fields,"
	    " i.valid_from, i.valid_to, i.rate_limit, i.reason, r.name, d.name, i.regions"
	    " FROM fed_share_incoming i JOIN data_resources r ON r.id = i.resource_id"
	    " JOIN departments d ON d.id = r.dept_id WHERE i.id = ?1",
	    err);
	char to[8] = "";
	int rc;

	if (s == NULL)
		return err->code;
	db_bind_int(s, 1, id);
	rc = db_step(s, err);
	json_t *p = NULL;
	int sub = 0;
	if (rc == DB_ROW) {
		snprintf(to, sizeof(to), "%s", db_col_text(s, 0));
		sub = strcmp(db_col_text(s, 2), "subscription") == 0;
		p = json_pack("{s:I, s:I, s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:s, s:s}", "ref",
			      (json_int_t)db_col_int(s, 1), "id", (json_int_t)id, "status",
			      db_col_text(s, 3), "fields", xs_col_array(s, 4), "clear_fields",
			      xs_col_array(s, 5), "valid_from", xs_col_text(s, 6), "valid_to",
			      xs_col_text(s, 7), "rate_limit",
			      db_col_isnull(s, 8) ? json_null() : json_integer(db_col_int(s, 8)),
			      "reason", xs_col_text(s, 9), "resource_name", db_col_text(s, 10),
			      "provider_name", db_col_text(s, 11));
	}
	db_reset(s);
	if (rc != DB_ROW)
		return rc < 0 ? rc
			      : err_set(err, ZT_EINTERNAL, "", "db", "incoming %lld vanished",
					(long long)id);
	rc = outbox_enqueue(c, to, sub ? "sub.decision" : "share.decision", p, NULL, err);
	json_decref(p);
	return rc;
}

/* A refusal of a request this node could not even record (unknown
 * resource or field): the consumer learns why. */
static int
send_refusal(db_conn *c, const char *to, int sub, int64_t ref, const char *reason,
	     struct zt_err *err)
{
	json_t *p = json_pack("{s:I, s:n, s:s, s:s}", "ref", (json_int_t)ref, "id", "status",
			      "refused", "reason", reason);
	int rc = outbox_enqueue(c, to, sub ? "sub.decision" : "share.decision", p, NULL, err);

	json_decref(p);
	return rc;
}

/* A text member of o, or NULL. */
static const char *
mstr(json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

static int
bad_payload(struct zt_err *err, const char *field)
{
	return err_set(err, ZT_EINVAL, field, "invalid", "the message's %s is missing or invalid",
		       field);
}

/* All members of a are strings. */
static int
strings(json_t *a, size_t max)
{
	size_t i;
	json_t *v;

	if (!json_is_array(a) || json_array_size(a) > max)
		return 0;
	json_array_foreach(a, i, v) if (!json_is_string(v)) return 0;
	return 1;
}

static int
on_request(db_conn *c, const char *sender, json_t *p, json_t *answer, int sub, struct zt_err *err)
{
	struct resource_meta *m = xmalloc(sizeof(*m));
	json_t *consumer = json_object_get(p, "consumer"), *fields = NULL, *clear = NULL;
	json_int_t ref = json_integer_value(json_object_get(p, "ref"));
	const char *code = mstr(p, "resource"), *purpose = mstr(p, "purpose");
	const char *basis = mstr(p, "legal_basis"), *from = mstr(p, "valid_from");
	const char *to = mstr(p, "valid_to"), *cregion = mstr(consumer, "region");
	const char *cname = mstr(consumer, "name"), *ccode = mstr(consumer, "code");
	const char *by = mstr(p, "requested_by");
	json_t *regions = json_object_get(p, "regions");
	json_int_t rate = json_integer_value(json_object_get(p, "rate_limit"));
	const char *self = fed_self(), *status = NULL, *reason = NULL;
	char *ftext = NULL, *ctext = NULL, *rtext = NULL, due[11] = "", obj[48];
	int32_t due_day = 0, d;
	int64_t id = 0, now = clock_now();
	int rc;

	/* The shape: wrong for good (the sender's node sent nonsense). */
	if (ref <= 0)
		rc = bad_payload(err, "ref");
	else if (code == NULL || strlen(code) >= RESOURCE_CODE_MAX)
		rc = bad_payload(err, "resource");
	else if (!strings(json_object_get(p, "fields"), RESOURCE_MAX_FIELDS) ||
		 json_array_size(json_object_get(p, "fields")) == 0)
		rc = bad_payload(err, "fields");
	else if (!strings(json_object_get(p, "clear_fields"), RESOURCE_MAX_FIELDS))
		rc = bad_payload(err, "clear_fields");
	else if (purpose == NULL || basis == NULL)
		rc = bad_payload(err, "purpose");
	else if (!code_ok(cregion) || cname == NULL || ccode == NULL || by == NULL)
		rc = bad_payload(err, "consumer");
	else if (sub && (!strings(regions, XSHARE_REGIONS_MAX) || json_array_size(regions) == 0))
		rc = bad_payload(err, "regions");
	else if (!sub && (from == NULL || to == NULL || date_parse(from, &d) < 0 ||
			  date_parse(to, &d) < 0 || rate < 1 || rate > SHARE_MAX_RATE))
		rc = bad_payload(err, "valid_to");
	else
		rc = 0;
	if (rc < 0)
		goto out;
	/* A node speaks for departments of its own region or below. */
	if ((rc = xs_region_below(c, cregion, sender, err)) < 0)
		goto out;
	if (rc == 0) {
		rc = err_set(err, ZT_EINVAL, "consumer", "not_senders_region",
			     "the consumer's region %s is not the sender's (%s) or below", cregion,
			     sender);
		goto out;
	}
	db_stmt *s = db_prepare(
	    c, "SELECT id, status FROM fed_share_incoming WHERE sender = ?1 AND remote_id = ?2",
	    err);
	if (s == NULL) {
		rc = err->code;
		goto out;
	}
	db_bind_text(s, 1, sender);
	db_bind_int(s, 2, ref);
	rc = db_step(s, err);
	if (rc == DB_ROW) /* recorded before under another message id */
		json_object_set_new(answer, "id", json_integer(db_col_int(s, 0)));
	db_reset(s);
	if (rc != DB_DONE) {
		rc = rc < 0 ? rc : 0;
		goto out;
	}
	if ((rc = resource_meta_load(c, 0, code, m, err)) == ZT_ENOTFOUND) {
		rc = send_refusal(c, sender, sub, ref, "unknown_resource", err);
		json_object_set_new(answer, "status", json_string("refused"));
		goto out;
	}
	if (rc < 0)
		goto out;
	struct zt_err ferr;
	err_clear(&ferr);
	fields = share_field_list(m, json_object_get(p, "fields"), NULL, "fields", &ferr);
	clear = fields ? share_field_list(m, json_object_get(p, "clear_fields"), fields,
					  "clear_fields", &ferr)
		       : NULL;
	if (clear == NULL) {
		rc = send_refusal(c, sender, sub, ref, "unknown_field", err);
		json_object_set_new(answer, "status", json_string("refused"));
		goto out;
	}
	/* The rules of local sharing, and for flow-back the tree. */
	if (strcmp(m->share_type, "none") == 0)
		reason = "not_shareable";
	else if (sub && m->region_field[0] == '\0')
		reason = "no_region_field";
	else if (sub) {
		rc = strcmp(sender, self) != 0 ? xs_region_below(c, sender, self, err) : 0;
		if (rc < 0)
			goto out;
		if (rc == 0)
			reason = "not_lower_node";
		size_t i;
		json_t *v;
		json_array_foreach(regions, i, v)
		{
			if (reason)
				break;
			if ((rc = xs_region_below(c, json_string_value(v), sender, err)) < 0)
				goto out;
			if (rc == 0)
				reason = "outside_region";
		}
	}
	status = reason					       ? "refused"
		 : strcmp(m->share_type, "unconditional") == 0 ? "approved"
							       : "pending";
	if (strcmp(status, "pending") == 0) {
		due_day = calendar_add_workdays(workcal(), date_of_time(now), SHARE_WORKDAYS);
		date_format(due_day, due);
	}
	ftext = json_dumps(fields, JSON_COMPACT);
	ctext = json_dumps(clear, JSON_COMPACT);
	rtext = sub ? json_dumps(regions, JSON_COMPACT) : NULL;
	s = db_prepare(
	    c,
	    "INSERT INTO fed_share_incoming (kind, sender, remote_id, resource_id, consumer_region,"
	    " consumer_name, consumer_code, requested_by, fields, clear_fields, purpose,"
	    " legal_basis, valid_from, valid_to, rate_limit, regions, status, submitted_at,"
	    " due_day, due_at, decided_at, reason, feed_salt) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7,"
	    " ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23)"
	    " RETURNING id",
	    err);
	if (s == NULL) {
		rc = err->code;
		goto out;
	}
	db_bind_text(s, 1, sub ? "subscription" : "request");
	db_bind_text(s, 2, sender);
	db_bind_int(s, 3, ref);
	db_bind_int(s, 4, m->id);
	db_bind_text(s, 5, cregion);
	db_bind_text(s, 6, cname);
	db_bind_text(s, 7, ccode);
	db_bind_text(s, 8, by);
	db_bind_text(s, 9, ftext);
	db_bind_text(s, 10, ctext);
	db_bind_text(s, 11, purpose);
	db_bind_text(s, 12, basis);
	db_bind_text(s, 13, sub ? NULL : from);
	db_bind_text(s, 14, sub ? NULL : to);
	if (sub)
		db_bind_null(s, 15);
	else
		db_bind_int(s, 15, rate);
	db_bind_text(s, 16, rtext);
	db_bind_text(s, 17, status);
	db_bind_int(s, 18, now);
	if (due_day) {
		db_bind_int(s, 19, due_day);
		db_bind_int(s, 20, workcal_end_of_day(due_day));
		db_bind_null(s, 21);
	} else {
		db_bind_null(s, 19);
		db_bind_null(s, 20);
		db_bind_int(s, 21, now);
	}
	db_bind_text(s, 22, reason);
	char salt[ENVELOPE_MSGID_LEN] = "";
	if (sub && (rc = envelope_new_id(salt, err)) < 0)
		goto out;
	db_bind_text(s, 23, sub ? salt : NULL);
	if ((rc = db_step_id(s, &id, err)) < 0)
		goto out;
	snprintf(obj, sizeof(obj), "fed_share_incoming:%lld", (long long)id);
	json_t *dd = json_pack("{s:s, s:s, s:s, s:s}", "kind", sub ? "subscription" : "request",
			       "sender", sender, "resource", m->code, "status", status);
	rc = audit_append(c, 0, "fed_share.received", obj, dd, err);
	json_decref(dd);
	if (rc == 0 && strcmp(status, "pending") != 0)
		rc = send_decision(c, id, err);
	if (rc == 0) {
		json_object_set_new(answer, "id", json_integer(id));
		json_object_set_new(answer, "status", json_string(status));
	}
out:
	free(ftext);
	free(ctext);
	free(rtext);
	json_decref(fields);
	json_decref(clear);
	free(m);
	return rc;
}

int
xshare_on_share_request(db_conn *c, const char *sender, json_t *payload, json_t *answer,
			struct zt_err *err)
{
	return on_request(c, sender, payload, answer, 0, err);
}

int
xshare_on_sub_request(db_conn *c, const char *sender, json_t *payload, json_t *answer,
		      struct zt_err *err)
{
	return on_request(c, sender, payload, answer, 1, err);
}

/* ==== consumer side: decisions ==== */

int
xshare_on_decision(db_conn *c, const char *sender, json_t *p, json_t *answer, struct zt_err *err)
{
	json_int_t ref = json_integer_value(json_object_get(p, "ref"));
	json_t *rid = json_object_get(p, "id");
	const char *status = mstr(p, "status"), *reason = mstr(p, "reason");
	char state[12] = "", provider[8] = "", obj[48];
	int rc;

	if (ref <= 0 || status == NULL || (!json_is_integer(rid) && !json_is_null(rid)))
		return bad_payload(err, "ref");
	db_stmt *s = db_prepare(
	    c, "SELECT provider_region, state FROM fed_share_requests WHERE id = ?1", err);
	if (s == NULL)
		return err->code;
	db_bind_int(s, 1, ref);
	rc = db_step(s, err);
	if (rc == DB_ROW) {
		snprintf(provider, sizeof(provider), "%s", db_col_text(s, 0));
		snprintf(state, sizeof(state), "%s", db_col_text(s, 1));
	}
	db_reset(s);
	if (rc < 0)
		return rc;
	if (rc != DB_ROW || strcmp(provider, sender) != 0)
		return err_set(err, ZT_EINVAL, "ref", "unknown_request",
			       "no request %lld was sent to region %s", (long long)ref, sender);
	const char *next = strcmp(status, "approved") == 0  ? "granted"
			   : strcmp(status, "refused") == 0 ? "refused"
			   : strcmp(status, "revoked") == 0 ? "revoked"
							    : NULL;
	if (next == NULL)
		return bad_payload(err, "status");
	/* Messages of one sender arrive in order; a decision that does not
	 * follow from the state (a repeat) changes nothing. */
	int ok = (strcmp(state, "pending") == 0 && strcmp(next, "revoked") != 0) ||
		 (strcmp(state, "granted") == 0 && strcmp(next, "revoked") == 0) ||
		 (strcmp(state, "pending") == 0 && strcmp(next, "revoked") == 0);
	json_object_set_new(answer, "state", json_string(ok ? next : state));
	if (!ok) {
		log_info("federation: decision %s on request %lld (%s) ignored", status,
			 (long long)ref, state);
		return 0;
	}
	int64_t now = clock_now();
	if (strcmp(next, "granted") == 0) {
		json_t *f = json_object_get(p, "fields"), *cl = json_object_get(p, "clear_fields");
		json_t *rl = json_object_get(p, "rate_limit");
		if (!strings(f, RESOURCE_MAX_FIELDS) || !strings(cl, RESOURCE_MAX_FIELDS) ||
		    !json_is_integer(rid))
			return bad_payload(err, "fields");
		char *ft = json_dumps(f, JSON_COMPACT), *ct = json_dumps(cl, JSON_COMPACT);
		s = db_prepare(
		    c,
		    "UPDATE fed_share_requests SET state = 'granted', remote_id = ?2,"
		    " fields = ?3, clear_fields = ?4, valid_from = coalesce(?5, valid_from),"
		    " valid_to = coalesce(?6, valid_to), rate_limit = coalesce(?7, rate_limit),"
		    " reason = ?8, decided_at = ?9,"
		    " resource_name = coalesce(?10, resource_name),"
		    " provider_name = coalesce(?11, provider_name) WHERE id = ?1",
		    err);
		if (s == NULL) {
			free(ft);
			free(ct);
			return err->code;
		}
		db_bind_int(s, 1, ref);
		db_bind_int(s, 2, json_integer_value(rid));
		db_bind_text(s, 3, ft);
		db_bind_text(s, 4, ct);
		db_bind_text(s, 5, mstr(p, "valid_from"));
		db_bind_text(s, 6, mstr(p, "valid_to"));
		if (json_is_integer(rl))
			db_bind_int(s, 7, json_integer_value(rl));
		else
			db_bind_null(s, 7);
		db_bind_text(s, 8, reason);
		db_bind_int(s, 9, now);
		db_bind_text(s, 10, mstr(p, "resource_name"));
		db_bind_text(s, 11, mstr(p, "provider_name"));
		rc = db_step(s, err);
		free(ft);
		free(ct);
	} else {
		s = db_prepare(c,
			       "UPDATE fed_share_requests SET state = ?2, reason = ?3,"
			       " remote_id = coalesce(?4, remote_id),"
			       " decided_at = coalesce(decided_at, ?5),"
			       " revoked_at = CASE WHEN ?2 = 'revoked' THEN ?5 ELSE revoked_at END"
			       " WHERE id = ?1",
			       err);
		if (s == NULL)
			return err->code;
		db_bind_int(s, 1, ref);
		db_bind_text(s, 2, next);
		db_bind_text(s, 3, reason);
		if (json_is_integer(rid))
			db_bind_int(s, 4, json_integer_value(rid));
		else
			db_bind_null(s, 4);
		db_bind_int(s, 5, now);
		rc = db_step(s, err);
	}
	if (rc < 0)
		return rc;
	snprintf(obj, sizeof(obj), "fed_share_request:%lld", (long long)ref);
	json_t *d = json_pack("{s:s, s:s, s:o}", "state", next, "provider", sender, "reason",
			      xs_str(reason));
	rc = audit_append(c, 0, "fed_share.decided", obj, d, err);
	json_decref(d);
	return rc;
}

/* ==== provider side: lists and decisions ==== */

#define IN_SELECT                                                                                  \
	"SELECT i.id, i.kind, i.status, i.sender, i.remote_id, i.resource_id, r.code, r.name,"     \
	" r.dept_id, dp.name, i.consumer_region, g.name, i.consumer_name, i.consumer_code,"        \
	" i.requested_by, i.fields, i.clear_fields, i.purpose, i.legal_basis, i.valid_from,"       \
	" i.valid_to, i.rate_limit, i.regions, i.submitted_at, i.due_day, i.decided_at,"           \
	" i.reason, i.revoked_at, n.name"                                                          \
	" FROM fed_share_incoming i JOIN data_resources r ON r.id = i.resource_id"                 \
	" JOIN departments dp ON dp.id = r.dept_id"                                                \
	" LEFT JOIN regions g ON g.code = i.consumer_region"                                       \
	" LEFT JOIN fed_nodes n ON n.region_code = i.sender"

static json_t *
in_json(db_stmt *s)
{
	const char *status = db_col_text(s, 2);
	int sub = strcmp(db_col_text(s, 1), "subscription") == 0;
	json_t *o = json_pack(
	    "{s:I, s:s, s:s, s:b, s:{s:s, s:o}, s:I, s:{s:I, s:s, s:s}, s:{s:I, s:s},"
	    " s:{s:n, s:s, s:s, s:{s:s, s:o}}, s:{s:s}, s:o, s:o, s:s, s:s, s:o, s:o, s:o, s:o,"
	    " s:o}",
	    "id", (json_int_t)db_col_int(s, 0), "kind", db_col_text(s, 1), "status", status,
	    "remote", 1, "node", "region", db_col_text(s, 3), "name", xs_col_text(s, 28),
	    "remote_id", (json_int_t)db_col_int(s, 4), "resource", "id",
	    (json_int_t)db_col_int(s, 5), "code", db_col_text(s, 6), "name", db_col_text(s, 7),
	    "provider", "id", (json_int_t)db_col_int(s, 8), "name", db_col_text(s, 9), "consumer",
	    "id", "name", db_col_text(s, 12), "code", db_col_text(s, 13), "region", "code",
	    db_col_text(s, 10), "name", xs_col_text(s, 11), "requested_by", "name",
	    db_col_text(s, 14), "fields", xs_col_array(s, 15), "clear_fields", xs_col_array(s, 16),
	    "purpose", db_col_text(s, 17), "legal_basis", db_col_text(s, 18), "valid_from",
	    xs_col_text(s, 19), "valid_to", xs_col_text(s, 20), "rate_limit",
	    db_col_isnull(s, 21) ? json_null() : json_integer(db_col_int(s, 21)), "regions",
	    sub ? xs_col_array(s, 22) : json_null(), "submitted_at", xs_col_time(s, 23));
	char due[11];
	if (!db_col_isnull(s, 24)) {
		date_format((int32_t)db_col_int(s, 24), due);
		json_object_set_new(o, "due", json_string(due));
	} else
		json_object_set_new(o, "due", json_null());
	if (!db_col_isnull(s, 24) && strcmp(status, "pending") == 0) {
		int left = workcal_remaining(clock_now(), (int32_t)db_col_int(s, 24));
		json_object_set_new(o, "remaining_workdays", json_integer(left));
		json_object_set_new(o, "overdue", json_boolean(left < 0));
	} else {
		json_object_set_new(o, "remaining_workdays", json_null());
		json_object_set_new(o, "overdue", json_false());
	}
	json_object_set_new(o, "decided_at", xs_col_time(s, 25));
	json_object_set_new(o, "reason", xs_col_text(s, 26));
	json_object_set_new(o, "revoked_at", xs_col_time(s, 27));
	return o;
}

json_t *
xshare_incoming_list_json(db_conn *c, const struct principal *by, const char *kind,
			  const char *status, int limit, const char *cursor, struct zt_err *err)
{
	int64_t before;

	if (xs_page_before(cursor, &before, err) < 0)
		return NULL;
	db_stmt *s =
	    db_prepare(c,
		       IN_SELECT " WHERE r.dept_id = ?1 AND (CAST(?2 AS TEXT) IS NULL OR"
				 " i.kind = ?2) AND (CAST(?3 AS TEXT) IS NULL OR"
				 " i.status = ?3) AND i.id < ?4 ORDER BY i.id DESC LIMIT ?5",
		       err);
	if (s == NULL)
		return NULL;
	db_bind_int(s, 1, by->dept_id);
	db_bind_text(s, 2, kind);
	db_bind_text(s, 3, status);
	db_bind_int(s, 4, before);
	db_bind_int(s, 5, limit + 1);
	return share_page_rows(s, limit, in_json, err);
}

json_t *
xshare_incoming_get_json(db_conn *c, const struct principal *by, int64_t id, struct zt_err *err)
{
	json_t *o = NULL;
	db_stmt *s = db_prepare(c, IN_SELECT " WHERE i.id = ?1", err);

	if (s == NULL)
		return NULL;
	db_bind_int(s, 1, id);
	int rc = db_step(s, err);
	if (rc == DB_ROW && db_col_int(s, 8) == by->dept_id)
		o = in_json(s);
	else if (rc == DB_ROW)
		err_set(err, ZT_EFORBIDDEN, "", "other_department",
			"the request concerns another department's resource");
	else if (rc == DB_DONE)
		err_set(err, ZT_ENOTFOUND, "", "not_found", "no such request from another node");
	db_reset(s);
	return o;
}

enum act { ACT_APPROVE, ACT_REFUSE, ACT_REVOKE };

struct act_job {
	const struct principal *by;
	int64_t id;
	enum act act;
	json_t *fields, *clear;
	const char *text;
};

static int
tx_act(db_conn *c, void *arg, struct zt_err *err)
{
	struct act_job *j = arg;
	struct resource_meta *m = xmalloc(sizeof(*m));
	json_t *req_fields = NULL, *req_clear = NULL, *fields = NULL, *clear = NULL;
	char status[12] = "", *ftext = NULL, *ctext = NULL, obj[48];
	int64_t rid = 0;
	int rc;

	db_stmt *s = db_prepare(c,
				"SELECT resource_id, status, fields, clear_fields FROM "
				"fed_share_incoming WHERE id = ?1",
				err);
	if (s == NULL) {
		rc = err->code;
		goto out;
	}
	db_bind_int(s, 1, j->id);
	rc = db_step(s, err);
	if (rc == DB_ROW) {
		rid = db_col_int(s, 0);
		snprintf(status, sizeof(status), "%s", db_col_text(s, 1));
		req_fields = xs_col_array(s, 2);
		req_clear = xs_col_array(s, 3);
	}
	db_reset(s);
	if (rc < 0)
		goto out;
	if (rc != DB_ROW) {
		rc = err_set(err, ZT_ENOTFOUND, "", "not_found",
			     "no such request from another node");
		goto out;
	}
	if ((rc = resource_meta_load(c, rid, NULL, m, err)) < 0)
		goto out;
	if (m->dept_id != j->by->dept_id) {
		rc = err_set(err, ZT_EFORBIDDEN, "", "other_department",
			     "only the provider decides on a request");
		goto out;
	}
	if (j->act == ACT_REVOKE && strcmp(status, "approved") != 0) {
		rc = err_set(err, ZT_ECONFLICT, "status", "not_active",
			     "only an approved request's grant can be revoked (it is %s)", status);
		goto out;
	}
	if (j->act != ACT_REVOKE && strcmp(status, "pending") != 0) {
		rc = err_set(err, ZT_ECONFLICT, "status", "already_decided",
			     "the request is already %s", status);
		goto out;
	}
	if (j->act == ACT_APPROVE) {
		if (strcmp(m->share_type, "none") == 0) {
			rc = err_set(err, ZT_ERULE, "", "not_shareable",
				     "the resource is now not shareable");
			goto out;
		}
		if ((rc = share_decide_fields(m, req_fields, req_clear, j->fields, j->clear,
					      &fields, &clear, err)) < 0)
			goto out;
		ftext = json_dumps(fields, JSON_COMPACT);
		ctext = json_dumps(clear, JSON_COMPACT);
	}
	s = db_prepare(
	    c,
	    j->act == ACT_REVOKE
		? "UPDATE fed_share_incoming SET status = 'revoked', revoked_at = ?3,"
		  " revoked_by = ?4, reason = ?5 WHERE id = ?1 AND status = ?2"
		: "UPDATE fed_share_incoming SET status = ?6, decided_at = ?3, decided_by = ?4,"
		  " reason = ?5, fields = coalesce(?7, fields),"
		  " clear_fields = coalesce(?8, clear_fields) WHERE id = ?1 AND status = ?2",
	    err);
	if (s == NULL) {
		rc = err->code;
		goto out;
	}
	db_bind_int(s, 1, j->id);
	db_bind_text(s, 2, status);
	db_bind_int(s, 3, clock_now());
	db_bind_int(s, 4, j->by->user_id);
	db_bind_text(s, 5, j->text);
	if (j->act != ACT_REVOKE) {
		db_bind_text(s, 6, j->act == ACT_APPROVE ? "approved" : "refused");
		db_bind_text(s, 7, ftext);
		db_bind_text(s, 8, ctext);
	}
	if ((rc = db_step(s, err)) < 0)
		goto out;
	if (db_changes(c) != 1) {
		rc = err_set(err, ZT_ECONFLICT, "status", "already_decided",
			     "the request was decided meanwhile");
		goto out;
	}
	snprintf(obj, sizeof(obj), "fed_share_incoming:%lld", (long long)j->id);
	static const char *const actions[] = {"fed_share.approve", "fed_share.refuse",
					      "fed_share.revoke"};
	json_t *d = json_pack("{s:o}", "text", xs_str(j->text));
	rc = audit_append(c, j->by->user_id, actions[j->act], obj, d, err);
	json_decref(d);
	if (rc == 0)
		rc = send_decision(c, j->id, err);
out:
	free(ftext);
	free(ctext);
	json_decref(req_fields);
	json_decref(req_clear);
	json_decref(fields);
	json_decref(clear);
	free(m);
	return rc;
}

int
xshare_approve(const struct principal *by, int64_t id, json_t *fields, json_t *clear_fields,
	       const char *comment, struct zt_err *err)
{
	struct act_job j = {by, id, ACT_APPROVE, fields, clear_fields, comment};

	if (fields && json_array_size(fields) == 0)
		return err_set(err, ZT_EINVAL, "fields", "required", "grant at least one field");
	return db_write(tx_act, &j, err);
}

int
xshare_refuse(const struct principal *by, int64_t id, const char *reason, struct zt_err *err)
{
	struct act_job j = {by, id, ACT_REFUSE, NULL, NULL, reason};

	return db_write(tx_act, &j, err);
}

int
xshare_revoke(const struct principal *by, int64_t id, const char *reason, struct zt_err *err)
{
	struct act_job j = {by, id, ACT_REVOKE, NULL, NULL, reason};

	return db_write(tx_act, &j, err);
}

/* ==== provider side: the signed calls ==== */

int
xshare_serve_resource(db_conn *c, const struct envelope *e, json_t *body, json_t **out,
		      struct zt_err *err)
{
	const char *code = mstr(body, "code");

	(void)e;
	*out = NULL;
	if (code == NULL || strlen(code) >= RESOURCE_CODE_MAX)
		return err_set(err, ZT_EINVAL, "code", "required", "the resource's code");
	db_stmt *s = db_prepare(
	    c,
	    "SELECT r.code, r.name, r.summary, d.name, r.fields, r.key_field, r.subject_field,"
	    " r.region_field, r.share_type, r.share_conditions, r.legal_basis, r.update_cycle,"
	    " r.row_count FROM data_resources r JOIN departments d ON d.id = r.dept_id"
	    " WHERE r.code = ?1",
	    err);
	if (s == NULL)
		return err->code;
	db_bind_text(s, 1, code);
	int rc = db_step(s, err);
	if (rc == DB_ROW) {
		json_t *fields = json_loads(db_col_text(s, 4), 0, NULL);
		*out = json_pack("{s:s, s:s, s:s, s:{s:s}, s:o, s:s, s:o, s:o, s:s, s:s, s:s, s:s,"
				 " s:I, s:s}",
				 "code", db_col_text(s, 0), "name", db_col_text(s, 1), "summary",
				 db_col_text(s, 2), "department", "name", db_col_text(s, 3),
				 "fields", fields ? fields : json_array(), "key_field",
				 db_col_text(s, 5), "subject_field", xs_col_text(s, 6),
				 "region_field", xs_col_text(s, 7), "share_type", db_col_text(s, 8),
				 "share_conditions", db_col_text(s, 9), "legal_basis",
				 db_col_text(s, 10), "update_cycle", db_col_text(s, 11),
				 "row_count", (json_int_t)db_col_int(s, 12), "region", fed_self());
	}
	db_reset(s);
	if (rc < 0)
		return rc;
	if (rc != DB_ROW)
		return err_set(err, ZT_ENOTFOUND, "code", "unknown_resource",
			       "no data resource has the code %s", code);
	return 0;
}

void
xs_grant_free(struct xs_grant *g)
{
	free(g->fields);
	free(g->clear);
	free(g->purpose);
	free(g->regions);
	free(g->res_fields);
	free(g->m);
	g->fields = g->clear = g->purpose = g->regions = g->res_fields = NULL;
	g->m = NULL;
}

int
xs_grant_load(db_conn *c, const char *sender, int64_t id, int sub, struct xs_grant *g,
	      struct zt_err *err)
{
	memset(g, 0, sizeof(*g));
	db_stmt *s = db_prepare(
	    c,
	    "SELECT i.kind, i.sender, i.status, i.valid_from, i.valid_to, i.rate_limit, i.fields,"
	    " i.clear_fields, i.purpose, i.regions, i.resource_id, r.fields, i.feed_salt"
	    " FROM fed_share_incoming i JOIN data_resources r ON r.id = i.resource_id"
	    " WHERE i.id = ?1",
	    err);
	if (s == NULL)
		return err->code;
	db_bind_int(s, 1, id);
	int rc = db_step(s, err);
	int mine = rc == DB_ROW && strcmp(db_col_text(s, 1), sender) == 0 &&
		   strcmp(db_col_text(s, 0), sub ? "subscription" : "request") == 0;
	if (mine) {
		g->id = id;
		snprintf(g->status, sizeof(g->status), "%s", db_col_text(s, 2));
		snprintf(g->from, sizeof(g->from), "%s",
			 db_col_isnull(s, 3) ? "" : db_col_text(s, 3));
		snprintf(g->to, sizeof(g->to), "%s", db_col_isnull(s, 4) ? "" : db_col_text(s, 4));
		g->rate_limit = db_col_isnull(s, 5) ? 0 : (int)db_col_int(s, 5);
		g->fields = xstrdup(db_col_text(s, 6));
		g->clear = xstrdup(db_col_text(s, 7));
		g->purpose = xstrdup(db_col_text(s, 8));
		g->regions = db_col_isnull(s, 9) ? NULL : xstrdup(db_col_text(s, 9));
		g->resource_id = db_col_int(s, 10);
		g->res_fields = xstrdup(db_col_text(s, 11));
		snprintf(g->salt, sizeof(g->salt), "%s",
			 db_col_isnull(s, 12) ? "" : db_col_text(s, 12));
	}
	db_reset(s);
	if (rc < 0)
		return rc;
	if (!mine)
		return err_set(err, ZT_EFORBIDDEN, "", "not_granted", "your node holds no such %s",
			       sub ? "subscription" : "grant");
	g->m = xmalloc(sizeof(*g->m));
	if ((rc = resource_meta_load(c, g->resource_id, NULL, g->m, err)) < 0) {
		xs_grant_free(g);
		return rc;
	}
	if (strcmp(g->status, "revoked") == 0) {
		rc = err_set(err, ZT_EFORBIDDEN, "", sub ? "subscription_revoked" : "grant_revoked",
			     "the %s was revoked", sub ? "subscription" : "grant");
	} else if (strcmp(g->status, "approved") != 0) {
		rc = err_set(err, ZT_EFORBIDDEN, "", "not_granted", "the %s is %s",
			     sub ? "subscription" : "request", g->status);
	} else if (!sub) {
		char today[11];
		clock_today(today);
		if (strcmp(today, g->from) < 0)
			rc = err_set(err, ZT_EFORBIDDEN, "", "grant_not_started",
				     "the grant is valid from %s", g->from);
		else if (strcmp(today, g->to) > 0)
			rc = err_set(err, ZT_EFORBIDDEN, "", "grant_expired",
				     "the grant ended on %s", g->to);
	}
	if (rc < 0)
		xs_grant_free(g);
	return rc;
}

struct share_plan *
xs_grant_plan(const struct xs_grant *g)
{
	return share_plan_new(g->resource_id, g->m->code, g->res_fields, g->m->key_field,
			      g->m->subject_field[0] ? g->m->subject_field : NULL, g->fields,
			      g->clear);
}

static int
record_served(db_conn *c, const struct envelope *e, const struct xs_served *v, int64_t *id,
	      struct zt_err *err)
{
	char obj[48];
	int rc;

	if ((rc = envelope_mark_seen(c, e, err)) < 0)
		return rc;
	snprintf(obj, sizeof(obj), "fed_share_incoming:%lld", (long long)v->incoming_id);
	json_t *d = json_pack("{s:s, s:s, s:s, s:i, s:s}", "kind", v->kind, "node", e->sender,
			      "query", v->query, "rows", v->rows, "by", v->by);
	rc = audit_append(c, 0, "fed_share.serve", obj, d, err);
	json_decref(d);
	if (rc < 0)
		return rc;
	db_stmt *s = db_prepare(
	    c,
	    "INSERT INTO fed_share_served (at, incoming_id, resource_id, kind, by_name, purpose,"
	    " query, rows, audit_seq) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8,"
	    " (SELECT seq FROM audit_head WHERE id = 1)) RETURNING id",
	    err);
	if (s == NULL)
		return err->code;
	db_bind_int(s, 1, clock_now());
	db_bind_int(s, 2, v->incoming_id);
	db_bind_int(s, 3, v->resource_id);
	db_bind_text(s, 4, v->kind);
	db_bind_text(s, 5, v->by);
	db_bind_text(s, 6, v->purpose);
	db_bind_text(s, 7, v->query);
	db_bind_int(s, 8, v->rows);
	if ((rc = db_step_id(s, id, err)) < 0)
		return rc;
	for (int i = 0; i < v->nsubjects; i++) {
		s = db_prepare(c,
			       "INSERT INTO fed_share_served_subjects (subject, served_id)"
			       " VALUES (?1, ?2) ON CONFLICT DO NOTHING",
			       err);
		if (s == NULL)
			return err->code;
		db_bind_text(s, 1, v->subjects[i]);
		db_bind_int(s, 2, *id);
		if ((rc = db_step(s, err)) < 0)
			return rc;
	}
	return 0;
}

struct served_job {
	const struct envelope *e;
	const struct xs_served *v;
	int64_t id;
};

static int
tx_served(db_conn *c, void *arg, struct zt_err *err)
{
	struct served_job *j = arg;

	return record_served(c, j->e, j->v, &j->id, err);
}

int
xs_write_served(const struct envelope *e, const struct xs_served *v, int64_t *id,
		struct zt_err *err)
{
	struct served_job j = {e, v, 0};
	int rc = db_write(tx_served, &j, err);

	*id = j.id;
	return rc;
}

int
xshare_serve_fetch(db_conn *c, const struct envelope *e, json_t *body, json_t **out,
		   int *retry_after, struct zt_err *err)
{
	json_int_t gid = json_integer_value(json_object_get(body, "grant"));
	const char *key = mstr(body, "key"), *by = mstr(body, "by");
	struct xs_grant g;
	struct share_plan *plan = NULL;
	json_t *row = NULL;
	char subject[FIELDENC_IDX_LEN] = "", query[RESOURCE_KEY_MAX + 8];
	char skey[RESOURCE_KEY_MAX];
	const char *subjects[1] = {subject};
	int bad = 0;
	int rc;

	*out = NULL;
	if (gid <= 0)
		return err_set(err, ZT_EINVAL, "grant", "required", "the grant's id at this node");
	if (key == NULL || *key == '\0' || strlen(key) >= RESOURCE_KEY_MAX)
		return err_set(err, ZT_EINVAL, "key", "required", "a row key of 1 to %d bytes",
			       RESOURCE_KEY_MAX - 1);
	if (by == NULL || strlen(by) > 200)
		return err_set(err, ZT_EINVAL, "by", "required", "who reads (a name)");
	if ((rc = xs_grant_load(c, e->sender, gid, 0, &g, err)) < 0)
		return rc;
	int wait = share_rate_take(-gid, g.rate_limit);
	if (wait > 0) {
		*retry_after = wait;
		rc = err_set(err, ZT_ELIMIT, "", "rate_limited",
			     "the grant allows %d calls a minute; retry in %d s", g.rate_limit,
			     wait);
		goto out;
	}
	if ((plan = xs_grant_plan(&g)) == NULL) {
		rc = err_set(err, ZT_EINTERNAL, "", "corrupt", "grant %lld unreadable",
			     (long long)gid);
		goto out;
	}
	db_stmt *s = db_prepare(
	    c, "SELECT subject, data FROM resource_rows WHERE resource_id = ?1 AND key = ?2", err);
	if (s == NULL) {
		rc = err->code;
		goto out;
	}
	/* A personal key is stored as its blind index (crypto/fieldenc.h). */
	resource_key_stored(resource_key_is_personal(g.m), key, skey);
	db_bind_int(s, 1, g.resource_id);
	db_bind_text(s, 2, skey);
	rc = db_step(s, err);
	if (rc == DB_ROW) {
		if (!db_col_isnull(s, 0))
			snprintf(subject, sizeof(subject), "%s", db_col_text(s, 0));
		row = share_plan_render(plan, db_col_text(s, 1));
		bad = row == NULL;
	}
	db_reset(s);
	if (rc < 0)
		goto out;
	if (bad) {
		rc = err_set(err, ZT_EINTERNAL, "", "integrity",
			     "a stored row failed its integrity check; it is not shown");
		goto out;
	}
	char *qk = fieldenc_scrub(key);
	snprintf(query, sizeof(query), "key=%s", qk);
	free(qk);
	struct xs_served v = {gid,	   g.resource_id, "fetch",	     by, g.purpose, query,
			      row ? 1 : 0, subjects,	  subject[0] ? 1 : 0};
	int64_t served;
	if ((rc = xs_write_served(e, &v, &served, err)) < 0)
		goto out;
	if (row == NULL) {
		rc = err_set(err, ZT_ENOTFOUND, "key", "not_found", "no row with this key");
		goto out;
	}
	*out = json_pack("{s:I, s:s, s:O, s:I, s:s}", "grant", (json_int_t)gid, "resource",
			 g.m->code, "row", row, "served", (json_int_t)served, "purpose", g.purpose);
	rc = 0;
out:
	json_decref(row);
	share_plan_free(plan);
	xs_grant_free(&g);
	return rc;
}

/* ==== consumer side: the exchange ==== */

struct access_job {
	int64_t request_id, dept, user_id, key_id, remote;
	const char *purpose, *query, *fields;
	int rows;
	int64_t id;
};

static int
tx_access(db_conn *c, void *arg, struct zt_err *err)
{
	struct access_job *j = arg;
	char obj[48];
	int rc;

	snprintf(obj, sizeof(obj), "fed_share_request:%lld", (long long)j->request_id);
	json_t *d = json_pack("{s:s, s:i}", "query", j->query, "rows", j->rows);
	if (j->key_id)
		json_object_set_new(d, "api_key", json_integer(j->key_id));
	rc = audit_append(c, j->user_id, "fed_share.access", obj, d, err);
	json_decref(d);
	if (rc < 0)
		return rc;
	db_stmt *s = db_prepare(
	    c,
	    "INSERT INTO fed_share_access (at, request_id, consumer_dept, user_id, api_key_id,"
	    " purpose, query, fields, rows, remote_access_id, audit_seq) VALUES (?1, ?2, ?3, ?4,"
	    " ?5, ?6, ?7, ?8, ?9, ?10, (SELECT seq FROM audit_head WHERE id = 1)) RETURNING id",
	    err);
	if (s == NULL)
		return err->code;
	db_bind_int(s, 1, clock_now());
	db_bind_int(s, 2, j->request_id);
	db_bind_int(s, 3, j->dept);
	if (j->user_id)
		db_bind_int(s, 4, j->user_id);
	else
		db_bind_null(s, 4);
	if (j->key_id)
		db_bind_int(s, 5, j->key_id);
	else
		db_bind_null(s, 5);
	db_bind_text(s, 6, j->purpose);
	db_bind_text(s, 7, j->query);
	db_bind_text(s, 8, j->fields);
	db_bind_int(s, 9, j->rows);
	if (j->remote)
		db_bind_int(s, 10, j->remote);
	else
		db_bind_null(s, 10);
	return db_step_id(s, &j->id, err);
}

/* The reason of a problem+json answer (its first field error's, or its
 * own), borrowed from j. */
const char *
xs_problem_reason(json_t *j)
{
	const char *r = json_string_value(
	    json_object_get(json_array_get(json_object_get(j, "errors"), 0), "reason"));
	const char *t = json_string_value(json_object_get(j, "type"));
	if (r == NULL && t && strncmp(t, "/problems/", 10) == 0)
		r = t + 10;
	return r;
}

int
xshare_exchange(const struct principal *by, int64_t id, const char *key, json_t **out,
		int *retry_after, struct zt_err *err)
{
	char provider[8] = "", state[12] = "", code[RESOURCE_CODE_MAX] = "", who[200];
	char purpose[600] = "", query[RESOURCE_KEY_MAX + 8];
	int64_t dept = 0, remote = 0;
	json_t *ans = NULL;
	long status = 0;
	int rc;

	*out = NULL;
	db_conn *c = db_read_acquire();
	if (c == NULL)
		return err_set(err, ZT_EUNAVAIL, "", "db", "no database connection");
	db_stmt *s = db_prepare(c,
				"SELECT consumer_dept, provider_region, state, resource_code,"
				" remote_id, purpose FROM fed_share_requests"
				" WHERE id = ?1 AND kind = 'request'",
				err);
	if (s == NULL) {
		db_read_release(c);
		return err->code;
	}
	db_bind_int(s, 1, id);
	rc = db_step(s, err);
	if (rc == DB_ROW) {
		dept = db_col_int(s, 0);
		snprintf(provider, sizeof(provider), "%s", db_col_text(s, 1));
		snprintf(state, sizeof(state), "%s", db_col_text(s, 2));
		snprintf(code, sizeof(code), "%s", db_col_text(s, 3));
		remote = db_col_isnull(s, 4) ? 0 : db_col_int(s, 4);
		snprintf(purpose, sizeof(purpose), "%s", db_col_text(s, 5));
	}
	db_reset(s);
	db_read_release(c);
	if (rc < 0)
		return rc;
	if (rc != DB_ROW || dept != by->dept_id ||
	    (by->kind != KIND_OFFICIAL && by->kind != KIND_SYSTEM))
		return err_set(err, ZT_EFORBIDDEN, "grant", "not_granted",
			       "your department holds no such grant");
	if (strcmp(state, "revoked") == 0)
		return err_set(err, ZT_EFORBIDDEN, "grant", "grant_revoked",
			       "the provider revoked the grant");
	if (strcmp(state, "granted") != 0)
		return err_set(err, ZT_EFORBIDDEN, "grant", "not_granted",
			       "the request is %s, not granted", state);
	if (by->kind == KIND_SYSTEM)
		snprintf(who, sizeof(who), "system: %s", by->name);
	else
		snprintf(who, sizeof(who), "%s", by->name);
	json_t *body = json_pack("{s:I, s:I, s:s, s:s}", "grant", (json_int_t)remote, "ref",
				 (json_int_t)id, "key", key, "by", who);
	rc = fed_call(provider, "POST", XSHARE_FETCH_PATH, body, &status, &ans, err);
	json_decref(body);
	if (rc < 0) {
		rc = err_set(err, ZT_EUNAVAIL, "", "provider_unreachable",
			     "the provider's node (%s) cannot be reached now; try again later",
			     provider);
		goto out;
	}
	if (status != 200 && status != 404) {
		const char *reason = ans ? xs_problem_reason(ans) : NULL;
		const char *detail = ans ? json_string_value(json_object_get(ans, "detail")) : NULL;
		if (status == 429) {
			*retry_after = 60;
			rc = err_set(err, ZT_ELIMIT, "", "rate_limited", "%s",
				     detail ? detail : "the grant's rate is used up");
		} else if (status == 403)
			rc = err_set(err, ZT_EFORBIDDEN, "grant", reason ? reason : "not_granted",
				     "the provider refused: %s", detail ? detail : "");
		else
			rc = err_set(err, ZT_EUNAVAIL, "", "provider_error",
				     "the provider's node answered HTTP %ld%s%s", status,
				     detail ? ": " : "", detail ? detail : "");
		goto out;
	}
	json_t *row = status == 200 ? json_object_get(ans, "row") : NULL;
	if (status == 200 && !json_is_object(row)) {
		rc = err_set(err, ZT_EUNAVAIL, "", "provider_error",
			     "the provider's answer holds no row");
		goto out;
	}
	json_t *fnames = json_array();
	const char *k;
	json_t *v;
	json_object_foreach(row, k, v)
	{
		json_array_append_new(fnames, json_string(k));
	}
	char *ftext = json_dumps(fnames, JSON_COMPACT);
	json_decref(fnames);
	char *qk = fieldenc_scrub(key);
	snprintf(query, sizeof(query), "key=%s", qk);
	free(qk);
	struct access_job j = {id,
			       dept,
			       by->kind == KIND_SYSTEM ? 0 : by->user_id,
			       by->kind == KIND_SYSTEM ? by->key_id : 0,
			       json_integer_value(json_object_get(ans, "served")),
			       purpose,
			       query,
			       ftext,
			       row ? 1 : 0,
			       0};
	rc = db_write(tx_access, &j, err);
	free(ftext);
	if (rc < 0)
		goto out;
	if (row == NULL) {
		rc = err_set(err, ZT_ENOTFOUND, "key", "not_found",
			     "the provider has no row with this key");
		goto out;
	}
	*out = json_pack("{s:I, s:s, s:s, s:O, s:I}", "grant", (json_int_t)id, "provider", provider,
			 "resource", code, "row", row, "access", (json_int_t)j.id);
	rc = 0;
out:
	json_decref(ans);
	return rc;
}

/* ==== access lists ==== */

static json_t *
access_json(db_stmt *s)
{
	json_t *by = !db_col_isnull(s, 7)   ? json_string(db_col_text(s, 7))
		     : !db_col_isnull(s, 8) ? json_sprintf("system: %s", db_col_text(s, 8))
					    : json_string("system");
	return json_pack("{s:I, s:o, s:I, s:{s:s, s:s}, s:{s:s, s:o}, s:o, s:s, s:s, s:o, s:I}",
			 "id", (json_int_t)db_col_int(s, 0), "at", xs_col_time(s, 1), "grant",
			 (json_int_t)db_col_int(s, 2), "resource", "code", db_col_text(s, 3),
			 "name", db_col_text(s, 4), "provider", "region", db_col_text(s, 5), "name",
			 xs_col_text(s, 6), "by", by, "purpose", db_col_text(s, 9), "query",
			 db_col_text(s, 10), "fields", xs_col_array(s, 11), "rows",
			 (json_int_t)db_col_int(s, 12));
}

static json_t *
served_json(db_stmt *s)
{
	return json_pack("{s:I, s:o, s:I, s:s, s:{s:s, s:s}, s:{s:n, s:s, s:{s:s, s:o}}, s:s,"
			 " s:s, s:s, s:I, s:I}",
			 "id", (json_int_t)db_col_int(s, 0), "at", xs_col_time(s, 1), "grant",
			 (json_int_t)db_col_int(s, 2), "kind", db_col_text(s, 3), "resource",
			 "code", db_col_text(s, 4), "name", db_col_text(s, 5), "consumer", "id",
			 "name", db_col_text(s, 6), "region", "code", db_col_text(s, 7), "name",
			 xs_col_text(s, 8), "by", db_col_text(s, 9), "purpose", db_col_text(s, 10),
			 "query", db_col_text(s, 11), "rows", (json_int_t)db_col_int(s, 12),
			 "subjects", (json_int_t)db_col_int(s, 13));
}

json_t *
xshare_access_list_json(db_conn *c, const struct principal *by, const char *side, int limit,
			const char *cursor, struct zt_err *err)
{
	int64_t before;
	int provider = strcmp(side, "provider") == 0;

	if (xs_page_before(cursor, &before, err) < 0)
		return NULL;
	db_stmt *s = db_prepare(
	    c,
	    provider
		? "SELECT f.id, f.at, f.incoming_id, f.kind, r.code, r.name, i.consumer_name,"
		  " i.consumer_region, g.name, f.by_name, f.purpose, f.query, f.rows,"
		  " (SELECT count(*) FROM fed_share_served_subjects y WHERE y.served_id = f.id)"
		  " FROM fed_share_served f JOIN fed_share_incoming i ON i.id = f.incoming_id"
		  " JOIN data_resources r ON r.id = f.resource_id"
		  " LEFT JOIN regions g ON g.code = i.consumer_region"
		  " WHERE r.dept_id = ?1 AND f.id < ?2 ORDER BY f.id DESC LIMIT ?3"
		: "SELECT a.id, a.at, a.request_id, q.resource_code, q.resource_name,"
		  " q.provider_region, g.name, u.name, k.name, a.purpose, a.query, a.fields, a.rows"
		  " FROM fed_share_access a JOIN fed_share_requests q ON q.id = a.request_id"
		  " LEFT JOIN regions g ON g.code = q.provider_region"
		  " LEFT JOIN users u ON u.id = a.user_id LEFT JOIN api_keys k ON k.id = "
		  "a.api_key_id"
		  " WHERE a.consumer_dept = ?1 AND a.id < ?2 ORDER BY a.id DESC LIMIT ?3",
	    err);
	if (s == NULL)
		return NULL;
	db_bind_int(s, 1, by->dept_id);
	db_bind_int(s, 2, before);
	db_bind_int(s, 3, limit + 1);
	return share_page_rows(s, limit, provider ? served_json : access_json, err);
}
