/* validate.h - checking JSON input against each route's declared fields.
 *
 * Every helper records a field error on the request (naming the field) and
 * returns a failure value; a handler calls several, then reply_if_invalid()
 * once, so the client learns every bad field in one answer. Lengths of text
 * are counted in characters (UTF-8 code points). */
#ifndef ZT_VALIDATE_H
#define ZT_VALIDATE_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "base/utf8.h"

struct req;

#define JSON_MAX_DEPTH	32
#define JSON_MAX_STRING 65536
#define JSON_MAX_LIST	1000

/* Depth of the JSON text (strings skipped); used before parsing. */
int json_text_depth(const char *s, size_t n);
/* Checks generic bounds on a parsed tree; returns 0 or -1 with a field error. */
int json_check_bounds(struct req *r, json_t *v);

/* Rejects members of obj not in allowed (NULL-terminated). prefix names the
 * object in field paths ("" for the body). */
int v_only(struct req *r, json_t *obj, const char *prefix, const char *const *allowed);
/* A string member; NULL when absent (and not required) or invalid. */
const char *v_str(struct req *r, json_t *obj, const char *field, int required, long minlen,
		  long maxlen);
/* An integer member in [min, max]; *out = dflt when absent and optional.
 * Returns 0 or -1. */
int v_int(struct req *r, json_t *obj, const char *field, int required, int64_t min, int64_t max,
	  int64_t dflt, int64_t *out);
int v_bool(struct req *r, json_t *obj, const char *field, int required, int dflt, int *out);
/* An array member with at most maxlen elements; NULL when absent or invalid. */
json_t *v_array(struct req *r, json_t *obj, const char *field, int required, size_t minlen,
		size_t maxlen);
json_t *v_object(struct req *r, json_t *obj, const char *field, int required);
/* One of allowed (NULL-terminated); returns its index, or -1 (absent and
 * optional: -1 without an error, check with json_object_get). */
int v_enum(struct req *r, json_t *obj, const char *field, int required, const char *const *allowed);

/* Query-string integer in [min, max], dflt when absent; -1 with an error. */
int q_int(struct req *r, const char *key, int64_t min, int64_t max, int64_t dflt, int64_t *out);
/* Query-string text up to maxlen characters, NULL when absent or bad. */
const char *q_str(struct req *r, const char *key, long maxlen);
/* A query-string enum: its value, dflt when absent, NULL (with a field
 * error listing the allowed values) when not among allowed. */
const char *q_enum(struct req *r, const char *key, const char *const *allowed, const char *dflt);

#endif
