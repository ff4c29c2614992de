/* evaluate.c - the pure parts of the capability evaluation: periods, the
 * configuration, the guide checks and the indicator formulas (no I/O). The
 * figures come from evaluate_model.c; the documents from evaluate_json.c. */
#include "domain/evaluate.h"
#include "base/calendar.h"
#include "base/stats.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const struct eval_indicator_def eval_indicators[EVAL_NIND] = {
    {"coverage", 2, {"published", "online"}},
    {"guide", 1, {"complete"}},
    {"maturity", 5, {"full_online", "zero_visit", "trips", "exempted", "compression"}},
    {"channels", 1, {"offered"}},
    {"effectiveness", 4, {"online_share", "on_time", "rating", "rectification"}},
};

const char *const eval_check_names[EVAL_NCHECKS] = {
    "promised_exceeds_legal",
    "no_materials",
    "basis",
    "fee",
    "place",
    "office_hours",
    "consult",
    "complaint",
    "process_steps",
    "web_channel",
    "window_only",
};

/* ---- periods ---- */

static const char *const kind_names[] = {"year", "quarter", "month"};

int
eval_kind_parse(const char *s)
{
	for (int i = 0; s && i < 3; i++)
		if (strcmp(s, kind_names[i]) == 0)
			return i;
	return -1;
}

void
eval_period_make(enum eval_kind kind, int year, int n, struct eval_period *p)
{
	int m0 = 1, m1 = 13; /* first month, first month after (may be 13) */

	memset(p, 0, sizeof(*p));
	p->kind = kind;
	p->year = year;
	switch (kind) {
	case EVAL_YEAR:
		m0 = 1, m1 = 13;
		snprintf(p->name, sizeof(p->name), "%04d", year % 10000);
		break;
	case EVAL_QUARTER:
		p->n = n;
		m0 = 3 * (n - 1) + 1, m1 = m0 + 3;
		snprintf(p->name, sizeof(p->name), "%04d-Q%d", year % 10000, n % 10);
		break;
	case EVAL_MONTH:
		p->n = n;
		m0 = n, m1 = n + 1;
		snprintf(p->name, sizeof(p->name), "%04d-%02d", year % 10000, n % 100);
		break;
	}
	int32_t d0 = date_from_ymd(year, m0, 1);
	int32_t d1 = m1 == 13 ? date_from_ymd(year + 1, 1, 1) : date_from_ymd(year, m1, 1);
	p->from = date_start_time(d0);
	p->to = date_start_time(d1);
	date_format(d0, p->first_day);
	date_format(d1 - 1, p->last_day);
}

/* Digits only, exactly n of them, at s; their value or -1. */
static int
digits(const char *s, int n)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

int
eval_period_parse(const char *s, struct eval_period *p, struct zt_err *err)
{
	size_t len = s ? strlen(s) : 0;
	int year = len >= 4 ? digits(s, 4) : -1;
	int n;

	if (year < 0 || (len != 4 && len != 7) || (len == 7 && s[4] != '-'))
		goto format;
	if (year < 2000 || year > 2999)
		return err_set(err, ZT_EINVAL, "period", "range", "year %d is outside 2000-2999",
			       year);
	if (len == 4) {
		eval_period_make(EVAL_YEAR, year, 0, p);
		return 0;
	}
	if (s[5] == 'Q') {
		if ((n = digits(s + 6, 1)) < 0)
			goto format;
		if (n < 1 || n > 4)
			return err_set(err, ZT_EINVAL, "period", "range", "quarter must be Q1-Q4");
		eval_period_make(EVAL_QUARTER, year, n, p);
		return 0;
	}
	if ((n = digits(s + 5, 2)) < 0)
		goto format;
	if (n < 1 || n > 12)
		return err_set(err, ZT_EINVAL, "period", "range", "month must be 01-12");
	eval_period_make(EVAL_MONTH, year, n, p);
	return 0;
format:
	return err_set(err, ZT_EINVAL, "period", "format",
		       "a period is a year (2026), a quarter (2026-Q3) or a month (2026-09)");
}

void
eval_period_prev(const struct eval_period *p, struct eval_period *out)
{
	int year = p->year, n = p->n;

	switch (p->kind) {
	case EVAL_YEAR:
		year--;
		break;
	case EVAL_QUARTER:
		if (--n < 1)
			n = 4, year--;
		break;
	case EVAL_MONTH:
		if (--n < 1)
			n = 12, year--;
		break;
	}
	eval_period_make(p->kind, year, n, out);
}

void
eval_period_at(enum eval_kind kind, int64_t t, struct eval_period *out)
{
	int y, m, d;

	date_to_ymd(date_of_time(t), &y, &m, &d);
	eval_period_make(kind, y, kind == EVAL_QUARTER ? (m - 1) / 3 + 1 : m, out);
}

/* ---- configuration ---- */

/* Splits the next "name:number" entry off *s (commas between entries,
 * blanks around the parts allowed). Returns 1 with name/value, 0 at the
 * end, -1 for a malformed entry (its text in bad). */
static int
next_entry(const char **s, char *name, size_t namecap, double *value, char *bad, size_t badcap)
{
	const char *p = *s, *end, *colon;
	char num[64];

	while (*p == ' ' || *p == '\t')
		p++;
	if (*p == '\0')
		return 0;
	end = strchr(p, ',');
	if (end == NULL)
		end = p + strlen(p);
	*s = *end ? end + 1 : end;
	snprintf(bad, badcap, "%.*s", (int)(end - p), p);
	colon = memchr(p, ':', (size_t)(end - p));
	if (colon == NULL)
		return -1;
	const char *ne = colon;
	while (ne > p && (ne[-1] == ' ' || ne[-1] == '\t'))
		ne--;
	if (ne == p || (size_t)(ne - p) >= namecap)
		return -1;
	snprintf(name, namecap, "%.*s", (int)(ne - p), p);
	const char *v = colon + 1;
	while (v < end && (*v == ' ' || *v == '\t'))
		v++;
	if (v == end || (size_t)(end - v) >= sizeof(num))
		return -1;
	snprintf(num, sizeof(num), "%.*s", (int)(end - v), v);
	char *rest;
	errno = 0;
	*value = strtod(num, &rest);
	while (*rest == ' ' || *rest == '\t')
		rest++;
	if (*rest != '\0' || errno != 0 || !isfinite(*value))
		return -1;
	return 1;
}

static int
parse_weights(const char *s, struct eval_config *c, struct zt_err *err)
{
	int seen[EVAL_NIND] = {0}, rc;
	char name[32], bad[128];
	double v, total = 0;

	while ((rc = next_entry(&s, name, sizeof(name), &v, bad, sizeof(bad))) != 0) {
		int i;
		if (rc < 0)
			return err_set(err, ZT_EINVAL, "eval_weights", "format",
				       "eval_weights: \"%s\" is not indicator:weight", bad);
		for (i = 0; i < EVAL_NIND && strcmp(eval_indicators[i].key, name) != 0; i++)
			;
		if (i == EVAL_NIND)
			return err_set(err, ZT_EINVAL, "eval_weights", "unknown",
				       "eval_weights: unknown indicator \"%s\" (coverage, guide, "
				       "maturity, channels, effectiveness)",
				       name);
		if (seen[i]++)
			return err_set(err, ZT_EINVAL, "eval_weights", "duplicate",
				       "eval_weights: %s given twice", name);
		if (v < 0)
			return err_set(err, ZT_EINVAL, "eval_weights", "negative",
				       "eval_weights: %s has a negative weight", name);
		c->weights[i] = v;
		total += v;
	}
	for (int i = 0; i < EVAL_NIND; i++)
		if (!seen[i])
			return err_set(err, ZT_EINVAL, "eval_weights", "missing",
				       "eval_weights: no weight for %s", eval_indicators[i].key);
	if (total <= 0)
		return err_set(err, ZT_EINVAL, "eval_weights", "all_zero",
			       "eval_weights: at least one weight must be positive");
	return 0;
}

static int
band_name_ok(const char *s)
{
	if (*s == '\0' || strlen(s) > 23)
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || *s == '_'))
			return 0;
	return 1;
}

static int
parse_bands(const char *s, struct eval_config *c, struct zt_err *err)
{
	char name[64], bad[128];
	double v;
	int rc;

	c->nbands = 0;
	while ((rc = next_entry(&s, name, sizeof(name), &v, bad, sizeof(bad))) != 0) {
		if (rc < 0)
			return err_set(err, ZT_EINVAL, "eval_bands", "format",
				       "eval_bands: \"%s\" is not grade:minimum", bad);
		if (!band_name_ok(name))
			return err_set(err, ZT_EINVAL, "eval_bands", "name",
				       "eval_bands: grade \"%s\" must be 1-23 of a-z and _", name);
		if (c->nbands == EVAL_MAX_BANDS)
			return err_set(err, ZT_EINVAL, "eval_bands", "too_many",
				       "eval_bands: at most %d grades", EVAL_MAX_BANDS);
		for (int i = 0; i < c->nbands; i++)
			if (strcmp(c->band_names[i], name) == 0)
				return err_set(err, ZT_EINVAL, "eval_bands", "duplicate",
					       "eval_bands: %s given twice", name);
		if (c->nbands > 0 && v >= c->band_min[c->nbands - 1])
			return err_set(err, ZT_EINVAL, "eval_bands", "not_descending",
				       "eval_bands: minimum of %s must be below that of %s", name,
				       c->band_names[c->nbands - 1]);
		snprintf(c->band_names[c->nbands], sizeof(c->band_names[0]), "%s", name);
		c->band_min[c->nbands++] = v;
	}
	if (c->nbands == 0)
		return err_set(err, ZT_EINVAL, "eval_bands", "missing",
			       "eval_bands: at least one grade is required");
	return 0;
}

int
eval_config_parse(const char *weights, const char *bands, struct eval_config *c, struct zt_err *err)
{
	int rc;

	memset(c, 0, sizeof(*c));
	if ((rc = parse_weights(weights ? weights : "", c, err)) < 0)
		return rc;
	return parse_bands(bands ? bands : "", c, err);
}

int
eval_grade(const struct eval_config *c, double score)
{
	double th[EVAL_MAX_BANDS];
	const char *names[EVAL_MAX_BANDS];
	struct stats_bands b = {th, names, (size_t)c->nbands - 1};
	size_t band = (size_t)c->nbands - 1;

	for (int i = 0; i < c->nbands; i++) {
		th[i] = c->band_min[i];
		names[i] = c->band_names[i];
	}
	if (stats_grade(&b, score, &band, NULL) < 0)
		return c->nbands - 1;
	return (int)band;
}

/* ---- formulas ---- */

double
eval_round2(double v)
{
	double r = round(v * 100.0) / 100.0;

	return r == 0 ? 0.0 : r;
}

void
eval_agg_add(struct eval_agg *d, const struct eval_agg *s)
{
	d->required += s->required;
	d->required_published += s->required_published;
	d->items += s->items;
	d->items_online += s->items_online;
	d->items_full_online += s->items_full_online;
	d->items_zero_visit += s->items_zero_visit;
	d->items_complete += s->items_complete;
	d->legal_sum += s->legal_sum;
	d->promised_sum += s->promised_sum;
	d->channels_sum += s->channels_sum;
	d->cases += s->cases;
	d->cases_online += s->cases_online;
	d->on_time += s->on_time;
	d->late += s->late;
	d->visits_sum += s->visits_sum;
	d->exempted_sum += s->exempted_sum;
	d->req_materials_sum += s->req_materials_sum;
	d->rated += s->rated;
	d->stars_sum += s->stars_sum;
	d->rect_opened += s->rect_opened;
	d->rect_closed += s->rect_closed;
}

/* Sets measure (i, j) to 100 num / den when den > 0. */
static void
ratio(struct eval_score *s, int i, int j, double num, double den)
{
	if (den <= 0)
		return;
	s->measure[i][j] = 100.0 * num / den;
	s->measure_present[i][j] = 1;
}

static void
set(struct eval_score *s, int i, int j, double v)
{
	s->measure[i][j] = v;
	s->measure_present[i][j] = 1;
}

static void
measures(const struct eval_agg *a, struct eval_score *s)
{
	double n = (double)a->items;

	if (a->has_required)
		ratio(s, EVAL_COVERAGE, 0, (double)a->required_published, (double)a->required);
	ratio(s, EVAL_COVERAGE, 1, (double)a->items_online, n);
	ratio(s, EVAL_GUIDE, 0, (double)a->items_complete, n);
	ratio(s, EVAL_MATURITY, 0, (double)a->items_full_online, n);
	ratio(s, EVAL_MATURITY, 1, (double)a->items_zero_visit, n);
	if (a->cases > 0) {
		double avg = (double)a->visits_sum / (double)a->cases;
		set(s, EVAL_MATURITY, 2, 100.0 * (1.0 - fmin(avg, 3.0) / 3.0));
	}
	if (a->req_materials_sum > 0)
		set(s, EVAL_MATURITY, 3,
		    fmin(100.0, 100.0 * (double)a->exempted_sum / (double)a->req_materials_sum));
	ratio(s, EVAL_MATURITY, 4, (double)(a->legal_sum - a->promised_sum), (double)a->legal_sum);
	ratio(s, EVAL_CHANNELS, 0, (double)a->channels_sum, 5.0 * n);
	ratio(s, EVAL_EFFECTIVENESS, 0, (double)a->cases_online, (double)a->cases);
	ratio(s, EVAL_EFFECTIVENESS, 1, (double)a->on_time, (double)(a->on_time + a->late));
	if (a->rated > 0)
		set(s, EVAL_EFFECTIVENESS, 2,
		    ((double)a->stars_sum / (double)a->rated - 1.0) / 4.0 * 100.0);
	ratio(s, EVAL_EFFECTIVENESS, 3, (double)a->rect_closed, (double)a->rect_opened);
}

void
eval_score_compute(const struct eval_agg *a, const struct eval_config *c, struct eval_score *s)
{
	double scores[EVAL_NIND], w[EVAL_NIND];
	size_t n = 0;
	double wsum = 0;

	memset(s, 0, sizeof(*s));
	/* Nothing published and nothing filed yet: not evaluated in the period
	 * (a required list alone would otherwise score coverage 0). */
	if (a->items == 0 && a->cases == 0)
		return;
	measures(a, s);
	for (int i = 0; i < EVAL_NIND; i++) {
		double sum = 0;
		int k = 0;
		for (int j = 0; j < eval_indicators[i].nmeasures; j++)
			if (s->measure_present[i][j])
				sum += s->measure[i][j], k++;
		if (k == 0)
			continue;
		s->indicator[i] = sum / k;
		s->present[i] = 1;
		scores[n] = s->indicator[i];
		w[n++] = c->weights[i];
		wsum += c->weights[i];
	}
	if (n == 0 || wsum <= 0)
		return;
	if (stats_composite(scores, w, n, &s->composite, NULL) == 0)
		s->has_composite = 1;
}

/* ---- guide checks ---- */

/* Code points of s after trimming blanks (ASCII white space and U+3000). */
static long
trimmed_len(const char *s)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	long n = 0, last_nonblank = 0;
	int seen = 0;

	while (*p) {
		int blank = 0;
		size_t len = 1;
		if (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n' || *p == '\v' || *p == '\f')
			blank = 1;
		else if (p[0] == 0xE3 && p[1] == 0x80 && p[2] == 0x80)
			blank = 1, len = 3;
		else if (*p >= 0xF0)
			len = 4;
		else if (*p >= 0xE0)
			len = 3;
		else if (*p >= 0xC0)
			len = 2;
		for (size_t k = 1; k < len; k++)
			if (p[k] == 0) {
				len = k;
				break;
			}
		if (!blank) {
			seen = 1;
			n++;
			last_nonblank = n;
		} else if (seen)
			n++;
		p += len;
	}
	return last_nonblank;
}

static int
process_steps(const char *process)
{
	json_t *v = json_loads(process ? process : "", JSON_DECODE_ANY, NULL);
	int n = json_is_array(v) ? (int)json_array_size(v) : 0;

	json_decref(v);
	return n;
}

unsigned
eval_guide_checks(const struct eval_guide *g)
{
	unsigned f = 0;
	const char *texts[] = {g->legal_basis,	g->fee,	    g->place,
			       g->office_hours, g->consult, g->complaint};
	/* "免费" or "不收费" states the fee completely; the others need more. */
	const int min_len[] = {4, 1, 4, 4, 4, 4};

	if (g->promised_days > g->legal_days)
		f |= 1u << EVAL_CHK_PROMISED_EXCEEDS_LEGAL;
	if (g->nmaterials == 0)
		f |= 1u << EVAL_CHK_NO_MATERIALS;
	for (int i = 0; i < 6; i++)
		if (trimmed_len(texts[i]) < min_len[i])
			f |= 1u << (EVAL_CHK_BASIS + i);
	if (process_steps(g->process) < 2)
		f |= 1u << EVAL_CHK_PROCESS_STEPS;
	if (g->depth >= 4 && !(g->channels & 1))
		f |= 1u << EVAL_CHK_WEB_CHANNEL;
	if (g->max_visits == 0 && g->channels == 4)
		f |= 1u << EVAL_CHK_WINDOW_ONLY;
	return f;
}

int
eval_indicator_name_ok(const char *s)
{
	size_t n = s ? strlen(s) : 0;

	if (n < 1 || n > 40)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
			return 0;
	return 1;
}
