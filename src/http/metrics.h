/* metrics.h - request counters and latency histograms per route, rendered in
 * the Prometheus text format. */
#ifndef ZT_METRICS_H
#define ZT_METRICS_H

#include <stdint.h>

#include "base/buf.h"

void metrics_init(void);
/* route = index in the route table, -1 for unmatched requests. */
void metrics_observe(int route, int status, uint64_t ns);
void metrics_render(struct buf *out);

#endif
