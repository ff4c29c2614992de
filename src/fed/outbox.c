/* outbox.c - the durable outbox (see outbox.h). */
#include "fed/outbox.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "base/config.h"
#include "base/log.h"
#include "base/xmalloc.h"
#include "crypto/fieldenc.h"
#include "fed/client.h"
#include "fed/node.h"

#define PASS_MAX 200 /* messages looked at per pass */

int
outbox_enqueue(db_conn *c, const char *recipient, const char *type, json_t *payload,
	       char id_out[ENVELOPE_MSGID_LEN], struct zt_err *err)
{
	char id[ENVELOPE_MSGID_LEN];
	int rc;

	if (!json_is_object(payload))
		return err_set(err, ZT_EINTERNAL, "payload", "invalid", "a payload is an object");
	if ((rc = envelope_new_id(id, err)) < 0)
		return rc;
	/* Payloads carry personal data (case.submit: the applicant's ID number
	 * and phone): stored encrypted (crypto/fieldenc.h), opened only to send. */
	char *clear = json_dumps(payload, JSON_COMPACT);
	char *text = fieldenc_encrypt_str(clear);
	free(clear);
	db_stmt *s =
	    db_prepare(c,
		       "INSERT INTO fed_outbox (message_id, recipient, type, payload, next_at,"
		       " created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?5)",
		       err);
	if (s == NULL) {
		free(text);
		return err->code;
	}
	db_bind_text(s, 1, id);
	db_bind_text(s, 2, recipient);
	db_bind_text(s, 3, type);
	db_bind_text(s, 4, text);
	db_bind_int(s, 5, clock_now());
	rc = db_step(s, err);
	db_reset(s);
	free(text);
	if (rc < 0)
		return rc;
	if (id_out)
		memcpy(id_out, id, ENVELOPE_MSGID_LEN);
	return 0;
}

struct msg {
	int64_t id;
	char message_id[ENVELOPE_MSGID_LEN];
	char recipient[8];
	char *type;
	char *payload; /* clear JSON text; NULL when the stored one failed its check */
	int attempts;
	int64_t next_at;
};

/* The outcome of one attempt, written back in one small transaction. */
struct outcome {
	int64_t id;
	const char *status; /* delivered | failed | pending */
	int attempts;
	int64_t next_at;
	const char *error; /* NULL or errtext */
	char errtext[300];
};

static int
tx_outcome(db_conn *c, void *arg, struct zt_err *err)
{
	const struct outcome *o = arg;
	db_stmt *s = db_prepare(c,
				"UPDATE fed_outbox SET status = ?2, attempts = ?3, next_at = ?4,"
				" last_error = ?5,"
				" delivered_at = CASE WHEN ?2 = 'delivered' THEN CAST(?6 AS BIGINT)"
				" ELSE NULL END"
				" WHERE id = ?1 AND status = 'pending'",
				err);
	if (s == NULL)
		return err->code;
	db_bind_int(s, 1, o->id);
	db_bind_text(s, 2, o->status);
	db_bind_int(s, 3, o->attempts);
	db_bind_int(s, 4, o->next_at);
	db_bind_text(s, 5, o->error);
	db_bind_int(s, 6, clock_now());
	int rc = db_step(s, err);
	db_reset(s);
	return rc < 0 ? rc : 0;
}

/* The reason of a problem+json answer: its first field error's, else the
 * one in its type (NULL when none). Borrowed from j. */
static const char *
problem_reason(json_t *j)
{
	const char *r = json_string_value(
	    json_object_get(json_array_get(json_object_get(j, "errors"), 0), "reason"));
	if (r)
		return r;
	/* "type": "/problems/<reason>" */
	const char *t = json_string_value(json_object_get(j, "type"));
	return t && strncmp(t, "/problems/", 10) == 0 ? t + 10 : NULL;
}

/* A short description of a refusal from the receiver's problem+json. */
static void
describe(const struct fed_reply *r, char *out, size_t cap)
{
	json_t *j = json_loadb(r->body.data ? r->body.data : "", r->body.len, 0, NULL);
	const char *reason = j ? problem_reason(j) : NULL;
	const char *detail = j ? json_string_value(json_object_get(j, "detail")) : NULL;
	snprintf(out, cap, "HTTP %ld%s%s%s%s", r->status, reason ? " " : "", reason ? reason : "",
		 detail ? ": " : "", detail ? detail : "");
	json_decref(j);
}

static int
replayed(const struct fed_reply *r)
{
	if (r->status != 409)
		return 0;
	json_t *j = json_loadb(r->body.data ? r->body.data : "", r->body.len, 0, NULL);
	const char *reason = j ? problem_reason(j) : NULL;
	int yes = reason && strcmp(reason, "replayed") == 0;
	json_decref(j);
	return yes;
}

/* Attempts one message; fills o. Returns 1 delivered, 0 to retry, -1
 * failed for good. */
static int
attempt(const struct msg *m, const char *url, struct outcome *o)
{
	struct fed_reply r;
	struct zt_err err;
	char *errtext = o->errtext;
	size_t cap = sizeof(o->errtext);
	int64_t now = clock_now();

	o->id = m->id;
	o->attempts = m->attempts + 1;
	o->next_at = now;
	o->error = NULL;
	if (m->payload == NULL) {
		/* Tampered or under a key this node lacks: never sent, kept for
		 * the operator (fieldenc logged the reason). */
		snprintf(errtext, cap, "the stored payload failed its integrity check");
		o->status = "failed";
		o->error = errtext;
		return -1;
	}
	if (url == NULL) {
		snprintf(errtext, cap, "no active node of region %s with an address", m->recipient);
		goto retry;
	}
	json_t *body = json_object();
	json_object_set_new(body, "type", json_string(m->type));
	json_t *payload = json_loads(m->payload, 0, NULL);
	json_object_set_new(body, "payload", payload ? payload : json_object());
	char *text = json_dumps(body, JSON_COMPACT);
	json_decref(body);
	int rc = fed_request(url, "POST", OUTBOX_PATH, m->message_id, text, strlen(text), &r, &err);
	free(text);
	if (rc < 0) {
		snprintf(errtext, cap, "%s", err.msg);
		fed_reply_free(&r);
		goto retry;
	}
	if ((r.status >= 200 && r.status < 300) || replayed(&r)) {
		fed_reply_free(&r);
		o->status = "delivered";
		return 1;
	}
	describe(&r, errtext, cap);
	if (r.status == 400 || r.status == 413 || r.status == 422) {
		fed_reply_free(&r);
		o->status = "failed";
		o->error = errtext;
		return -1;
	}
	fed_reply_free(&r);
retry:;
	/* 1, 2, 4, ... seconds after each failed attempt, at most fed_retry_max. */
	int64_t wait = 1;
	for (int i = 1; i < o->attempts && wait < cfg.fed_retry_max; i++)
		wait *= 2;
	if (wait > cfg.fed_retry_max)
		wait = cfg.fed_retry_max > 0 ? cfg.fed_retry_max : 1;
	o->status = "pending";
	o->next_at = now + wait;
	o->error = errtext;
	return 0;
}

int
outbox_deliver(struct outbox_pass *out, struct zt_err *err)
{
	struct msg *ms = NULL;
	int n = 0, rc = 0;

	memset(out, 0, sizeof(*out));
	db_conn *c = db_read_acquire();
	if (c == NULL)
		return err_set(err, ZT_EUNAVAIL, "", "db", "no database connection");
	db_stmt *s = db_prepare(c,
				"SELECT id, message_id, recipient, type, payload, attempts, next_at"
				" FROM fed_outbox WHERE status = 'pending' ORDER BY id LIMIT 200",
				err);
	if (s == NULL) {
		db_read_release(c);
		return err->code;
	}
	ms = xcalloc(PASS_MAX, sizeof(*ms));
	while (n < PASS_MAX && (rc = db_step(s, err)) == DB_ROW) {
		struct msg *m = &ms[n++];
		m->id = db_col_int(s, 0);
		snprintf(m->message_id, sizeof(m->message_id), "%s", db_col_text(s, 1));
		snprintf(m->recipient, sizeof(m->recipient), "%s", db_col_text(s, 2));
		m->type = xstrdup(db_col_text(s, 3));
		/* enc1: since encryption at rest; older rows until the startup
		 * conversion are clear and pass through. */
		struct zt_err e2;
		err_clear(&e2);
		m->payload = fieldenc_open_str(db_col_text(s, 4), &e2);
		m->attempts = (int)db_col_int(s, 5);
		m->next_at = db_col_int(s, 6);
	}
	db_reset(s);
	if (rc < 0) {
		db_read_release(c);
		goto out;
	}
	rc = 0;
	/* Recipients blocked in this pass: an earlier message to them is not
	 * delivered, so later ones wait (order per recipient). */
	char blocked[PASS_MAX][8];
	int nblocked = 0;
	int64_t now = clock_now();
	for (int i = 0; i < n; i++) {
		struct msg *m = &ms[i];
		int skip = 0;
		for (int b = 0; b < nblocked && !skip; b++)
			skip = strcmp(blocked[b], m->recipient) == 0;
		if (skip)
			continue;
		if (m->next_at > now) {
			memcpy(blocked[nblocked++], m->recipient, 8);
			continue;
		}
		char url[NODE_URL_MAX];
		int found = fed_node_url(c, m->recipient, url, sizeof(url), err);
		if (found < 0) {
			rc = found;
			break;
		}
		struct outcome o;
		int r = attempt(m, found ? url : NULL, &o);
		if ((rc = db_write(tx_outcome, &o, err)) < 0)
			break;
		if (r > 0)
			out->delivered++;
		else if (r < 0) {
			out->failed++;
			log_warn("federation: message %s (%s) to %s refused for good: %s",
				 m->message_id, m->type, m->recipient, o.error);
		} else {
			out->retried++;
			memcpy(blocked[nblocked++], m->recipient, 8);
			if (o.attempts == 1 || o.attempts % 10 == 0)
				log_warn(
				    "federation: message %s (%s) to %s not delivered (attempt %d,"
				    " next in %llds): %s",
				    m->message_id, m->type, m->recipient, o.attempts,
				    (long long)(o.next_at - now), o.error);
		}
	}
	db_read_release(c);
out:
	for (int i = 0; i < n; i++) {
		free(ms[i].type);
		free(ms[i].payload);
	}
	free(ms);
	return rc;
}

json_t *
outbox_json(db_conn *c, const char *status, int limit, struct zt_err *err)
{
	json_t *counts = json_object();
	json_object_set_new(counts, "pending", json_integer(0));
	json_object_set_new(counts, "delivered", json_integer(0));
	json_object_set_new(counts, "failed", json_integer(0));
	db_stmt *s = db_prepare(c, "SELECT status, count(*) FROM fed_outbox GROUP BY status", err);
	if (s == NULL)
		goto fail;
	int rc;
	while ((rc = db_step(s, err)) == DB_ROW)
		json_object_set_new(counts, db_col_text(s, 0), json_integer(db_col_int(s, 1)));
	db_reset(s);
	if (rc < 0)
		goto fail;
	s = db_prepare(c,
		       "SELECT message_id, recipient, type, status, attempts, next_at, last_error,"
		       " created_at, delivered_at FROM fed_outbox"
		       " WHERE CAST(?1 AS TEXT) IS NULL OR status = ?1 ORDER BY id DESC LIMIT ?2",
		       err);
	if (s == NULL)
		goto fail;
	db_bind_text(s, 1, status);
	db_bind_int(s, 2, limit);
	json_t *items = json_array();
	while ((rc = db_step(s, err)) == DB_ROW) {
		char at[32];
		json_t *m = json_object();
		json_object_set_new(m, "message_id", json_string(db_col_text(s, 0)));
		json_object_set_new(m, "recipient", json_string(db_col_text(s, 1)));
		json_object_set_new(m, "type", json_string(db_col_text(s, 2)));
		json_object_set_new(m, "status", json_string(db_col_text(s, 3)));
		json_object_set_new(m, "attempts", json_integer(db_col_int(s, 4)));
		time_format(db_col_int(s, 5), at);
		json_object_set_new(m, "next_at", json_string(at));
		json_object_set_new(m, "last_error",
				    db_col_isnull(s, 6) ? json_null()
							: json_string(db_col_text(s, 6)));
		time_format(db_col_int(s, 7), at);
		json_object_set_new(m, "created_at", json_string(at));
		if (db_col_isnull(s, 8))
			json_object_set_new(m, "delivered_at", json_null());
		else {
			time_format(db_col_int(s, 8), at);
			json_object_set_new(m, "delivered_at", json_string(at));
		}
		json_array_append_new(items, m);
	}
	db_reset(s);
	if (rc < 0) {
		json_decref(items);
		goto fail;
	}
	json_t *o = json_object();
	json_object_set_new(o, "counts", counts);
	json_object_set_new(o, "items", items);
	return o;
fail:
	json_decref(counts);
	return NULL;
}
