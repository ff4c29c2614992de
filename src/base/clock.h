/* clock.h - the one clock of the program.
 *
 * Every "now" comes from clock_now(), never from scattered time() calls, so
 * tests can pin it with ZT_NOW (an ISO-8601 time such as
 * "2026-03-02T10:00:00+08:00" or a Unix time in seconds). */
#ifndef ZT_CLOCK_H
#define ZT_CLOCK_H

#include <stdint.h>

/* China Standard Time offset; China has no daylight saving. */
#define ZT_TZ_OFFSET (8 * 3600)

/* Seconds since the Unix epoch (UTC). */
int64_t clock_now(void);
/* Pins the clock (0 = follow the system clock again). */
void clock_set(int64_t t);
/* Reads ZT_NOW from the environment; returns -1 if it is set but unparsable. */
int clock_init_from_env(void);
/* Monotonic nanoseconds, for measuring durations. */
uint64_t clock_mono_ns(void);

/* Parses "YYYY-MM-DDTHH:MM:SS" with "Z" or "+hh:mm" (no zone = China time)
 * or a plain integer Unix time. Returns 0 and sets *out, or -1. */
int time_parse(const char *s, int64_t *out);
/* Formats t as "YYYY-MM-DDTHH:MM:SS+08:00" (China time). out >= 32 bytes. */
void time_format(int64_t t, char *out);

/* Today in China time (by clock_now): "YYYY-MM-DD", and as YYYYMMDD. */
void clock_today(char out[11]);
int clock_today_ymd(void);

#endif
