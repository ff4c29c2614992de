/* dcat.c - open data harvesting handlers: the catalog as DCAT-AP JSON-LD
 * (GET /api/v1/dcat/catalog) and a dataset's quality score (GET
 * /api/v1/datasets/{id}/quality). See docs/opendata.md. */
#include "api/handlers.h"
#include "api/handlers_devkeys.h"
#include "http/req.h"
#include "http/validate.h"
#include "domain/opendata_dcat.h"
#include "domain/opendata_quality.h"
#include "fed/node.h"
#include "base/clock.h"
#include "base/config.h"

#include <stdio.h>
#include <string.h>

#define PUBLISHER_DEFAULT "政通数据开放平台"

/* 1 if h can stand in a URL as host[:port]: letters, digits, '-', '.', ':'
 * and IPv6 brackets, 1..255 bytes. */
static int
host_ok(const char *h)
{
	size_t n = h ? strlen(h) : 0;

	return n > 0 && n <= 255 &&
	       strspn(h, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-.:[]") ==
		   n;
}

/* This node's absolute base URL, without a trailing '/': the address it
 * was given by `zhengtong node init --url` (node_meta fed_url, the one the
 * federation catalog's guide links use), else http:// and the request's
 * Host header, else the listen address. */
static void
base_url(struct req *r, char *out, size_t cap)
{
	char url[NODE_URL_MAX];
	struct zt_err err;
	const char *host;

	err_clear(&err);
	if (node_meta_get(req_db(r), "fed_url", url, sizeof(url), &err) == 1 && url[0]) {
		size_t n = strlen(url);
		while (n > 0 && url[n - 1] == '/')
			url[--n] = '\0';
		snprintf(out, cap, "%s", url);
	} else if (host_ok(host = req_header(r, "Host")))
		snprintf(out, cap, "http://%s", host);
	else
		snprintf(out, cap, "http://%s:%d", cfg.listen_host, cfg.listen_port);
}

void
h_dcat_catalog(struct req *r)
{
	struct opendata_dcat_query q;
	char base[NODE_URL_MAX + 16], publisher[NODE_NAME_MAX];
	struct zt_err err;
	int64_t v;

	if (opendata_limit(r) < 0) /* harvesters share the open data limits */
		return;
	memset(&q, 0, sizeof(q));
	const char *since = req_query(r, "modified_since");
	if (since != NULL) {
		if (strlen(since) > 40 || opendata_dcat_parse_since(since, &q.modified_since) < 0)
			req_field_error(r, "modified_since", "format",
					"a day YYYY-MM-DD or a time YYYY-MM-DDTHH:MM:SS with Z "
					"or +hh:mm");
		q.has_since = 1;
		q.since_text = since;
	}
	if (q_int(r, "limit", 1, OPENDATA_DCAT_LIMIT_MAX, OPENDATA_DCAT_LIMIT_DEFAULT, &v) == 0)
		q.limit = (int)v;
	q.cursor = q_str(r, "cursor", 100);
	if (reply_if_invalid(r))
		return;
	base_url(r, base, sizeof(base));
	q.base = base;
	err_clear(&err);
	if (node_meta_get(req_db(r), "fed_name", publisher, sizeof(publisher), &err) != 1 ||
	    publisher[0] == '\0')
		snprintf(publisher, sizeof(publisher), "%s", PUBLISHER_DEFAULT);
	q.publisher = publisher;
	err_clear(&err);
	json_t *o = opendata_dcat_catalog(req_db(r), &q, &err);
	if (o == NULL) {
		reply_err(r, &err);
		return;
	}
	char *s = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	if (s == NULL) {
		reply_problem(r, 500, "internal", "could not render the catalog");
		return;
	}
	reply_raw(r, 200, "application/ld+json", s, strlen(s));
}

void
h_datasets_quality(struct req *r)
{
	int64_t id = req_param_id(r, 0);
	struct zt_err err;

	if (id < 0)
		return;
	err_clear(&err);
	json_t *o = opendata_quality_json(req_db(r), id, clock_now(), &err);
	if (o == NULL) {
		reply_err(r, &err);
		return;
	}
	reply_json(r, 200, o);
}
