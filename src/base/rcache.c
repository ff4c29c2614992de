/* rcache.c - direct-mapped response cache with striped locks. */
#include "base/rcache.h"
#include "base/xmalloc.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define STRIPES 16

struct slot {
	char *key;
	char *body;
	size_t len;
	uint64_t version;
	int64_t at;
};

struct rcache {
	struct slot *slots;
	size_t n, max_body;
	pthread_mutex_t mu[STRIPES];
};

static uint64_t
hash(const char *s)
{
	uint64_t h = 1469598103934665603ull;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

struct rcache *
rcache_new(size_t slots, size_t max_body)
{
	struct rcache *c = xcalloc(1, sizeof(*c));

	c->slots = xcalloc(slots, sizeof(*c->slots));
	c->n = slots;
	c->max_body = max_body;
	for (int i = 0; i < STRIPES; i++)
		pthread_mutex_init(&c->mu[i], NULL);
	return c;
}

void
rcache_free(struct rcache *c)
{
	if (c == NULL)
		return;
	for (size_t i = 0; i < c->n; i++) {
		free(c->slots[i].key);
		free(c->slots[i].body);
	}
	for (int i = 0; i < STRIPES; i++)
		pthread_mutex_destroy(&c->mu[i]);
	free(c->slots);
	free(c);
}

char *
rcache_get(struct rcache *c, const char *key, uint64_t version, int64_t now, int max_age,
	   size_t *len)
{
	size_t i = hash(key) % c->n;
	struct slot *s = &c->slots[i];
	pthread_mutex_t *mu = &c->mu[i % STRIPES];
	char *out = NULL;

	pthread_mutex_lock(mu);
	if (s->key && s->version == version && now - s->at <= max_age && strcmp(s->key, key) == 0) {
		out = xmalloc(s->len + 1);
		memcpy(out, s->body, s->len + 1);
		*len = s->len;
	}
	pthread_mutex_unlock(mu);
	return out;
}

void
rcache_put(struct rcache *c, const char *key, uint64_t version, int64_t now, const char *body,
	   size_t len)
{
	size_t i = hash(key) % c->n;
	struct slot *s = &c->slots[i];
	pthread_mutex_t *mu = &c->mu[i % STRIPES];

	if (len > c->max_body)
		return;
	char *k = xstrdup(key), *b = xmalloc(len + 1);
	memcpy(b, body, len);
	b[len] = '\0';
	pthread_mutex_lock(mu);
	char *oldk = s->key, *oldb = s->body;
	s->key = k;
	s->body = b;
	s->len = len;
	s->version = version;
	s->at = now;
	pthread_mutex_unlock(mu);
	free(oldk);
	free(oldb);
}
