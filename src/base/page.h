/* page.h - keyset paging: opaque cursors and the {items, next} page shape
 * every list endpoint answers with. */
#ifndef ZT_PAGE_H
#define ZT_PAGE_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

#define CURSOR_RAW_MAX 64

/* Decodes a cursor into raw (NUL-terminated). Returns 0 or -1. */
int cursor_decode(const char *cursor, char raw[CURSOR_RAW_MAX]);
/* {items: items (stolen), next: cursor of raw_next, or null when more is 0}. */
json_t *page_json(json_t *items, int more, const char *raw_next);

/* A cursor holding a positive id (the last row's): with cursor NULL *id is
 * left as it is and 0 returned; a bad cursor is ZT_EINVAL naming "cursor". */
int cursor_id(const char *cursor, int64_t *id, struct zt_err *err);
/* page_json with the cursor of the id last. */
json_t *page_json_id(json_t *items, int more, int64_t last);

#endif
