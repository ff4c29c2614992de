/* fuzz_codec.c - the small decoders of outside text: base64url
 * (b64url_decode), hex (hex_decode), keyset cursors (cursor_decode,
 * cursor_id, page_json), times (time_parse, the DCAT modified_since parser
 * opendata_dcat_parse_since), the JSON depth pre-check (json_text_depth)
 * and UTF-8 lengths.
 *
 * Input: the text (a NUL ends it where there is one).
 * Checks: base64url decodes only canonical text, so decoding then encoding
 * gives the input back; hex likewise (lower case); a cursor decodes to what
 * page_json encodes; json_text_depth never reports less than jansson's real
 * nesting of a document it parses; a parsed time of the years 1000..9999
 * formats and parses back to itself; no time overflows when formatted. */
#include "fuzz.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/buf.h"
#include "base/clock.h"
#include "base/page.h"
#include "base/utf8.h"
#include "domain/opendata_dcat.h"
#include "http/validate.h"

static int
depth_of(json_t *v)
{
	int max = 0, d;
	size_t i;
	const char *k;
	json_t *e;

	if (json_is_array(v)) {
		json_array_foreach(v, i, e) if ((d = depth_of(e)) > max) max = d;
		return max + 1;
	}
	if (json_is_object(v)) {
		json_object_foreach(v, k, e) if ((d = depth_of(e)) > max) max = d;
		return max + 1;
	}
	return 0;
}

int
fuzz_codec_one(const uint8_t *data, size_t size)
{
	char *s = fuzz_strndup(data, size);
	size_t len = strlen(s);
	unsigned char *raw = malloc(len + 1);
	char *enc = malloc(4 * (len / 3 + 2) + 8);

	/* base64url */
	int n = b64url_decode(s, raw, len);
	if (n >= 0) {
		b64url_encode(raw, (size_t)n, enc);
		if (strcmp(enc, s) != 0)
			FUZZ_FAIL("b64url: %s decodes but encodes as %s", s, enc);
	}
	/* hex */
	n = hex_decode(s, raw, len);
	if (n >= 0) {
		hex_encode(raw, (size_t)n, enc);
		if (strcasecmp(enc, s) != 0)
			FUZZ_FAIL("hex: %s decodes but encodes as %s", s, enc);
	}
	/* cursors */
	char cur[CURSOR_RAW_MAX];
	if (cursor_decode(s, cur) == 0) {
		json_t *p = page_json(json_array(), 1, cur);
		const char *next = json_string_value(json_object_get(p, "next"));
		if (next == NULL || strcmp(next, s) != 0)
			FUZZ_FAIL("cursor %s comes back as %s", s, next ? next : "(null)");
		json_decref(p);
	}
	int64_t id = 0;
	struct zt_err err;
	err_clear(&err);
	if (cursor_id(s, &id, &err) == 0 && id <= 0)
		FUZZ_FAIL("cursor_id gave %lld", (long long)id);

	/* times: years 1000..9999 format back (strftime does not pad a
	 * shorter year to four digits, so the round trip stops there) */
	int64_t t;
	const int64_t y1000 = -30610224000LL, y9999 = 253402300799LL;
	char back[40];
	if (time_parse(s, &t) == 0) {
		int64_t t2;
		time_format(t, back);
		if (t >= y1000 && t <= y9999 && (time_parse(back, &t2) != 0 || t2 != t))
			FUZZ_FAIL("time %s = %lld formats as %s", s, (long long)t, back);
	}
	if (opendata_dcat_parse_since(s, &t) == 0) {
		int64_t t2;
		time_format(t, back);
		if (t >= y1000 && t <= y9999 &&
		    (opendata_dcat_parse_since(back, &t2) != 0 || t2 != t))
			FUZZ_FAIL("modified_since %s = %lld formats as %s", s, (long long)t, back);
	}

	/* JSON depth before parsing (the whole input, NULs included) */
	int depth = json_text_depth((const char *)data, size);
	if (depth <= 64) {
		json_t *v = json_loadb((const char *)data, size, JSON_DECODE_ANY, NULL);
		if (v && depth_of(v) > depth)
			FUZZ_FAIL("json_text_depth %d below the real depth %d", depth, depth_of(v));
		json_decref(v);
	}
	utf8_len(s);
	free(enc);
	free(raw);
	free(s);
	return 0;
}

FUZZ_TARGET(codec)
