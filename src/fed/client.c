/* client.c - node-to-node HTTP calls with libcurl (see client.h). */
#include "fed/client.h"

#include <curl/curl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "base/config.h"
#include "fed/envelope.h"
#include "fed/node.h"

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static pthread_mutex_t self_mu = PTHREAD_MUTEX_INITIALIZER;
static char self_region[8];

static void
curl_init_once(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
}

void
fed_client_init(void)
{
	pthread_once(&curl_once, curl_init_once);
}

const char *
fed_self(void)
{
	pthread_mutex_lock(&self_mu);
	if (self_region[0] == '\0') {
		struct zt_err err;
		db_conn *c = db_read_acquire();
		if (c) {
			char r[8];
			if (node_meta_get(c, "fed_region", r, sizeof(r), &err) == 1)
				memcpy(self_region, r, sizeof(r));
			db_read_release(c);
		}
	}
	pthread_mutex_unlock(&self_mu);
	return self_region;
}

void
fed_self_reset(void)
{
	pthread_mutex_lock(&self_mu);
	self_region[0] = '\0';
	pthread_mutex_unlock(&self_mu);
}

int
fed_node_url(db_conn *c, const char *region, char *url, size_t cap, struct zt_err *err)
{
	db_stmt *s = db_prepare(c,
				"SELECT url FROM fed_nodes WHERE region_code = ?1"
				" AND status = 'active' AND url IS NOT NULL",
				err);
	if (s == NULL)
		return err->code;
	db_bind_text(s, 1, region);
	int rc = db_step(s, err);
	if (rc == DB_ROW)
		snprintf(url, cap, "%s", db_col_text(s, 0));
	db_reset(s);
	return rc < 0 ? rc : rc == DB_ROW;
}

static size_t
on_data(char *p, size_t size, size_t n, void *ctx)
{
	struct buf *b = ctx;
	if (b->len + size * n > (64u << 20)) /* an answer larger than 64 MiB is refused */
		return 0;
	buf_append(b, p, size * n);
	return size * n;
}

struct hdrs {
	struct curl_slist *list;
};

static void
add_header(void *ctx, const char *name, const char *value)
{
	struct hdrs *h = ctx;
	char line[512];
	snprintf(line, sizeof(line), "%s: %s", name, value);
	h->list = curl_slist_append(h->list, line);
}

/* Joins base (an optional "/" at its end) and path into out. */
static void
join_url(const char *base, const char *path, char *out, size_t cap)
{
	size_t bl = strlen(base);
	if (bl > 0 && base[bl - 1] == '/')
		bl--;
	snprintf(out, cap, "%.*s%s", (int)bl, base, path);
}

static int
perform(const char *url, const char *method, struct curl_slist *headers, const void *body, size_t n,
	struct fed_reply *out, struct zt_err *err)
{
	fed_client_init();
	CURL *h = curl_easy_init();
	if (h == NULL)
		return err_set(err, ZT_EINTERNAL, "", "curl", "cannot start an HTTP client");
	char errbuf[CURL_ERROR_SIZE] = "";
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
	if (strcmp(method, "GET") != 0) {
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, body ? (const char *)body : "");
		curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)n);
	}
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &out->body);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 2L);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, (long)(cfg.fed_timeout > 0 ? cfg.fed_timeout : 10));
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	CURLcode cc = curl_easy_perform(h);
	int rc = 0;
	if (cc != CURLE_OK) {
		out->status = 0;
		rc = err_set(err, ZT_EUNAVAIL, "", "unreachable", "%s: %s", url,
			     errbuf[0] ? errbuf : curl_easy_strerror(cc));
	} else
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &out->status);
	curl_easy_cleanup(h);
	return rc;
}

int
fed_request(const char *base_url, const char *method, const char *path, const char *message_id,
	    const void *body, size_t n, struct fed_reply *out, struct zt_err *err)
{
	struct envelope e;
	struct hdrs h = {NULL};
	char url[2400];
	int rc;

	out->status = 0;
	buf_init(&out->body);
	const char *self = fed_self();
	if (self[0] == '\0')
		return err_set(err, ZT_EUNAVAIL, "", "not_initialised",
			       "this node has no federation identity (zhengtong node init)");
	if ((rc = envelope_sign_id(method, path, body ? body : "", n, self, message_id, &e, err)) <
	    0)
		return rc;
	envelope_each_header(&e, add_header, &h);
	if (n > 0)
		h.list = curl_slist_append(h.list, "Content-Type: application/json");
	h.list = curl_slist_append(h.list, "Accept: application/json");
	h.list = curl_slist_append(h.list, "Expect:");
	join_url(base_url, path, url, sizeof(url));
	rc = perform(url, method, h.list, body, n, out, err);
	curl_slist_free_all(h.list);
	return rc;
}

int
fed_get_plain(const char *url, struct fed_reply *out, struct zt_err *err)
{
	out->status = 0;
	buf_init(&out->body);
	struct curl_slist *l = curl_slist_append(NULL, "Accept: application/json");
	int rc = perform(url, "GET", l, NULL, 0, out, err);
	curl_slist_free_all(l);
	return rc;
}

int
fed_call(const char *region, const char *method, const char *path, json_t *body, long *status,
	 json_t **answer, struct zt_err *err)
{
	char url[NODE_URL_MAX];
	struct fed_reply r;
	char *text = NULL;
	int rc;

	*status = 0;
	*answer = NULL;
	db_conn *c = db_read_acquire();
	if (c == NULL)
		return err_set(err, ZT_EUNAVAIL, "", "db", "no database connection");
	rc = fed_node_url(c, region, url, sizeof(url), err);
	db_read_release(c);
	if (rc < 0)
		return rc;
	if (rc == 0)
		return err_set(err, ZT_ENOTFOUND, "region", "unknown_node",
			       "no active node of region %s is known", region);
	if (body)
		text = json_dumps(body, JSON_COMPACT);
	rc = fed_request(url, method, path, NULL, text, text ? strlen(text) : 0, &r, err);
	free(text);
	if (rc == 0) {
		*status = r.status;
		*answer = json_loadb(r.body.data ? r.body.data : "", r.body.len, 0, NULL);
	}
	fed_reply_free(&r);
	return rc;
}

void
fed_reply_free(struct fed_reply *r)
{
	buf_cleanup(&r->body);
}
