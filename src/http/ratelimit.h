/* ratelimit.h - in-memory rate limits per key (a client address, an API
 * key id), and the client address a limit is keyed by.
 *
 * A struct ratelimit is a fixed-size table of counters, so its memory is
 * bounded whatever the number of clients: the table is split into sets of
 * RATELIMIT_WAYS entries chosen by a keyed hash (SipHash, random key per
 * table, so a client cannot aim at another's set); a new key takes a free
 * entry of its set or evicts the one used least recently. An evicted key
 * starts again with a full allowance; a bucket idle for burst/limit periods
 * is full anyway, so eviction only loosens the limit for keys crowded out
 * of a full set.
 *
 * Time is the monotonic clock (clock_mono_ns), not clock_now(): a node
 * with a frozen ZT_NOW still refills its buckets as real time passes.
 * ratelimit_take_at() takes the time as an argument, for tests.
 *
 * The counters live in this process: several processes behind a load
 * balancer each allow the full rate. All functions are thread-safe. */
#ifndef ZT_RATELIMIT_H
#define ZT_RATELIMIT_H

#include <stddef.h>
#include <stdint.h>

struct req;
struct ratelimit;

#define RATELIMIT_KEY_MAX 64 /* bytes of a key that count, with the NUL */
#define RATELIMIT_WAYS	  8

enum rl_kind {
	/* Token bucket: holds up to burst tokens, refills limit tokens per
	 * period continuously; a take spends one. */
	RL_BUCKET,
	/* Fixed window: limit takes per period, the window opening at the
	 * first take after the previous one closed. */
	RL_WINDOW,
};

struct rl_policy {
	enum rl_kind kind;
	int limit;  /* takes per period, >= 1 */
	int period; /* seconds, >= 1 */
	int burst;  /* RL_BUCKET: bucket size; 0 = limit */
};

/* A table for about capacity keys (rounded up to whole sets). */
struct ratelimit *ratelimit_new(size_t capacity);
void ratelimit_free(struct ratelimit *rl);

/* Takes one unit for key (truncated to RATELIMIT_KEY_MAX - 1 bytes) under
 * policy p. Returns 0 when allowed, or the whole seconds to wait (>= 1, for
 * Retry-After) when not; a refused take costs nothing. *remaining (may be
 * NULL) receives the whole units left after the take. */
int ratelimit_take(struct ratelimit *rl, const char *key, const struct rl_policy *p,
		   int *remaining);
/* The same at monotonic time now_ns (tests; time never runs backwards for
 * a key: an earlier now_ns counts as no time passed). */
int ratelimit_take_at(struct ratelimit *rl, const char *key, const struct rl_policy *p,
		      uint64_t now_ns, int *remaining);
/* Forgets every key. */
void ratelimit_reset(struct ratelimit *rl);
/* Keys held now (at most the capacity). */
size_t ratelimit_count(struct ratelimit *rl);

/* The caller's address for per-client limits: the peer's address, or
 * behind the local reverse proxy (a loopback peer) its X-Real-IP, which the
 * proxy sets itself (deploy/nginx); "unknown" without a socket address. */
void req_client_key(struct req *r, char out[64]);

#endif
