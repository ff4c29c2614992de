/* log.h - diagnostics and the structured access log.
 *
 * Diagnostics are plain lines on stderr; the access log is one JSON object
 * per line. Never pass secrets (tokens, passwords) to either. */
#ifndef ZT_LOG_H
#define ZT_LOG_H

enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR };

void log_set_level(enum log_level lvl);
/* Access log destination: NULL or "-" = stderr, "off" or /dev/null = none,
 * else a file appended to. */
int log_open_access(const char *path);
void log_msg(enum log_level lvl, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* 0 when the access log is off (access_log = off or /dev/null). */
int log_access_enabled(void);
/* Writes one complete line (adds the newline) to the access log. */
void log_access_line(const char *json);

#define log_info(...)  log_msg(LOG_INFO, __VA_ARGS__)
#define log_warn(...)  log_msg(LOG_WARN, __VA_ARGS__)
#define log_error(...) log_msg(LOG_ERROR, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)

#endif
