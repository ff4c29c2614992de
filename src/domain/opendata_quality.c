/* opendata_quality.c - the quality score of an open dataset: six weighted
 * checks on metadata and dictionary (see opendata_quality.h). */
#include "domain/opendata_quality.h"
#include "domain/opendata.h"
#include "base/buf.h"
#include "base/utf8.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define DAY 86400

/* Weights, summing to 100. */
enum {
	W_LICENSE = 20,
	W_DESCRIPTION = 15,
	W_COVERAGE = 15,
	W_UPDATE = 20,
	W_FIELDS = 20,
	W_FORMAT = 10
};

/* Field problems named in the detail before "and n more". */
#define FIELDS_NAMED 4

static const struct {
	const char *name;
	int days;
} periods[] = {
    {"realtime", 2},   {"daily", 2},	{"weekly", 8},	  {"monthly", 32},
    {"quarterly", 93}, {"yearly", 367}, {"irregular", 0},
};

int
opendata_frequency_days(const char *frequency)
{
	for (size_t i = 0; frequency && i < sizeof(periods) / sizeof(periods[0]); i++)
		if (strcmp(periods[i].name, frequency) == 0)
			return periods[i].days;
	return -1;
}

static int
given(const char *s)
{
	return s != NULL && s[0] != '\0';
}

/* A check's result with its detail in English (fmt) and Chinese (zh, the
 * same arguments in the same order; %.0s skips one). */
static void check(struct opendata_check *c, const char *name, int weight, int passed,
		  const char *zh, const char *fmt, ...) __attribute__((format(printf, 6, 7)));

static void
check(struct opendata_check *c, const char *name, int weight, int passed, const char *zh,
      const char *fmt, ...)
{
	va_list ap, ap2;

	c->check = name;
	c->weight = weight;
	c->passed = passed;
	va_start(ap, fmt);
	va_copy(ap2, ap);
	vsnprintf(c->detail, sizeof(c->detail), fmt, ap);
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
	vsnprintf(c->detail_zh, sizeof(c->detail_zh), zh, ap2);
#pragma GCC diagnostic pop
	va_end(ap2);
	va_end(ap);
}

static void
check_license(const char *license, struct opendata_check *c)
{
	for (int i = 0; license && opendata_licenses[i]; i++)
		if (strcmp(opendata_licenses[i], license) == 0) {
			check(c, "license", W_LICENSE, 1, "%s 是开放许可协议",
			      "%s is an open license", license);
			return;
		}
	if (given(license))
		check(c, "license", W_LICENSE, 0, "不是已知的开放许可协议", "%s",
		      "the license is not a known open license");
	else
		check(c, "license", W_LICENSE, 0, "没有许可协议", "%s", "no license");
}

static void
check_description(const char *description, struct opendata_check *c)
{
	long n = description ? utf8_len(description) : 0;

	if (n < 0)
		n = 0;
	check(c, "description", W_DESCRIPTION, n >= OPENDATA_QUALITY_DESCRIPTION_MIN,
	      "%ld 个字（至少 %d 个）", "%ld characters (at least %d wanted)", n,
	      OPENDATA_QUALITY_DESCRIPTION_MIN);
}

static void
check_coverage(const struct opendata_quality_in *in, json_t *spatial, struct opendata_check *c)
{
	size_t regions = json_is_array(spatial) ? json_array_size(spatial) : 0;
	int from = given(in->temporal_from), to = given(in->temporal_to);

	if (regions > 0 && from && to) {
		check(c, "coverage", W_COVERAGE, 1, "%zu 个地区%.0s，%s 至 %s",
		      "%zu region%s, %s to %s", regions, regions == 1 ? "" : "s", in->temporal_from,
		      in->temporal_to);
		return;
	}
	const char *sp = regions == 0 ? "no spatial coverage" : "",
		   *sp_zh = regions == 0 ? "没有空间范围" : "";
	const char *sep = regions == 0 && !(from && to) ? "; " : "",
		   *sep_zh = regions == 0 && !(from && to) ? "；" : "";
	const char *tm = from && to	? ""
			 : !from && !to ? "no temporal coverage"
			 : !from	? "no temporal_from"
					: "no temporal_to";
	const char *tm_zh = from && to	   ? ""
			    : !from && !to ? "没有时间范围"
			    : !from	   ? "缺少起始日期"
					   : "缺少截止日期";
	char zh[OPENDATA_QUALITY_DETAIL_MAX];
	snprintf(zh, sizeof(zh), "%s%s%s", sp_zh, sep_zh, tm_zh);
	check(c, "coverage", W_COVERAGE, 0, zh, "%s%s%s", sp, sep, tm);
}

static void
check_update(const struct opendata_quality_in *in, int64_t now, struct opendata_check *c)
{
	const char *freq = in->update_frequency ? in->update_frequency : "";
	int days = opendata_frequency_days(freq);
	int64_t last = in->modified_at > in->published_at ? in->modified_at : in->published_at;

	if (days < 0) {
		check(c, "update_frequency_met", W_UPDATE, 0, "未知的更新频率", "%s",
		      "unknown update frequency");
		return;
	}
	if (days == 0) {
		check(c, "update_frequency_met", W_UPDATE, 1, "不定期更新：始终满足", "%s",
		      "irregular updates: always met");
		return;
	}
	int64_t age = now - last;
	if (age < 0)
		age = 0;
	check(c, "update_frequency_met", W_UPDATE, age <= (int64_t)days * DAY,
	      "%.0s%lld 天前更新（按更新频率最多 %d 天）",
	      "%s: updated %lld days ago (at most %d allowed)", freq, (long long)(age / DAY), days);
}

static int
numeric(const char *type)
{
	return type && (strcmp(type, "integer") == 0 || strcmp(type, "number") == 0);
}

static void
check_fields(json_t *fields, struct opendata_check *c)
{
	struct buf b, bz;
	size_t i, bad = 0, n = json_is_array(fields) ? json_array_size(fields) : 0;
	json_t *f;

	if (n == 0) {
		check(c, "fields_documented", W_FIELDS, 0, "没有字段", "%s", "no fields");
		return;
	}
	buf_init(&b);
	buf_init(&bz);
	json_array_foreach(fields, i, f)
	{
		const char *name = json_string_value(json_object_get(f, "name"));
		const char *desc = json_string_value(json_object_get(f, "description"));
		const char *unit = json_string_value(json_object_get(f, "unit"));
		const char *type = json_string_value(json_object_get(f, "type"));
		int nodesc = !given(desc) || (name && strcmp(desc, name) == 0);
		int nounit = numeric(type) && !given(unit);

		if (!nodesc && !nounit)
			continue;
		if (++bad <= FIELDS_NAMED) {
			buf_printf(&b, "%s%s (%s%s%s)", bad > 1 ? ", " : "", name ? name : "?",
				   nodesc ? "no description" : "", nodesc && nounit ? ", " : "",
				   nounit ? "no unit" : "");
			buf_printf(&bz, "%s%s（%s%s%s）", bad > 1 ? "，" : "", name ? name : "?",
				   nodesc ? "缺说明" : "", nodesc && nounit ? "、" : "",
				   nounit ? "缺单位" : "");
		}
	}
	if (bad == 0) {
		check(c, "fields_documented", W_FIELDS, 1, "全部 %zu 个字段均有说明",
		      "all %zu fields documented", n);
	} else {
		char zh[OPENDATA_QUALITY_DETAIL_MAX];
		snprintf(zh, sizeof(zh), "%zu 个字段（共 %zu 个）说明不全：%s%s", bad, n,
			 bz.data ? bz.data : "", bad > FIELDS_NAMED ? "……" : "");
		check(c, "fields_documented", W_FIELDS, 0, zh,
		      "%zu of %zu fields undocumented: %s%s", bad, n, b.data ? b.data : "",
		      bad > FIELDS_NAMED ? ", ..." : "");
	}
	buf_cleanup(&b);
	buf_cleanup(&bz);
}

void
opendata_quality_eval(const struct opendata_quality_in *in, int64_t now,
		      struct opendata_quality *out)
{
	json_t *spatial = in->spatial, *fields = in->fields;
	json_t *own_spatial = NULL, *own_fields = NULL;

	if (spatial == NULL && in->spatial_text)
		spatial = own_spatial = json_loads(in->spatial_text, 0, NULL);
	if (fields == NULL && in->fields_text)
		fields = own_fields = json_loads(in->fields_text, 0, NULL);

	memset(out, 0, sizeof(*out));
	check_license(in->license, &out->checks[0]);
	check_description(in->description, &out->checks[1]);
	check_coverage(in, spatial, &out->checks[2]);
	check_update(in, now, &out->checks[3]);
	check_fields(fields, &out->checks[4]);
	check(&out->checks[5], "open_format", W_FORMAT, 1,
	      "以 CSV 和 JSON 两种开放的机器可读格式提供", "%s",
	      "served as CSV and JSON, both open machine-readable formats");
	for (int i = 0; i < OPENDATA_QUALITY_NCHECKS; i++)
		if (out->checks[i].passed)
			out->score += out->checks[i].weight;
	json_decref(own_spatial);
	json_decref(own_fields);
}

int
opendata_quality_score(const struct opendata_quality_in *in, int64_t now)
{
	struct opendata_quality q;

	opendata_quality_eval(in, now, &q);
	return q.score;
}

json_t *
opendata_quality_to_json(const struct opendata_quality *q)
{
	json_t *checks = json_array();

	for (int i = 0; i < OPENDATA_QUALITY_NCHECKS; i++) {
		const struct opendata_check *c = &q->checks[i];
		json_array_append_new(checks,
				      json_pack("{s:s, s:b, s:i, s:s, s:s}", "check", c->check,
						"passed", c->passed, "weight", c->weight, "detail",
						c->detail, "detail_zh", c->detail_zh));
	}
	return json_pack("{s:i, s:o}", "score", q->score, "checks", checks);
}

json_t *
opendata_quality_json(db_conn *c, int64_t dataset_id, int64_t now, struct zt_err *err)
{
	db_stmt *s = db_prepare(c,
				"SELECT d.license, d.description, d.temporal_from, d.temporal_to,"
				" d.spatial, d.update_frequency, d.modified_at, v.fields,"
				" v.published_at FROM datasets d JOIN dataset_versions v"
				" ON v.dataset_id = d.id AND v.version = d.current_version"
				" WHERE d.id = ?1 AND d.status = 'published'",
				err);
	struct opendata_quality_in in;
	struct opendata_quality q;
	int rc;

	if (s == NULL)
		return NULL;
	db_bind_int(s, 1, dataset_id);
	rc = db_step(s, err);
	if (rc == DB_ROW) {
		memset(&in, 0, sizeof(in));
		in.license = db_col_text(s, 0);
		in.description = db_col_text(s, 1);
		in.temporal_from = db_col_text(s, 2);
		in.temporal_to = db_col_text(s, 3);
		in.spatial_text = db_col_text(s, 4);
		in.update_frequency = db_col_text(s, 5);
		in.modified_at = db_col_int(s, 6);
		in.fields_text = db_col_text(s, 7);
		in.published_at = db_col_int(s, 8);
		opendata_quality_eval(&in, now, &q);
	}
	db_reset(s);
	if (rc < 0)
		return NULL;
	if (rc != DB_ROW) {
		err_set(err, ZT_ENOTFOUND, "", "not_found", "no such dataset");
		return NULL;
	}
	return opendata_quality_to_json(&q);
}
