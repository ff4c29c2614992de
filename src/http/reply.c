/* reply.c - request accessors and response builders (JSON, problem+json). */
#include "http/req.h"
#include "http/router.h"
#include "base/utf8.h"
#include "base/xmalloc.h"

#include <microhttpd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

db_conn *
req_db(struct req *r)
{
	if (r->db == NULL)
		r->db = db_read_acquire();
	return r->db;
}

/* The test seam's lookup (req.h): the first value of key in the pairs kv;
 * header names compare without case, as in HTTP. */
static const char *
test_lookup(const char *const *kv, const char *key, int nocase)
{
	for (; kv && kv[0]; kv += 2)
		if ((nocase ? strcasecmp(kv[0], key) : strcmp(kv[0], key)) == 0)
			return kv[1];
	return NULL;
}

const char *
req_query(struct req *r, const char *key)
{
	if (r->conn == NULL)
		return test_lookup(r->test_query, key, 0);
	return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, key);
}

const char *
req_header(struct req *r, const char *name)
{
	if (r->conn == NULL)
		return test_lookup(r->test_headers, name, 1);
	return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

void
req_add_header(struct req *r, const char *name, const char *value)
{
	if (r->nhdr == REQ_MAX_HEADERS)
		return;
	char *v = xstrdup(value);
	for (char *p = v; *p; p++)
		if (*p == '\r' || *p == '\n')
			*p = ' ';
	r->hdr_name[r->nhdr] = name;
	r->hdr_value[r->nhdr++] = v;
}

int64_t
req_param_id(struct req *r, int i)
{
	char *end;
	const char *s = i < r->nparams ? r->params[i] : NULL;
	long long v = s ? strtoll(s, &end, 10) : 0;

	if (s == NULL || *end != '\0' || v <= 0 || *s == '+' || *s == '0') {
		reply_problem(r, 404, "not_found", "no such resource");
		return -1;
	}
	return v;
}

static void
set_body(struct req *r, int status, const char *ctype, char *data, size_t len)
{
	if (r->replied) {
		free(data);
		return;
	}
	r->replied = 1;
	r->status = status;
	r->ctype = ctype;
	r->resp = data;
	r->resp_len = len;
}

void
reply_raw(struct req *r, int status, const char *ctype, char *data, size_t len)
{
	set_body(r, status, ctype, data, len);
}

void
reply_stream(struct req *r, int status, const char *ctype,
	     ssize_t (*read)(void *cls, uint64_t pos, char *buf, size_t max),
	     void (*free_fn)(void *cls), void *cls)
{
	if (r->replied) {
		free_fn(cls);
		return;
	}
	set_body(r, status, ctype, NULL, 0);
	r->stream = read;
	r->stream_free = free_fn;
	r->stream_cls = cls;
}

struct query_each {
	int (*fn)(void *cls, const char *key, const char *value);
	void *cls;
	int n, stopped;
};

static enum MHD_Result
on_query_each(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
	struct query_each *qe = cls;

	(void)kind;
	qe->n++;
	if (qe->fn && qe->fn(qe->cls, key ? key : "", value ? value : "") != 0) {
		qe->stopped = 1;
		return MHD_NO;
	}
	return MHD_YES;
}

int
req_query_each(struct req *r, int (*fn)(void *cls, const char *key, const char *value), void *cls)
{
	struct query_each qe = {fn, cls, 0, 0};

	if (r->conn)
		MHD_get_connection_values(r->conn, MHD_GET_ARGUMENT_KIND, on_query_each, &qe);
	else
		for (const char *const *kv = r->test_query; kv && kv[0] && !qe.stopped; kv += 2)
			on_query_each(&qe, MHD_GET_ARGUMENT_KIND, kv[0], kv[1]);
	return qe.n;
}

struct query_all {
	const char *key;
	const char **out;
	int max, n;
};

static int
on_query_value(void *cls, const char *key, const char *value)
{
	struct query_all *qa = cls;

	if (strcmp(key, qa->key) == 0) {
		if (qa->n < qa->max)
			qa->out[qa->n] = value;
		qa->n++;
	}
	return 0;
}

int
req_query_all(struct req *r, const char *key, const char **out, int max)
{
	struct query_all qa = {key, out, max, 0};

	req_query_each(r, on_query_value, &qa);
	return qa.n;
}

void
reply_json(struct req *r, int status, json_t *body)
{
	char *s = json_dumps(body, JSON_COMPACT);

	json_decref(body);
	if (s == NULL) {
		s = xstrdup("{}");
	}
	set_body(r, status, "application/json; charset=utf-8", s, strlen(s));
}

int
status_of_err(int code)
{
	switch (code) {
	case ZT_OK:
		return 200;
	case ZT_EINVAL:
		return 400;
	case ZT_EUNAUTH:
		return 401;
	case ZT_EFORBIDDEN:
		return 403;
	case ZT_ENOTFOUND:
		return 404;
	case ZT_ECONFLICT:
		return 409;
	case ZT_ETOOBIG:
		return 413;
	case ZT_EUNSUPPORTED:
		return 415;
	case ZT_ERULE:
		return 422;
	case ZT_ELIMIT:
		return 429;
	case ZT_ENOSPACE:
		return 507;
	case ZT_EUNAVAIL:
		return 503;
	case ZT_EINTERNAL:
		return 500;
	}
	return 500;
}

static const char *
title_of(int status, int zh)
{
	switch (status) {
	case 400:
		return zh ? "请求内容有误" : "Bad request";
	case 401:
		return zh ? "请先登录" : "Authentication required";
	case 403:
		return zh ? "无权执行此操作" : "Forbidden";
	case 404:
		return zh ? "未找到" : "Not found";
	case 405:
		return zh ? "不支持的请求方法" : "Method not allowed";
	case 409:
		return zh ? "当前状态不允许此操作" : "Conflict with the current state";
	case 413:
		return zh ? "内容过大" : "Payload too large";
	case 415:
		return zh ? "不支持的文件类型" : "Unsupported media type";
	case 422:
		return zh ? "不符合业务规则" : "Business rule violated";
	case 429:
		return zh ? "请求过于频繁" : "Too many requests";
	case 503:
		return zh ? "服务暂不可用" : "Service unavailable";
	case 507:
		return zh ? "存储空间不足" : "Insufficient storage";
	}
	return zh ? "服务器内部错误" : "Internal server error";
}

/* s as a JSON string, never NULL: a message may quote raw input or be cut
 * in the middle of a character (jansson refuses invalid UTF-8, and a
 * refused string would silently drop the error it belongs to). */
static json_t *
text_json(const char *s)
{
	json_t *j = json_string(s);

	if (j == NULL) {
		char *t = xstrdup(s);
		utf8_scrub(t);
		j = json_string(t);
		free(t);
	}
	return j;
}

static json_t *
error_json(const char *field, const char *reason, const char *detail)
{
	json_t *e = json_object();

	json_object_set_new(e, "field", text_json(field));
	json_object_set_new(e, "reason", text_json(reason));
	json_object_set_new(e, "detail", text_json(detail));
	return e;
}

static void
problem(struct req *r, int status, const char *reason, const char *detail, json_t *errors)
{
	json_t *p = json_object();

	json_object_set_new(p, "type", json_sprintf("/problems/%s", reason));
	json_object_set_new(p, "title", json_string(title_of(status, strcmp(r->lang, "en") != 0)));
	json_object_set_new(p, "status", json_integer(status));
	if (detail)
		json_object_set_new(p, "detail", text_json(detail));
	json_object_set_new(p, "instance", json_string(r->id));
	if (errors)
		json_object_set(p, "errors", errors);
	char *s = json_dumps(p, JSON_COMPACT);
	json_decref(p);
	set_body(r, status, "application/problem+json; charset=utf-8", s, strlen(s));
}

void
reply_problem(struct req *r, int status, const char *reason, const char *detail)
{
	problem(r, status, reason, detail, NULL);
}

void
reply_err(struct req *r, const struct zt_err *err)
{
	int status = status_of_err(err->code);
	const char *kind = err_code_name(err->code);
	const char *reason = err->reason[0] ? err->reason : kind;

	if (err->code == ZT_EINTERNAL &&
	    (strcmp(reason, "integrity") == 0 || strcmp(reason, "bad_mac") == 0 ||
	     strcmp(reason, "bad_ciphertext") == 0 || strcmp(reason, "unknown_key_version") == 0)) {
		/* Encryption at rest: a stored value failed its check. Named (an
		 * operator must restore it or the key file), never shown. */
		problem(r, status, "integrity",
			"a stored value failed its integrity check (tampered, or the wrong data "
			"key file); nothing of it is shown",
			NULL);
		return;
	}
	if (status >= 500 && err->code != ZT_ENOSPACE && err->code != ZT_EUNAVAIL) {
		/* Internal details stay in the log. */
		problem(r, status, "internal", "internal error; see the server log", NULL);
		return;
	}
	if (err->field[0]) {
		json_t *errors = json_array();
		json_array_append_new(errors, error_json(err->field, reason, err->msg));
		problem(r, status, kind, err->msg, errors);
		json_decref(errors);
		return;
	}
	problem(r, status, reason, err->msg, NULL);
}

void
req_field_error(struct req *r, const char *field, const char *reason, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (r->errors == NULL)
		r->errors = json_array();
	if (json_array_size(r->errors) >= 50)
		return;
	json_array_append_new(r->errors, error_json(field, reason, msg));
}

int
reply_if_invalid(struct req *r)
{
	if (r->errors == NULL || json_array_size(r->errors) == 0)
		return 0;
	json_t *first = json_array_get(r->errors, 0);
	char detail[320];
	snprintf(detail, sizeof(detail), "%s: %s",
		 json_string_value(json_object_get(first, "field")),
		 json_string_value(json_object_get(first, "detail")));
	problem(r, 400, "invalid", detail, r->errors);
	return 1;
}

void
reply_created(struct req *r, const char *collection, int64_t id, json_t *body)
{
	char loc[128];

	snprintf(loc, sizeof(loc), "%s/%lld", collection, (long long)id);
	req_add_header(r, "Location", loc);
	reply_json(r, 201, body);
}
