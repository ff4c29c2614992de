/* test_stats.c - unit tests for base/stats (correlation, ranking, log fit,
 * composite index, grading).
 *
 * Test plan:
 * - Pearson by hand: x = {1,2,3,4,5}, y = {2,4,5,4,5}: means 3 and 4,
 *   deviations {-2,-1,0,1,2} and {-2,0,1,0,1}, Sxy = 6, Sxx = 10, Syy = 6,
 *   r = 6 / sqrt(60) = sqrt(0.6) = 0.7745966692414834. The same data shifted
 *   by 1e12 (exact in a double) must give the same r: a one-pass
 *   sum-of-squares formula loses every digit there. y = 10 - 2x gives -1.
 * - Spearman by hand, one tie: x = {1,2,3,4,5}, y = {1,3,2,2,5}; ranks of
 *   y = {1,4,2.5,2.5,5}; deviations from 3: {-2,-1,0,1,2} and
 *   {-2,1,-0.5,-0.5,2}; Sxy = 6.5, Sxx = 10, Syy = 9.5, rho = 6.5 / sqrt(95)
 *   = 0.6668859288553503, not the no-ties shortcut 1 - 6*6.5/120 = 0.675.
 *   Many ties: x = {1,1,1,2,2,3}, y = {1,1,2,2,3,3}; ranks {2,2,2,4.5,4.5,6}
 *   and {1.5,1.5,3.5,3.5,5.5,5.5}; deviations from 3.5:
 *   {-1.5,-1.5,-1.5,1,1,2.5} and {-2,-2,0,0,2,2}; Sxy = 13, Sxx = 15,
 *   Syy = 16, rho = 13 / sqrt(240) = 0.8391463916782737. A monotone
 *   transform (y = exp(x)) gives exactly 1.
 * - Large data (n = 100000, fixed-seed splitmix64, values on the scale of
 *   GDP per capita): Pearson and Spearman against a straightforward two-pass
 *   double reference written here (ranks by qsort of (value, index) pairs),
 *   to 1e-9; with no ties also against 1 - 6 sum d^2 / (n (n^2 - 1)); with
 *   heavy ties (values on 50 levels) against the reference ranks. One
 *   n = 10^6 run of Pearson and the log fit, and 10^6 copies of 0.1
 *   (constant, mean not exact in binary) -> NAN.
 * - Average ranks: {10,20,20,30} -> {1,2.5,2.5,4}; all tied -> all (n+1)/2.
 * - Competition ranks: {95,88,88,70} -> {1,2,2,4}; {88,95,70,88} -> ranks
 *   {2,1,4,2} and order {1,0,3,2} (the tie keeps index order); all equal ->
 *   all 1; n = 0. Large: against 1 + #(strictly greater) by binary search in
 *   a qsorted copy, and the order is a permutation, non-increasing, ties in
 *   index order.
 * - Log fit: y = 3 + 2 ln x exactly for x = {1,2,3,5,8,13,100} -> a = 3,
 *   b = 2, R^2 = 1, residuals 0. By hand: x = {1,e,e^2,e^3} (u = 0..3),
 *   y = {1,3,2,5}: u mean 1.5, y mean 2.75, Suy = 5.5, Suu = 5, Syy = 8.75,
 *   b = 1.1, a = 2.75 - 1.65 = 1.1, fitted {1.1,2.2,3.3,4.4}, residuals
 *   {-0.1,0.8,-1.3,0.6}, R^2 = 5.5^2 / (5 * 8.75) = 121/175; residual order
 *   {1,3,0,2}. Constant y -> a = y, b = 0, R^2 NAN, residuals 0.
 * - Composite: equal weights (NULL) {90,80,70,60,100} -> 80; weights
 *   {2,1,1,0,0} -> (180+80+70)/4 = 82.5; scaling all weights changes
 *   nothing; five 90s under uneven decimal weights give exactly 90 and grade
 *   in the top band.
 * - Grading with {90,80,60} / 非常高 高 中 低: 100, 90 -> 非常高; 89.999,
 *   80 -> 高; 79.999, 60 -> 中; 59.999, 0, -5 -> 低; no thresholds -> one
 *   band; nextafter(90, inf) makes a strict "> 90" band.
 * - Errors, each with exact code, field and reason: n < 2, NULL arrays,
 *   NaN/inf values, constant data -> NAN (rc 0), x = 0 and x < 0 in the fit,
 *   all x equal, negative / all-zero / NaN weights, n = 0 composite,
 *   thresholds not strictly descending, missing names, NaN score. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/stats.h"

#define LARGE_N 100000
#define HUGE_N	1000000
#define REF_TOL 1e-9
#define EXACT	1e-12

/* |a - b| <= tol, in double (cmocka only has a float version); fails on NaN. */
#define assert_near(a, b, tol)                                                                     \
	do {                                                                                       \
		double a_ = (a), b_ = (b);                                                         \
		if (!(fabs(a_ - b_) <= (tol)))                                                     \
			fail_msg("%s = %.17g, expected %.17g within %g", #a, a_, b_,               \
				 (double)(tol));                                                   \
	} while (0)

/* Asserts rc is ZT_EINVAL with the given field and reason. */
#define assert_err(rc, e, f, r)                                                                    \
	do {                                                                                       \
		assert_int_equal((rc), ZT_EINVAL);                                                 \
		assert_int_equal((e).code, ZT_EINVAL);                                             \
		assert_string_equal((e).field, (f));                                               \
		assert_string_equal((e).reason, (r));                                              \
	} while (0)

static const double default_thresholds[] = {90, 80, 60};
static const char *const default_names[] = {"非常高", "高", "中", "低"};
static const struct stats_bands default_bands = {default_thresholds, default_names, 3};

/* splitmix64: a fixed, platform-independent sequence. */
static uint64_t
rng_next(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* Uniform in [0, 1). */
static double
rng_unit(uint64_t *s)
{
	return (double)(rng_next(s) >> 11) * 0x1p-53;
}

/* Textbook two-pass Pearson in plain double. */
static double
ref_pearson(const double *x, const double *y, size_t n)
{
	double mx = 0, my = 0, sxx = 0, syy = 0, sxy = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		mx += x[i];
		my += y[i];
	}
	mx /= (double)n;
	my /= (double)n;
	for (i = 0; i < n; i++) {
		sxx += (x[i] - mx) * (x[i] - mx);
		syy += (y[i] - my) * (y[i] - my);
		sxy += (x[i] - mx) * (y[i] - my);
	}
	return sxy / sqrt(sxx * syy);
}

struct pair {
	double v;
	size_t i;
};

static int
pair_cmp(const void *a, const void *b)
{
	const struct pair *p = a, *q = b;

	if (p->v != q->v)
		return p->v < q->v ? -1 : 1;
	return p->i < q->i ? -1 : p->i > q->i;
}

/* Average ranks via qsort of (value, index) pairs. */
static void
ref_ranks(const double *v, size_t n, double *ranks)
{
	struct pair *p = malloc(n * sizeof(*p));
	size_t i, j, k;

	assert_non_null(p);
	for (i = 0; i < n; i++) {
		p[i].v = v[i];
		p[i].i = i;
	}
	qsort(p, n, sizeof(*p), pair_cmp);
	for (i = 0; i < n; i = j) {
		double sum = 0;

		for (j = i; j < n && p[j].v == p[i].v; j++)
			sum += (double)(j + 1);
		for (k = i; k < j; k++)
			ranks[p[k].i] = sum / (double)(j - i);
	}
	free(p);
}

static double
ref_spearman(const double *x, const double *y, size_t n)
{
	double *rx = malloc(n * sizeof(*rx)), *ry = malloc(n * sizeof(*ry)), r;

	assert_non_null(rx);
	assert_non_null(ry);
	ref_ranks(x, n, rx);
	ref_ranks(y, n, ry);
	r = ref_pearson(rx, ry, n);
	free(rx);
	free(ry);
	return r;
}

/* Two-pass least squares of y on ln x in plain double. */
static void
ref_logfit(const double *x, const double *y, size_t n, double *a, double *b, double *r2)
{
	double mu = 0, my = 0, suu = 0, syy = 0, suy = 0, du, dy;
	size_t i;

	for (i = 0; i < n; i++) {
		mu += log(x[i]);
		my += y[i];
	}
	mu /= (double)n;
	my /= (double)n;
	for (i = 0; i < n; i++) {
		du = log(x[i]) - mu;
		dy = y[i] - my;
		suu += du * du;
		syy += dy * dy;
		suy += du * dy;
	}
	*b = suy / suu;
	*a = my - *b * mu;
	*r2 = suy * suy / (suu * syy);
}

static int
desc_cmp(const void *a, const void *b)
{
	double p = *(const double *)a, q = *(const double *)b;

	return p > q ? -1 : p < q;
}

/* GDP-per-capita-like x in [20000, 200000) and an index y that grows with
 * ln x plus noise. levels > 0 rounds both onto that many values (ties). */
static void
make_data(uint64_t seed, size_t n, int levels, double *x, double *y)
{
	uint64_t s = seed;
	size_t i;

	for (i = 0; i < n; i++) {
		x[i] = 20000 + 180000 * rng_unit(&s);
		y[i] = 20 + 12 * log(x[i] / 20000) + 30 * rng_unit(&s);
		if (levels > 0) {
			x[i] = floor((x[i] - 20000) / 180000 * levels);
			y[i] = floor(y[i] / 80 * levels);
		}
	}
}

static void
test_pearson_hand(void **state)
{
	double x[] = {1, 2, 3, 4, 5}, y[] = {2, 4, 5, 4, 5}, xs[5], yneg[5], r = 0;
	struct zt_err err = {0};
	size_t i;

	assert_int_equal(stats_pearson(x, y, 5, &r, &err), 0);
	assert_near(r, 0.7745966692414834, EXACT);
	assert_near(r, sqrt(0.6), EXACT);
	assert_int_equal(stats_pearson(y, x, 5, &r, &err), 0);
	assert_near(r, sqrt(0.6), EXACT);

	for (i = 0; i < 5; i++) {
		xs[i] = 1e12 + x[i];
		yneg[i] = 10 - 2 * x[i];
	}
	assert_int_equal(stats_pearson(xs, y, 5, &r, &err), 0);
	assert_near(r, sqrt(0.6), EXACT);
	assert_int_equal(stats_pearson(x, yneg, 5, &r, &err), 0);
	assert_near(r, -1.0, EXACT);
	assert_true(r >= -1.0);
	assert_int_equal(stats_pearson(x, x, 2, &r, &err), 0);
	assert_near(r, 1.0, EXACT);
}

static void
test_spearman_hand(void **state)
{
	double x[] = {1, 2, 3, 4, 5}, y[] = {1, 3, 2, 2, 5};
	double tx[] = {1, 1, 1, 2, 2, 3}, ty[] = {1, 1, 2, 2, 3, 3};
	double ex[5], rho = 0;
	struct zt_err err = {0};
	size_t i;

	assert_int_equal(stats_spearman(x, y, 5, &rho, &err), 0);
	assert_near(rho, 6.5 / sqrt(95), EXACT);
	assert_near(rho, 0.6668859288553503, EXACT);
	assert_true(fabs(rho - 0.675) > 1e-3);

	assert_int_equal(stats_spearman(tx, ty, 6, &rho, &err), 0);
	assert_near(rho, 13 / sqrt(240), EXACT);
	assert_near(rho, 0.8391463916782737, EXACT);

	for (i = 0; i < 5; i++)
		ex[i] = exp(x[i]);
	assert_int_equal(stats_spearman(x, ex, 5, &rho, &err), 0);
	assert_near(rho, 1.0, EXACT);
}

static void
test_rank_average(void **state)
{
	double v[] = {10, 20, 20, 30}, r[4], same[3] = {7, 7, 7}, rs[3];
	struct zt_err err = {0};

	assert_int_equal(stats_rank_average(v, 4, r, &err), 0);
	assert_near(r[0], 1, 0);
	assert_near(r[1], 2.5, 0);
	assert_near(r[2], 2.5, 0);
	assert_near(r[3], 4, 0);
	assert_int_equal(stats_rank_average(same, 3, rs, &err), 0);
	assert_near(rs[0], 2, 0);
	assert_near(rs[1], 2, 0);
	assert_near(rs[2], 2, 0);
	assert_int_equal(stats_rank_average(NULL, 0, NULL, &err), 0);
}

static void
test_large_reference(void **state)
{
	double *x = malloc(LARGE_N * sizeof(*x)), *y = malloc(LARGE_N * sizeof(*y));
	double *rx = malloc(LARGE_N * sizeof(*rx)), *ry = malloc(LARGE_N * sizeof(*ry));
	double r = 0, rho = 0, ref, d, sd2 = 0, nn = LARGE_N;
	struct zt_err err = {0};
	size_t i;

	assert_non_null(x);
	assert_non_null(y);
	assert_non_null(rx);
	assert_non_null(ry);

	/* Continuous data: no ties. */
	make_data(20260101, LARGE_N, 0, x, y);
	assert_int_equal(stats_pearson(x, y, LARGE_N, &r, &err), 0);
	ref = ref_pearson(x, y, LARGE_N);
	assert_true(ref > 0.3 && ref < 0.95);
	assert_near(r, ref, REF_TOL);

	assert_int_equal(stats_spearman(x, y, LARGE_N, &rho, &err), 0);
	assert_near(rho, ref_spearman(x, y, LARGE_N), REF_TOL);
	ref_ranks(x, LARGE_N, rx);
	ref_ranks(y, LARGE_N, ry);
	for (i = 0; i < LARGE_N; i++) {
		d = rx[i] - ry[i];
		sd2 += d * d;
	}
	assert_near(rho, 1 - 6 * sd2 / (nn * (nn * nn - 1)), REF_TOL);

	/* The module's own ranks equal the reference ranks exactly. */
	assert_int_equal(stats_rank_average(y, LARGE_N, rx, &err), 0);
	for (i = 0; i < LARGE_N; i++)
		assert_true(rx[i] == ry[i]);

	/* 50 levels: almost every value tied with ~2000 others. */
	make_data(7, LARGE_N, 50, x, y);
	assert_int_equal(stats_pearson(x, y, LARGE_N, &r, &err), 0);
	assert_near(r, ref_pearson(x, y, LARGE_N), REF_TOL);
	assert_int_equal(stats_spearman(x, y, LARGE_N, &rho, &err), 0);
	ref = ref_spearman(x, y, LARGE_N);
	assert_true(ref > 0.3 && ref < 0.95);
	assert_near(rho, ref, REF_TOL);

	free(ry);
	free(rx);
	free(y);
	free(x);
}

static void
test_huge_reference(void **state)
{
	double *x = malloc(HUGE_N * sizeof(*x)), *y = malloc(HUGE_N * sizeof(*y));
	double *res = malloc(HUGE_N * sizeof(*res));
	double r = 0, a, b, r2;
	struct stats_logfit fit;
	struct zt_err err = {0};
	size_t i;

	assert_non_null(x);
	assert_non_null(y);
	assert_non_null(res);
	make_data(99, HUGE_N, 0, x, y);
	assert_int_equal(stats_pearson(x, y, HUGE_N, &r, &err), 0);
	assert_near(r, ref_pearson(x, y, HUGE_N), REF_TOL);

	assert_int_equal(stats_logfit(x, y, HUGE_N, &fit, res, &err), 0);
	ref_logfit(x, y, HUGE_N, &a, &b, &r2);
	assert_near(fit.a, a, REF_TOL);
	assert_near(fit.b, b, REF_TOL);
	assert_near(fit.r2, r2, REF_TOL);
	/* y was built as 20 + 12 ln(x / 20000) + uniform(0, 30): slope ~12. */
	assert_near(fit.b, 12, 0.1);
	for (i = 0; i < HUGE_N; i += 997)
		assert_near(res[i], y[i] - (a + b * log(x[i])), REF_TOL);

	/* A constant series whose mean is not exact in binary is still
	 * recognised as constant: NAN, not noise from the rounded mean. */
	for (i = 0; i < HUGE_N; i++)
		y[i] = 0.1;
	r = 0;
	assert_int_equal(stats_pearson(x, y, HUGE_N, &r, &err), 0);
	assert_true(isnan(r));
	assert_int_equal(stats_logfit(x, y, HUGE_N, &fit, res, &err), 0);
	assert_true(fit.a == 0.1 && fit.b == 0 && isnan(fit.r2));
	assert_true(res[0] == 0 && res[HUGE_N - 1] == 0);

	free(res);
	free(y);
	free(x);
}

static void
test_rank_desc(void **state)
{
	double s1[] = {95, 88, 88, 70}, s2[] = {88, 95, 70, 88}, s3[] = {5, 5, 5};
	size_t rk[4], ord[4];
	struct zt_err err = {0};

	assert_int_equal(stats_rank_desc(s1, 4, rk, NULL, &err), 0);
	assert_int_equal(rk[0], 1);
	assert_int_equal(rk[1], 2);
	assert_int_equal(rk[2], 2);
	assert_int_equal(rk[3], 4);

	assert_int_equal(stats_rank_desc(s2, 4, rk, ord, &err), 0);
	assert_int_equal(rk[0], 2);
	assert_int_equal(rk[1], 1);
	assert_int_equal(rk[2], 4);
	assert_int_equal(rk[3], 2);
	assert_int_equal(ord[0], 1);
	assert_int_equal(ord[1], 0);
	assert_int_equal(ord[2], 3);
	assert_int_equal(ord[3], 2);

	assert_int_equal(stats_rank_desc(s3, 3, rk, NULL, &err), 0);
	assert_int_equal(rk[0], 1);
	assert_int_equal(rk[1], 1);
	assert_int_equal(rk[2], 1);
	assert_int_equal(stats_rank_desc(NULL, 0, NULL, NULL, &err), 0);
}

static void
test_rank_desc_large(void **state)
{
	double *s = malloc(LARGE_N * sizeof(*s)), *sorted = malloc(LARGE_N * sizeof(*s));
	size_t *rk = malloc(LARGE_N * sizeof(*rk)), *ord = malloc(LARGE_N * sizeof(*ord));
	char *seen = calloc(LARGE_N, 1);
	struct zt_err err = {0};
	uint64_t seed = 42;
	size_t i, lo, hi, mid;

	assert_non_null(s);
	assert_non_null(sorted);
	assert_non_null(rk);
	assert_non_null(ord);
	assert_non_null(seen);
	for (i = 0; i < LARGE_N; i++)
		sorted[i] = s[i] = floor(rng_unit(&seed) * 1000) / 10; /* 1000 levels */
	qsort(sorted, LARGE_N, sizeof(*sorted), desc_cmp);
	assert_int_equal(stats_rank_desc(s, LARGE_N, rk, ord, &err), 0);
	for (i = 0; i < LARGE_N; i++) {
		/* Number of scores strictly greater: first p with sorted[p] <= s[i]. */
		lo = 0;
		hi = LARGE_N;
		while (lo < hi) {
			mid = lo + (hi - lo) / 2;
			if (sorted[mid] > s[i])
				lo = mid + 1;
			else
				hi = mid;
		}
		assert_int_equal(rk[i], lo + 1);
		assert_true(ord[i] < LARGE_N);
		assert_false(seen[ord[i]]);
		seen[ord[i]] = 1;
		if (i > 0) {
			assert_true(s[ord[i - 1]] >= s[ord[i]]);
			if (s[ord[i - 1]] == s[ord[i]])
				assert_true(ord[i - 1] < ord[i]);
		}
	}
	free(seen);
	free(ord);
	free(rk);
	free(sorted);
	free(s);
}

static void
test_logfit_exact(void **state)
{
	double x[] = {1, 2, 3, 5, 8, 13, 100}, y[7], res[7];
	struct stats_logfit fit;
	struct zt_err err = {0};
	size_t i;

	for (i = 0; i < 7; i++)
		y[i] = 3 + 2 * log(x[i]);
	assert_int_equal(stats_logfit(x, y, 7, &fit, res, &err), 0);
	assert_near(fit.a, 3, EXACT);
	assert_near(fit.b, 2, EXACT);
	assert_near(fit.r2, 1, EXACT);
	for (i = 0; i < 7; i++)
		assert_near(res[i], 0, EXACT);
	/* resid may be NULL. */
	assert_int_equal(stats_logfit(x, y, 7, &fit, NULL, &err), 0);
	assert_near(fit.b, 2, EXACT);
}

static void
test_logfit_hand(void **state)
{
	double x[] = {1, exp(1), exp(2), exp(3)}, y[] = {1, 3, 2, 5}, res[4];
	double yc[] = {70, 70, 70, 70};
	struct stats_logfit fit;
	struct zt_err err = {0};
	size_t ord[4];

	assert_int_equal(stats_logfit(x, y, 4, &fit, res, &err), 0);
	assert_near(fit.a, 1.1, EXACT);
	assert_near(fit.b, 1.1, EXACT);
	assert_near(fit.r2, 121.0 / 175.0, EXACT);
	assert_near(res[0], -0.1, EXACT);
	assert_near(res[1], 0.8, EXACT);
	assert_near(res[2], -1.3, EXACT);
	assert_near(res[3], 0.6, EXACT);
	assert_int_equal(stats_order_desc(res, 4, ord, &err), 0);
	assert_int_equal(ord[0], 1);
	assert_int_equal(ord[1], 3);
	assert_int_equal(ord[2], 0);
	assert_int_equal(ord[3], 2);

	assert_int_equal(stats_logfit(x, yc, 4, &fit, res, &err), 0);
	assert_near(fit.a, 70, 0);
	assert_near(fit.b, 0, 0);
	assert_true(isnan(fit.r2));
	assert_near(res[0], 0, 0);
	assert_near(res[3], 0, 0);
}

static void
test_composite(void **state)
{
	double s[] = {90, 80, 70, 60, 100}, w[] = {2, 1, 1, 0, 0}, w2[] = {6, 3, 3, 0, 0};
	double nine[] = {90, 90, 90, 90, 90}, wd[] = {0.1, 0.2, 0.3, 0.15, 0.25};
	double out = 0;
	size_t band = 99;
	struct zt_err err = {0};

	assert_int_equal(stats_composite(s, NULL, 5, &out, &err), 0);
	assert_near(out, 80, EXACT);
	assert_int_equal(stats_composite(s, w, 5, &out, &err), 0);
	assert_near(out, 82.5, EXACT);
	assert_int_equal(stats_composite(s, w2, 5, &out, &err), 0);
	assert_near(out, 82.5, EXACT);

	assert_int_equal(stats_composite(nine, wd, 5, &out, &err), 0);
	assert_true(out == 90.0);
	assert_int_equal(stats_grade(&default_bands, out, &band, &err), 0);
	assert_int_equal(band, 0);
}

static void
test_grade(void **state)
{
	static const struct {
		double score;
		size_t band;
	} cases[] = {{100, 0}, {90, 0},	    {89.999, 1}, {80, 1}, {79.999, 2},
		     {60, 2},  {59.999, 3}, {0, 3},	 {-5, 3}};
	const double strict_t[] = {nextafter(90, INFINITY), 80};
	const char *const strict_n[] = {"非常高", "高", "低"};
	const struct stats_bands strict = {strict_t, strict_n, 2};
	const char *const one_name[] = {"全部"};
	const struct stats_bands one = {NULL, one_name, 0};
	struct zt_err err = {0};
	size_t i, band;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		band = 99;
		assert_int_equal(stats_grade(&default_bands, cases[i].score, &band, &err), 0);
		assert_int_equal(band, cases[i].band);
	}
	assert_int_equal(stats_grade(&default_bands, 89.999, &band, &err), 0);
	assert_string_equal(default_names[band], "高");
	assert_int_equal(stats_grade(&default_bands, 90, &band, &err), 0);
	assert_string_equal(default_names[band], "非常高");

	assert_int_equal(stats_grade(&strict, 90, &band, &err), 0);
	assert_string_equal(strict_n[band], "高");
	assert_int_equal(stats_grade(&strict, 90.001, &band, &err), 0);
	assert_string_equal(strict_n[band], "非常高");

	assert_int_equal(stats_grade(&one, 12, &band, &err), 0);
	assert_int_equal(band, 0);
}

static void
test_errors(void **state)
{
	double x[] = {1, 2, 3}, y[] = {4, 5, 7}, c[] = {5, 5, 5}, r = 0, out = 0;
	double bad[] = {1, NAN, 3}, inf[] = {1, 2, INFINITY}, zero_x[] = {1, 2, 0};
	double neg_x[] = {-1, 2, 3}, s[] = {50, 60, 70};
	double wneg[] = {1, -1, 1}, wzero[] = {0, 0, 0}, wnan[] = {1, 1, NAN};
	const double dup_t[] = {90, 90, 60}, up_t[] = {60, 80, 90}, nan_t[] = {90, NAN, 60};
	const char *const no_name[] = {"非常高", "高", NULL, "低"};
	const char *const empty_name[] = {"非常高", "", "中", "低"};
	struct stats_bands b;
	struct stats_logfit fit = {0, 0, 0}, before;
	struct zt_err err = {0};
	size_t band = 0, rk[3];

	/* n < 2, NULL, non-finite. */
	assert_err(stats_pearson(x, y, 1, &r, &err), err, "n", "too_few");
	assert_err(stats_pearson(x, y, 0, &r, &err), err, "n", "too_few");
	assert_err(stats_spearman(x, y, 1, &r, &err), err, "n", "too_few");
	assert_err(stats_logfit(x, y, 1, &fit, NULL, &err), err, "n", "too_few");
	assert_err(stats_pearson(NULL, y, 3, &r, &err), err, "x", "missing");
	assert_err(stats_pearson(x, bad, 3, &r, &err), err, "y[1]", "not_finite");
	assert_err(stats_spearman(inf, y, 3, &r, &err), err, "x[2]", "not_finite");
	assert_err(stats_rank_desc(bad, 3, rk, NULL, &err), err, "scores[1]", "not_finite");
	assert_err(stats_order_desc(bad, 3, rk, &err), err, "v[1]", "not_finite");
	assert_err(stats_rank_average(inf, 3, y, &err), err, "v[2]", "not_finite");

	/* Zero variance: rc 0, NAN. */
	r = 0;
	assert_int_equal(stats_pearson(c, y, 3, &r, &err), 0);
	assert_true(isnan(r));
	r = 0;
	assert_int_equal(stats_pearson(x, c, 3, &r, &err), 0);
	assert_true(isnan(r));
	r = 0;
	assert_int_equal(stats_spearman(c, y, 3, &r, &err), 0);
	assert_true(isnan(r));

	/* Log fit: x <= 0, constant x; fit left untouched. */
	fit.a = 42;
	before = fit;
	assert_err(stats_logfit(zero_x, y, 3, &fit, NULL, &err), err, "x[2]", "not_positive");
	assert_err(stats_logfit(neg_x, y, 3, &fit, NULL, &err), err, "x[0]", "not_positive");
	assert_err(stats_logfit(c, y, 3, &fit, NULL, &err), err, "x", "zero_variance");
	assert_err(stats_logfit(x, bad, 3, &fit, NULL, &err), err, "y[1]", "not_finite");
	assert_memory_equal(&fit, &before, sizeof(fit));

	/* Weights. */
	assert_err(stats_composite(s, wneg, 3, &out, &err), err, "weights[1]", "negative");
	assert_err(stats_composite(s, wzero, 3, &out, &err), err, "weights", "all_zero");
	assert_err(stats_composite(s, wnan, 3, &out, &err), err, "weights[2]", "not_finite");
	assert_err(stats_composite(bad, NULL, 3, &out, &err), err, "scores[1]", "not_finite");
	assert_err(stats_composite(s, NULL, 0, &out, &err), err, "n", "too_few");

	/* Bands. */
	b = (struct stats_bands){dup_t, default_names, 3};
	assert_err(stats_grade(&b, 70, &band, &err), err, "thresholds[1]", "not_descending");
	b = (struct stats_bands){up_t, default_names, 3};
	assert_err(stats_bands_check(&b, &err), err, "thresholds[1]", "not_descending");
	b = (struct stats_bands){nan_t, default_names, 3};
	assert_err(stats_bands_check(&b, &err), err, "thresholds[1]", "not_finite");
	b = (struct stats_bands){default_thresholds, no_name, 3};
	assert_err(stats_bands_check(&b, &err), err, "names[2]", "missing");
	b = (struct stats_bands){default_thresholds, empty_name, 3};
	assert_err(stats_bands_check(&b, &err), err, "names[1]", "missing");
	b = (struct stats_bands){NULL, default_names, 3};
	assert_err(stats_bands_check(&b, &err), err, "thresholds", "missing");
	b = (struct stats_bands){default_thresholds, NULL, 3};
	assert_err(stats_bands_check(&b, &err), err, "names", "missing");
	assert_int_equal(stats_bands_check(&default_bands, &err), 0);
	assert_err(stats_grade(&default_bands, NAN, &band, &err), err, "score", "not_finite");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_pearson_hand),    cmocka_unit_test(test_spearman_hand),
	    cmocka_unit_test(test_rank_average),    cmocka_unit_test(test_large_reference),
	    cmocka_unit_test(test_huge_reference),  cmocka_unit_test(test_rank_desc),
	    cmocka_unit_test(test_rank_desc_large), cmocka_unit_test(test_logfit_exact),
	    cmocka_unit_test(test_logfit_hand),	    cmocka_unit_test(test_composite),
	    cmocka_unit_test(test_grade),	    cmocka_unit_test(test_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
