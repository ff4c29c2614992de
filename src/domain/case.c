/* case.c - the case state machine, deadlines, visits and case views. */
#include "domain/case.h"
#include "domain/audit.h"
#include "domain/license.h"
#include "domain/service.h"
#include "domain/share.h"
#include "domain/workcal.h"
#include "base/buf.h"
#include "base/page.h"
#include "base/clock.h"
#include "base/jtime.h"
#include "base/config.h"
#include "base/xmalloc.h"
#include "crypto/fieldenc.h"
#include "crypto/sm3.h"
#include "fed/xcase.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const action_names[ACT__COUNT] = {
    "accept", "not_accept", "supplement", "resubmit", "approve", "deny", "deliver"};

/* from-state and to-state of each action. */
static const struct {
	const char *from, *to;
	unsigned roles;
} machine[ACT__COUNT] = {
    [ACT_ACCEPT] = {"submitted", "accepted", ROLE_CLERK},
    [ACT_NOT_ACCEPT] = {"submitted", "not_accepted", ROLE_CLERK},
    [ACT_SUPPLEMENT] = {"submitted", "needs_supplement", ROLE_CLERK},
    [ACT_RESUBMIT] = {"needs_supplement", "submitted", 0},
    [ACT_APPROVE] = {"accepted", "approved", ROLE_REVIEWER},
    [ACT_DENY] = {"accepted", "denied", ROLE_REVIEWER},
    [ACT_DELIVER] = {"approved", "delivered", ROLE_CLERK | ROLE_REVIEWER},
};

const char *
case_action_name(enum case_action a)
{
	return a < ACT__COUNT ? action_names[a] : "";
}

int
case_action_from_name(const char *s)
{
	for (int i = 0; i < ACT__COUNT; i++)
		if (strcmp(action_names[i], s) == 0)
			return i;
	return -1;
}

const char *
case_next_state(const char *state, enum case_action a)
{
	if (a >= ACT__COUNT || strcmp(machine[a].from, state) != 0)
		return NULL;
	return machine[a].to;
}

unsigned
case_action_roles(enum case_action a)
{
	return a < ACT__COUNT ? machine[a].roles : 0;
}

const char *
case_timer(int64_t now, const char *phase, int paused, int64_t due_at, int64_t warn_at)
{
	if (strcmp(phase, "closed") == 0)
		return "closed";
	if (paused)
		return "paused";
	if (now > due_at)
		return "overdue";
	if (now >= warn_at)
		return "warning";
	return "normal";
}

/* ---- the case row ---- */

struct case_row {
	int64_t id, item_id, dept_id, applicant_id;
	char state[24], phase[16];
	int32_t clock_start;
	int clock_limit, pause_wd, promised_days, visits, rated;
	int paused;
	int32_t paused_on, due_day;
	int64_t due_at, warn_at, submitted_at;
};

#define CASE_COLS                                                                                  \
	"id, item_id, dept_id, applicant_id, state, phase, clock_start, clock_limit, pause_wd,"    \
	" promised_days, visits, rated, paused_on, due_day, due_at, warn_at, submitted_at"

#define CASE_COLS_C                                                                                \
	"c.id, c.item_id, c.dept_id, c.applicant_id, c.state, c.phase, c.clock_start,"             \
	" c.clock_limit, c.pause_wd, c.promised_days, c.visits, c.rated, c.paused_on,"             \
	" c.due_day, c.due_at, c.warn_at, c.submitted_at"

static void
row_read(db_stmt *s, struct case_row *r)
{
	r->id = db_col_int(s, 0);
	r->item_id = db_col_int(s, 1);
	r->dept_id = db_col_int(s, 2);
	r->applicant_id = db_col_int(s, 3);
	snprintf(r->state, sizeof(r->state), "%s", db_col_text(s, 4));
	snprintf(r->phase, sizeof(r->phase), "%s", db_col_text(s, 5));
	r->clock_start = (int32_t)db_col_int(s, 6);
	r->clock_limit = (int)db_col_int(s, 7);
	r->pause_wd = (int)db_col_int(s, 8);
	r->promised_days = (int)db_col_int(s, 9);
	r->visits = (int)db_col_int(s, 10);
	r->rated = (int)db_col_int(s, 11);
	r->paused = !db_col_isnull(s, 12);
	r->paused_on = r->paused ? (int32_t)db_col_int(s, 12) : 0;
	r->due_day = (int32_t)db_col_int(s, 13);
	r->due_at = db_col_int(s, 14);
	r->warn_at = db_col_int(s, 15);
	r->submitted_at = db_col_int(s, 16);
}

static int
row_load(db_conn *c, int64_t id, struct case_row *r, struct zt_err *err)
{
	db_stmt *s = db_prepare(c, "SELECT " CASE_COLS " FROM cases WHERE id = ?1", err);
	if (s == NULL)
		return err->code;
	db_bind_int(s, 1, id);
	int rc = db_step(s, err);
	if (rc == DB_ROW)
		row_read(s, r);
	db_reset(s);
	if (rc < 0)
		return rc;
	return rc == DB_ROW ? 0 : err_set(err, ZT_ENOTFOUND, "", "not_found", "no such case");
}

static int
row_save(db_conn *c, const struct case_row *r, struct zt_err *err)
{
	db_stmt *s =
	    db_prepare(c,
		       "UPDATE cases SET state=?2, phase=?3, clock_start=?4, clock_limit=?5,"
		       " pause_wd=?6, paused_on=?7, due_day=?8, due_at=?9, warn_at=?10,"
		       " visits=?11, rated=?12, updated_at=?13 WHERE id = ?1",
		       err);
	if (s == NULL)
		return err->code;
	db_bind_int(s, 1, r->id);
	db_bind_text(s, 2, r->state);
	db_bind_text(s, 3, r->phase);
	db_bind_int(s, 4, r->clock_start);
	db_bind_int(s, 5, r->clock_limit);
	db_bind_int(s, 6, r->pause_wd);
	if (r->paused)
		db_bind_int(s, 7, r->paused_on);
	else
		db_bind_null(s, 7);
	db_bind_int(s, 8, r->due_day);
	db_bind_int(s, 9, r->due_at);
	db_bind_int(s, 10, r->warn_at);
	db_bind_int(s, 11, r->visits);
	db_bind_int(s, 12, r->rated);
	db_bind_int(s, 13, clock_now());
	int rc = db_step(s, err);
	return rc < 0 ? rc : 0;
}

/* Starts (or recomputes) the running clock. */
static void
set_clock(struct case_row *r, int32_t start, int limit)
{
	struct deadline dl;

	r->clock_start = start;
	r->clock_limit = limit;
	calendar_deadline(workcal(), start, limit, r->pause_wd, &dl);
	r->due_day = dl.due;
	r->due_at = workcal_end_of_day(dl.due);
	r->warn_at = date_start_time(dl.warn);
}

int
case_add_event(db_conn *c, int64_t case_id, int64_t actor, const char *role, const char *action,
	       const char *from, const char *to, const char *comment, json_t *data,
	       struct zt_err *err)
{
	char *d = data ? json_dumps(data, JSON_COMPACT) : NULL;
	int64_t event_id;
	db_stmt *s =
	    db_prepare(c,
		       "INSERT INTO case_events (case_id, at, actor_id, actor_role, action,"
		       " from_state, to_state, comment, data) VALUES (?1,?2,?3,?4,?5,?6,?7,"
		       "?8,?9) RETURNING id",
		       err);
	if (s == NULL) {
		free(d);
		return err->code;
	}
	db_bind_int(s, 1, case_id);
	db_bind_int(s, 2, clock_now());
	if (actor)
		db_bind_int(s, 3, actor);
	else
		db_bind_null(s, 3);
	db_bind_text(s, 4, role);
	db_bind_text(s, 5, action);
	db_bind_text(s, 6, from);
	db_bind_text(s, 7, to);
	db_bind_text(s, 8, comment ? comment : "");
	db_bind_text(s, 9, d);
	free(d);
	int rc = db_step_id(s, &event_id, err);
	if (rc < 0)
		return rc;
	/* 跨省通办: the receiving node learns the event exactly when it commits. */
	return xcase_case_event(c, case_id, event_id, err);
}

static const char *
actor_role(const struct principal *by, unsigned needed)
{
	if (by->kind != KIND_OFFICIAL)
		return "applicant";
	if (by->user_id == 0)
		return "origin"; /* the receiving node's window (case_act_tx) */
	for (unsigned r = 1; r <= ROLE_SYSADMIN; r <<= 1)
		if ((by->roles & r) && (needed == 0 || (needed & r)))
			return role_name(r);
	return "official";
}

static int
audit_case(db_conn *c, int64_t actor, const char *action, int64_t case_id, const char *from,
	   const char *to, struct zt_err *err)
{
	char obj[32], act[48];
	json_t *d = json_pack("{s:s?, s:s}", "from", from, "to", to);

	snprintf(obj, sizeof(obj), "case:%lld", (long long)case_id);
	snprintf(act, sizeof(act), "case.%s", action);
	int rc = audit_append(c, actor, act, obj, d, err);
	json_decref(d);
	return rc;
}

int
case_access(db_conn *c, const struct principal *by, int64_t case_id, int64_t *dept,
	    int64_t *applicant, char state[24], struct zt_err *err)
{
	db_stmt *s =
	    db_prepare(c, "SELECT dept_id, applicant_id, state FROM cases WHERE id = ?1", err);
	if (s == NULL)
		return err->code;
	db_bind_int(s, 1, case_id);
	int rc = db_step(s, err);
	int64_t d = 0, a = 0;
	if (rc == DB_ROW) {
		d = db_col_int(s, 0);
		a = db_col_int(s, 1);
		if (state)
			snprintf(state, 24, "%s", db_col_text(s, 2));
	}
	db_reset(s);
	if (rc < 0)
		return rc;
	if (rc != DB_ROW || (by->kind != KIND_OFFICIAL && a != by->user_id))
		return err_set(err, ZT_ENOTFOUND, "", "not_found", "no such case");
	if (by->kind == KIND_OFFICIAL &&
	    (d != by->dept_id ||
	     !(by->roles & (ROLE_CLERK | ROLE_REVIEWER | ROLE_DEPT_ADMIN | ROLE_SUPERVISOR))))
		return err_set(err, ZT_EFORBIDDEN, "", "other_department",
			       "the case belongs to another department");
	if (dept)
		*dept = d;
	if (applicant)
		*applicant = a;
	return 0;
}

/* ---- materials ---- */

/* Cross-region: the materials are files kept at the node of region
 * origin; recorded as it reports them, with ref "fed:<origin>". */
static int
add_remote_materials(db_conn *c, int64_t case_id, const char *origin, int round,
		     const struct case_material_in *m, int n, struct zt_err *err)
{
	char ref[16];
	int rc;

	snprintf(ref, sizeof(ref), "fed:%s", origin);
	for (int i = 0; i < n; i++) {
		db_stmt *ins =
		    db_prepare(c,
			       "INSERT INTO case_materials (case_id, round, material_seq,"
			       " name, file_hash, size, mime, at, ref) VALUES (?1,?2,?3,"
			       "?4,?5,?6,?7,?8,?9)",
			       err);
		if (ins == NULL)
			return err->code;
		db_bind_int(ins, 1, case_id);
		db_bind_int(ins, 2, round);
		if (m[i].seq)
			db_bind_int(ins, 3, m[i].seq);
		else
			db_bind_null(ins, 3);
		db_bind_text(ins, 4, m[i].name);
		db_bind_text(ins, 5, m[i].file);
		db_bind_int(ins, 6, m[i].size);
		db_bind_text(ins, 7, m[i].mime ? m[i].mime : "application/octet-stream");
		db_bind_int(ins, 8, clock_now());
		db_bind_text(ins, 9, ref);
		if ((rc = db_step(ins, err)) < 0)
			return rc;
	}
	return 0;
}

/* Checks files belong to the applicant and inserts them as round `round`
 * (remote_origin: see add_remote_materials). */
static int
add_materials(db_conn *c, int64_t case_id, int64_t owner, int round,
	      const struct case_material_in *m, int n, const char *remote_origin,
	      struct zt_err *err)
{
	db_stmt *f = NULL, *ins = NULL;
	char field[48];

	if (remote_origin)
		return add_remote_materials(c, case_id, remote_origin, round, m, n, err);
	for (int i = 0; i < n; i++) {
		f = db_prepare(c, "SELECT size, mime FROM files WHERE hash = ?1 AND owner_id = ?2",
			       err);
		if (f == NULL)
			return err->code;
		db_bind_text(f, 1, m[i].file);
		db_bind_int(f, 2, owner);
		int rc = db_step(f, err);
		if (rc != DB_ROW) {
			db_reset(f);
			if (rc < 0)
				return rc;
			snprintf(field, sizeof(field), "materials[%d].file", i);
			return err_set(err, ZT_ERULE, field, "unknown_file",
				       "no uploaded file of yours has this id; upload it first");
		}
		int64_t size = db_col_int(f, 0);
		char mime[64];
		snprintf(mime, sizeof(mime), "%s", db_col_text(f, 1));
		db_reset(f);
		ins = db_prepare(c,
				 "INSERT INTO case_materials (case_id, round, material_seq, name,"
				 " file_hash, size, mime, at) VALUES (?1,?2,?3,?4,?5,?6,?7,?8)",
				 err);
		if (ins == NULL)
			return err->code;
		db_bind_int(ins, 1, case_id);
		db_bind_int(ins, 2, round);
		if (m[i].seq)
			db_bind_int(ins, 3, m[i].seq);
		else
			db_bind_null(ins, 3);
		db_bind_text(ins, 4, m[i].name);
		db_bind_text(ins, 5, m[i].file);
		db_bind_int(ins, 6, size);
		db_bind_text(ins, 7, mime);
		db_bind_int(ins, 8, clock_now());
		if ((rc = db_step(ins, err)) < 0)
			return rc;
	}
	return 0;
}

/* Every required material of the item must be among m (by seq) or among
 * the nfilled seqs in filled (materials the server fills: once-only). */
static int
check_required(db_conn *c, int64_t item_id, const struct case_material_in *m, int n,
	       const int *filled, int nfilled, struct zt_err *err)
{
	struct buf missing;
	int rc;

	db_stmt *s =
	    db_prepare(c,
		       "SELECT seq, name FROM materials WHERE item_id = ?1 AND required = 1"
		       " ORDER BY seq",
		       err);
	if (s == NULL)
		return err->code;
	buf_init(&missing);
	db_bind_int(s, 1, item_id);
	while ((rc = db_step(s, err)) == DB_ROW) {
		int seq = (int)db_col_int(s, 0), found = 0;
		for (int i = 0; i < n; i++)
			if (m[i].seq == seq)
				found = 1;
		for (int i = 0; i < nfilled; i++)
			if (filled[i] == seq)
				found = 1;
		if (!found)
			buf_printf(&missing, "%s%s", missing.len ? "、" : "", db_col_text(s, 1));
	}
	db_reset(s);
	if (rc < 0) {
		buf_cleanup(&missing);
		return rc;
	}
	for (int i = 0; i < n; i++) {
		if (m[i].seq == 0)
			continue;
		db_stmt *k =
		    db_prepare(c, "SELECT 1 FROM materials WHERE item_id = ?1 AND seq = ?2", err);
		if (k == NULL) {
			buf_cleanup(&missing);
			return err->code;
		}
		db_bind_int(k, 1, item_id);
		db_bind_int(k, 2, m[i].seq);
		rc = db_step(k, err);
		db_reset(k);
		if (rc != DB_ROW) {
			char field[48];
			buf_cleanup(&missing);
			if (rc < 0)
				return rc;
			snprintf(field, sizeof(field), "materials[%d].seq", i);
			return err_set(err, ZT_EINVAL, field, "unknown_material",
				       "the item has no material number %d", m[i].seq);
		}
	}
	if (missing.len) {
		err_set(err, ZT_ERULE, "materials", "missing_required",
			"required materials missing: %s", missing.data);
		buf_cleanup(&missing);
		return err->code;
	}
	buf_cleanup(&missing);
	return 0;
}

/* ---- once-only (一次办): materials the server fills ---- */

/* A material of the item that names what satisfies it: the applicant's
 * valid license of a type, or a row about the applicant read through a
 * grant the item's department holds on a data resource. */
struct autofill {
	int seq;
	char name[256];
	char license_type[24]; /* "" = none */
	char resource[72];     /* "" = none */
	const char *source;    /* "license" | "share" once filled, else NULL */
	char ref[160];	       /* identifier, or "grant:<id>/<key>" */
	json_t *data;	       /* the verified data shown to the reviewer (owned) */
};

struct autofills {
	struct autofill a[CASE_MAX_MATERIALS];
	int n;
};

static void
autofills_free(struct autofills *af)
{
	for (int i = 0; i < af->n; i++)
		json_decref(af->a[i].data);
	af->n = 0;
}

int
case_applicant_subject(db_conn *c, int64_t user_id, char out[CASE_SUBJECT_MAX], struct zt_err *err)
{
	db_stmt *s =
	    db_prepare(c, "SELECT kind, id_number, credit_code FROM users WHERE id = ?1", err);
	if (s == NULL)
		return err->code;
	db_bind_int(s, 1, user_id);
	int rc = db_step(s, err);
	out[0] = '\0';
	if (rc == DB_ROW && strcmp(db_col_text(s, 0), "enterprise") == 0 && !db_col_isnull(s, 2))
		fieldenc_index(db_col_text(s, 2), out);
	else if (rc == DB_ROW && !db_col_isnull(s, 1)) /* already the index */
		snprintf(out, CASE_SUBJECT_MAX, "%s", db_col_text(s, 1));
	db_reset(s);
	return rc < 0 ? rc : 0;
}

/* Loads the item's materials that name a license type or a resource, and
 * fills those a valid license of the applicant satisfies (reads only). */
static int
autofill_prepare(db_conn *c, int64_t item_id, const char *subject, struct autofills *af,
		 struct zt_err *err)
{
	int rc;

	autofills_free(af);
	db_stmt *s = db_prepare(c,
				"SELECT seq, name, license_type, resource_code FROM materials"
				" WHERE item_id = ?1 AND (license_type IS NOT NULL"
				" OR resource_code IS NOT NULL) ORDER BY seq",
				err);
	if (s == NULL)
		return err->code;
	db_bind_int(s, 1, item_id);
	while ((rc = db_step(s, err)) == DB_ROW && af->n < CASE_MAX_MATERIALS) {
		struct autofill *m = &af->a[af->n++];
		memset(m, 0, sizeof(*m));
		m->seq = (int)db_col_int(s, 0);
		snprintf(m->name, sizeof(m->name), "%s", db_col_text(s, 1));
		snprintf(m->license_type, sizeof(m->license_type), "%s",
			 db_col_isnull(s, 2) ? "" : db_col_text(s, 2));
		snprintf(m->resource, sizeof(m->resource), "%s",
			 db_col_isnull(s, 3) ? "" : db_col_text(s, 3));
	}
	db_reset(s);
	if (rc < 0)
		return rc;
	if (*subject == '\0')
		return 0;
	for (int i = 0; i < af->n; i++) {
		struct autofill *m = &af->a[i];
		char id[LICID_MAX];
		if (*m->license_type == '\0')
			continue;
		rc = license_find_valid(c, m->license_type, subject, id, &m->data, err);
		if (rc < 0)
			return rc;
		if (rc == 1) {
			m->source = "license";
			snprintf(m->ref, sizeof(m->ref), "%s", id);
		}
	}
	return 0;
}

/* Fills the resource-backed materials through the department's grants
 * (each read is recorded as an access with purpose "办件 <case no>"). */
static int
autofill_share(db_conn *c, struct autofills *af, int64_t dept, const char *subject, int64_t actor,
	       const char *case_no, struct zt_err *err)
{
	char purpose[64];
	int rc;

	if (*subject == '\0')
		return 0;
	snprintf(purpose, sizeof(purpose), "办件 %s", case_no);
	for (int i = 0; i < af->n; i++) {
		struct autofill *m = &af->a[i];
		json_t *row = NULL;
		int64_t grant = 0;
		if (*m->resource == '\0' || m->source)
			continue;
		rc = share_fetch_for_case(c, dept, m->resource, subject, actor, purpose, &row,
					  &grant, err);
		if (rc < 0)
			return rc;
		if (rc == 0 || row == NULL)
			continue;
		/* ref names the row by its key as the grant delivers it (masked
		 * when the grant masks the key field). */
		char key[96] = "";
		db_stmt *s =
		    db_prepare(c, "SELECT key_field FROM data_resources WHERE code = ?1", err);
		if (s == NULL) {
			json_decref(row);
			return err->code;
		}
		db_bind_text(s, 1, m->resource);
		if ((rc = db_step(s, err)) == DB_ROW) {
			json_t *k = json_object_get(row, db_col_text(s, 0));
			if (json_is_string(k))
				snprintf(key, sizeof(key), "%s", json_string_value(k));
			else if (json_is_integer(k))
				snprintf(key, sizeof(key), "%lld",
					 (long long)json_integer_value(k));
		}
		db_reset(s);
		if (rc < 0) {
			json_decref(row);
			return rc;
		}
		m->source = "share";
		snprintf(m->ref, sizeof(m->ref), "grant:%lld/%s", (long long)grant, key);
		m->data = json_pack("{s:s, s:I, s:o}", "resource", m->resource, "grant",
				    (json_int_t)grant, "row", row);
	}
	return 0;
}

/* Seqs of the filled materials into out; with pending, also those a grant
 * may still fill. Returns the count. */
static int
autofill_seqs(const struct autofills *af, int pending, int *out)
{
	int n = 0;

	for (int i = 0; i < af->n; i++)
		if (af->a[i].source || (pending && *af->a[i].resource))
			out[n++] = af->a[i].seq;
	return n;
}

/* Records the filled materials of the case and counts them. */
static int
autofill_save(db_conn *c, int64_t case_id, const struct autofills *af, struct zt_err *err)
{
	int n = 0, rc;

	for (int i = 0; i < af->n; i++) {
		const struct autofill *m = &af->a[i];
		if (m->source == NULL)
			continue;
		char *data = json_dumps(m->data, JSON_COMPACT);
		db_stmt *s = db_prepare(
		    c,
		    "INSERT INTO case_materials (case_id, round, material_seq, name, file_hash,"
		    " size, mime, at, source, ref, data) VALUES (?1, 1, ?2, ?3, '', 0,"
		    " 'application/json', ?4, ?5, ?6, ?7)",
		    err);
		if (s == NULL) {
			free(data);
			return err->code;
		}
		db_bind_int(s, 1, case_id);
		db_bind_int(s, 2, m->seq);
		db_bind_text(s, 3, m->name);
		db_bind_int(s, 4, clock_now());
		db_bind_text(s, 5, m->source);
		db_bind_text(s, 6, m->ref);
		db_bind_text(s, 7, data);
		free(data);
		if ((rc = db_step(s, err)) < 0)
			return rc;
		n++;
	}
	if (n == 0)
		return 0;
	db_stmt *s = db_prepare(c, "UPDATE cases SET exempted = ?1 WHERE id = ?2", err);
	if (s == NULL)
		return err->code;
	db_bind_int(s, 1, n);
	db_bind_int(s, 2, case_id);
	rc = db_step(s, err);
	return rc < 0 ? rc : 0;
}

json_t *
case_prefill_json(db_conn *c, const struct principal *by, int64_t item_id, struct zt_err *err)
{
	struct autofills *af = xcalloc(1, sizeof(*af));
	char subject[CASE_SUBJECT_MAX], t[11];
	json_t *out = NULL;
	int rc;

	db_stmt *s = db_prepare(c,
				"SELECT dept_id FROM service_items WHERE id = ?1"
				" AND status = 'published'",
				err);
	if (s == NULL)
		goto out;
	db_bind_int(s, 1, item_id);
	rc = db_step(s, err);
	int64_t dept = rc == DB_ROW ? db_col_int(s, 0) : 0;
	db_reset(s);
	if (rc != DB_ROW) {
		if (rc >= 0)
			err_set(err, ZT_ENOTFOUND, "", "not_found", "no such service item");
		goto out;
	}
	if (case_applicant_subject(c, by->user_id, subject, err) < 0 ||
	    autofill_prepare(c, item_id, subject, af, err) < 0)
		goto out;
	clock_today(t);
	out = json_array();
	for (int i = 0; i < af->n; i++) {
		struct autofill *m = &af->a[i];
		if (m->source) {
			const char *label =
			    json_string_value(json_object_get(m->data, "type_name"));
			json_array_append_new(out,
					      json_pack("{s:i, s:s, s:s, s:s, s:s}", "seq", m->seq,
							"name", m->name, "source", "license", "ref",
							m->ref, "label", label ? label : ""));
			continue;
		}
		if (*m->resource == '\0' || *subject == '\0')
			continue;
		/* Shared data: an active, current grant of the department and a
		 * row about the applicant (nothing is read or recorded here). */
		s = db_prepare(
		    c,
		    "SELECT g.id, r.name FROM data_resources r"
		    " JOIN grants g ON g.resource_id = r.id"
		    " WHERE r.code = ?1 AND g.consumer_dept = ?2 AND g.status = 'active'"
		    " AND g.valid_from <= ?3 AND g.valid_to >= ?3 AND EXISTS (SELECT 1"
		    " FROM resource_rows rr WHERE rr.resource_id = r.id AND rr.subject = ?4)"
		    " ORDER BY g.id DESC LIMIT 1",
		    err);
		if (s == NULL) {
			json_decref(out);
			out = NULL;
			goto out;
		}
		db_bind_text(s, 1, m->resource);
		db_bind_int(s, 2, dept);
		db_bind_text(s, 3, t);
		db_bind_text(s, 4, subject);
		if ((rc = db_step(s, err)) == DB_ROW) {
			char ref[40];
			snprintf(ref, sizeof(ref), "grant:%lld", (long long)db_col_int(s, 0));
			json_array_append_new(out,
					      json_pack("{s:i, s:s, s:s, s:s, s:s}", "seq", m->seq,
							"name", m->name, "source", "share", "ref",
							ref, "label", db_col_text(s, 1)));
		}
		db_reset(s);
		if (rc < 0) {
			json_decref(out);
			out = NULL;
			goto out;
		}
	}
out:
	autofills_free(af);
	free(af);
	return out;
}

/* ---- submission ---- */

struct submit_job {
	const struct principal *by;
	const struct case_submit_in *in;
	const struct case_fed_in *fed; /* NULL = a local application */
	int64_t id;
	int replayed;
	char fingerprint[SM3_HEX_LEN];
	struct autofills fills; /* reset by every run of the job */
};

/* SM3 of the request's meaning, so a retried Idempotency-Key can be told
 * from the same key reused for a different application. */
static void
fingerprint(const struct case_submit_in *in, char out[SM3_HEX_LEN])
{
	json_t *m = json_array(), *all;
	char *text;

	for (int i = 0; i < in->nmaterials; i++)
		json_array_append_new(m, json_pack("[i, s, s]", in->materials[i].seq,
						   in->materials[i].name, in->materials[i].file));
	all = json_pack("{s:s, s:O, s:o}", "item", in->item_code, "form", in->form, "materials", m);
	text = json_dumps(all, JSON_COMPACT | JSON_SORT_KEYS);
	sm3_hex(text, strlen(text), out);
	free(text);
	json_decref(all);
}

static int
tx_submit(db_conn *c, void *arg, struct zt_err *err)
{
	struct submit_job *j = arg;
	const struct case_submit_in *in = j->in;
	struct service_ref item;
	struct case_row r;
	char region[8] = "", no[40], ymd[11];
	int rc;

	if (in->idem_key) {
		db_stmt *s = db_prepare(
		    c, "SELECT id, idem_hash FROM cases WHERE applicant_id = ?1 AND idem_key = ?2",
		    err);
		if (s == NULL)
			return err->code;
		db_bind_int(s, 1, j->by->user_id);
		db_bind_text(s, 2, in->idem_key);
		rc = db_step(s, err);
		int same = 1;
		if (rc == DB_ROW) {
			j->id = db_col_int(s, 0);
			j->replayed = 1;
			same =
			    !db_col_isnull(s, 1) && strcmp(db_col_text(s, 1), j->fingerprint) == 0;
		}
		db_reset(s);
		if (!same)
			return err_set(err, ZT_ERULE, "Idempotency-Key", "key_reused",
				       "this Idempotency-Key was already used for a different "
				       "application");
		if (rc != DB_DONE)
			return rc < 0 ? rc : 0;
	}
	if ((rc = service_ref_by_code(c, in->item_code, &item, err)) < 0)
		return rc;
	if (strcmp(item.status, "published") != 0)
		return err_set(err, ZT_ERULE, "item_code", "not_published",
			       "the item %s is not open for applications", in->item_code);
	if (item.depth < 3)
		return err_set(err, ZT_ERULE, "item_code", "not_online",
			       "the item %s is handled at the window only (online depth %d)",
			       in->item_code, item.depth);
	if ((strcmp(item.target, "citizen") == 0 && j->by->kind != KIND_CITIZEN) ||
	    (strcmp(item.target, "enterprise") == 0 && j->by->kind != KIND_ENTERPRISE))
		return err_set(err, ZT_ERULE, "item_code", "wrong_applicant",
			       "this item is for %s applicants", item.target);
	char subject[CASE_SUBJECT_MAX];
	int filled[CASE_MAX_MATERIALS], nfilled;
	if ((rc = case_applicant_subject(c, j->by->user_id, subject, err)) < 0)
		return rc;
	if ((rc = autofill_prepare(c, item.id, subject, &j->fills, err)) < 0)
		return rc;
	/* Checked before the case is written, counting what a grant may still
	 * fill; checked again below if a grant did not. */
	nfilled = autofill_seqs(&j->fills, 1, filled);
	if ((rc = check_required(c, item.id, in->materials, in->nmaterials, filled, nfilled, err)) <
	    0)
		return rc;

	int64_t now = clock_now();
	int32_t today = date_of_time(now);
	memset(&r, 0, sizeof(r));
	snprintf(r.state, sizeof(r.state), "submitted");
	snprintf(r.phase, sizeof(r.phase), "acceptance");
	r.promised_days = item.promised_days;
	set_clock(&r, today, cfg.accept_days);

	const struct case_fed_in *fed = j->fed;
	/* ID numbers and phones inside the form are stored encrypted. */
	char *form = fieldenc_seal_json(in->form, NULL);
	char *checked = fed && fed->checked ? json_dumps(fed->checked, JSON_COMPACT) : NULL;
	db_stmt *s =
	    db_prepare(c,
		       "INSERT INTO cases (item_id, dept_id, applicant_id, state, form,"
		       " submitted_at, promised_days, phase, clock_start, clock_limit,"
		       " due_day, due_at, warn_at, updated_at, idem_key, idem_hash, channel,"
		       " fed_origin, fed_ref, fed_mode, fed_checked)"
		       " VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?6,?14,?15,?16,"
		       "?17,?18,?19,?20) RETURNING id",
		       err);
	if (s == NULL) {
		free(form);
		free(checked);
		return err->code;
	}
	db_bind_int(s, 1, item.id);
	db_bind_int(s, 2, item.dept_id);
	db_bind_int(s, 3, j->by->user_id);
	db_bind_text(s, 4, r.state);
	db_bind_text(s, 5, form);
	db_bind_int(s, 6, now);
	db_bind_int(s, 7, r.promised_days);
	db_bind_text(s, 8, r.phase);
	db_bind_int(s, 9, r.clock_start);
	db_bind_int(s, 10, r.clock_limit);
	db_bind_int(s, 11, r.due_day);
	db_bind_int(s, 12, r.due_at);
	db_bind_int(s, 13, r.warn_at);
	db_bind_text(s, 14, in->idem_key);
	db_bind_text(s, 15, in->idem_key ? j->fingerprint : NULL);
	db_bind_text(s, 16, in->channel ? in->channel : "web");
	db_bind_text(s, 17, fed ? fed->origin : NULL);
	db_bind_text(s, 18, fed ? fed->ref : NULL);
	db_bind_text(s, 19, fed ? fed->mode : NULL);
	db_bind_text(s, 20, checked);
	free(form);
	free(checked);
	rc = db_step_id(s, &j->id, err);
	if (rc < 0)
		return rc;

	/* 办件编号: region of the department + date + sequence. */
	s = db_prepare(c, "SELECT region_code FROM departments WHERE id = ?1", err);
	if (s == NULL)
		return err->code;
	db_bind_int(s, 1, item.dept_id);
	if (db_step(s, err) == DB_ROW)
		snprintf(region, sizeof(region), "%s", db_col_text(s, 0));
	db_reset(s);
	date_format(today, ymd);
	snprintf(no, sizeof(no), "%s%.4s%.2s%.2s%06lld", region, ymd, ymd + 5, ymd + 8,
		 (long long)j->id);
	s = db_prepare(c, "UPDATE cases SET case_no = ?1 WHERE id = ?2", err);
	if (s == NULL)
		return err->code;
	db_bind_text(s, 1, no);
	db_bind_int(s, 2, j->id);
	if ((rc = db_step(s, err)) < 0)
		return rc;
	if ((rc = autofill_share(c, &j->fills, item.dept_id, subject, j->by->user_id, no, err)) < 0)
		return rc;
	if (autofill_seqs(&j->fills, 0, filled) != nfilled &&
	    (rc = check_required(c, item.id, in->materials, in->nmaterials, filled,
				 autofill_seqs(&j->fills, 0, filled), err)) < 0)
		return rc;
	if ((rc = autofill_save(c, j->id, &j->fills, err)) < 0)
		return rc;
	if ((rc = add_materials(c, j->id, j->by->user_id, 1, in->materials, in->nmaterials,
				fed ? fed->origin : NULL, err)) < 0)
		return rc;
	if ((rc = case_add_event(c, j->id, j->by->user_id, "applicant", "submit", NULL, "submitted",
				 NULL, NULL, err)) < 0)
		return rc;
	return audit_case(c, j->by->user_id, "submit", j->id, NULL, "submitted", err);
}

int
case_submit(const struct principal *by, const struct case_submit_in *in, int64_t *case_id,
	    int *replayed, struct zt_err *err)
{
	struct submit_job *j = xcalloc(1, sizeof(*j));
	int rc;

	j->by = by;
	j->in = in;
	if (in->idem_key)
		fingerprint(in, j->fingerprint);
	rc = db_write(tx_submit, j, err);
	if (rc == ZT_ECONFLICT && in->idem_key && strcmp(err->reason, "constraint") == 0) {
		/* Another process committed the same key meanwhile (UNIQUE on
		 * applicant and key): run again, which now replays it. */
		err_clear(err);
		rc = db_write(tx_submit, j, err);
	}
	autofills_free(&j->fills);
	*case_id = j->id;
	*replayed = j->replayed;
	free(j);

	return rc < 0 ? rc : 0;
}

int
case_submit_tx(db_conn *c, const struct principal *by, const struct case_submit_in *in,
	       const struct case_fed_in *fed, int64_t *case_id, struct zt_err *err)
{
	struct submit_job *j = xcalloc(1, sizeof(*j));
	int rc;

	if (in->idem_key) {
		free(j);
		return err_set(err, ZT_EINTERNAL, "Idempotency-Key", "unsupported",
			       "case_submit_tx takes no Idempotency-Key");
	}
	j->by = by;
	j->in = in;
	j->fed = fed;
	rc = tx_submit(c, j, err);
	autofills_free(&j->fills);
	*case_id = j->id;
	free(j);
	return rc < 0 ? rc : 0;
}

/* ---- transitions ---- */

struct act_job {
	const struct principal *by;
	int64_t id;
	const struct case_action_in *in;
};

static int
tx_act(db_conn *c, void *arg, struct zt_err *err)
{
	struct act_job *j = arg;
	const struct case_action_in *in = j->in;
	const struct principal *by = j->by;
	struct case_row r;
	json_t *data = NULL;
	char from[24];
	int rc;

	if ((rc = case_access(c, by, j->id, NULL, NULL, NULL, err)) < 0)
		return rc;
	if ((rc = row_load(c, j->id, &r, err)) < 0)
		return rc;
	unsigned need = case_action_roles(in->action);
	if (need == 0 ? by->user_id != r.applicant_id : !(by->roles & need))
		return err_set(err, ZT_EFORBIDDEN, "", "wrong_role",
			       need == 0 ? "only the applicant may %s" : "your role may not %s",
			       case_action_name(in->action));
	const char *to = case_next_state(r.state, in->action);
	if (to == NULL)
		return err_set(err, ZT_ECONFLICT, "state", "illegal_transition",
			       "cannot %s a case that is %s", case_action_name(in->action),
			       r.state);
	snprintf(from, sizeof(from), "%s", r.state);
	int64_t now = clock_now();
	int32_t today = date_of_time(now);
	const char *ts_sql = NULL; /* stamps the transition's time column */

	switch (in->action) {
	case ACT_ACCEPT:
		snprintf(r.phase, sizeof(r.phase), "decision");
		r.pause_wd = 0;
		set_clock(&r, today, r.promised_days);
		ts_sql = "UPDATE cases SET accepted_at = ?1 WHERE id = ?2";
		break;
	case ACT_NOT_ACCEPT:
	case ACT_APPROVE:
	case ACT_DENY:
		snprintf(r.phase, sizeof(r.phase), "closed");
		ts_sql = "UPDATE cases SET decided_at = ?1 WHERE id = ?2";
		break;
	case ACT_SUPPLEMENT:
		r.paused = 1;
		r.paused_on = today;
		data = json_pack("{s:O}", "missing", in->missing);
		break;
	case ACT_RESUBMIT: {
		int round;
		r.pause_wd += calendar_workdays_between(workcal(), r.paused_on, today);
		r.paused = 0;
		set_clock(&r, r.clock_start, r.clock_limit);
		db_stmt *s = db_prepare(c,
					"SELECT coalesce(max(round), 0) + 1 FROM case_materials"
					" WHERE case_id = ?1",
					err);
		if (s == NULL)
			return err->code;
		db_bind_int(s, 1, r.id);
		round = db_step(s, err) == DB_ROW ? (int)db_col_int(s, 0) : 2;
		db_reset(s);
		if ((rc = add_materials(c, r.id, r.applicant_id, round, in->materials,
					in->nmaterials, in->remote_origin, err)) < 0)
			return rc;
		if (in->form) {
			char *form = fieldenc_seal_json(in->form, NULL);
			s = db_prepare(c, "UPDATE cases SET form = ?1 WHERE id = ?2", err);
			if (s == NULL) {
				free(form);
				return err->code;
			}
			db_bind_text(s, 1, form);
			db_bind_int(s, 2, r.id);
			free(form);
			if ((rc = db_step(s, err)) < 0)
				return rc;
		}
		data = json_pack("{s:i, s:i}", "materials", in->nmaterials, "paused_workdays",
				 r.pause_wd);
		break;
	}
	case ACT_DELIVER:
		ts_sql = "UPDATE cases SET delivered_at = ?1 WHERE id = ?2";
		data = json_pack("{s:s}", "delivery", in->delivery ? in->delivery : "electronic");
		break;
	case ACT__COUNT:
		return err_set(err, ZT_EINVAL, "action", "unknown", "unknown action");
	}
	snprintf(r.state, sizeof(r.state), "%s", to);
	if ((rc = row_save(c, &r, err)) < 0)
		goto out;
	if (ts_sql) {
		db_stmt *s = db_prepare(c, ts_sql, err);
		if (s == NULL) {
			rc = err->code;
			goto out;
		}
		db_bind_int(s, 1, now);
		db_bind_int(s, 2, r.id);
		if ((rc = db_step(s, err)) < 0)
			goto out;
	}
	if ((rc = case_add_event(c, r.id, by->user_id, actor_role(by, need),
				 case_action_name(in->action), from, to, in->comment, data, err)) <
	    0)
		goto out;
	if (in->action == ACT_APPROVE) {
		/* Items that produce an e-license issue it with the approval. */
		char ident[LICID_MAX];
		if ((rc = license_issue_for_case(c, r.id, by->user_id, ident, err)) < 0)
			goto out;
		if (rc == 1) {
			json_t *d = json_pack("{s:s}", "identifier", ident);
			rc = case_add_event(c, r.id, by->user_id, actor_role(by, need),
					    "license_issued", to, to, "", d, err);
			json_decref(d);
			if (rc < 0)
				goto out;
		}
	}
	rc = audit_case(c, by->user_id, case_action_name(in->action), r.id, from, to, err);
out:
	json_decref(data);
	return rc;
}

/* Rules on the input of a transition, before the database is read. */
static int
act_check(const struct case_action_in *in, struct zt_err *err)
{
	if ((in->action == ACT_NOT_ACCEPT || in->action == ACT_DENY) &&
	    (in->comment == NULL || *in->comment == '\0'))
		return err_set(err, ZT_EINVAL, "reason", "required", "a reason is required");
	if (in->action == ACT_SUPPLEMENT &&
	    (in->missing == NULL || json_array_size(in->missing) == 0))
		return err_set(err, ZT_EINVAL, "missing", "required",
			       "list what the applicant must supply");
	if (in->action == ACT_RESUBMIT && in->nmaterials == 0 && in->form == NULL)
		return err_set(err, ZT_EINVAL, "materials", "required",
			       "supply the missing materials or a corrected form");
	return 0;
}

int
case_act(const struct principal *by, int64_t case_id, const struct case_action_in *in,
	 struct zt_err *err)
{
	struct act_job j = {by, case_id, in};
	int rc;

	if ((rc = act_check(in, err)) < 0)
		return rc;
	return db_write(tx_act, &j, err);
}

int
case_act_tx(db_conn *c, const struct principal *by, int64_t case_id,
	    const struct case_action_in *in, struct zt_err *err)
{
	struct act_job j = {by, case_id, in};
	int rc;

	if ((rc = act_check(in, err)) < 0)
		return rc;
	return tx_act(c, &j, err);
}

/* ---- visits ---- */

struct visit_job {
	const struct principal *by;
	int64_t id;
	const char *purpose;
};

static int
tx_visit(db_conn *c, void *arg, struct zt_err *err)
{
	struct visit_job *j = arg;
	struct case_row r;
	char obj[32];
	int rc;

	if ((rc = case_access(c, j->by, j->id, NULL, NULL, NULL, err)) < 0)
		return rc;
	if ((rc = row_load(c, j->id, &r, err)) < 0)
		return rc;
	db_stmt *s = db_prepare(c,
				"INSERT INTO visits (case_id, at, recorded_by, purpose)"
				" VALUES (?1, ?2, ?3, ?4)",
				err);
	if (s == NULL)
		return err->code;
	db_bind_int(s, 1, j->id);
	db_bind_int(s, 2, clock_now());
	db_bind_int(s, 3, j->by->user_id);
	db_bind_text(s, 4, j->purpose);
	if ((rc = db_step(s, err)) < 0)
		return rc;
	r.visits++;
	if ((rc = row_save(c, &r, err)) < 0)
		return rc;
	if ((rc = case_add_event(c, j->id, j->by->user_id, actor_role(j->by, 0), "visit", r.state,
				 r.state, j->purpose, NULL, err)) < 0)
		return rc;
	snprintf(obj, sizeof(obj), "case:%lld", (long long)j->id);
	return audit_append(c, j->by->user_id, "case.visit", obj, NULL, err);
}

int
case_record_visit(const struct principal *by, int64_t case_id, const char *purpose,
		  struct zt_err *err)
{
	struct visit_job j = {by, case_id, purpose};

	if (by->kind != KIND_OFFICIAL)
		return err_set(err, ZT_EFORBIDDEN, "", "wrong_role", "officials record visits");
	return db_write(tx_visit, &j, err);
}

/* ---- views ---- */

static json_t *
time_or_null(db_stmt *s, int col)
{
	return time_json_or_null(db_col_int(s, col), db_col_isnull(s, col));
}

static json_t *
deadline_json(const struct case_row *r, int64_t now)
{
	char due[11];
	const char *timer = case_timer(now, r->phase, r->paused, r->due_at, r->warn_at);
	json_t *o;

	date_format(r->due_day, due);
	o = json_pack("{s:s, s:s, s:i, s:i, s:s}", "timer", timer, "phase", r->phase, "limit_days",
		      r->clock_limit, "paused_workdays", r->pause_wd, "due_date", due);
	if (strcmp(timer, "closed") != 0 && strcmp(timer, "paused") != 0)
		json_object_set_new(o, "remaining_workdays",
				    json_integer(workcal_remaining(now, r->due_day)));
	return o;
}

/* 跨省通办 (docs/federation.md): for a case another node received,
 * {mode, origin_region, origin_name, origin_name_en, ref, checked}; for
 * this node's own part of a joint application it received, {mode:
 * "joint", part: "local", ref, fed_case_id, home_region, home_name,
 * home_name_en}; null for any other case. */
static json_t *
cross_json(db_conn *c, int64_t case_id, struct zt_err *err)
{
	json_t *o = NULL;
	int rc;

	db_stmt *s = db_prepare(c,
				"SELECT c.fed_mode, c.fed_origin, coalesce(r.name, c.fed_origin),"
				" coalesce(r.name_en, c.fed_origin), c.fed_ref, c.fed_checked"
				" FROM cases c LEFT JOIN regions r ON r.code = c.fed_origin"
				" WHERE c.id = ?1 AND c.fed_origin IS NOT NULL",
				err);
	if (s == NULL)
		return NULL;
	db_bind_int(s, 1, case_id);
	if ((rc = db_step(s, err)) == DB_ROW) {
		json_t *checked =
		    db_col_isnull(s, 5) ? NULL : json_loads(db_col_text(s, 5), 0, NULL);
		o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:o}", "mode", db_col_text(s, 0),
			      "origin_region", db_col_text(s, 1), "origin_name", db_col_text(s, 2),
			      "origin_name_en", db_col_text(s, 3), "ref", db_col_text(s, 4),
			      "checked", checked ? checked : json_null());
	}
	db_reset(s);
	if (rc != DB_DONE)
		return rc < 0 ? NULL : o;
	s = db_prepare(c,
		       "SELECT f.id, f.number, f.home_region, coalesce(r.name, f.home_region),"
		       " coalesce(r.name_en, f.home_region) FROM fed_cases f"
		       " LEFT JOIN regions r ON r.code = f.home_region WHERE f.local_case_id = ?1",
		       err);
	if (s == NULL)
		return NULL;
	db_bind_int(s, 1, case_id);
	if ((rc = db_step(s, err)) == DB_ROW)
		o = json_pack("{s:s, s:s, s:s, s:I, s:s, s:s, s:s}", "mode", "joint", "part",
			      "local", "ref", db_col_text(s, 1), "fed_case_id",
			      (json_int_t)db_col_int(s, 0), "home_region", db_col_text(s, 2),
			      "home_name", db_col_text(s, 3), "home_name_en", db_col_text(s, 4));
	db_reset(s);
	return rc < 0 ? NULL : o ? o : json_null();
}

json_t *
case_get_json(db_conn *c, const struct principal *by, int64_t case_id, struct zt_err *err)
{
	struct case_row r;
	int64_t now = clock_now();
	json_t *o = NULL, *a;
	int rc;

	if (case_access(c, by, case_id, NULL, NULL, NULL, err) < 0)
		return NULL;
	if (row_load(c, case_id, &r, err) < 0)
		return NULL;
	db_stmt *s = db_prepare(
	    c,
	    "SELECT c.case_no, c.form, c.submitted_at, c.accepted_at, c.decided_at,"
	    " c.delivered_at, i.id, i.code, i.name, i.max_visits, d.id, d.name, d.name_en,"
	    " u.id, u.name, u.kind, c.exempted, c.channel FROM cases c"
	    " JOIN service_items i ON i.id = "
	    "c.item_id"
	    " JOIN departments d ON d.id = c.dept_id JOIN users u ON u.id = c.applicant_id"
	    " WHERE c.id = ?1",
	    err);
	if (s == NULL)
		return NULL;
	db_bind_int(s, 1, case_id);
	if ((rc = db_step(s, err)) != DB_ROW) {
		db_reset(s);
		return NULL;
	}
	json_t *form = fieldenc_load_json(db_col_text(s, 1), err);
	if (form == NULL) {
		db_reset(s);
		return NULL;
	}
	o = json_pack("{s:I, s:s, s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:{s:I, s:s, s:s, s:I},"
		      " s:{s:I, s:s, s:s}, s:{s:I, s:s, s:s}, s:o, s:{s:i, s:I}}",
		      "id", (json_int_t)case_id, "case_no", db_col_text(s, 0), "state", r.state,
		      "form", form ? form : json_object(), "submitted_at", time_or_null(s, 2),
		      "accepted_at", time_or_null(s, 3), "decided_at", time_or_null(s, 4),
		      "delivered_at", time_or_null(s, 5), "rating", json_null(), "item", "id",
		      (json_int_t)db_col_int(s, 6), "code", db_col_text(s, 7), "name",
		      db_col_text(s, 8), "max_visits", (json_int_t)db_col_int(s, 9), "department",
		      "id", (json_int_t)db_col_int(s, 10), "name", db_col_text(s, 11), "name_en",
		      db_col_text(s, 12), "applicant", "id", (json_int_t)db_col_int(s, 13), "name",
		      db_col_text(s, 14), "kind", db_col_text(s, 15), "deadline",
		      deadline_json(&r, now), "visits", "count", r.visits, "max",
		      (json_int_t)db_col_int(s, 9));
	json_object_set_new(o, "exempted", json_integer(db_col_int(s, 16)));
	json_object_set_new(o, "channel", json_string(db_col_text(s, 17)));
	db_reset(s);
	json_t *cross = cross_json(c, case_id, err);
	if (cross == NULL) {
		json_decref(o);
		return NULL;
	}
	json_object_set_new(o, "cross", cross);

	a = json_array();
	s = db_prepare(c,
		       "SELECT round, material_seq, name, file_hash, size, mime, at, source, ref,"
		       " data FROM case_materials WHERE case_id = ?1 ORDER BY id",
		       err);
	if (s) {
		db_bind_int(s, 1, case_id);
		while (db_step(s, err) == DB_ROW) {
			json_t *m = json_pack("{s:I, s:s, s:s, s:I, s:s, s:o}", "round",
					      (json_int_t)db_col_int(s, 0), "name",
					      db_col_text(s, 2), "file", db_col_text(s, 3), "size",
					      (json_int_t)db_col_int(s, 4), "mime",
					      db_col_text(s, 5), "at", time_or_null(s, 6));
			json_object_set_new(m, "seq",
					    db_col_isnull(s, 1) ? json_null()
								: json_integer(db_col_int(s, 1)));
			/* Once-only: how the material was satisfied, and the
			 * verified data the reviewer sees. */
			int upload = strcmp(db_col_text(s, 7), "upload") == 0;
			json_t *d =
			    db_col_isnull(s, 9) ? NULL : json_loads(db_col_text(s, 9), 0, NULL);
			json_object_set_new(m, "source", json_string(db_col_text(s, 7)));
			json_object_set_new(m, "ref",
					    db_col_isnull(s, 8) ? json_null()
								: json_string(db_col_text(s, 8)));
			json_object_set_new(m, "data", d ? d : json_null());
			if (!upload)
				json_object_set_new(m, "file", json_null());
			json_array_append_new(a, m);
		}
		db_reset(s);
	}
	json_object_set_new(o, "materials", a);

	a = json_array();
	json_t *missing = NULL;
	s = db_prepare(c,
		       "SELECT e.at, e.actor_id, coalesce(u.name, ''), e.actor_role, e.action,"
		       " e.from_state, e.to_state, e.comment, e.data FROM case_events e"
		       " LEFT JOIN users u ON u.id = e.actor_id WHERE e.case_id = ?1 ORDER BY e.id",
		       err);
	if (s) {
		db_bind_int(s, 1, case_id);
		while (db_step(s, err) == DB_ROW) {
			json_t *data =
			    db_col_isnull(s, 8) ? NULL : json_loads(db_col_text(s, 8), 0, NULL);
			json_t *e =
			    json_pack("{s:o, s:{s:s, s:s}, s:s, s:s, s:s}", "at",
				      time_or_null(s, 0), "actor", "name", db_col_text(s, 2),
				      "role", db_col_text(s, 3), "action", db_col_text(s, 4), "to",
				      db_col_text(s, 6), "comment", db_col_text(s, 7));
			json_object_set_new(e, "from",
					    db_col_isnull(s, 5) ? json_null()
								: json_string(db_col_text(s, 5)));
			json_object_set_new(e, "data", data ? data : json_null());
			if (strcmp(db_col_text(s, 4), "supplement") == 0 && data)
				missing = json_object_get(data, "missing");
			json_array_append_new(a, e);
		}
		db_reset(s);
	}
	if (r.paused && missing)
		json_object_set(o, "missing", missing);
	json_object_set_new(o, "history", a);

	s = db_prepare(c, "SELECT stars, comment, at FROM ratings WHERE case_id = ?1", err);
	if (s) {
		db_bind_int(s, 1, case_id);
		if (db_step(s, err) == DB_ROW)
			json_object_set_new(o, "rating",
					    json_pack("{s:I, s:s, s:o}", "stars",
						      (json_int_t)db_col_int(s, 0), "comment",
						      db_col_text(s, 1), "at", time_or_null(s, 2)));
		db_reset(s);
	}
	int can_rate = by->user_id == r.applicant_id && !r.rated &&
		       (strcmp(r.state, "delivered") == 0 || strcmp(r.state, "denied") == 0 ||
			strcmp(r.state, "not_accepted") == 0);
	json_object_set_new(o, "can_rate", json_boolean(can_rate));
	return o;
}

json_t *
case_list_json(db_conn *c, const struct principal *by, const struct case_query *q,
	       struct zt_err *err)
{
	int official = by->kind == KIND_OFFICIAL;
	int64_t now = clock_now(), cur_key = 0, cur_id = 0;
	struct buf sql;

	if (q->cursor) {
		char raw[CURSOR_RAW_MAX], *end = raw;
		int ok = cursor_decode(q->cursor, raw) == 0;
		if (ok) {
			cur_key = strtoll(raw, &end, 10);
			if (*end == ':')
				cur_id = strtoll(end + 1, &end, 10);
		}
		if (!ok || cur_id <= 0 || *end != '\0') {
			err_set(err, ZT_EINVAL, "cursor", "invalid", "invalid cursor");
			return NULL;
		}
	}
	buf_init(&sql);
	buf_puts(&sql, "SELECT * FROM (SELECT " CASE_COLS_C ", c.case_no, i.name AS iname,"
		       " u.name AS uname, ");
	if (official)
		buf_puts(&sql, "CASE WHEN c.phase = 'closed' OR c.paused_on IS NOT NULL"
			       " THEN 9000000000000 ELSE c.due_at END AS k");
	else
		buf_puts(&sql, "-c.id AS k");
	/* 跨省通办 marks: columns 21-25 */
	buf_puts(&sql, ", c.fed_mode, c.fed_origin, (SELECT min(f.number) FROM fed_cases f"
		       " WHERE f.local_case_id = c.id) AS joint_ref, (SELECT r.name FROM regions r"
		       " WHERE r.code = c.fed_origin) AS origin_name, (SELECT r.name_en FROM"
		       " regions r WHERE r.code = c.fed_origin) AS origin_name_en");
	buf_puts(&sql, " FROM cases c JOIN service_items i ON i.id = c.item_id"
		       " JOIN users u ON u.id = c.applicant_id WHERE ");
	buf_puts(&sql, official ? "c.dept_id = ?1" : "c.applicant_id = ?1");
	if (q->state)
		buf_puts(&sql, " AND c.state = ?2");
	if (q->timer) {
		if (strcmp(q->timer, "overdue") == 0)
			buf_puts(&sql, " AND c.phase <> 'closed' AND c.paused_on IS NULL"
				       " AND c.due_at < ?3");
		else if (strcmp(q->timer, "warning") == 0)
			buf_puts(&sql, " AND c.phase <> 'closed' AND c.paused_on IS NULL"
				       " AND c.due_at >= ?3 AND c.warn_at <= ?3");
		else if (strcmp(q->timer, "normal") == 0)
			buf_puts(&sql, " AND c.phase <> 'closed' AND c.paused_on IS NULL"
				       " AND c.warn_at > ?3");
		else if (strcmp(q->timer, "paused") == 0)
			buf_puts(&sql, " AND c.paused_on IS NOT NULL");
		else
			buf_puts(&sql, " AND c.phase = 'closed'");
	}
	buf_puts(&sql, ") t");
	if (q->cursor)
		buf_puts(&sql, " WHERE (k > ?4 OR (k = ?4 AND id > ?5))");
	buf_puts(&sql, " ORDER BY k, id LIMIT ?6");

	db_stmt *s = db_prepare_dyn(c, sql.data, err);
	buf_cleanup(&sql);
	if (s == NULL)
		return NULL;
	db_bind_int(s, 1, official ? by->dept_id : by->user_id);
	if (q->state)
		db_bind_text(s, 2, q->state);
	db_bind_int(s, 3, now);
	db_bind_int(s, 4, cur_key);
	db_bind_int(s, 5, cur_id);
	db_bind_int(s, 6, q->limit + 1);

	json_t *items = json_array();
	int n = 0, more = 0, rc;
	int64_t last_k = 0, last_id = 0;
	while ((rc = db_step(s, err)) == DB_ROW) {
		struct case_row r;
		char t[32];
		if (n == q->limit) {
			more = 1;
			break;
		}
		row_read(s, &r);
		time_format(r.submitted_at, t);
		last_k = db_col_int(s, 20);
		last_id = r.id;
		json_array_append_new(
		    items,
		    json_pack("{s:I, s:s, s:s, s:s, s:s, s:o}", "id", (json_int_t)r.id, "case_no",
			      db_col_text(s, 17), "item_name", db_col_text(s, 18), "state", r.state,
			      "submitted_at", t, "deadline", deadline_json(&r, now)));
		json_t *it = json_array_get(items, json_array_size(items) - 1);
		if (official)
			json_object_set_new(it, "applicant_name", json_string(db_col_text(s, 19)));
		if (!db_col_isnull(s, 22))
			json_object_set_new(
			    it, "cross",
			    json_pack(
				"{s:s, s:s, s:s, s:s}", "mode", db_col_text(s, 21), "origin_region",
				db_col_text(s, 22), "origin_name",
				db_col_isnull(s, 24) ? db_col_text(s, 22) : db_col_text(s, 24),
				"origin_name_en",
				db_col_isnull(s, 25) ? db_col_text(s, 22) : db_col_text(s, 25)));
		else if (!db_col_isnull(s, 23))
			json_object_set_new(it, "cross",
					    json_pack("{s:s, s:s, s:s}", "mode", "joint", "part",
						      "local", "ref", db_col_text(s, 23)));
		else
			json_object_set_new(it, "cross", json_null());
		n++;
	}
	db_reset(s);
	if (rc < 0) {
		json_decref(items);
		return NULL;
	}
	char raw[CURSOR_RAW_MAX];
	snprintf(raw, sizeof(raw), "%lld:%lld", (long long)last_k, (long long)last_id);
	return page_json(items, more, raw);
}
