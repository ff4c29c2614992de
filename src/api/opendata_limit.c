/* opendata_limit.c - the rate limit of the public open-data calls: per
 * client address for anonymous callers, per developer key (X-API-Key) at a
 * higher rate. A key is read only from the header, never from the query
 * string, where it would end up in access logs and browser histories. */
#include "api/handlers.h"
#include "http/ratelimit.h"
#include "http/req.h"
#include "base/config.h"
#include "domain/devkey.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#define BUCKETS 4096

static struct ratelimit *buckets;
static pthread_once_t buckets_once = PTHREAD_ONCE_INIT;

static void
buckets_init(void)
{
	buckets = ratelimit_new(BUCKETS);
}

int
opendata_limit_quota(struct req *r, struct opendata_quota *q)
{
	const char *key = req_header(r, "X-API-Key");
	struct opendata_quota tmp;
	struct zt_err err;
	char bucket[80], v[16];

	if (q == NULL)
		q = &tmp;
	memset(q, 0, sizeof(*q));
	if (key) {
		int found = 0;
		err_clear(&err);
		if (devkey_looks_valid(key))
			found = devkey_lookup(req_db(r), key, &q->key_id, &err);
		if (found < 0) {
			reply_err(r, &err);
			return -1;
		}
		if (!found) {
			reply_problem(r, 401, "invalid_api_key",
				      "the X-API-Key is unknown or revoked; send none to be served "
				      "at the anonymous rate");
			return -1;
		}
		devkey_touch(q->key_id);
		q->keyed = 1;
		q->limit = cfg.opendata_rate_key;
		snprintf(bucket, sizeof(bucket), "k:%lld", (long long)q->key_id);
	} else {
		char addr[64];
		req_client_key(r, addr);
		q->limit = cfg.opendata_rate_anon;
		snprintf(bucket, sizeof(bucket), "a:%s", addr);
	}
	if (q->limit <= 0) /* 0: no limit */
		return 0;

	const struct rl_policy p = {RL_BUCKET, q->limit, 60, q->limit};
	pthread_once(&buckets_once, buckets_init);
	int wait = ratelimit_take(buckets, bucket, &p, &q->remaining);
	snprintf(v, sizeof(v), "%d", q->limit);
	req_add_header(r, "X-RateLimit-Limit", v);
	snprintf(v, sizeof(v), "%d", q->remaining);
	req_add_header(r, "X-RateLimit-Remaining", v);
	if (wait > 0) {
		char detail[128];
		snprintf(v, sizeof(v), "%d", wait);
		req_add_header(r, "Retry-After", v);
		snprintf(detail, sizeof(detail), "%d open-data calls a minute %s; retry in %d s",
			 q->limit, q->keyed ? "per API key" : "per address without an API key",
			 wait);
		reply_problem(r, 429, "rate_limited", detail);
		return -1;
	}
	return 0;
}

int
opendata_limit(struct req *r)
{
	return opendata_limit_quota(r, NULL);
}
