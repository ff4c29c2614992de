/* rating.c - 好差评 ratings of finished cases. */
#include "domain/rating.h"
#include "domain/audit.h"
#include "domain/case.h"
#include "domain/supervise.h"
#include "base/clock.h"
#include "base/config.h"

#include <stdio.h>
#include <string.h>

struct rate_job {
	const struct principal *by;
	int64_t id;
	int stars;
	const char *comment;
};

static int
tx_rate(db_conn *c, void *arg, struct zt_err *err)
{
	struct rate_job *j = arg;
	char state[24], obj[32], title[160];
	int64_t dept, applicant;
	int rc;

	if ((rc = case_access(c, j->by, j->id, &dept, &applicant, state, err)) < 0)
		return rc;
	if (applicant != j->by->user_id)
		return err_set(err, ZT_EFORBIDDEN, "", "wrong_role", "only the applicant may rate");
	if (strcmp(state, "delivered") != 0 && strcmp(state, "denied") != 0 &&
	    strcmp(state, "not_accepted") != 0)
		return err_set(err, ZT_ECONFLICT, "state", "not_finished",
			       "a case can be rated once it is finished (it is %s)", state);
	db_stmt *s = db_prepare(c,
				"INSERT INTO ratings (case_id, applicant_id, stars, comment, at)"
				" VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (case_id) DO NOTHING",
				err);
	if (s == NULL)
		return err->code;
	db_bind_int(s, 1, j->id);
	db_bind_int(s, 2, j->by->user_id);
	db_bind_int(s, 3, j->stars);
	db_bind_text(s, 4, j->comment ? j->comment : "");
	db_bind_int(s, 5, clock_now());
	if ((rc = db_step(s, err)) < 0)
		return rc;
	if (db_changes(c) == 0)
		return err_set(err, ZT_ECONFLICT, "stars", "already_rated",
			       "this case has already been rated");
	s = db_prepare(c, "UPDATE cases SET rated = 1, stars = ?2 WHERE id = ?1", err);
	if (s == NULL)
		return err->code;
	db_bind_int(s, 1, j->id);
	db_bind_int(s, 2, j->stars);
	if ((rc = db_step(s, err)) < 0)
		return rc;
	json_t *d = json_pack("{s:i}", "stars", j->stars);
	rc = case_add_event(c, j->id, j->by->user_id, "applicant", "rate", state, state, j->comment,
			    d, err);
	if (rc == 0) {
		snprintf(obj, sizeof(obj), "case:%lld", (long long)j->id);
		rc = audit_append(c, j->by->user_id, "case.rate", obj, d, err);
	}
	json_decref(d);
	if (rc < 0)
		return rc;
	if (j->stars <= 2) {
		char no[40] = "";
		db_stmt *q = db_prepare(c, "SELECT case_no FROM cases WHERE id = ?1", err);
		if (q == NULL)
			return err->code;
		db_bind_int(q, 1, j->id);
		if (db_step(q, err) == DB_ROW)
			snprintf(no, sizeof(no), "%s", db_col_text(q, 0));
		db_reset(q);
		snprintf(title, sizeof(title), "差评整改：办件 %s 评价 %d 星", no, j->stars);
		rc = supervise_open(c, "bad_rating", j->id, dept, title, cfg.rectify_days,
				    j->by->user_id, err);
	}
	return rc < 0 ? rc : 0;
}

int
rating_submit(const struct principal *by, int64_t case_id, int stars, const char *comment,
	      struct zt_err *err)
{
	struct rate_job j = {by, case_id, stars, comment};

	if (stars < 1 || stars > 5)
		return err_set(err, ZT_EINVAL, "stars", "range", "stars must be 1 to 5");
	if (stars <= 2 && (comment == NULL || *comment == '\0'))
		return err_set(err, ZT_EINVAL, "comment", "required",
			       "tell us what went wrong, so it can be put right");
	return db_write(tx_rate, &j, err);
}
