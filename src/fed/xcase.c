/* xcase.c - 跨省通办: cross-region cases in three modes (see xcase.h). */
#include "fed/xcase.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/calendar.h"
#include "base/clock.h"
#include "base/jtime.h"
#include "base/ident.h"
#include "base/log.h"
#include "base/page.h"
#include "base/utf8.h"
#include "base/xmalloc.h"
#include "crypto/fieldenc.h"
#include "domain/audit.h"
#include "domain/case.h"
#include "domain/service.h"
#include "fed/client.h"
#include "fed/outbox.h"

/* States of a fed case that mirror the home node's case. */
static const char *const home_states[] = {"submitted",	      "accepted", "not_accepted",
					  "needs_supplement", "approved", "denied",
					  "delivered",	      NULL};

static int
in_list(const char *s, const char *const *list)
{
	for (int i = 0; s && list[i]; i++)
		if (strcmp(s, list[i]) == 0)
			return 1;
	return 0;
}

/* The cross_modes bit of an application mode (0 when unknown). */
static unsigned
mode_bit(const char *mode)
{
	if (strcmp(mode, "full_online") == 0)
		return CROSS_FULL_ONLINE;
	if (strcmp(mode, "proxy") == 0)
		return CROSS_PROXY;
	if (strcmp(mode, "joint") == 0)
		return CROSS_MULTI_SITE;
	return 0;
}

/* Savepoints inside a write job (the writer runs each job in one): a
 * refused message undoes its partial work and the job still commits. */
static int
sp_exec(db_conn *c, const char *sql, struct zt_err *err)
{
	if (db_conn_kind(c) != DB_SQLITE)
		return db_exec(c, sql, err);
	db_stmt *s = db_prepare(c, sql, err);
	if (s == NULL)
		return err->code;
	int rc = db_step(s, err);
	db_reset(s);
	return rc < 0 ? rc : 0;
}

static void
sp_rollback(db_conn *c)
{
	struct zt_err e;

	err_clear(&e);
	if (sp_exec(c, "ROLLBACK TO SAVEPOINT xcase", &e) < 0 ||
	    sp_exec(c, "RELEASE SAVEPOINT xcase", &e) < 0)
		log_warn("cross-region case: savepoint rollback failed: %s", e.msg);
}

/* Errors that are the content's fault: a message causing one is answered
 * (refused), not retried. */
static int
refusable(int rc)
{
	return rc == ZT_EINVAL || rc == ZT_ERULE || rc == ZT_ENOTFOUND || rc == ZT_ECONFLICT ||
	       rc == ZT_EFORBIDDEN;
}

/* A time, or null when 0 (not yet). */
static json_t *
when_json(int64_t t)
{
	return time_json_or_null(t, t == 0);
}

/* ---- the receiving node: fed cases ---- */

struct frow {
	int64_t id, applicant_id, dept_id, local_case_id, clerk_id;
	char number[XCASE_NO_MAX];
	char mode[16], state[24], home_region[8], item_code[64];
	char applicant_id_no[CASE_SUBJECT_MAX]; /* blind index */
};

static int
frow_load(db_conn *c, int64_t id, struct frow *f, struct zt_err *err)
{
	db_stmt *s = db_prepare(c,
				"SELECT id, coalesce(applicant_id, 0), coalesce(dept_id, 0),"
				" coalesce(local_case_id, 0), coalesce(clerk_id, 0), number, mode,"
				" state, home_region, item_code, applicant_id_no FROM fed_cases"
				" WHERE id = ?1",
				err);
	if (s == NULL)
		return err->code;
	db_bind_int(s, 1, id);
	int rc = db_step(s, err);
	if (rc == DB_ROW) {
		f->id = db_col_int(s, 0);
		f->applicant_id = db_col_int(s, 1);
		f->dept_id = db_col_int(s, 2);
		f->local_case_id = db_col_int(s, 3);
		f->clerk_id = db_col_int(s, 4);
		snprintf(f->number, sizeof(f->number), "%s", db_col_text(s, 5));
		snprintf(f->mode, sizeof(f->mode), "%s", db_col_text(s, 6));
		snprintf(f->state, sizeof(f->state), "%s", db_col_text(s, 7));
		snprintf(f->home_region, sizeof(f->home_region), "%s", db_col_text(s, 8));
		snprintf(f->item_code, sizeof(f->item_code), "%s", db_col_text(s, 9));
		snprintf(f->applicant_id_no, sizeof(f->applicant_id_no), "%s", db_col_text(s, 10));
	}
	db_reset(s);
	if (rc < 0)
		return rc;
	return rc == DB_ROW ? 0
			    : err_set(err, ZT_ENOTFOUND, "", "not_found",
				      "no such cross-region application");
}

/* The department of a case (0 when none). */
static int64_t
case_dept(db_conn *c, int64_t case_id, struct zt_err *err)
{
	db_stmt *s = db_prepare(c, "SELECT dept_id FROM cases WHERE id = ?1", err);
	if (s == NULL)
		return err->code;
	db_bind_int(s, 1, case_id);
	int rc = db_step(s, err);
	int64_t d = rc == DB_ROW ? db_col_int(s, 0) : 0;
	db_reset(s);
	return rc < 0 ? rc : d;
}

enum { MAY_READ, MAY_APPLICANT, MAY_CLERK };

/* Who may see or act on f: MAY_READ anyone allowed to read it (see
 * xcase_get_json), MAY_APPLICANT its applicant, MAY_CLERK a clerk of the
 * department that registered a proxy application. */
static int
frow_may(db_conn *c, const struct principal *by, const struct frow *f, int what, struct zt_err *err)
{
	int rc;

	if (by->kind == KIND_CITIZEN || by->kind == KIND_ENTERPRISE) {
		char mine[CASE_SUBJECT_MAX];
		if ((rc = case_applicant_subject(c, by->user_id, mine, err)) < 0)
			return rc;
		int own = f->applicant_id == by->user_id ||
			  (*mine && strcmp(mine, f->applicant_id_no) == 0);
		if (!own)
			return err_set(err, ZT_ENOTFOUND, "", "not_found",
				       "no such cross-region application");
		if (what == MAY_CLERK)
			return err_set(err, ZT_EFORBIDDEN, "", "wrong_role",
				       "the window's clerk does this");
		return 0;
	}
	if (by->kind != KIND_OFFICIAL)
		return err_set(err, ZT_ENOTFOUND, "", "not_found",
			       "no such cross-region application");
	unsigned readers = ROLE_CLERK | ROLE_REVIEWER | ROLE_DEPT_ADMIN | ROLE_SUPERVISOR;
	int dept = strcmp(f->mode, "proxy") == 0 && f->dept_id == by->dept_id;
	if (!dept && f->local_case_id && what == MAY_READ) {
		int64_t d = case_dept(c, f->local_case_id, err);
		if (d < 0)
			return (int)d;
		dept = d == by->dept_id;
	}
	if (!dept || !(by->roles & readers))
		return err_set(err, ZT_ENOTFOUND, "", "not_found",
			       "no such cross-region application");
	if (what == MAY_APPLICANT)
		return err_set(err, ZT_EFORBIDDEN, "", "wrong_role",
			       "only the applicant may do this");
	if (what == MAY_CLERK && !(by->roles & ROLE_CLERK))
		return err_set(err, ZT_EFORBIDDEN, "", "wrong_role", "your role may not do this");
	return 0;
}

/* Appends to a fed case's history. home_event_id 0 = an event of R. */
static int
add_event(db_conn *c, int64_t fed_id, int64_t at, const char *source, const char *actor,
	  const char *role, const char *action, const char *from, const char *to,
	  const char *comment, int64_t home_event_id, struct zt_err *err)
{
	db_stmt *s = db_prepare(c,
				"INSERT INTO fed_case_events (fed_case_id, at, source, actor, role,"
				" action, from_state, to_state, comment, home_event_id)"
				" VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10) ON CONFLICT DO NOTHING",
				err);
	if (s == NULL)
		return err->code;
	db_bind_int(s, 1, fed_id);
	db_bind_int(s, 2, at);
	db_bind_text(s, 3, source);
	db_bind_text(s, 4, actor ? actor : "");
	db_bind_text(s, 5, role ? role : "");
	db_bind_text(s, 6, action);
	db_bind_text(s, 7, from);
	db_bind_text(s, 8, to);
	db_bind_text(s, 9, comment ? comment : "");
	if (home_event_id)
		db_bind_int(s, 10, home_event_id);
	else
		db_bind_null(s, 10);
	int rc = db_step(s, err);
	db_reset(s);
	return rc < 0 ? rc : 0;
}

static int
set_state(db_conn *c, int64_t fed_id, const char *state, struct zt_err *err)
{
	db_stmt *s =
	    db_prepare(c, "UPDATE fed_cases SET state = ?2, updated_at = ?3 WHERE id = ?1", err);
	if (s == NULL)
		return err->code;
	db_bind_int(s, 1, fed_id);
	db_bind_text(s, 2, state);
	db_bind_int(s, 3, clock_now());
	int rc = db_step(s, err);
	db_reset(s);
	return rc < 0 ? rc : 0;
}

static int
audit_fed(db_conn *c, int64_t actor, const char *action, int64_t fed_id, json_t *data,
	  struct zt_err *err)
{
	char obj[40];

	snprintf(obj, sizeof(obj), "fed_case:%lld", (long long)fed_id);
	return audit_append(c, actor, action, obj, data, err);
}

/* Fills size and mime of each material from the files owner uploaded;
 * ZT_ERULE naming "<prefix>[i].file" for a file they did not upload. */
static int
load_files(db_conn *c, int64_t owner, struct case_material_in *m, int n, const char *prefix,
	   struct zt_err *err)
{
	for (int i = 0; i < n; i++) {
		db_stmt *s = db_prepare(
		    c, "SELECT size, mime FROM files WHERE hash = ?1 AND owner_id = ?2", err);
		if (s == NULL)
			return err->code;
		db_bind_text(s, 1, m[i].file);
		db_bind_int(s, 2, owner);
		int rc = db_step(s, err);
		char mime[64] = "";
		if (rc == DB_ROW) {
			m[i].size = db_col_int(s, 0);
			snprintf(mime, sizeof(mime), "%s", db_col_text(s, 1));
		}
		db_reset(s);
		if (rc < 0)
			return rc;
		if (rc != DB_ROW) {
			char field[48];
			snprintf(field, sizeof(field), "%s[%d].file", prefix, i);
			return err_set(err, ZT_ERULE, field, "unknown_file",
				       "no uploaded file of yours has this id; upload it first");
		}
		/* A static string per type the upload accepts (files.h). */
		m[i].mime = strcmp(mime, "application/pdf") == 0 ? "application/pdf"
			    : strcmp(mime, "image/jpeg") == 0	 ? "image/jpeg"
			    : strcmp(mime, "image/png") == 0	 ? "image/png"
								 : "application/ofd";
	}
	return 0;
}

static json_t *
materials_json(const struct case_material_in *m, int n, int round)
{
	json_t *a = json_array();

	for (int i = 0; i < n; i++) {
		json_t *o =
		    json_pack("{s:s, s:s, s:I, s:s, s:i}", "name", m[i].name, "file", m[i].file,
			      "size", (json_int_t)m[i].size, "mime",
			      m[i].mime ? m[i].mime : "application/octet-stream", "round", round);
		json_object_set_new(o, "seq", m[i].seq ? json_integer(m[i].seq) : json_null());
		json_array_append_new(a, o);
	}
	return a;
}

/* The case.submit message of fed case id (its first-round materials). */
static int
queue_submit(db_conn *c, int64_t id, json_t *checked, struct zt_err *err)
{
	db_stmt *s =
	    db_prepare(c,
		       "SELECT number, mode, home_region, item_code, applicant_kind,"
		       " applicant_name, applicant_id_no_enc, applicant_phone, form, materials"
		       " FROM fed_cases WHERE id = ?1",
		       err);
	if (s == NULL)
		return err->code;
	db_bind_int(s, 1, id);
	int rc = db_step(s, err);
	if (rc != DB_ROW) {
		db_reset(s);
		return rc < 0 ? rc : err_set(err, ZT_ENOTFOUND, "", "not_found", "no such case");
	}
	char home[8];
	snprintf(home, sizeof(home), "%s", db_col_text(s, 2));
	/* The applicant's ID number and phone are stored encrypted. */
	char *idno = fieldenc_open_str(db_col_text(s, 6), err);
	char *phone = fieldenc_open_str(db_col_text(s, 7), err);
	if (idno == NULL || (phone == NULL && !db_col_isnull(s, 7))) {
		db_reset(s);
		free(idno);
		free(phone);
		return ZT_EINTERNAL;
	}
	json_t *form = fieldenc_load_json(db_col_text(s, 8), err);
	if (form == NULL) {
		db_reset(s);
		free(idno);
		free(phone);
		return ZT_EINTERNAL;
	}
	json_t *mats = json_loads(db_col_text(s, 9), 0, NULL);
	json_t *p =
	    json_pack("{s:s, s:s, s:s, s:{s:s, s:s, s:s, s:s?}, s:o, s:o, s:O?}", "ref",
		      db_col_text(s, 0), "mode", db_col_text(s, 1), "item_code", db_col_text(s, 3),
		      "applicant", "kind", db_col_text(s, 4), "name", db_col_text(s, 5), "id_no",
		      idno, "phone", phone, "form", form ? form : json_object(), "materials",
		      mats ? mats : json_array(), "checked", checked);
	db_reset(s);
	free(idno);
	free(phone);
	rc = outbox_enqueue(c, home, "case.submit", p, NULL, err);
	json_decref(p);
	return rc;
}

/* What the home node says of an item before the application is sent. */
struct item_hint {
	int known; /* the home node answered with the item */
	char name[256], dept[256], dept_en[256];
	unsigned cross;
};

/* Best effort: asks the home node for its published item (the catalog's
 * signed POST /api/v1/fed/catalog/item, docs/federation.md). Only a 200
 * answer counts; anything else (the node down, an unknown item) leaves the
 * decision to the home node when case.submit arrives. */
static void
item_lookup(const char *home, const char *code, struct item_hint *out)
{
	json_t *body = json_pack("{s:s}", "code", code), *a = NULL;
	struct zt_err e;
	long status = 0;

	memset(out, 0, sizeof(*out));
	err_clear(&e);
	if (fed_call(home, "POST", "/api/v1/fed/catalog/item", body, &status, &a, &e) == 0 &&
	    status == 200 && json_is_object(a) && json_is_string(json_object_get(a, "name"))) {
		json_t *d = json_object_get(a, "department");
		const char *dn = json_string_value(json_object_get(d, "name"));
		const char *de = json_string_value(json_object_get(d, "name_en"));
		size_t i;
		json_t *m;
		out->known = 1;
		snprintf(out->name, sizeof(out->name), "%s",
			 json_string_value(json_object_get(a, "name")));
		snprintf(out->dept, sizeof(out->dept), "%s", dn ? dn : "");
		snprintf(out->dept_en, sizeof(out->dept_en), "%s", de ? de : "");
		json_array_foreach(json_object_get(a, "cross_modes"), i, m)
		{
			const char *n = json_string_value(m);
			out->cross |= n == NULL			      ? 0
				      : strcmp(n, "full_online") == 0 ? CROSS_FULL_ONLINE
				      : strcmp(n, "proxy") == 0	      ? CROSS_PROXY
				      : strcmp(n, "multi_site") == 0  ? CROSS_MULTI_SITE
								      : 0;
		}
	}
	json_decref(body);
	json_decref(a);
}

struct create_job {
	const struct principal *by;
	const struct xcase_in *in;
	const struct item_hint *hint;
	const char *self;
	struct case_material_in m[CASE_MAX_MATERIALS];
	int64_t id;
};

/* Names a field of the local part of a joint application as the request
 * did: item_code -> local_item_code, materials[...] -> local_materials[...]. */
static void
local_field(struct zt_err *err)
{
	char f[ZT_ERR_FIELD_MAX];

	if (strcmp(err->field, "item_code") == 0 || strncmp(err->field, "materials", 9) == 0) {
		snprintf(f, sizeof(f), "local_%s", err->field);
		snprintf(err->field, sizeof(err->field), "%s", f);
	}
}

static int
tx_create(db_conn *c, void *arg, struct zt_err *err)
{
	struct create_job *j = arg;
	const struct xcase_in *in = j->in;
	const struct principal *by = j->by;
	int proxy = strcmp(in->mode, "proxy") == 0, joint = strcmp(in->mode, "joint") == 0;
	char kind[16] = "citizen", name[128] = "", idno[32] = "", phone[32] = "";
	int64_t applicant = 0, local_id = 0, now = clock_now();
	int rc;

	if (*j->self == '\0')
		return err_set(err, ZT_ERULE, "home_region", "not_federated",
			       "this node is not part of a federation (zhengtong node init)");
	if (strcmp(in->home_region, j->self) == 0)
		return err_set(err, ZT_ERULE, "home_region", "own_region",
			       "the item belongs to this node: apply for it directly");
	db_stmt *s = db_prepare(
	    c, "SELECT 1 FROM fed_nodes WHERE region_code = ?1 AND status = 'active'", err);
	if (s == NULL)
		return err->code;
	db_bind_text(s, 1, in->home_region);
	rc = db_step(s, err);
	db_reset(s);
	if (rc < 0)
		return rc;
	if (rc != DB_ROW)
		return err_set(err, ZT_ERULE, "home_region", "unknown_node",
			       "no active node of region %s is known", in->home_region);

	/* The applicant: the caller, or the person at the window (proxy). */
	if (proxy) {
		snprintf(kind, sizeof(kind), "%s",
			 in->applicant_kind ? in->applicant_kind : "citizen");
		snprintf(name, sizeof(name), "%s", in->applicant_name);
		snprintf(idno, sizeof(idno), "%s", in->applicant_id_no);
		snprintf(phone, sizeof(phone), "%s",
			 in->applicant_phone ? in->applicant_phone : "");
		char idx[FIELDENC_IDX_LEN];
		fieldenc_index(idno, idx);
		s = db_prepare(c,
			       "SELECT id FROM users WHERE kind = ?1 AND (id_number = ?2"
			       " OR credit_code = ?3)",
			       err);
		if (s == NULL)
			return err->code;
		db_bind_text(s, 1, kind);
		db_bind_text(s, 2, idx);
		db_bind_text(s, 3, idno);
		rc = db_step(s, err);
		applicant = rc == DB_ROW ? db_col_int(s, 0) : 0;
		db_reset(s);
		if (rc < 0)
			return rc;
	} else {
		s = db_prepare(c,
			       "SELECT kind, name, CASE WHEN kind = 'enterprise' THEN credit_code"
			       " ELSE id_number_enc END, phone FROM users WHERE id = ?1",
			       err);
		if (s == NULL)
			return err->code;
		db_bind_int(s, 1, by->user_id);
		if ((rc = db_step(s, err)) == DB_ROW) {
			snprintf(kind, sizeof(kind), "%s", db_col_text(s, 0));
			snprintf(name, sizeof(name), "%s", db_col_text(s, 1));
			char *id = fieldenc_open_str(db_col_text(s, 2), err);
			char *ph = fieldenc_open_str(db_col_text(s, 3), err);
			snprintf(idno, sizeof(idno), "%s", id ? id : "");
			snprintf(phone, sizeof(phone), "%s", ph ? ph : "");
			free(id);
			free(ph);
		}
		db_reset(s);
		if (rc < 0)
			return rc;
		if (*idno == '\0')
			return err_set(err, ZT_ERULE, "", "no_identity",
				       "your account has no ID number or credit code");
		applicant = by->user_id;
	}
	memcpy(j->m, in->materials, sizeof(j->m[0]) * (size_t)in->nmaterials);
	if ((rc = load_files(c, by->user_id, j->m, in->nmaterials, "materials", err)) < 0)
		return rc;

	/* Joint: this node's own part is a local case, submitted first. */
	if (joint) {
		struct case_submit_in li;
		s = db_prepare(c, "SELECT cross_modes FROM service_items WHERE code = ?1", err);
		if (s == NULL)
			return err->code;
		db_bind_text(s, 1, in->local_item_code);
		rc = db_step(s, err);
		unsigned modes = rc == DB_ROW ? (unsigned)db_col_int(s, 0) : 0;
		db_reset(s);
		if (rc < 0)
			return rc;
		if (rc == DB_ROW && !(modes & CROSS_MULTI_SITE))
			return err_set(err, ZT_ERULE, "local_item_code", "mode_not_offered",
				       "the item %s is not offered for joint handling (多地联办)",
				       in->local_item_code);
		memset(&li, 0, sizeof(li));
		li.item_code = in->local_item_code;
		li.form = in->form;
		memcpy(li.materials, in->local_materials,
		       sizeof(li.materials[0]) * (size_t)in->nlocal);
		li.nmaterials = in->nlocal;
		li.channel = "web";
		if ((rc = case_submit_tx(c, by, &li, NULL, &local_id, err)) < 0) {
			local_field(err);
			return rc;
		}
	}

	const char *state = proxy ? "received" : "forwarded";
	char *form = fieldenc_seal_json(in->form, NULL); /* sealed at rest */
	json_t *mj = materials_json(j->m, in->nmaterials, 1);
	char *mats = json_dumps(mj, JSON_COMPACT);
	json_decref(mj);
	s = db_prepare(
	    c,
	    "INSERT INTO fed_cases (mode, home_region, item_code, applicant_id,"
	    " applicant_kind, applicant_name, applicant_id_no, applicant_phone, form,"
	    " materials, state, local_case_id, dept_id, clerk_id, created_at, updated_at,"
	    " item_name, dept_name, dept_name_en, applicant_id_no_enc)"
	    " VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?15,?16,?17,?18,?19)"
	    " RETURNING id",
	    err);
	if (s == NULL) {
		free(form);
		free(mats);
		return err->code;
	}
	db_bind_text(s, 1, in->mode);
	db_bind_text(s, 2, in->home_region);
	db_bind_text(s, 3, in->item_code);
	if (applicant)
		db_bind_int(s, 4, applicant);
	else
		db_bind_null(s, 4);
	db_bind_text(s, 5, kind);
	db_bind_text(s, 6, name);
	char idx[FIELDENC_IDX_LEN];
	fieldenc_index(idno, idx);
	char *eid = fieldenc_encrypt_str(idno),
	     *ephone = *phone ? fieldenc_encrypt_str(phone) : NULL;
	db_bind_text(s, 7, idx);
	db_bind_text(s, 8, ephone);
	db_bind_text(s, 19, eid);
	free(eid);
	free(ephone);
	db_bind_text(s, 9, form);
	db_bind_text(s, 10, mats);
	db_bind_text(s, 11, state);
	if (local_id)
		db_bind_int(s, 12, local_id);
	else
		db_bind_null(s, 12);
	if (proxy) {
		db_bind_int(s, 13, by->dept_id);
		db_bind_int(s, 14, by->user_id);
	} else {
		db_bind_null(s, 13);
		db_bind_null(s, 14);
	}
	db_bind_int(s, 15, now);
	db_bind_text(s, 16, j->hint->name);
	db_bind_text(s, 17, j->hint->dept);
	db_bind_text(s, 18, j->hint->dept_en);
	rc = db_step_id(s, &j->id, err);
	free(form);
	free(mats);
	if (rc < 0)
		return rc;

	/* 跨省通办编号: KS + this node's region + date + sequence. */
	char no[XCASE_NO_MAX], ymd[11];
	date_format(date_of_time(now), ymd);
	snprintf(no, sizeof(no), "KS%s%.4s%.2s%.2s%06lld", j->self, ymd, ymd + 5, ymd + 8,
		 (long long)j->id);
	s = db_prepare(c, "UPDATE fed_cases SET number = ?1 WHERE id = ?2", err);
	if (s == NULL)
		return err->code;
	db_bind_text(s, 1, no);
	db_bind_int(s, 2, j->id);
	rc = db_step(s, err);
	db_reset(s);
	if (rc < 0)
		return rc;
	if ((rc = add_event(c, j->id, now, j->self, by->name, proxy ? "clerk" : "applicant",
			    proxy ? "register" : "submit", NULL, state, NULL, 0, err)) < 0)
		return rc;
	if (!proxy && (rc = queue_submit(c, j->id, NULL, err)) < 0)
		return rc;
	json_t *d = json_pack("{s:s, s:s, s:s, s:s}", "number", no, "mode", in->mode, "home_region",
			      in->home_region, "item_code", in->item_code);
	if (local_id)
		json_object_set_new(d, "local_case_id", json_integer(local_id));
	rc = audit_fed(c, by->user_id, "fed_case.create", j->id, d, err);
	json_decref(d);
	return rc;
}

int
xcase_create(const struct principal *by, const struct xcase_in *in, int64_t *id, struct zt_err *err)
{
	int proxy = strcmp(in->mode, "proxy") == 0;
	int rc;

	if (proxy ? !principal_has_role(by, ROLE_CLERK)
		  : by->kind != KIND_CITIZEN && by->kind != KIND_ENTERPRISE)
		return err_set(err, ZT_EFORBIDDEN, "mode", "wrong_role",
			       proxy ? "a clerk registers applications at the window (proxy)"
				     : "applicants apply themselves (full_online, joint)");
	/* The home node, when it answers, refuses a mode it does not offer at
	 * once, and names the item and department meanwhile. */
	struct item_hint hint;
	const char *self = fed_self();
	if (*self && strcmp(in->home_region, self) != 0)
		item_lookup(in->home_region, in->item_code, &hint);
	else
		memset(&hint, 0, sizeof(hint));
	if (hint.known && !(hint.cross & mode_bit(in->mode)))
		return err_set(err, ZT_ERULE, "item_code", "mode_not_offered",
			       "the item %s is not offered for %s", in->item_code, in->mode);
	struct create_job *j = xcalloc(1, sizeof(*j));
	j->by = by;
	j->in = in;
	j->hint = &hint;
	j->self = self;
	rc = db_write(tx_create, j, err);
	*id = j->id;
	free(j);
	return rc < 0 ? rc : 0;
}

struct review_job {
	const struct principal *by;
	int64_t id;
	int pass;
	const char *note;
	const char *self;
};

static int
tx_review(db_conn *c, void *arg, struct zt_err *err)
{
	struct review_job *j = arg;
	struct frow f;
	int rc;

	if ((rc = frow_load(c, j->id, &f, err)) < 0)
		return rc;
	if ((rc = frow_may(c, j->by, &f, MAY_CLERK, err)) < 0)
		return rc;
	if (strcmp(f.mode, "proxy") != 0 || strcmp(f.state, "received") != 0)
		return err_set(err, ZT_ECONFLICT, "state", "illegal_transition",
			       "only a received proxy application is reviewed (this one is %s)",
			       f.state);
	int64_t now = clock_now();
	char at[32];
	time_format(now, at);
	const char *to = j->pass ? "forwarded" : "not_accepted_here";
	json_t *review =
	    json_pack("{s:s, s:s, s:s, s:s, s:s}", "decision", j->pass ? "pass" : "reject", "note",
		      j->note ? j->note : "", "by", j->by->name, "at", at, "region", j->self);
	char *text = json_dumps(review, JSON_COMPACT);
	db_stmt *s = db_prepare(c,
				"UPDATE fed_cases SET state = ?2, review = ?3, updated_at = ?4"
				" WHERE id = ?1",
				err);
	if (s == NULL) {
		free(text);
		json_decref(review);
		return err->code;
	}
	db_bind_int(s, 1, f.id);
	db_bind_text(s, 2, to);
	db_bind_text(s, 3, text);
	db_bind_int(s, 4, now);
	rc = db_step(s, err);
	db_reset(s);
	free(text);
	if (rc >= 0)
		rc = add_event(c, f.id, now, j->self, j->by->name, "clerk",
			       j->pass ? "review_pass" : "review_reject", f.state, to, j->note, 0,
			       err);
	if (rc >= 0 && j->pass)
		rc = queue_submit(c, f.id, review, err);
	if (rc >= 0)
		rc = audit_fed(c, j->by->user_id, "fed_case.review", f.id, review, err);
	json_decref(review);
	return rc < 0 ? rc : 0;
}

int
xcase_review(const struct principal *by, int64_t id, int pass, const char *note, struct zt_err *err)
{
	struct review_job j = {by, id, pass, note, fed_self()};

	if (!pass && (note == NULL || *note == '\0'))
		return err_set(err, ZT_EINVAL, "note", "required",
			       "say why the application is not accepted");
	return db_write(tx_review, &j, err);
}

struct resubmit_job {
	const struct principal *by;
	int64_t id;
	json_t *form;
	struct case_material_in m[CASE_MAX_MATERIALS];
	int n;
	const char *comment;
	const char *self;
};

static int
tx_resubmit(db_conn *c, void *arg, struct zt_err *err)
{
	struct resubmit_job *j = arg;
	struct frow f;
	int rc;

	if ((rc = frow_load(c, j->id, &f, err)) < 0)
		return rc;
	int proxy = strcmp(f.mode, "proxy") == 0;
	if ((rc = frow_may(c, j->by, &f, proxy ? MAY_CLERK : MAY_APPLICANT, err)) < 0)
		return rc;
	if (strcmp(f.state, "needs_supplement") != 0)
		return err_set(err, ZT_ECONFLICT, "state", "illegal_transition",
			       "the home node asks for no supplement (the application is %s)",
			       f.state);
	if ((rc = load_files(c, j->by->user_id, j->m, j->n, "materials", err)) < 0)
		return rc;
	/* The round: one more than the highest of the materials so far. */
	db_stmt *s = db_prepare(c, "SELECT materials, form FROM fed_cases WHERE id = ?1", err);
	if (s == NULL)
		return err->code;
	db_bind_int(s, 1, f.id);
	rc = db_step(s, err);
	json_t *all = rc == DB_ROW ? json_loads(db_col_text(s, 0), 0, NULL) : NULL;
	db_reset(s);
	if (rc < 0) {
		json_decref(all);
		return rc;
	}
	if (all == NULL)
		all = json_array();
	int round = 1;
	size_t i;
	json_t *e;
	json_array_foreach(all, i, e)
	{
		int r = (int)json_integer_value(json_object_get(e, "round"));
		if (r >= round)
			round = r + 1;
	}
	json_t *fresh = materials_json(j->m, j->n, round);
	json_array_extend(all, fresh);
	char *mats = json_dumps(all, JSON_COMPACT);
	char *form = fieldenc_seal_json(j->form, NULL);
	json_decref(all);
	int64_t now = clock_now();
	s = db_prepare(
	    c,
	    "UPDATE fed_cases SET materials = ?2, form = coalesce(?3, form), missing = NULL,"
	    " state = 'submitted', updated_at = ?4 WHERE id = ?1",
	    err);
	if (s == NULL) {
		free(mats);
		free(form);
		json_decref(fresh);
		return err->code;
	}
	db_bind_int(s, 1, f.id);
	db_bind_text(s, 2, mats);
	db_bind_text(s, 3, form);
	db_bind_int(s, 4, now);
	rc = db_step(s, err);
	db_reset(s);
	free(mats);
	free(form);
	if (rc >= 0)
		rc = add_event(c, f.id, now, j->self, j->by->name, proxy ? "clerk" : "applicant",
			       "resubmit", f.state, "submitted", j->comment, 0, err);
	if (rc >= 0) {
		json_t *p = json_pack("{s:s, s:O?, s:O, s:s, s:s}", "ref", f.number, "form",
				      j->form, "materials", fresh, "comment",
				      j->comment ? j->comment : "", "by", j->by->name);
		rc = outbox_enqueue(c, f.home_region, "case.resubmit", p, NULL, err);
		json_decref(p);
	}
	if (rc >= 0) {
		json_t *d = json_pack("{s:i}", "materials", j->n);
		rc = audit_fed(c, j->by->user_id, "fed_case.resubmit", f.id, d, err);
		json_decref(d);
	}
	json_decref(fresh);
	return rc < 0 ? rc : 0;
}

int
xcase_resubmit(const struct principal *by, int64_t id, json_t *form,
	       const struct case_material_in *m, int n, const char *comment, struct zt_err *err)
{
	if (n == 0 && form == NULL)
		return err_set(err, ZT_EINVAL, "materials", "required",
			       "supply the missing materials or a corrected form");
	struct resubmit_job *j = xcalloc(1, sizeof(*j));
	j->by = by;
	j->id = id;
	j->form = form;
	memcpy(j->m, m, sizeof(j->m[0]) * (size_t)n);
	j->n = n;
	j->comment = comment;
	j->self = fed_self();
	int rc = db_write(tx_resubmit, j, err);
	free(j);
	return rc;
}

struct deliver_job {
	const struct principal *by;
	int64_t id;
	const char *comment;
	const char *self;
};

static int
tx_deliver(db_conn *c, void *arg, struct zt_err *err)
{
	struct deliver_job *j = arg;
	struct frow f;
	int rc;

	if ((rc = frow_load(c, j->id, &f, err)) < 0)
		return rc;
	if ((rc = frow_may(c, j->by, &f, MAY_CLERK, err)) < 0)
		return rc;
	if (strcmp(f.mode, "proxy") != 0 || strcmp(f.state, "approved") != 0)
		return err_set(err, ZT_ECONFLICT, "state", "illegal_transition",
			       "only an approved proxy application is handed over (this one is %s)",
			       f.state);
	int64_t now = clock_now();
	if ((rc = set_state(c, f.id, "delivered", err)) < 0 ||
	    (rc = add_event(c, f.id, now, j->self, j->by->name, "clerk", "deliver", f.state,
			    "delivered", j->comment, 0, err)) < 0)
		return rc;
	json_t *p = json_pack("{s:s, s:s, s:s}", "ref", f.number, "by", j->by->name, "comment",
			      j->comment ? j->comment : "");
	rc = outbox_enqueue(c, f.home_region, "case.deliver", p, NULL, err);
	json_decref(p);
	if (rc < 0)
		return rc;
	return audit_fed(c, j->by->user_id, "fed_case.deliver", f.id, NULL, err);
}

int
xcase_deliver(const struct principal *by, int64_t id, const char *comment, struct zt_err *err)
{
	struct deliver_job j = {by, id, comment, fed_self()};

	return db_write(tx_deliver, &j, err);
}

/* ---- reading at the receiving node ---- */

static json_t *
region_json(db_conn *c, const char *code, struct zt_err *err)
{
	json_t *o = json_pack("{s:s, s:s, s:s, s:s}", "region", code, "region_name", code,
			      "region_name_en", code, "node_name", "");
	db_stmt *s =
	    db_prepare(c,
		       "SELECT r.name, r.name_en, coalesce(n.name, '') FROM regions r"
		       " LEFT JOIN fed_nodes n ON n.region_code = r.code WHERE r.code = ?1",
		       err);
	if (s == NULL)
		return o;
	db_bind_text(s, 1, code);
	if (db_step(s, err) == DB_ROW) {
		json_object_set_new(o, "region_name", json_string(db_col_text(s, 0)));
		json_object_set_new(o, "region_name_en", json_string(db_col_text(s, 1)));
		json_object_set_new(o, "node_name", json_string(db_col_text(s, 2)));
	}
	db_reset(s);
	return o;
}

/* Joint: where the application as a whole stands, from its two steps. */
static const char *
overall(const char *local, const char *home)
{
	static const char *const done[] = {"approved", "delivered", NULL};
	static const char *const ended[] = {"not_accepted", "denied", "not_accepted_here", NULL};

	if (in_list(local, ended) || in_list(home, ended))
		return "ended";
	if (in_list(local, done) && in_list(home, done))
		return "completed";
	return "in_progress";
}

json_t *
xcase_get_json(db_conn *c, const struct principal *by, int64_t id, struct zt_err *err)
{
	struct frow f;
	json_t *o = NULL;
	int rc;

	if (frow_load(c, id, &f, err) < 0 || frow_may(c, by, &f, MAY_READ, err) < 0)
		return NULL;
	db_stmt *s = db_prepare(
	    c,
	    "SELECT number, mode, state, home_region, item_code, item_name, dept_name,"
	    " dept_name_en, applicant_kind, applicant_name, applicant_id_no_enc,"
	    " applicant_phone, form, materials, home_case_no,"
	    " coalesce(home_due_at, 0), missing, review, created_at, updated_at FROM fed_cases"
	    " WHERE id = ?1",
	    err);
	if (s == NULL)
		return NULL;
	db_bind_int(s, 1, id);
	if ((rc = db_step(s, err)) != DB_ROW) {
		db_reset(s);
		if (rc >= 0)
			err_set(err, ZT_ENOTFOUND, "", "not_found", "no such application");
		return NULL;
	}
	json_t *form = fieldenc_load_json(db_col_text(s, 12), NULL); /* {} if it fails (logged) */
	json_t *mats = json_loads(db_col_text(s, 13), 0, NULL);
	json_t *missing = db_col_isnull(s, 16) ? NULL : json_loads(db_col_text(s, 16), 0, NULL);
	json_t *review = db_col_isnull(s, 17) ? NULL : json_loads(db_col_text(s, 17), 0, NULL);
	/* Stored encrypted (crypto/fieldenc.h); an application whose copy
	 * fails its check shows "" rather than garbage. */
	char *idno = fieldenc_open_str(db_col_text(s, 10), NULL);
	char *phone = fieldenc_open_str(db_col_text(s, 11), NULL);
	o = json_pack(
	    "{s:I, s:s, s:s, s:s, s:{s:s, s:s}, s:{s:s, s:s}, s:{s:s, s:s, s:s, s:s},"
	    " s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o}",
	    "id", (json_int_t)id, "number", db_col_text(s, 0), "mode", db_col_text(s, 1), "state",
	    db_col_text(s, 2), "item", "code", db_col_text(s, 4), "name", db_col_text(s, 5),
	    "department", "name", db_col_text(s, 6), "name_en", db_col_text(s, 7), "applicant",
	    "kind", db_col_text(s, 8), "name", db_col_text(s, 9), "id_no", idno ? idno : "",
	    "phone", phone ? phone : "", "form", form ? form : json_object(), "materials",
	    mats ? mats : json_array(), "home_case_no",
	    db_col_isnull(s, 14) ? json_null() : json_string(db_col_text(s, 14)), "home_due_at",
	    when_json(db_col_int(s, 15)), "missing", missing ? missing : json_null(), "review",
	    review ? review : json_null(), "created_at", when_json(db_col_int(s, 18)), "updated_at",
	    when_json(db_col_int(s, 19)));
	db_reset(s);
	free(idno);
	free(phone);
	json_object_set_new(o, "home", region_json(c, f.home_region, err));

	/* Joint: the local step, and the two steps side by side. */
	json_t *local = json_null();
	if (f.local_case_id) {
		s = db_prepare(
		    c,
		    "SELECT c.id, c.case_no, c.state, i.code, i.name, d.name, d.name_en,"
		    " d.region_code FROM cases c JOIN service_items i ON i.id = c.item_id"
		    " JOIN departments d ON d.id = c.dept_id WHERE c.id = ?1",
		    err);
		if (s) {
			db_bind_int(s, 1, f.local_case_id);
			if (db_step(s, err) == DB_ROW) {
				json_decref(local);
				local = json_pack(
				    "{s:I, s:s, s:s, s:{s:s, s:s}, s:{s:s, s:s}, s:s}", "id",
				    (json_int_t)db_col_int(s, 0), "case_no",
				    db_col_isnull(s, 1) ? "" : db_col_text(s, 1), "state",
				    db_col_text(s, 2), "item", "code", db_col_text(s, 3), "name",
				    db_col_text(s, 4), "department", "name", db_col_text(s, 5),
				    "name_en", db_col_text(s, 6), "region", db_col_text(s, 7));
			}
			db_reset(s);
		}
	}
	json_object_set_new(o, "local_case", local);
	if (json_is_object(local)) {
		const char *ls = json_string_value(json_object_get(local, "state"));
		json_object_set_new(
		    o, "overall",
		    json_string(overall(ls, json_string_value(json_object_get(o, "state")))));
	} else
		json_object_set_new(o, "overall", json_null());

	/* History: this node's events and the home node's, in order. */
	json_t *hist = json_array();
	s = db_prepare(c,
		       "SELECT e.at, e.source, coalesce(r.name, e.source),"
		       " coalesce(r.name_en, e.source), e.actor, e.role, e.action, e.from_state,"
		       " e.to_state, e.comment FROM fed_case_events e"
		       " LEFT JOIN regions r ON r.code = e.source WHERE e.fed_case_id = ?1"
		       " ORDER BY e.id",
		       err);
	if (s) {
		db_bind_int(s, 1, id);
		while (db_step(s, err) == DB_ROW) {
			json_t *e =
			    json_pack("{s:o, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "at",
				      when_json(db_col_int(s, 0)), "source", db_col_text(s, 1),
				      "source_name", db_col_text(s, 2), "source_name_en",
				      db_col_text(s, 3), "actor", db_col_text(s, 4), "role",
				      db_col_text(s, 5), "action", db_col_text(s, 6), "to",
				      db_col_text(s, 8), "comment", db_col_text(s, 9));
			json_object_set_new(e, "from",
					    db_col_isnull(s, 7) ? json_null()
								: json_string(db_col_text(s, 7)));
			json_array_append_new(hist, e);
		}
		db_reset(s);
	}
	json_object_set_new(o, "history", hist);

	/* What the reader may do now. */
	int official = by->kind == KIND_OFFICIAL;
	int clerk = official && (by->roles & ROLE_CLERK) && strcmp(f.mode, "proxy") == 0 &&
		    f.dept_id == by->dept_id;
	int proxy = strcmp(f.mode, "proxy") == 0;
	/* The state shown (read by the query above, which may be newer than
	 * f's when a message arrived in between): what may be done follows it. */
	const char *st = json_string_value(json_object_get(o, "state"));
	int supplement = strcmp(st, "needs_supplement") == 0;
	json_object_set_new(o, "can",
			    json_pack("{s:b, s:b, s:b}", "review",
				      clerk && strcmp(st, "received") == 0, "deliver",
				      clerk && strcmp(st, "approved") == 0, "resubmit",
				      supplement && (proxy ? clerk : !official)));
	return o;
}

json_t *
xcase_list_json(db_conn *c, const struct principal *by, const struct xcase_query *q,
		struct zt_err *err)
{
	int official = by->kind == KIND_OFFICIAL;
	int64_t after = 0;
	char mine[CASE_SUBJECT_MAX] = "";

	if (cursor_id(q->cursor, &after, err) < 0)
		return NULL;
	if (!official && case_applicant_subject(c, by->user_id, mine, err) < 0)
		return NULL;
	db_stmt *s = db_prepare(
	    c,
	    "SELECT f.id, f.number, f.mode, f.state, f.home_region, coalesce(r.name, "
	    "f.home_region),"
	    " coalesce(r.name_en, f.home_region), f.item_code, f.item_name, f.dept_name,"
	    " f.dept_name_en, f.home_case_no, f.applicant_name, f.created_at, f.updated_at,"
	    " f.local_case_id, lc.state, li.name, lc.case_no FROM fed_cases f"
	    " LEFT JOIN regions r ON r.code = f.home_region"
	    " LEFT JOIN cases lc ON lc.id = f.local_case_id"
	    " LEFT JOIN service_items li ON li.id = lc.item_id"
	    " WHERE ((?1 = 0 AND (f.applicant_id = ?2 OR f.applicant_id_no = ?3))"
	    " OR (?1 = 1 AND f.mode = 'proxy' AND f.dept_id = ?4))"
	    " AND (?5 = '' OR f.state = ?5) AND (?6 = '' OR f.mode = ?6)"
	    " AND (?7 = 0 OR f.id < ?7) ORDER BY f.id DESC LIMIT ?8",
	    err);
	if (s == NULL)
		return NULL;
	db_bind_int(s, 1, official);
	db_bind_int(s, 2, by->user_id);
	db_bind_text(s, 3, *mine ? mine : "-");
	db_bind_int(s, 4, by->dept_id);
	db_bind_text(s, 5, q->state ? q->state : "");
	db_bind_text(s, 6, q->mode ? q->mode : "");
	db_bind_int(s, 7, after);
	db_bind_int(s, 8, q->limit + 1);
	json_t *items = json_array();
	int n = 0, more = 0, rc;
	int64_t last = 0;
	while ((rc = db_step(s, err)) == DB_ROW) {
		if (n == q->limit) {
			more = 1;
			break;
		}
		last = db_col_int(s, 0);
		json_t *it = json_pack(
		    "{s:I, s:s, s:s, s:s, s:{s:s, s:s, s:s}, s:{s:s, s:s}, s:{s:s, s:s}, s:o, s:s,"
		    " s:o, s:o}",
		    "id", (json_int_t)last, "number", db_col_text(s, 1), "mode", db_col_text(s, 2),
		    "state", db_col_text(s, 3), "home", "region", db_col_text(s, 4), "region_name",
		    db_col_text(s, 5), "region_name_en", db_col_text(s, 6), "item", "code",
		    db_col_text(s, 7), "name", db_col_text(s, 8), "department", "name",
		    db_col_text(s, 9), "name_en", db_col_text(s, 10), "home_case_no",
		    db_col_isnull(s, 11) ? json_null() : json_string(db_col_text(s, 11)),
		    "applicant_name", db_col_text(s, 12), "created_at",
		    when_json(db_col_int(s, 13)), "updated_at", when_json(db_col_int(s, 14)));
		if (!db_col_isnull(s, 15)) {
			const char *ls = db_col_text(s, 16);
			json_object_set_new(
			    it, "local_case",
			    json_pack("{s:I, s:s, s:s, s:s}", "id", (json_int_t)db_col_int(s, 15),
				      "state", ls, "item_name", db_col_text(s, 17), "case_no",
				      db_col_isnull(s, 18) ? "" : db_col_text(s, 18)));
			json_object_set_new(it, "overall",
					    json_string(overall(ls, db_col_text(s, 3))));
		} else {
			json_object_set_new(it, "local_case", json_null());
			json_object_set_new(it, "overall", json_null());
		}
		json_array_append_new(items, it);
		n++;
	}
	db_reset(s);
	if (rc < 0) {
		json_decref(items);
		return NULL;
	}
	return page_json_id(items, more, last);
}

/* ---- the home node ---- */

/* Bounded text member of a message; NULL when absent or not text. */
static const char *
pstr(json_t *o, const char *key, size_t max)
{
	const char *v = json_string_value(json_object_get(o, key));
	return v && strlen(v) <= max ? v : NULL;
}

/* Materials of a message into m (at most CASE_MAX_MATERIALS); the count,
 * or -1 when malformed. Strings are borrowed from arr. */
static int
parse_materials(json_t *arr, struct case_material_in *m)
{
	size_t i;
	json_t *e;

	if (!json_is_array(arr) || json_array_size(arr) > CASE_MAX_MATERIALS)
		return -1;
	json_array_foreach(arr, i, e)
	{
		json_t *seq = json_object_get(e, "seq"), *size = json_object_get(e, "size");
		memset(&m[i], 0, sizeof(m[i]));
		m[i].name = pstr(e, "name", 400);
		m[i].file = pstr(e, "file", 64);
		m[i].mime = pstr(e, "mime", 63);
		if (m[i].name == NULL || m[i].file == NULL || strlen(m[i].file) != 64 ||
		    strspn(m[i].file, "0123456789abcdef") != 64)
			return -1;
		if (json_is_integer(seq) && json_integer_value(seq) >= 1 &&
		    json_integer_value(seq) <= 100)
			m[i].seq = (int)json_integer_value(seq);
		else if (seq && !json_is_null(seq))
			return -1;
		m[i].size = json_is_integer(size) ? json_integer_value(size) : 0;
	}
	return (int)json_array_size(arr);
}

/* Answers a case.submit H cannot take: R learns it as a case.update to
 * not_accepted, with the reason (no case is created here). */
static int
refuse(db_conn *c, const char *origin, const char *ref, const struct zt_err *why,
       struct zt_err *err)
{
	char at[32];

	time_format(clock_now(), at);
	json_t *p = json_pack("{s:s, s:n, s:n, s:s, s:s, s:s, s:s, s:n, s:s, s:s, s:s, s:s}", "ref",
			      ref, "case_no", "event_id", "at", at, "actor", "", "role", "system",
			      "action", "refuse", "from", "to", "not_accepted", "state",
			      "not_accepted", "comment", why->msg, "reason", why->reason);
	log_info("cross-region case %s from %s refused: %s", ref, origin, why->msg);
	int rc = outbox_enqueue(c, origin, "case.update", p, NULL, err);
	json_decref(p);
	return rc;
}

/* The local account of the applicant: the one with their ID number or
 * credit code, else a new shadow account that cannot sign in (its
 * password hash is not a hash). */
static int
applicant_account(db_conn *c, const char *origin, const char *kind, const char *idno,
		  const char *name, const char *phone, int64_t *id, char kind_out[16],
		  struct zt_err *err)
{
	int rc;
	int ent = strcmp(kind, "enterprise") == 0;

	if (ent ? ident_check_credit_code(idno, err) < 0
		: ident_check_id_number(idno, clock_today_ymd(), err) < 0) {
		snprintf(err->field, sizeof(err->field), "applicant.id_no");
		return ZT_ERULE;
	}
	char idx[FIELDENC_IDX_LEN];
	fieldenc_index(idno, idx);
	db_stmt *s = db_prepare(c,
				"SELECT id, kind FROM users WHERE kind <> 'official'"
				" AND (id_number = ?1 OR credit_code = ?2)",
				err);
	if (s == NULL)
		return err->code;
	db_bind_text(s, 1, idx);
	db_bind_text(s, 2, idno);
	rc = db_step(s, err);
	if (rc == DB_ROW) {
		*id = db_col_int(s, 0);
		snprintf(kind_out, 16, "%s", db_col_text(s, 1));
	}
	db_reset(s);
	if (rc != DB_DONE)
		return rc < 0 ? rc : 0;
	/* The login an account of that person would have, unless taken. */
	char login[128];
	snprintf(login, sizeof(login), "%s", ent ? idno : idx);
	s = db_prepare(c, "SELECT 1 FROM users WHERE login = ?1", err);
	if (s == NULL)
		return err->code;
	db_bind_text(s, 1, login);
	rc = db_step(s, err);
	db_reset(s);
	if (rc < 0)
		return rc;
	if (rc == DB_ROW)
		snprintf(login, sizeof(login), "fed.%s.%s", origin, ent ? idno : idx + 4);
	s = db_prepare(c,
		       "INSERT INTO users (kind, login, name, id_number, credit_code, phone,"
		       " password_hash, created_at, id_number_enc)"
		       " VALUES (?1,?2,?3,?4,?5,?6,'!fed:no-login',?7,?8) RETURNING id",
		       err);
	if (s == NULL)
		return err->code;
	db_bind_text(s, 1, ent ? "enterprise" : "citizen");
	db_bind_text(s, 2, login);
	db_bind_text(s, 3, name);
	char *eid = ent ? NULL : fieldenc_encrypt_str(idno);
	char *ephone = phone && *phone ? fieldenc_encrypt_str(phone) : NULL;
	db_bind_text(s, 4, ent ? NULL : idx);
	db_bind_text(s, 5, ent ? idno : NULL);
	db_bind_text(s, 6, ephone);
	db_bind_int(s, 7, clock_now());
	db_bind_text(s, 8, eid);
	rc = db_step_id(s, id, err);
	free(eid);
	free(ephone);
	if (rc < 0)
		return rc;
	snprintf(kind_out, 16, "%s", ent ? "enterprise" : "citizen");
	char obj[32];
	snprintf(obj, sizeof(obj), "user:%lld", (long long)*id);
	json_t *d =
	    json_pack("{s:s, s:s, s:b}", "kind", kind_out, "fed_origin", origin, "shadow", 1);
	rc = audit_append(c, 0, "user.create", obj, d, err);
	json_decref(d);
	return rc;
}

int
xcase_on_submit(db_conn *c, const char *sender, json_t *payload, json_t *answer, struct zt_err *err)
{
	static const char *const modes[] = {"full_online", "proxy", "joint", NULL};
	struct case_submit_in *in = NULL;
	const char *ref = pstr(payload, "ref", XCASE_NO_MAX - 1);
	const char *mode = pstr(payload, "mode", 16);
	const char *item = pstr(payload, "item_code", 60);
	json_t *ap = json_object_get(payload, "applicant");
	const char *kind = pstr(ap, "kind", 16), *name = pstr(ap, "name", 200);
	const char *idno = pstr(ap, "id_no", 18), *phone = pstr(ap, "phone", 20);
	json_t *form = json_object_get(payload, "form");
	json_t *checked = json_object_get(payload, "checked");
	int rc;

	if (ref == NULL || *ref == '\0' || !in_list(mode, modes) || item == NULL ||
	    !in_list(kind, (const char *const[]){"citizen", "enterprise", NULL}) || name == NULL ||
	    idno == NULL || !json_is_object(form) ||
	    (checked && !json_is_object(checked) && !json_is_null(checked)))
		return err_set(
		    err, ZT_EINVAL, "payload", "malformed",
		    "case.submit needs ref, mode, item_code, applicant, form, materials");
	in = xcalloc(1, sizeof(*in));
	if ((in->nmaterials =
		 parse_materials(json_object_get(payload, "materials"), in->materials)) < 0) {
		free(in);
		return err_set(err, ZT_EINVAL, "payload.materials", "malformed",
			       "materials are [{seq, name, file, size, mime}]");
	}

	/* A second copy of the same application finds the first. */
	db_stmt *s = db_prepare(
	    c, "SELECT id, case_no FROM cases WHERE fed_origin = ?1 AND fed_ref = ?2", err);
	if (s == NULL) {
		free(in);
		return err->code;
	}
	db_bind_text(s, 1, sender);
	db_bind_text(s, 2, ref);
	rc = db_step(s, err);
	if (rc == DB_ROW)
		json_object_set_new(answer, "case_no", json_string(db_col_text(s, 1)));
	db_reset(s);
	if (rc != DB_DONE) {
		free(in);
		return rc < 0 ? rc : 0;
	}

	/* The item must be published and offered in this mode. */
	struct zt_err why;
	err_clear(&why);
	s = db_prepare(c, "SELECT status, cross_modes FROM service_items WHERE code = ?1", err);
	if (s == NULL) {
		free(in);
		return err->code;
	}
	db_bind_text(s, 1, item);
	rc = db_step(s, err);
	int published = rc == DB_ROW && strcmp(db_col_text(s, 0), "published") == 0;
	unsigned cross = rc == DB_ROW ? (unsigned)db_col_int(s, 1) : 0;
	db_reset(s);
	if (rc < 0) {
		free(in);
		return rc;
	}
	if (!published)
		err_set(&why, ZT_ERULE, "item_code", "unknown_item",
			"no published item %s at this node", item);
	else if (!(cross & mode_bit(mode)))
		err_set(&why, ZT_ERULE, "item_code", "mode_not_offered",
			"the item %s is not offered for %s", item, mode);
	if (why.code) {
		free(in);
		return refuse(c, sender, ref, &why, err);
	}

	/* The case, in a savepoint: a refusal keeps nothing of it. */
	if ((rc = sp_exec(c, "SAVEPOINT xcase", err)) < 0) {
		free(in);
		return rc;
	}
	int64_t applicant = 0, id = 0;
	char akind[16] = "citizen";
	rc = applicant_account(c, sender, kind, idno, name, phone, &applicant, akind, &why);
	if (rc == 0) {
		struct principal p;
		struct case_fed_in fed = {sender, ref, mode,
					  json_is_object(checked) ? checked : NULL};
		memset(&p, 0, sizeof(p));
		p.user_id = applicant;
		p.kind = strcmp(akind, "enterprise") == 0 ? KIND_ENTERPRISE : KIND_CITIZEN;
		snprintf(p.name, sizeof(p.name), "%s", name);
		in->item_code = item;
		in->form = form;
		in->channel = strcmp(mode, "proxy") == 0 ? "window" : "web";
		rc = case_submit_tx(c, &p, in, &fed, &id, &why);
	}
	free(in);
	if (rc < 0) {
		sp_rollback(c);
		if (!refusable(rc)) {
			*err = why;
			return rc;
		}
		return refuse(c, sender, ref, &why, err);
	}
	if ((rc = sp_exec(c, "RELEASE SAVEPOINT xcase", err)) < 0)
		return rc;
	s = db_prepare(c, "SELECT case_no FROM cases WHERE id = ?1", err);
	if (s == NULL)
		return err->code;
	db_bind_int(s, 1, id);
	if ((rc = db_step(s, err)) == DB_ROW)
		json_object_set_new(answer, "case_no", json_string(db_col_text(s, 0)));
	db_reset(s);
	return rc < 0 ? rc : 0;
}

/* The case of a message from origin about its application ref: id, dept,
 * applicant and state. ZT_ERULE when there is none (the message is wrong
 * for good). */
static int
case_of_ref(db_conn *c, const char *origin, const char *ref, int64_t *id, int64_t *dept,
	    int64_t *applicant, char kind[16], char state[24], struct zt_err *err)
{
	db_stmt *s =
	    db_prepare(c,
		       "SELECT c.id, c.dept_id, c.applicant_id, u.kind, c.state FROM cases c"
		       " JOIN users u ON u.id = c.applicant_id"
		       " WHERE c.fed_origin = ?1 AND c.fed_ref = ?2",
		       err);
	if (s == NULL)
		return err->code;
	db_bind_text(s, 1, origin);
	db_bind_text(s, 2, ref ? ref : "");
	int rc = db_step(s, err);
	if (rc == DB_ROW) {
		*id = db_col_int(s, 0);
		*dept = db_col_int(s, 1);
		*applicant = db_col_int(s, 2);
		snprintf(kind, 16, "%s", db_col_text(s, 3));
		snprintf(state, 24, "%s", db_col_text(s, 4));
	}
	db_reset(s);
	if (rc < 0)
		return rc;
	return rc == DB_ROW ? 0
			    : err_set(err, ZT_ERULE, "ref", "unknown_case",
				      "no case received from %s as %s", origin, ref ? ref : "?");
}

/* Runs a transition R asked for (resubmit, deliver) in a savepoint; when
 * the case cannot take it now, records that in the case's history instead
 * (the event reaches R as any other). */
static int
act_for_origin(db_conn *c, const struct principal *p, int64_t id, const char *state,
	       const struct case_action_in *in, struct zt_err *err)
{
	struct zt_err why;
	int rc;

	if ((rc = sp_exec(c, "SAVEPOINT xcase", err)) < 0)
		return rc;
	err_clear(&why);
	rc = case_act_tx(c, p, id, in, &why);
	if (rc == 0)
		return sp_exec(c, "RELEASE SAVEPOINT xcase", err);
	sp_rollback(c);
	if (!refusable(rc)) {
		*err = why;
		return rc;
	}
	json_t *d =
	    json_pack("{s:s, s:s}", "action", case_action_name(in->action), "reason", why.reason);
	rc = case_add_event(c, id, 0, "origin", "origin_refused", state, state, why.msg, d, err);
	json_decref(d);
	return rc;
}

int
xcase_on_resubmit(db_conn *c, const char *sender, json_t *payload, json_t *answer,
		  struct zt_err *err)
{
	int64_t id, dept, applicant;
	char kind[16], state[24];
	json_t *form = json_object_get(payload, "form");
	int rc;

	if (form && !json_is_object(form) && !json_is_null(form))
		return err_set(err, ZT_EINVAL, "payload.form", "malformed", "form is an object");
	if ((rc = case_of_ref(c, sender, pstr(payload, "ref", XCASE_NO_MAX - 1), &id, &dept,
			      &applicant, kind, state, err)) < 0)
		return rc;
	struct case_action_in *in = xcalloc(1, sizeof(*in));
	if ((in->nmaterials =
		 parse_materials(json_object_get(payload, "materials"), in->materials)) < 0) {
		free(in);
		return err_set(err, ZT_EINVAL, "payload.materials", "malformed",
			       "materials are [{seq, name, file, size, mime}]");
	}
	struct principal p;
	memset(&p, 0, sizeof(p));
	p.user_id = applicant;
	p.kind = strcmp(kind, "enterprise") == 0 ? KIND_ENTERPRISE : KIND_CITIZEN;
	in->action = ACT_RESUBMIT;
	in->form = json_is_object(form) ? form : NULL;
	in->comment = pstr(payload, "comment", 2000);
	in->remote_origin = sender;
	rc = act_for_origin(c, &p, id, state, in, err);
	free(in);
	json_object_set_new(answer, "case_id", json_integer(id));
	return rc;
}

int
xcase_on_deliver(db_conn *c, const char *sender, json_t *payload, json_t *answer,
		 struct zt_err *err)
{
	int64_t id, dept, applicant;
	char kind[16], state[24], comment[600];
	const char *by = pstr(payload, "by", 200), *note = pstr(payload, "comment", 400);
	int rc;

	if ((rc = case_of_ref(c, sender, pstr(payload, "ref", XCASE_NO_MAX - 1), &id, &dept,
			      &applicant, kind, state, err)) < 0)
		return rc;
	/* The receiving node's window acts as a clerk of the department. */
	struct principal p;
	struct case_action_in in;
	memset(&p, 0, sizeof(p));
	memset(&in, 0, sizeof(in));
	p.kind = KIND_OFFICIAL;
	p.dept_id = dept;
	p.roles = ROLE_CLERK;
	snprintf(p.name, sizeof(p.name), "%s", by ? by : sender);
	snprintf(comment, sizeof(comment), "%s%s%s", by ? by : "", note && *note ? ": " : "",
		 note ? note : "");
	in.action = ACT_DELIVER;
	in.delivery = "window";
	in.comment = comment;
	rc = act_for_origin(c, &p, id, state, &in, err);
	json_object_set_new(answer, "case_id", json_integer(id));
	return rc;
}

int
xcase_case_event(db_conn *c, int64_t case_id, int64_t event_id, struct zt_err *err)
{
	char origin[8];
	int rc;

	db_stmt *s = db_prepare(c,
				"SELECT c.fed_origin, c.fed_ref, c.case_no, c.state, c.due_at,"
				" i.code, i.name, d.name, d.name_en FROM cases c"
				" JOIN service_items i ON i.id = c.item_id"
				" JOIN departments d ON d.id = c.dept_id"
				" WHERE c.id = ?1 AND c.fed_origin IS NOT NULL",
				err);
	if (s == NULL)
		return err->code;
	db_bind_int(s, 1, case_id);
	if ((rc = db_step(s, err)) != DB_ROW) {
		db_reset(s);
		return rc < 0 ? rc : 0; /* not a cross-region case */
	}
	snprintf(origin, sizeof(origin), "%s", db_col_text(s, 0));
	json_t *p = json_pack("{s:s, s:s?, s:s, s:o, s:{s:s, s:s}, s:{s:s, s:s}}", "ref",
			      db_col_text(s, 1), "case_no", db_col_text(s, 2), "state",
			      db_col_text(s, 3), "due_at", when_json(db_col_int(s, 4)), "item",
			      "code", db_col_text(s, 5), "name", db_col_text(s, 6), "department",
			      "name", db_col_text(s, 7), "name_en", db_col_text(s, 8));
	db_reset(s);
	s = db_prepare(c,
		       "SELECT e.at, coalesce(u.name, ''), e.actor_role, e.action, e.from_state,"
		       " e.to_state, e.comment, e.data FROM case_events e"
		       " LEFT JOIN users u ON u.id = e.actor_id WHERE e.id = ?1",
		       err);
	if (s == NULL) {
		json_decref(p);
		return err->code;
	}
	db_bind_int(s, 1, event_id);
	if ((rc = db_step(s, err)) == DB_ROW) {
		json_t *data = db_col_isnull(s, 7) ? NULL : json_loads(db_col_text(s, 7), 0, NULL);
		json_object_set_new(p, "event_id", json_integer(event_id));
		json_object_set_new(p, "at", when_json(db_col_int(s, 0)));
		json_object_set_new(p, "actor", json_string(db_col_text(s, 1)));
		json_object_set_new(p, "role", json_string(db_col_text(s, 2)));
		json_object_set_new(p, "action", json_string(db_col_text(s, 3)));
		json_object_set_new(
		    p, "from", db_col_isnull(s, 4) ? json_null() : json_string(db_col_text(s, 4)));
		json_object_set_new(p, "to", json_string(db_col_text(s, 5)));
		json_object_set_new(p, "comment", json_string(db_col_text(s, 6)));
		json_object_set_new(p, "data", data ? data : json_null());
	}
	db_reset(s);
	if (rc != DB_ROW) {
		json_decref(p);
		return rc < 0 ? rc
			      : err_set(err, ZT_EINTERNAL, "", "no_event", "event %lld missing",
					(long long)event_id);
	}
	rc = outbox_enqueue(c, origin, "case.update", p, NULL, err);
	json_decref(p);
	return rc;
}

int
xcase_on_update(db_conn *c, const char *sender, json_t *payload, json_t *answer, struct zt_err *err)
{
	const char *ref = pstr(payload, "ref", XCASE_NO_MAX - 1);
	const char *state = pstr(payload, "state", 24), *to = pstr(payload, "to", 24);
	const char *action = pstr(payload, "action", 40), *from = pstr(payload, "from", 24);
	const char *case_no = pstr(payload, "case_no", 60);
	const char *at_s = pstr(payload, "at", 40), *due_s = pstr(payload, "due_at", 40);
	json_t *item = json_object_get(payload, "item"),
	       *dept = json_object_get(payload, "department");
	json_t *data = json_object_get(payload, "data");
	json_t *ev = json_object_get(payload, "event_id");
	int64_t at = 0, due = 0, fed_id = 0;
	int rc;

	if (ref == NULL || !in_list(state, home_states) || to == NULL || action == NULL ||
	    (ev && !json_is_null(ev) && (!json_is_integer(ev) || json_integer_value(ev) < 1)))
		return err_set(err, ZT_EINVAL, "payload", "malformed",
			       "case.update needs ref, state, action, to");
	if (at_s == NULL || time_parse(at_s, &at) < 0)
		at = clock_now();
	if (due_s == NULL || time_parse(due_s, &due) < 0)
		due = 0;
	/* Only the home node of an application may tell its news. */
	db_stmt *s =
	    db_prepare(c, "SELECT id FROM fed_cases WHERE number = ?1 AND home_region = ?2", err);
	if (s == NULL)
		return err->code;
	db_bind_text(s, 1, ref);
	db_bind_text(s, 2, sender);
	rc = db_step(s, err);
	if (rc == DB_ROW)
		fed_id = db_col_int(s, 0);
	db_reset(s);
	if (rc < 0)
		return rc;
	if (rc != DB_ROW)
		return err_set(err, ZT_ERULE, "ref", "unknown_case",
			       "no application %s was sent to %s", ref, sender);
	/* What H asks to supplement, while it asks. */
	json_t *missing = NULL;
	if (strcmp(action, "supplement") == 0 && json_is_object(data))
		missing = json_object_get(data, "missing");
	char *mtext = json_is_array(missing) ? json_dumps(missing, JSON_COMPACT) : NULL;
	s = db_prepare(c,
		       "UPDATE fed_cases SET state = ?2, home_case_no = coalesce(?3, home_case_no),"
		       " home_due_at = ?4, item_name = coalesce(?5, item_name),"
		       " dept_name = coalesce(?6, dept_name), dept_name_en = coalesce(?7,"
		       " dept_name_en), missing = CASE WHEN ?2 <> 'needs_supplement' THEN NULL"
		       " ELSE coalesce(?8, missing) END, updated_at = ?9 WHERE id = ?1",
		       err);
	if (s == NULL) {
		free(mtext);
		return err->code;
	}
	db_bind_int(s, 1, fed_id);
	db_bind_text(s, 2, state);
	db_bind_text(s, 3, case_no);
	if (due)
		db_bind_int(s, 4, due);
	else
		db_bind_null(s, 4);
	db_bind_text(s, 5, pstr(item, "name", 400));
	db_bind_text(s, 6, pstr(dept, "name", 400));
	db_bind_text(s, 7, pstr(dept, "name_en", 400));
	db_bind_text(s, 8, mtext);
	db_bind_int(s, 9, clock_now());
	rc = db_step(s, err);
	db_reset(s);
	free(mtext);
	if (rc < 0)
		return rc;
	rc = add_event(c, fed_id, at, sender, pstr(payload, "actor", 200),
		       pstr(payload, "role", 40), action, from, to, pstr(payload, "comment", 4000),
		       json_is_integer(ev) ? json_integer_value(ev) : 0, err);
	json_object_set_new(answer, "fed_case_id", json_integer(fed_id));
	return rc;
}

void
xcase_tick(void)
{
}
