/* stats.h - the numeric core of the capability evaluation (issue 6):
 * correlation, ranking, the fit of an index on the log of an economic
 * indicator with its residuals, the composite index and grading.
 *
 * Pure functions over caller-owned arrays: no I/O, no global state, safe to
 * call from many threads. Sums are accumulated in long double with
 * compensated (Neumaier) summation and variances use two passes, so results
 * agree with an exact computation to well under 1e-9 for n up to 10^6 and
 * do not lose digits when values carry a large common offset (GDP per
 * capita in yuan, budget revenue).
 *
 * Every input value must be finite (no NaN or infinity); a function that
 * finds one returns ZT_EINVAL with err->field naming the element ("y[17]")
 * and reason "not_finite". Ties are exact equality of doubles: callers that
 * publish rounded scores should round before ranking or grading. */
#ifndef ZT_STATS_H
#define ZT_STATS_H

#include <stddef.h>

#include "base/err.h"

/* Pearson correlation coefficient of x[0..n-1] and y[0..n-1] into *r, in
 * [-1, 1]. Returns 0, or ZT_EINVAL for n < 2 (reason "too_few"), a NULL
 * array or a non-finite value. When all x or all y are equal the
 * coefficient is undefined: returns 0 with *r = NAN. */
int stats_pearson(const double *x, const double *y, size_t n, double *r, struct zt_err *err);

/* Spearman rank correlation: the Pearson coefficient of the fractional
 * ranks of x and y (stats_rank_average), so ties are handled exactly rather
 * than by the 1 - 6 sum d^2 / (n (n^2 - 1)) shortcut, which only holds
 * without ties. Same returns as stats_pearson (NAN when all x or all y are
 * tied). O(n log n) time, O(n) temporary memory. */
int stats_spearman(const double *x, const double *y, size_t n, double *rho, struct zt_err *err);

/* Fractional ("average") ranks in ascending order: the smallest value gets
 * rank 1, and values that tie share the mean of the ranks they span
 * ({10, 20, 20, 30} -> {1, 2.5, 2.5, 4}). ranks has n elements. Returns 0,
 * or ZT_EINVAL for a NULL array or a non-finite value. */
int stats_rank_average(const double *v, size_t n, double *ranks, struct zt_err *err);

/* Indices 0..n-1 into order[0..n-1], by descending v; equal values keep
 * their index order (stable). For regression residuals this lists first the
 * regions doing best against what their economy predicts and last those
 * doing worst. O(n log n). Returns 0, or ZT_EINVAL for a NULL array or a
 * non-finite value. */
int stats_order_desc(const double *v, size_t n, size_t *order, struct zt_err *err);

/* Competition ranks of scores for descending order, 1-based, equal scores
 * sharing the best rank: {95, 88, 88, 70} -> {1, 2, 2, 4}. ranks has n
 * elements; order (may be NULL) receives stats_order_desc(scores), the
 * display order. O(n log n). Returns 0, or ZT_EINVAL as stats_order_desc. */
int stats_rank_desc(const double *scores, size_t n, size_t *ranks, size_t *order,
		    struct zt_err *err);

/* Least-squares fit y = a + b ln(x). */
struct stats_logfit {
	double a;
	double b;
	double r2; /* coefficient of determination in [0, 1]; NAN if all y are equal */
};

/* Fits y = a + b ln(x) over n points. resid (may be NULL) receives the n
 * residuals y[i] - (a + b ln x[i]): positive for a region that does better
 * than its economy predicts. Returns 0, or ZT_EINVAL with reason "too_few"
 * (n < 2), "not_finite", "not_positive" (x[i] <= 0; field "x[i]") or
 * "zero_variance" (all x equal, so no slope exists); *fit and resid are
 * untouched on error. When all y are equal the fit is a = y, b = 0, r2 =
 * NAN and the residuals are 0. */
int stats_logfit(const double *x, const double *y, size_t n, struct stats_logfit *fit,
		 double *resid, struct zt_err *err);

/* Composite index: the weighted mean sum(w[i] s[i]) / sum(w[i]) of n
 * indicator scores, so weights need not add up to 1. weights NULL means
 * equal weights. Returns 0, or ZT_EINVAL for n = 0 ("too_few"), a
 * non-finite score or weight, a negative weight ("negative", field
 * "weights[i]") or weights that are all 0 ("all_zero", field "weights"). */
int stats_composite(const double *scores, const double *weights, size_t n, double *out,
		    struct zt_err *err);

/* Grade bands, configuration rather than code. thresholds[0..n-1] are
 * strictly descending and names has n + 1 entries: a score is in band i for
 * the first i with score >= thresholds[i], else in band n (the bottom one).
 * The defaults {90, 80, 60} with {"非常高", "高", "中", "低"} put exactly 90
 * in 非常高 and 89.999 in 高. A band that must exclude its bound (the
 * survey's "> 90") uses nextafter(90, INFINITY) as threshold. */
struct stats_bands {
	const double *thresholds;
	const char *const *names;
	size_t n;
};

/* Checks bands: thresholds finite and strictly descending ("not_descending",
 * field "thresholds[i]"), every name present and non-empty ("missing",
 * field "names[i]"), thresholds non-NULL when n > 0. 0 or ZT_EINVAL. */
int stats_bands_check(const struct stats_bands *b, struct zt_err *err);

/* Band of score into *band (0 = top, b->n = bottom); the name is
 * b->names[*band]. Returns 0, or ZT_EINVAL for invalid bands
 * (stats_bands_check) or a non-finite score. */
int stats_grade(const struct stats_bands *b, double score, size_t *band, struct zt_err *err);

#endif
