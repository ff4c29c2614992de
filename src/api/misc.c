/* misc.c - health, metrics, calendar, audit verification and SLA sweep. */
#include "api/handlers.h"
#include "http/metrics.h"
#include "http/req.h"
#include "base/buf.h"
#include "db/db.h"
#include "domain/audit.h"
#include "domain/sla.h"
#include "domain/workcal.h"

#include <string.h>

void
h_healthz(struct req *r)
{
	reply_raw(r, 200, "application/json", strdup("{\"status\":\"ok\"}"), 15);
}

void
h_metrics(struct req *r)
{
	struct buf b;
	struct zt_err err;

	buf_init(&b);
	metrics_render(&b);
	buf_puts(&b, "# HELP zt_cases Cases by state.\n# TYPE zt_cases gauge\n");
	db_stmt *s =
	    db_prepare(req_db(r), "SELECT state, count(*) FROM cases GROUP BY state", &err);
	if (s) {
		while (db_step(s, &err) == DB_ROW)
			buf_printf(&b, "zt_cases{state=\"%s\"} %lld\n", db_col_text(s, 0),
				   (long long)db_col_int(s, 1));
		db_reset(s);
	}
	buf_puts(&b, "# HELP zt_supervision_open Open supervision items by kind.\n"
		     "# TYPE zt_supervision_open gauge\n");
	s = db_prepare(req_db(r),
		       "SELECT kind, count(*) FROM supervision_items WHERE status = 'open'"
		       " GROUP BY kind",
		       &err);
	if (s) {
		while (db_step(s, &err) == DB_ROW)
			buf_printf(&b, "zt_supervision_open{kind=\"%s\"} %lld\n", db_col_text(s, 0),
				   (long long)db_col_int(s, 1));
		db_reset(s);
	}
	size_t len;
	char *data = buf_take(&b, &len);
	reply_raw(r, 200, "text/plain; version=0.0.4; charset=utf-8", data, len);
}

void
h_calendar(struct req *r)
{
	struct zt_err err;
	json_t *years = workcal_years_json(req_db(r), &err);

	if (years == NULL) {
		reply_err(r, &err);
		return;
	}
	reply_json(r, 200, json_pack("{s:o}", "years", years));
}

void
h_audit_verify(struct req *r)
{
	struct zt_err err;
	int64_t checked;

	err_clear(&err);
	int64_t bad = audit_verify(req_db(r), &checked, NULL, &err);
	if (bad < 0) {
		reply_err(r, &err);
		return;
	}
	json_t *o = json_pack("{s:b, s:I}", "ok", bad == 0, "checked", (json_int_t)checked);
	if (bad > 0) {
		json_object_set_new(o, "first_bad_seq", json_integer(bad));
		json_object_set_new(o, "reason", json_string(err.reason));
		json_object_set_new(o, "detail", json_string(err.msg));
	} else {
		char kid[17];
		int64_t seq = audit_last_signed(req_db(r), kid, &err);
		json_object_set_new(o, "signed_upto", json_integer(seq > 0 ? seq : 0));
		json_object_set_new(o, "key_id", seq > 0 ? json_string(kid) : json_null());
	}
	reply_json(r, 200, o);
}

void
h_sla_sweep(struct req *r)
{
	struct zt_err err;
	struct sla_counts n;

	err_clear(&err);
	if (sla_sweep_counts(&n, &err) < 0) {
		reply_err(r, &err);
		return;
	}
	reply_json(r, 200,
		   json_pack("{s:i, s:i, s:i}", "escalated", n.cases, "escalated_requests",
			     n.requests, "escalated_items", n.items));
}
