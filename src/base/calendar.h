/* calendar.h - civil dates, the working-day calendar and deadline arithmetic.
 *
 * A date is an int32_t day number: days since 1970-01-01, a civil date in
 * China time (UTC+8, no DST), no time of day. Saturdays and Sundays are days
 * off and Monday-Friday working days, except days the calendar marks as
 * CAL_HOLIDAY (statutory holiday) or CAL_WORKDAY (a weekend day worked in
 * exchange, 调休). Holidays are loaded per year from JSON files (see
 * calendar/cn-2026.json) so a new year needs no new build.
 *
 * Administrative time limits in working days exclude holidays (行政许可法
 * art. 82) and start the day after the event (民法典 art. 201).
 *
 * A calendar is built once (calendar_set, calendar_load_json) and then only
 * read; the read-only functions may be called from many threads at once. */
#ifndef ZT_CALENDAR_H
#define ZT_CALENDAR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

/* Day number of a proleptic Gregorian date; no validation. */
int32_t date_from_ymd(int y, int m, int d);
void date_to_ymd(int32_t day, int *y, int *m, int *d);
/* Parses exactly "YYYY-MM-DD" (a real date, year 0001-9999). 0 or -1. */
int date_parse(const char *s, int32_t *out);
/* Formats as "YYYY-MM-DD"; years outside 0-9999 are printed modulo 10000. */
void date_format(int32_t day, char out[11]);
/* 1 = Monday .. 7 = Sunday. */
int date_weekday(int32_t day);
/* The China-time civil date of a Unix time. */
int32_t date_of_time(int64_t unix_seconds);
/* Unix time of 00:00:00 China time on that day. */
int64_t date_start_time(int32_t day);

enum cal_kind {
	CAL_DEFAULT = 0, /* working day iff Monday-Friday */
	CAL_HOLIDAY = 1, /* day off (statutory holiday, including weekends in its block) */
	CAL_WORKDAY = 2	 /* working day (a weekend day worked in exchange, 调休) */
};

struct calendar;

struct calendar *calendar_new(void);
void calendar_free(struct calendar *c);
/* Marks a day; name (may be NULL) is copied. CAL_DEFAULT removes the mark. */
void calendar_set(struct calendar *c, int32_t day, enum cal_kind kind, const char *name);
enum cal_kind calendar_kind(const struct calendar *c, int32_t day);
/* Name of a marked day ("春节", "春节调休") or NULL. Valid until the day is
 * set again or the calendar is freed. */
const char *calendar_name(const struct calendar *c, int32_t day);
/* 1 if that year was marked (calendar_load_json marks the file's year). */
int calendar_has_year(const struct calendar *c, int year);
void calendar_mark_year(struct calendar *c, int year);
/* A Monday-Friday not marked CAL_HOLIDAY, or any day marked CAL_WORKDAY. */
bool calendar_is_workday(const struct calendar *c, int32_t day);
/* Calls fn for every marked day, in date order. */
void calendar_foreach(const struct calendar *c,
		      void (*fn)(int32_t day, enum cal_kind kind, const char *name, void *arg),
		      void *arg);

/* Largest JSON file calendar_load_json accepts, in bytes. */
#define CALENDAR_JSON_MAX (64 * 1024)

/* Loads one year's file:
 *   {"year": 2026, "source": "...",
 *    "holidays": [{"name": "元旦", "from": "2026-01-01", "to": "2026-01-03"}, ...],
 *    "workdays": [{"date": "2026-01-04", "name": "元旦调休"}, ...]}
 * "source" is optional; other keys are rejected. year is 2000-2100. A
 * holiday block has from <= to, at most 15 days, and ends in the year; it may
 * start in the previous December (元旦 blocks such as 2022-12-31 .. 2023-01-02
 * belong to the next year's notice). Workdays are Saturdays or Sundays in the
 * year or in its last 15 days before; they repeat no day and do not fall in a
 * holiday block, and holiday blocks do not overlap. Names are 1-32 bytes
 * without control characters. At most 64 holidays and 64 workdays.
 * Marks every day of each block CAL_HOLIDAY, each workday CAL_WORKDAY, and
 * the year; sets *year_out (may be NULL).
 * Returns 0, or ZT_EINVAL with err->field the JSON path of the problem
 * ("holidays[2].to", "" for the whole document) and c left unchanged. */
int calendar_load_json(struct calendar *c, const char *text, size_t len, int *year_out,
		       struct zt_err *err);

/* The n-th working day after start (start itself not counted); n = 0 returns
 * start, n < 0 counts backwards (the |n|-th working day before start). */
int32_t calendar_add_workdays(const struct calendar *c, int32_t start, int n);
/* Number of working days d with from < d <= to; 0 if to <= from. */
int calendar_workdays_between(const struct calendar *c, int32_t from, int32_t to);

/* Deadline of a time limit of `limit` working days for an event on `start`,
 * extended by `paused` working days (negative values count as 0):
 *   due  = calendar_add_workdays(start, limit + paused); due at the END of due.
 *   warn = the first day on which the remaining working days (d with
 *          today < d <= due) are <= r, r = max(1, limit / 5), i.e. at most one
 *          working day left or at least 80% of the limit used. That is the
 *          (limit + paused - r)-th working day after start, or start itself
 *          when limit + paused - r <= 0. For limit 0 (即办件) due = warn = start.
 * warn is always a working day or start. */
struct deadline {
	int32_t due;
	int32_t warn;
};
void calendar_deadline(const struct calendar *c, int32_t start, int limit, int paused,
		       struct deadline *out);

#endif
