/* fuzz_api_get.c - query strings and path parameters of every route without
 * a body (searches, lists, the open data rows / chart / download queries,
 * the DCAT catalog, static files), run through the server's request path
 * against the demo node as a chosen principal (fuzz.h, fuzz_http_one). */
#include "fuzz.h"

int
fuzz_api_get_one(const uint8_t *data, size_t size)
{
	return fuzz_http_one(data, size, 1u << BODY_NONE);
}

FUZZ_TARGET_DB(api_get)
