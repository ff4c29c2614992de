/* supervise.c - supervision items (督办) for a department's supervisor. */
#include "domain/supervise.h"
#include "domain/audit.h"
#include "domain/org.h"
#include "domain/workcal.h"
#include "base/buf.h"
#include "base/clock.h"
#include "base/jtime.h"
#include "base/xmalloc.h"
#include "crypto/fieldenc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What an item is about: a case, a share request, a complaint or (for an
 * 'escalated' item) another item; unused ids are 0. */
struct open_in {
	const char *kind;
	int64_t case_id, request_id, complaint_id, parent_id;
	int64_t dept_id;
	const char *title;
	int days;
	int64_t actor;
};

static void
bind_id(db_stmt *s, int idx, int64_t id)
{
	if (id)
		db_bind_int(s, idx, id);
	else
		db_bind_null(s, idx);
}

/* Opens an item once per (kind, subject): the owner is the department's
 * first active supervisor (none: NULL, the department still owns it).
 * Returns 1 when opened (*id_out, *due_out set when not NULL), 0 when it
 * existed, or a negative error. */
static int
open_item(db_conn *c, const struct open_in *in, int64_t *id_out, int32_t *due_out,
	  struct zt_err *err)
{
	int64_t now = clock_now();
	int32_t due = calendar_add_workdays(workcal(), date_of_time(now), in->days);
	char obj[32];
	int rc;

	/* Every UNIQUE of the table is (kind, subject): DO NOTHING without a
	 * target means "this subject has its item of this kind already". */
	db_stmt *s = db_prepare(
	    c,
	    "INSERT INTO supervision_items (kind, case_id, request_id, complaint_id, parent_id,"
	    " dept_id, owner_id, title, opened_at, due_day, due_at) VALUES (?1, ?2, ?3, ?4, ?5,"
	    " ?6, (SELECT id FROM users WHERE dept_id = ?6 AND kind = 'official'"
	    " AND (roles & 16) <> 0 AND status = 'active' ORDER BY id LIMIT 1), ?7, ?8, ?9, ?10)"
	    " ON CONFLICT DO NOTHING RETURNING id",
	    err);
	if (s == NULL)
		return err->code;
	db_bind_text(s, 1, in->kind);
	bind_id(s, 2, in->case_id);
	bind_id(s, 3, in->request_id);
	bind_id(s, 4, in->complaint_id);
	bind_id(s, 5, in->parent_id);
	db_bind_int(s, 6, in->dept_id);
	db_bind_text(s, 7, in->title);
	db_bind_int(s, 8, now);
	db_bind_int(s, 9, due);
	db_bind_int(s, 10, workcal_end_of_day(due));
	rc = db_step(s, err);
	int64_t id = rc == DB_ROW ? db_col_int(s, 0) : 0;
	db_reset(s);
	if (rc < 0)
		return rc;
	if (id == 0)
		return 0;
	if (id_out)
		*id_out = id;
	if (due_out)
		*due_out = due;
	snprintf(obj, sizeof(obj), "supervision:%lld", (long long)id);
	json_t *d = json_pack("{s:s, s:I, s:I}", "kind", in->kind, "case_id",
			      (json_int_t)in->case_id, "dept_id", (json_int_t)in->dept_id);
	if (in->request_id)
		json_object_set_new(d, "request_id", json_integer(in->request_id));
	if (in->complaint_id)
		json_object_set_new(d, "complaint_id", json_integer(in->complaint_id));
	if (in->parent_id)
		json_object_set_new(d, "parent_id", json_integer(in->parent_id));
	rc = audit_append(c, in->actor, "supervision.open", obj, d, err);
	json_decref(d);
	return rc < 0 ? rc : 1;
}

int
supervise_open(db_conn *c, const char *kind, int64_t case_id, int64_t dept_id, const char *title,
	       int days, int64_t actor, struct zt_err *err)
{
	struct open_in in = {.kind = kind,
			     .case_id = case_id,
			     .dept_id = dept_id,
			     .title = title,
			     .days = days,
			     .actor = actor};

	return open_item(c, &in, NULL, NULL, err);
}

int
supervise_open_request(db_conn *c, int64_t request_id, int64_t dept_id, const char *title, int days,
		       struct zt_err *err)
{
	struct open_in in = {.kind = "share_overdue",
			     .request_id = request_id,
			     .dept_id = dept_id,
			     .title = title,
			     .days = days};

	return open_item(c, &in, NULL, NULL, err);
}

int
supervise_open_complaint(db_conn *c, int64_t complaint_id, int64_t dept_id, const char *title,
			 int days, int64_t actor, int32_t *due_day, struct zt_err *err)
{
	struct open_in in = {.kind = "complaint",
			     .complaint_id = complaint_id,
			     .dept_id = dept_id,
			     .title = title,
			     .days = days,
			     .actor = actor};

	return open_item(c, &in, NULL, due_day, err);
}

/* ==== escalation to the oversight office of the region above ==== */

struct overdue_item {
	int64_t id, dept_id;
	char dept_name[400];
};

/* The nearest oversight department of a region strictly above dept's
 * region: its id and name, or 0 when there is none. */
static int64_t
office_above(db_conn *c, int64_t dept_id, char name[128], struct zt_err *err)
{
	db_stmt *s = db_prepare(
	    c,
	    "WITH RECURSIVE up(code, depth) AS ("
	    " SELECT r.parent, 1 FROM regions r JOIN departments d ON d.region_code = r.code"
	    " WHERE d.id = ?1"
	    " UNION ALL SELECT r.parent, up.depth + 1 FROM regions r JOIN up ON r.code = up.code)"
	    " SELECT o.id, o.name FROM up JOIN departments o ON o.region_code = up.code"
	    " WHERE o.oversight = 1 ORDER BY up.depth, o.id LIMIT 1",
	    err);
	if (s == NULL)
		return err->code;
	db_bind_int(s, 1, dept_id);
	int rc = db_step(s, err);
	int64_t id = 0;
	if (rc == DB_ROW) {
		id = db_col_int(s, 0);
		snprintf(name, 128, "%s", db_col_text(s, 1));
	}
	db_reset(s);
	return rc < 0 ? rc : id;
}

/* Escalates one overdue item; 1 when an item was opened above, 0 when
 * there is no office above (only marked), or a negative error. */
static int
escalate_one(db_conn *c, const struct overdue_item *it, int days, int64_t now, struct zt_err *err)
{
	char office[128] = "", title[480], obj[32];
	int64_t to = office_above(c, it->dept_id, office, err), opened = 0;
	int rc = 0;

	if (to < 0)
		return (int)to;
	if (to > 0) {
		snprintf(title, sizeof(title), "逐级督办：%s 督办事项 #%lld 超期未办结",
			 it->dept_name, (long long)it->id);
		struct open_in in = {.kind = "escalated",
				     .parent_id = it->id,
				     .dept_id = to,
				     .title = title,
				     .days = days};
		if ((rc = open_item(c, &in, &opened, NULL, err)) < 0)
			return rc;
	}
	db_stmt *s =
	    db_prepare(c, "UPDATE supervision_items SET escalated_at = ?1 WHERE id = ?2", err);
	if (s == NULL)
		return err->code;
	db_bind_int(s, 1, now);
	db_bind_int(s, 2, it->id);
	if ((rc = db_step(s, err)) < 0)
		return rc;
	snprintf(obj, sizeof(obj), "supervision:%lld", (long long)it->id);
	json_t *d = json_object();
	json_object_set_new(d, "to_dept", to ? json_integer(to) : json_null());
	json_object_set_new(d, "item", opened ? json_integer(opened) : json_null());
	rc = audit_append(c, 0, "supervision.escalate", obj, d, err);
	json_decref(d);
	return rc < 0 ? rc : opened != 0;
}

int
supervise_escalate_overdue(db_conn *c, int batch, int days, int *found, struct zt_err *err)
{
	struct overdue_item *items = xcalloc((size_t)batch, sizeof(*items));
	int64_t now = clock_now();
	int n = 0, opened = 0, rc;

	db_stmt *s =
	    db_prepare(c,
		       "SELECT s.id, s.dept_id, d.name FROM supervision_items s"
		       " JOIN departments d ON d.id = s.dept_id"
		       " WHERE s.status = 'open' AND s.due_at < ?1 AND s.escalated_at IS NULL"
		       " ORDER BY s.id LIMIT ?2",
		       err);
	if (s == NULL) {
		rc = err->code;
		goto out;
	}
	db_bind_int(s, 1, now);
	db_bind_int(s, 2, batch);
	while ((rc = db_step(s, err)) == DB_ROW) {
		items[n].id = db_col_int(s, 0);
		items[n].dept_id = db_col_int(s, 1);
		snprintf(items[n].dept_name, sizeof(items[n].dept_name), "%s", db_col_text(s, 2));
		n++;
	}
	db_reset(s);
	if (rc < 0)
		goto out;
	for (int i = 0; i < n; i++) {
		if ((rc = escalate_one(c, &items[i], days, now, err)) < 0)
			goto out;
		opened += rc;
	}
	rc = opened;
out:
	if (found)
		*found = n;
	free(items);
	return rc;
}

/* ==== the supervisor's views ==== */

#define LIST_COLS                                                                                  \
	"SELECT s.id, s.kind, cs.id, cs.case_no, s.title, s.opened_at, s.due_day, s.due_at,"       \
	" s.status, s.outcome, s.closed_at, coalesce(o.name, ''), s.request_id, s.dept_id,"        \
	" d.name, s.parent_id, s.escalated_at, e.id, e.dept_id, ed.name, m.no, m.about,"           \
	" m.content, m.contact_name, m.contact_phone"                                              \
	" FROM supervision_items s JOIN departments d ON d.id = s.dept_id"                         \
	" LEFT JOIN supervision_items p ON p.id = s.parent_id"                                     \
	" LEFT JOIN complaints m ON m.id = coalesce(s.complaint_id, p.complaint_id)"               \
	" LEFT JOIN cases cs ON cs.id = coalesce(s.case_id, p.case_id, m.case_id)"                 \
	" LEFT JOIN users o ON o.id = s.owner_id"                                                  \
	" LEFT JOIN supervision_items e ON e.parent_id = s.id AND e.kind = 'escalated'"            \
	" LEFT JOIN departments ed ON ed.id = e.dept_id"
#define LIST_FILTER                                                                                \
	" AND (CAST(?2 AS TEXT) IS NULL OR s.status = ?2)"                                         \
	" AND (CAST(?3 AS TEXT) IS NULL OR s.kind = ?3) AND s.id > ?4 ORDER BY s.id LIMIT ?5"

/* The caller's region when their department is an oversight office;
 * ZT_EFORBIDDEN otherwise. */
static int
oversight_region(db_conn *c, const struct principal *by, char region[8], struct zt_err *err)
{
	db_stmt *s =
	    db_prepare(c, "SELECT region_code, oversight FROM departments WHERE id = ?1", err);
	if (s == NULL)
		return err->code;
	db_bind_int(s, 1, by->dept_id);
	int rc = db_step(s, err);
	int oversight = rc == DB_ROW && db_col_int(s, 1) == 1;
	if (rc == DB_ROW)
		snprintf(region, 8, "%s", db_col_text(s, 0));
	db_reset(s);
	if (rc < 0)
		return rc;
	if (!oversight)
		return err_set(err, ZT_EFORBIDDEN, "scope", "not_oversight",
			       "only supervisors of an oversight office see their region");
	return 0;
}

static json_t *
text_or_null(db_stmt *s, int col)
{
	return db_col_isnull(s, col) ? json_null() : json_string(db_col_text(s, col));
}

static json_t *
time_or_null(db_stmt *s, int col)
{
	return time_json_or_null(db_col_int(s, col), db_col_isnull(s, col));
}

/* One row of LIST_COLS as the item the supervisor sees. */
static json_t *
item_json(db_stmt *s, int64_t now)
{
	char opened[32], due[11];
	const char *st = db_col_text(s, 8);
	int overdue = strcmp(st, "open") == 0 && now > db_col_int(s, 7);

	time_format(db_col_int(s, 5), opened);
	date_format((int32_t)db_col_int(s, 6), due);
	json_t *o = json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:b, s:s}", "id",
			      (json_int_t)db_col_int(s, 0), "kind", db_col_text(s, 1), "title",
			      db_col_text(s, 4), "opened_at", opened, "due_date", due, "status", st,
			      "overdue", overdue, "owner", db_col_text(s, 11));
	if (!db_col_isnull(s, 2)) {
		json_object_set_new(o, "case_id", json_integer(db_col_int(s, 2)));
		json_object_set_new(o, "case_no", text_or_null(s, 3));
	}
	if (!db_col_isnull(s, 12))
		json_object_set_new(o, "request_id", json_integer(db_col_int(s, 12)));
	if (!db_col_isnull(s, 9))
		json_object_set_new(o, "outcome", json_string(db_col_text(s, 9)));
	json_object_set_new(o, "closed_at", time_or_null(s, 10));
	json_object_set_new(o, "dept_id", json_integer(db_col_int(s, 13)));
	json_object_set_new(o, "dept_name", json_string(db_col_text(s, 14)));
	json_object_set_new(o, "parent_id",
			    db_col_isnull(s, 15) ? json_null() : json_integer(db_col_int(s, 15)));
	json_object_set_new(o, "escalated_at", time_or_null(s, 16));
	json_object_set_new(
	    o, "escalated_to",
	    db_col_isnull(s, 17)
		? json_null()
		: json_pack("{s:I, s:I, s:s}", "item_id", (json_int_t)db_col_int(s, 17), "dept_id",
			    (json_int_t)db_col_int(s, 18), "dept_name", db_col_text(s, 19)));
	if (!db_col_isnull(s, 20)) {
		/* The contact is stored encrypted (crypto/fieldenc.h); a value
		 * that fails its check is shown as null, never as garbage. */
		char *name = fieldenc_open_str(db_col_text(s, 23), NULL);
		char *phone = fieldenc_open_str(db_col_text(s, 24), NULL);
		json_object_set_new(
		    o, "complaint",
		    json_pack("{s:s, s:s, s:s, s:o, s:o}", "no", db_col_text(s, 20), "about",
			      db_col_text(s, 21), "content", db_col_text(s, 22), "contact_name",
			      name ? json_string(name) : json_null(), "contact_phone",
			      phone ? json_string(phone) : json_null()));
		free(name);
		free(phone);
	}
	return o;
}

json_t *
supervise_list_json(db_conn *c, const struct principal *by, enum supervise_scope scope,
		    const char *status, const char *kind, int limit, const char *cursor,
		    struct zt_err *err)
{
	int64_t after = 0;
	int64_t now = clock_now();
	char region[8];
	db_stmt *s;

	if (cursor) {
		char *end;
		after = strtoll(cursor, &end, 10);
		if (*end != '\0' || after <= 0) {
			err_set(err, ZT_EINVAL, "cursor", "invalid", "invalid cursor");
			return NULL;
		}
	}
	if (scope == SCOPE_REGION) {
		if (oversight_region(c, by, region, err) < 0)
			return NULL;
		s = db_prepare(c, LIST_COLS " WHERE d.region_code IN " ORG_SUBTREE_OF_1 LIST_FILTER,
			       err);
		if (s)
			db_bind_text(s, 1, region);
	} else {
		s = db_prepare(c, LIST_COLS " WHERE s.dept_id = ?1" LIST_FILTER, err);
		if (s)
			db_bind_int(s, 1, by->dept_id);
	}
	if (s == NULL)
		return NULL;
	db_bind_text(s, 2, status);
	db_bind_text(s, 3, kind);
	db_bind_int(s, 4, after);
	db_bind_int(s, 5, limit + 1);
	json_t *items = json_array();
	int n = 0, more = 0, rc;
	int64_t last = 0;
	while ((rc = db_step(s, err)) == DB_ROW) {
		if (n == limit) {
			more = 1;
			break;
		}
		last = db_col_int(s, 0);
		json_array_append_new(items, item_json(s, now));
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

static const char *const kinds[] = {"overdue",	     "bad_rating", "complaint",
				    "share_overdue", "escalated",  NULL};

#define SUMMARY_COLS                                                                               \
	"SELECT d.id, d.name, d.region_code, s.kind, s.status, count(s.id),"                       \
	" coalesce(sum(CASE WHEN s.status = 'open' AND s.due_at < ?2 THEN 1 ELSE 0 END), 0)"       \
	" FROM departments d LEFT JOIN supervision_items s ON s.dept_id = d.id"
#define SUMMARY_GROUP                                                                              \
	" GROUP BY d.id, d.name, d.region_code, s.kind, s.status ORDER BY d.region_code, d.id"

static json_t *
summary_dept(db_stmt *s)
{
	json_t *k = json_object();

	for (int i = 0; kinds[i]; i++)
		json_object_set_new(k, kinds[i], json_integer(0));
	return json_pack("{s:I, s:s, s:s, s:i, s:i, s:i, s:o}", "id", (json_int_t)db_col_int(s, 0),
			 "name", db_col_text(s, 1), "region_code", db_col_text(s, 2), "open", 0,
			 "overdue", 0, "closed", 0, "kinds", k);
}

static void
add_count(json_t *o, const char *key, int64_t n)
{
	json_object_set_new(o, key, json_integer(json_integer_value(json_object_get(o, key)) + n));
}

json_t *
supervise_summary_json(db_conn *c, const struct principal *by, enum supervise_scope scope,
		       struct zt_err *err)
{
	char region[8];
	db_stmt *s;

	if (scope == SCOPE_REGION) {
		if (oversight_region(c, by, region, err) < 0)
			return NULL;
		s = db_prepare(
		    c, SUMMARY_COLS " WHERE d.region_code IN " ORG_SUBTREE_OF_1 SUMMARY_GROUP, err);
		if (s)
			db_bind_text(s, 1, region);
	} else {
		s = db_prepare(c, SUMMARY_COLS " WHERE d.id = ?1" SUMMARY_GROUP, err);
		if (s)
			db_bind_int(s, 1, by->dept_id);
	}
	if (s == NULL)
		return NULL;
	db_bind_int(s, 2, clock_now());
	json_t *depts = json_array(), *cur = NULL;
	json_t *totals = json_pack("{s:i, s:i, s:i}", "open", 0, "overdue", 0, "closed", 0);
	int64_t cur_id = 0;
	int rc;
	while ((rc = db_step(s, err)) == DB_ROW) {
		if (cur == NULL || db_col_int(s, 0) != cur_id) {
			cur_id = db_col_int(s, 0);
			cur = summary_dept(s);
			json_array_append_new(depts, cur);
		}
		if (db_col_isnull(s, 3))
			continue; /* a department without items */
		int open = strcmp(db_col_text(s, 4), "open") == 0;
		int64_t n = db_col_int(s, 5), late = db_col_int(s, 6);
		add_count(cur, open ? "open" : "closed", n);
		add_count(totals, open ? "open" : "closed", n);
		add_count(cur, "overdue", late);
		add_count(totals, "overdue", late);
		if (open)
			add_count(json_object_get(cur, "kinds"), db_col_text(s, 3), n);
	}
	db_reset(s);
	if (rc < 0) {
		json_decref(depts);
		json_decref(totals);
		return NULL;
	}
	return json_pack("{s:o, s:o}", "departments", depts, "totals", totals);
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
