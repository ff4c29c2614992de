/* page.h - keyset paging: opaque cursors and the {items, next} page shape
 * every list endpoint answers with. */
#ifndef ZT_PAGE_H
#define ZT_PAGE_H

#include <jansson.h>
#include <stddef.h>

#define CURSOR_RAW_MAX 64

/* Decodes a cursor into raw (NUL-terminated). Returns 0 or -1. */
int cursor_decode(const char *cursor, char raw[CURSOR_RAW_MAX]);
/* {items: items (stolen), next: cursor of raw_next, or null when more is 0}. */
json_t *page_json(json_t *items, int more, const char *raw_next);

#endif
