/* server.c - libmicrohttpd glue: builds a struct req per request, applies the
 * route's policy (auth, body kind and limits), calls the handler and sends
 * the response with security headers, an access-log line and metrics. */
#include "http/server.h"
#include "http/metrics.h"
#include "http/req.h"
#include "http/router.h"
#include "http/upload.h"
#include "http/validate.h"
#include "base/clock.h"
#include "base/config.h"
#include "base/log.h"
#include "base/xmalloc.h"
#include "crypto/token.h"
#include "domain/auth.h"
#include "domain/share.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static struct MHD_Daemon *daemon_h;
static int bound_port;
static char tmp_dir[600];

static struct req *
req_new(struct MHD_Connection *conn, const char *method, const char *url)
{
	struct req *r = xcalloc(1, sizeof(*r));

	r->conn = conn;
	r->t0 = clock_mono_ns();
	r->route_index = -1;
	random_hex(r->id, 8);
	snprintf(r->method, sizeof(r->method), "%s", method);
	r->path = xstrdup(url);
	buf_init(&r->body);
	const char *al = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Accept-Language");
	const char *ql = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "lang");
	if (ql)
		r->lang = strncmp(ql, "en", 2) == 0 ? "en" : "zh";
	else
		r->lang = al && strncmp(al, "en", 2) == 0 ? "en" : "zh";
	return r;
}

static void
req_free(struct req *r)
{
	for (int i = 0; i < r->nparams; i++)
		free(r->params[i]);
	for (int i = 0; i < r->nhdr; i++)
		free(r->hdr_value[i]);
	free(r->path);
	buf_cleanup(&r->body);
	json_decref(r->json);
	json_decref(r->errors);
	upload_free(r->upload);
	db_read_release(r->db);
	free(r->resp);
	if (r->stream_free)
		r->stream_free(r->stream_cls);
	free(r);
}

static void
access_log(struct req *r)
{
	char ts[32];
	double ms = (double)(clock_mono_ns() - r->t0) / 1e6;
	json_t *line;
	char *s;

	time_format(clock_now(), ts);
	line = json_pack("{s:s, s:s, s:s, s:s, s:s, s:i, s:f, s:I, s:I}", "ts", ts, "id", r->id,
			 "method", r->method, "path", r->path, "route",
			 r->route ? r->route->name : "-", "status", r->status, "ms", ms, "user",
			 (json_int_t)r->who.user_id, "bytes", (json_int_t)r->resp_len);
	s = json_dumps(line, JSON_COMPACT | JSON_REAL_PRECISION(4));
	log_access_line(s);
	free(s);
	json_decref(line);
}

static enum MHD_Result
send_reply(struct req *r)
{
	struct MHD_Response *resp;
	enum MHD_Result ret;

	if (!r->replied)
		reply_problem(r, 500, "internal", "the handler gave no answer");
	metrics_observe(r->route_index, r->status, clock_mono_ns() - r->t0);
	if (log_access_enabled())
		access_log(r);
	if (r->stream) {
		resp = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 64 * 1024, r->stream,
							 r->stream_cls, r->stream_free);
		r->stream = NULL;
		r->stream_free = NULL; /* the response's now */
	} else {
		resp = MHD_create_response_from_buffer(r->resp_len, r->resp, MHD_RESPMEM_MUST_FREE);
		r->resp = NULL;
	}
	MHD_add_response_header(resp, "Content-Type", r->ctype);
	MHD_add_response_header(resp, "X-Request-Id", r->id);
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
	MHD_add_response_header(resp, "Cache-Control",
				r->cache_control ? r->cache_control : "no-store");
	MHD_add_response_header(resp, "Content-Security-Policy",
				r->csp ? r->csp : "default-src 'none'; frame-ancestors 'none'");
	MHD_add_response_header(resp, "X-Frame-Options", "DENY");
	for (int i = 0; i < r->nhdr; i++)
		MHD_add_response_header(resp, r->hdr_name[i], r->hdr_value[i]);
	ret = MHD_queue_response(r->conn, (unsigned)r->status, resp);
	MHD_destroy_response(resp);
	return ret;
}

/* Authentication and authorization by the route's declared policy.
 * Returns 0 to go on, -1 when a reply was set. */
static int
guard(struct req *r)
{
	const char *h = req_header(r, "Authorization");
	unsigned who;

	if (h && strncasecmp(h, "Bearer ", 7) == 0) {
		const char *tok = h + 7;
		int found = 0;
		struct zt_err err;
		if (token_looks_valid(tok))
			found = auth_session_lookup(req_db(r), tok, &r->who, &err);
		else if (share_key_looks_valid(tok)) /* a department system's API key */
			found = share_key_lookup(req_db(r), tok, &r->who, &err);
		if (found < 0) {
			reply_err(r, &err);
			return -1;
		}
		if (!found && !(r->route->who & WHO_ANON)) {
			reply_problem(r, 401, "invalid_token",
				      "the token is unknown, expired or revoked; sign in again");
			return -1;
		}
		if (!found)
			memset(&r->who, 0, sizeof(r->who));
	}
	who = principal_who(&r->who);
	if ((r->route->who & who) != 0)
		return 0;
	if (r->who.kind == KIND_NONE) {
		reply_problem(r, 401, "unauthenticated", "sign in first");
		return -1;
	}
	reply_problem(r, 403, "forbidden", "your account may not do this");
	return -1;
}

#define DRAIN_MAX (8u << 20) /* excess bytes read and dropped before a 413 */

static size_t
body_limit(const struct route *rt)
{
	switch (rt->body) {
	case BODY_NONE:
		return 0;
	case BODY_JSON:
		return cfg.json_max;
	case BODY_FILE:
		return cfg.upload_max;
	}
	return 0;
}

/* First call: match, guard and check the declared length. */
static void
begin(struct req *r)
{
	int idx = router_match(r->method, r->path, r->params, &r->nparams);

	if (idx == -1) {
		reply_problem(r, 404, "not_found", "no such endpoint");
		return;
	}
	if (idx == -2) {
		reply_problem(r, 405, "method_not_allowed", "method not allowed on this path");
		return;
	}
	r->route_index = idx;
	r->route = &routes[idx];
	const char *cl = req_header(r, "Content-Length");
	unsigned long long declared = cl ? strtoull(cl, NULL, 10) : 0;
	if (declared > body_limit(r->route)) {
		/* A body far too large is refused before it is read. A smaller
		 * excess is read and dropped first (take_body), and refused when it
		 * ends: answering early and closing with unread data in the socket
		 * resets the connection, and the client may lose the 413. */
		if (declared - body_limit(r->route) > DRAIN_MAX)
			reply_problem(r, 413, "too_large", "the request body is too large");
		else
			r->body_too_big = 1;
		return;
	}
	if (guard(r) < 0)
		return;
	if (r->route->body == BODY_FILE) {
		r->upload = upload_new(tmp_dir);
		if (r->upload == NULL)
			reply_problem(r, 507, "storage_full", "cannot store the upload");
	}
}

static void
take_body(struct req *r, const char *data, size_t n)
{
	size_t limit = r->route ? body_limit(r->route) : 0;

	if (r->replied || r->body_too_big)
		return;
	if (r->upload) {
		if (r->upload->size + n > limit) {
			r->body_too_big = 1;
			return;
		}
		upload_write(r->upload, data, n);
		return;
	}
	if (r->body.len + n > limit) {
		r->body_too_big = 1;
		return;
	}
	buf_append(&r->body, data, n);
}

static int
parse_json(struct req *r)
{
	json_error_t jerr;
	const char *ct = req_header(r, "Content-Type");

	if (r->body.len == 0) {
		r->json = json_object();
		return 0;
	}
	if (ct == NULL || strncasecmp(ct, "application/json", 16) != 0) {
		reply_problem(r, 415, "unsupported_media_type",
			      "send the body as application/json");
		return -1;
	}
	if (json_text_depth(r->body.data, r->body.len) > JSON_MAX_DEPTH) {
		req_field_error(r, "", "too_deep", "JSON nested deeper than %d levels",
				JSON_MAX_DEPTH);
		reply_if_invalid(r);
		return -1;
	}
	r->json = json_loadb(r->body.data, r->body.len, JSON_REJECT_DUPLICATES, &jerr);
	if (r->json == NULL) {
		req_field_error(r, "", "malformed_json", "malformed JSON at line %d column %d: %s",
				jerr.line, jerr.column, jerr.text);
		reply_if_invalid(r);
		return -1;
	}
	if (!json_is_object(r->json)) {
		req_field_error(r, "", "type", "the body must be a JSON object");
		reply_if_invalid(r);
		return -1;
	}
	if (json_check_bounds(r, r->json) < 0) {
		reply_if_invalid(r);
		return -1;
	}
	return 0;
}

static void
finish(struct req *r)
{
	if (r->replied)
		return;
	if (r->body_too_big) {
		reply_problem(r, 413, "too_large", "the request body is too large");
		return;
	}
	if (r->route->body == BODY_JSON && parse_json(r) < 0)
		return;
	if (r->route->body == BODY_NONE && r->body.len) {
		reply_problem(r, 413, "too_large", "this endpoint takes no body");
		return;
	}
	r->route->fn(r);
}

static enum MHD_Result
on_request(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
	   const char *version, const char *upload_data, size_t *upload_data_size, void **con_cls)
{
	struct req *r = *con_cls;

	if (r == NULL) {
		r = req_new(conn, method, url);
		*con_cls = r;
		begin(r);
		/* Refuse early (without reading the body) when already decided. */
		if (r->replied)
			return send_reply(r);
		return MHD_YES;
	}
	if (*upload_data_size) {
		take_body(r, upload_data, *upload_data_size);
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (r->status) /* an early reply was already queued */
		return MHD_YES;
	finish(r);
	return send_reply(r);
}

static void
on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
	     enum MHD_RequestTerminationCode toe)
{
	struct req *r = *con_cls;

	if (r)
		req_free(r);
	*con_cls = NULL;
}

/* Percent-decodes in place like libmicrohttpd does, except that %00 becomes
 * 0x01: a decoded NUL would silently cut "/files/<id>%00junk" down to
 * "/files/<id>"; 0x01 keeps the junk visible so the path fails to match. */
static size_t
on_unescape(void *cls, struct MHD_Connection *c, char *s)
{
	char *w = s;

	for (const char *p = s; *p; p++) {
		int hi, lo;
		if (p[0] == '%' && (hi = hex_digit(p[1])) >= 0 && (lo = hex_digit(p[2])) >= 0) {
			char ch = (char)(hi << 4 | lo);
			*w++ = ch ? ch : '\x01';
			p += 2;
		} else
			*w++ = *p;
	}
	*w = '\0';
	return (size_t)(w - s);
}

static void
on_mhd_log(void *cls, const char *fmt, va_list ap)
{
	char line[512];

	vsnprintf(line, sizeof(line), fmt, ap);
	log_warn("http: %s", line);
}

int
server_start(struct zt_err *err)
{
	struct addrinfo hints, *ai = NULL;
	char port[8];
	unsigned flags =
	    MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ERROR_LOG | MHD_USE_TURBO;

	if (router_check() < 0)
		return err_set(err, ZT_EINTERNAL, "", "routes",
			       "route table has a route without policy");
	metrics_init();
	snprintf(tmp_dir, sizeof(tmp_dir), "%s/tmp", cfg.data_dir);
	mkdir(tmp_dir, 0700);
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE;
	snprintf(port, sizeof(port), "%d", cfg.listen_port);
	if (getaddrinfo(cfg.listen_host, port, &hints, &ai) != 0 || ai == NULL)
		return err_set(err, ZT_EINVAL, "listen", "bad_address", "cannot resolve %s",
			       cfg.listen_host);
	if (ai->ai_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	daemon_h = MHD_start_daemon(
	    flags, (uint16_t)cfg.listen_port, NULL, NULL, on_request, NULL,
	    /* The logger first, so that it also hears about the options. */
	    MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, NULL, MHD_OPTION_SOCK_ADDR, ai->ai_addr,
	    MHD_OPTION_THREAD_POOL_SIZE, (unsigned)cfg.threads, MHD_OPTION_NOTIFY_COMPLETED,
	    on_completed, NULL, MHD_OPTION_CONNECTION_TIMEOUT, 60u, MHD_OPTION_CONNECTION_LIMIT,
	    10000u, MHD_OPTION_UNESCAPE_CALLBACK, on_unescape, NULL, MHD_OPTION_END);
	freeaddrinfo(ai);
	if (daemon_h == NULL)
		return err_set(err, ZT_EUNAVAIL, "listen", "bind", "cannot listen on %s:%d",
			       cfg.listen_host, cfg.listen_port);
	const union MHD_DaemonInfo *info = MHD_get_daemon_info(daemon_h, MHD_DAEMON_INFO_BIND_PORT);
	bound_port = info ? info->port : cfg.listen_port;
	return 0;
}

int
server_port(void)
{
	return bound_port;
}

void
server_stop(void)
{
	if (daemon_h)
		MHD_stop_daemon(daemon_h);
	daemon_h = NULL;
}
