/* xmalloc.h - allocation that never returns NULL.
 *
 * One out-of-memory policy for the whole program: print and abort. Size
 * arithmetic is overflow-checked (xcalloc, xmallocarray). */
#ifndef ZT_XMALLOC_H
#define ZT_XMALLOC_H

#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *p, size_t n);
void *xreallocarray(void *p, size_t nmemb, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* printf into a fresh heap string. */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
