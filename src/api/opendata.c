/* opendata.c - open data portal handlers (数据开放平台): publishing,
 * republishing and withdrawing datasets (data officers), the public catalog
 * and row queries. */
#include "api/handlers.h"
#include "api/handlers_devkeys.h"
#include "http/req.h"
#include "http/validate.h"
#include "domain/opendata.h"
#include "domain/opendata_rows.h"
#include "base/buf.h"
#include "base/xmalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void
reply_or_err(struct req *r, int status, json_t *o, const struct zt_err *err)
{
	if (o == NULL) {
		reply_err(r, err);
		return;
	}
	reply_json(r, status, o);
}

static int
day_ok(const char *s)
{
	return strlen(s) == 10 && strspn(s, "0123456789-") == 10 && s[4] == '-' && s[7] == '-';
}

/* A text member of element path of a list, 1..max characters. */
static const char *
elem_str(struct req *r, json_t *o, const char *path, const char *key, int required, long max)
{
	json_t *v = json_object_get(o, key);
	char f[64];
	long n;

	snprintf(f, sizeof(f), "%s.%s", path, key);
	if (v == NULL || json_is_null(v)) {
		if (required)
			req_field_error(r, f, "required", "is required");
		return NULL;
	}
	if (!json_is_string(v) || (n = utf8_len(json_string_value(v))) < 1 || n > max) {
		req_field_error(r, f, "type", "text of 1 to %ld characters", max);
		return NULL;
	}
	return json_string_value(v);
}

/* A list of texts, each 1..max characters. */
static json_t *
text_list(struct req *r, json_t *b, const char *key, size_t maxn, long max)
{
	json_t *a = v_array(r, b, key, 1, 1, maxn), *v;
	size_t i;

	json_array_foreach(a, i, v)
	{
		long n;
		if (!json_is_string(v) || (n = utf8_len(json_string_value(v))) < 1 || n > max) {
			char f[48];
			snprintf(f, sizeof(f), "%s[%zu]", key, i);
			req_field_error(r, f, "type", "text of 1 to %ld characters", max);
		}
	}
	return a;
}

/* fields: [name | {name, description?, unit?}]. Returns the count. */
static int
parse_fields(struct req *r, json_t *b, int required, struct opendata_field_in *out)
{
	static const char *const keys[] = {"name", "description", "unit", NULL};
	json_t *a = v_array(r, b, "fields", required, 1, RESOURCE_MAX_FIELDS), *e;
	size_t i;

	json_array_foreach(a, i, e)
	{
		char p[32];
		snprintf(p, sizeof(p), "fields[%zu]", i);
		if (json_is_string(e)) {
			out[i].name = json_string_value(e);
			continue;
		}
		if (!json_is_object(e)) {
			req_field_error(r, p, "type", "a field name or {name, description, unit}");
			continue;
		}
		v_only(r, e, p, keys);
		out[i].name = elem_str(r, e, p, "name", 1, 40);
		out[i].description = elem_str(r, e, p, "description", 0, 200);
		out[i].unit = elem_str(r, e, p, "unit", 0, 20);
	}
	return a ? (int)json_array_size(a) : 0;
}

void
h_datasets_publish(struct req *r)
{
	static const char *const keys[] = {
	    "resource",	     "code",	    "title",   "description",
	    "keywords",	     "theme",	    "license", "update_frequency",
	    "temporal_from", "temporal_to", "spatial", "contact",
	    "fields",	     NULL};
	struct opendata_in *in = xcalloc(1, sizeof(*in));
	json_t *b = r->json;
	struct zt_err err;
	int64_t id, version;
	int i;

	v_only(r, b, "", keys);
	in->resource = v_str(r, b, "resource", 1, 2, 40);
	in->code = v_str(r, b, "code", 1, 2, 40);
	if (in->code && strspn(in->code, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
					 "0123456789._-") != strlen(in->code))
		req_field_error(r, "code", "format", "letters, digits, '.', '_' and '-'");
	in->title = v_str(r, b, "title", 1, 2, 100);
	in->description = v_str(r, b, "description", 1, 10, 2000);
	in->keywords = text_list(r, b, "keywords", OPENDATA_KEYWORDS_MAX, 30);
	in->theme = v_str(r, b, "theme", 1, 1, 40);
	if ((i = v_enum(r, b, "license", 1, opendata_licenses)) >= 0)
		in->license = opendata_licenses[i];
	if ((i = v_enum(r, b, "update_frequency", 1, opendata_frequencies)) >= 0)
		in->update_frequency = opendata_frequencies[i];
	in->temporal_from = v_str(r, b, "temporal_from", 0, 10, 10);
	in->temporal_to = v_str(r, b, "temporal_to", 0, 10, 10);
	if (in->temporal_from && !day_ok(in->temporal_from))
		req_field_error(r, "temporal_from", "format", "a day YYYY-MM-DD");
	if (in->temporal_to && !day_ok(in->temporal_to))
		req_field_error(r, "temporal_to", "format", "a day YYYY-MM-DD");
	else if (in->temporal_from && in->temporal_to &&
		 strcmp(in->temporal_from, in->temporal_to) > 0)
		req_field_error(r, "temporal_to", "before_from", "ends before temporal_from");
	in->spatial = text_list(r, b, "spatial", OPENDATA_SPATIAL_MAX, 12);
	in->contact = v_str(r, b, "contact", 1, 2, 200);
	in->nfields = parse_fields(r, b, 1, in->fields);
	if (reply_if_invalid(r))
		goto out;
	err_clear(&err);
	if (opendata_publish(&r->who, in, &id, &version, &err) < 0) {
		reply_err(r, &err);
		goto out;
	}
	char loc[48];
	snprintf(loc, sizeof(loc), "/api/v1/datasets/%lld", (long long)id);
	req_add_header(r, "Location", loc);
	reply_json(r, 201,
		   json_pack("{s:I, s:s, s:I}", "id", (json_int_t)id, "code", in->code, "version",
			     (json_int_t)version));
out:
	free(in);
}

void
h_datasets_republish(struct req *r)
{
	static const char *const keys[] = {"fields", NULL};
	struct opendata_field_in *fields = xcalloc(RESOURCE_MAX_FIELDS, sizeof(*fields));
	int64_t id = req_param_id(r, 0), version;
	struct zt_err err;
	int n;

	if (id < 0)
		goto out;
	v_only(r, r->json, "", keys);
	n = parse_fields(r, r->json, 0, fields);
	if (reply_if_invalid(r))
		goto out;
	err_clear(&err);
	if (opendata_republish(&r->who, id, fields, n, &version, &err) < 0) {
		reply_err(r, &err);
		goto out;
	}
	reply_json(r, 201,
		   json_pack("{s:I, s:I}", "id", (json_int_t)id, "version", (json_int_t)version));
out:
	free(fields);
}

void
h_datasets_withdraw(struct req *r)
{
	static const char *const keys[] = {"reason", NULL};
	int64_t id = req_param_id(r, 0);
	struct zt_err err;

	if (id < 0)
		return;
	v_only(r, r->json, "", keys);
	const char *reason = v_str(r, r->json, "reason", 1, 2, 1000);
	if (reply_if_invalid(r))
		return;
	err_clear(&err);
	if (opendata_withdraw(&r->who, id, reason, &err) < 0) {
		reply_err(r, &err);
		return;
	}
	reply_json(r, 200, json_pack("{s:I, s:s}", "id", (json_int_t)id, "status", "withdrawn"));
}

void
h_datasets_search(struct req *r)
{
	struct opendata_query q;
	struct zt_err err;
	int64_t v;

	if (opendata_limit(r) < 0)
		return;

	memset(&q, 0, sizeof(q));
	q.q = q_str(r, "q", 50);
	q_int(r, "dept", 1, INT64_MAX, 0, &q.dept_id);
	q.theme = q_str(r, "theme", 40);
	q.region = q_str(r, "region", 12);
	q.update_frequency = q_enum(r, "update_frequency", opendata_frequencies, NULL);
	/* Every dataset is offered as CSV and JSON: the filter checks the
	 * value and keeps them all. */
	static const char *const formats[] = {"CSV", "JSON", "csv", "json", NULL};
	q_enum(r, "format", formats, NULL);
	if (q_int(r, "limit", 1, 100, 50, &v) == 0)
		q.limit = (int)v;
	q.cursor = q_str(r, "cursor", 100);
	if (reply_if_invalid(r))
		return;
	err_clear(&err);
	reply_or_err(r, 200, opendata_search_json(req_db(r), &q, &err), &err);
}

void
h_datasets_get(struct req *r)
{
	int64_t id = req_param_id(r, 0);
	struct zt_err err;

	if (opendata_limit(r) < 0)
		return;

	if (id < 0)
		return;
	err_clear(&err);
	reply_or_err(r, 200, opendata_get_json(req_db(r), id, &err), &err);
}

/* The filter parameters (repeatable) into out; -1 after a reply. */
static int
filters_of(struct req *r, const char **out)
{
	int n = req_query_all(r, "filter", out, OPENDATA_FILTERS_MAX);

	if (n > OPENDATA_FILTERS_MAX)
		req_field_error(r, "filter", "too_many", "at most %d filters",
				OPENDATA_FILTERS_MAX);
	for (int i = 0; i < n && i < OPENDATA_FILTERS_MAX; i++)
		if (strlen(out[i]) > 4000)
			req_field_error(r, "filter", "too_long", "a filter is at most 4000 bytes");
	return n > OPENDATA_FILTERS_MAX ? OPENDATA_FILTERS_MAX : n;
}

void
h_datasets_rows(struct req *r)
{
	struct opendata_rows_query q;
	const char *filters[OPENDATA_FILTERS_MAX];
	struct zt_err err;
	int64_t id = req_param_id(r, 0), v;

	if (opendata_limit(r) < 0)
		return;

	if (id < 0)
		return;
	memset(&q, 0, sizeof(q));
	q_int(r, "version", 1, INT64_MAX, 0, &q.version);
	q.fields = q_str(r, "fields", 4000);
	q.nfilters = filters_of(r, filters);
	q.filters = filters;
	q.q = q_str(r, "q", OPENDATA_VALUE_MAX);
	q.sort = q_str(r, "sort", 41);
	if (q_int(r, "limit", 1, OPENDATA_LIMIT_MAX, 50, &v) == 0)
		q.limit = (int)v;
	q.cursor = q_str(r, "cursor", 1000);
	if (reply_if_invalid(r))
		return;
	err_clear(&err);
	reply_or_err(r, 200, opendata_rows_json(req_db(r), id, &q, &err), &err);
}

void
h_datasets_chart(struct req *r)
{
	static const char *const aggs[] = {"count", "sum", "avg", NULL};
	struct opendata_chart_query q;
	const char *filters[OPENDATA_FILTERS_MAX];
	struct zt_err err;
	int64_t id = req_param_id(r, 0);

	if (opendata_limit(r) < 0)
		return;

	if (id < 0)
		return;
	memset(&q, 0, sizeof(q));
	q_int(r, "version", 1, INT64_MAX, 0, &q.version);
	q.group = q_str(r, "group", 41);
	q.value = q_str(r, "value", 41);
	q.agg = q_enum(r, "agg", aggs, "count");
	q.nfilters = filters_of(r, filters);
	q.filters = filters;
	q.q = q_str(r, "q", OPENDATA_VALUE_MAX);
	if (q.group == NULL)
		req_field_error(r, "group", "required", "name the field to group by");
	if (reply_if_invalid(r))
		return;
	err_clear(&err);
	reply_or_err(r, 200, opendata_chart_json(req_db(r), id, &q, &err), &err);
}

static ssize_t
stream_read(void *cls, uint64_t pos, char *buf, size_t max)
{
	(void)pos;
	return opendata_stream_read(cls, buf, max);
}

static void
stream_free(void *cls)
{
	opendata_stream_free(cls);
}

void
h_datasets_download(struct req *r)
{
	static const char *const formats[] = {"csv", "json", NULL};
	int64_t id = req_param_id(r, 0), version, bom;
	char name[RESOURCE_CODE_MAX + 32], disp[RESOURCE_CODE_MAX + 64];
	struct zt_err err;

	if (opendata_limit(r) < 0)
		return;

	if (id < 0)
		return;
	q_int(r, "version", 1, INT64_MAX, 0, &version);
	const char *format = q_enum(r, "format", formats, "csv");
	q_int(r, "bom", 0, 1, 1, &bom);
	if (reply_if_invalid(r))
		return;
	err_clear(&err);
	int csv = strcmp(format, "csv") == 0;
	struct opendata_stream *st =
	    opendata_stream_open(req_db(r), id, version, csv, (int)bom, name, sizeof(name), &err);
	if (st == NULL) {
		reply_err(r, &err);
		return;
	}
	snprintf(disp, sizeof(disp), "attachment; filename=\"%s\"", name);
	req_add_header(r, "Content-Disposition", disp);
	reply_stream(r, 200, csv ? "text/csv; charset=utf-8" : "application/json; charset=utf-8",
		     stream_read, stream_free, st);
}
