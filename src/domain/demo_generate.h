/* demo_generate.h - synthetic operations for evaluation and benchmarks
 * (`zhengtong demo generate`): regions filled with departments, officials,
 * required item lists, published service items (some with deliberately
 * incomplete guides), economic indicators, applicants and cases with their
 * ratings and bad-rating supervision items.
 *
 * Each region gets a latent service quality q in (0, 1), drawn from the seed
 * and correlated with ln(GDP per capita) plus noise, with a few regions
 * pushed far above or below what their economy predicts. Higher q means
 * deeper online items, more channels, shorter promised times, faster
 * decisions, fewer visits and better ratings.
 *
 * Rows are written directly in bulk (prepared statements reused, many rows
 * per statement on SQLite, DEMO_GEN_BATCH cases per transaction, foreign
 * key checks off on SQLite while it runs), not through the domain functions:
 * one audit record ("demo.generate") summarises the whole generation. The
 * output is deterministic for a given seed, clock (ZT_NOW) and database
 * state. */
#ifndef ZT_DEMO_GENERATE_H
#define ZT_DEMO_GENERATE_H

#include <stdint.h>

#include "base/err.h"

#define DEMO_GEN_BATCH	    50000     /* cases per write transaction */
#define DEMO_GEN_PROGRESS   10000     /* progress is reported every so many cases */
#define DEMO_GEN_MAX_CASES  100000000 /* --cases upper bound */
#define DEMO_GEN_MAX_MONTHS 120
#define DEMO_GEN_SOURCE	    "demo generate" /* indicator_values.source */

struct demo_gen_opts {
	const char *parent; /* region whose first `regions` children are filled */
	int regions;
	int64_t cases;
	uint64_t seed;
	int months; /* cases spread over the months before clock_now() */
};

struct demo_gen_stats {
	int regions, departments, officials, required_items, items, published, incomplete;
	int64_t citizens, cases, ratings, supervision, supervision_closed;
	int64_t rows; /* every row written */
	char first_region[8], last_region[8];
};

/* Called after every committed batch (done of total cases, rows written). */
typedef void (*demo_gen_progress_fn)(void *ctx, int64_t done, int64_t total, int64_t rows);

/* The number of children of parent (0 if it has none), or a negative
 * error; ZT_EINVAL with field "--parent" when parent is no known region. */
int demo_generate_available(const char *parent, struct zt_err *err);

/* Generates into the first opts->regions children (by code) of
 * opts->parent. Returns 0, or: ZT_EINVAL naming "--regions" when there are
 * fewer children, "--parent" for an unknown region; ZT_ECONFLICT naming
 * "--regions" when one of those regions was generated into before (nothing
 * is written then); another negative error if a write fails (the batches
 * committed before it stay). progress may be NULL. */
int demo_generate(const struct demo_gen_opts *opts, demo_gen_progress_fn progress, void *ctx,
		  struct demo_gen_stats *st, struct zt_err *err);

#endif
