/* jtime.h - times in JSON answers: the ISO 8601 China-time text of
 * time_format (base/clock.h), or null. */
#ifndef ZT_JTIME_H
#define ZT_JTIME_H

#include <jansson.h>
#include <stdint.h>

/* t (epoch seconds) as a JSON string, e.g. "2026-03-02T10:00:00+08:00". */
json_t *time_json(int64_t t);
/* JSON null when absent is nonzero, else time_json(t). */
json_t *time_json_or_null(int64_t t, int absent);

#endif
