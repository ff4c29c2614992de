/* stats.c - correlation, ranking, log-linear least squares and grading for
 * the capability evaluation. Index arrays are sorted with a bottom-up merge
 * sort (stable, O(n log n) worst case, unlike qsort); sums go through a
 * Neumaier-compensated long double accumulator. */
#include "base/stats.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/xmalloc.h"

/* Compensated sum: s is the running sum, c the low-order part lost so far. */
struct ksum {
	long double s;
	long double c;
};

static void ksum_add(struct ksum *k, long double v);
static long double ksum_get(const struct ksum *k);
static int elem_err(struct zt_err *err, const char *arr, size_t i, const char *reason,
		    const char *what);
static int check_finite(const double *v, size_t n, const char *arr, struct zt_err *err);
static void sort_idx(const double *key, size_t n, int desc, size_t *idx);
static void average_ranks(const double *v, size_t n, double *ranks, size_t *idx);
static double pearson_core(const double *x, const double *y, size_t n);

static void
ksum_add(struct ksum *k, long double v)
{
	long double t = k->s + v;

	if (fabsl(k->s) >= fabsl(v))
		k->c += (k->s - t) + v;
	else
		k->c += (v - t) + k->s;
	k->s = t;
}

static long double
ksum_get(const struct ksum *k)
{
	return k->s + k->c;
}

/* ZT_EINVAL with field "arr[i]". */
static int
elem_err(struct zt_err *err, const char *arr, size_t i, const char *reason, const char *what)
{
	char field[ZT_ERR_FIELD_MAX];

	snprintf(field, sizeof(field), "%s[%zu]", arr, i);
	return err_set(err, ZT_EINVAL, field, reason, "%s %s", field, what);
}

/* v must be non-NULL (unless n is 0) and every element finite. */
static int
check_finite(const double *v, size_t n, const char *arr, struct zt_err *err)
{
	size_t i;

	if (v == NULL && n > 0)
		return err_set(err, ZT_EINVAL, arr, "missing", "%s is required", arr);
	for (i = 0; i < n; i++)
		if (!isfinite(v[i]))
			return elem_err(err, arr, i, "not_finite", "is not a finite number");
	return 0;
}

/* idx = 0..n-1 sorted by key, ascending or (desc) descending; equal keys
 * keep index order. A right-hand element is taken only when strictly
 * before the left-hand one, which is what makes the merge stable. */
static void
sort_idx(const double *key, size_t n, int desc, size_t *idx)
{
	size_t *tmp, *src, *dst, *t, w, lo, mid, hi, i, j, k;
	int right_first;

	for (i = 0; i < n; i++)
		idx[i] = i;
	if (n < 2)
		return;
	tmp = xreallocarray(NULL, n, sizeof(*tmp));
	src = idx;
	dst = tmp;
	for (w = 1; w < n; w *= 2) {
		for (lo = 0; lo < n; lo += 2 * w) {
			mid = n - lo > w ? lo + w : n;
			hi = n - mid > w ? mid + w : n;
			i = lo;
			j = mid;
			k = lo;
			while (i < mid && j < hi) {
				right_first =
				    desc ? key[src[j]] > key[src[i]] : key[src[j]] < key[src[i]];
				dst[k++] = right_first ? src[j++] : src[i++];
			}
			while (i < mid)
				dst[k++] = src[i++];
			while (j < hi)
				dst[k++] = src[j++];
		}
		t = src;
		src = dst;
		dst = t;
	}
	if (src != idx)
		memcpy(idx, src, n * sizeof(*idx));
	free(tmp);
}

/* Fractional ranks of v (validated); idx is scratch of n elements. */
static void
average_ranks(const double *v, size_t n, double *ranks, size_t *idx)
{
	size_t i, j, k;
	double r;

	sort_idx(v, n, 0, idx);
	for (i = 0; i < n; i = j) {
		for (j = i + 1; j < n && v[idx[j]] == v[idx[i]]; j++)
			;
		/* Sorted positions i..j-1 hold ranks i+1..j; their mean. */
		r = ((double)i + 1.0 + (double)j) / 2.0;
		for (k = i; k < j; k++)
			ranks[idx[k]] = r;
	}
}

/* Two-pass Pearson over validated input, n >= 2. Constant data are caught
 * by comparing values, not by testing a computed variance against 0: the
 * rounded mean of n equal values need not equal the value. */
static double
pearson_core(const double *x, const double *y, size_t n)
{
	struct ksum sx = {0, 0}, sy = {0, 0}, sxx = {0, 0}, syy = {0, 0}, sxy = {0, 0};
	long double mx, my, dx, dy, den, r;
	int xconst = 1, yconst = 1;
	size_t i;

	for (i = 0; i < n; i++) {
		ksum_add(&sx, x[i]);
		ksum_add(&sy, y[i]);
		xconst &= x[i] == x[0];
		yconst &= y[i] == y[0];
	}
	if (xconst || yconst)
		return NAN;
	mx = ksum_get(&sx) / (long double)n;
	my = ksum_get(&sy) / (long double)n;
	for (i = 0; i < n; i++) {
		dx = x[i] - mx;
		dy = y[i] - my;
		ksum_add(&sxx, dx * dx);
		ksum_add(&syy, dy * dy);
		ksum_add(&sxy, dx * dy);
	}
	den = sqrtl(ksum_get(&sxx)) * sqrtl(ksum_get(&syy));
	if (!(den > 0))
		return NAN; /* deviations underflowed: values differ only in subnormals */
	r = ksum_get(&sxy) / den;
	if (r > 1)
		r = 1;
	if (r < -1)
		r = -1;
	return (double)r;
}

int
stats_pearson(const double *x, const double *y, size_t n, double *r, struct zt_err *err)
{
	int rc;

	if (n < 2)
		return err_set(err, ZT_EINVAL, "n", "too_few", "need at least 2 points, got %zu",
			       n);
	if ((rc = check_finite(x, n, "x", err)) != 0 || (rc = check_finite(y, n, "y", err)) != 0)
		return rc;
	*r = pearson_core(x, y, n);
	return 0;
}

int
stats_spearman(const double *x, const double *y, size_t n, double *rho, struct zt_err *err)
{
	double *rx, *ry;
	size_t *idx;
	int rc;

	if (n < 2)
		return err_set(err, ZT_EINVAL, "n", "too_few", "need at least 2 points, got %zu",
			       n);
	if ((rc = check_finite(x, n, "x", err)) != 0 || (rc = check_finite(y, n, "y", err)) != 0)
		return rc;
	rx = xreallocarray(NULL, n, sizeof(*rx));
	ry = xreallocarray(NULL, n, sizeof(*ry));
	idx = xreallocarray(NULL, n, sizeof(*idx));
	average_ranks(x, n, rx, idx);
	average_ranks(y, n, ry, idx);
	*rho = pearson_core(rx, ry, n);
	free(idx);
	free(ry);
	free(rx);
	return 0;
}

int
stats_rank_average(const double *v, size_t n, double *ranks, struct zt_err *err)
{
	size_t *idx;
	int rc;

	if ((rc = check_finite(v, n, "v", err)) != 0)
		return rc;
	if (n == 0)
		return 0;
	idx = xreallocarray(NULL, n, sizeof(*idx));
	average_ranks(v, n, ranks, idx);
	free(idx);
	return 0;
}

int
stats_order_desc(const double *v, size_t n, size_t *order, struct zt_err *err)
{
	int rc;

	if ((rc = check_finite(v, n, "v", err)) != 0)
		return rc;
	sort_idx(v, n, 1, order);
	return 0;
}

int
stats_rank_desc(const double *scores, size_t n, size_t *ranks, size_t *order, struct zt_err *err)
{
	size_t *ord, i;
	int rc;

	if ((rc = check_finite(scores, n, "scores", err)) != 0)
		return rc;
	if (n == 0)
		return 0;
	ord = order != NULL ? order : xreallocarray(NULL, n, sizeof(*ord));
	sort_idx(scores, n, 1, ord);
	for (i = 0; i < n; i++) {
		if (i > 0 && scores[ord[i]] == scores[ord[i - 1]])
			ranks[ord[i]] = ranks[ord[i - 1]];
		else
			ranks[ord[i]] = i + 1;
	}
	if (ord != order)
		free(ord);
	return 0;
}

int
stats_logfit(const double *x, const double *y, size_t n, struct stats_logfit *fit, double *resid,
	     struct zt_err *err)
{
	struct ksum su = {0, 0}, sy = {0, 0}, suu = {0, 0}, syy = {0, 0}, suy = {0, 0};
	long double mu, my, du, dy, a, b, r, vuu, vyy;
	double u, u0 = 0;
	int uconst = 1, yconst = 1, rc;
	size_t i;

	if (n < 2)
		return err_set(err, ZT_EINVAL, "n", "too_few", "need at least 2 points, got %zu",
			       n);
	if ((rc = check_finite(x, n, "x", err)) != 0 || (rc = check_finite(y, n, "y", err)) != 0)
		return rc;
	for (i = 0; i < n; i++)
		if (!(x[i] > 0))
			return elem_err(err, "x", i, "not_positive",
					"must be > 0 to take its logarithm");
	for (i = 0; i < n; i++) {
		u = log(x[i]);
		if (i == 0)
			u0 = u;
		ksum_add(&su, u);
		ksum_add(&sy, y[i]);
		uconst &= u == u0;
		yconst &= y[i] == y[0];
	}
	if (uconst)
		return err_set(err, ZT_EINVAL, "x", "zero_variance",
			       "all x have the same logarithm; no slope can be fitted");
	mu = ksum_get(&su) / (long double)n;
	my = ksum_get(&sy) / (long double)n;
	for (i = 0; i < n; i++) {
		du = log(x[i]) - mu;
		dy = yconst ? 0 : y[i] - my;
		ksum_add(&suu, du * du);
		ksum_add(&syy, dy * dy);
		ksum_add(&suy, du * dy);
	}
	vuu = ksum_get(&suu);
	vyy = ksum_get(&syy);
	if (!(vuu > 0))
		return err_set(err, ZT_EINVAL, "x", "zero_variance",
			       "the logarithms of x do not vary; no slope can be fitted");
	if (yconst || !(vyy > 0)) {
		b = 0;
		a = y[0];
		fit->r2 = NAN;
	} else {
		b = ksum_get(&suy) / vuu;
		a = my - b * mu;
		r = ksum_get(&suy) / (sqrtl(vuu) * sqrtl(vyy));
		fit->r2 = (double)(r * r > 1 ? 1 : r * r);
	}
	fit->a = (double)a;
	fit->b = (double)b;
	if (resid != NULL)
		for (i = 0; i < n; i++)
			resid[i] = (double)(y[i] - (a + b * log(x[i])));
	return 0;
}

int
stats_composite(const double *scores, const double *weights, size_t n, double *out,
		struct zt_err *err)
{
	struct ksum num = {0, 0}, den = {0, 0};
	long double w;
	size_t i;
	int rc;

	if (n == 0)
		return err_set(err, ZT_EINVAL, "n", "too_few", "need at least 1 score");
	if ((rc = check_finite(scores, n, "scores", err)) != 0 ||
	    (weights != NULL && (rc = check_finite(weights, n, "weights", err)) != 0))
		return rc;
	for (i = 0; i < n; i++) {
		w = weights != NULL ? weights[i] : 1;
		if (w < 0)
			return elem_err(err, "weights", i, "negative", "must not be negative");
		ksum_add(&num, w * scores[i]);
		ksum_add(&den, w);
	}
	if (!(ksum_get(&den) > 0))
		return err_set(err, ZT_EINVAL, "weights", "all_zero",
			       "at least one weight must be positive");
	*out = (double)(ksum_get(&num) / ksum_get(&den));
	return 0;
}

int
stats_bands_check(const struct stats_bands *b, struct zt_err *err)
{
	size_t i;
	int rc;

	if (b == NULL || b->names == NULL)
		return err_set(err, ZT_EINVAL, "names", "missing", "band names are required");
	if ((rc = check_finite(b->thresholds, b->n, "thresholds", err)) != 0)
		return rc;
	for (i = 1; i < b->n; i++)
		if (!(b->thresholds[i] < b->thresholds[i - 1]))
			return elem_err(err, "thresholds", i, "not_descending",
					"must be below the threshold before it");
	for (i = 0; i <= b->n; i++)
		if (b->names[i] == NULL || b->names[i][0] == '\0')
			return elem_err(err, "names", i, "missing", "is required");
	return 0;
}

int
stats_grade(const struct stats_bands *b, double score, size_t *band, struct zt_err *err)
{
	size_t i;
	int rc;

	if ((rc = stats_bands_check(b, err)) != 0)
		return rc;
	if (!isfinite(score))
		return err_set(err, ZT_EINVAL, "score", "not_finite",
			       "score is not a finite number");
	for (i = 0; i < b->n && !(score >= b->thresholds[i]); i++)
		;
	*band = i;
	return 0;
}
