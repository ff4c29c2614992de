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
/* Items of the supervisor's department. status: "open", "closed" or NULL. */
json_t *supervise_list_json(db_conn *c, const struct principal *by, const char *status,
			    const char *kind, int limit, const char *cursor, struct zt_err *err);
/* Closes an item with its outcome (a supervisor of the department). */
int supervise_close(const struct principal *by, int64_t id, const char *outcome,
		    struct zt_err *err);

#endif
