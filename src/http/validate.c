/* validate.c - JSON and query-string validators that name the bad field. */
#include "http/validate.h"
#include "http/req.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int
json_text_depth(const char *s, size_t n)
{
	int depth = 0, max = 0, in_str = 0;

	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (in_str) {
			if (c == '\\')
				i++;
			else if (c == '"')
				in_str = 0;
			continue;
		}
		if (c == '"')
			in_str = 1;
		else if (c == '{' || c == '[') {
			if (++depth > max)
				max = depth;
		} else if (c == '}' || c == ']')
			depth--;
	}
	return max;
}

static int
bounds(struct req *r, json_t *v, const char *path, int depth)
{
	char sub[128];

	switch (json_typeof(v)) {
	case JSON_STRING:
		if (json_string_length(v) > JSON_MAX_STRING) {
			req_field_error(r, path, "too_long", "text longer than %d bytes",
					JSON_MAX_STRING);
			return -1;
		}
		return 0;
	case JSON_ARRAY: {
		size_t i;
		json_t *e;
		if (json_array_size(v) > JSON_MAX_LIST) {
			req_field_error(r, path, "too_many", "list longer than %d items",
					JSON_MAX_LIST);
			return -1;
		}
		json_array_foreach(v, i, e)
		{
			snprintf(sub, sizeof(sub), "%s[%zu]", path, i);
			if (bounds(r, e, sub, depth + 1) < 0)
				return -1;
		}
		return 0;
	}
	case JSON_OBJECT: {
		const char *k;
		json_t *e;
		if (json_object_size(v) > JSON_MAX_LIST) {
			req_field_error(r, path, "too_many", "object with more than %d members",
					JSON_MAX_LIST);
			return -1;
		}
		json_object_foreach(v, k, e)
		{
			snprintf(sub, sizeof(sub), "%s%s%s", path, *path ? "." : "", k);
			if (bounds(r, e, sub, depth + 1) < 0)
				return -1;
		}
		return 0;
	}
	default:
		return 0;
	}
}

int
json_check_bounds(struct req *r, json_t *v)
{
	return bounds(r, v, "", 0);
}

int
v_only(struct req *r, json_t *obj, const char *prefix, const char *const *allowed)
{
	const char *k;
	json_t *e;
	int bad = 0;

	json_object_foreach(obj, k, e)
	{
		int ok = 0;
		for (const char *const *a = allowed; *a; a++)
			if (strcmp(*a, k) == 0) {
				ok = 1;
				break;
			}
		if (!ok) {
			char f[128];
			snprintf(f, sizeof(f), "%s%s%s", prefix, *prefix ? "." : "", k);
			req_field_error(r, f, "unknown_field", "unknown field");
			bad = 1;
		}
	}
	return bad ? -1 : 0;
}

const char *
v_str(struct req *r, json_t *obj, const char *field, int required, long minlen, long maxlen)
{
	json_t *v = json_object_get(obj, field);

	if (v == NULL || json_is_null(v)) {
		if (required)
			req_field_error(r, field, "required", "is required");
		return NULL;
	}
	if (!json_is_string(v)) {
		req_field_error(r, field, "type", "must be a string");
		return NULL;
	}
	const char *s = json_string_value(v);
	if (strlen(s) != json_string_length(v)) {
		req_field_error(r, field, "format", "must not contain NUL characters");
		return NULL;
	}
	long n = utf8_len(s);
	if (n < minlen) {
		req_field_error(r, field, n == 0 ? "required" : "too_short",
				n == 0 ? "is required" : "must be at least %ld characters", minlen);
		return NULL;
	}
	if (n > maxlen) {
		req_field_error(r, field, "too_long", "must be at most %ld characters", maxlen);
		return NULL;
	}
	return s;
}

int
v_int(struct req *r, json_t *obj, const char *field, int required, int64_t min, int64_t max,
      int64_t dflt, int64_t *out)
{
	json_t *v = json_object_get(obj, field);

	if (v == NULL || json_is_null(v)) {
		if (required) {
			req_field_error(r, field, "required", "is required");
			return -1;
		}
		*out = dflt;
		return 0;
	}
	if (!json_is_integer(v)) {
		req_field_error(r, field, "type", "must be an integer");
		return -1;
	}
	int64_t x = json_integer_value(v);
	if (x < min || x > max) {
		req_field_error(r, field, "range", "must be between %lld and %lld", (long long)min,
				(long long)max);
		return -1;
	}
	*out = x;
	return 0;
}

int
v_bool(struct req *r, json_t *obj, const char *field, int required, int dflt, int *out)
{
	json_t *v = json_object_get(obj, field);

	if (v == NULL || json_is_null(v)) {
		if (required) {
			req_field_error(r, field, "required", "is required");
			return -1;
		}
		*out = dflt;
		return 0;
	}
	if (!json_is_boolean(v)) {
		req_field_error(r, field, "type", "must be true or false");
		return -1;
	}
	*out = json_is_true(v);
	return 0;
}

json_t *
v_array(struct req *r, json_t *obj, const char *field, int required, size_t minlen, size_t maxlen)
{
	json_t *v = json_object_get(obj, field);

	if (v == NULL || json_is_null(v)) {
		if (required)
			req_field_error(r, field, "required", "is required");
		return NULL;
	}
	if (!json_is_array(v)) {
		req_field_error(r, field, "type", "must be a list");
		return NULL;
	}
	if (json_array_size(v) < minlen) {
		req_field_error(r, field, "too_short", "must have at least %zu items", minlen);
		return NULL;
	}
	if (json_array_size(v) > maxlen) {
		req_field_error(r, field, "too_many", "must have at most %zu items", maxlen);
		return NULL;
	}
	return v;
}

json_t *
v_object(struct req *r, json_t *obj, const char *field, int required)
{
	json_t *v = json_object_get(obj, field);

	if (v == NULL || json_is_null(v)) {
		if (required)
			req_field_error(r, field, "required", "is required");
		return NULL;
	}
	if (!json_is_object(v)) {
		req_field_error(r, field, "type", "must be an object");
		return NULL;
	}
	return v;
}

int
v_enum(struct req *r, json_t *obj, const char *field, int required, const char *const *allowed)
{
	const char *s = v_str(r, obj, field, required, 1, 64);

	if (s == NULL)
		return -1;
	for (int i = 0; allowed[i]; i++)
		if (strcmp(allowed[i], s) == 0)
			return i;
	char list[256] = "";
	for (int i = 0; allowed[i]; i++) {
		strncat(list, i ? ", " : "", sizeof(list) - strlen(list) - 1);
		strncat(list, allowed[i], sizeof(list) - strlen(list) - 1);
	}
	req_field_error(r, field, "enum", "must be one of: %s", list);
	return -1;
}

int
q_int(struct req *r, const char *key, int64_t min, int64_t max, int64_t dflt, int64_t *out)
{
	const char *s = req_query(r, key);
	char *end;

	if (s == NULL || *s == '\0') {
		*out = dflt;
		return 0;
	}
	long long v = strtoll(s, &end, 10);
	if (*end != '\0' || v < min || v > max) {
		req_field_error(r, key, "range", "must be an integer between %lld and %lld",
				(long long)min, (long long)max);
		return -1;
	}
	*out = v;
	return 0;
}

const char *
q_str(struct req *r, const char *key, long maxlen)
{
	const char *s = req_query(r, key);

	if (s == NULL || *s == '\0')
		return NULL;
	long n = utf8_len(s);
	if (n < 0) {
		req_field_error(r, key, "format", "is not valid UTF-8");
		return NULL;
	}
	if (n > maxlen) {
		req_field_error(r, key, "too_long", "must be at most %ld characters", maxlen);
		return NULL;
	}
	return s;
}

/* A query-string enum; its value, the default when absent, NULL (with a
 * field error) when not among allowed. */
const char *
q_enum(struct req *r, const char *key, const char *const *allowed, const char *dflt)
{
	const char *s = q_str(r, key, 20);

	if (s == NULL)
		return req_query(r, key) && *req_query(r, key) ? NULL : dflt;
	for (int i = 0; allowed[i]; i++)
		if (strcmp(allowed[i], s) == 0)
			return allowed[i];
	char list[128] = "";
	for (int i = 0; allowed[i]; i++) {
		strncat(list, i ? ", " : "", sizeof(list) - strlen(list) - 1);
		strncat(list, allowed[i], sizeof(list) - strlen(list) - 1);
	}
	req_field_error(r, key, "enum", "must be one of: %s", list);
	return NULL;
}
