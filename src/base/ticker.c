/* ticker.c - periodic background threads (see ticker.h). */
#include "base/ticker.h"

#include <time.h>

static void *
loop(void *arg)
{
	struct ticker *t = arg;

	pthread_mutex_lock(&t->mu);
	if (t->immediate && !t->stopping) {
		pthread_mutex_unlock(&t->mu);
		t->fn(t->arg);
		pthread_mutex_lock(&t->mu);
	}
	while (!t->stopping) {
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += t->period_ms / 1000;
		ts.tv_nsec += (t->period_ms % 1000) * 1000000L;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		/* Until the period is over (spurious wake-ups wait on) or stop. */
		while (!t->stopping && pthread_cond_timedwait(&t->cv, &t->mu, &ts) == 0)
			;
		if (t->stopping)
			break;
		pthread_mutex_unlock(&t->mu);
		t->fn(t->arg);
		pthread_mutex_lock(&t->mu);
	}
	pthread_mutex_unlock(&t->mu);
	return NULL;
}

int
ticker_start(struct ticker *t, void (*fn)(void *), void *arg, long period_ms, int immediate)
{
	if (t->running)
		return 0;
	t->fn = fn;
	t->arg = arg;
	t->period_ms = period_ms;
	t->immediate = immediate;
	t->stopping = 0;
	pthread_mutex_init(&t->mu, NULL);
	pthread_cond_init(&t->cv, NULL);
	if (pthread_create(&t->tid, NULL, loop, t) != 0) {
		pthread_cond_destroy(&t->cv);
		pthread_mutex_destroy(&t->mu);
		return -1;
	}
	t->running = 1;
	return 0;
}

void
ticker_stop(struct ticker *t)
{
	if (!t->running)
		return;
	pthread_mutex_lock(&t->mu);
	t->stopping = 1;
	pthread_cond_broadcast(&t->cv);
	pthread_mutex_unlock(&t->mu);
	pthread_join(t->tid, NULL);
	pthread_cond_destroy(&t->cv);
	pthread_mutex_destroy(&t->mu);
	t->running = 0;
}
