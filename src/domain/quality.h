/* quality.h - the public service-quality figures (服务质量公开): per
 * department and per published item of a region, 好差评 counts by star and
 * their average, the rectification rate of bad ratings and the on-time rate
 * of finished cases, over a period. */
#ifndef ZT_QUALITY_H
#define ZT_QUALITY_H

#include <jansson.h>
#include <stdint.h>

#include "base/err.h"
#include "db/db.h"

/* The figures of the departments in region's subtree (region itself and
 * every region below; NULL = every department) over period ("2026",
 * "2026-Q3" or "2026-09"; NULL = the current year):
 *   {region, period, from, to, departments: [{id, name, name_en, ratings,
 *    rectification, on_time}], items: [{id, code, name, dept_id, ratings,
 *    rectification, on_time}]}
 * ratings = {count, average, good (4-5 stars), bad (1-2), stars: [n1..n5]}
 * of cases submitted in the period and rated; rectification = {opened,
 * closed, rate} of 'bad_rating' supervision items opened in the period;
 * on_time = {closed, on_time, rate} of cases submitted in the period and
 * finished (on time: decided by the end of their due day). Rates are
 * percentages rounded to 2 decimals, null when nothing was counted.
 * ZT_EINVAL names "period" when it does not parse; ZT_ENOTFOUND names
 * "region" when it does not exist. */
json_t *quality_json(db_conn *c, const char *region, const char *period, struct zt_err *err);

#endif
