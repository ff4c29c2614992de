/* complaint.c - public complaints (投诉/线索): filing and routing them to the
 * department's supervisor, the public view of their outcome, and the
 * per-client limit on filing. */
#include "domain/complaint.h"
#include "domain/audit.h"
#include "domain/supervise.h"
#include "base/calendar.h"
#include "base/buf.h"
#include "base/clock.h"
#include "base/config.h"
#include "base/ident.h"
#include "base/mask.h"
#include "base/page.h"
#include "base/xmalloc.h"
#include "crypto/fieldenc.h"
#include "http/ratelimit.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NO_SEQ_MAX 999999 /* complaints a day: TS + YYYYMMDD + 6 digits */

struct submit_job {
	const struct principal *by;
	const struct complaint_in *in;
	int64_t dept_id, item_id, case_id, id;
	char dept_name[400];
	char subject[400]; /* what it is about, for the supervisor's title */
	char no[24];
	int32_t due_day;
};

int
complaint_signed_in(const struct principal *by)
{
	return by->user_id > 0 && (by->kind == KIND_CITIZEN || by->kind == KIND_ENTERPRISE ||
				   by->kind == KIND_OFFICIAL);
}

/* Finds the department concerned (and the item or case). */
static int
route(db_conn *c, struct submit_job *j, struct zt_err *err)
{
	const struct complaint_in *in = j->in;
	const char *field;
	db_stmt *s;
	int rc;

	if (strcmp(in->about, "item") == 0) {
		field = "item_id";
		s = db_prepare(c,
			       "SELECT i.id, i.dept_id, d.name, i.name, 0 FROM service_items i"
			       " JOIN departments d ON d.id = i.dept_id"
			       " WHERE i.id = ?1 AND i.status = 'published'",
			       err);
		if (s)
			db_bind_int(s, 1, in->item_id);
	} else if (strcmp(in->about, "case") == 0) {
		field = "case_no";
		s = db_prepare(c,
			       "SELECT c.item_id, c.dept_id, d.name, c.case_no, c.id FROM cases c"
			       " JOIN departments d ON d.id = c.dept_id WHERE c.case_no = ?1",
			       err);
		if (s)
			db_bind_text(s, 1, in->case_no);
	} else {
		field = "dept_id";
		s = db_prepare(c, "SELECT 0, id, name, name, 0 FROM departments WHERE id = ?1",
			       err);
		if (s)
			db_bind_int(s, 1, in->dept_id);
	}
	if (s == NULL)
		return err->code;
	rc = db_step(s, err);
	if (rc == DB_ROW) {
		j->item_id = db_col_int(s, 0);
		j->dept_id = db_col_int(s, 1);
		snprintf(j->dept_name, sizeof(j->dept_name), "%s", db_col_text(s, 2));
		snprintf(j->subject, sizeof(j->subject), "%s", db_col_text(s, 3));
		j->case_id = db_col_int(s, 4);
	}
	db_reset(s);
	if (rc < 0)
		return rc;
	if (rc != DB_ROW)
		return err_set(err, ZT_ENOTFOUND, field, "not_found", "no such %s", in->about);
	return 0;
}

/* The next number of today, derived inside the write transaction (on
 * PostgreSQL under a transaction lock, as several processes may write). */
static int
next_no(db_conn *c, char no[24], struct zt_err *err)
{
	char lo[24], hi[24];
	int ymd = clock_today_ymd(), seq = 1, rc;

	if (db_kind() == DB_PG &&
	    db_query_int(c, "SELECT count(*) FROM (SELECT pg_advisory_xact_lock(7262002)) t", -1,
			 err) < 0)
		return err->code;
	snprintf(lo, sizeof(lo), "TS%08d000000", ymd);
	snprintf(hi, sizeof(hi), "TS%08d999999", ymd);
	db_stmt *s =
	    db_prepare(c, "SELECT max(no) FROM complaints WHERE no BETWEEN ?1 AND ?2", err);
	if (s == NULL)
		return err->code;
	db_bind_text(s, 1, lo);
	db_bind_text(s, 2, hi);
	rc = db_step(s, err);
	if (rc == DB_ROW && !db_col_isnull(s, 0))
		seq = atoi(db_col_text(s, 0) + 10) + 1;
	db_reset(s);
	if (rc < 0)
		return rc;
	if (seq > NO_SEQ_MAX)
		return err_set(err, ZT_ELIMIT, "", "daily_limit", "too many complaints today");
	snprintf(no, 24, "TS%08d%06d", ymd, seq);
	return 0;
}

/* The contact: the account's name and phone for a signed-in person (the
 * given phone when the account has none), else the given ones. */
static int
contact(db_conn *c, struct submit_job *j, char name[160], char phone[24], struct zt_err *err)
{
	const struct complaint_in *in = j->in;
	int rc;

	name[0] = phone[0] = '\0';
	if (complaint_signed_in(j->by)) {
		db_stmt *s = db_prepare(c, "SELECT name, phone FROM users WHERE id = ?1", err);
		if (s == NULL)
			return err->code;
		db_bind_int(s, 1, j->by->user_id);
		if ((rc = db_step(s, err)) == DB_ROW) {
			snprintf(name, 160, "%s", db_col_text(s, 0));
			char *p = fieldenc_open_str(db_col_text(s, 1), err);
			if (p)
				snprintf(phone, 24, "%s", p);
			free(p);
		}
		db_reset(s);
		if (rc < 0)
			return rc;
	} else if (in->contact_name)
		snprintf(name, 160, "%s", in->contact_name);
	if (phone[0] == '\0' && in->contact_phone)
		snprintf(phone, 24, "%s", in->contact_phone);
	if (name[0] == '\0')
		return err_set(err, ZT_ERULE, "contact_name", "required",
			       "a complaint without signing in needs a contact name");
	if (phone[0] == '\0')
		return err_set(err, ZT_ERULE, "contact_phone", "required",
			       "a complaint without signing in needs a mobile number");
	return 0;
}

static int
insert(db_conn *c, struct submit_job *j, const char *name, const char *phone, struct zt_err *err)
{
	int rc;

	db_stmt *s = db_prepare(
	    c,
	    "INSERT INTO complaints (no, about, item_id, case_id, dept_id, user_id, contact_name,"
	    " contact_phone, content, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"
	    " RETURNING id",
	    err);
	if (s == NULL)
		return err->code;
	db_bind_text(s, 1, j->no);
	db_bind_text(s, 2, j->in->about);
	if (j->item_id && strcmp(j->in->about, "item") == 0)
		db_bind_int(s, 3, j->item_id);
	else
		db_bind_null(s, 3);
	if (j->case_id)
		db_bind_int(s, 4, j->case_id);
	else
		db_bind_null(s, 4);
	db_bind_int(s, 5, j->dept_id);
	if (complaint_signed_in(j->by))
		db_bind_int(s, 6, j->by->user_id);
	else
		db_bind_null(s, 6);
	/* The contact is personal data: encrypted at rest. */
	char *ename = fieldenc_encrypt_str(name), *ephone = fieldenc_encrypt_str(phone);
	db_bind_text(s, 7, ename);
	db_bind_text(s, 8, ephone);
	free(ename);
	free(ephone);
	db_bind_text(s, 9, j->in->content);
	db_bind_int(s, 10, clock_now());
	rc = db_step_id(s, &j->id, err);
	if (rc < 0)
		return rc;
	return 0;
}

static int
tx_submit(db_conn *c, void *arg, struct zt_err *err)
{
	struct submit_job *j = arg;
	char name[160], phone[24], title[600], obj[40];
	int rc;

	if ((rc = route(c, j, err)) < 0 || (rc = contact(c, j, name, phone, err)) < 0)
		return rc;
	if ((rc = ident_check_phone(phone, err)) < 0)
		return err_set(err, ZT_EINVAL, "contact_phone", "format",
			       "contact_phone must be a mainland mobile number");
	if ((rc = next_no(c, j->no, err)) < 0 || (rc = insert(c, j, name, phone, err)) < 0)
		return rc;
	snprintf(title, sizeof(title), "投诉督办：%s 关于%s「%s」", j->no,
		 strcmp(j->in->about, "item") == 0   ? "事项"
		 : strcmp(j->in->about, "case") == 0 ? "办件"
						     : "部门",
		 j->subject);
	rc = supervise_open_complaint(c, j->id, j->dept_id, title, cfg.complaint_days,
				      j->by->user_id, &j->due_day, err);
	if (rc < 0)
		return rc;
	if (rc == 0)
		return err_set(err, ZT_EINTERNAL, "", "db", "complaint item exists");
	/* No personal data in the chain: the contact stays in its row. */
	snprintf(obj, sizeof(obj), "complaint:%lld", (long long)j->id);
	json_t *d = json_pack("{s:s, s:s, s:I, s:b}", "no", j->no, "about", j->in->about, "dept_id",
			      (json_int_t)j->dept_id, "anonymous", !complaint_signed_in(j->by));
	rc = audit_append(c, j->by->user_id, "complaint.create", obj, d, err);
	json_decref(d);
	return rc;
}

int
complaint_submit(const struct principal *by, const struct complaint_in *in, json_t **out,
		 struct zt_err *err)
{
	struct submit_job j;
	char due[11];
	int rc;

	memset(&j, 0, sizeof(j));
	j.by = by;
	j.in = in;
	*out = NULL;
	if (in->about == NULL)
		return err_set(err, ZT_EINVAL, "about", "required", "about is required");
	if ((rc = db_write(tx_submit, &j, err)) < 0)
		return rc;
	date_format(j.due_day, due);
	*out = json_pack("{s:s, s:{s:I, s:s}, s:s, s:s}", "no", j.no, "dept", "id",
			 (json_int_t)j.dept_id, "name", j.dept_name, "due_date", due, "status",
			 "open");
	return 0;
}

/* ==== the public view ==== */

#define PUBLIC_COLS                                                                                \
	"SELECT m.id, m.no, m.created_at, m.about, m.dept_id, d.name, i.name, s.status,"           \
	" s.due_day, s.due_at, s.closed_at, s.outcome, m.contact_name, a.name"                     \
	" FROM complaints m JOIN departments d ON d.id = m.dept_id"                                \
	" LEFT JOIN cases cs ON cs.id = m.case_id"                                                 \
	" LEFT JOIN users a ON a.id = cs.applicant_id"                                             \
	" LEFT JOIN service_items i ON i.id = coalesce(m.item_id, cs.item_id)"                     \
	" LEFT JOIN supervision_items s ON s.kind = 'complaint' AND s.complaint_id = m.id"

static json_t *
public_json(db_stmt *s, int64_t now)
{
	char created[32], due[11] = "", closed[32];
	const char *status = db_col_isnull(s, 7) ? "open" : db_col_text(s, 7);
	int open = strcmp(status, "open") == 0;
	json_t *on_time;

	time_format(db_col_int(s, 2), created);
	if (!db_col_isnull(s, 8))
		date_format((int32_t)db_col_int(s, 8), due);
	/* Closed: by the deadline or not; open: late once past it, else
	 * not known yet. */
	if (!open)
		on_time = json_boolean(db_col_int(s, 10) <= db_col_int(s, 9));
	else if (!db_col_isnull(s, 9) && now > db_col_int(s, 9))
		on_time = json_false();
	else
		on_time = json_null();
	json_t *o =
	    json_pack("{s:s, s:s, s:s, s:I, s:s, s:o, s:s, s:o, s:o, s:o}", "no", db_col_text(s, 1),
		      "created_at", created, "about", db_col_text(s, 3), "dept_id",
		      (json_int_t)db_col_int(s, 4), "dept_name", db_col_text(s, 5), "item_name",
		      db_col_isnull(s, 6) ? json_null() : json_string(db_col_text(s, 6)), "status",
		      status, "due_date", due[0] ? json_string(due) : json_null(), "closed_at",
		      json_null(), "on_time", on_time);
	if (!open && !db_col_isnull(s, 10)) {
		time_format(db_col_int(s, 10), closed);
		json_object_set_new(o, "closed_at", json_string(closed));
	}
	if (db_col_isnull(s, 11))
		json_object_set_new(o, "outcome", json_null());
	else {
		/* The complainant's name, and the applicant's for a case. */
		char *cname = fieldenc_open_str(db_col_text(s, 12), NULL);
		const char *names[] = {cname ? cname : "", db_col_text(s, 13), NULL};
		char *masked = complaint_mask_text(db_col_text(s, 11), names);
		free(cname);
		json_object_set_new(o, "outcome", json_string(masked));
		free(masked);
	}
	return o;
}

json_t *
complaint_public_list_json(db_conn *c, int64_t dept_id, const char *status, int limit,
			   const char *cursor, struct zt_err *err)
{
	int64_t before = 0, last = 0, now = clock_now();
	int n = 0, more = 0, rc;

	if (cursor_id(cursor, &before, err) < 0)
		return NULL;
	db_stmt *s = db_prepare(c,
				PUBLIC_COLS
				" WHERE (CAST(?1 AS BIGINT) = 0 OR m.dept_id = CAST(?1 AS BIGINT))"
				" AND (CAST(?2 AS TEXT) IS NULL OR coalesce(s.status, 'open') = ?2)"
				" AND (CAST(?3 AS BIGINT) = 0 OR m.id < CAST(?3 AS BIGINT))"
				" ORDER BY m.id DESC LIMIT ?4",
				err);
	if (s == NULL)
		return NULL;
	db_bind_int(s, 1, dept_id);
	db_bind_text(s, 2, status);
	db_bind_int(s, 3, before);
	db_bind_int(s, 4, limit + 1);
	json_t *items = json_array();
	while ((rc = db_step(s, err)) == DB_ROW) {
		if (n == limit) {
			more = 1;
			break;
		}
		last = db_col_int(s, 0);
		json_array_append_new(items, public_json(s, now));
		n++;
	}
	db_reset(s);
	if (rc < 0) {
		json_decref(items);
		return NULL;
	}
	return page_json_id(items, more, last);
}

json_t *
complaint_public_json(db_conn *c, const char *no, struct zt_err *err)
{
	db_stmt *s = db_prepare(c, PUBLIC_COLS " WHERE m.no = ?1", err);
	json_t *o = NULL;

	if (s == NULL)
		return NULL;
	db_bind_text(s, 1, no);
	int rc = db_step(s, err);
	if (rc == DB_ROW)
		o = public_json(s, clock_now());
	db_reset(s);
	if (rc == DB_DONE)
		err_set(err, ZT_ENOTFOUND, "no", "not_found", "no such complaint");
	return o;
}

/* ==== masking ==== */

static int
digit(char ch)
{
	return ch >= '0' && ch <= '9';
}

/* A mainland mobile number starts 13-19. */
static int
mobile_start(const char *p)
{
	return p[0] == '1' && p[1] >= '3' && p[1] <= '9';
}

static void
put_masked(struct buf *b, char *(*fn)(const char *), const char *p, size_t n)
{
	char *raw = xstrndup(p, n), *m = fn(raw);

	buf_puts(b, m);
	free(m);
	free(raw);
}

/* Length of a "1xx-xxxx-xxxx" / "1xx xxxx xxxx" number at p, or 0. */
static size_t
split_mobile(const char *p)
{
	char sep = p[3];

	if (!mobile_start(p) || !digit(p[2]) || (sep != '-' && sep != ' '))
		return 0;
	for (int i = 4; i < 13; i++)
		if (i == 8 ? p[i] != sep : !digit(p[i]))
			return 0;
	return digit(p[13]) ? 0 : 13;
}

/* Masks the number starting at s[i] (a digit not preceded by one); returns
 * the bytes consumed, 0 when it is not a number to mask. */
static size_t
mask_number(struct buf *b, const char *s, size_t i)
{
	const char *p = s + i;
	size_t run = 0, n;

	while (digit(p[run]))
		run++;
	if (run == 18 || (run == 17 && (p[17] == 'X' || p[17] == 'x') && !digit(p[18]))) {
		put_masked(b, ident_mask_id, p, 18);
		return 18;
	}
	if (run == 11 && mobile_start(p)) {
		put_masked(b, ident_mask_phone, p, 11);
		return 11;
	}
	if (run == 13 && p[0] == '8' && p[1] == '6' && mobile_start(p + 2)) {
		buf_append(b, p, 2);
		put_masked(b, ident_mask_phone, p + 2, 11);
		return 13;
	}
	if (run == 3 && (n = split_mobile(p)) > 0) {
		char plain[12];
		memcpy(plain, p, 3);
		memcpy(plain + 3, p + 4, 4);
		memcpy(plain + 7, p + 9, 4);
		plain[11] = '\0';
		char *m = ident_mask_phone(plain);
		buf_append(b, m, 3);
		buf_append(b, p + 3, 1);
		buf_append(b, m + 3, 4);
		buf_append(b, p + 8, 1);
		buf_append(b, m + 7, 4);
		free(m);
		return n;
	}
	buf_append(b, p, run);
	return run;
}

/* Replaces every occurrence of name in *text by its mask. */
static void
mask_name(char **text, const char *name)
{
	if (name == NULL || mask_nchars(name) < 2 || strstr(*text, name) == NULL)
		return;
	char *m = ident_mask_name(name);
	size_t nl = strlen(name);
	struct buf b;
	const char *p = *text, *q;

	buf_init(&b);
	while ((q = strstr(p, name)) != NULL) {
		buf_append(&b, p, (size_t)(q - p));
		buf_puts(&b, m);
		p = q + nl;
	}
	buf_puts(&b, p);
	free(*text);
	*text = buf_take(&b, NULL);
	free(m);
}

char *
complaint_mask_text(const char *text, const char *const *names)
{
	struct buf b;
	size_t i = 0;

	if (text == NULL)
		text = "";
	buf_init(&b);
	buf_puts(&b, "");
	while (text[i]) {
		if (digit(text[i]) && (i == 0 || !digit(text[i - 1]))) {
			i += mask_number(&b, text, i);
			continue;
		}
		buf_append(&b, text + i, 1);
		i++;
	}
	char *out = buf_take(&b, NULL);
	for (int k = 0; names && names[k]; k++)
		mask_name(&out, names[k]);
	return out;
}

/* ==== the per-client limit ==== */

/* A fixed window per client (http/ratelimit.h), created on first use. */
static struct ratelimit *rate;
static pthread_once_t rate_once = PTHREAD_ONCE_INIT;

static void
rate_init(void)
{
	rate = ratelimit_new(4096);
}

int
complaint_rate_take(const char *client)
{
	static const struct rl_policy p = {RL_WINDOW, COMPLAINT_RATE_MAX, COMPLAINT_RATE_WINDOW, 0};

	pthread_once(&rate_once, rate_init);
	return ratelimit_take(rate, client, &p, NULL);
}

void
complaint_rate_reset(void)
{
	pthread_once(&rate_once, rate_init);
	ratelimit_reset(rate);
}
