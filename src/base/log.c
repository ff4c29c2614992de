/* log.c - stderr diagnostics and the JSON-lines access log. */
#include "base/log.h"
#include "base/clock.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static enum log_level level = LOG_INFO;
static FILE *access_fp;
static int access_off;
static pthread_mutex_t access_mu = PTHREAD_MUTEX_INITIALIZER;

void
log_set_level(enum log_level lvl)
{
	level = lvl;
}

int
log_open_access(const char *path)
{
	if (path == NULL || strcmp(path, "-") == 0 || *path == '\0') {
		access_fp = NULL;
		return 0;
	}
	if (strcmp(path, "/dev/null") == 0 || strcmp(path, "off") == 0) {
		access_off = 1;
		return 0;
	}
	FILE *fp = fopen(path, "a");
	if (fp == NULL)
		return -1;
	setvbuf(fp, NULL, _IOLBF, 0);
	access_fp = fp;
	return 0;
}

void
log_msg(enum log_level lvl, const char *fmt, ...)
{
	static const char *names[] = {"debug", "info", "warn", "error"};
	char ts[32], line[1024];
	va_list ap;

	if (lvl < level)
		return;
	time_format(clock_now(), ts);
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	/* Strip CR/LF so one message stays one line. */
	for (char *p = line; *p; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	fprintf(stderr, "%s %s %s\n", ts, names[lvl], line);
}

int
log_access_enabled(void)
{
	return !access_off;
}

void
log_access_line(const char *json)
{
	pthread_mutex_lock(&access_mu);
	FILE *fp = access_fp ? access_fp : stderr;
	fputs(json, fp);
	fputc('\n', fp);
	pthread_mutex_unlock(&access_mu);
}
