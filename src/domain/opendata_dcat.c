/* opendata_dcat.c - the open data catalog as DCAT-AP JSON-LD, one keyset
 * page at a time (see opendata_dcat.h). */
#include "domain/opendata_dcat.h"
#include "base/buf.h"
#include "base/calendar.h"
#include "base/clock.h"
#include "base/page.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FREQ_BASE  "http://publications.europa.eu/resource/authority/frequency/"
#define FTYPE_BASE "http://publications.europa.eu/resource/authority/file-type/"
#define MEDIA_BASE "https://www.iana.org/assignments/media-types/"
#define WITHDRAWN  "http://purl.org/adms/status/Withdrawn"

static const char *const license_iris[][2] = {
    {"CC-BY-4.0", "https://creativecommons.org/licenses/by/4.0/"},
    {"CC-BY-SA-4.0", "https://creativecommons.org/licenses/by-sa/4.0/"},
    {"CC0-1.0", "https://creativecommons.org/publicdomain/zero/1.0/"},
    {"ODC-BY-1.0", "https://opendatacommons.org/licenses/by/1-0/"},
    {"ODbL-1.0", "https://opendatacommons.org/licenses/odbl/1-0/"},
    {"PDDL-1.0", "https://opendatacommons.org/licenses/pddl/1-0/"},
};

static const char *const frequency_iris[][2] = {
    {"realtime", FREQ_BASE "UPDATE_CONT"}, {"daily", FREQ_BASE "DAILY"},
    {"weekly", FREQ_BASE "WEEKLY"},	   {"monthly", FREQ_BASE "MONTHLY"},
    {"quarterly", FREQ_BASE "QUARTERLY"},  {"yearly", FREQ_BASE "ANNUAL"},
    {"irregular", FREQ_BASE "IRREG"},
};

/* The distributions every dataset has: format, media type, EU file type. */
static const char *const formats[][3] = {
    {"csv", "text/csv", "CSV"},
    {"json", "application/json", "JSON"},
};

/* Columns of the page queries. */
enum {
	C_ID,
	C_CODE,
	C_TITLE,
	C_DESC,
	C_KEYWORDS,
	C_THEME,
	C_LICENSE,
	C_FREQ,
	C_TFROM,
	C_TTO,
	C_SPATIAL,
	C_CONTACT,
	C_DEPT,
	C_ISSUED,
	C_MODIFIED,
	C_VERSION,
	C_STATUS
};

#define PAGE_SELECT                                                                                \
	"SELECT d.id, d.code, d.title, d.description, d.keywords, d.theme, d.license,"             \
	" d.update_frequency, d.temporal_from, d.temporal_to, d.spatial, d.contact, p.name,"       \
	" d.issued_at, d.modified_at, d.current_version, d.status"                                 \
	" FROM datasets d JOIN departments p ON p.id = d.dept_id WHERE "
#define PAGE_KEYSET                                                                                \
	" AND (d.modified_at > ?1 OR (d.modified_at = ?1 AND d.id > ?2))"                          \
	" ORDER BY d.modified_at, d.id LIMIT ?3"

static const char *
lookup(const char *const (*table)[2], size_t n, const char *key)
{
	for (size_t i = 0; key && i < n; i++)
		if (strcmp(table[i][0], key) == 0)
			return table[i][1];
	return NULL;
}

const char *
opendata_license_iri(const char *license)
{
	return lookup(license_iris, sizeof(license_iris) / sizeof(license_iris[0]), license);
}

const char *
opendata_frequency_iri(const char *frequency)
{
	return lookup(frequency_iris, sizeof(frequency_iris) / sizeof(frequency_iris[0]),
		      frequency);
}

int
opendata_dcat_parse_since(const char *s, int64_t *out)
{
	char t[40], day[11];
	int32_t d;
	size_t n = strlen(s);

	if (n < 10 || n >= sizeof(t))
		return -1;
	memcpy(day, s, 10);
	day[10] = '\0';
	if (date_parse(day, &d) < 0)
		return -1;
	if (n == 10) {
		*out = date_start_time(d);
		return 0;
	}
	if (s[10] != 'T' || n < 19)
		return -1;
	/* Seconds' fraction dropped; a '+' of the zone that arrived as a space
	 * (an unencoded '+' in a query string) taken back. */
	memcpy(t, s, 19);
	size_t k = 19, i = 19;
	if (s[i] == '.') {
		for (i++; s[i] >= '0' && s[i] <= '9'; i++)
			;
		if (i == 20)
			return -1;
	}
	for (; s[i]; i++)
		t[k++] = s[i] == ' ' ? '+' : s[i];
	t[k] = '\0';
	if (strspn(t + 11, "0123456789:") < 8)
		return -1;
	return time_parse(t, out);
}

static json_t *
lit(const char *text, const char *lang)
{
	return json_pack("{s:s, s:s}", "@value", text ? text : "", "@language", lang);
}

static json_t *
typed(const char *value, const char *type)
{
	return json_pack("{s:s, s:s}", "@value", value, "@type", type);
}

static json_t *
iri(const char *s)
{
	return json_pack("{s:s}", "@id", s);
}

static json_t *
datetime(int64_t t)
{
	char s[32];

	time_format(t, s);
	return typed(s, "xsd:dateTime");
}

static json_t *
parse_or_array(const char *text)
{
	json_t *v = text ? json_loads(text, 0, NULL) : NULL;

	if (json_is_array(v))
		return v;
	json_decref(v);
	return json_array();
}

/* Appends s percent-encoded (all but RFC 3986 unreserved characters). */
static void
url_escape(struct buf *b, const char *s)
{
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;
		if ((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
		    (ch >= '0' && ch <= '9') || ch == '-' || ch == '.' || ch == '_' || ch == '~')
			buf_append(b, s, 1);
		else
			buf_printf(b, "%%%02X", ch);
	}
}

/* The catalog URL of a page: modified_since and limit as asked, cursor. */
static json_t *
page_url(const struct opendata_dcat_query *q, const char *cursor)
{
	struct buf b;

	buf_init(&b);
	buf_printf(&b, "%s/api/v1/dcat/catalog?", q->base);
	if (q->has_since) {
		buf_puts(&b, "modified_since=");
		url_escape(&b, q->since_text);
		buf_puts(&b, "&");
	}
	buf_printf(&b, "limit=%d", q->limit);
	if (cursor) {
		buf_puts(&b, "&cursor=");
		url_escape(&b, cursor);
	}
	json_t *v = json_string(b.data);
	buf_cleanup(&b);
	return v;
}

/* A region's name, memoised in names (code -> name, "" when unknown). */
static const char *
region_name(db_conn *c, json_t *names, const char *code, struct zt_err *err)
{
	json_t *v = json_object_get(names, code);
	int rc;

	if (v)
		return json_string_value(v);
	db_stmt *s = db_prepare(c, "SELECT name FROM regions WHERE code = ?1", err);
	if (s == NULL)
		return NULL;
	db_bind_text(s, 1, code);
	rc = db_step(s, err);
	json_object_set_new(names, code, json_string(rc == DB_ROW ? db_col_text(s, 0) : ""));
	db_reset(s);
	if (rc < 0)
		return NULL;
	return json_string_value(json_object_get(names, code));
}

static json_t *
spatial(db_conn *c, json_t *names, const char *text, struct zt_err *err)
{
	json_t *codes = parse_or_array(text), *out = json_array(), *v;
	size_t i;

	json_array_foreach(codes, i, v)
	{
		const char *code = json_string_value(v), *name;
		if (code == NULL)
			continue;
		if ((name = region_name(c, names, code, err)) == NULL) {
			json_decref(out);
			out = NULL;
			break;
		}
		json_t *loc =
		    json_pack("{s:s, s:s}", "@type", "dct:Location", "dct:identifier", code);
		if (name[0])
			json_object_set_new(loc, "skos:prefLabel", lit(name, "zh"));
		json_array_append_new(out, loc);
	}
	json_decref(codes);
	return out;
}

static json_t *
distributions(const char *dataset_iri, const char *license)
{
	json_t *out = json_array();
	const char *lic = opendata_license_iri(license);
	char id[512], url[512], media[128], ftype[128];

	for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++) {
		snprintf(id, sizeof(id), "%s#distribution-%s", dataset_iri, formats[i][0]);
		snprintf(url, sizeof(url), "%s/download?format=%s", dataset_iri, formats[i][0]);
		snprintf(media, sizeof(media), MEDIA_BASE "%s", formats[i][1]);
		snprintf(ftype, sizeof(ftype), FTYPE_BASE "%s", formats[i][2]);
		json_t *d = json_pack("{s:s, s:s, s:s, s:o, s:o, s:o, s:o}", "@id", id, "@type",
				      "dcat:Distribution", "dct:title", formats[i][2],
				      "dcat:accessURL", iri(url), "dcat:downloadURL", iri(url),
				      "dcat:mediaType", iri(media), "dct:format", iri(ftype));
		if (lic)
			json_object_set_new(d, "dct:license", iri(lic));
		json_array_append_new(out, d);
	}
	return out;
}

/* The dcat:Dataset of the current row; NULL on a database error. */
static json_t *
dataset(db_conn *c, db_stmt *s, const struct opendata_dcat_query *q, json_t *names,
	struct zt_err *err)
{
	char id[384], ver[24];
	int withdrawn = strcmp(db_col_text(s, C_STATUS), "withdrawn") == 0;

	snprintf(id, sizeof(id), "%s/api/v1/datasets/%" PRId64, q->base, db_col_int(s, C_ID));
	json_t *d =
	    json_pack("{s:s, s:s, s:s, s:o}", "@id", id, "@type", "dcat:Dataset", "dct:identifier",
		      db_col_text(s, C_CODE), "dct:title", lit(db_col_text(s, C_TITLE), "zh"));
	if (withdrawn) {
		/* What a harvester needs to delete its copy. */
		json_object_set_new(d, "dct:modified", datetime(db_col_int(s, C_MODIFIED)));
		json_object_set_new(d, "adms:status", iri(WITHDRAWN));
		return d;
	}
	json_object_set_new(d, "dct:description", lit(db_col_text(s, C_DESC), "zh"));
	json_object_set_new(d, "dcat:keyword", parse_or_array(db_col_text(s, C_KEYWORDS)));
	json_object_set_new(d, "dcat:theme",
			    json_pack("{s:s, s:o}", "@type", "skos:Concept", "skos:prefLabel",
				      lit(db_col_text(s, C_THEME), "zh")));
	json_object_set_new(d, "dct:publisher",
			    json_pack("{s:s, s:s}", "@type", "foaf:Organization", "foaf:name",
				      db_col_text(s, C_DEPT)));
	const char *lic = opendata_license_iri(db_col_text(s, C_LICENSE));
	json_object_set_new(d, "dct:license",
			    lic ? iri(lic) : json_string(db_col_text(s, C_LICENSE)));
	const char *freq = opendata_frequency_iri(db_col_text(s, C_FREQ));
	if (freq)
		json_object_set_new(d, "dct:accrualPeriodicity", iri(freq));
	if (!db_col_isnull(s, C_TFROM) || !db_col_isnull(s, C_TTO)) {
		json_t *p = json_pack("{s:s}", "@type", "dct:PeriodOfTime");
		if (!db_col_isnull(s, C_TFROM))
			json_object_set_new(p, "dcat:startDate",
					    typed(db_col_text(s, C_TFROM), "xsd:date"));
		if (!db_col_isnull(s, C_TTO))
			json_object_set_new(p, "dcat:endDate",
					    typed(db_col_text(s, C_TTO), "xsd:date"));
		json_object_set_new(d, "dct:temporal", p);
	}
	json_t *sp = spatial(c, names, db_col_text(s, C_SPATIAL), err);
	if (sp == NULL) {
		json_decref(d);
		return NULL;
	}
	json_object_set_new(d, "dct:spatial", sp);
	json_object_set_new(d, "dct:issued", datetime(db_col_int(s, C_ISSUED)));
	json_object_set_new(d, "dct:modified", datetime(db_col_int(s, C_MODIFIED)));
	json_object_set_new(
	    d, "dcat:contactPoint",
	    json_pack("{s:s, s:s}", "@type", "vcard:Kind", "vcard:fn", db_col_text(s, C_CONTACT)));
	snprintf(ver, sizeof(ver), "%" PRId64, db_col_int(s, C_VERSION));
	json_object_set_new(d, "dcat:version", json_string(ver));
	json_object_set_new(d, "dcat:distribution", distributions(id, db_col_text(s, C_LICENSE)));
	return d;
}

static json_t *
context(void)
{
	return json_pack(
	    "{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "dcat", "http://www.w3.org/ns/dcat#", "dct",
	    "http://purl.org/dc/terms/", "foaf", "http://xmlns.com/foaf/0.1/", "vcard",
	    "http://www.w3.org/2006/vcard/ns#", "xsd", "http://www.w3.org/2001/XMLSchema#", "adms",
	    "http://www.w3.org/ns/adms#", "skos", "http://www.w3.org/2004/02/skos/core#", "hydra",
	    "http://www.w3.org/ns/hydra/core#");
}

/* cursor: "<modified_at>.<id>" of the last dataset of the previous page. */
static int
cursor_parse(const char *cursor, int64_t *t, int64_t *id, struct zt_err *err)
{
	char raw[CURSOR_RAW_MAX], *end;
	long long a = -1, b = -1;

	if (cursor_decode(cursor, raw) == 0 && raw[0] >= '0' && raw[0] <= '9' &&
	    strspn(raw, "0123456789.") == strlen(raw)) {
		errno = 0;
		a = strtoll(raw, &end, 10);
		if (*end == '.' && end[1] >= '0' && end[1] <= '9')
			b = strtoll(end + 1, &end, 10);
		if (errno != 0 || *end != '\0')
			b = -1;
	}
	if (a < 0 || b <= 0)
		return err_set(err, ZT_EINVAL, "cursor", "invalid", "invalid cursor");
	*t = a;
	*id = b;
	return 0;
}

json_t *
opendata_dcat_catalog(db_conn *c, const struct opendata_dcat_query *q, struct zt_err *err)
{
	int64_t after_t = -1, after_id = 0, last_t = 0, last_id = 0;
	json_t *items = NULL, *names = NULL, *out = NULL;
	char base[320], raw[CURSOR_RAW_MAX], enc[4 * CURSOR_RAW_MAX / 3 + 4];
	int rc, n = 0, more = 0;

	if (q->cursor && cursor_parse(q->cursor, &after_t, &after_id, err) < 0)
		return NULL;
	db_stmt *s =
	    db_prepare(c,
		       q->has_since ? PAGE_SELECT
			   "((d.status = 'published' AND d.modified_at >= ?4)"
			   " OR (d.status = 'withdrawn' AND d.withdrawn_at >= ?4))" PAGE_KEYSET
				    : PAGE_SELECT "d.status = 'published'" PAGE_KEYSET,
		       err);
	if (s == NULL)
		return NULL;
	db_bind_int(s, 1, after_t);
	db_bind_int(s, 2, after_id);
	db_bind_int(s, 3, q->limit + 1);
	if (q->has_since)
		db_bind_int(s, 4, q->modified_since);
	items = json_array();
	names = json_object();
	while ((rc = db_step(s, err)) == DB_ROW) {
		if (n == q->limit) {
			more = 1;
			break;
		}
		json_t *d = dataset(c, s, q, names, err);
		if (d == NULL) {
			rc = err->code;
			break;
		}
		json_array_append_new(items, d);
		last_t = db_col_int(s, C_MODIFIED);
		last_id = db_col_int(s, C_ID);
		n++;
	}
	db_reset(s);
	json_decref(names);
	if (rc < 0) {
		json_decref(items);
		return NULL;
	}

	snprintf(base, sizeof(base), "%s/api/v1/dcat/catalog", q->base);
	json_t *title = json_array();
	json_array_append_new(title, lit("政通数据开放目录", "zh"));
	json_array_append_new(title, lit("Zhengtong Open Data Catalog", "en"));
	json_t *desc = json_array();
	json_array_append_new(desc, lit("本节点公开发布的开放数据集（DCAT-AP）", "zh"));
	json_array_append_new(desc, lit("Open datasets published by this node (DCAT-AP)", "en"));
	char home[320];
	snprintf(home, sizeof(home), "%s/", q->base);
	out = json_pack("{s:o, s:s, s:s, s:o, s:o, s:{s:s, s:s}, s:o, s:o}", "@context", context(),
			"@id", base, "@type", "dcat:Catalog", "dct:title", title, "dct:description",
			desc, "dct:publisher", "@type", "foaf:Organization", "foaf:name",
			q->publisher, "foaf:homepage", iri(home), "dcat:dataset", items);
	json_t *view = json_pack("{s:o, s:s}", "@id", page_url(q, q->cursor), "@type",
				 "hydra:PartialCollectionView");
	if (more) {
		snprintf(raw, sizeof(raw), "%lld.%lld", (long long)last_t, (long long)last_id);
		b64url_encode((const unsigned char *)raw, strlen(raw), enc);
		json_object_set_new(view, "hydra:next",
				    json_pack("{s:o}", "@id", page_url(q, enc)));
	}
	json_object_set_new(out, "hydra:view", view);
	return out;
}
