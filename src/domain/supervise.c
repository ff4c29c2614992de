/* supervise.c - supervision items (督办) for a department's supervisor. */
#include "domain/supervise.h"
#include "domain/audit.h"
#include "domain/workcal.h"
#include "base/buf.h"
#include "base/clock.h"
#include "base/xmalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Opens an item about a case (request_id 0) or a share request. */
static int
open_item(db_conn *c, const char *kind, int64_t case_id, int64_t request_id, int64_t dept_id,
	  const char *title, int days, int64_t actor, struct zt_err *err)
{
	int64_t now = clock_now();
	int32_t due = calendar_add_workdays(workcal(), date_of_time(now), days);
	char obj[32];
	int rc;

	db_stmt *s = db_prepare(
	    c,
	    request_id
		? "INSERT INTO supervision_items (kind, request_id, dept_id, owner_id, title,"
		  " opened_at, due_day, due_at) VALUES (?1, ?2, ?3, (SELECT id FROM users"
		  " WHERE dept_id = ?3 AND kind = 'official' AND (roles & 16) <> 0"
		  " AND status = 'active' ORDER BY id LIMIT 1), ?4, ?5, ?6, ?7)"
		  " ON CONFLICT (kind, request_id) DO NOTHING RETURNING id"
		: "INSERT INTO supervision_items (kind, case_id, dept_id, owner_id, title,"
		  " opened_at, due_day, due_at) VALUES (?1, ?2, ?3, (SELECT id FROM users"
		  " WHERE dept_id = ?3 AND kind = 'official' AND (roles & 16) <> 0"
		  " AND status = 'active' ORDER BY id LIMIT 1), ?4, ?5, ?6, ?7)"
		  " ON CONFLICT (kind, case_id) DO NOTHING RETURNING id",
	    err);
	if (s == NULL)
		return err->code;
	db_bind_text(s, 1, kind);
	if (request_id)
		db_bind_int(s, 2, request_id);
	else if (case_id)
		db_bind_int(s, 2, case_id);
	else
		db_bind_null(s, 2);
	db_bind_int(s, 3, dept_id);
	db_bind_text(s, 4, title);
	db_bind_int(s, 5, now);
	db_bind_int(s, 6, due);
	db_bind_int(s, 7, workcal_end_of_day(due));
	rc = db_step(s, err);
	int64_t id = rc == DB_ROW ? db_col_int(s, 0) : 0;
	db_reset(s);
	if (rc < 0)
		return rc;
	if (id == 0)
		return 0;
	snprintf(obj, sizeof(obj), "supervision:%lld", (long long)id);
	json_t *d = json_pack("{s:s, s:I, s:I}", "kind", kind, "case_id", (json_int_t)case_id,
			      "dept_id", (json_int_t)dept_id);
	if (request_id)
		json_object_set_new(d, "request_id", json_integer(request_id));
	rc = audit_append(c, actor, "supervision.open", obj, d, err);
	json_decref(d);
	return rc < 0 ? rc : 1;
}

int
supervise_open(db_conn *c, const char *kind, int64_t case_id, int64_t dept_id, const char *title,
	       int days, int64_t actor, struct zt_err *err)
{
	return open_item(c, kind, case_id, 0, dept_id, title, days, actor, err);
}

int
supervise_open_request(db_conn *c, int64_t request_id, int64_t dept_id, const char *title, int days,
		       struct zt_err *err)
{
	return open_item(c, "share_overdue", 0, request_id, dept_id, title, days, 0, err);
}

json_t *
supervise_list_json(db_conn *c, const struct principal *by, const char *status, const char *kind,
		    int limit, const char *cursor, struct zt_err *err)
{
	int64_t after = 0;
	int64_t now = clock_now();

	if (cursor) {
		char *end;
		after = strtoll(cursor, &end, 10);
		if (*end != '\0' || after <= 0) {
			err_set(err, ZT_EINVAL, "cursor", "invalid", "invalid cursor");
			return NULL;
		}
	}
	db_stmt *s = db_prepare(
	    c,
	    "SELECT s.id, s.kind, s.case_id, c.case_no, s.title, s.opened_at, s.due_day,"
	    " s.due_at, s.status, s.outcome, s.closed_at, coalesce(o.name, ''), s.request_id"
	    " FROM supervision_items s LEFT JOIN cases c ON c.id = s.case_id"
	    " LEFT JOIN users o ON o.id = s.owner_id"
	    " WHERE s.dept_id = ?1 AND (CAST(?2 AS TEXT) IS NULL OR s.status = ?2)"
	    " AND (CAST(?3 AS TEXT) IS NULL OR s.kind = ?3) AND s.id > ?4 ORDER BY s.id LIMIT ?5",
	    err);
	if (s == NULL)
		return NULL;
	db_bind_int(s, 1, by->dept_id);
	db_bind_text(s, 2, status);
	db_bind_text(s, 3, kind);
	db_bind_int(s, 4, after);
	db_bind_int(s, 5, limit + 1);
	json_t *items = json_array();
	int n = 0, more = 0, rc;
	int64_t last = 0;
	while ((rc = db_step(s, err)) == DB_ROW) {
		char opened[32], due[11];
		if (n == limit) {
			more = 1;
			break;
		}
		last = db_col_int(s, 0);
		time_format(db_col_int(s, 5), opened);
		date_format((int32_t)db_col_int(s, 6), due);
		const char *st = db_col_text(s, 8);
		int overdue = strcmp(st, "open") == 0 && now > db_col_int(s, 7);
		json_t *o = json_pack(
		    "{s:I, s:s, s:s, s:s, s:s, s:s, s:b, s:s}", "id", (json_int_t)last, "kind",
		    db_col_text(s, 1), "title", db_col_text(s, 4), "opened_at", opened, "due_date",
		    due, "status", st, "overdue", overdue, "owner", db_col_text(s, 11));
		if (!db_col_isnull(s, 2)) {
			json_object_set_new(o, "case_id", json_integer(db_col_int(s, 2)));
			json_object_set_new(o, "case_no", json_string(db_col_text(s, 3)));
		}
		if (!db_col_isnull(s, 12))
			json_object_set_new(o, "request_id", json_integer(db_col_int(s, 12)));
		if (!db_col_isnull(s, 9))
			json_object_set_new(o, "outcome", json_string(db_col_text(s, 9)));
		json_array_append_new(items, o);
		n++;
	}
	db_reset(s);
	if (rc < 0) {
		json_decref(items);
		return NULL;
	}
	json_t *out = json_pack("{s:o}", "items", items);
	if (more) {
		char nx[24];
		snprintf(nx, sizeof(nx), "%lld", (long long)last);
		json_object_set_new(out, "next", json_string(nx));
	} else
		json_object_set_new(out, "next", json_null());
	return out;
}

struct close_job {
	const struct principal *by;
	int64_t id;
	const char *outcome;
};

static int
tx_close(db_conn *c, void *arg, struct zt_err *err)
{
	struct close_job *j = arg;
	char obj[32];
	int rc;

	db_stmt *s =
	    db_prepare(c, "SELECT dept_id, status FROM supervision_items WHERE id = ?1", err);
	if (s == NULL)
		return err->code;
	db_bind_int(s, 1, j->id);
	rc = db_step(s, err);
	int64_t dept = rc == DB_ROW ? db_col_int(s, 0) : 0;
	int open = rc == DB_ROW && strcmp(db_col_text(s, 1), "open") == 0;
	db_reset(s);
	if (rc < 0)
		return rc;
	if (rc != DB_ROW)
		return err_set(err, ZT_ENOTFOUND, "", "not_found", "no such supervision item");
	if (dept != j->by->dept_id)
		return err_set(err, ZT_EFORBIDDEN, "", "other_department",
			       "the item belongs to another department");
	if (!open)
		return err_set(err, ZT_ECONFLICT, "status", "closed", "the item is already closed");
	s = db_prepare(
	    c,
	    "UPDATE supervision_items SET status = 'closed', outcome = ?1, closed_at = ?2,"
	    " closed_by = ?3 WHERE id = ?4",
	    err);
	if (s == NULL)
		return err->code;
	db_bind_text(s, 1, j->outcome);
	db_bind_int(s, 2, clock_now());
	db_bind_int(s, 3, j->by->user_id);
	db_bind_int(s, 4, j->id);
	if ((rc = db_step(s, err)) < 0)
		return rc;
	snprintf(obj, sizeof(obj), "supervision:%lld", (long long)j->id);
	return audit_append(c, j->by->user_id, "supervision.close", obj, NULL, err);
}

int
supervise_close(const struct principal *by, int64_t id, const char *outcome, struct zt_err *err)
{
	struct close_job j = {by, id, outcome};

	return db_write(tx_close, &j, err);
}
