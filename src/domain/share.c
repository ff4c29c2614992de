/* share.c - share requests, grants, API keys, the exchange and access
 * records (see share.h). */
#include "domain/share.h"
#include "domain/audit.h"
#include "domain/resource.h"
#include "domain/supervise.h"
#include "domain/workcal.h"
#include "base/buf.h"
#include "base/calendar.h"
#include "base/clock.h"
#include "base/jtime.h"
#include "base/ident.h"
#include "base/mask.h"
#include "base/page.h"
#include "base/xmalloc.h"
#include "crypto/fieldenc.h"
#include "crypto/token.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SUPERVISION_DAYS 5

static json_t *text_or_null(db_stmt *s, int col);
static json_t *array_text(const char *text);

static json_t *
text_or_null(db_stmt *s, int col)
{
	return db_col_isnull(s, col) ? json_null() : json_string(db_col_text(s, col));
}

static json_t *
array_text(const char *text)
{
	json_t *v = text ? json_loads(text, 0, NULL) : NULL;

	return v ? v : json_array();
}

/* Steps s, whose rows come newest first keyed by the id in column 0,
 * rendering at most limit of them with row_fn, and resets it. The page
 * {items, next}, or NULL on error. */
json_t *
share_page_rows(db_stmt *s, int limit, json_t *(*row_fn)(db_stmt *s), struct zt_err *err)
{
	json_t *items = json_array();
	int64_t last = 0;
	int rc, n = 0, more = 0;

	while ((rc = db_step(s, err)) == DB_ROW) {
		if (n++ == limit) {
			more = 1;
			break;
		}
		last = db_col_int(s, 0);
		json_array_append_new(items, row_fn(s));
	}
	db_reset(s);
	if (rc < 0) {
		json_decref(items);
		return NULL;
	}
	return page_json_id(items, more, last);
}

/* ==== masking plans and the per-grant rate limit (in memory) ==== */

struct plan_field {
	char name[RESOURCE_FIELD_NAME];
	enum field_type type;
	enum mask_rule mask;  /* MASK_NONE: shown in clear */
	enum mask_rule rmask; /* the resource's mask (for query texts) */
	int enc;	      /* personal/sensitive: stored encrypted, no SQL filter */
};

/* What the exchange needs to answer through one grant: the granted fields
 * in the resource's order with their masks. Built from the grant (whose
 * fields never change) and the resource's fields (which may: fields_text
 * tells when to rebuild). Shared by reference count. */
struct plan {
	int refs;
	int64_t grant_id, resource_id;
	char *fields_text;
	char code[RESOURCE_CODE_MAX];
	char key_field[RESOURCE_FIELD_NAME], subject_field[RESOURCE_FIELD_NAME];
	char *purpose;
	int key_personal;	 /* keys stored as blind indexes */
	enum mask_rule key_mask; /* how a key shows in access records */
	int nf;
	struct plan_field f[];
};

struct slot {
	int64_t grant_id; /* 0 = empty */
	int64_t window;	  /* start of the current rate window */
	int count;
	struct plan *plan;
};

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static struct slot *slots;
static size_t nslots, used;

static void
plan_unref(struct plan *p)
{
	if (p && --p->refs == 0) {
		free(p->fields_text);
		free(p->purpose);
		free(p);
	}
}

static void
plan_release(struct plan *p)
{
	pthread_mutex_lock(&mu);
	plan_unref(p);
	pthread_mutex_unlock(&mu);
}

/* The slot of grant_id, created if absent. Called with mu held. */
static struct slot *
slot_get(int64_t grant_id)
{
	if ((used + 1) * 2 > nslots) {
		size_t ncap = nslots ? nslots * 2 : 256;
		struct slot *t = xcalloc(ncap, sizeof(*t));
		for (size_t i = 0; i < nslots; i++) {
			if (slots[i].grant_id == 0)
				continue;
			size_t h = (size_t)slots[i].grant_id * 0x9E3779B97F4A7C15ull & (ncap - 1);
			while (t[h].grant_id)
				h = (h + 1) & (ncap - 1);
			t[h] = slots[i];
		}
		free(slots);
		slots = t;
		nslots = ncap;
	}
	size_t h = (size_t)grant_id * 0x9E3779B97F4A7C15ull & (nslots - 1);
	while (slots[h].grant_id && slots[h].grant_id != grant_id)
		h = (h + 1) & (nslots - 1);
	if (slots[h].grant_id == 0) {
		slots[h].grant_id = grant_id;
		used++;
	}
	return &slots[h];
}

/* Counts one call against the grant's limit per SHARE_RATE_WINDOW seconds.
 * Returns 0, or the seconds until the window ends when the limit is used. */
static int
rate_take(int64_t grant_id, int limit)
{
	int64_t now = clock_now();
	int wait = 0;

	pthread_mutex_lock(&mu);
	struct slot *s = slot_get(grant_id);
	if (now >= s->window + SHARE_RATE_WINDOW || now < s->window) {
		s->window = now;
		s->count = 0;
	}
	if (s->count >= limit)
		wait = (int)(s->window + SHARE_RATE_WINDOW - now);
	else
		s->count++;
	pthread_mutex_unlock(&mu);
	return wait > 0 ? wait : 0;
}

static int
in_array(json_t *a, const char *name)
{
	size_t i;
	json_t *v;

	json_array_foreach(a, i, v) if (json_is_string(v) &&
					strcmp(json_string_value(v), name) == 0) return 1;
	return 0;
}

/* Builds a plan (one reference) from the stored texts; NULL if corrupt. */
static struct plan *
plan_build(int64_t grant_id, int64_t resource_id, const char *code, const char *res_fields,
	   const char *key_field, const char *subject_field, const char *grant_fields,
	   const char *clear_fields, const char *purpose)
{
	struct resource_meta *m = xmalloc(sizeof(*m));
	json_t *gf = json_loads(grant_fields, 0, NULL), *cf = json_loads(clear_fields, 0, NULL);
	struct plan *p = NULL;

	if (resource_fields_parse(res_fields, m) < 0 || !json_is_array(gf) || !json_is_array(cf))
		goto out;
	p = xcalloc(1, sizeof(*p) + (size_t)m->nfields * sizeof(p->f[0]));
	p->refs = 1;
	p->grant_id = grant_id;
	p->resource_id = resource_id;
	p->fields_text = xstrdup(res_fields);
	p->purpose = xstrdup(purpose);
	snprintf(p->code, sizeof(p->code), "%s", code);
	snprintf(p->key_field, sizeof(p->key_field), "%s", key_field);
	snprintf(p->subject_field, sizeof(p->subject_field), "%s",
		 subject_field ? subject_field : "");
	for (int i = 0; i < m->nfields; i++) {
		if (strcmp(m->fields[i].name, key_field) == 0 &&
		    m->fields[i].sens >= SENS_PERSONAL) {
			p->key_personal = 1;
			p->key_mask = m->fields[i].mask;
		}
		if (!in_array(gf, m->fields[i].name))
			continue;
		struct plan_field *f = &p->f[p->nf++];
		memcpy(f->name, m->fields[i].name, sizeof(f->name));
		f->type = m->fields[i].type;
		f->mask = in_array(cf, f->name) ? MASK_NONE : m->fields[i].mask;
		f->rmask = m->fields[i].mask;
		f->enc = m->fields[i].sens >= SENS_PERSONAL;
	}
out:
	json_decref(gf);
	json_decref(cf);
	free(m);
	return p;
}

static const struct plan_field *
plan_field(const struct plan *p, const char *name)
{
	for (int i = 0; i < p->nf; i++)
		if (strcmp(p->f[i].name, name) == 0)
			return &p->f[i];
	return NULL;
}

/* The granted fields of a stored row, masked. */
static json_t *
render_obj(const struct plan *p, json_t *src)
{
	json_t *out = json_object();

	for (int i = 0; i < p->nf; i++) {
		const struct plan_field *f = &p->f[i];
		json_t *v = json_object_get(src, f->name);
		if (v == NULL || json_is_null(v)) {
			json_object_set_new(out, f->name, json_null());
			continue;
		}
		if (f->mask == MASK_NONE) {
			json_object_set(out, f->name, v);
			continue;
		}
		char num[64], *masked;
		const char *text = num;
		if (json_is_string(v))
			text = json_string_value(v);
		else if (json_is_integer(v))
			snprintf(num, sizeof(num), "%lld", (long long)json_integer_value(v));
		else if (json_is_real(v))
			snprintf(num, sizeof(num), "%.17g", json_real_value(v));
		else
			snprintf(num, sizeof(num), "%s", json_is_true(v) ? "true" : "false");
		masked = mask_apply(f->mask, text);
		json_object_set_new(out, f->name, json_string(masked));
		free(masked);
	}
	return out;
}

/* The granted fields of a stored row (decrypted, then masked), or NULL
 * when the row fails its integrity check (logged; never shown). */
static json_t *
render(const struct plan *p, const char *data)
{
	struct zt_err e;
	err_clear(&e);
	json_t *src = resource_data_load(data, &e);
	if (src == NULL)
		return NULL;
	json_t *out = render_obj(p, src);
	json_decref(src);
	return out;
}

/* How a value asked for shows in access records and the audit: masked
 * when the field is personal (never the clear ID number or phone). */
static char *
query_value(enum mask_rule m, const char *v)
{
	return m == MASK_NONE ? xstrdup(v) : mask_apply(m, v);
}

static int
integrity_error(struct zt_err *err)
{
	return err_set(err, ZT_EINTERNAL, "", "integrity",
		       "a stored row failed its integrity check (tampered, or the wrong data "
		       "key); it is not shown");
}

/* ==== masking plans for cross-node sharing (fed/xshare) ==== */

/* A plan of its own, outside the per-grant cache. */
struct share_plan {
	struct plan *p;
};

struct share_plan *
share_plan_new(int64_t resource_id, const char *code, const char *res_fields, const char *key_field,
	       const char *subject_field, const char *grant_fields, const char *clear_fields)
{
	struct plan *p = plan_build(0, resource_id, code, res_fields, key_field, subject_field,
				    grant_fields, clear_fields, "");
	if (p == NULL)
		return NULL;
	struct share_plan *sp = xmalloc(sizeof(*sp));
	sp->p = p;
	return sp;
}

json_t *
share_plan_render(const struct share_plan *sp, const char *data)
{
	return render(sp->p, data);
}

void
share_plan_free(struct share_plan *sp)
{
	if (sp == NULL)
		return;
	plan_unref(sp->p); /* never shared: this drops its one reference */
	free(sp);
}

int
share_rate_take(int64_t key, int limit)
{
	return rate_take(key, limit);
}

/* ==== grants as the exchange sees them ==== */

struct grant_view {
	int64_t id, consumer_dept;
	int rate_limit;
	char status[12], valid_from[11], valid_to[11];
	struct plan *plan;
};

/* Reads the grant (every call: revocation is at once) and takes a reference
 * to its plan, from the cache when the resource's fields are unchanged. */
static int
grant_load(db_conn *c, int64_t id, struct grant_view *g, struct zt_err *err)
{
	db_stmt *s = db_prepare(
	    c,
	    "SELECT g.consumer_dept, g.status, g.valid_from, g.valid_to, g.rate_limit, g.fields,"
	    " g.clear_fields, g.purpose, g.resource_id, r.code, r.fields, r.key_field,"
	    " r.subject_field FROM grants g JOIN data_resources r ON r.id = g.resource_id"
	    " WHERE g.id = ?1",
	    err);
	int rc;

	if (s == NULL)
		return err->code;
	db_bind_int(s, 1, id);
	rc = db_step(s, err);
	if (rc != DB_ROW) {
		db_reset(s);
		if (rc < 0)
			return rc;
		return err_set(err, ZT_EFORBIDDEN, "", "not_granted",
			       "your department holds no such grant");
	}
	g->id = id;
	g->consumer_dept = db_col_int(s, 0);
	snprintf(g->status, sizeof(g->status), "%s", db_col_text(s, 1));
	snprintf(g->valid_from, sizeof(g->valid_from), "%s", db_col_text(s, 2));
	snprintf(g->valid_to, sizeof(g->valid_to), "%s", db_col_text(s, 3));
	g->rate_limit = (int)db_col_int(s, 4);
	const char *res_fields = db_col_text(s, 10);

	pthread_mutex_lock(&mu);
	struct slot *sl = slot_get(id);
	struct plan *p = sl->plan;
	if (p && strcmp(p->fields_text, res_fields) == 0) {
		p->refs++;
		g->plan = p;
	}
	pthread_mutex_unlock(&mu);
	if (g->plan == NULL) {
		p = plan_build(id, db_col_int(s, 8), db_col_text(s, 9), res_fields,
			       db_col_text(s, 11), db_col_text(s, 12), db_col_text(s, 5),
			       db_col_text(s, 6), db_col_text(s, 7));
		if (p == NULL) {
			db_reset(s);
			return err_set(err, ZT_EINTERNAL, "", "corrupt", "grant %lld unreadable",
				       (long long)id);
		}
		pthread_mutex_lock(&mu);
		sl = slot_get(id);
		plan_unref(sl->plan);
		sl->plan = p;
		p->refs++;
		pthread_mutex_unlock(&mu);
		g->plan = p;
	}
	db_reset(s);
	return 0;
}

/* May by read through g today? */
static int
grant_admit(const struct grant_view *g, const struct principal *by, struct zt_err *err)
{
	char today[11];

	if ((by->kind != KIND_OFFICIAL && by->kind != KIND_SYSTEM) ||
	    by->dept_id != g->consumer_dept)
		return err_set(err, ZT_EFORBIDDEN, "", "not_granted",
			       "your department holds no such grant");
	if (strcmp(g->status, "active") != 0)
		return err_set(err, ZT_EFORBIDDEN, "", "grant_revoked", "the grant was revoked");
	clock_today(today);
	if (strcmp(today, g->valid_from) < 0)
		return err_set(err, ZT_EFORBIDDEN, "", "grant_not_started",
			       "the grant is valid from %s", g->valid_from);
	if (strcmp(today, g->valid_to) > 0)
		return err_set(err, ZT_EFORBIDDEN, "", "grant_expired", "the grant ended on %s",
			       g->valid_to);
	return 0;
}

/* ==== access records ==== */

struct access_rec {
	int64_t grant_id, resource_id, consumer_dept, user_id, key_id;
	const char *code, *purpose, *query;
	int rows;
	const char **subjects;
	int nsubjects;
};

/* Appends the audit record, then the access record pointing at it, then
 * its data subjects; inside the caller's transaction. */
static int
record_access(db_conn *c, const struct access_rec *a, struct zt_err *err)
{
	char obj[40];
	int rc;

	snprintf(obj, sizeof(obj), "grant:%lld", (long long)a->grant_id);
	json_t *d =
	    json_pack("{s:s, s:i, s:s}", "resource", a->code, "rows", a->rows, "query", a->query);
	if (a->key_id)
		json_object_set_new(d, "api_key", json_integer(a->key_id));
	rc = audit_append(c, a->user_id, "share.access", obj, d, err);
	json_decref(d);
	if (rc < 0)
		return rc;
	db_stmt *s =
	    db_prepare(c,
		       "INSERT INTO access_records (at, grant_id, resource_id, consumer_dept,"
		       " user_id, api_key_id, purpose, query, rows, audit_seq) VALUES (?1, ?2,"
		       " ?3, ?4, ?5, ?6, ?7, ?8, ?9, (SELECT seq FROM audit_head WHERE id = 1))"
		       " RETURNING id",
		       err);
	if (s == NULL)
		return err->code;
	db_bind_int(s, 1, clock_now());
	db_bind_int(s, 2, a->grant_id);
	db_bind_int(s, 3, a->resource_id);
	db_bind_int(s, 4, a->consumer_dept);
	if (a->user_id > 0)
		db_bind_int(s, 5, a->user_id);
	else
		db_bind_null(s, 5);
	if (a->key_id > 0)
		db_bind_int(s, 6, a->key_id);
	else
		db_bind_null(s, 6);
	db_bind_text(s, 7, a->purpose);
	db_bind_text(s, 8, a->query);
	db_bind_int(s, 9, a->rows);
	rc = db_step(s, err);
	int64_t id = rc == DB_ROW ? db_col_int(s, 0) : 0;
	db_reset(s);
	if (rc != DB_ROW)
		return rc < 0 ? rc : err_set(err, ZT_EINTERNAL, "", "db", "no id");
	for (int i = 0; i < a->nsubjects; i++) {
		s = db_prepare(c,
			       "INSERT INTO access_subjects (subject, access_id) VALUES (?1, ?2)"
			       " ON CONFLICT DO NOTHING",
			       err);
		if (s == NULL)
			return err->code;
		db_bind_text(s, 1, a->subjects[i]);
		db_bind_int(s, 2, id);
		if ((rc = db_step(s, err)) < 0)
			return rc;
	}
	return 0;
}

static int
tx_access(db_conn *c, void *arg, struct zt_err *err)
{
	return record_access(c, arg, err);
}

static void
access_init(struct access_rec *a, const struct grant_view *g, const struct principal *by,
	    const char *query)
{
	memset(a, 0, sizeof(*a));
	a->grant_id = g->id;
	a->resource_id = g->plan->resource_id;
	a->consumer_dept = g->consumer_dept;
	a->user_id = by->kind == KIND_SYSTEM ? 0 : by->user_id;
	a->key_id = by->kind == KIND_SYSTEM ? by->key_id : 0;
	a->code = g->plan->code;
	a->purpose = g->plan->purpose;
	a->query = query;
}

/* ==== the exchange ==== */

/* Loads, admits and rate-limits; on success g->plan holds a reference. */
static int
exchange_open(db_conn *c, const struct principal *by, int64_t grant_id, struct grant_view *g,
	      int *retry_after, struct zt_err *err)
{
	int rc;

	memset(g, 0, sizeof(*g));
	if ((rc = grant_load(c, grant_id, g, err)) < 0)
		return rc;
	if ((rc = grant_admit(g, by, err)) < 0) {
		plan_release(g->plan);
		return rc;
	}
	return 0;
}

static int
exchange_rate(struct grant_view *g, int *retry_after, struct zt_err *err)
{
	int wait = rate_take(g->id, g->rate_limit);

	if (wait == 0)
		return 0;
	*retry_after = wait;
	return err_set(err, ZT_ELIMIT, "", "rate_limited",
		       "the grant allows %d calls a minute; retry in %d s", g->rate_limit, wait);
}

int
share_exchange_key(db_conn *c, const struct principal *by, int64_t grant_id, const char *key,
		   json_t **out, int *retry_after, struct zt_err *err)
{
	struct grant_view g;
	struct access_rec a;
	char query[SHARE_QUERY_MAX], subject[FIELDENC_IDX_LEN] = "";
	char skey[RESOURCE_KEY_MAX];
	const char *subjects[1] = {subject};
	json_t *row = NULL;
	int rc, bad = 0;

	*out = NULL;
	if ((rc = exchange_open(c, by, grant_id, &g, retry_after, err)) < 0)
		return rc;
	if ((rc = exchange_rate(&g, retry_after, err)) < 0)
		goto out;
	db_stmt *s = db_prepare(c,
				"SELECT subject, data FROM resource_rows"
				" WHERE resource_id = ?1 AND key = ?2",
				err);
	if (s == NULL) {
		rc = err->code;
		goto out;
	}
	resource_key_stored(g.plan->key_personal, key, skey);
	db_bind_int(s, 1, g.plan->resource_id);
	db_bind_text(s, 2, skey);
	rc = db_step(s, err);
	if (rc == DB_ROW) {
		if (!db_col_isnull(s, 0))
			snprintf(subject, sizeof(subject), "%s", db_col_text(s, 0));
		row = render(g.plan, db_col_text(s, 1));
		bad = row == NULL;
	}
	db_reset(s);
	if (rc < 0)
		goto out;
	if (bad) {
		rc = integrity_error(err);
		goto out;
	}
	char *qv = query_value(g.plan->key_personal ? g.plan->key_mask : MASK_NONE, key);
	snprintf(query, sizeof(query), "key=%s", qv);
	free(qv);
	access_init(&a, &g, by, query);
	a.rows = row ? 1 : 0;
	a.subjects = subjects;
	a.nsubjects = subject[0] ? 1 : 0;
	if ((rc = db_write(tx_access, &a, err)) < 0)
		goto out;
	if (row == NULL) {
		rc = err_set(err, ZT_ENOTFOUND, "", "not_found", "no row with this key");
		goto out;
	}
	*out = json_pack("{s:I, s:s, s:O}", "grant", (json_int_t)grant_id, "resource", g.plan->code,
			 "row", row);
	rc = 0;
out:
	json_decref(row);
	plan_release(g.plan);
	return rc;
}

/* Binds one filter value typed by its field. SQLite compares with
 * json_extract (integers, reals and 1/0 for booleans); PostgreSQL with the
 * text that ->> gives, or as double precision for numbers. */
static int
filter_bind(db_stmt *s, int idx, const struct plan_field *f, const char *v, struct zt_err *err)
{
	char *end;
	int pg = db_kind() == DB_PG;

	switch (f->type) {
	case FT_STRING:
	case FT_DATE:
		if (s)
			db_bind_text(s, idx, v);
		return 0;
	case FT_INTEGER: {
		long long n = strtoll(v, &end, 10);
		if (*v == '\0' || *end != '\0')
			break;
		if (pg) {
			char t[24];
			snprintf(t, sizeof(t), "%lld", n);
			if (s)
				db_bind_text(s, idx, t);
		} else if (s)
			db_bind_int(s, idx, n);
		return 0;
	}
	case FT_NUMBER: {
		double d = strtod(v, &end);
		if (*v == '\0' || *end != '\0')
			break;
		if (s)
			db_bind_double(s, idx, d);
		return 0;
	}
	case FT_BOOLEAN:
		if (strcmp(v, "true") != 0 && strcmp(v, "false") != 0)
			break;
		if (s && pg)
			db_bind_text(s, idx, v);
		else if (s)
			db_bind_int(s, idx, strcmp(v, "true") == 0);
		return 0;
	}
	return err_set(err, ZT_EINVAL, f->name, "type", "%s must be %s", f->name,
		       f->type == FT_BOOLEAN  ? "true or false"
		       : f->type == FT_NUMBER ? "a number"
					      : "an integer");
}

/* Whether the stored value x (decrypted) equals the filter text v, typed as
 * the SQL filters compare. */
static int
value_matches(json_t *x, const struct plan_field *f, const char *v)
{
	char *end;

	if (x == NULL || json_is_null(x))
		return 0;
	switch (f->type) {
	case FT_STRING:
	case FT_DATE:
		return json_is_string(x) && strcmp(json_string_value(x), v) == 0;
	case FT_INTEGER: {
		long long n = strtoll(v, &end, 10);
		return *v && *end == '\0' && json_is_integer(x) && json_integer_value(x) == n;
	}
	case FT_NUMBER: {
		double d = strtod(v, &end);
		return *v && *end == '\0' && json_is_number(x) && json_number_value(x) == d;
	}
	case FT_BOOLEAN:
		return json_is_boolean(x) && (strcmp(v, "true") == 0) == json_is_true(x);
	}
	return 0;
}

int
share_exchange_filter(db_conn *c, const struct principal *by, int64_t grant_id,
		      const struct share_filter *f, int nf, int limit, const char *cursor,
		      json_t **out, int *retry_after, struct zt_err *err)
{
	const struct plan_field *pf[SHARE_MAX_FILTERS];
	struct grant_view g;
	struct access_rec a;
	struct buf sql, q;
	char after[RESOURCE_KEY_MAX] = "", last[RESOURCE_KEY_MAX] = "";
	const char **subjects = NULL;
	json_t *items = NULL;
	int rc, pg = db_kind() == DB_PG, nsub = 0, npost = 0;

	*out = NULL;
	buf_init(&sql);
	buf_init(&q);
	if ((rc = exchange_open(c, by, grant_id, &g, retry_after, err)) < 0)
		return rc;
	if (cursor) {
		int n = b64url_decode(cursor, (unsigned char *)after, sizeof(after) - 1);
		if (n <= 0 || memchr(after, '\0', (size_t)n)) {
			rc = err_set(err, ZT_EINVAL, "cursor", "invalid", "invalid cursor");
			goto out;
		}
		after[n] = '\0';
	}
	buf_puts(&sql, "SELECT key, subject, data FROM resource_rows WHERE resource_id = ?1"
		       " AND key > ?2");
	for (int i = 0; i < nf; i++) {
		pf[i] = plan_field(g.plan, f[i].field);
		if (pf[i] == NULL) {
			rc = err_set(err, ZT_EINVAL, f[i].field, "field_not_granted",
				     "the grant does not cover the field %.40s", f[i].field);
			goto out;
		}
		int p = 4 + 2 * i, v = p + 1;
		/* Encrypted values (personal, sensitive) cannot be compared in
		 * SQL: the rows are filtered after decryption (a scan of the
		 * resource in key order). Keys and subjects compare as blind
		 * indexes. */
		if (strcmp(pf[i]->name, g.plan->key_field) == 0)
			buf_printf(&sql, " AND key = ?%d", v);
		else if (strcmp(pf[i]->name, g.plan->subject_field) == 0)
			buf_printf(&sql, " AND subject = ?%d", v);
		else if (pf[i]->enc) {
			buf_printf(
			    &sql,
			    " AND (CAST(?%d AS TEXT) IS NOT NULL OR CAST(?%d AS TEXT) IS NULL)", p,
			    v);
			npost++;
			if ((rc = filter_bind(NULL, 0, pf[i], f[i].value, err)) < 0)
				goto out;
		} else if (!pg)
			buf_printf(&sql, " AND json_extract(data, ?%d) = ?%d", p, v);
		else if (pf[i]->type == FT_NUMBER)
			buf_printf(&sql,
				   " AND CAST(CAST(data AS jsonb) ->> CAST(?%d AS TEXT) AS DOUBLE"
				   " PRECISION) = ?%d",
				   p, v);
		else
			buf_printf(&sql,
				   " AND (CAST(data AS jsonb) ->> CAST(?%d AS TEXT)) = CAST(?%d AS"
				   " TEXT)",
				   p, v);
		char *qv = query_value(pf[i]->rmask, f[i].value);
		buf_printf(&q, "%s%s=%s", i ? "&" : "", f[i].field, qv);
		free(qv);
	}
	buf_puts(&sql, " ORDER BY key LIMIT ?3");
	db_stmt *s = db_prepare_dyn(c, sql.data, err);
	if (s == NULL) {
		rc = err->code;
		goto out;
	}
	db_bind_int(s, 1, g.plan->resource_id);
	db_bind_text(s, 2, after);
	db_bind_int(s, 3, npost ? 1000000000 : limit + 1);
	for (int i = 0; i < nf; i++) {
		char path[RESOURCE_FIELD_NAME + 2], norm[24], idx[RESOURCE_KEY_MAX];
		const char *v = f[i].value;
		int is_key = strcmp(pf[i]->name, g.plan->key_field) == 0;
		int is_subject = strcmp(pf[i]->name, g.plan->subject_field) == 0;
		snprintf(path, sizeof(path), pg ? "%s" : "$.%s", pf[i]->name);
		db_bind_text(s, 4 + 2 * i, path);
		if (is_subject && ident_normalize(v, norm, sizeof(norm)) == 0)
			v = norm;
		if (is_subject) {
			fieldenc_index(v, idx);
			db_bind_text(s, 5 + 2 * i, idx);
		} else if (is_key) {
			resource_key_stored(g.plan->key_personal, v, idx);
			db_bind_text(s, 5 + 2 * i, idx);
		} else if (pf[i]->enc)
			db_bind_text(s, 5 + 2 * i, v);
		else if ((rc = filter_bind(s, 5 + 2 * i, pf[i], v, err)) < 0) {
			db_reset(s);
			goto out;
		}
	}
	if ((rc = exchange_rate(&g, retry_after, err)) < 0) {
		db_reset(s);
		goto out;
	}
	items = json_array();
	subjects = xcalloc((size_t)limit + 1, sizeof(*subjects));
	int n = 0, more = 0;
	while ((rc = db_step(s, err)) == DB_ROW) {
		json_t *src = resource_data_load(db_col_text(s, 2), err);
		if (src == NULL) {
			db_reset(s);
			rc = integrity_error(err);
			goto out;
		}
		int ok = 1;
		for (int i = 0; i < nf && ok; i++)
			if (pf[i]->enc && strcmp(pf[i]->name, g.plan->key_field) &&
			    strcmp(pf[i]->name, g.plan->subject_field))
				ok = value_matches(json_object_get(src, pf[i]->name), pf[i],
						   f[i].value);
		if (!ok) {
			json_decref(src);
			continue;
		}
		if (n == limit) {
			json_decref(src);
			more = 1;
			break;
		}
		snprintf(last, sizeof(last), "%s", db_col_text(s, 0));
		if (!db_col_isnull(s, 1)) {
			const char *sub = db_col_text(s, 1);
			int dup = 0;
			for (int k = 0; k < nsub && !dup; k++)
				dup = strcmp(subjects[k], sub) == 0;
			if (!dup)
				subjects[nsub++] = xstrdup(sub);
		}
		json_array_append_new(items, render_obj(g.plan, src));
		json_decref(src);
		n++;
	}
	db_reset(s);
	if (rc < 0)
		goto out;
	if (q.len >= SHARE_QUERY_MAX)
		q.data[SHARE_QUERY_MAX - 1] = '\0';
	access_init(&a, &g, by, q.data ? q.data : "");
	a.rows = n;
	a.subjects = subjects;
	a.nsubjects = nsub;
	if ((rc = db_write(tx_access, &a, err)) < 0)
		goto out;
	*out = json_pack("{s:I, s:s, s:O}", "grant", (json_int_t)grant_id, "resource", g.plan->code,
			 "items", items);
	if (more) {
		char enc[RESOURCE_KEY_MAX * 4 / 3 + 4];
		b64url_encode((const unsigned char *)last, strlen(last), enc);
		json_object_set_new(*out, "next", json_string(enc));
	} else
		json_object_set_new(*out, "next", json_null());
	rc = 0;
out:
	for (int k = 0; k < nsub; k++)
		free((char *)subjects[k]);
	free(subjects);
	json_decref(items);
	buf_cleanup(&sql);
	buf_cleanup(&q);
	plan_release(g.plan);
	return rc;
}

/* ==== once-only: reading inside a case submission ==== */

int
share_fetch_for_case(db_conn *c, int64_t consumer_dept, const char *resource_code,
		     const char *subject, int64_t actor, const char *purpose, json_t **row,
		     int64_t *grant_id, struct zt_err *err)
{
	char today[11], query[128];
	struct plan *p = NULL;
	int rc;

	*row = NULL;
	*grant_id = 0;
	clock_today(today);
	db_stmt *s = db_prepare(
	    c,
	    "SELECT g.id, g.fields, g.clear_fields, g.purpose, r.id, r.code, r.fields, r.key_field,"
	    " r.subject_field FROM grants g JOIN data_resources r ON r.id = g.resource_id"
	    " WHERE r.code = ?1 AND g.consumer_dept = ?2 AND g.status = 'active'"
	    " AND g.valid_from <= ?3 AND g.valid_to >= ?3 ORDER BY g.id DESC LIMIT 1",
	    err);
	if (s == NULL)
		return err->code;
	db_bind_text(s, 1, resource_code);
	db_bind_int(s, 2, consumer_dept);
	db_bind_text(s, 3, today);
	rc = db_step(s, err);
	if (rc == DB_ROW)
		p = plan_build(db_col_int(s, 0), db_col_int(s, 4), db_col_text(s, 5),
			       db_col_text(s, 6), db_col_text(s, 7), db_col_text(s, 8),
			       db_col_text(s, 1), db_col_text(s, 2), db_col_text(s, 3));
	db_reset(s);
	if (rc < 0)
		return rc;
	if (p == NULL)
		return 0;
	s = db_prepare(c,
		       "SELECT data FROM resource_rows WHERE subject = ?1 AND resource_id = ?2"
		       " ORDER BY updated_at DESC, key LIMIT 1",
		       err);
	if (s == NULL) {
		rc = err->code;
		goto out;
	}
	db_bind_text(s, 1, subject);
	db_bind_int(s, 2, p->resource_id);
	rc = db_step(s, err);
	json_t *r = rc == DB_ROW ? render(p, db_col_text(s, 0)) : NULL;
	db_reset(s);
	if (rc != DB_ROW) {
		rc = rc < 0 ? rc : 0;
		goto out;
	}
	if (r == NULL) { /* failed its integrity check (logged): not filled */
		rc = 0;
		goto out;
	}
	struct access_rec a;
	memset(&a, 0, sizeof(a));
	a.grant_id = p->grant_id;
	a.resource_id = p->resource_id;
	a.consumer_dept = consumer_dept;
	a.user_id = actor;
	a.code = p->code;
	a.purpose = purpose;
	snprintf(query, sizeof(query), "subject=%s", subject);
	a.query = query;
	a.rows = 1;
	a.subjects = &subject;
	a.nsubjects = 1;
	if ((rc = record_access(c, &a, err)) < 0) {
		json_decref(r);
		goto out;
	}
	*row = r;
	*grant_id = p->grant_id;
	rc = 1;
out:
	plan_unref(p);
	return rc;
}

/* ==== API keys ==== */

int
share_key_looks_valid(const char *s)
{
	char t[TOKEN_STR_LEN];

	if (s == NULL || strncmp(s, SHARE_KEY_PREFIX, 4) != 0 ||
	    strnlen(s, SHARE_KEY_LEN) != SHARE_KEY_LEN - 1)
		return 0;
	snprintf(t, sizeof(t), "%s%s", TOKEN_PREFIX, s + 4);
	return token_looks_valid(t);
}

int
share_key_lookup(db_conn *c, const char *key, struct principal *out, struct zt_err *err)
{
	char h[SM3_HEX_LEN];
	int rc;

	token_hash(key, h);
	db_stmt *s = db_prepare(c,
				"SELECT k.id, k.dept_id, k.name, d.region_code FROM api_keys k"
				" JOIN departments d ON d.id = k.dept_id"
				" WHERE k.key_hash = ?1 AND k.revoked_at IS NULL",
				err);
	if (s == NULL)
		return err->code;
	db_bind_text(s, 1, h);
	rc = db_step(s, err);
	if (rc == DB_ROW) {
		memset(out, 0, sizeof(*out));
		out->kind = KIND_SYSTEM;
		out->key_id = db_col_int(s, 0);
		out->dept_id = db_col_int(s, 1);
		snprintf(out->name, sizeof(out->name), "%s", db_col_text(s, 2));
		snprintf(out->region, sizeof(out->region), "%s", db_col_text(s, 3));
		rc = 1;
	}
	db_reset(s);
	return rc;
}

struct key_job {
	const struct principal *by;
	const char *name, *hash;
	int64_t id;
};

static int
tx_key_create(db_conn *c, void *arg, struct zt_err *err)
{
	struct key_job *j = arg;
	char obj[40];
	int rc;

	db_stmt *s =
	    db_prepare(c,
		       "INSERT INTO api_keys (key_hash, dept_id, name, created_by, created_at)"
		       " VALUES (?1, ?2, ?3, ?4, ?5) RETURNING id",
		       err);
	if (s == NULL)
		return err->code;
	db_bind_text(s, 1, j->hash);
	db_bind_int(s, 2, j->by->dept_id);
	db_bind_text(s, 3, j->name);
	db_bind_int(s, 4, j->by->user_id);
	db_bind_int(s, 5, clock_now());
	rc = db_step_id(s, &j->id, err);
	if (rc < 0)
		return rc;
	snprintf(obj, sizeof(obj), "api_key:%lld", (long long)j->id);
	json_t *d = json_pack("{s:s, s:I}", "name", j->name, "dept_id", (json_int_t)j->by->dept_id);
	rc = audit_append(c, j->by->user_id, "api_key.create", obj, d, err);
	json_decref(d);
	return rc;
}

int
share_key_create(const struct principal *by, const char *name, int64_t *id, char key[SHARE_KEY_LEN],
		 struct zt_err *err)
{
	char tok[TOKEN_STR_LEN], h[SM3_HEX_LEN];
	struct key_job j = {by, name, h, 0};
	int rc;

	token_new(tok);
	snprintf(key, SHARE_KEY_LEN, "%s%s", SHARE_KEY_PREFIX, tok + strlen(TOKEN_PREFIX));
	token_hash(key, h);
	if ((rc = db_write(tx_key_create, &j, err)) < 0)
		return rc;
	*id = j.id;
	return 0;
}

static json_t *
key_json(db_stmt *s)
{
	return json_pack("{s:I, s:s, s:o, s:o, s:s}", "id", (json_int_t)db_col_int(s, 0), "name",
			 db_col_text(s, 1), "created_at", time_json(db_col_int(s, 2)), "revoked_at",
			 db_col_isnull(s, 3) ? json_null() : time_json(db_col_int(s, 3)),
			 "created_by", db_col_text(s, 4));
}

json_t *
share_key_list_json(db_conn *c, const struct principal *by, int limit, const char *cursor,
		    struct zt_err *err)
{
	int64_t before = INT64_MAX;

	if (cursor_id(cursor, &before, err) < 0)
		return NULL;
	db_stmt *s =
	    db_prepare(c,
		       "SELECT k.id, k.name, k.created_at, k.revoked_at, coalesce(u.name, '')"
		       " FROM api_keys k LEFT JOIN users u ON u.id = k.created_by"
		       " WHERE k.dept_id = ?1 AND k.id < ?2 ORDER BY k.id DESC LIMIT ?3",
		       err);
	if (s == NULL)
		return NULL;
	db_bind_int(s, 1, by->dept_id);
	db_bind_int(s, 2, before);
	db_bind_int(s, 3, limit + 1);
	return share_page_rows(s, limit, key_json, err);
}

struct revoke_job {
	const struct principal *by;
	int64_t id;
	const char *reason;
};

int
share_key_row_revoke(db_conn *c, const struct key_table *t, int64_t owner, int64_t id,
		     int64_t by_user, struct zt_err *err)
{
	char sql[160], obj[48], action[48];
	int rc;

	snprintf(sql, sizeof(sql), "SELECT %s, revoked_at FROM %s WHERE id = ?1", t->owner_col,
		 t->table);
	db_stmt *s = db_prepare_dyn(c, sql, err);
	if (s == NULL)
		return err->code;
	db_bind_int(s, 1, id);
	rc = db_step(s, err);
	int64_t holder = rc == DB_ROW ? db_col_int(s, 0) : 0;
	int revoked = rc == DB_ROW && !db_col_isnull(s, 1);
	db_reset(s);
	if (rc < 0)
		return rc;
	/* Another owner's key answers as if it did not exist. */
	if (rc != DB_ROW || holder != owner)
		return err_set(err, ZT_ENOTFOUND, "", "not_found", "no such API key");
	if (revoked)
		return err_set(err, ZT_ECONFLICT, "", "already_revoked",
			       "the key is already revoked");
	snprintf(sql, sizeof(sql), "UPDATE %s SET revoked_at = ?1 WHERE id = ?2", t->table);
	s = db_prepare_dyn(c, sql, err);
	if (s == NULL)
		return err->code;
	db_bind_int(s, 1, clock_now());
	db_bind_int(s, 2, id);
	if ((rc = db_step(s, err)) < 0)
		return rc;
	snprintf(obj, sizeof(obj), "%s:%lld", t->kind, (long long)id);
	snprintf(action, sizeof(action), "%s.revoke", t->kind);
	return audit_append(c, by_user, action, obj, NULL, err);
}

static int
tx_key_revoke(db_conn *c, void *arg, struct zt_err *err)
{
	static const struct key_table dept_keys = {"api_keys", "dept_id", "api_key"};
	struct revoke_job *j = arg;

	return share_key_row_revoke(c, &dept_keys, j->by->dept_id, j->id, j->by->user_id, err);
}

int
share_key_revoke(const struct principal *by, int64_t id, struct zt_err *err)
{
	struct revoke_job j = {by, id, NULL};

	return db_write(tx_key_revoke, &j, err);
}

/* ==== requests and grants ==== */

/* The names in list (strings, each a field of m, no repeats) as a JSON
 * array in the resource's field order; NULL with err naming what[i]. */
static json_t *
field_list(const struct resource_meta *m, json_t *list, json_t *within, const char *what,
	   struct zt_err *err)
{
	size_t i;
	json_t *v, *out;
	char f[48];

	json_array_foreach(list, i, v)
	{
		const char *name = json_string_value(v);
		snprintf(f, sizeof(f), "%s[%zu]", what, i);
		if (name == NULL || resource_field_index(m, name) < 0) {
			err_set(err, ZT_EINVAL, f, "unknown_field",
				"%.40s is not a field of the resource", name ? name : "?");
			return NULL;
		}
		if (within && !in_array(within, name)) {
			err_set(err, ZT_EINVAL, f, "not_requested",
				"%.40s is not among the requested fields", name);
			return NULL;
		}
		for (size_t k = 0; k < i; k++)
			if (strcmp(json_string_value(json_array_get(list, k)), name) == 0) {
				err_set(err, ZT_EINVAL, f, "duplicate", "%.40s is named twice",
					name);
				return NULL;
			}
	}
	out = json_array();
	for (int k = 0; k < m->nfields; k++)
		if (in_array(list, m->fields[k].name))
			json_array_append_new(out, json_string(m->fields[k].name));
	return out;
}

static char *
dump(json_t *v)
{
	return json_dumps(v, JSON_COMPACT);
}

/* Inserts the grant of request rid; returns its id in *gid. */
static int
grant_insert(db_conn *c, int64_t rid, int64_t actor, int64_t *gid, struct zt_err *err)
{
	char obj[40];
	int rc;

	db_stmt *s = db_prepare(
	    c,
	    "INSERT INTO grants (request_id, resource_id, consumer_dept, fields, clear_fields,"
	    " purpose, legal_basis, valid_from, valid_to, rate_limit, status, created_at)"
	    " SELECT id, resource_id, consumer_dept, fields, clear_fields, purpose, legal_basis,"
	    " valid_from, valid_to, rate_limit, 'active', ?2 FROM share_requests WHERE id = ?1"
	    " RETURNING id",
	    err);
	if (s == NULL)
		return err->code;
	db_bind_int(s, 1, rid);
	db_bind_int(s, 2, clock_now());
	rc = db_step_id(s, gid, err);
	if (rc < 0)
		return rc;
	s = db_prepare(c, "UPDATE share_requests SET grant_id = ?1 WHERE id = ?2", err);
	if (s == NULL)
		return err->code;
	db_bind_int(s, 1, *gid);
	db_bind_int(s, 2, rid);
	if ((rc = db_step(s, err)) < 0)
		return rc;
	snprintf(obj, sizeof(obj), "grant:%lld", (long long)*gid);
	json_t *d = json_pack("{s:I}", "request", (json_int_t)rid);
	rc = audit_append(c, actor, "grant.create", obj, d, err);
	json_decref(d);
	return rc;
}

struct request_job {
	const struct principal *by;
	const struct share_request_in *in;
	json_t *out;
};

static int
tx_request(db_conn *c, void *arg, struct zt_err *err)
{
	struct request_job *j = arg;
	const struct share_request_in *in = j->in;
	struct resource_meta *m = xmalloc(sizeof(*m));
	json_t *fields = NULL, *clear = NULL;
	char today[11], from[11], due[11] = "", obj[40];
	char *ftext = NULL, *ctext = NULL;
	int32_t d_from, d_to, due_day = 0;
	int64_t now = clock_now(), rid = 0, gid = 0;
	int rc;

	clock_today(today);
	snprintf(from, sizeof(from), "%s", in->valid_from ? in->valid_from : today);
	if ((rc = resource_meta_load(c, 0, in->resource, m, err)) < 0) {
		if (rc == ZT_ENOTFOUND)
			rc = err_set(err, ZT_ERULE, "resource", "unknown_resource",
				     "no data resource has the code %s", in->resource);
		goto out;
	}
	if (m->dept_id == j->by->dept_id) {
		rc = err_set(err, ZT_ERULE, "resource", "own_resource",
			     "the resource is your own department's");
		goto out;
	}
	if ((fields = field_list(m, in->fields, NULL, "fields", err)) == NULL ||
	    (in->clear_fields &&
	     (clear = field_list(m, in->clear_fields, in->fields, "clear_fields", err)) == NULL)) {
		rc = err->code;
		goto out;
	}
	if (clear == NULL)
		clear = json_array();
	if (date_parse(from, &d_from) < 0 || date_parse(in->valid_to, &d_to) < 0) {
		rc = err_set(err, ZT_EINVAL, "valid_to", "format", "days are YYYY-MM-DD");
		goto out;
	}
	if (strcmp(in->valid_to, today) < 0) {
		rc = err_set(err, ZT_EINVAL, "valid_to", "past", "valid_to is in the past");
		goto out;
	}
	if (d_to < d_from) {
		rc = err_set(err, ZT_EINVAL, "valid_to", "range", "valid_to is before valid_from");
		goto out;
	}
	const char *status = strcmp(m->share_type, "unconditional") == 0 ? "approved"
			     : strcmp(m->share_type, "conditional") == 0 ? "pending"
									 : "refused";
	if (strcmp(status, "pending") == 0) {
		due_day = calendar_add_workdays(workcal(), date_of_time(now), SHARE_WORKDAYS);
		date_format(due_day, due);
	}
	ftext = dump(fields);
	ctext = dump(clear);
	db_stmt *s = db_prepare(
	    c,
	    "INSERT INTO share_requests (resource_id, consumer_dept, requested_by, fields,"
	    " clear_fields, purpose, legal_basis, valid_from, valid_to, rate_limit, status,"
	    " submitted_at, due_day, due_at, decided_at, reason) VALUES (?1, ?2, ?3, ?4, ?5, ?6,"
	    " ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16) RETURNING id",
	    err);
	if (s == NULL) {
		rc = err->code;
		goto out;
	}
	db_bind_int(s, 1, m->id);
	db_bind_int(s, 2, j->by->dept_id);
	db_bind_int(s, 3, j->by->user_id);
	db_bind_text(s, 4, ftext);
	db_bind_text(s, 5, ctext);
	db_bind_text(s, 6, in->purpose);
	db_bind_text(s, 7, in->legal_basis);
	db_bind_text(s, 8, from);
	db_bind_text(s, 9, in->valid_to);
	db_bind_int(s, 10, in->rate_limit);
	db_bind_text(s, 11, status);
	db_bind_int(s, 12, now);
	if (due_day) {
		db_bind_int(s, 13, due_day);
		db_bind_int(s, 14, workcal_end_of_day(due_day));
		db_bind_null(s, 15);
	} else {
		db_bind_null(s, 13);
		db_bind_null(s, 14);
		db_bind_int(s, 15, now);
	}
	db_bind_text(s, 16, strcmp(status, "refused") == 0 ? "not_shareable" : NULL);
	rc = db_step(s, err);
	if (rc == DB_ROW)
		rid = db_col_int(s, 0);
	db_reset(s);
	if (rc != DB_ROW) {
		rc = rc < 0 ? rc : err_set(err, ZT_EINTERNAL, "", "db", "no id");
		goto out;
	}
	snprintf(obj, sizeof(obj), "share_request:%lld", (long long)rid);
	json_t *d = json_pack("{s:s, s:s}", "resource", m->code, "status", status);
	rc = audit_append(c, j->by->user_id, "share.request", obj, d, err);
	json_decref(d);
	if (rc < 0)
		goto out;
	if (strcmp(status, "approved") == 0 &&
	    (rc = grant_insert(c, rid, j->by->user_id, &gid, err)) < 0)
		goto out;
	j->out = json_pack("{s:I, s:s}", "id", (json_int_t)rid, "status", status);
	if (gid)
		json_object_set_new(j->out, "grant_id", json_integer(gid));
	if (due[0])
		json_object_set_new(j->out, "due", json_string(due));
	if (strcmp(status, "refused") == 0)
		json_object_set_new(j->out, "reason", json_string("not_shareable"));
	rc = 0;
out:
	free(ftext);
	free(ctext);
	json_decref(fields);
	json_decref(clear);
	free(m);
	return rc;
}

int
share_request(const struct principal *by, const struct share_request_in *in, json_t **out,
	      struct zt_err *err)
{
	struct request_job j = {by, in, NULL};
	int rc = db_write(tx_request, &j, err);

	if (rc < 0) {
		json_decref(j.out);
		return rc;
	}
	*out = j.out;
	return 0;
}

/* The status filter and keyset paging of dept_page, on table alias t. */
#define PAGE_WHERE(t)                                                                              \
	" AND (CAST(?2 AS TEXT) IS NULL OR " t ".status = ?2) AND " t ".id < ?3"                   \
	" ORDER BY " t ".id DESC LIMIT ?4"

#define REQUEST_SELECT                                                                             \
	"SELECT q.id, q.resource_id, r.code, r.name, q.consumer_dept, dc.name, r.dept_id,"         \
	" dp.name, q.fields, q.clear_fields, q.purpose, q.legal_basis, q.valid_from,"              \
	" q.valid_to, q.rate_limit, q.status, q.submitted_at, q.due_day, q.decided_at,"            \
	" q.reason, q.grant_id, q.requested_by, ru.name FROM share_requests q"                     \
	" JOIN data_resources r ON r.id = q.resource_id"                                           \
	" JOIN departments dc ON dc.id = q.consumer_dept"                                          \
	" JOIN departments dp ON dp.id = r.dept_id"                                                \
	" LEFT JOIN users ru ON ru.id = q.requested_by"

static json_t *
request_json(db_stmt *s)
{
	json_t *o = json_pack(
	    "{s:I, s:{s:I, s:s, s:s}, s:{s:I, s:s}, s:{s:I, s:s}, s:o, s:o, s:s, s:s, s:s, s:s,"
	    " s:I, s:s, s:o}",
	    "id", (json_int_t)db_col_int(s, 0), "resource", "id", (json_int_t)db_col_int(s, 1),
	    "code", db_col_text(s, 2), "name", db_col_text(s, 3), "consumer", "id",
	    (json_int_t)db_col_int(s, 4), "name", db_col_text(s, 5), "provider", "id",
	    (json_int_t)db_col_int(s, 6), "name", db_col_text(s, 7), "fields",
	    array_text(db_col_text(s, 8)), "clear_fields", array_text(db_col_text(s, 9)), "purpose",
	    db_col_text(s, 10), "legal_basis", db_col_text(s, 11), "valid_from", db_col_text(s, 12),
	    "valid_to", db_col_text(s, 13), "rate_limit", (json_int_t)db_col_int(s, 14), "status",
	    db_col_text(s, 15), "submitted_at", time_json(db_col_int(s, 16)));
	char due[11];
	if (!db_col_isnull(s, 17)) {
		date_format((int32_t)db_col_int(s, 17), due);
		json_object_set_new(o, "due", json_string(due));
	} else
		json_object_set_new(o, "due", json_null());
	/* While the provider has not answered: working days left (negative once
	 * past the due day, when the request is overdue and gets escalated). */
	if (!db_col_isnull(s, 17) && strcmp(db_col_text(s, 15), "pending") == 0) {
		int left = workcal_remaining(clock_now(), (int32_t)db_col_int(s, 17));
		json_object_set_new(o, "remaining_workdays", json_integer(left));
		json_object_set_new(o, "overdue", json_boolean(left < 0));
	} else {
		json_object_set_new(o, "remaining_workdays", json_null());
		json_object_set_new(o, "overdue", json_false());
	}
	json_object_set_new(o, "decided_at",
			    db_col_isnull(s, 18) ? json_null() : time_json(db_col_int(s, 18)));
	json_object_set_new(o, "reason", text_or_null(s, 19));
	json_object_set_new(o, "grant_id",
			    db_col_isnull(s, 20) ? json_null() : json_integer(db_col_int(s, 20)));
	json_object_set_new(o, "requested_by",
			    db_col_isnull(s, 21)
				? json_null()
				: json_pack("{s:I, s:s}", "id", (json_int_t)db_col_int(s, 21),
					    "name", db_col_text(s, 22)));
	return o;
}

/* A page of sql, whose ?1 is the caller's department, ?2 a status (NULL =
 * any), ?3 the id to page below and ?4 the limit + 1. */
static json_t *
dept_page(db_conn *c, const char *sql, const struct principal *by, const char *status, int limit,
	  const char *cursor, json_t *(*row_fn)(db_stmt *s), struct zt_err *err)
{
	int64_t before = INT64_MAX;

	if (cursor_id(cursor, &before, err) < 0)
		return NULL;
	db_stmt *s = db_prepare(c, sql, err);
	if (s == NULL)
		return NULL;
	db_bind_int(s, 1, by->dept_id);
	db_bind_text(s, 2, status);
	db_bind_int(s, 3, before);
	db_bind_int(s, 4, limit + 1);
	return share_page_rows(s, limit, row_fn, err);
}

/* The one row of sql (?1 = id) rendered by row_fn when by may see it (may
 * looks at the row); else NULL with ZT_EFORBIDDEN or ZT_ENOTFOUND. */
static json_t *
one_row(db_conn *c, const char *sql, const struct principal *by, int64_t id,
	int (*may)(db_stmt *s, const struct principal *by), json_t *(*row_fn)(db_stmt *s),
	const char *what, struct zt_err *err)
{
	json_t *o = NULL;
	int rc;

	db_stmt *s = db_prepare(c, sql, err);
	if (s == NULL)
		return NULL;
	db_bind_int(s, 1, id);
	rc = db_step(s, err);
	if (rc == DB_ROW && may(s, by))
		o = row_fn(s);
	else if (rc == DB_ROW)
		err_set(err, ZT_EFORBIDDEN, "", "other_department",
			"the %s concerns other departments", what);
	else if (rc == DB_DONE)
		err_set(err, ZT_ENOTFOUND, "", "not_found", "no such %s", what);
	db_reset(s);
	return o;
}

json_t *
share_request_list_json(db_conn *c, const struct principal *by, const char *side,
			const char *status, int limit, const char *cursor, struct zt_err *err)
{
	return dept_page(c,
			 strcmp(side, "incoming") == 0
			     ? REQUEST_SELECT " WHERE r.dept_id = ?1" PAGE_WHERE("q")
			     : REQUEST_SELECT " WHERE q.consumer_dept = ?1" PAGE_WHERE("q"),
			 by, status, limit, cursor, request_json, err);
}

static int
may_see_request(db_stmt *s, const struct principal *by)
{
	return db_col_int(s, 4) == by->dept_id || db_col_int(s, 6) == by->dept_id;
}

json_t *
share_request_get_json(db_conn *c, const struct principal *by, int64_t id, struct zt_err *err)
{
	return one_row(c, REQUEST_SELECT " WHERE q.id = ?1", by, id, may_see_request, request_json,
		       "share request", err);
}

int
share_decide_fields(const struct resource_meta *m, json_t *req_fields, json_t *req_clear,
		    json_t *fields_in, json_t *clear_in, json_t **fields_out, json_t **clear_out,
		    struct zt_err *err)
{
	json_t *fields, *clear;
	size_t i;
	json_t *v;

	*fields_out = *clear_out = NULL;
	fields = fields_in ? field_list(m, fields_in, req_fields, "fields", err)
			   : json_incref(req_fields);
	if (fields == NULL)
		return err->code;
	if (clear_in) {
		json_t *allowed = json_array();
		json_array_foreach(req_clear, i, v) if (in_array(fields, json_string_value(v)))
		    json_array_append(allowed, v);
		clear = field_list(m, clear_in, allowed, "clear_fields", err);
		json_decref(allowed);
		if (clear == NULL) {
			json_decref(fields);
			return err->code;
		}
	} else {
		clear = json_array();
		json_array_foreach(req_clear, i, v) if (in_array(fields, json_string_value(v)))
		    json_array_append(clear, v);
	}
	*fields_out = fields;
	*clear_out = clear;
	return 0;
}

json_t *
share_field_list(const struct resource_meta *m, json_t *list, json_t *within, const char *what,
		 struct zt_err *err)
{
	return field_list(m, list, within, what, err);
}

struct decide_job {
	const struct principal *by;
	int64_t id;
	json_t *fields, *clear;
	const char *text; /* comment or reason */
	int approve;
	int64_t grant_id;
};

static int
tx_decide(db_conn *c, void *arg, struct zt_err *err)
{
	struct decide_job *j = arg;
	struct resource_meta *m = xmalloc(sizeof(*m));
	json_t *req_fields = NULL, *req_clear = NULL, *fields = NULL, *clear = NULL;
	char *ftext = NULL, *ctext = NULL, obj[40];
	int64_t rid = 0;
	int rc;

	db_stmt *s =
	    db_prepare(c,
		       "SELECT resource_id, status, fields, clear_fields FROM share_requests"
		       " WHERE id = ?1",
		       err);
	if (s == NULL) {
		rc = err->code;
		goto out;
	}
	db_bind_int(s, 1, j->id);
	rc = db_step(s, err);
	char status[12] = "";
	if (rc == DB_ROW) {
		rid = db_col_int(s, 0);
		snprintf(status, sizeof(status), "%s", db_col_text(s, 1));
		req_fields = array_text(db_col_text(s, 2));
		req_clear = array_text(db_col_text(s, 3));
	}
	db_reset(s);
	if (rc < 0)
		goto out;
	if (rc != DB_ROW) {
		rc = err_set(err, ZT_ENOTFOUND, "", "not_found", "no such share request");
		goto out;
	}
	if ((rc = resource_meta_load(c, rid, NULL, m, err)) < 0)
		goto out;
	if (m->dept_id != j->by->dept_id) {
		rc = err_set(err, ZT_EFORBIDDEN, "", "other_department",
			     "only the provider decides on a request");
		goto out;
	}
	if (strcmp(status, "pending") != 0) {
		rc = err_set(err, ZT_ECONFLICT, "status", "already_decided",
			     "the request is already %s", status);
		goto out;
	}
	if (j->approve) {
		if (strcmp(m->share_type, "none") == 0) {
			rc = err_set(err, ZT_ERULE, "", "not_shareable",
				     "the resource is now not shareable");
			goto out;
		}
		if ((rc = share_decide_fields(m, req_fields, req_clear, j->fields, j->clear,
					      &fields, &clear, err)) < 0)
			goto out;
		ftext = dump(fields);
		ctext = dump(clear);
	}
	s = db_prepare(c,
		       "UPDATE share_requests SET status = ?2, decided_at = ?3, decided_by = ?4,"
		       " reason = ?5, fields = coalesce(?6, fields),"
		       " clear_fields = coalesce(?7, clear_fields)"
		       " WHERE id = ?1 AND status = 'pending'",
		       err);
	if (s == NULL) {
		rc = err->code;
		goto out;
	}
	db_bind_int(s, 1, j->id);
	db_bind_text(s, 2, j->approve ? "approved" : "refused");
	db_bind_int(s, 3, clock_now());
	db_bind_int(s, 4, j->by->user_id);
	db_bind_text(s, 5, j->text);
	db_bind_text(s, 6, ftext);
	db_bind_text(s, 7, ctext);
	if ((rc = db_step(s, err)) < 0)
		goto out;
	if (db_changes(c) != 1) {
		rc = err_set(err, ZT_ECONFLICT, "status", "already_decided",
			     "the request was decided meanwhile");
		goto out;
	}
	snprintf(obj, sizeof(obj), "share_request:%lld", (long long)j->id);
	rc = audit_append(c, j->by->user_id, j->approve ? "share.approve" : "share.refuse", obj,
			  NULL, err);
	if (rc == 0 && j->approve)
		rc = grant_insert(c, j->id, j->by->user_id, &j->grant_id, err);
out:
	free(ftext);
	free(ctext);
	json_decref(req_fields);
	json_decref(req_clear);
	json_decref(fields);
	json_decref(clear);
	free(m);
	return rc;
}

int
share_approve(const struct principal *by, int64_t id, json_t *fields, json_t *clear_fields,
	      const char *comment, int64_t *grant_id, struct zt_err *err)
{
	struct decide_job j = {by, id, fields, clear_fields, comment, 1, 0};
	int rc;

	if (fields && json_array_size(fields) == 0)
		return err_set(err, ZT_EINVAL, "fields", "required", "grant at least one field");
	if ((rc = db_write(tx_decide, &j, err)) < 0)
		return rc;
	*grant_id = j.grant_id;
	return 0;
}

int
share_refuse(const struct principal *by, int64_t id, const char *reason, struct zt_err *err)
{
	struct decide_job j = {by, id, NULL, NULL, reason, 0, 0};

	return db_write(tx_decide, &j, err);
}

#define GRANT_SELECT                                                                               \
	"SELECT g.id, g.request_id, g.resource_id, r.code, r.name, g.consumer_dept, dc.name,"      \
	" r.dept_id, dp.name, g.fields, g.clear_fields, g.purpose, g.legal_basis, g.valid_from,"   \
	" g.valid_to, g.rate_limit, g.status, g.created_at, g.revoked_at, g.revoke_reason"         \
	" FROM grants g JOIN data_resources r ON r.id = g.resource_id"                             \
	" JOIN departments dc ON dc.id = g.consumer_dept"                                          \
	" JOIN departments dp ON dp.id = r.dept_id"

static json_t *
grant_json(db_stmt *s)
{
	char today[11];
	const char *status = db_col_text(s, 16), *from = db_col_text(s, 13),
		   *to = db_col_text(s, 14);

	clock_today(today);
	/* state: what a call through the grant would meet today. */
	const char *state = strcmp(status, "active") != 0 ? "revoked"
			    : strcmp(today, from) < 0	  ? "not_started"
			    : strcmp(today, to) > 0	  ? "expired"
							  : "active";
	json_t *o = json_pack(
	    "{s:I, s:I, s:{s:I, s:s, s:s}, s:{s:I, s:s}, s:{s:I, s:s}, s:o, s:o, s:s, s:s, s:s,"
	    " s:s, s:I, s:s, s:s, s:o}",
	    "id", (json_int_t)db_col_int(s, 0), "request_id", (json_int_t)db_col_int(s, 1),
	    "resource", "id", (json_int_t)db_col_int(s, 2), "code", db_col_text(s, 3), "name",
	    db_col_text(s, 4), "consumer", "id", (json_int_t)db_col_int(s, 5), "name",
	    db_col_text(s, 6), "provider", "id", (json_int_t)db_col_int(s, 7), "name",
	    db_col_text(s, 8), "fields", array_text(db_col_text(s, 9)), "clear_fields",
	    array_text(db_col_text(s, 10)), "purpose", db_col_text(s, 11), "legal_basis",
	    db_col_text(s, 12), "valid_from", from, "valid_to", to, "rate_limit",
	    (json_int_t)db_col_int(s, 15), "status", status, "state", state, "created_at",
	    time_json(db_col_int(s, 17)));
	json_object_set_new(o, "revoked_at",
			    db_col_isnull(s, 18) ? json_null() : time_json(db_col_int(s, 18)));
	json_object_set_new(o, "revoke_reason", text_or_null(s, 19));
	return o;
}

json_t *
share_grant_list_json(db_conn *c, const struct principal *by, const char *side, const char *status,
		      int limit, const char *cursor, struct zt_err *err)
{
	int provider = strcmp(side, "provider") == 0;

	if (provider && !principal_has_role(by, ROLE_DATA_OFFICER)) {
		err_set(err, ZT_EFORBIDDEN, "", "wrong_role",
			"the provider's grants are for its data officers");
		return NULL;
	}
	return dept_page(c,
			 provider ? GRANT_SELECT " WHERE r.dept_id = ?1" PAGE_WHERE("g")
				  : GRANT_SELECT " WHERE g.consumer_dept = ?1" PAGE_WHERE("g"),
			 by, status, limit, cursor, grant_json, err);
}

static int
may_see_grant(db_stmt *s, const struct principal *by)
{
	return db_col_int(s, 5) == by->dept_id ||
	       (db_col_int(s, 7) == by->dept_id && principal_has_role(by, ROLE_DATA_OFFICER));
}

json_t *
share_grant_get_json(db_conn *c, const struct principal *by, int64_t id, struct zt_err *err)
{
	return one_row(c, GRANT_SELECT " WHERE g.id = ?1", by, id, may_see_grant, grant_json,
		       "grant", err);
}

static int
tx_grant_revoke(db_conn *c, void *arg, struct zt_err *err)
{
	struct revoke_job *j = arg;
	char obj[40];
	int rc;

	db_stmt *s = db_prepare(c,
				"SELECT r.dept_id, g.status FROM grants g"
				" JOIN data_resources r ON r.id = g.resource_id WHERE g.id = ?1",
				err);
	if (s == NULL)
		return err->code;
	db_bind_int(s, 1, j->id);
	rc = db_step(s, err);
	int64_t dept = rc == DB_ROW ? db_col_int(s, 0) : 0;
	int active = rc == DB_ROW && strcmp(db_col_text(s, 1), "active") == 0;
	db_reset(s);
	if (rc < 0)
		return rc;
	if (rc != DB_ROW)
		return err_set(err, ZT_ENOTFOUND, "", "not_found", "no such grant");
	if (dept != j->by->dept_id)
		return err_set(err, ZT_EFORBIDDEN, "", "other_department",
			       "only the provider revokes a grant");
	if (!active)
		return err_set(err, ZT_ECONFLICT, "status", "already_revoked",
			       "the grant is already revoked");
	s = db_prepare(c,
		       "UPDATE grants SET status = 'revoked', revoked_at = ?2, revoked_by = ?3,"
		       " revoke_reason = ?4 WHERE id = ?1 AND status = 'active'",
		       err);
	if (s == NULL)
		return err->code;
	db_bind_int(s, 1, j->id);
	db_bind_int(s, 2, clock_now());
	db_bind_int(s, 3, j->by->user_id);
	db_bind_text(s, 4, j->reason);
	if ((rc = db_step(s, err)) < 0)
		return rc;
	snprintf(obj, sizeof(obj), "grant:%lld", (long long)j->id);
	json_t *d = json_pack("{s:s}", "reason", j->reason);
	rc = audit_append(c, j->by->user_id, "grant.revoke", obj, d, err);
	json_decref(d);
	return rc;
}

int
share_grant_revoke(const struct principal *by, int64_t id, const char *reason, struct zt_err *err)
{
	struct revoke_job j = {by, id, reason};

	return db_write(tx_grant_revoke, &j, err);
}

/* ==== access records ==== */

static json_t *
by_json(db_stmt *s, int user_col, int key_col)
{
	if (!db_col_isnull(s, user_col))
		return json_string(db_col_text(s, user_col));
	if (!db_col_isnull(s, key_col))
		return json_sprintf("system: %s", db_col_text(s, key_col));
	return json_string("system");
}

/* One row of the merged query below: columns 0 src (1 local, 0 another
 * node's department), 1 id, 2 at, 3 consumer dept id (NULL for another
 * node), 4 consumer name, 5 official, 6 key name, 7 code, 8 resource name,
 * 9 purpose, 10 grant, 11 rows, 12 consumer region, 13 its name. */
static json_t *
my_access_json(db_stmt *s)
{
	int local = db_col_int(s, 0) == 1;
	json_t *consumer =
	    local ? json_pack("{s:I, s:s}", "id", (json_int_t)db_col_int(s, 3), "name",
			      db_col_text(s, 4))
		  : json_pack("{s:n, s:s, s:{s:s, s:s}}", "id", "name", db_col_text(s, 4), "region",
			      "code", db_col_text(s, 12), "name",
			      db_col_isnull(s, 13) ? db_col_text(s, 12) : db_col_text(s, 13));
	json_t *o = json_pack("{s:o, s:o, s:o, s:{s:s, s:s}, s:s, s:I, s:I}", "at",
			      time_json(db_col_int(s, 2)), "consumer", consumer, "by",
			      by_json(s, 5, 6), "resource", "code", db_col_text(s, 7), "name",
			      db_col_text(s, 8), "purpose", db_col_text(s, 9), "grant",
			      (json_int_t)db_col_int(s, 10), "rows", (json_int_t)db_col_int(s, 11));
	if (!local) /* read by another node's department (fed/xshare.h) */
		json_object_set_new(o, "remote", json_true());
	return o;
}

/* Accesses to the subject's data: reads by this node's departments
 * (access_records) and by other nodes' departments through grants of this
 * node (fed_share_served, docs/federation.md), newest first. The cursor is
 * "at.src.id" of the last row. */
json_t *
share_my_access_json(db_conn *c, const struct principal *by, int limit, const char *cursor,
		     struct zt_err *err)
{
	long long at = INT64_MAX, src = 2, id = 0;
	char subject[FIELDENC_IDX_LEN] = "", raw[CURSOR_RAW_MAX];
	int rc;

	if (cursor) {
		char tail;
		if (cursor_decode(cursor, raw) < 0 ||
		    sscanf(raw, "%lld.%lld.%lld%c", &at, &src, &id, &tail) != 3 || at < 0 ||
		    src < 0 || src > 1 || id < 1) {
			err_set(err, ZT_EINVAL, "cursor", "invalid", "invalid cursor");
			return NULL;
		}
	}
	/* Subjects are stored as blind indexes: a citizen's id_number column
	 * holds it already, an enterprise's credit code is indexed here. */
	db_stmt *s = db_prepare(c, "SELECT id_number, credit_code FROM users WHERE id = ?1", err);
	if (s == NULL)
		return NULL;
	db_bind_int(s, 1, by->user_id);
	if ((rc = db_step(s, err)) == DB_ROW && !db_col_isnull(s, 0))
		snprintf(subject, sizeof(subject), "%s", db_col_text(s, 0));
	else if (rc == DB_ROW && !db_col_isnull(s, 1))
		fieldenc_index(db_col_text(s, 1), subject);
	db_reset(s);
	if (rc < 0)
		return NULL;
	s = db_prepare(
	    c,
	    "SELECT src, id, at, dept, cname, uname, kname, code, rname, purpose, grant_id, nrows,"
	    " cregion, gname FROM ("
	    " SELECT 1 AS src, a.id AS id, a.at AS at, a.consumer_dept AS dept, d.name AS cname,"
	    " u.name AS uname, k.name AS kname, r.code AS code, r.name AS rname,"
	    " a.purpose AS purpose, a.grant_id AS grant_id, a.rows AS nrows,"
	    " CAST(NULL AS TEXT) AS cregion, CAST(NULL AS TEXT) AS gname"
	    " FROM access_subjects x JOIN access_records a ON a.id = x.access_id"
	    " JOIN departments d ON d.id = a.consumer_dept"
	    " JOIN data_resources r ON r.id = a.resource_id"
	    " LEFT JOIN users u ON u.id = a.user_id"
	    " LEFT JOIN api_keys k ON k.id = a.api_key_id WHERE x.subject = ?1"
	    " UNION ALL"
	    " SELECT 0, f.id, f.at, NULL, i.consumer_name, f.by_name, NULL, r.code, r.name,"
	    " f.purpose, f.incoming_id, f.rows, i.consumer_region, g.name"
	    " FROM fed_share_served_subjects y JOIN fed_share_served f ON f.id = y.served_id"
	    " JOIN fed_share_incoming i ON i.id = f.incoming_id"
	    " JOIN data_resources r ON r.id = f.resource_id"
	    " LEFT JOIN regions g ON g.code = i.consumer_region WHERE y.subject = ?1) t"
	    " WHERE at < ?2 OR (at = ?2 AND (src < ?3 OR (src = ?3 AND id < ?4)))"
	    " ORDER BY at DESC, src DESC, id DESC LIMIT ?5",
	    err);
	if (s == NULL)
		return NULL;
	db_bind_text(s, 1, subject);
	db_bind_int(s, 2, at);
	db_bind_int(s, 3, src);
	db_bind_int(s, 4, id);
	db_bind_int(s, 5, limit + 1);
	json_t *items = json_array();
	int n = 0, more = 0;
	char last[CURSOR_RAW_MAX] = "";
	while ((rc = db_step(s, err)) == DB_ROW) {
		if (n++ == limit) {
			more = 1;
			break;
		}
		snprintf(last, sizeof(last), "%lld.%lld.%lld", (long long)db_col_int(s, 2),
			 (long long)db_col_int(s, 0), (long long)db_col_int(s, 1));
		json_array_append_new(items, my_access_json(s));
	}
	db_reset(s);
	if (rc < 0) {
		json_decref(items);
		return NULL;
	}
	return page_json(items, more, last);
}

#define ACCESS_SELECT                                                                              \
	"SELECT a.id, a.at, a.grant_id, r.code, r.name, a.consumer_dept, d.name, u.name, k.name,"  \
	" a.purpose, a.query, a.rows, a.audit_seq,"                                                \
	" (SELECT count(*) FROM access_subjects x WHERE x.access_id = a.id)"                       \
	" FROM access_records a JOIN data_resources r ON r.id = a.resource_id"                     \
	" JOIN departments d ON d.id = a.consumer_dept LEFT JOIN users u ON u.id = a.user_id"      \
	" LEFT JOIN api_keys k ON k.id = a.api_key_id"
#define ACCESS_WHERE                                                                               \
	" AND (CAST(?2 AS TEXT) IS NULL OR r.code = ?2) AND (?3 = 0 OR a.grant_id = ?3)"           \
	" AND a.id < ?4 ORDER BY a.id DESC LIMIT ?5"

static json_t *
access_json(db_stmt *s)
{
	return json_pack(
	    "{s:I, s:o, s:I, s:{s:s, s:s}, s:{s:I, s:s}, s:o, s:s, s:s, s:I, s:I, s:I}", "id",
	    (json_int_t)db_col_int(s, 0), "at", time_json(db_col_int(s, 1)), "grant",
	    (json_int_t)db_col_int(s, 2), "resource", "code", db_col_text(s, 3), "name",
	    db_col_text(s, 4), "consumer", "id", (json_int_t)db_col_int(s, 5), "name",
	    db_col_text(s, 6), "by", by_json(s, 7, 8), "purpose", db_col_text(s, 9), "query",
	    db_col_text(s, 10), "rows", (json_int_t)db_col_int(s, 11), "audit_seq",
	    (json_int_t)db_col_int(s, 12), "subjects", (json_int_t)db_col_int(s, 13));
}

json_t *
share_access_list_json(db_conn *c, const struct principal *by, const char *side,
		       const char *resource, int64_t grant_id, int limit, const char *cursor,
		       struct zt_err *err)
{
	int64_t before = INT64_MAX;

	if (cursor_id(cursor, &before, err) < 0)
		return NULL;
	db_stmt *s = db_prepare(c,
				strcmp(side, "provider") == 0
				    ? ACCESS_SELECT " WHERE r.dept_id = ?1" ACCESS_WHERE
				    : ACCESS_SELECT " WHERE a.consumer_dept = ?1" ACCESS_WHERE,
				err);
	if (s == NULL)
		return NULL;
	db_bind_int(s, 1, by->dept_id);
	db_bind_text(s, 2, resource);
	db_bind_int(s, 3, grant_id);
	db_bind_int(s, 4, before);
	db_bind_int(s, 5, limit + 1);
	return share_page_rows(s, limit, access_json, err);
}

/* ==== escalation ==== */

int
share_escalate_overdue(db_conn *c, int max, int *found, struct zt_err *err)
{
	int64_t *ids = xcalloc((size_t)max, sizeof(*ids)),
		*depts = xcalloc((size_t)max, sizeof(*depts));
	char(*codes)[RESOURCE_CODE_MAX] = xcalloc((size_t)max, sizeof(*codes));
	int n = 0, rc, opened = 0;

	*found = 0;
	db_stmt *s = db_prepare(c,
				"SELECT q.id, r.dept_id, r.code FROM share_requests q"
				" JOIN data_resources r ON r.id = q.resource_id"
				" WHERE q.status = 'pending' AND q.due_at < ?1"
				" AND NOT EXISTS (SELECT 1 FROM supervision_items s"
				"  WHERE s.kind = 'share_overdue' AND s.request_id = q.id)"
				" ORDER BY q.id LIMIT ?2",
				err);
	if (s == NULL) {
		rc = err->code;
		goto out;
	}
	db_bind_int(s, 1, clock_now());
	db_bind_int(s, 2, max);
	while ((rc = db_step(s, err)) == DB_ROW) {
		ids[n] = db_col_int(s, 0);
		depts[n] = db_col_int(s, 1);
		snprintf(codes[n], sizeof(codes[n]), "%s", db_col_text(s, 2));
		n++;
	}
	db_reset(s);
	if (rc < 0)
		goto out;
	*found = n;
	for (int i = 0; i < n; i++) {
		char title[200];
		snprintf(title, sizeof(title), "超期督办：共享申请 %lld（%s）超过%d个工作日未答复",
			 (long long)ids[i], codes[i], SHARE_WORKDAYS);
		if ((rc = supervise_open_request(c, ids[i], depts[i], title, SUPERVISION_DAYS,
						 err)) < 0)
			goto out;
		opened += rc;
	}
	rc = opened;
out:
	free(ids);
	free(depts);
	free(codes);
	return rc;
}
