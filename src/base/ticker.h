/* ticker.h - a background thread that calls a function periodically until
 * stopped (the SLA sweep, the audit seal). */
#ifndef ZT_TICKER_H
#define ZT_TICKER_H

#include <pthread.h>

struct ticker {
	void (*fn)(void *arg);
	void *arg;
	long period_ms;
	int immediate; /* call fn once at start, before the first wait */
	pthread_t tid;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int running, stopping;
};

/* Starts a thread calling fn(arg) every period_ms milliseconds (first at
 * once when immediate). t must stay valid until ticker_stop. Returns 0, or
 * -1 if the thread cannot start. Starting a running ticker does nothing. */
int ticker_start(struct ticker *t, void (*fn)(void *), void *arg, long period_ms, int immediate);
/* Wakes the thread, waits for a call in progress to end and joins it. */
void ticker_stop(struct ticker *t);

#endif
