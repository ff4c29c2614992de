/* fuzz_api_body.c - JSON bodies (and file uploads) of every route that takes
 * one, with their validation, run through the server's request path
 * against the demo node as a chosen principal (fuzz.h, fuzz_http_one). */
#include "fuzz.h"

int
fuzz_api_body_one(const uint8_t *data, size_t size)
{
	return fuzz_http_one(data, size, 1u << BODY_JSON | 1u << BODY_FILE);
}

FUZZ_TARGET_DB(api_body)
