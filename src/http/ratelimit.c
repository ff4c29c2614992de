/* ratelimit.c - bounded in-memory token buckets and fixed windows per key,
 * and the client address of a request (see ratelimit.h). */
#include "http/ratelimit.h"
#include "http/req.h"
#include "base/clock.h"
#include "base/xmalloc.h"
#include "crypto/token.h"

#include <arpa/inet.h>
#include <math.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NS_PER_S 1000000000.0
/* Refill arithmetic is in doubles: a token short by rounding still counts. */
#define EPS 1e-9

struct entry {
	char key[RATELIMIT_KEY_MAX]; /* "" = free */
	uint64_t t;		     /* bucket: last refill; window: its start */
	uint64_t used;		     /* last take, for eviction */
	double tokens;
};

struct ratelimit {
	pthread_mutex_t mu;
	size_t nsets;
	size_t count;
	unsigned char hkey[crypto_shorthash_KEYBYTES];
	struct entry *e; /* nsets * RATELIMIT_WAYS */
};

static struct entry *find(struct ratelimit *rl, const char *key, uint64_t now, int *fresh);
static int take(struct entry *e, const struct rl_policy *p, uint64_t now, int fresh,
		int *remaining);

struct ratelimit *
ratelimit_new(size_t capacity)
{
	struct ratelimit *rl = xcalloc(1, sizeof(*rl));

	rl->nsets = capacity / RATELIMIT_WAYS + (capacity % RATELIMIT_WAYS != 0);
	if (rl->nsets == 0)
		rl->nsets = 1;
	rl->e = xcalloc(rl->nsets * RATELIMIT_WAYS, sizeof(struct entry));
	random_bytes(rl->hkey, sizeof(rl->hkey));
	pthread_mutex_init(&rl->mu, NULL);
	return rl;
}

void
ratelimit_free(struct ratelimit *rl)
{
	if (rl == NULL)
		return;
	pthread_mutex_destroy(&rl->mu);
	free(rl->e);
	free(rl);
}

/* The entry of key, taking a free one or the least recently used of its
 * set when key is not held; *fresh = 1 for a (re)initialised entry. Called
 * with rl->mu held. */
static struct entry *
find(struct ratelimit *rl, const char *key, uint64_t now, int *fresh)
{
	unsigned char h[crypto_shorthash_BYTES];
	uint64_t hv;
	struct entry *set, *victim = NULL;

	crypto_shorthash(h, (const unsigned char *)key, strlen(key), rl->hkey);
	memcpy(&hv, h, sizeof(hv));
	set = rl->e + (hv % rl->nsets) * RATELIMIT_WAYS;
	for (int i = 0; i < RATELIMIT_WAYS; i++) {
		struct entry *e = &set[i];
		if (e->key[0] == '\0') {
			if (victim == NULL || victim->key[0] != '\0')
				victim = e;
			continue;
		}
		if (strcmp(e->key, key) == 0) {
			*fresh = 0;
			return e;
		}
		if (victim == NULL || (victim->key[0] != '\0' && e->used < victim->used))
			victim = e;
	}
	if (victim->key[0] == '\0')
		rl->count++;
	snprintf(victim->key, sizeof(victim->key), "%s", key);
	victim->t = now;
	victim->used = now;
	*fresh = 1;
	return victim;
}

static int
take(struct entry *e, const struct rl_policy *p, uint64_t now, int fresh, int *remaining)
{
	const double period = (double)p->period * NS_PER_S;
	int wait = 0;

	if (now < e->t) /* an earlier time (tests): no time passed */
		now = e->t;
	if (p->kind == RL_WINDOW) {
		if (fresh || (double)(now - e->t) >= period) {
			e->t = now;
			e->tokens = p->limit;
		}
		if (e->tokens < 1 - EPS)
			wait = (int)ceil(((double)e->t + period - (double)now) / NS_PER_S);
	} else {
		double cap = p->burst > 0 ? p->burst : p->limit;
		if (fresh)
			e->tokens = cap;
		else
			e->tokens += (double)(now - e->t) * p->limit / period;
		if (e->tokens > cap)
			e->tokens = cap;
		e->t = now;
		if (e->tokens < 1 - EPS)
			wait = (int)ceil((1 - e->tokens) * p->period / p->limit - EPS);
	}
	if (wait == 0) {
		e->tokens -= 1;
		if (e->tokens < 0)
			e->tokens = 0;
	} else if (wait < 1)
		wait = 1;
	e->used = now;
	if (remaining)
		*remaining = (int)floor(e->tokens + EPS);
	return wait;
}

int
ratelimit_take_at(struct ratelimit *rl, const char *key, const struct rl_policy *p, uint64_t now_ns,
		  int *remaining)
{
	char k[RATELIMIT_KEY_MAX];
	int fresh, wait;

	/* Truncated like the stored key, so a long key still finds itself. */
	snprintf(k, sizeof(k), "%s", key && *key ? key : "-");
	pthread_mutex_lock(&rl->mu);
	struct entry *e = find(rl, k, now_ns, &fresh);
	wait = take(e, p, now_ns, fresh, remaining);
	pthread_mutex_unlock(&rl->mu);
	return wait;
}

int
ratelimit_take(struct ratelimit *rl, const char *key, const struct rl_policy *p, int *remaining)
{
	return ratelimit_take_at(rl, key, p, clock_mono_ns(), remaining);
}

void
ratelimit_reset(struct ratelimit *rl)
{
	pthread_mutex_lock(&rl->mu);
	memset(rl->e, 0, rl->nsets * RATELIMIT_WAYS * sizeof(struct entry));
	rl->count = 0;
	pthread_mutex_unlock(&rl->mu);
}

size_t
ratelimit_count(struct ratelimit *rl)
{
	pthread_mutex_lock(&rl->mu);
	size_t n = rl->count;
	pthread_mutex_unlock(&rl->mu);
	return n;
}

void
req_client_key(struct req *r, char out[64])
{
	const union MHD_ConnectionInfo *ci =
	    r->conn ? MHD_get_connection_info(r->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS) : NULL;
	const struct sockaddr *sa = ci ? ci->client_addr : NULL;
	int loopback = 0;

	snprintf(out, 64, "unknown");
	if (sa && sa->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)sa;
		inet_ntop(AF_INET, &in->sin_addr, out, 64);
		loopback = (ntohl(in->sin_addr.s_addr) >> 24) == 127;
	} else if (sa && sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;
		inet_ntop(AF_INET6, &in6->sin6_addr, out, 64);
		loopback = IN6_IS_ADDR_LOOPBACK(&in6->sin6_addr);
	}
	const char *real = loopback ? req_header(r, "X-Real-IP") : NULL;
	if (real && *real && strlen(real) < 64 &&
	    strspn(real, "0123456789abcdefABCDEF.:") == strlen(real))
		snprintf(out, 64, "%s", real);
}
