/* supervise.h - supervision items (督办): opened by escalation of an overdue
 * case, by a bad rating or by a complaint; owned by the department's
 * supervisor, with a working-day deadline and a recorded outcome. */
#ifndef ZT_SUPERVISE_H
#define ZT_SUPERVISE_H

#include <jansson.h>
#include <stdint.h>

#include "base/err.h"
#include "db/db.h"
#include "domain/principal.h"

/* Opens an item inside the caller's transaction, once per (kind, case).
 * Returns 1 when opened, 0 when it already existed, or a negative error. */
int supervise_open(db_conn *c, const char *kind, int64_t case_id, int64_t dept_id,
		   const char *title, int days, int64_t actor, struct zt_err *err);
/* Opens the 'share_overdue' item of a share request unanswered past its due
 * time, once per request; the same returns as supervise_open. */
int supervise_open_request(db_conn *c, int64_t request_id, int64_t dept_id, const char *title,
			   int days, struct zt_err *err);
/* Opens the 'complaint' item of a complaint (complaint.h), once per
 * complaint; the same returns as supervise_open. *due_day gets its due day. */
int supervise_open_complaint(db_conn *c, int64_t complaint_id, int64_t dept_id, const char *title,
			     int days, int64_t actor, int32_t *due_day, struct zt_err *err);
/* Escalation (逐级督办): up to batch open items past due with escalated_at
 * NULL, oldest first. Each gets an 'escalated' item (parent_id = the overdue
 * item, deadline days working days) owned by the nearest oversight
 * department (departments.oversight) of a strictly higher region, walking
 * regions.parent; escalated_at is set even when no such office exists, so
 * it is not tried again. Runs inside the caller's transaction. *found (may
 * be NULL) gets the number of items looked at. Returns the number of
 * 'escalated' items opened, or a negative error. */
int supervise_escalate_overdue(db_conn *c, int batch, int days, int *found, struct zt_err *err);

/* Which items a supervisor sees: their department's, or (oversight
 * departments only) every department's in their region and the regions
 * below. */
enum supervise_scope { SCOPE_DEPT, SCOPE_REGION };

/* Items in the supervisor's scope, by id. status: "open", "closed" or
 * NULL; kind NULL = any. SCOPE_REGION by a non-oversight department gives
 * ZT_EFORBIDDEN (field "scope", reason "not_oversight"). */
json_t *supervise_list_json(db_conn *c, const struct principal *by, enum supervise_scope scope,
			    const char *status, const char *kind, int limit, const char *cursor,
			    struct zt_err *err);
/* Counts per department in the scope: {departments: [{id, name,
 * region_code, open, overdue, closed, kinds: {kind: open items}}], totals:
 * {open, overdue, closed}}; overdue = open past due now. */
json_t *supervise_summary_json(db_conn *c, const struct principal *by, enum supervise_scope scope,
			       struct zt_err *err);
/* Closes an item with its outcome (a supervisor of the owning department:
 * for an 'escalated' item the oversight office it went to). A complaint
 * item's outcome is published with the complaint (complaint.h). */
int supervise_close(const struct principal *by, int64_t id, const char *outcome,
		    struct zt_err *err);

#endif
