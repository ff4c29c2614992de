/* req.h - one HTTP request as handlers see it, and the helpers that fill
 * its response.
 *
 * A request owns everything tied to it (body, parsed JSON, read connection,
 * response); req_free() releases it all. Handlers never write to the socket:
 * they call one reply_* function, exactly once. */
#ifndef ZT_REQ_H
#define ZT_REQ_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "base/buf.h"
#include "base/err.h"
#include "db/db.h"
#include "domain/principal.h"

struct MHD_Connection;
struct route;
struct upload;

#define REQ_MAX_PARAMS	4
#define REQ_MAX_HEADERS 8

struct req {
	struct MHD_Connection *conn;
	const struct route *route;
	int route_index;
	char id[17];
	char method[8];
	char *path;
	char *params[REQ_MAX_PARAMS];
	int nparams;
	const char *lang; /* "zh" or "en" (Accept-Language) */

	struct principal who; /* who.user_id == 0 when anonymous */

	struct buf body;
	json_t *json;
	struct upload *upload;
	int body_too_big;

	db_conn *db;	/* read connection, taken on first use (req_db) */
	json_t *errors; /* field errors collected by validators */

	int status;
	char *resp;
	size_t resp_len;
	const char *ctype;
	const char *hdr_name[REQ_MAX_HEADERS];
	char *hdr_value[REQ_MAX_HEADERS];
	int nhdr;
	int replied;
	/* A streamed body (reply_stream), read by MHD as it sends. */
	ssize_t (*stream)(void *cls, uint64_t pos, char *buf, size_t max);
	void (*stream_free)(void *cls);
	void *stream_cls;
	const char *cache_control; /* NULL = no-store */
	const char *csp;	   /* NULL = default-src 'none' (API answers) */
	uint64_t t0;
	/* Test seam: without a connection (conn NULL: unit tests, fuzzing),
	 * req_query, req_query_all and req_header read these NULL-terminated
	 * name, value, name, value ... lists (owned by the caller) instead. */
	const char *const *test_query;
	const char *const *test_headers;
};

/* The request's read connection (taken from the pool on first use). */
db_conn *req_db(struct req *r);
/* A query-string argument, or NULL. */
const char *req_query(struct req *r, const char *key);
/* A request header, or NULL. */
const char *req_header(struct req *r, const char *name);
/* Path parameter i as a positive integer id, or -1 (and replies 404). */
int64_t req_param_id(struct req *r, int i);
/* Adds a response header (value copied, CR/LF stripped). */
void req_add_header(struct req *r, const char *name, const char *value);

/* Responses. reply_json steals body. */
void reply_json(struct req *r, int status, json_t *body);
/* 201 with body and Location: collection/id (reply_json steals body). */
void reply_created(struct req *r, const char *collection, int64_t id, json_t *body);
void reply_raw(struct req *r, int status, const char *ctype, char *data, size_t len);
/* A body of unknown length produced by read (MHD's content reader: bytes
 * written, -1 at the end, -2 on an error) as it is sent; free_fn(cls) runs
 * when the answer is done (also when it is never sent). Memory stays the
 * reader's, however large the body. */
void reply_stream(struct req *r, int status, const char *ctype,
		  ssize_t (*read)(void *cls, uint64_t pos, char *buf, size_t max),
		  void (*free_fn)(void *cls), void *cls);
/* Every value of query parameter key (repeated keys), up to max, in out;
 * returns how many there are (may exceed max). */
int req_query_all(struct req *r, const char *key, const char **out, int max);
/* Calls fn(cls, key, value) for each query argument in order (value "" when
 * absent) until fn returns nonzero; returns how many were visited (fn NULL:
 * counts them all). Reads the test seam without a connection. */
int req_query_each(struct req *r, int (*fn)(void *cls, const char *key, const char *value),
		   void *cls);
/* problem+json without field errors. */
void reply_problem(struct req *r, int status, const char *reason, const char *detail);
/* Maps err->code to a status; names err->field in errors[] when set. */
void reply_err(struct req *r, const struct zt_err *err);
/* Records a field error to be sent by reply_invalid. */
void req_field_error(struct req *r, const char *field, const char *reason, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* If field errors were recorded, replies 400 with all of them and returns 1. */
int reply_if_invalid(struct req *r);

int status_of_err(int code);

#endif
