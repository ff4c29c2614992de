/* clock.c - the program's clock and ISO-8601 time parsing/formatting. */
#include "base/clock.h"
#include "base/calendar.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static _Atomic int64_t pinned;

int64_t
clock_now(void)
{
	int64_t p = atomic_load(&pinned);

	if (p)
		return p;
	return (int64_t)time(NULL);
}

void
clock_set(int64_t t)
{
	atomic_store(&pinned, t);
}

int
clock_init_from_env(void)
{
	const char *s = getenv("ZT_NOW");
	int64_t t;

	if (s == NULL || *s == '\0')
		return 0;
	if (time_parse(s, &t) < 0)
		return -1;
	clock_set(t);
	return 0;
}

uint64_t
clock_mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant). */
static int64_t
days_from_civil(int64_t y, unsigned m, unsigned d)
{
	y -= m <= 2;
	const int64_t era = (y >= 0 ? y : y - 399) / 400;
	const unsigned yoe = (unsigned)(y - era * 400);
	const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

int
time_parse(const char *s, int64_t *out)
{
	int y, mo, d, h, mi, sec, n = 0;
	char *end;

	if (*s >= '0' && *s <= '9' && strchr(s, '-') == NULL) {
		long long v = strtoll(s, &end, 10);
		/* Up to 9999-12-31T23:59:59Z, like the ISO form (and no
		 * overflow when a time is shifted to China time). */
		if (*end != '\0' || v <= 0 || v > 253402300799LL)
			return -1;
		*out = v;
		return 0;
	}
	if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &sec, &n) != 6)
		return -1;
	if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60 || h < 0 ||
	    mi < 0 || sec < 0)
		return -1;
	const char *z = s + n;
	int64_t off;
	if (*z == '\0')
		off = ZT_TZ_OFFSET;
	else if (strcmp(z, "Z") == 0)
		off = 0;
	else if ((*z == '+' || *z == '-') && strlen(z) == 6 && z[3] == ':') {
		int oh = (z[1] - '0') * 10 + (z[2] - '0'), om = (z[4] - '0') * 10 + (z[5] - '0');
		if (oh < 0 || oh > 14 || om < 0 || om > 59)
			return -1;
		off = (oh * 3600 + om * 60) * (*z == '-' ? -1 : 1);
	} else
		return -1;
	*out =
	    days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 + h * 3600 + mi * 60 + sec - off;
	return 0;
}

void
time_format(int64_t t, char *out)
{
	time_t lt = (time_t)(t + ZT_TZ_OFFSET);
	struct tm tm;

	gmtime_r(&lt, &tm);
	/* Years beyond 9999 are not representable; strftime bounds the output. */
	if (strftime(out, 32, "%Y-%m-%dT%H:%M:%S+08:00", &tm) == 0)
		out[0] = '\0';
}

void
clock_today(char out[11])
{
	date_format(date_of_time(clock_now()), out);
}

int
clock_today_ymd(void)
{
	int y, m, d;

	date_to_ymd(date_of_time(clock_now()), &y, &m, &d);
	return y * 10000 + m * 100 + d;
}
