/* workcal.c - the working-day calendar: files -> database -> memory. */
#include "domain/workcal.h"
#include "domain/audit.h"
#include "base/clock.h"
#include "base/log.h"
#include "base/fileio.h"
#include "base/xmalloc.h"

#include <dirent.h>
#include <jansson.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static _Atomic(struct calendar *) current;
static struct calendar *empty_cal;

const struct calendar *
workcal(void)
{
	struct calendar *c = atomic_load(&current);

	if (c)
		return c;
	if (empty_cal == NULL) {
		struct calendar *e = calendar_new();
		struct calendar *expected = NULL;
		/* Publish one empty calendar; a racing thread frees its copy. */
		static _Atomic(struct calendar *) empty_slot;
		if (!atomic_compare_exchange_strong(&empty_slot, &expected, e))
			calendar_free(e);
		empty_cal = atomic_load(&empty_slot);
	}
	return empty_cal;
}

static int64_t loaded_sig = -1;
static struct calendar *retired;

/* Changes whenever a year is (re)loaded: sum of load times plus count. */
static int64_t
signature(db_conn *c, struct zt_err *err)
{
	return db_query_int(c, "SELECT coalesce(sum(loaded_at), 0) + count(*) FROM calendar_years",
			    -1, err);
}

static pthread_mutex_t reload_mu = PTHREAD_MUTEX_INITIALIZER;
static int reload_locked(db_conn *c, struct zt_err *err);

int
workcal_reload(db_conn *c, struct zt_err *err)
{
	pthread_mutex_lock(&reload_mu);
	int rc = reload_locked(c, err);
	pthread_mutex_unlock(&reload_mu);
	return rc;
}

static int
reload_locked(db_conn *c, struct zt_err *err)
{
	int64_t sig = signature(c, err);
	int rc;

	if (sig >= 0 && sig == loaded_sig && atomic_load(&current))
		return 0;
	struct calendar *cal = calendar_new();

	db_stmt *s = db_prepare(c, "SELECT day, kind, name FROM calendar_days", err);
	if (s == NULL)
		goto fail;
	while ((rc = db_step(s, err)) == DB_ROW) {
		int32_t day;
		if (date_parse(db_col_text(s, 0), &day) < 0)
			continue;
		calendar_set(cal, day,
			     strcmp(db_col_text(s, 1), "holiday") == 0 ? CAL_HOLIDAY : CAL_WORKDAY,
			     db_col_text(s, 2));
	}
	db_reset(s);
	if (rc < 0)
		goto fail;
	s = db_prepare(c, "SELECT year FROM calendar_years", err);
	if (s == NULL)
		goto fail;
	while ((rc = db_step(s, err)) == DB_ROW)
		calendar_mark_year(cal, (int)db_col_int(s, 0));
	db_reset(s);
	if (rc < 0)
		goto fail;
	/* A reader may still hold the previous calendar for the length of a
	 * request; it is freed one reload later (reloads are at least a sweep
	 * interval apart and happen only when a year was loaded). */
	struct calendar *old = atomic_exchange(&current, cal);
	if (retired)
		calendar_free(retired);
	retired = old;
	loaded_sig = sig;
	return 0;
fail:
	calendar_free(cal);
	return err->code;
}

struct load_job {
	struct calendar *cal;
	int year;
	const char *source;
	db_conn *c;
	int rc;
	struct zt_err *err;
	int ndays;
};

static void
insert_day(int32_t day, enum cal_kind kind, const char *name, void *arg)
{
	struct load_job *j = arg;
	char d[11];

	/* A block may start in the previous December; it is stored under the
	 * file's year, so reloading that year replaces it too. */
	if (j->rc < 0)
		return;
	db_stmt *s =
	    db_prepare(j->c,
		       "INSERT INTO calendar_days (day, year, kind, name) VALUES (?1,?2,?3,?4)"
		       " ON CONFLICT (day) DO UPDATE SET year = excluded.year,"
		       " kind = excluded.kind, name = excluded.name",
		       j->err);
	if (s == NULL) {
		j->rc = j->err->code;
		return;
	}
	date_format(day, d);
	db_bind_text(s, 1, d);
	db_bind_int(s, 2, j->year);
	db_bind_text(s, 3, kind == CAL_HOLIDAY ? "holiday" : "workday");
	db_bind_text(s, 4, name ? name : "");
	int rc = db_step(s, j->err);
	if (rc < 0)
		j->rc = rc;
	j->ndays++;
}

static int
tx_load(db_conn *c, void *arg, struct zt_err *err)
{
	struct load_job *j = arg;
	char obj[32];
	int rc;

	db_stmt *s = db_prepare(c, "DELETE FROM calendar_days WHERE year = ?1", err);
	if (s == NULL)
		return err->code;
	db_bind_int(s, 1, j->year);
	if ((rc = db_step(s, err)) < 0)
		return rc;
	s = db_prepare(c,
		       "INSERT INTO calendar_years (year, source, loaded_at) VALUES (?1, ?2, ?3)"
		       " ON CONFLICT (year) DO UPDATE SET source = excluded.source,"
		       " loaded_at = excluded.loaded_at",
		       err);
	if (s == NULL)
		return err->code;
	db_bind_int(s, 1, j->year);
	db_bind_text(s, 2, j->source);
	db_bind_int(s, 3, clock_now());
	if ((rc = db_step(s, err)) < 0)
		return rc;
	j->c = c;
	j->err = err;
	j->rc = 0;
	calendar_foreach(j->cal, insert_day, j);
	if (j->rc < 0)
		return j->rc;
	snprintf(obj, sizeof(obj), "calendar:%d", j->year);
	json_t *d = json_pack("{s:s, s:i}", "source", j->source, "days", j->ndays);
	rc = audit_append(c, 0, "calendar.load", obj, d, err);
	json_decref(d);
	return rc;
}

int
workcal_load_file(const char *path, int *year, struct zt_err *err)
{
	size_t len = 0;
	char *text = NULL;
	struct load_job j;
	int rc;

	if (file_read_all(path, 1 << 20, &text, &len) < 0)
		return err_set(err, ZT_EINVAL, "file", "unreadable",
			       "cannot read %s (missing, unreadable or over 1 MiB)", path);
	memset(&j, 0, sizeof(j));
	j.cal = calendar_new();
	rc = calendar_load_json(j.cal, text, len, &j.year, err);
	json_t *root = rc == 0 ? json_loadb(text, len, 0, NULL) : NULL;
	if (rc == 0) {
		json_t *src = json_object_get(root, "source");
		j.source = json_is_string(src) ? json_string_value(src) : path;
		rc = db_write(tx_load, &j, err);
	}
	json_decref(root);
	calendar_free(j.cal);
	free(text);
	if (rc == 0)
		*year = j.year;
	return rc;
}

static int
cmpstr(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int
workcal_load_dir(const char *dir, int verbose, struct zt_err *err)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char *names[64];
	int n = 0, rc = 0;

	if (d == NULL)
		return err_set(err, ZT_EINVAL, "calendar_dir", "missing", "cannot open %s", dir);
	while ((e = readdir(d)) && n < 64) {
		size_t l = strlen(e->d_name);
		if (l > 5 && strcmp(e->d_name + l - 5, ".json") == 0)
			names[n++] = xasprintf("%s/%s", dir, e->d_name);
	}
	closedir(d);
	qsort(names, (size_t)n, sizeof(names[0]), cmpstr);
	for (int i = 0; i < n; i++) {
		int year;
		if (rc == 0) {
			rc = workcal_load_file(names[i], &year, err);
			if (rc == 0 && verbose)
				fprintf(stderr, "calendar: loaded %d from %s\n", year, names[i]);
		}
		free(names[i]);
	}
	return rc;
}

json_t *
workcal_years_json(db_conn *c, struct zt_err *err)
{
	json_t *a = json_array();
	db_stmt *s = db_prepare(c,
				"SELECT y.year, y.source,"
				" (SELECT count(*) FROM calendar_days d WHERE d.year = y.year"
				"  AND d.kind = 'holiday'),"
				" (SELECT count(*) FROM calendar_days d WHERE d.year = y.year"
				"  AND d.kind = 'workday')"
				" FROM calendar_years y ORDER BY y.year",
				err);
	if (s == NULL) {
		json_decref(a);
		return NULL;
	}
	while (db_step(s, err) == DB_ROW)
		json_array_append_new(a, json_pack("{s:I, s:s, s:I, s:I}", "year",
						   (json_int_t)db_col_int(s, 0), "source",
						   db_col_text(s, 1), "holidays",
						   (json_int_t)db_col_int(s, 2), "workdays",
						   (json_int_t)db_col_int(s, 3)));
	db_reset(s);
	return a;
}

int64_t
workcal_end_of_day(int32_t day)
{
	return date_start_time(day + 1) - 1;
}

int
workcal_remaining(int64_t now, int32_t due_day)
{
	int32_t today = date_of_time(now);

	if (today > due_day)
		return -calendar_workdays_between(workcal(), due_day, today);
	return calendar_workdays_between(workcal(), today, due_day);
}
