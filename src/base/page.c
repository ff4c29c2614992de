/* page.c - opaque keyset cursors (base64url of the last row's sort key). */
#include "base/page.h"
#include "base/buf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int
cursor_decode(const char *cursor, char raw[CURSOR_RAW_MAX])
{
	int n = b64url_decode(cursor, (unsigned char *)raw, CURSOR_RAW_MAX - 1);

	if (n <= 0)
		return -1;
	raw[n] = '\0';
	return strlen(raw) == (size_t)n ? 0 : -1;
}

json_t *
page_json(json_t *items, int more, const char *raw_next)
{
	json_t *out = json_object();

	json_object_set_new(out, "items", items);
	if (more) {
		char enc[4 * CURSOR_RAW_MAX / 3 + 4];
		b64url_encode((const unsigned char *)raw_next, strlen(raw_next), enc);
		json_object_set_new(out, "next", json_string(enc));
	} else
		json_object_set_new(out, "next", json_null());
	return out;
}

int
cursor_id(const char *cursor, int64_t *id, struct zt_err *err)
{
	char raw[CURSOR_RAW_MAX], *end;
	long long v;

	if (cursor == NULL)
		return 0;
	if (cursor_decode(cursor, raw) < 0 || (v = strtoll(raw, &end, 10)) <= 0 || *end != '\0')
		return err_set(err, ZT_EINVAL, "cursor", "invalid", "invalid cursor");
	*id = v;
	return 0;
}

json_t *
page_json_id(json_t *items, int more, int64_t last)
{
	char raw[24];

	snprintf(raw, sizeof(raw), "%lld", (long long)last);
	return page_json(items, more, raw);
}
