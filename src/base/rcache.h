/* rcache.h - a small cache of rendered responses, keyed by request text and
 * checked against a version counter (entries of an older version, or older
 * than max_age seconds, are misses). Thread-safe. */
#ifndef ZT_RCACHE_H
#define ZT_RCACHE_H

#include <stddef.h>
#include <stdint.h>

struct rcache;

struct rcache *rcache_new(size_t slots, size_t max_body);
void rcache_free(struct rcache *c);
/* On a hit returns a fresh copy of the body (caller frees) and its length. */
char *rcache_get(struct rcache *c, const char *key, uint64_t version, int64_t now, int max_age,
		 size_t *len);
/* Stores a copy of body for key (replacing what the slot held). */
void rcache_put(struct rcache *c, const char *key, uint64_t version, int64_t now, const char *body,
		size_t len);

#endif
