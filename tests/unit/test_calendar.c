/* test_calendar.c - unit tests for base/calendar (dates, working days,
 * deadlines, the per-year JSON holiday files).
 *
 * Test plan:
 * - Dates: date_from_ymd/date_to_ymd against a naive day-by-day walk from
 *   1900-01-01 to 2100-12-31 (every day, both directions, leap years 1900
 *   and 2000 included); fixed points (1970-01-01 = 0, 2026-01-01 = 20454);
 *   date_parse accepts real dates only and exactly "YYYY-MM-DD"; date_format;
 *   weekdays (1970-01-01 Thursday, days before 1970); China-time conversion
 *   around midnight and before 1970.
 * - Calendar structure: set/kind/name/foreach order, CAL_DEFAULT removes a
 *   mark, re-setting replaces the name, has_year/mark_year.
 * - The real calendar/cn-2026.json and cn-2025.json (from $ZT_SOURCE_DIR):
 *   they load, with the exact number of marked days; 2026-01-04 (Sunday) is
 *   a working day, 2026-02-16 (Monday) a holiday named 春节, an ordinary
 *   Saturday is not a working day; every 调休 day in both files is a working
 *   weekend day; total working days per year (248 and 248, computed
 *   independently from the facts file).
 * - add_workdays across 国庆 2026 (09-30 + 1 = 10-08, the 10-10 Saturday
 *   counts, 09-20 Sunday counts) and 春节 2026 (02-14 and 02-28 Saturdays),
 *   n = 0 and negative n; workdays_between on fixed spans and against a
 *   day-by-day count over 2024-12..2027-01 and around 1970 (negative days);
 *   add_workdays and workdays_between agree.
 * - Deadlines: limit 0, 1, 5, 20 (r = 4) with exact due and warn dates,
 *   pauses extending due, a warn day that would fall on a weekend, and a
 *   brute-force check of the definition (remaining working days at warn <= r
 *   and on the day before > r) over every start day of 2026.
 * - Bad JSON: each rejected with the exact err->field and reason and the
 *   calendar unchanged (overlaps, workday on a weekday, dates outside the
 *   year, malformed dates, order, block length, names, year, syntax, types,
 *   unknown and duplicate keys, size). Cross-year 元旦 blocks (2019, 2023)
 *   load. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/calendar.h"
#include "base/xmalloc.h"

#define D(y, m, d) date_from_ymd((y), (m), (d))

/* Reads $ZT_SOURCE_DIR/calendar/<name> into a new string. */
static char *
read_source_file(const char *name, size_t *len)
{
	const char *dir = getenv("ZT_SOURCE_DIR");
	char path[1024];
	FILE *f;
	long n;
	char *text;

	assert_non_null(dir);
	snprintf(path, sizeof(path), "%s/calendar/%s", dir, name);
	f = fopen(path, "rb");
	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n > 0);
	rewind(f);
	text = xmalloc((size_t)n + 1);
	assert_int_equal(fread(text, 1, (size_t)n, f), (size_t)n);
	text[n] = '\0';
	fclose(f);
	*len = (size_t)n;
	return text;
}

static void
load_file(struct calendar *c, const char *name, int want_year)
{
	struct zt_err e = {0};
	size_t len;
	char *text = read_source_file(name, &len);
	int year = 0;

	if (calendar_load_json(c, text, len, &year, &e) != 0)
		fail_msg("%s: %s: %s", name, e.field, e.msg);
	assert_int_equal(year, want_year);
	free(text);
}

static struct calendar *
load_real(void)
{
	struct calendar *c = calendar_new();

	load_file(c, "cn-2025.json", 2025);
	load_file(c, "cn-2026.json", 2026);
	return c;
}

/* foreach callbacks: count entries, and render them into a string. */
struct snapshot {
	char text[16384];
	size_t len;
	int count;
};

static void
snap_cb(int32_t day, enum cal_kind kind, const char *name, void *arg)
{
	struct snapshot *s = arg;
	char d[11];
	int n;

	date_format(day, d);
	n = snprintf(s->text + s->len, sizeof(s->text) - s->len, "%s %d %s\n", d, (int)kind,
		     name ? name : "-");
	assert_true(n > 0 && (size_t)n < sizeof(s->text) - s->len);
	s->len += (size_t)n;
	s->count++;
}

static void
snap(const struct calendar *c, struct snapshot *s)
{
	memset(s, 0, sizeof(*s));
	calendar_foreach(c, snap_cb, s);
}

static int
is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static void
test_dates_walk(void **state)
{
	static const int mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int y = 1900, m = 1, d = 1, yy, mm, dd;
	int32_t day = D(1900, 1, 1);

	(void)state;
	assert_int_equal(D(1970, 1, 1), 0);
	assert_int_equal(D(2026, 1, 1), 20454);
	assert_int_equal(D(2000, 3, 1), 11017);
	assert_int_equal(day, -25567);
	while (y <= 2100) {
		assert_int_equal(D(y, m, d), day);
		date_to_ymd(day, &yy, &mm, &dd);
		assert_int_equal(yy, y);
		assert_int_equal(mm, m);
		assert_int_equal(dd, d);
		day++;
		if (++d > mdays[m - 1] + (m == 2 && is_leap(y))) {
			d = 1;
			if (++m > 12) {
				m = 1;
				y++;
			}
		}
	}
}

static void
test_dates_parse_format(void **state)
{
	const char *bad[] = {"2026-02-29", "1900-02-29", "2026-13-01", "2026-00-10",  "2026-01-00",
			     "2026-04-31", "2026-1-01",	 "20260101",   "2026-01-01x", "2026/01/01",
			     "",	   "0000-01-01", "+026-01-01", "2026-01-1 "};
	int32_t day;
	char out[11];
	size_t i;

	(void)state;
	assert_int_equal(date_parse("2024-02-29", &day), 0);
	assert_int_equal(day, D(2024, 2, 29));
	assert_int_equal(date_parse("2000-02-29", &day), 0);
	assert_int_equal(date_parse("1969-12-31", &day), 0);
	assert_int_equal(day, -1);
	assert_int_equal(date_parse("9999-12-31", &day), 0);
	day = 12345;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (date_parse(bad[i], &day) != -1)
			fail_msg("date_parse accepted \"%s\"", bad[i]);
		assert_int_equal(day, 12345);
	}
	assert_int_equal(date_parse(NULL, &day), -1);

	date_format(0, out);
	assert_string_equal(out, "1970-01-01");
	date_format(D(2026, 2, 16), out);
	assert_string_equal(out, "2026-02-16");
	date_format(D(1, 1, 1), out);
	assert_string_equal(out, "0001-01-01");
	for (day = D(2024, 1, 1); day < D(2027, 1, 1); day += 17) {
		int32_t back;

		date_format(day, out);
		assert_int_equal(date_parse(out, &back), 0);
		assert_int_equal(back, day);
	}
}

static void
test_weekday_and_time(void **state)
{
	int64_t t;

	(void)state;
	assert_int_equal(date_weekday(0), 4);		   /* Thursday */
	assert_int_equal(date_weekday(-1), 3);		   /* 1969-12-31 Wednesday */
	assert_int_equal(date_weekday(-4), 7);		   /* 1969-12-28 Sunday */
	assert_int_equal(date_weekday(D(2026, 1, 4)), 7);  /* Sunday */
	assert_int_equal(date_weekday(D(2026, 2, 16)), 1); /* Monday */
	assert_int_equal(date_weekday(D(2026, 11, 27)), 5);
	assert_int_equal(date_weekday(D(2000, 1, 1)), 6);

	/* 2026-01-01 00:00:00+08:00 = 2025-12-31T16:00:00Z = 1767196800. */
	t = date_start_time(D(2026, 1, 1));
	assert_int_equal(t, 1767196800);
	assert_int_equal(date_of_time(t), D(2026, 1, 1));
	assert_int_equal(date_of_time(t - 1), D(2025, 12, 31));
	assert_int_equal(date_of_time(t + 86399), D(2026, 1, 1));
	assert_int_equal(date_of_time(t + 86400), D(2026, 1, 2));
	assert_int_equal(date_of_time(0), 0);
	assert_int_equal(date_of_time(-28800), 0);
	assert_int_equal(date_of_time(-28801), -1);
	assert_int_equal(date_start_time(0), -28800);
	assert_int_equal(date_start_time(-1), -115200);
}

static void
test_calendar_structure(void **state)
{
	struct calendar *c = calendar_new();
	struct snapshot s;

	(void)state;
	assert_int_equal(calendar_kind(c, D(2026, 1, 1)), CAL_DEFAULT);
	assert_null(calendar_name(c, D(2026, 1, 1)));
	assert_true(calendar_is_workday(c, D(2026, 1, 1)));
	assert_false(calendar_is_workday(c, D(2026, 1, 3)));

	calendar_set(c, D(2026, 1, 4), CAL_WORKDAY, "元旦调休");
	calendar_set(c, D(2026, 1, 1), CAL_HOLIDAY, "元旦");
	calendar_set(c, D(2026, 1, 2), CAL_HOLIDAY, NULL);
	calendar_set(c, D(2025, 12, 31), CAL_HOLIDAY, "x");
	calendar_set(c, D(2025, 12, 31), CAL_HOLIDAY, "y"); /* replaces */
	snap(c, &s);
	assert_int_equal(s.count, 4);
	assert_string_equal(s.text, "2025-12-31 1 y\n"
				    "2026-01-01 1 元旦\n"
				    "2026-01-02 1 -\n"
				    "2026-01-04 2 元旦调休\n");
	assert_false(calendar_is_workday(c, D(2026, 1, 1)));
	assert_true(calendar_is_workday(c, D(2026, 1, 4)));
	assert_string_equal(calendar_name(c, D(2026, 1, 1)), "元旦");

	calendar_set(c, D(2026, 1, 2), CAL_DEFAULT, "ignored");
	calendar_set(c, D(2026, 1, 5), CAL_DEFAULT, NULL); /* not set: no-op */
	snap(c, &s);
	assert_int_equal(s.count, 3);
	assert_true(calendar_is_workday(c, D(2026, 1, 2)));

	assert_int_equal(calendar_has_year(c, 2026), 0);
	calendar_mark_year(c, 2026);
	calendar_mark_year(c, 2026);
	assert_int_equal(calendar_has_year(c, 2026), 1);
	assert_int_equal(calendar_has_year(c, 2027), 0);
	calendar_free(c);
	calendar_free(NULL);
}

static void
count_kinds(int32_t day, enum cal_kind kind, const char *name, void *arg)
{
	int *n = arg;

	assert_non_null(name);
	n[kind]++;
	/* Every make-up day is a weekend day; every weekend day marked
	 * CAL_WORKDAY is therefore a change. */
	if (kind == CAL_WORKDAY)
		assert_true(date_weekday(day) >= 6);
}

static void
test_real_files(void **state)
{
	struct calendar *c = load_real();
	int n[3] = {0, 0, 0};

	(void)state;
	assert_int_equal(calendar_has_year(c, 2025), 1);
	assert_int_equal(calendar_has_year(c, 2026), 1);
	assert_int_equal(calendar_has_year(c, 2027), 0);
	calendar_foreach(c, count_kinds, n);
	assert_int_equal(n[CAL_HOLIDAY], 28 + 33);
	assert_int_equal(n[CAL_WORKDAY], 5 + 6);

	assert_true(calendar_is_workday(c, D(2026, 1, 4))); /* Sunday, 元旦调休 */
	assert_int_equal(calendar_kind(c, D(2026, 1, 4)), CAL_WORKDAY);
	assert_string_equal(calendar_name(c, D(2026, 1, 4)), "元旦调休");
	assert_false(calendar_is_workday(c, D(2026, 2, 16))); /* Monday, 春节 */
	assert_string_equal(calendar_name(c, D(2026, 2, 16)), "春节");
	assert_false(calendar_is_workday(c, D(2026, 3, 7))); /* ordinary Saturday */
	assert_int_equal(calendar_kind(c, D(2026, 3, 7)), CAL_DEFAULT);
	assert_true(calendar_is_workday(c, D(2026, 3, 9)));
	assert_false(calendar_is_workday(c, D(2025, 10, 8)));
	assert_string_equal(calendar_name(c, D(2025, 10, 8)), "国庆节、中秋节");
	assert_true(calendar_is_workday(c, D(2025, 10, 11)));
	assert_true(calendar_is_workday(c, D(2025, 1, 26)));
	assert_false(calendar_is_workday(c, D(2025, 1, 1)));
	assert_true(calendar_is_workday(c, D(2025, 1, 2)));
	assert_false(calendar_is_workday(c, D(2026, 10, 7)));
	assert_true(calendar_is_workday(c, D(2026, 10, 8)));

	assert_int_equal(calendar_workdays_between(c, D(2024, 12, 31), D(2025, 12, 31)), 248);
	assert_int_equal(calendar_workdays_between(c, D(2025, 12, 31), D(2026, 12, 31)), 248);

	/* Loading a file again is idempotent. */
	load_file(c, "cn-2026.json", 2026);
	memset(n, 0, sizeof(n));
	calendar_foreach(c, count_kinds, n);
	assert_int_equal(n[CAL_HOLIDAY], 61);
	calendar_free(c);
}

static void
test_add_workdays(void **state)
{
	struct calendar *c = load_real();

	(void)state;
	/* 国庆 2026: 10-01..10-07 off, 09-20 (Sun) and 10-10 (Sat) worked. */
	assert_int_equal(calendar_add_workdays(c, D(2026, 9, 30), 0), D(2026, 9, 30));
	assert_int_equal(calendar_add_workdays(c, D(2026, 9, 30), 1), D(2026, 10, 8));
	assert_int_equal(calendar_add_workdays(c, D(2026, 9, 30), 2), D(2026, 10, 9));
	assert_int_equal(calendar_add_workdays(c, D(2026, 9, 30), 3), D(2026, 10, 10));
	assert_int_equal(calendar_add_workdays(c, D(2026, 9, 30), 4), D(2026, 10, 12));
	assert_int_equal(calendar_add_workdays(c, D(2026, 10, 3), 1), D(2026, 10, 8));
	assert_int_equal(calendar_add_workdays(c, D(2026, 9, 18), 1), D(2026, 9, 20));
	assert_int_equal(calendar_add_workdays(c, D(2026, 9, 24), 1), D(2026, 9, 28));

	/* 春节 2026: 02-14 (Sat) worked, 02-15..02-23 off, 02-28 (Sat) worked. */
	assert_int_equal(calendar_add_workdays(c, D(2026, 2, 12), 1), D(2026, 2, 13));
	assert_int_equal(calendar_add_workdays(c, D(2026, 2, 12), 2), D(2026, 2, 14));
	assert_int_equal(calendar_add_workdays(c, D(2026, 2, 12), 3), D(2026, 2, 24));
	assert_int_equal(calendar_add_workdays(c, D(2026, 2, 12), 7), D(2026, 2, 28));
	assert_int_equal(calendar_add_workdays(c, D(2026, 2, 12), 8), D(2026, 3, 2));

	/* Backwards. */
	assert_int_equal(calendar_add_workdays(c, D(2026, 2, 24), -1), D(2026, 2, 14));
	assert_int_equal(calendar_add_workdays(c, D(2026, 10, 8), -1), D(2026, 9, 30));

	/* workdays_between on fixed spans. */
	assert_int_equal(calendar_workdays_between(c, D(2026, 2, 13), D(2026, 2, 28)), 6);
	assert_int_equal(calendar_workdays_between(c, D(2026, 9, 30), D(2026, 10, 10)), 3);
	assert_int_equal(calendar_workdays_between(c, D(2026, 10, 10), D(2026, 9, 30)), 0);
	assert_int_equal(calendar_workdays_between(c, D(2026, 10, 1), D(2026, 10, 1)), 0);
	assert_int_equal(calendar_workdays_between(c, D(2026, 3, 6), D(2026, 3, 9)), 1);
	calendar_free(c);
}

static void
test_workdays_between_bruteforce(void **state)
{
	struct calendar *c = load_real();
	const int32_t lo[2] = {D(2024, 12, 1), D(1969, 11, 20)};
	const int32_t hi[2] = {D(2027, 1, 31), D(1970, 2, 10)};
	int32_t from, to, d;
	int k, n, count;

	(void)state;
	calendar_set(c, D(1970, 1, 1), CAL_HOLIDAY, "元旦");
	calendar_set(c, D(1969, 12, 28), CAL_WORKDAY, NULL);
	for (k = 0; k < 2; k++) {
		for (from = lo[k]; from < hi[k]; from += (k == 0 ? 3 : 1)) {
			count = 0;
			for (to = from; to <= hi[k]; to++) {
				if (to > from && calendar_is_workday(c, to))
					count++;
				if (calendar_workdays_between(c, from, to) != count)
					fail_msg("between(%d, %d) = %d, want %d", from, to,
						 calendar_workdays_between(c, from, to), count);
			}
		}
	}
	/* add_workdays lands on the n-th working day. */
	for (from = D(2025, 1, 1); from < D(2026, 12, 1); from++) {
		for (n = 1; n <= 25; n++) {
			d = calendar_add_workdays(c, from, n);
			assert_true(calendar_is_workday(c, d));
			assert_int_equal(calendar_workdays_between(c, from, d), n);
			assert_int_equal(calendar_workdays_between(c, from, d - 1), n - 1);
			assert_int_equal(calendar_add_workdays(c, d, -n) <= from, 1);
		}
	}
	calendar_free(c);
}

static void
test_deadline_examples(void **state)
{
	struct calendar *c = load_real();
	struct deadline dl;

	(void)state;
	/* limit 0 (即办件). */
	calendar_deadline(c, D(2026, 3, 2), 0, 0, &dl);
	assert_int_equal(dl.due, D(2026, 3, 2));
	assert_int_equal(dl.warn, D(2026, 3, 2));
	calendar_deadline(c, D(2026, 10, 3), 0, 0, &dl); /* even on a holiday */
	assert_int_equal(dl.due, D(2026, 10, 3));
	assert_int_equal(dl.warn, D(2026, 10, 3));

	/* limit 1: r = 1, one working day is left on the event day itself. */
	calendar_deadline(c, D(2026, 3, 2), 1, 0, &dl);
	assert_int_equal(dl.due, D(2026, 3, 3));
	assert_int_equal(dl.warn, D(2026, 3, 2));
	calendar_deadline(c, D(2026, 9, 30), 1, 0, &dl);
	assert_int_equal(dl.due, D(2026, 10, 8));
	assert_int_equal(dl.warn, D(2026, 9, 30));

	/* limit 5: r = 1, warn on the 4th working day. */
	calendar_deadline(c, D(2026, 3, 2), 5, 0, &dl);
	assert_int_equal(dl.due, D(2026, 3, 9));
	assert_int_equal(dl.warn, D(2026, 3, 6));
	/* The 3rd working day is a Friday: on Saturday 2 working days are left
	 * (> r), so warn is the Monday, not the Saturday. */
	calendar_deadline(c, D(2026, 3, 3), 5, 0, &dl);
	assert_int_equal(dl.due, D(2026, 3, 10));
	assert_int_equal(dl.warn, D(2026, 3, 9));
	assert_int_equal(calendar_workdays_between(c, D(2026, 3, 7), dl.due), 2);
	assert_int_equal(calendar_workdays_between(c, D(2026, 3, 9), dl.due), 1);

	/* limit 20: r = 4 (80% used), warn on the 16th working day. */
	calendar_deadline(c, D(2026, 3, 2), 20, 0, &dl);
	assert_int_equal(dl.due, D(2026, 3, 30));
	assert_int_equal(dl.warn, D(2026, 3, 24));
	assert_int_equal(calendar_workdays_between(c, dl.warn, dl.due), 4);
	assert_int_equal(calendar_workdays_between(c, dl.warn - 1, dl.due), 5);
	/* Across 国庆 2026, counting the 10-10 Saturday. */
	calendar_deadline(c, D(2026, 9, 28), 20, 0, &dl);
	assert_int_equal(dl.due, D(2026, 10, 30));
	assert_int_equal(dl.warn, D(2026, 10, 26));

	/* Pauses extend due; r still comes from the limit alone. */
	calendar_deadline(c, D(2026, 3, 2), 5, 3, &dl);
	assert_int_equal(dl.due, D(2026, 3, 12));
	assert_int_equal(dl.warn, D(2026, 3, 11));
	calendar_deadline(c, D(2026, 3, 2), 20, 2, &dl);
	assert_int_equal(dl.due, D(2026, 4, 1));
	assert_int_equal(dl.warn, D(2026, 3, 26));
	calendar_deadline(c, D(2026, 3, 2), 0, 2, &dl);
	assert_int_equal(dl.due, D(2026, 3, 4));
	assert_int_equal(dl.warn, D(2026, 3, 3));
	/* Negative inputs count as 0. */
	calendar_deadline(c, D(2026, 3, 2), -3, -1, &dl);
	assert_int_equal(dl.due, D(2026, 3, 2));
	assert_int_equal(dl.warn, D(2026, 3, 2));
	calendar_free(c);
}

static void
test_deadline_definition(void **state)
{
	static const int limits[] = {0, 1, 2, 3, 4, 5, 7, 9, 10, 15, 20, 30, 60};
	struct calendar *c = load_real();
	struct deadline dl;
	int32_t start;
	size_t i;
	int paused, r, total;

	(void)state;
	for (start = D(2025, 12, 1); start <= D(2026, 12, 31); start++) {
		for (i = 0; i < sizeof(limits) / sizeof(limits[0]); i++) {
			for (paused = 0; paused <= 3; paused += 3) {
				calendar_deadline(c, start, limits[i], paused, &dl);
				total = limits[i] + paused;
				r = limits[i] / 5 > 1 ? limits[i] / 5 : 1;
				assert_int_equal(calendar_workdays_between(c, start, dl.due),
						 total);
				assert_true(total == 0 || calendar_is_workday(c, dl.due));
				assert_true(dl.warn >= start && dl.warn <= dl.due);
				/* Warning from warn on, not the day before. */
				assert_true(calendar_workdays_between(c, dl.warn, dl.due) <= r);
				if (dl.warn > start)
					assert_true(
					    calendar_workdays_between(c, dl.warn - 1, dl.due) > r);
			}
		}
	}
	calendar_free(c);
}

struct bad_case {
	const char *json;
	const char *field;
	const char *reason;
};

#define Y2027	  "\"year\": 2027, "
#define SPRING	  "{\"name\": \"春节\", \"from\": \"2027-02-06\", \"to\": \"2027-02-12\"}"
#define SPRING_WD "{\"date\": \"2027-02-20\", \"name\": \"春节调休\"}"

static const struct bad_case bad_cases[] = {
    /* overlaps */
    {"{" Y2027 "\"holidays\": [" SPRING "], \"workdays\": [{\"date\": \"2027-02-07\", "
     "\"name\": \"春节调休\"}]}",
     "workdays[0].date", "overlap"},
    {"{" Y2027 "\"holidays\": [" SPRING ", {\"name\": \"x\", \"from\": \"2027-02-12\", "
     "\"to\": \"2027-02-13\"}], \"workdays\": []}",
     "holidays[1].from", "overlap"},
    /* workday on a weekday */
    {"{" Y2027 "\"holidays\": [" SPRING "], \"workdays\": [" SPRING_WD ", {\"date\": "
     "\"2027-01-04\", \"name\": \"元旦调休\"}]}",
     "workdays[1].date", "not_weekend"},
    /* dates outside the year */
    {"{" Y2027 "\"holidays\": [{\"name\": \"元旦\", \"from\": \"2027-12-31\", \"to\": "
     "\"2028-01-02\"}], \"workdays\": []}",
     "holidays[0].to", "outside_year"},
    {"{" Y2027 "\"holidays\": [{\"name\": \"元旦\", \"from\": \"2026-11-01\", \"to\": "
     "\"2027-01-01\"}], \"workdays\": []}",
     "holidays[0].from", "outside_year"},
    {"{" Y2027 "\"holidays\": [{\"name\": \"x\", \"from\": \"2026-12-30\", \"to\": "
     "\"2026-12-31\"}], \"workdays\": []}",
     "holidays[0].to", "outside_year"},
    {"{" Y2027 "\"holidays\": [" SPRING "], \"workdays\": [{\"date\": \"2026-06-06\", "
     "\"name\": \"x\"}]}",
     "workdays[0].date", "outside_year"},
    /* malformed dates */
    {"{" Y2027 "\"holidays\": [{\"name\": \"x\", \"from\": \"2027-02-30\", \"to\": "
     "\"2027-03-01\"}], \"workdays\": []}",
     "holidays[0].from", "format"},
    {"{" Y2027 "\"holidays\": [" SPRING ", {\"name\": \"清明节\", \"from\": \"2027-04-03\", "
     "\"to\": \"2027-04-05\"}, {\"name\": \"国庆节\", \"from\": \"2027-10-01\", \"to\": "
     "\"2027/10/07\"}], \"workdays\": []}",
     "holidays[2].to", "format"},
    {"{" Y2027 "\"holidays\": [{\"name\": \"x\", \"from\": 20270101, \"to\": \"2027-01-01\"}], "
     "\"workdays\": []}",
     "holidays[0].from", "type"},
    {"{" Y2027 "\"holidays\": [{\"name\": \"x\", \"from\": \"2027-01-01\"}], \"workdays\": []}",
     "holidays[0].to", "required"},
    {"{" Y2027 "\"holidays\": [], \"workdays\": [{\"date\": \"2027-1-2\", \"name\": \"x\"}]}",
     "workdays[0].date", "format"},
    /* order and block length */
    {"{" Y2027 "\"holidays\": [{\"name\": \"x\", \"from\": \"2027-02-12\", \"to\": "
     "\"2027-02-06\"}], \"workdays\": []}",
     "holidays[0].to", "order"},
    {"{" Y2027 "\"holidays\": [{\"name\": \"x\", \"from\": \"2027-10-01\", \"to\": "
     "\"2027-10-16\"}], \"workdays\": []}",
     "holidays[0].to", "too_long"},
    /* names */
    {"{" Y2027 "\"holidays\": [{\"from\": \"2027-10-01\", \"to\": \"2027-10-02\"}], "
     "\"workdays\": []}",
     "holidays[0].name", "required"},
    {"{" Y2027 "\"holidays\": [{\"name\": \"\", \"from\": \"2027-10-01\", \"to\": "
     "\"2027-10-02\"}], \"workdays\": []}",
     "holidays[0].name", "required"},
    {"{" Y2027 "\"holidays\": [{\"name\": \"国庆节国庆节国庆节国庆节国\", \"from\": "
     "\"2027-10-01\", \"to\": \"2027-10-02\"}], \"workdays\": []}",
     "holidays[0].name", "too_long"},
    {"{" Y2027 "\"holidays\": [{\"name\": \"国\\n庆\", \"from\": \"2027-10-01\", \"to\": "
     "\"2027-10-02\"}], \"workdays\": []}",
     "holidays[0].name", "format"},
    {"{" Y2027 "\"holidays\": [{\"name\": 1, \"from\": \"2027-10-01\", \"to\": "
     "\"2027-10-02\"}], \"workdays\": []}",
     "holidays[0].name", "type"},
    {"{" Y2027 "\"holidays\": [" SPRING "], \"workdays\": [{\"date\": \"2027-02-20\"}]}",
     "workdays[0].name", "required"},
    /* year */
    {"{\"year\": 1999, \"holidays\": [], \"workdays\": []}", "year", "range"},
    {"{\"year\": 2101, \"holidays\": [], \"workdays\": []}", "year", "range"},
    {"{\"year\": \"2027\", \"holidays\": [], \"workdays\": []}", "year", "type"},
    {"{\"year\": 2027.0, \"holidays\": [], \"workdays\": []}", "year", "type"},
    {"{\"holidays\": [], \"workdays\": []}", "year", "required"},
    /* document shape */
    {"{" Y2027 "\"holidays\": [", "", "syntax"},
    {"[]", "", "type"},
    {"{" Y2027 "\"year\": 2027, \"holidays\": [], \"workdays\": []}", "", "syntax"},
    {"{" Y2027 "\"holiday\": [], \"holidays\": [], \"workdays\": []}", "holiday", "unknown_key"},
    {"{" Y2027 "\"holidays\": [{\"name\": \"x\", \"form\": \"2027-10-01\", \"to\": "
     "\"2027-10-02\"}], \"workdays\": []}",
     "holidays[0].form", "unknown_key"},
    {"{" Y2027 "\"workdays\": []}", "holidays", "required"},
    {"{" Y2027 "\"holidays\": [], \"workdays\": {}}", "workdays", "type"},
    {"{" Y2027 "\"holidays\": [], \"workdays\": [\"2027-02-20\"]}", "workdays[0]", "type"},
    {"{" Y2027 "\"source\": 5, \"holidays\": [], \"workdays\": []}", "source", "type"},
    /* duplicate workday */
    {"{" Y2027 "\"holidays\": [" SPRING "], \"workdays\": [" SPRING_WD ", " SPRING_WD "]}",
     "workdays[1].date", "duplicate"},
};

static void
test_bad_json(void **state)
{
	struct calendar *c = load_real();
	struct snapshot before, after;
	struct zt_err e;
	size_t i, n;
	char *big;
	int year;

	(void)state;
	snap(c, &before);
	for (i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		const struct bad_case *b = &bad_cases[i];

		err_clear(&e);
		year = -1;
		if (calendar_load_json(c, b->json, strlen(b->json), &year, &e) != ZT_EINVAL)
			fail_msg("case %zu accepted: %s", i, b->json);
		if (strcmp(e.field, b->field) != 0 || strcmp(e.reason, b->reason) != 0)
			fail_msg("case %zu: got %s/%s (%s), want %s/%s", i, e.field, e.reason,
				 e.msg, b->field, b->reason);
		assert_int_equal(e.code, ZT_EINVAL);
		assert_true(e.msg[0] != '\0');
		assert_int_equal(year, -1);
		assert_int_equal(calendar_has_year(c, 2027), 0);
		snap(c, &after);
		assert_int_equal(after.count, before.count);
		assert_string_equal(after.text, before.text);
	}

	/* A few exact messages. */
	calendar_load_json(c, bad_cases[2].json, strlen(bad_cases[2].json), NULL, &e);
	assert_string_equal(e.msg, "workdays[1].date (2027-01-04) is a weekday; only a Saturday "
				   "or Sunday can be a make-up working day");
	calendar_load_json(c, bad_cases[0].json, strlen(bad_cases[0].json), NULL, &e);
	assert_string_equal(e.msg, "workdays[0].date (2027-02-07) falls in holidays[0]");
	calendar_load_json(c, bad_cases[8].json, strlen(bad_cases[8].json), NULL, &e);
	assert_string_equal(e.msg, "holidays[2].to must be a real date written YYYY-MM-DD");

	/* Oversized input. */
	n = CALENDAR_JSON_MAX + 1;
	big = xmalloc(n);
	memset(big, ' ', n);
	assert_int_equal(calendar_load_json(c, big, n, NULL, &e), ZT_EINVAL);
	assert_string_equal(e.reason, "too_large");
	free(big);
	snap(c, &after);
	assert_string_equal(after.text, before.text);
	calendar_free(c);
}

static void
test_good_json_edges(void **state)
{
	/* The real 2019 and 2023 arrangements: 元旦 blocks that start in the
	 * previous December, and a make-up Saturday there (2018-12-29). */
	const char *y2019 = "{\"year\": 2019, \"holidays\": [{\"name\": \"元旦\", \"from\": "
			    "\"2018-12-30\", \"to\": \"2019-01-01\"}], \"workdays\": "
			    "[{\"date\": \"2018-12-29\", \"name\": \"元旦调休\"}]}";
	const char *y2023 = "{\"year\": 2023, \"source\": \"国办发明电〔2022〕16号\", "
			    "\"holidays\": [{\"name\": \"元旦\", \"from\": \"2022-12-31\", "
			    "\"to\": \"2023-01-02\"}], \"workdays\": []}";
	/* 15-day block, 32-byte name, empty lists. */
	const char *y2030 = "{\"year\": 2030, \"holidays\": [{\"name\": "
			    "\"ABCDEFGHIJKLMNOPQRSTUVWXYZ012345\", \"from\": \"2030-10-01\", "
			    "\"to\": \"2030-10-15\"}], \"workdays\": []}";
	const char *y2031 = "{\"year\": 2031, \"holidays\": [], \"workdays\": []}";
	struct calendar *c = calendar_new();
	struct zt_err e = {0};
	int year = 0;

	(void)state;
	assert_int_equal(calendar_load_json(c, y2019, strlen(y2019), &year, &e), 0);
	assert_int_equal(year, 2019);
	assert_true(calendar_is_workday(c, D(2018, 12, 29)));
	assert_false(calendar_is_workday(c, D(2018, 12, 31)));
	assert_false(calendar_is_workday(c, D(2019, 1, 1)));
	assert_int_equal(calendar_has_year(c, 2018), 0);
	assert_int_equal(calendar_add_workdays(c, D(2018, 12, 28), 1), D(2018, 12, 29));
	assert_int_equal(calendar_add_workdays(c, D(2018, 12, 29), 1), D(2019, 1, 2));

	assert_int_equal(calendar_load_json(c, y2023, strlen(y2023), &year, &e), 0);
	assert_int_equal(year, 2023);
	assert_string_equal(calendar_name(c, D(2022, 12, 31)), "元旦");
	assert_false(calendar_is_workday(c, D(2023, 1, 2)));

	assert_int_equal(calendar_load_json(c, y2030, strlen(y2030), &year, &e), 0);
	assert_false(calendar_is_workday(c, D(2030, 10, 15)));
	assert_int_equal(calendar_load_json(c, y2031, strlen(y2031), &year, &e), 0);
	assert_int_equal(calendar_has_year(c, 2031), 1);
	calendar_free(c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_dates_walk),
	    cmocka_unit_test(test_dates_parse_format),
	    cmocka_unit_test(test_weekday_and_time),
	    cmocka_unit_test(test_calendar_structure),
	    cmocka_unit_test(test_real_files),
	    cmocka_unit_test(test_add_workdays),
	    cmocka_unit_test(test_workdays_between_bruteforce),
	    cmocka_unit_test(test_deadline_examples),
	    cmocka_unit_test(test_deadline_definition),
	    cmocka_unit_test(test_bad_json),
	    cmocka_unit_test(test_good_json_edges),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
