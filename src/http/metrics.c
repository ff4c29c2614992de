/* metrics.c - lock-free per-route counters and latency histograms. */
#include "http/metrics.h"
#include "http/router.h"
#include "base/xmalloc.h"

#include <stdatomic.h>
#include <string.h>

static const double bounds[] = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
				0.05,	0.1,   0.25,   0.5,   1,    2.5};
#define NB (sizeof(bounds) / sizeof(bounds[0]))

struct route_metrics {
	_Atomic uint64_t status[6]; /* 1xx..5xx by class; [0] unused */
	_Atomic uint64_t bucket[NB + 1];
	_Atomic uint64_t sum_ns;
	_Atomic uint64_t count;
};

static struct route_metrics *m; /* nroutes + 1 (last = unmatched) */

void
metrics_init(void)
{
	m = xcalloc(nroutes + 1, sizeof(*m));
}

void
metrics_observe(int route, int status, uint64_t ns)
{
	struct route_metrics *rm = &m[route < 0 ? (int)nroutes : route];
	double s = (double)ns / 1e9;
	size_t b = 0;

	while (b < NB && s > bounds[b])
		b++;
	atomic_fetch_add(&rm->bucket[b], 1);
	atomic_fetch_add(&rm->sum_ns, ns);
	atomic_fetch_add(&rm->count, 1);
	int cls = status / 100;
	if (cls >= 1 && cls <= 5)
		atomic_fetch_add(&rm->status[cls], 1);
}

void
metrics_render(struct buf *out)
{
	buf_puts(out, "# HELP zt_http_requests_total HTTP requests by route and status class.\n"
		      "# TYPE zt_http_requests_total counter\n");
	for (size_t i = 0; i <= nroutes; i++) {
		const char *name = i < nroutes ? routes[i].name : "unmatched";
		for (int c = 1; c <= 5; c++) {
			uint64_t v = atomic_load(&m[i].status[c]);
			if (v)
				buf_printf(
				    out,
				    "zt_http_requests_total{route=\"%s\",code=\"%dxx\"} %llu\n",
				    name, c, (unsigned long long)v);
		}
	}
	buf_puts(out, "# HELP zt_http_request_duration_seconds Request latency by route.\n"
		      "# TYPE zt_http_request_duration_seconds histogram\n");
	for (size_t i = 0; i <= nroutes; i++) {
		const char *name = i < nroutes ? routes[i].name : "unmatched";
		uint64_t count = atomic_load(&m[i].count), cum = 0;
		if (count == 0)
			continue;
		for (size_t b = 0; b < NB; b++) {
			cum += atomic_load(&m[i].bucket[b]);
			buf_printf(out,
				   "zt_http_request_duration_seconds_bucket{route=\"%s\",le=\"%g\"}"
				   " %llu\n",
				   name, bounds[b], (unsigned long long)cum);
		}
		cum += atomic_load(&m[i].bucket[NB]);
		buf_printf(
		    out, "zt_http_request_duration_seconds_bucket{route=\"%s\",le=\"+Inf\"} %llu\n",
		    name, (unsigned long long)cum);
		buf_printf(out, "zt_http_request_duration_seconds_sum{route=\"%s\"} %.6f\n", name,
			   (double)atomic_load(&m[i].sum_ns) / 1e9);
		buf_printf(out, "zt_http_request_duration_seconds_count{route=\"%s\"} %llu\n", name,
			   (unsigned long long)count);
	}
}
