/* xshare_feed.c - flow-back (数据回流): the provider's change feed of a
 * subscription and the subscriber's pulls (see xshare.h).
 *
 * Why nothing is lost or applied twice: a resource's rows carry the seq of
 * their last change, allocated under the resource row's lock so that every
 * snapshot holds all row versions up to the largest seq it sees
 * (resource.h). A feed page is one statement, one snapshot: the matching
 * rows with seq > after in seq order, and the snapshot's largest seq. When
 * the page is full its next cursor is the last row's seq, else that largest
 * seq, so every matching row version with after < seq <= next is in the
 * page. The subscriber stores a page's rows and the new cursor in one
 * transaction, guarded by the old cursor: a crash keeps both or neither,
 * the next pull asks again from the stored cursor, and a row already held
 * is only replaced by a newer seq. */
#include "fed/xshare.h"
#include "fed/xshare_int.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/buf.h"
#include "base/clock.h"
#include "base/log.h"
#include "base/xmalloc.h"
#include "crypto/fieldenc.h"
#include "crypto/sm3.h"
#include "domain/org.h"
#include "domain/resource.h"
#include "domain/share.h"
#include "fed/client.h"

#define FEED_BY	     "system: 数据回流"
#define SUBS_MAX     256 /* subscriptions pulled per pass */
#define BACKOFF_MAX  60	 /* seconds between attempts after failures, at most */
#define RESYNC_WRITE 30	 /* seconds: an idle subscription's synced_at is refreshed */

/* ==== provider: serving a page ==== */

/* The codes of the subscription's regions and every region below them, as
 * a JSON array text (caller frees). */
static char *
region_set(db_conn *c, const char *regions, struct zt_err *err)
{
	json_t *roots = json_loads(regions ? regions : "[]", 0, NULL), *out = json_array(), *v;
	size_t i;
	int rc = 0;

	json_array_foreach(roots, i, v)
	{
		db_stmt *s = db_prepare(c, "SELECT code FROM " ORG_SUBTREE_OF_1 " AS t", err);
		if (s == NULL) {
			rc = err->code;
			break;
		}
		db_bind_text(s, 1, json_string_value(v));
		while ((rc = db_step(s, err)) == DB_ROW)
			json_array_append_new(out, json_string(db_col_text(s, 0)));
		db_reset(s);
		if (rc < 0)
			break;
	}
	json_decref(roots);
	char *text = rc < 0 ? NULL : json_dumps(out, JSON_COMPACT);
	json_decref(out);
	return text;
}

/* Whether the grant delivers the key field in clear: granted, and public
 * or internal, or among the clear fields. */
static int
key_in_clear(const struct xs_grant *g)
{
	int k = resource_field_index(g->m, g->m->key_field);
	json_t *f = json_loads(g->fields, 0, NULL), *cl = json_loads(g->clear, 0, NULL);
	int granted = 0, clear = 0;
	size_t i;
	json_t *v;

	json_array_foreach(f, i, v) granted |= strcmp(json_string_value(v), g->m->key_field) == 0;
	json_array_foreach(cl, i, v) clear |= strcmp(json_string_value(v), g->m->key_field) == 0;
	json_decref(f);
	json_decref(cl);
	return granted && k >= 0 && (g->m->fields[k].sens < SENS_PERSONAL || clear);
}

/* A row key as the subscriber may see it: the key itself when the grant
 * gives the key field in clear, else "p" and 32 hex of HMAC-SM3 under the
 * subscription's secret (stable, so updates still meet their row, but not
 * a masked ID number that could be brute-forced back). */
static void
feed_key(const struct xs_grant *g, int clear, const char *key, char out[RESOURCE_KEY_MAX])
{
	unsigned char mac[SM3_LEN];
	static const char hex[] = "0123456789abcdef";

	if (clear) {
		snprintf(out, RESOURCE_KEY_MAX, "%s", key);
		return;
	}
	sm3_hmac(g->salt, strlen(g->salt), key, strlen(key), mac);
	out[0] = 'p';
	for (int i = 0; i < 16; i++) {
		out[1 + 2 * i] = hex[mac[i] >> 4];
		out[2 + 2 * i] = hex[mac[i] & 15];
	}
	out[33] = '\0';
}

int
xshare_serve_feed(db_conn *c, const struct envelope *e, json_t *body, json_t **out,
		  struct zt_err *err)
{
	json_t *jid = json_object_get(body, "subscription"),
	       *jafter = json_object_get(body, "after");
	json_t *jlimit = json_object_get(body, "limit");
	struct xs_grant g;
	struct share_plan *plan = NULL;
	char *codes = NULL, path[RESOURCE_FIELD_NAME + 4], query[64];
	const char **subjects = NULL;
	json_t *items = NULL;
	int rc, nsub = 0, pg = db_kind() == DB_PG;

	*out = NULL;
	if (!json_is_integer(jid) || json_integer_value(jid) <= 0)
		return err_set(err, ZT_EINVAL, "subscription", "required",
			       "the subscription's id at this node");
	if (!json_is_integer(jafter) || json_integer_value(jafter) < 0)
		return err_set(err, ZT_EINVAL, "after", "required",
			       "the cursor: the last seq received (0 at first)");
	if (jlimit && (!json_is_integer(jlimit) || json_integer_value(jlimit) < 1 ||
		       json_integer_value(jlimit) > XSHARE_FEED_MAX))
		return err_set(err, ZT_EINVAL, "limit", "range", "1 to %d rows", XSHARE_FEED_MAX);
	int64_t id = json_integer_value(jid), after = json_integer_value(jafter);
	int limit = jlimit ? (int)json_integer_value(jlimit) : XSHARE_FEED_PAGE;
	if ((rc = xs_grant_load(c, e->sender, id, 1, &g, err)) < 0)
		return rc;
	if (g.m->region_field[0] == '\0') {
		rc = err_set(err, ZT_ERULE, "", "no_region_field",
			     "the resource no longer names a region field");
		goto out;
	}
	if ((plan = xs_grant_plan(&g)) == NULL) {
		rc = err_set(err, ZT_EINTERNAL, "", "corrupt", "subscription %lld unreadable",
			     (long long)id);
		goto out;
	}
	int clear_key = key_in_clear(&g);
	if ((codes = region_set(c, g.regions, err)) == NULL) {
		rc = err->code;
		goto out;
	}
	snprintf(path, sizeof(path), pg ? "%s" : "$.%s", g.m->region_field);
	/* One statement, one snapshot: the page and the snapshot's top seq. */
	db_stmt *s =
	    db_prepare(c,
		       pg ? "SELECT t.top, r.key, r.seq, r.subject, r.data FROM"
			    " (SELECT coalesce(max(seq), 0) AS top FROM resource_rows WHERE "
			    "resource_id = ?1) t"
			    " LEFT JOIN (SELECT key, seq, subject, data FROM resource_rows"
			    " WHERE resource_id = ?1 AND seq > ?2"
			    " AND (CAST(data AS jsonb) ->> CAST(?3 AS TEXT)) IN"
			    " (SELECT jsonb_array_elements_text(CAST(?4 AS jsonb)))"
			    " ORDER BY seq LIMIT ?5) r ON 1 = 1 ORDER BY r.seq"
			  : "SELECT t.top, r.key, r.seq, r.subject, r.data FROM"
			    " (SELECT coalesce(max(seq), 0) AS top FROM resource_rows WHERE "
			    "resource_id = ?1) t"
			    " LEFT JOIN (SELECT key, seq, subject, data FROM resource_rows"
			    " WHERE resource_id = ?1 AND seq > ?2"
			    " AND json_extract(data, ?3) IN (SELECT value FROM json_each(?4))"
			    " ORDER BY seq LIMIT ?5) r ON 1 = 1 ORDER BY r.seq",
		       err);
	if (s == NULL) {
		rc = err->code;
		goto out;
	}
	db_bind_int(s, 1, g.resource_id);
	db_bind_int(s, 2, after);
	db_bind_text(s, 3, path);
	db_bind_text(s, 4, codes);
	db_bind_int(s, 5, limit + 1);
	items = json_array();
	subjects = xcalloc((size_t)limit + 1, sizeof(*subjects));
	int64_t top = 0, last = after;
	int n = 0, more = 0;
	while ((rc = db_step(s, err)) == DB_ROW) {
		top = db_col_int(s, 0);
		if (db_col_isnull(s, 2))
			continue; /* no row matched */
		if (n == limit) {
			more = 1;
			break;
		}
		last = db_col_int(s, 2);
		if (!db_col_isnull(s, 3)) {
			const char *sub = db_col_text(s, 3);
			int dup = 0;
			for (int k = 0; k < nsub && !dup; k++)
				dup = strcmp(subjects[k], sub) == 0;
			if (!dup)
				subjects[nsub++] = xstrdup(sub);
		}
		/* Rows are stored encrypted, personal keys as blind indexes
		 * (crypto/fieldenc.h): the key sent, or its pseudonym, is made
		 * from the clear key inside the decrypted data. */
		char fkey[RESOURCE_KEY_MAX], ckey[RESOURCE_KEY_MAX];
		json_t *src = resource_data_load(db_col_text(s, 4), err);
		json_t *row = src ? share_plan_render(plan, db_col_text(s, 4)) : NULL;
		if (row == NULL) {
			json_decref(src);
			db_reset(s);
			rc = err_set(
			    err, ZT_EINTERNAL, "", "integrity",
			    "a stored row failed its integrity check; the page is not sent");
			goto out;
		}
		json_t *kv = json_object_get(src, g.m->key_field);
		if (json_is_integer(kv))
			snprintf(ckey, sizeof(ckey), "%lld", (long long)json_integer_value(kv));
		else
			snprintf(ckey, sizeof(ckey), "%s",
				 json_is_string(kv) ? json_string_value(kv) : db_col_text(s, 1));
		json_decref(src);
		feed_key(&g, clear_key, ckey, fkey);
		json_array_append_new(items, json_pack("{s:s, s:I, s:o}", "key", fkey, "seq",
						       (json_int_t)last, "row", row));
		n++;
	}
	db_reset(s);
	if (rc < 0)
		goto out;
	int64_t next = more ? last : (top > after ? top : after);
	if (n > 0) {
		/* A page that carries rows is an access: recorded before the
		 * answer, with its data subjects. */
		int64_t served;
		snprintf(query, sizeof(query), "after=%lld&next=%lld", (long long)after,
			 (long long)next);
		struct xs_served v = {id, g.resource_id, "feed", FEED_BY, g.purpose, query,
				      n,  subjects,	 nsub};
		if ((rc = xs_write_served(e, &v, &served, err)) < 0)
			goto out;
	}
	*out = json_pack("{s:I, s:I, s:I, s:b, s:O}", "subscription", (json_int_t)id, "after",
			 (json_int_t)after, "next", (json_int_t)next, "more", more, "items", items);
	rc = 0;
out:
	for (int k = 0; k < nsub; k++)
		free((char *)subjects[k]);
	free(subjects);
	json_decref(items);
	free(codes);
	share_plan_free(plan);
	xs_grant_free(&g);
	return rc;
}

/* ==== subscriber: pulling ==== */

/* Per-process state of a subscription's pulls (not durable: the cursor
 * is in the database). */
struct pull_state {
	int64_t id;
	int64_t next_at; /* monotonic ms: not before */
	int failures;
	int64_t written_at; /* monotonic ms of the last sync write */
	char error[256];    /* the error last written ("" = none) */
};

static pthread_mutex_t pull_mu = PTHREAD_MUTEX_INITIALIZER;
static struct pull_state states[SUBS_MAX];
static int nstates;

static int64_t
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Keeps the states of the subscriptions of this pass (ids, n), in their
 * order, and forgets the others (revoked, refused): states[i] is ids[i]'s. */
static void
states_keep(const int64_t *ids, int n)
{
	static struct pull_state next[SUBS_MAX];

	for (int i = 0; i < n; i++) {
		memset(&next[i], 0, sizeof(next[i]));
		next[i].id = ids[i];
		for (int k = 0; k < nstates; k++)
			if (states[k].id == ids[i]) {
				next[i] = states[k];
				break;
			}
	}
	memcpy(states, next, (size_t)n * sizeof(states[0]));
	nstates = n;
}

struct apply_job {
	int64_t id, after, next;
	json_t *items;
	int applied;
};

static int
tx_apply(db_conn *c, void *arg, struct zt_err *err)
{
	struct apply_job *j = arg;
	int64_t now = clock_now();
	size_t i;
	json_t *it;
	int rc;

	j->applied = 0;
	/* The grant's clear fields: their values are stored encrypted. */
	db_stmt *q =
	    db_prepare(c, "SELECT clear_fields FROM fed_share_requests WHERE id = ?1", err);
	if (q == NULL)
		return err->code;
	db_bind_int(q, 1, j->id);
	if ((rc = db_step(q, err)) < 0)
		return rc;
	json_t *clear = rc == DB_ROW ? json_loads(db_col_text(q, 0), 0, NULL) : NULL;
	db_reset(q);
	json_array_foreach(j->items, i, it)
	{
		char skey[RESOURCE_KEY_MAX];
		json_t *row = json_deep_copy(json_object_get(it, "row"));
		xshare_row_seal(row, clear, json_string_value(json_object_get(it, "key")), skey,
				sizeof(skey));
		char *data = json_dumps(row, JSON_COMPACT | JSON_SORT_KEYS);
		json_decref(row);
		db_stmt *s = db_prepare(
		    c,
		    "INSERT INTO fed_rows (request_id, key, seq, data, received_at)"
		    " VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (request_id, key) DO UPDATE"
		    " SET seq = excluded.seq, data = excluded.data, received_at = "
		    "excluded.received_at"
		    " WHERE fed_rows.seq < excluded.seq",
		    err);
		if (s == NULL) {
			free(data);
			json_decref(clear);
			return err->code;
		}
		db_bind_int(s, 1, j->id);
		db_bind_text(s, 2, skey);
		db_bind_int(s, 3, json_integer_value(json_object_get(it, "seq")));
		db_bind_text(s, 4, data);
		db_bind_int(s, 5, now);
		rc = db_step(s, err);
		free(data);
		if (rc < 0) {
			json_decref(clear);
			return rc;
		}
		j->applied += (int)db_changes(c);
	}
	json_decref(clear);
	/* The cursor moves only from where this page started, and only while
	 * the subscription is granted: a page applied by another process, or
	 * after a revocation, rolls back whole. */
	db_stmt *s = db_prepare(c,
				"UPDATE fed_share_requests SET feed_cursor = ?3,"
				" received = received + ?4, synced_at = ?5, sync_error = NULL,"
				" sync_error_at = NULL WHERE id = ?1 AND feed_cursor = ?2"
				" AND state = 'granted'",
				err);
	if (s == NULL)
		return err->code;
	db_bind_int(s, 1, j->id);
	db_bind_int(s, 2, j->after);
	db_bind_int(s, 3, j->next);
	db_bind_int(s, 4, j->applied);
	db_bind_int(s, 5, now);
	if ((rc = db_step(s, err)) < 0)
		return rc;
	if (db_changes(c) != 1)
		return err_set(err, ZT_ECONFLICT, "", "cursor_moved",
			       "the subscription's cursor moved or it is no longer granted");
	return 0;
}

struct error_job {
	int64_t id;
	const char *error;
};

static int
tx_error(db_conn *c, void *arg, struct zt_err *err)
{
	struct error_job *j = arg;
	db_stmt *s = db_prepare(c,
				"UPDATE fed_share_requests SET sync_error = ?2, sync_error_at = ?3"
				" WHERE id = ?1",
				err);

	if (s == NULL)
		return err->code;
	db_bind_int(s, 1, j->id);
	db_bind_text(s, 2, j->error);
	db_bind_int(s, 3, clock_now());
	int rc = db_step(s, err);
	return rc < 0 ? rc : 0;
}

/* A failed pull: remembered (written once per new error) and backed off. */
static void pull_failed(struct pull_state *st, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
pull_failed(struct pull_state *st, const char *fmt, ...)
{
	char msg[256];
	va_list ap;
	struct zt_err err;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	st->failures++;
	int64_t wait = 1;
	for (int i = 1; i < st->failures && wait < BACKOFF_MAX; i++)
		wait *= 2;
	if (wait > BACKOFF_MAX)
		wait = BACKOFF_MAX;
	st->next_at = mono_ms() + wait * 1000;
	if (strcmp(st->error, msg) == 0)
		return;
	struct error_job j = {st->id, msg};
	err_clear(&err);
	if (db_write(tx_error, &j, &err) == 0)
		snprintf(st->error, sizeof(st->error), "%s", msg);
	log_warn("flow-back: subscription %lld: %s", (long long)st->id, msg);
}

/* Checks a feed answer against the request: items with keys, seqs in
 * (after, next] in increasing order, rows as objects. */
static int
answer_ok(json_t *ans, int64_t after, int64_t *next, int *more)
{
	json_t *items = json_object_get(ans, "items"), *it;
	json_t *jn = json_object_get(ans, "next");
	size_t i;
	int64_t prev = after;

	if (!json_is_array(items) || !json_is_integer(jn) ||
	    json_integer_value(json_object_get(ans, "after")) != after)
		return 0;
	*next = json_integer_value(jn);
	*more = json_is_true(json_object_get(ans, "more"));
	if (*next < after)
		return 0;
	json_array_foreach(items, i, it)
	{
		json_t *seq = json_object_get(it, "seq");
		const char *key = json_string_value(json_object_get(it, "key"));
		if (!json_is_integer(seq) || json_integer_value(seq) <= prev ||
		    json_integer_value(seq) > *next || key == NULL || *key == '\0' ||
		    strlen(key) >= RESOURCE_KEY_MAX || !json_is_object(json_object_get(it, "row")))
			return 0;
		prev = json_integer_value(seq);
	}
	return 1;
}

struct sub {
	int64_t id, remote, cursor;
	char provider[8];
};

/* Pulls one subscription up to XSHARE_PAGES_TICK pages. Returns the rows
 * applied (>= 0). */
static int
pull_one(const struct sub *sb, struct pull_state *st)
{
	int64_t cursor = sb->cursor;
	int total = 0;

	for (int page = 0; page < XSHARE_PAGES_TICK; page++) {
		struct zt_err err;
		json_t *ans = NULL;
		long status = 0;
		int64_t next = 0;
		int more = 0;

		err_clear(&err);
		json_t *body = json_pack("{s:I, s:I, s:i}", "subscription", (json_int_t)sb->remote,
					 "after", (json_int_t)cursor, "limit", XSHARE_FEED_PAGE);
		int rc =
		    fed_call(sb->provider, "POST", XSHARE_FEED_PATH, body, &status, &ans, &err);
		json_decref(body);
		if (rc < 0) {
			pull_failed(st, "%s", err.msg);
			return total;
		}
		if (status != 200) {
			const char *reason = ans ? xs_problem_reason(ans) : NULL;
			const char *detail = json_string_value(json_object_get(ans, "detail"));
			pull_failed(st, "HTTP %ld %s%s%s", status, reason ? reason : "",
				    detail ? ": " : "", detail ? detail : "");
			json_decref(ans);
			return total;
		}
		if (!answer_ok(ans, cursor, &next, &more)) {
			pull_failed(st, "the provider's feed answer is malformed");
			json_decref(ans);
			return total;
		}
		json_t *items = json_object_get(ans, "items");
		int64_t now = mono_ms();
		int idle = json_array_size(items) == 0 && next == cursor;
		if (idle && st->error[0] == '\0' && now - st->written_at < RESYNC_WRITE * 1000) {
			json_decref(ans);
			st->failures = 0;
			return total; /* nothing new: no write */
		}
		struct apply_job j = {sb->id, cursor, next, items, 0};
		rc = db_write(tx_apply, &j, &err);
		json_decref(ans);
		if (rc == ZT_ECONFLICT)
			return total; /* another process moved it, or revoked */
		if (rc < 0) {
			pull_failed(st, "storing the page failed: %s", err.msg);
			return total;
		}
		st->failures = 0;
		st->error[0] = '\0';
		st->written_at = now;
		total += j.applied;
		cursor = next;
		if (!more)
			break;
	}
	return total;
}

int
xshare_pull_all(struct zt_err *err)
{
	struct sub *subs = xcalloc(SUBS_MAX, sizeof(*subs));
	int n = 0, rc, total = 0;

	db_conn *c = db_read_acquire();
	if (c == NULL) {
		free(subs);
		return err_set(err, ZT_EUNAVAIL, "", "db", "no database connection");
	}
	db_stmt *s =
	    db_prepare(c,
		       "SELECT id, remote_id, feed_cursor, provider_region FROM fed_share_requests"
		       " WHERE kind = 'subscription' AND state = 'granted'"
		       " AND remote_id IS NOT NULL ORDER BY id LIMIT ?1",
		       err);
	if (s == NULL) {
		db_read_release(c);
		free(subs);
		return err->code;
	}
	db_bind_int(s, 1, SUBS_MAX);
	while ((rc = db_step(s, err)) == DB_ROW && n < SUBS_MAX) {
		subs[n].id = db_col_int(s, 0);
		subs[n].remote = db_col_int(s, 1);
		subs[n].cursor = db_col_int(s, 2);
		snprintf(subs[n].provider, sizeof(subs[n].provider), "%s", db_col_text(s, 3));
		n++;
	}
	db_reset(s);
	db_read_release(c);
	if (rc < 0) {
		free(subs);
		return rc;
	}
	pthread_mutex_lock(&pull_mu);
	int64_t *ids = xcalloc((size_t)(n ? n : 1), sizeof(*ids));
	for (int i = 0; i < n; i++)
		ids[i] = subs[i].id;
	states_keep(ids, n);
	free(ids);
	int64_t now = mono_ms();
	for (int i = 0; i < n; i++) {
		if (states[i].next_at > now)
			continue;
		total += pull_one(&subs[i], &states[i]);
	}
	pthread_mutex_unlock(&pull_mu);
	free(subs);
	return total;
}

void
xshare_tick(void)
{
	struct zt_err err;

	err_clear(&err);
	int n = xshare_pull_all(&err);
	if (n < 0)
		log_warn("flow-back: %s", err.msg);
	else if (n > 0)
		log_info("flow-back: %d row(s) received", n);
}

/* ==== subscriber: reading what arrived ==== */

json_t *
xshare_rows_json(db_conn *c, const struct principal *by, int64_t id, int limit, const char *cursor,
		 struct zt_err *err)
{
	char after[RESOURCE_KEY_MAX] = "";
	int rc;

	if (cursor) {
		int k = strlen(cursor) < 4 * RESOURCE_KEY_MAX / 3
			    ? b64url_decode(cursor, (unsigned char *)after, sizeof(after) - 1)
			    : -1;
		if (k <= 0 || memchr(after, '\0', (size_t)k)) {
			err_set(err, ZT_EINVAL, "cursor", "invalid", "invalid cursor");
			return NULL;
		}
		after[k] = '\0';
	}
	db_stmt *s =
	    db_prepare(c, "SELECT consumer_dept, kind FROM fed_share_requests WHERE id = ?1", err);
	if (s == NULL)
		return NULL;
	db_bind_int(s, 1, id);
	rc = db_step(s, err);
	int mine = rc == DB_ROW && db_col_int(s, 0) == by->dept_id &&
		   strcmp(db_col_text(s, 1), "subscription") == 0;
	db_reset(s);
	if (rc < 0)
		return NULL;
	if (rc != DB_ROW) {
		err_set(err, ZT_ENOTFOUND, "", "not_found", "no such subscription");
		return NULL;
	}
	if (!mine) {
		err_set(err, ZT_EFORBIDDEN, "", "other_department",
			"the subscription belongs to another department");
		return NULL;
	}
	s = db_prepare(c,
		       "SELECT key, seq, data, received_at FROM fed_rows WHERE request_id = ?1"
		       " AND key > ?2 ORDER BY key LIMIT ?3",
		       err);
	if (s == NULL)
		return NULL;
	db_bind_int(s, 1, id);
	db_bind_text(s, 2, after);
	db_bind_int(s, 3, limit + 1);
	json_t *items = json_array();
	int n = 0, more = 0;
	char last[RESOURCE_KEY_MAX] = "";
	while ((rc = db_step(s, err)) == DB_ROW) {
		if (n++ == limit) {
			more = 1;
			break;
		}
		snprintf(last, sizeof(last), "%s", db_col_text(s, 0));
		/* Stored sealed (xshare_row_seal): opened here, the key as
		 * received found again from the row. */
		char key[RESOURCE_KEY_MAX];
		json_t *row = resource_data_load(db_col_text(s, 2), err);
		if (row == NULL || xshare_row_key(row, last, key, sizeof(key)) < 0) {
			json_decref(row);
			rc = err_set(err, ZT_EINTERNAL, "", "integrity",
				     "a stored row failed its integrity check");
			break;
		}
		json_array_append_new(items, json_pack("{s:s, s:I, s:o, s:o}", "key", key, "seq",
						       (json_int_t)db_col_int(s, 1), "row", row,
						       "received_at", xs_col_time(s, 3)));
	}
	db_reset(s);
	if (rc < 0) {
		json_decref(items);
		return NULL;
	}
	json_t *o = json_pack("{s:o}", "items", items);
	if (more) {
		char enc[RESOURCE_KEY_MAX * 4 / 3 + 4];
		b64url_encode((const unsigned char *)last, strlen(last), enc);
		json_object_set_new(o, "next", json_string(enc));
	} else
		json_object_set_new(o, "next", json_null());
	return o;
}

/* ==== subscriber: received rows at rest ==== */

/* The text of a row value as a key: strings as they are, integers in
 * decimal. 0 for other values. */
static int
value_text(json_t *v, char *out, size_t cap)
{
	if (json_is_string(v))
		snprintf(out, cap, "%s", json_string_value(v));
	else if (json_is_integer(v))
		snprintf(out, cap, "%lld", (long long)json_integer_value(v));
	else
		return 0;
	return 1;
}

void
xshare_row_seal(json_t *row, json_t *clear_fields, const char *key, char *stored_key, size_t cap)
{
	size_t i;
	json_t *f;
	int personal = 0;

	json_array_foreach(clear_fields, i, f)
	{
		const char *name = json_string_value(f);
		json_t *v = name ? json_object_get(row, name) : NULL;
		char t[RESOURCE_KEY_MAX];
		if (v == NULL || json_is_null(v) ||
		    (json_is_string(v) && fieldenc_is_enc(json_string_value(v))))
			continue;
		if (key && value_text(v, t, sizeof(t)) && strcmp(t, key) == 0)
			personal = 1;
		char *text = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
		char *enc = fieldenc_encrypt_str(text);
		json_object_set_new(row, name, json_string(enc));
		free(enc);
		free(text);
	}
	if (personal && !fieldenc_is_index(key)) {
		char idx[FIELDENC_IDX_LEN];
		fieldenc_index(key, idx);
		snprintf(stored_key, cap, "%s", idx);
	} else
		snprintf(stored_key, cap, "%s", key ? key : "");
}

int
xshare_row_key(json_t *row, const char *stored_key, char *out, size_t cap)
{
	const char *k;
	json_t *v;
	int ver = fieldenc_index_version_of(stored_key);

	if (!fieldenc_is_index(stored_key)) {
		snprintf(out, cap, "%s", stored_key);
		return 0;
	}
	json_object_foreach(row, k, v)
	{
		char t[RESOURCE_KEY_MAX], idx[FIELDENC_IDX_LEN];
		if (value_text(v, t, sizeof(t)) && fieldenc_index_ver(ver, t, idx) == 0 &&
		    strcmp(idx, stored_key) == 0) {
			snprintf(out, cap, "%s", t);
			return 0;
		}
	}
	return -1;
}
