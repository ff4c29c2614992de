/* test_ratelimit.c - unit tests for http/ratelimit: token buckets, fixed
 * windows, the bounded table and the complaint limit built on it.
 *
 * Test plan (times are given to ratelimit_take_at, so nothing sleeps):
 * - Bucket 5/min (burst = limit): five takes pass leaving 4,3,2,1,0; the
 *   sixth answers 12 s and costs nothing; at +11.5 s still refused (1 s);
 *   at +12 s one passes (0 left); idle for an hour the bucket is full again
 *   but no fuller (4 left after a take).
 * - Bucket 60/min with burst 3: three pass, the fourth waits 1 s; half a
 *   second later still refused; a second later one passes.
 * - Window 5 per 60 s: five pass, the sixth waits 60 s, at +30 s 30 s, at
 *   +59.5 s 1 s; at +60 s the window reopens (4 left).
 * - Keys are independent; keys equal in their first 63 bytes share a
 *   bucket; an empty or NULL key is one key of its own; time running
 *   backwards counts as none.
 * - Bounded memory: 1000 keys in a 16-key table leave 16 held; in one set
 *   the least recently used key is evicted (its state forgotten), a key
 *   used later is kept; reset forgets everyone.
 * - Threads: 8 threads taking 1000 times each from one bucket of 5000 at
 *   a fixed time get exactly 5000 passes.
 * - complaint_rate_take (now a window on this table): COMPLAINT_RATE_MAX
 *   pass, the next waits 59..60 s.
 * - req_client_key without a connection is "unknown" (X-Real-IP is only
 *   believed from a loopback peer; the API tests cover the peers). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <pthread.h>

#include "domain/complaint.h"
#include "http/ratelimit.h"
#include "http/req.h"

#define S(x) ((uint64_t)((x)*1e9))
#define T0   S(1000)

static void
test_bucket(void **state)
{
	(void)state;
	struct ratelimit *rl = ratelimit_new(64);
	const struct rl_policy p = {RL_BUCKET, 5, 60, 0};
	int rem = -1;

	for (int i = 0; i < 5; i++) {
		assert_int_equal(ratelimit_take_at(rl, "a:192.0.2.1", &p, T0, &rem), 0);
		assert_int_equal(rem, 4 - i);
	}
	assert_int_equal(ratelimit_take_at(rl, "a:192.0.2.1", &p, T0, &rem), 12);
	assert_int_equal(rem, 0);
	assert_int_equal(ratelimit_take_at(rl, "a:192.0.2.1", &p, T0 + S(11.5), &rem), 1);
	assert_int_equal(ratelimit_take_at(rl, "a:192.0.2.1", &p, T0 + S(12), &rem), 0);
	assert_int_equal(rem, 0);
	assert_int_equal(ratelimit_take_at(rl, "a:192.0.2.1", &p, T0 + S(12), &rem), 12);
	assert_int_equal(ratelimit_take_at(rl, "a:192.0.2.1", &p, T0 + S(3612), &rem), 0);
	assert_int_equal(rem, 4);
	ratelimit_free(rl);
}

static void
test_burst(void **state)
{
	(void)state;
	struct ratelimit *rl = ratelimit_new(64);
	const struct rl_policy p = {RL_BUCKET, 60, 60, 3};
	int rem = -1;

	for (int i = 0; i < 3; i++)
		assert_int_equal(ratelimit_take_at(rl, "k:1", &p, T0, &rem), 0);
	assert_int_equal(rem, 0);
	assert_int_equal(ratelimit_take_at(rl, "k:1", &p, T0, &rem), 1);
	assert_int_equal(ratelimit_take_at(rl, "k:1", &p, T0 + S(0.5), &rem), 1);
	assert_int_equal(ratelimit_take_at(rl, "k:1", &p, T0 + S(1), &rem), 0);
	assert_int_equal(rem, 0);
	ratelimit_free(rl);
}

static void
test_window(void **state)
{
	(void)state;
	struct ratelimit *rl = ratelimit_new(64);
	const struct rl_policy p = {RL_WINDOW, 5, 60, 0};
	int rem = -1;

	for (int i = 0; i < 5; i++) {
		assert_int_equal(ratelimit_take_at(rl, "c", &p, T0 + S(i), &rem), 0);
		assert_int_equal(rem, 4 - i);
	}
	assert_int_equal(ratelimit_take_at(rl, "c", &p, T0, &rem), 60);
	assert_int_equal(ratelimit_take_at(rl, "c", &p, T0 + S(30), &rem), 30);
	assert_int_equal(ratelimit_take_at(rl, "c", &p, T0 + S(59.5), &rem), 1);
	assert_int_equal(rem, 0);
	assert_int_equal(ratelimit_take_at(rl, "c", &p, T0 + S(60), &rem), 0);
	assert_int_equal(rem, 4);
	ratelimit_free(rl);
}

static void
test_keys(void **state)
{
	(void)state;
	struct ratelimit *rl = ratelimit_new(64);
	const struct rl_policy p = {RL_WINDOW, 1, 60, 0};
	char a[100], b[100];

	assert_int_equal(ratelimit_take_at(rl, "x", &p, T0, NULL), 0);
	assert_int_equal(ratelimit_take_at(rl, "y", &p, T0, NULL), 0);
	assert_int_equal(ratelimit_take_at(rl, "x", &p, T0, NULL), 60);
	/* Only the first 63 bytes count. */
	memset(a, 'q', 99);
	a[99] = '\0';
	memcpy(b, a, sizeof(b));
	b[80] = 'r';
	assert_int_equal(ratelimit_take_at(rl, a, &p, T0, NULL), 0);
	assert_int_equal(ratelimit_take_at(rl, b, &p, T0, NULL), 60);
	b[62] = 'r';
	assert_int_equal(ratelimit_take_at(rl, b, &p, T0, NULL), 0);
	/* "" and NULL are one key, apart from the others. */
	assert_int_equal(ratelimit_take_at(rl, "", &p, T0, NULL), 0);
	assert_int_equal(ratelimit_take_at(rl, NULL, &p, T0, NULL), 60);
	/* An earlier time is no time passed: still refused, same wait. */
	assert_int_equal(ratelimit_take_at(rl, "x", &p, T0 - S(100), NULL), 60);
	assert_int_equal(ratelimit_count(rl), 5);
	ratelimit_free(rl);
}

static void
test_bounded(void **state)
{
	(void)state;
	struct ratelimit *rl = ratelimit_new(16);
	const struct rl_policy p = {RL_WINDOW, 1, 60, 0};
	char k[16];

	for (int i = 0; i < 1000; i++) {
		snprintf(k, sizeof(k), "k%d", i);
		assert_int_equal(ratelimit_take_at(rl, k, &p, T0 + (uint64_t)i, NULL), 0);
	}
	assert_int_equal(ratelimit_count(rl), 16);
	ratelimit_reset(rl);
	assert_int_equal(ratelimit_count(rl), 0);
	ratelimit_free(rl);

	/* One set (RATELIMIT_WAYS keys): least recently used goes first. */
	rl = ratelimit_new(RATELIMIT_WAYS);
	for (int i = 0; i < RATELIMIT_WAYS; i++) {
		snprintf(k, sizeof(k), "k%d", i);
		assert_int_equal(ratelimit_take_at(rl, k, &p, T0 + S(i), NULL), 0);
	}
	assert_true(ratelimit_take_at(rl, "k0", &p, T0 + S(10), NULL) > 0); /* used again */
	assert_int_equal(ratelimit_take_at(rl, "new", &p, T0 + S(11), NULL), 0);
	assert_true(ratelimit_take_at(rl, "k0", &p, T0 + S(12), NULL) > 0);	/* kept */
	assert_true(ratelimit_take_at(rl, "k2", &p, T0 + S(13), NULL) > 0);	/* kept */
	assert_int_equal(ratelimit_take_at(rl, "k1", &p, T0 + S(14), NULL), 0); /* evicted */
	assert_int_equal(ratelimit_count(rl), RATELIMIT_WAYS);
	ratelimit_free(rl);
}

struct thread_arg {
	struct ratelimit *rl;
	int passed;
};

static void *
taker(void *p)
{
	struct thread_arg *a = p;
	const struct rl_policy pol = {RL_BUCKET, 5000, 60, 0};

	for (int i = 0; i < 1000; i++)
		if (ratelimit_take_at(a->rl, "shared", &pol, T0, NULL) == 0)
			a->passed++;
	return NULL;
}

static void
test_threads(void **state)
{
	(void)state;
	struct ratelimit *rl = ratelimit_new(64);
	struct thread_arg args[8];
	pthread_t th[8];
	int total = 0;

	for (int i = 0; i < 8; i++) {
		args[i].rl = rl;
		args[i].passed = 0;
		assert_int_equal(pthread_create(&th[i], NULL, taker, &args[i]), 0);
	}
	for (int i = 0; i < 8; i++) {
		pthread_join(th[i], NULL);
		total += args[i].passed;
	}
	assert_int_equal(total, 5000);
	ratelimit_free(rl);
}

static void
test_complaint(void **state)
{
	(void)state;
	complaint_rate_reset();
	for (int i = 0; i < COMPLAINT_RATE_MAX; i++)
		assert_int_equal(complaint_rate_take("198.51.100.9"), 0);
	int wait = complaint_rate_take("198.51.100.9");
	assert_true(wait >= COMPLAINT_RATE_WINDOW - 1 && wait <= COMPLAINT_RATE_WINDOW);
	complaint_rate_reset();
}

static void
test_client_key(void **state)
{
	(void)state;
	struct req r;
	char out[64];

	memset(&r, 0, sizeof(r));
	req_client_key(&r, out);
	assert_string_equal(out, "unknown");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_bucket),    cmocka_unit_test(test_burst),
	    cmocka_unit_test(test_window),    cmocka_unit_test(test_keys),
	    cmocka_unit_test(test_bounded),   cmocka_unit_test(test_threads),
	    cmocka_unit_test(test_complaint), cmocka_unit_test(test_client_key),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
