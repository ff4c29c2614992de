/* calendar.c - civil date arithmetic, the working-day calendar (a sorted
 * array of marked days, binary-searched) and its per-year JSON loader. */
#include "base/calendar.h"

#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "base/xmalloc.h"

#define NAME_MAX_BYTES 32
#define BLOCK_MAX_DAYS 15
#define LIST_MAX       64
#define SOURCE_MAX     512

struct cal_entry {
	int32_t day;
	enum cal_kind kind; /* never CAL_DEFAULT */
	char *name;	    /* owned, may be NULL */
};

struct calendar {
	struct cal_entry *e; /* sorted by day, no duplicates */
	size_t n, cap;
	int *years; /* marked years, unsorted */
	size_t nyears, capyears;
};

/* A parsed, not yet applied, holiday block or workday; name points into the
 * JSON document. */
struct pending {
	int32_t from, to;
	const char *name;
};

static int64_t floor_div(int64_t a, int64_t b);
static size_t lower_bound(const struct calendar *c, int32_t day);
static const struct cal_entry *find(const struct calendar *c, int32_t day);
static int64_t weekdays_upto(int32_t day);
static const char *path(char *buf, size_t cap, const char *list, size_t i, const char *key);
static int check_keys(json_t *obj, const char *const *allowed, const char *where,
		      struct zt_err *err);
static int get_name(json_t *obj, const char *where, const char **out, struct zt_err *err);
static int get_date(json_t *obj, const char *key, const char *where, int32_t *out,
		    struct zt_err *err);
static int parse_holidays(json_t *arr, int year, struct pending *out, size_t *n,
			  struct zt_err *err);
static int parse_workdays(json_t *arr, int year, const struct pending *hol, size_t nhol,
			  struct pending *out, size_t *n, struct zt_err *err);

static int64_t
floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;

	if ((a % b != 0) && ((a < 0) != (b < 0)))
		q--;
	return q;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
 * days_from_civil). */
int32_t
date_from_ymd(int y, int m, int d)
{
	int64_t yy = (int64_t)y - (m <= 2);
	int64_t era = floor_div(yy, 400);
	int64_t yoe = yy - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

	return (int32_t)(era * 146097 + doe - 719468);
}

/* Hinnant's civil_from_days. */
void
date_to_ymd(int32_t day, int *y, int *m, int *d)
{
	int64_t z = (int64_t)day + 719468;
	int64_t era = floor_div(z, 146097);
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	int64_t dd = doy - (153 * mp + 2) / 5 + 1;
	int64_t mm = mp < 10 ? mp + 3 : mp - 9;

	*y = (int)(yoe + era * 400 + (mm <= 2));
	*m = (int)mm;
	*d = (int)dd;
}

int
date_parse(const char *s, int32_t *out)
{
	int i, y = 0, m, d, yy, mm, dd;

	if (s == NULL || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return -1;
	for (i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
			return -1;
	for (i = 0; i < 4; i++)
		y = y * 10 + (s[i] - '0');
	m = (s[5] - '0') * 10 + (s[6] - '0');
	d = (s[8] - '0') * 10 + (s[9] - '0');
	if (y < 1 || m < 1 || m > 12 || d < 1 || d > 31)
		return -1;
	/* A day that does not exist (02-30) comes back as another date. */
	date_to_ymd(date_from_ymd(y, m, d), &yy, &mm, &dd);
	if (yy != y || mm != m || dd != d)
		return -1;
	*out = date_from_ymd(y, m, d);
	return 0;
}

void
date_format(int32_t day, char out[11])
{
	int y, m, d, i;

	date_to_ymd(day, &y, &m, &d);
	y = ((y % 10000) + 10000) % 10000;
	for (i = 3; i >= 0; i--) {
		out[i] = (char)('0' + y % 10);
		y /= 10;
	}
	out[4] = '-';
	out[5] = (char)('0' + m / 10);
	out[6] = (char)('0' + m % 10);
	out[7] = '-';
	out[8] = (char)('0' + d / 10);
	out[9] = (char)('0' + d % 10);
	out[10] = '\0';
}

int
date_weekday(int32_t day)
{
	/* 1970-01-01 was a Thursday (4). */
	return (int)(((int64_t)day % 7 + 7 + 3) % 7) + 1;
}

int32_t
date_of_time(int64_t unix_seconds)
{
	return (int32_t)floor_div(unix_seconds + ZT_TZ_OFFSET, 86400);
}

int64_t
date_start_time(int32_t day)
{
	return (int64_t)day * 86400 - ZT_TZ_OFFSET;
}

struct calendar *
calendar_new(void)
{
	return xcalloc(1, sizeof(struct calendar));
}

void
calendar_free(struct calendar *c)
{
	size_t i;

	if (c == NULL)
		return;
	for (i = 0; i < c->n; i++)
		free(c->e[i].name);
	free(c->e);
	free(c->years);
	free(c);
}

/* Index of the first entry with e.day >= day (c->n if none). */
static size_t
lower_bound(const struct calendar *c, int32_t day)
{
	size_t lo = 0, hi = c->n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (c->e[mid].day < day)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static const struct cal_entry *
find(const struct calendar *c, int32_t day)
{
	size_t i = lower_bound(c, day);

	return i < c->n && c->e[i].day == day ? &c->e[i] : NULL;
}

void
calendar_set(struct calendar *c, int32_t day, enum cal_kind kind, const char *name)
{
	size_t i = lower_bound(c, day);
	bool found = i < c->n && c->e[i].day == day;
	char *copy;

	if (kind == CAL_DEFAULT) {
		if (found) {
			free(c->e[i].name);
			memmove(&c->e[i], &c->e[i + 1], (c->n - i - 1) * sizeof(c->e[0]));
			c->n--;
		}
		return;
	}
	copy = name ? xstrdup(name) : NULL;
	if (found) {
		free(c->e[i].name);
	} else {
		if (c->n == c->cap) {
			c->cap = c->cap ? c->cap * 2 : 64;
			c->e = xreallocarray(c->e, c->cap, sizeof(c->e[0]));
		}
		memmove(&c->e[i + 1], &c->e[i], (c->n - i) * sizeof(c->e[0]));
		c->n++;
	}
	c->e[i].day = day;
	c->e[i].kind = kind;
	c->e[i].name = copy;
}

enum cal_kind
calendar_kind(const struct calendar *c, int32_t day)
{
	const struct cal_entry *e = find(c, day);

	return e ? e->kind : CAL_DEFAULT;
}

const char *
calendar_name(const struct calendar *c, int32_t day)
{
	const struct cal_entry *e = find(c, day);

	return e ? e->name : NULL;
}

int
calendar_has_year(const struct calendar *c, int year)
{
	size_t i;

	for (i = 0; i < c->nyears; i++)
		if (c->years[i] == year)
			return 1;
	return 0;
}

void
calendar_mark_year(struct calendar *c, int year)
{
	if (calendar_has_year(c, year))
		return;
	if (c->nyears == c->capyears) {
		c->capyears = c->capyears ? c->capyears * 2 : 8;
		c->years = xreallocarray(c->years, c->capyears, sizeof(c->years[0]));
	}
	c->years[c->nyears++] = year;
}

bool
calendar_is_workday(const struct calendar *c, int32_t day)
{
	switch (calendar_kind(c, day)) {
	case CAL_HOLIDAY:
		return false;
	case CAL_WORKDAY:
		return true;
	case CAL_DEFAULT:
		break;
	}
	return date_weekday(day) <= 5;
}

void
calendar_foreach(const struct calendar *c,
		 void (*fn)(int32_t day, enum cal_kind kind, const char *name, void *arg),
		 void *arg)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		fn(c->e[i].day, c->e[i].kind, c->e[i].name, arg);
}

int32_t
calendar_add_workdays(const struct calendar *c, int32_t start, int n)
{
	int32_t day = start;
	int step = n < 0 ? -1 : 1;
	long left = n < 0 ? -(long)n : n;

	while (left > 0) {
		day += step;
		if (calendar_is_workday(c, day))
			left--;
	}
	return day;
}

/* A prefix count of Monday-Fridays: weekdays_upto(b) - weekdays_upto(a) is
 * the number of Monday-Fridays d with a < d <= b. Day 4 (1970-01-05) was a
 * Monday; k counts days from the Sunday before it. */
static int64_t
weekdays_upto(int32_t day)
{
	int64_t k = (int64_t)day - 3;
	int64_t weeks = floor_div(k, 7);
	int64_t rest = k - weeks * 7;

	return weeks * 5 + (rest < 5 ? rest : 5);
}

int
calendar_workdays_between(const struct calendar *c, int32_t from, int32_t to)
{
	int64_t count;
	size_t i;

	if (to <= from)
		return 0;
	count = weekdays_upto(to) - weekdays_upto(from);
	/* Marks only matter where they differ from the weekday rule. */
	for (i = lower_bound(c, from + 1); i < c->n && c->e[i].day <= to; i++) {
		bool weekday = date_weekday(c->e[i].day) <= 5;

		if (c->e[i].kind == CAL_HOLIDAY && weekday)
			count--;
		else if (c->e[i].kind == CAL_WORKDAY && !weekday)
			count++;
	}
	return (int)count;
}

void
calendar_deadline(const struct calendar *c, int32_t start, int limit, int paused,
		  struct deadline *out)
{
	long long total, r;

	if (limit < 0)
		limit = 0;
	if (paused < 0)
		paused = 0;
	total = (long long)limit + paused;
	if (total > INT_MAX)
		total = INT_MAX;
	r = limit / 5 > 1 ? limit / 5 : 1;
	out->due = calendar_add_workdays(c, start, (int)total);
	/* On the (total - r)-th working day exactly r working days are left. */
	out->warn = total - r > 0 ? calendar_add_workdays(c, start, (int)(total - r)) : start;
}

/* ---- JSON loading ---- */

/* Formats a JSON path into buf: "holidays[2].to", or "holidays[2]" when
 * key is NULL. */
static const char *
path(char *buf, size_t cap, const char *list, size_t i, const char *key)
{
	if (key == NULL)
		snprintf(buf, cap, "%s[%zu]", list, i);
	else
		snprintf(buf, cap, "%s[%zu].%s", list, i, key);
	return buf;
}

/* Rejects keys of obj not in allowed (NULL-terminated); where is the path of
 * obj ("" for the root). */
static int
check_keys(json_t *obj, const char *const *allowed, const char *where, struct zt_err *err)
{
	char field[ZT_ERR_FIELD_MAX], shown[33];
	const char *key;
	void *it;
	size_t i;

	for (it = json_object_iter(obj); it != NULL; it = json_object_iter_next(obj, it)) {
		key = json_object_iter_key(it);
		for (i = 0; allowed[i] != NULL; i++)
			if (strcmp(key, allowed[i]) == 0)
				break;
		if (allowed[i] != NULL)
			continue;
		/* Echo the key without control characters. */
		for (i = 0; i < sizeof(shown) - 1 && key[i] != '\0'; i++)
			shown[i] = (unsigned char)key[i] < 0x20 ? '?' : key[i];
		shown[i] = '\0';
		snprintf(field, sizeof(field), "%s%s%s", where, *where ? "." : "", shown);
		return err_set(err, ZT_EINVAL, field, "unknown_key", "unknown key \"%s\"", shown);
	}
	return 0;
}

/* Reads the required "name" of obj at path where. */
static int
get_name(json_t *obj, const char *where, const char **out, struct zt_err *err)
{
	json_t *v = json_object_get(obj, "name");
	char field[ZT_ERR_FIELD_MAX];
	const char *s;
	size_t len, i;

	snprintf(field, sizeof(field), "%s.name", where);
	if (v == NULL)
		return err_set(err, ZT_EINVAL, field, "required", "%s is required", field);
	if (!json_is_string(v))
		return err_set(err, ZT_EINVAL, field, "type", "%s must be a string", field);
	s = json_string_value(v);
	len = json_string_length(v);
	if (len == 0)
		return err_set(err, ZT_EINVAL, field, "required", "%s must not be empty", field);
	if (len > NAME_MAX_BYTES)
		return err_set(err, ZT_EINVAL, field, "too_long",
			       "%s is %zu bytes, at most %d allowed", field, len, NAME_MAX_BYTES);
	for (i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return err_set(err, ZT_EINVAL, field, "format",
				       "%s must not contain control characters", field);
	*out = s;
	return 0;
}

/* Reads the required date obj[key] at path where. */
static int
get_date(json_t *obj, const char *key, const char *where, int32_t *out, struct zt_err *err)
{
	json_t *v = json_object_get(obj, key);
	char field[ZT_ERR_FIELD_MAX];

	snprintf(field, sizeof(field), "%s.%s", where, key);
	if (v == NULL)
		return err_set(err, ZT_EINVAL, field, "required", "%s is required", field);
	if (!json_is_string(v))
		return err_set(err, ZT_EINVAL, field, "type", "%s must be a string", field);
	if (date_parse(json_string_value(v), out) < 0)
		return err_set(err, ZT_EINVAL, field, "format",
			       "%s must be a real date written YYYY-MM-DD", field);
	return 0;
}

static int
parse_holidays(json_t *arr, int year, struct pending *out, size_t *n, struct zt_err *err)
{
	static const char *const keys[] = {"name", "from", "to", NULL};
	int32_t jan1 = date_from_ymd(year, 1, 1), dec31 = date_from_ymd(year, 12, 31);
	char where[ZT_ERR_FIELD_MAX], field[ZT_ERR_FIELD_MAX], a[11], b[11];
	struct pending *h;
	size_t i, j;
	json_t *v;
	int rc;

	if (arr == NULL)
		return err_set(err, ZT_EINVAL, "holidays", "required", "holidays is required");
	if (!json_is_array(arr))
		return err_set(err, ZT_EINVAL, "holidays", "type", "holidays must be an array");
	if (json_array_size(arr) > LIST_MAX)
		return err_set(err, ZT_EINVAL, "holidays", "too_long",
			       "holidays has %zu entries, at most %d allowed", json_array_size(arr),
			       LIST_MAX);
	for (i = 0; i < json_array_size(arr); i++) {
		v = json_array_get(arr, i);
		h = &out[i];
		path(where, sizeof(where), "holidays", i, NULL);
		if (!json_is_object(v))
			return err_set(err, ZT_EINVAL, where, "type", "%s must be an object",
				       where);
		if ((rc = check_keys(v, keys, where, err)) < 0 ||
		    (rc = get_name(v, where, &h->name, err)) < 0 ||
		    (rc = get_date(v, "from", where, &h->from, err)) < 0 ||
		    (rc = get_date(v, "to", where, &h->to, err)) < 0)
			return rc;
		date_format(h->from, a);
		date_format(h->to, b);
		/* A block may start in the previous December (跨年元旦) but must
		 * end in the file's year; the length limit bounds the start. */
		if (h->from > dec31 || h->from < jan1 - BLOCK_MAX_DAYS) {
			path(field, sizeof(field), "holidays", i, "from");
			return err_set(err, ZT_EINVAL, field, "outside_year",
				       "%s (%s) is outside %d", field, a, year);
		}
		path(field, sizeof(field), "holidays", i, "to");
		if (h->to < jan1 || h->to > dec31)
			return err_set(err, ZT_EINVAL, field, "outside_year",
				       "%s (%s) is outside %d", field, b, year);
		if (h->from > h->to)
			return err_set(err, ZT_EINVAL, field, "order",
				       "%s (%s) is before %s.from (%s)", field, b, where, a);
		if (h->to - h->from + 1 > BLOCK_MAX_DAYS)
			return err_set(err, ZT_EINVAL, field, "too_long",
				       "%s: a holiday block is at most %d days, got %d", where,
				       BLOCK_MAX_DAYS, (int)(h->to - h->from + 1));
		path(field, sizeof(field), "holidays", i, "from");
		for (j = 0; j < i; j++) {
			if (h->from > out[j].to || h->to < out[j].from)
				continue;
			return err_set(err, ZT_EINVAL, field, "overlap",
				       "%s (%s .. %s) overlaps holidays[%zu]", where, a, b, j);
		}
	}
	*n = json_array_size(arr);
	return 0;
}

static int
parse_workdays(json_t *arr, int year, const struct pending *hol, size_t nhol, struct pending *out,
	       size_t *n, struct zt_err *err)
{
	static const char *const keys[] = {"date", "name", NULL};
	int32_t jan1 = date_from_ymd(year, 1, 1), dec31 = date_from_ymd(year, 12, 31);
	char where[ZT_ERR_FIELD_MAX], field[ZT_ERR_FIELD_MAX], a[11];
	struct pending *w;
	size_t i, j;
	json_t *v;
	int rc;

	if (arr == NULL)
		return err_set(err, ZT_EINVAL, "workdays", "required", "workdays is required");
	if (!json_is_array(arr))
		return err_set(err, ZT_EINVAL, "workdays", "type", "workdays must be an array");
	if (json_array_size(arr) > LIST_MAX)
		return err_set(err, ZT_EINVAL, "workdays", "too_long",
			       "workdays has %zu entries, at most %d allowed", json_array_size(arr),
			       LIST_MAX);
	for (i = 0; i < json_array_size(arr); i++) {
		v = json_array_get(arr, i);
		w = &out[i];
		path(where, sizeof(where), "workdays", i, NULL);
		path(field, sizeof(field), "workdays", i, "date");
		if (!json_is_object(v))
			return err_set(err, ZT_EINVAL, where, "type", "%s must be an object",
				       where);
		if ((rc = check_keys(v, keys, where, err)) < 0 ||
		    (rc = get_date(v, "date", where, &w->from, err)) < 0 ||
		    (rc = get_name(v, where, &w->name, err)) < 0)
			return rc;
		w->to = w->from;
		date_format(w->from, a);
		/* The previous December is allowed for a cross-year 元旦. */
		if (w->from > dec31 || w->from < jan1 - BLOCK_MAX_DAYS)
			return err_set(err, ZT_EINVAL, field, "outside_year",
				       "%s (%s) is outside %d", field, a, year);
		if (date_weekday(w->from) <= 5)
			return err_set(err, ZT_EINVAL, field, "not_weekend",
				       "%s (%s) is a weekday; only a Saturday or Sunday can be a "
				       "make-up working day",
				       field, a);
		for (j = 0; j < i; j++)
			if (out[j].from == w->from)
				return err_set(err, ZT_EINVAL, field, "duplicate",
					       "%s (%s) repeats workdays[%zu]", field, a, j);
		for (j = 0; j < nhol; j++)
			if (w->from >= hol[j].from && w->from <= hol[j].to)
				return err_set(err, ZT_EINVAL, field, "overlap",
					       "%s (%s) falls in holidays[%zu]", field, a, j);
	}
	*n = json_array_size(arr);
	return 0;
}

int
calendar_load_json(struct calendar *c, const char *text, size_t len, int *year_out,
		   struct zt_err *err)
{
	static const char *const keys[] = {"year", "source", "holidays", "workdays", NULL};
	struct pending hol[LIST_MAX], wd[LIST_MAX];
	size_t nhol = 0, nwd = 0, i;
	json_error_t jerr;
	json_t *root, *v;
	json_int_t year;
	int32_t d;
	int rc;

	if (len > CALENDAR_JSON_MAX)
		return err_set(err, ZT_EINVAL, "", "too_large",
			       "calendar file is %zu bytes, at most %d allowed", len,
			       CALENDAR_JSON_MAX);
	root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	if (root == NULL)
		return err_set(err, ZT_EINVAL, "", "syntax",
			       "invalid JSON at line %d column %d: %s", jerr.line, jerr.column,
			       jerr.text);
	if (!json_is_object(root)) {
		rc = err_set(err, ZT_EINVAL, "", "type", "calendar file must be a JSON object");
		goto out;
	}
	if ((rc = check_keys(root, keys, "", err)) < 0)
		goto out;

	v = json_object_get(root, "year");
	if (v == NULL) {
		rc = err_set(err, ZT_EINVAL, "year", "required", "year is required");
		goto out;
	}
	if (!json_is_integer(v)) {
		rc = err_set(err, ZT_EINVAL, "year", "type", "year must be an integer");
		goto out;
	}
	year = json_integer_value(v);
	if (year < 2000 || year > 2100) {
		rc = err_set(err, ZT_EINVAL, "year", "range", "year must be 2000..2100, got %lld",
			     (long long)year);
		goto out;
	}
	v = json_object_get(root, "source");
	if (v != NULL && (!json_is_string(v) || json_string_length(v) > SOURCE_MAX)) {
		rc = err_set(err, ZT_EINVAL, "source", "type",
			     "source must be a string of at most %d bytes", SOURCE_MAX);
		goto out;
	}
	if ((rc = parse_holidays(json_object_get(root, "holidays"), (int)year, hol, &nhol, err)) <
		0 ||
	    (rc = parse_workdays(json_object_get(root, "workdays"), (int)year, hol, nhol, wd, &nwd,
				 err)) < 0)
		goto out;

	/* Everything is valid: apply. */
	for (i = 0; i < nhol; i++)
		for (d = hol[i].from; d <= hol[i].to; d++)
			calendar_set(c, d, CAL_HOLIDAY, hol[i].name);
	for (i = 0; i < nwd; i++)
		calendar_set(c, wd[i].from, CAL_WORKDAY, wd[i].name);
	calendar_mark_year(c, (int)year);
	if (year_out)
		*year_out = (int)year;
	rc = 0;
out:
	json_decref(root);
	return rc;
}
