/* workcal.h - the node's working-day calendar: stored in the database
 * (calendar_days), loaded from the shipped yearly files, held in memory for
 * the deadline arithmetic of cases and supervision. */
#ifndef ZT_WORKCAL_H
#define ZT_WORKCAL_H

#include <stdint.h>

#include "base/calendar.h"
#include "base/err.h"
#include "db/db.h"

/* The calendar in force (never NULL after workcal_reload; weekends only
 * before). Calendars are immutable once published, so readers need no lock. */
const struct calendar *workcal(void);
/* Rebuilds the in-memory calendar from the database. */
int workcal_reload(db_conn *c, struct zt_err *err);
/* Validates a yearly JSON file and stores it (replacing that year) in one
 * transaction. Returns 0 and the year. */
int workcal_load_file(const char *path, int *year, struct zt_err *err);
/* Loads every .json file under dir (in name order), replacing those years. */
int workcal_load_dir(const char *dir, int verbose, struct zt_err *err);
/* Years stored, as a JSON array of {year, source, holidays, workdays}. */
struct json_t;
struct json_t *workcal_years_json(db_conn *c, struct zt_err *err);

/* Deadline helpers on the calendar in force, in Unix time. */
/* End (last second) of the given day, China time. */
int64_t workcal_end_of_day(int32_t day);
/* Working days left after today until due_day (0 on the due day itself, negative when past). */
int workcal_remaining(int64_t now, int32_t due_day);

#endif
