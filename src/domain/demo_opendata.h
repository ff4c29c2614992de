/* demo_opendata.h - the demo district's open datasets, and statistics of
 * any size for the open data benchmark (`zhengtong demo opendata`). */
#ifndef ZT_DEMO_OPENDATA_H
#define ZT_DEMO_OPENDATA_H

#include <stdint.h>

#include "base/err.h"

/* As scjg.data of the demo: registers the open resource `code` 市场主体分行
 * 业统计 with `rows` generated rows (one personal field, legal_rep) and
 * publishes its public fields as dataset OD-<code> (*dataset_id). Needs the
 * demo accounts. */
int demo_opendata_stats(const char *code, int64_t rows, int64_t *dataset_id, struct zt_err *err);
/* The demo's datasets: OD-520102-SCJG-002 (2,000 rows of statistics) and
 * OD-520102-SCJG-001 (市场主体登记信息 from the sharing demo's resource). */
int demo_opendata(struct zt_err *err);

#endif
