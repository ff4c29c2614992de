/* sla.c - escalating overdue cases (and share requests) to the department's
 * supervisor, and overdue supervision items to the region above. */
#include "domain/sla.h"
#include "domain/case.h"
#include "domain/share.h"
#include "domain/supervise.h"
#include "domain/workcal.h"
#include "base/clock.h"
#include "base/ticker.h"
#include "base/log.h"
#include "db/db.h"

#include <stdio.h>
#include <string.h>

#define SWEEP_BATCH	 200
#define SUPERVISION_DAYS 5 /* working days for the department to answer a 督办 */

struct sweep_job {
	int opened;
	int found;
};

/* Several processes on one PostgreSQL: one sweeps at a time (the lock
 * ends with the transaction); the others find it taken and skip. */
static int
sweep_lock(db_conn *c, struct zt_err *err)
{
	return db_kind() != DB_PG ||
	       db_query_int(c,
			    "SELECT CASE WHEN pg_try_advisory_xact_lock(7262001) THEN 1 ELSE 0 END",
			    0, err) == 1;
}

static int
tx_sweep(db_conn *c, void *arg, struct zt_err *err)
{
	struct sweep_job *j = arg;
	int64_t ids[SWEEP_BATCH], depts[SWEEP_BATCH];
	char states[SWEEP_BATCH][24], nos[SWEEP_BATCH][40];
	int n = 0, rc;

	if (!sweep_lock(c, err)) {
		j->found = 0;
		return 0;
	}
	/* Overdue, clock running, not yet escalated. */
	db_stmt *s =
	    db_prepare(c,
		       "SELECT c.id, c.dept_id, c.state, c.case_no FROM cases c"
		       " WHERE c.phase <> 'closed' AND c.paused_on IS NULL AND c.due_at < ?1"
		       " AND NOT EXISTS (SELECT 1 FROM supervision_items s"
		       "  WHERE s.kind = 'overdue' AND s.case_id = c.id)"
		       " ORDER BY c.id LIMIT ?2",
		       err);
	if (s == NULL)
		return err->code;
	db_bind_int(s, 1, clock_now());
	db_bind_int(s, 2, SWEEP_BATCH);
	while ((rc = db_step(s, err)) == DB_ROW) {
		ids[n] = db_col_int(s, 0);
		depts[n] = db_col_int(s, 1);
		snprintf(states[n], sizeof(states[n]), "%s", db_col_text(s, 2));
		snprintf(nos[n], sizeof(nos[n]), "%s", db_col_text(s, 3));
		n++;
	}
	db_reset(s);
	if (rc < 0)
		return rc;
	j->found = n;
	for (int i = 0; i < n; i++) {
		char title[160];
		snprintf(title, sizeof(title), "超期督办：办件 %s 已超过办理时限", nos[i]);
		rc =
		    supervise_open(c, "overdue", ids[i], depts[i], title, SUPERVISION_DAYS, 0, err);
		if (rc < 0)
			return rc;
		if (rc == 1) {
			j->opened++;
			rc = case_add_event(c, ids[i], 0, "system", "escalate", states[i],
					    states[i], "超过办理时限，已转督办", NULL, err);
			if (rc < 0)
				return rc;
		}
	}
	return 0;
}

/* Share requests unanswered past their due time (share.h). */
static int
tx_sweep_share(db_conn *c, void *arg, struct zt_err *err)
{
	struct sweep_job *j = arg;
	int n;

	j->found = 0;
	if (!sweep_lock(c, err))
		return 0;
	if ((n = share_escalate_overdue(c, SWEEP_BATCH, &j->found, err)) < 0)
		return n;
	j->opened += n;
	return 0;
}

/* Supervision items open past their deadline (supervise.h). */
static int
tx_sweep_items(db_conn *c, void *arg, struct zt_err *err)
{
	struct sweep_job *j = arg;
	int n;

	j->found = 0;
	if (!sweep_lock(c, err))
		return 0;
	if ((n = supervise_escalate_overdue(c, SWEEP_BATCH, SUPERVISION_DAYS, &j->found, err)) < 0)
		return n;
	j->opened += n;
	return 0;
}

/* Runs fn in transactions of up to SWEEP_BATCH items until none are left. */
static int
sweep_all(db_job_fn fn, struct zt_err *err)
{
	int total = 0;

	for (;;) {
		struct sweep_job j = {0, 0};
		int rc = db_write(fn, &j, err);
		if (rc < 0)
			return rc;
		total += j.opened;
		if (j.found < SWEEP_BATCH)
			break;
	}
	return total;
}

int
sla_sweep_counts(struct sla_counts *out, struct zt_err *err)
{
	int n;

	memset(out, 0, sizeof(*out));
	if ((n = sweep_all(tx_sweep, err)) < 0)
		return n;
	out->cases = n;
	if ((n = sweep_all(tx_sweep_share, err)) < 0)
		return n;
	out->requests = n;
	if ((n = sweep_all(tx_sweep_items, err)) < 0)
		return n;
	out->items = n;
	return 0;
}

int
sla_sweep(int *requests, struct zt_err *err)
{
	struct sla_counts n;
	int rc = sla_sweep_counts(&n, err);

	if (requests)
		*requests = rc < 0 ? 0 : n.requests;
	return rc < 0 ? rc : n.cases;
}

static struct ticker sweeper;

static void
tick(void *unused)
{
	struct zt_err err;

	(void)unused;
	/* Pick up calendars stored by `zhengtong calendar load` meanwhile. */
	db_conn *rc = db_read_acquire();
	if (rc) {
		if (workcal_reload(rc, &err) < 0)
			log_warn("calendar reload failed: %s", err.msg);
		db_read_release(rc);
	}
	struct sla_counts n;
	if (sla_sweep_counts(&n, &err) < 0) {
		log_warn("sla sweep failed: %s", err.msg);
		return;
	}
	if (n.cases > 0 || n.requests > 0)
		log_info("sla sweep: %d overdue case(s) and %d overdue share request(s) escalated",
			 n.cases, n.requests);
	if (n.items > 0)
		log_info("sla sweep: %d overdue supervision item(s) escalated to the region above",
			 n.items);
}

int
sla_start(int interval)
{
	if (interval <= 0)
		return 0;
	return ticker_start(&sweeper, tick, NULL, interval * 1000L, 1);
}

void
sla_stop(void)
{
	ticker_stop(&sweeper);
}
