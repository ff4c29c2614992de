/* catalog.c - catalog up: the feed, the pull into fed_catalog, the search
 * and the remote guide (see catalog.h, docs/federation-catalog.md). */
#include "fed/catalog.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/clock.h"
#include "base/config.h"
#include "base/log.h"
#include "base/page.h"
#include "base/utf8.h"
#include "domain/principal.h"
#include "domain/resource.h"
#include "domain/service.h"
#include "fed/client.h"
#include "fed/node.h"

#define MAX_TERMS      5  /* search words */
#define MAX_CHILDREN   64 /* child nodes whose pull state is kept */
#define MAX_NODES      4096
#define PAGES_PER_PULL 10      /* feed pages read from one child per tick */
#define PULL_EVERY_MS  1000ULL /* a child's feed is read at most this often... */
#define DOWN_RETRY_MS  3000ULL /* ...and this often while it does not answer */

/* Columns 1..18 of the unions below, shared by the feed and the search:
 * column 0 is the change number (feed) or the origin node (search). */
enum {
	COL_KIND = 1,
	COL_ID,
	COL_CODE,
	COL_NAME,
	COL_SUMMARY,
	COL_DEPT,
	COL_REGION,
	COL_STATUS,
	COL_ITEM_TYPE,
	COL_CROSS,
	COL_PROMISED,
	COL_DEPTH,
	COL_VISITS,
	COL_SHARE,
	COL_OPEN,
	COL_CYCLE,
	COL_UPDATED,
	COL_ENTRY,
	NCOLS
};

/* This node's own services (not drafts) and resources, then the entries
 * held from below. WHERE clauses are filled in by each user. A service's
 * summary is the first 120 characters of its 受理条件. */
#define OWN_SERVICES                                                                               \
	" 'service' AS kind, i.id AS id, i.code AS code, i.name AS name,"                          \
	" substr(i.conditions, 1, 120) AS summary, d.name AS dept_name,"                           \
	" i.region_code AS region_code, i.status AS status, i.type AS item_type,"                  \
	" i.cross_modes AS cross_modes, i.promised_days AS promised_days, i.depth AS depth,"       \
	" i.max_visits AS max_visits, NULL AS share_type, NULL AS open_type,"                      \
	" NULL AS update_cycle, i.updated_at AS updated_at, NULL AS entry"                         \
	" FROM service_items i JOIN departments d ON d.id = i.dept_id"
#define OWN_RESOURCES                                                                              \
	" 'resource' AS kind, r.id AS id, r.code AS code, r.name AS name, r.summary AS summary,"   \
	" d.name AS dept_name, d.region_code AS region_code, 'published' AS status,"               \
	" NULL AS item_type, 0 AS cross_modes, NULL AS promised_days, NULL AS depth,"              \
	" NULL AS max_visits, r.share_type AS share_type, r.open_type AS open_type,"               \
	" r.update_cycle AS update_cycle, r.updated_at AS updated_at, NULL AS entry"               \
	" FROM data_resources r JOIN departments d ON d.id = r.dept_id"
#define HELD_ENTRIES                                                                               \
	" c.kind AS kind, NULL AS id, c.code AS code, c.name AS name, c.summary AS summary,"       \
	" c.dept_name AS dept_name, c.region_code AS region_code, c.status AS status,"             \
	" NULL AS item_type, c.cross_modes AS cross_modes, NULL AS promised_days, NULL AS depth,"  \
	" NULL AS max_visits, NULL AS share_type, NULL AS open_type, NULL AS update_cycle,"        \
	" NULL AS updated_at, c.entry AS entry FROM fed_catalog c"

/* ---- small helpers ---- */

static int
in_list(const char *s, const char *const *list)
{
	for (int i = 0; s && list[i]; i++)
		if (strcmp(s, list[i]) == 0)
			return i;
	return -1;
}

static int
region_valid(const char *s)
{
	return s && strlen(s) == 6 && strspn(s, "0123456789") == 6;
}

int
catalog_code_valid(const char *s)
{
	size_t n = s ? strlen(s) : 0;
	return n >= 1 && n <= CATALOG_CODE_MAX &&
	       strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-") == n;
}

int
catalog_cursor_parse(const char *s, const char *field, int64_t *out, struct zt_err *err)
{
	*out = 0;
	if (s == NULL)
		return 0;
	size_t n = strlen(s);
	if (n == 0 || n > 18 || strspn(s, "0123456789") != n)
		return err_set(err, ZT_EINVAL, field, "invalid", "%s is a cursor from a feed page",
			       field);
	*out = strtoll(s, NULL, 10);
	return 0;
}

/* node_meta key, "" when absent. */
static int
meta(db_conn *c, const char *key, char *out, size_t cap, struct zt_err *err)
{
	out[0] = '\0';
	int rc = node_meta_get(c, key, out, cap, err);
	if (rc == 0)
		out[0] = '\0';
	return rc < 0 ? rc : 0;
}

int
catalog_is_parent(db_conn *c, const char *region, struct zt_err *err)
{
	char parent[8];
	int rc;

	if ((rc = meta(c, "fed_parent", parent, sizeof(parent), err)) < 0)
		return rc;
	if (parent[0] == '\0') {
		db_stmt *s = db_prepare(c,
					"SELECT parent_region FROM fed_nodes WHERE region_code = ?1"
					" AND parent_region IS NOT NULL",
					err);
		if (s == NULL)
			return err->code;
		db_bind_text(s, 1, fed_self());
		if ((rc = db_step(s, err)) == DB_ROW)
			snprintf(parent, sizeof(parent), "%s", db_col_text(s, 0));
		db_reset(s);
		if (rc < 0)
			return rc;
	}
	return parent[0] != '\0' && strcmp(parent, region) == 0;
}

/* The entry of one of this node's own rows (columns as above). base_url:
 * this node's address ("" = unknown). */
static json_t *
own_entry(db_stmt *s, const char *self, const char *base_url)
{
	char upd[32];
	int service = strcmp(db_col_text(s, COL_KIND), "service") == 0;
	const char *st = db_col_text(s, COL_STATUS);

	time_format(db_col_int(s, COL_UPDATED), upd);
	json_t *e = json_pack(
	    "{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "kind",
	    service ? "service" : "resource", "origin_region", self, "code",
	    db_col_text(s, COL_CODE), "name", db_col_text(s, COL_NAME), "dept_name",
	    db_col_text(s, COL_DEPT), "region_code", db_col_text(s, COL_REGION), "status",
	    strcmp(st, "published") == 0 ? "published" : "withdrawn", "summary",
	    db_col_text(s, COL_SUMMARY) ? db_col_text(s, COL_SUMMARY) : "", "updated_at", upd);
	if (service) {
		json_object_set_new(e, "item_type", json_string(db_col_text(s, COL_ITEM_TYPE)));
		json_object_set_new(
		    e, "cross_modes",
		    service_names_from_bits((unsigned)db_col_int(s, COL_CROSS), cross_mode_names));
		json_object_set_new(e, "promised_days", json_integer(db_col_int(s, COL_PROMISED)));
		json_object_set_new(e, "depth", json_integer(db_col_int(s, COL_DEPTH)));
		json_object_set_new(e, "max_visits", json_integer(db_col_int(s, COL_VISITS)));
		if (base_url[0]) {
			size_t n = strlen(base_url);
			if (base_url[n - 1] == '/')
				n--;
			json_object_set_new(e, "guide_url",
					    json_sprintf("%.*s/#/services/%lld", (int)n, base_url,
							 (long long)db_col_int(s, COL_ID)));
		} else
			json_object_set_new(e, "guide_url", json_null());
	} else {
		json_object_set_new(e, "share_type", json_string(db_col_text(s, COL_SHARE)));
		json_object_set_new(e, "open_type", json_string(db_col_text(s, COL_OPEN)));
		json_object_set_new(e, "update_cycle", json_string(db_col_text(s, COL_CYCLE)));
	}
	return e;
}

/* The entry of a row: a held entry as stored, an own row built. */
static json_t *
row_entry(db_stmt *s, const char *self, const char *base_url)
{
	if (!db_col_isnull(s, COL_ENTRY)) {
		json_t *e = json_loads(db_col_text(s, COL_ENTRY), 0, NULL);
		if (e)
			return e;
		log_warn("catalog: a stored entry %s is not JSON", db_col_text(s, COL_CODE));
		return json_pack("{s:s, s:s}", "kind", db_col_text(s, COL_KIND), "code",
				 db_col_text(s, COL_CODE));
	}
	return own_entry(s, self, base_url);
}

/* ---- the feed ---- */

json_t *
catalog_feed(db_conn *c, int64_t after, int limit, struct zt_err *err)
{
	char url[NODE_URL_MAX];
	char last[24] = "";
	const char *self = fed_self();

	err_clear(err);
	if (meta(c, "fed_url", url, sizeof(url), err) < 0)
		return NULL;
	int64_t head =
	    db_query_int(c,
			 "SELECT max(m) FROM (SELECT coalesce(max(fed_seq), 0) AS m FROM"
			 " service_items UNION ALL SELECT coalesce(max(fed_seq), 0) FROM"
			 " data_resources UNION ALL SELECT coalesce(max(fed_seq), 0) FROM"
			 " fed_catalog) t",
			 0, err);
	if (err->code < 0)
		return NULL;
	db_stmt *s = db_prepare(c,
				"SELECT * FROM ("
				"SELECT i.fed_seq AS seq," OWN_SERVICES
				" WHERE i.fed_seq > ?1 AND i.status <> 'draft'"
				" UNION ALL SELECT r.fed_seq," OWN_RESOURCES " WHERE r.fed_seq > ?1"
				" UNION ALL SELECT c.fed_seq," HELD_ENTRIES " WHERE c.fed_seq > ?1"
				") x ORDER BY seq LIMIT ?2",
				err);
	if (s == NULL)
		return NULL;
	db_bind_int(s, 1, after);
	db_bind_int(s, 2, limit);
	json_t *entries = json_array();
	int rc;
	while ((rc = db_step(s, err)) == DB_ROW) {
		json_array_append_new(entries, row_entry(s, self, url));
		snprintf(last, sizeof(last), "%lld", (long long)db_col_int(s, 0));
	}
	db_reset(s);
	if (rc < 0) {
		json_decref(entries);
		return NULL;
	}
	json_t *o = json_object();
	json_object_set_new(o, "entries", entries);
	json_object_set_new(o, "next", last[0] ? json_string(last) : json_null());
	json_object_set_new(o, "head", json_sprintf("%lld", (long long)head));
	return o;
}

/* ---- the pull (parent side) ---- */

/* The registry's tree: region -> parent, to check that an entry's origin
 * is the child itself or a node below it. */
struct tree {
	int n;
	char region[MAX_NODES][8];
	char parent[MAX_NODES][8];
};

static int
tree_load(struct tree *t, struct zt_err *err)
{
	db_conn *c = db_read_acquire();
	if (c == NULL)
		return err_set(err, ZT_EUNAVAIL, "", "db", "no database connection");
	t->n = 0;
	db_stmt *s = db_prepare(c,
				"SELECT region_code, coalesce(parent_region, '') FROM fed_nodes"
				" WHERE status = 'active'",
				err);
	if (s == NULL) {
		db_read_release(c);
		return err->code;
	}
	int rc;
	while ((rc = db_step(s, err)) == DB_ROW && t->n < MAX_NODES) {
		snprintf(t->region[t->n], 8, "%s", db_col_text(s, 0));
		snprintf(t->parent[t->n], 8, "%s", db_col_text(s, 1));
		t->n++;
	}
	db_reset(s);
	db_read_release(c);
	return rc < 0 ? rc : 0;
}

/* 1 if origin is child or a node below it in the registry. */
static int
tree_below(const struct tree *t, const char *origin, const char *child)
{
	char cur[8];

	snprintf(cur, sizeof(cur), "%s", origin);
	for (int depth = 0; depth < 8; depth++) {
		if (strcmp(cur, child) == 0)
			return 1;
		int i;
		for (i = 0; i < t->n && strcmp(t->region[i], cur) != 0; i++)
			;
		if (i == t->n || t->parent[i][0] == '\0')
			return 0;
		memcpy(cur, t->parent[i], sizeof(cur));
	}
	return 0;
}

static const char *
str_member(json_t *o, const char *key, long minlen, long maxlen)
{
	json_t *v = json_object_get(o, key);
	const char *s = json_is_string(v) ? json_string_value(v) : NULL;
	if (s == NULL)
		return NULL;
	long n = utf8_len(s);
	return n >= minlen && n <= maxlen ? s : NULL;
}

static int
int_member(json_t *o, const char *key, int64_t min, int64_t max, int64_t *out)
{
	json_t *v = json_object_get(o, key);
	if (!json_is_integer(v) || json_integer_value(v) < min || json_integer_value(v) > max)
		return -1;
	*out = json_integer_value(v);
	return 0;
}

/* A checked copy of a received entry with only the members this version
 * knows, or NULL (*why names the member that is wrong). */
static json_t *
entry_check(json_t *e, const struct tree *t, const char *child, const char **why)
{
	static const char *const kinds[] = {"service", "resource", NULL};
	static const char *const statuses[] = {"published", "withdrawn", NULL};
	const char *kind, *origin, *code, *name, *dept, *region, *status, *summary, *upd;
	json_t *out = NULL;

	*why = "entry";
	if (!json_is_object(e))
		goto bad;
	*why = "kind";
	if (in_list(kind = str_member(e, "kind", 1, 16), kinds) < 0)
		goto bad;
	*why = "origin_region";
	if (!region_valid(origin = str_member(e, "origin_region", 6, 6)))
		goto bad;
	*why = "origin_region (neither the child nor a node below it)";
	if (!tree_below(t, origin, child))
		goto bad;
	*why = "code";
	if (!catalog_code_valid(code = str_member(e, "code", 1, CATALOG_CODE_MAX)))
		goto bad;
	*why = "name";
	if ((name = str_member(e, "name", 1, 200)) == NULL)
		goto bad;
	*why = "dept_name";
	if ((dept = str_member(e, "dept_name", 1, 200)) == NULL)
		goto bad;
	*why = "region_code";
	if (!region_valid(region = str_member(e, "region_code", 6, 6)))
		goto bad;
	*why = "status";
	if (in_list(status = str_member(e, "status", 1, 16), statuses) < 0)
		goto bad;
	*why = "summary";
	if ((summary = str_member(e, "summary", 0, 1000)) == NULL)
		goto bad;
	*why = "updated_at";
	if ((upd = str_member(e, "updated_at", 1, 40)) == NULL)
		goto bad;
	out = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "kind", kind,
			"origin_region", origin, "code", code, "name", name, "dept_name", dept,
			"region_code", region, "status", status, "summary", summary, "updated_at",
			upd);
	if (strcmp(kind, "service") == 0) {
		const char *type = str_member(e, "item_type", 2, 2);
		const char *guide = str_member(e, "guide_url", 8, 300);
		json_t *modes = json_object_get(e, "cross_modes");
		unsigned cross = 0;
		int64_t promised, depth, visits;
		*why = "item_type";
		if (in_list(type, service_types) < 0)
			goto bad;
		*why = "cross_modes";
		if (!json_is_array(modes) || json_array_size(modes) > 3 ||
		    service_bits_from_names(modes, cross_mode_names, &cross) < 0)
			goto bad;
		*why = "promised_days";
		if (int_member(e, "promised_days", 0, 365, &promised) < 0)
			goto bad;
		*why = "depth";
		if (int_member(e, "depth", 1, 7, &depth) < 0)
			goto bad;
		*why = "max_visits";
		if (int_member(e, "max_visits", 0, 10, &visits) < 0)
			goto bad;
		/* Only a web address is kept (the portal may show it as a link). */
		if (guide && strncmp(guide, "http://", 7) != 0 &&
		    strncmp(guide, "https://", 8) != 0)
			guide = NULL;
		json_object_set_new(out, "item_type", json_string(type));
		json_object_set_new(out, "cross_modes",
				    service_names_from_bits(cross, cross_mode_names));
		json_object_set_new(out, "promised_days", json_integer(promised));
		json_object_set_new(out, "depth", json_integer(depth));
		json_object_set_new(out, "max_visits", json_integer(visits));
		json_object_set_new(out, "guide_url", guide ? json_string(guide) : json_null());
	} else {
		const char *share = str_member(e, "share_type", 1, 16);
		const char *open = str_member(e, "open_type", 1, 16);
		const char *cycle = str_member(e, "update_cycle", 1, 16);
		*why = "share_type";
		if (in_list(share, share_type_names) < 0)
			goto bad;
		*why = "open_type";
		if (in_list(open, open_type_names) < 0)
			goto bad;
		*why = "update_cycle";
		if (in_list(cycle, update_cycle_names) < 0)
			goto bad;
		json_object_set_new(out, "share_type", json_string(share));
		json_object_set_new(out, "open_type", json_string(open));
		json_object_set_new(out, "update_cycle", json_string(cycle));
	}
	return out;
bad:
	json_decref(out);
	return NULL;
}

/* One feed page to apply, with the cursor it was read from. */
struct page {
	const char *child;
	const char *from; /* the cursor the page was asked with (NULL = start) */
	const char *next; /* the cursor to store (NULL: keep, or with reset: forget) */
	int reset;	  /* the child rewound: start again from the beginning */
	json_t *entries;  /* checked entries */
	int stale;	  /* out: the stored cursor had moved meanwhile; nothing done */
	int changed;	  /* out: rows inserted or changed */
};

static int
tx_apply_page(db_conn *c, void *arg, struct zt_err *err)
{
	struct page *p = arg;
	int rc;

	db_stmt *s =
	    db_prepare(c, "SELECT cursor FROM fed_catalog_cursors WHERE child_region = ?1", err);
	if (s == NULL)
		return err->code;
	db_bind_text(s, 1, p->child);
	rc = db_step(s, err);
	int same = rc == DB_ROW
		       ? (db_col_isnull(s, 0) ? p->from == NULL
					      : p->from && strcmp(db_col_text(s, 0), p->from) == 0)
		       : p->from == NULL;
	db_reset(s);
	if (rc < 0)
		return rc;
	if (!same) {
		p->stale = 1;
		return 0;
	}
	int64_t now = clock_now();
	size_t i;
	json_t *e;
	json_array_foreach(p->entries, i, e)
	{
		char *text = json_dumps(e, JSON_COMPACT | JSON_SORT_KEYS);
		s = db_prepare(
		    c,
		    "INSERT INTO fed_catalog (origin_region, via_region, kind, code, name, summary,"
		    " dept_name, region_code, status, cross_modes, entry, received_at)"
		    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)"
		    " ON CONFLICT (origin_region, kind, code) DO UPDATE SET"
		    " via_region = excluded.via_region, name = excluded.name,"
		    " summary = excluded.summary, dept_name = excluded.dept_name,"
		    " region_code = excluded.region_code, status = excluded.status,"
		    " cross_modes = excluded.cross_modes, entry = excluded.entry,"
		    " received_at = excluded.received_at"
		    " WHERE fed_catalog.entry <> excluded.entry"
		    " OR fed_catalog.via_region <> excluded.via_region",
		    err);
		if (s == NULL) {
			free(text);
			return err->code;
		}
		unsigned cross = 0;
		service_bits_from_names(json_object_get(e, "cross_modes"), cross_mode_names,
					&cross);
		db_bind_text(s, 1, json_string_value(json_object_get(e, "origin_region")));
		db_bind_text(s, 2, p->child);
		db_bind_text(s, 3, json_string_value(json_object_get(e, "kind")));
		db_bind_text(s, 4, json_string_value(json_object_get(e, "code")));
		db_bind_text(s, 5, json_string_value(json_object_get(e, "name")));
		db_bind_text(s, 6, json_string_value(json_object_get(e, "summary")));
		db_bind_text(s, 7, json_string_value(json_object_get(e, "dept_name")));
		db_bind_text(s, 8, json_string_value(json_object_get(e, "region_code")));
		db_bind_text(s, 9, json_string_value(json_object_get(e, "status")));
		db_bind_int(s, 10, cross);
		db_bind_text(s, 11, text);
		db_bind_int(s, 12, now);
		rc = db_step(s, err);
		db_reset(s);
		free(text);
		if (rc < 0)
			return rc;
		p->changed += (int)db_changes(c);
	}
	if (p->next == NULL && !p->reset)
		return 0; /* nothing new: the stored cursor stays */
	s = db_prepare(c,
		       "INSERT INTO fed_catalog_cursors (child_region, cursor, entries, pulled_at)"
		       " VALUES (?1, ?2, ?3, ?4) ON CONFLICT (child_region) DO UPDATE SET"
		       " cursor = excluded.cursor,"
		       " entries = fed_catalog_cursors.entries + excluded.entries,"
		       " pulled_at = excluded.pulled_at",
		       err);
	if (s == NULL)
		return err->code;
	db_bind_text(s, 1, p->child);
	db_bind_text(s, 2, p->reset ? NULL : p->next ? p->next : p->from);
	db_bind_int(s, 3, (int64_t)json_array_size(p->entries));
	db_bind_int(s, 4, now);
	rc = db_step(s, err);
	db_reset(s);
	return rc < 0 ? rc : 0;
}

/* What the parent remembers about one child between ticks. */
struct child {
	char region[8];
	uint64_t next_ns; /* not before (monotonic) */
	int down;	  /* its last pull failed: logged, quiet until it works */
};

static struct child children[MAX_CHILDREN];
static int nchildren;

static struct child *
child_state(const char *region)
{
	for (int i = 0; i < nchildren; i++)
		if (strcmp(children[i].region, region) == 0)
			return &children[i];
	if (nchildren == MAX_CHILDREN)
		return NULL;
	struct child *ch = &children[nchildren++];
	memset(ch, 0, sizeof(*ch));
	snprintf(ch->region, sizeof(ch->region), "%s", region);
	return ch;
}

/* The stored cursor of child into cur (cur[0] = 0 when none): 0 or error. */
static int
stored_cursor(const char *child, char *cur, size_t cap, struct zt_err *err)
{
	db_conn *c = db_read_acquire();
	cur[0] = '\0';
	if (c == NULL)
		return err_set(err, ZT_EUNAVAIL, "", "db", "no database connection");
	db_stmt *s =
	    db_prepare(c, "SELECT cursor FROM fed_catalog_cursors WHERE child_region = ?1", err);
	int rc = s ? 0 : err->code;
	if (s) {
		db_bind_text(s, 1, child);
		rc = db_step(s, err);
		if (rc == DB_ROW && !db_col_isnull(s, 0))
			snprintf(cur, cap, "%s", db_col_text(s, 0));
		db_reset(s);
	}
	db_read_release(c);
	return rc < 0 ? rc : 0;
}

/* Reads one page of child's feed and applies it. Returns 1 when the page
 * was full (more may wait), 0 when caught up, negative on failure (err
 * says why; a child's answer that is not a feed is ZT_EUNAVAIL). */
static int
pull_page(const char *child, const struct tree *t, struct zt_err *err)
{
	char from[24];
	long status;
	json_t *answer = NULL;
	int rc;

	if ((rc = stored_cursor(child, from, sizeof(from), err)) < 0)
		return rc;
	json_t *body = json_pack("{s:o, s:i}", "after", from[0] ? json_string(from) : json_null(),
				 "limit", CATALOG_PULL_LIMIT);
	rc = fed_call(child, "POST", "/api/v1/fed/catalog/feed", body, &status, &answer, err);
	json_decref(body);
	if (rc < 0)
		return rc;
	json_t *entries = json_object_get(answer, "entries");
	json_t *next = json_object_get(answer, "next");
	json_t *head = json_object_get(answer, "head");
	int64_t nnext = 0, nhead = 0, nfrom = 0;
	if (status != 200 || !json_is_array(entries) ||
	    !(json_is_null(next) || json_is_string(next)) || !json_is_string(head) ||
	    catalog_cursor_parse(json_is_string(next) ? json_string_value(next) : NULL, "next",
				 &nnext, err) < 0 ||
	    catalog_cursor_parse(json_string_value(head), "head", &nhead, err) < 0) {
		const char *detail = json_is_string(json_object_get(answer, "type"))
					 ? json_string_value(json_object_get(answer, "type"))
					 : "not a feed page";
		/* detail belongs to answer: format before freeing it. */
		rc = err_set(err, ZT_EUNAVAIL, "", "bad_answer", "HTTP %ld: %s", status, detail);
		json_decref(answer);
		return rc;
	}
	catalog_cursor_parse(from[0] ? from : NULL, "after", &nfrom, err);

	struct page p = {child, from[0] ? from : NULL, json_string_value(next), 0, json_array(), 0,
			 0};
	if (nhead < nfrom) {
		/* The child's changes end before our cursor: its database was
		 * restored or replaced. Read it again from the start (entries
		 * are upserted, so nothing doubles). */
		log_warn("catalog: the feed of %s ends at %lld, before our cursor %lld;"
			 " reading it again from the start",
			 child, (long long)nhead, (long long)nfrom);
		p.reset = 1;
		p.next = NULL;
	} else {
		size_t i;
		json_t *e;
		const char *first = NULL;
		int bad = 0;
		json_array_foreach(entries, i, e)
		{
			const char *why = "";
			json_t *ok = entry_check(e, t, child, &why);
			if (ok)
				json_array_append_new(p.entries, ok);
			else {
				if (first == NULL)
					first = why;
				bad++;
			}
		}
		/* One line per page, naming the first problem. */
		if (bad > 0)
			log_warn(
			    "catalog: skipped an entry from %s: bad %s (%d skipped in this page)",
			    child, first, bad);
	}
	int full = !p.reset && json_array_size(entries) >= CATALOG_PULL_LIMIT;
	rc = db_write(tx_apply_page, &p, err);
	if (rc == 0 && p.changed > 0)
		log_info("catalog: %d entr%s from %s applied", p.changed,
			 p.changed == 1 ? "y" : "ies", child);
	json_decref(p.entries);
	json_decref(answer);
	if (rc < 0)
		return rc;
	return p.stale ? 0 : full || p.reset;
}

/* The active child nodes of this node (fed_nodes.parent_region). */
static int
load_children(const char *self, char (*out)[8], int cap, struct zt_err *err)
{
	int n = 0, rc;
	db_conn *c = db_read_acquire();
	if (c == NULL)
		return err_set(err, ZT_EUNAVAIL, "", "db", "no database connection");
	db_stmt *s = db_prepare(c,
				"SELECT region_code FROM fed_nodes WHERE parent_region = ?1"
				" AND region_code <> ?1 AND status = 'active' AND url IS NOT NULL"
				" ORDER BY region_code",
				err);
	rc = s ? 0 : err->code;
	if (s) {
		db_bind_text(s, 1, self);
		while (n < cap && (rc = db_step(s, err)) == DB_ROW)
			snprintf(out[n++], 8, "%s", db_col_text(s, 0));
		db_reset(s);
	}
	db_read_release(c);
	return rc < 0 ? rc : n;
}

void
catalog_tick(void)
{
	static struct tree tree;
	char kids[MAX_CHILDREN][8];
	struct zt_err err;
	const char *self = fed_self();

	if (self[0] == '\0')
		return;
	err_clear(&err);
	int n = load_children(self, kids, MAX_CHILDREN, &err);
	if (n < 0) {
		log_warn("catalog: cannot list the child nodes: %s", err.msg);
		return;
	}
	uint64_t now = clock_mono_ns();
	int tree_loaded = 0;
	for (int k = 0; k < n; k++) {
		struct child *ch = child_state(kids[k]);
		if (ch == NULL || now < ch->next_ns)
			continue;
		if (!tree_loaded) {
			if (tree_load(&tree, &err) < 0) {
				log_warn("catalog: cannot read the registry: %s", err.msg);
				return;
			}
			tree_loaded = 1;
		}
		int rc = 1;
		for (int pg = 0; pg < PAGES_PER_PULL && rc == 1; pg++) {
			err_clear(&err);
			rc = pull_page(ch->region, &tree, &err);
		}
		uint64_t every = PULL_EVERY_MS;
		if ((uint64_t)cfg.fed_interval_ms > every)
			every = (uint64_t)cfg.fed_interval_ms;
		if (rc < 0) {
			if (!ch->down)
				log_warn("catalog: cannot read the feed of %s: %s (%s); retrying"
					 " quietly until it answers",
					 ch->region, err.msg, err.reason);
			ch->down = 1;
			ch->next_ns = clock_mono_ns() + DOWN_RETRY_MS * 1000000ULL;
			continue;
		}
		if (ch->down)
			log_info("catalog: the feed of %s answers again", ch->region);
		ch->down = 0;
		/* A child with more to read is read again at the next tick. */
		ch->next_ns = rc == 1 ? 0 : clock_mono_ns() + every * 1000000ULL;
	}
}

/* ---- the search ---- */

/* Appends s to b as a LIKE pattern "%s%" with % _ and \ escaped by \ and
 * ASCII letters in lower case. */
static void
like_pattern(struct buf *b, const char *s, size_t n)
{
	buf_puts(b, "%");
	for (size_t i = 0; i < n; i++) {
		char ch = s[i];
		if (ch == '%' || ch == '_' || ch == '\\')
			buf_append(b, "\\", 1);
		ch = (char)((unsigned char)ch < 128 ? tolower((unsigned char)ch) : ch);
		buf_append(b, &ch, 1);
	}
	buf_puts(b, "%");
}

/* The names of a region and its parents below the national level, from
 * the province down: [{code, name, name_en}]. Columns from base on: code,
 * name, name_en, level of the region, its parent, its grandparent. */
static json_t *
region_path(db_stmt *s, int base)
{
	json_t *a = json_array();
	for (int k = 2; k >= 0; k--) {
		int col = base + 4 * k;
		if (db_col_isnull(s, col) || strcmp(db_col_text(s, col + 3), "national") == 0)
			continue;
		json_array_append_new(a, json_pack("{s:s, s:s, s:s}", "code", db_col_text(s, col),
						   "name", db_col_text(s, col + 1), "name_en",
						   db_col_text(s, col + 2)));
	}
	return a;
}

json_t *
catalog_search(db_conn *c, const struct catalog_query *q, struct zt_err *err)
{
	char url[NODE_URL_MAX], raw[CURSOR_RAW_MAX];
	char corigin[8] = "", ckind[16] = "", ccode[CATALOG_CODE_MAX + 1] = "";
	struct buf sql, pat[MAX_TERMS];
	int nterms = 0, np = 1, rc;
	const char *self = fed_self();
	json_t *items = NULL;

	if (q->cursor) {
		char *a, *b;
		if (cursor_decode(q->cursor, raw) < 0 || (a = strchr(raw, '|')) == NULL ||
		    (b = strchr(a + 1, '|')) == NULL || a - raw != 6 || (size_t)(b - a - 1) >= 16) {
			return err_set(err, ZT_EINVAL, "cursor", "invalid", "invalid cursor"), NULL;
		}
		memcpy(corigin, raw, 6);
		memcpy(ckind, a + 1, (size_t)(b - a - 1));
		snprintf(ccode, sizeof(ccode), "%s", b + 1);
		if (!region_valid(corigin) || !catalog_code_valid(ccode))
			return err_set(err, ZT_EINVAL, "cursor", "invalid", "invalid cursor"), NULL;
	}
	if (meta(c, "fed_url", url, sizeof(url), err) < 0)
		return NULL;
	int services = q->kind != CATALOG_RESOURCE;
	int resources = q->officials && q->kind != CATALOG_SERVICE;

	buf_init(&sql);
	buf_puts(&sql,
		 "SELECT x.*, n.name, ro.name,"
		 " r.code, r.name, r.name_en, r.level, rp.code, rp.name, rp.name_en, rp.level,"
		 " rpp.code, rpp.name, rpp.name_en, rpp.level FROM (");
	int branches = 0;
	if (services) {
		buf_puts(&sql, "SELECT CAST(?1 AS TEXT) AS origin," OWN_SERVICES
			       " WHERE i.status = 'published'");
		branches++;
	}
	if (resources) {
		buf_puts(&sql, branches ? " UNION ALL " : "");
		buf_puts(&sql, "SELECT CAST(?1 AS TEXT) AS origin," OWN_RESOURCES);
		branches++;
	}
	buf_puts(&sql, " UNION ALL SELECT c.origin_region AS origin," HELD_ENTRIES
		       " WHERE c.status = 'published'");
	if (!resources)
		buf_puts(&sql, " AND c.kind = 'service'");
	else if (!services)
		buf_puts(&sql, " AND c.kind = 'resource'");
	buf_puts(&sql, ") x LEFT JOIN fed_nodes n ON n.region_code = x.origin"
		       " LEFT JOIN regions ro ON ro.code = x.origin"
		       " LEFT JOIN regions r ON r.code = x.region_code"
		       " LEFT JOIN regions rp ON rp.code = r.parent"
		       " LEFT JOIN regions rpp ON rpp.code = rp.parent WHERE 1 = 1");
	/* Words: each must occur in the name, the summary or the department. */
	if (q->q) {
		const char *p = q->q;
		while (*p && nterms < MAX_TERMS) {
			while (*p == ' ' || *p == '\t')
				p++;
			size_t n = strcspn(p, " \t");
			if (n == 0)
				break;
			buf_init(&pat[nterms]);
			like_pattern(&pat[nterms], p, n);
			np++;
			buf_printf(&sql,
				   " AND (lower(x.name) LIKE ?%d ESCAPE '\\'"
				   " OR lower(x.summary) LIKE ?%d ESCAPE '\\'"
				   " OR lower(x.dept_name) LIKE ?%d ESCAPE '\\')",
				   np, np, np);
			nterms++;
			p += n;
		}
	}
	int region_param = 0, cross_param = 0, cursor_param = 0;
	char prefix[8] = "";
	if (q->region && strcmp(q->region, "000000") != 0) {
		size_t keep = strcmp(q->region + 2, "0000") == 0 ? 2
			      : strcmp(q->region + 4, "00") == 0 ? 4
								 : 6;
		snprintf(prefix, sizeof(prefix), "%.*s%%", (int)keep, q->region);
		region_param = ++np;
		buf_printf(&sql, " AND x.region_code LIKE ?%d", region_param);
	}
	if (q->cross) {
		cross_param = ++np;
		buf_printf(&sql, " AND (x.cross_modes & ?%d) <> 0", cross_param);
	}
	if (q->cursor) {
		cursor_param = ++np;
		buf_printf(&sql,
			   " AND (x.origin > ?%d OR (x.origin = ?%d AND (x.kind > ?%d"
			   " OR (x.kind = ?%d AND x.code > ?%d))))",
			   cursor_param, cursor_param, cursor_param + 1, cursor_param + 1,
			   cursor_param + 2);
		np += 2;
	}
	int limit_param = ++np;
	buf_printf(&sql, " ORDER BY x.origin, x.kind, x.code LIMIT ?%d", limit_param);

	db_stmt *s = db_prepare_dyn(c, sql.data, err);
	if (s == NULL)
		goto out;
	db_bind_text(s, 1, self);
	for (int k = 0; k < nterms; k++)
		db_bind_text(s, 2 + k, pat[k].data);
	if (region_param)
		db_bind_text(s, region_param, prefix);
	if (cross_param)
		db_bind_int(s, cross_param, q->cross);
	if (cursor_param) {
		db_bind_text(s, cursor_param, corigin);
		db_bind_text(s, cursor_param + 1, ckind);
		db_bind_text(s, cursor_param + 2, ccode);
	}
	db_bind_int(s, limit_param, q->limit + 1);
	items = json_array();
	char last[CURSOR_RAW_MAX] = "";
	int count = 0, more = 0;
	while ((rc = db_step(s, err)) == DB_ROW) {
		if (count == q->limit) {
			more = 1;
			break;
		}
		const char *origin = db_col_text(s, 0);
		json_t *e = row_entry(s, origin, url);
		json_object_set_new(
		    e, "origin",
		    json_pack("{s:s, s:s?, s:s?}", "region", origin, "node_name",
			      db_col_isnull(s, NCOLS) ? NULL : db_col_text(s, NCOLS), "region_name",
			      db_col_isnull(s, NCOLS + 1) ? NULL : db_col_text(s, NCOLS + 1)));
		json_object_set_new(e, "region_name",
				    db_col_isnull(s, NCOLS + 2)
					? json_null()
					: json_string(db_col_text(s, NCOLS + 3)));
		json_object_set_new(e, "region_path", region_path(s, NCOLS + 2));
		/* This node's own row: its id here, for a link to the local guide. */
		if (db_col_isnull(s, COL_ENTRY) && !db_col_isnull(s, COL_ID) &&
		    strcmp(db_col_text(s, COL_KIND), "service") == 0)
			json_object_set_new(e, "local_id", json_integer(db_col_int(s, COL_ID)));
		json_array_append_new(items, e);
		snprintf(last, sizeof(last), "%s|%s|%s", origin, db_col_text(s, COL_KIND),
			 db_col_text(s, COL_CODE));
		count++;
	}
	db_reset(s);
	if (rc < 0) {
		json_decref(items);
		items = NULL;
		goto out;
	}
	items = page_json(items, more, last);
out:
	for (int k = 0; k < nterms; k++)
		buf_cleanup(&pat[k]);
	buf_cleanup(&sql);
	return items;
}

/* ---- one item's guide, the origin of a remote one ---- */

json_t *
catalog_item_json(db_conn *c, const char *code, struct zt_err *err)
{
	struct principal anon;

	memset(&anon, 0, sizeof(anon));
	db_stmt *s = db_prepare(
	    c, "SELECT id FROM service_items WHERE code = ?1 AND status = 'published'", err);
	if (s == NULL)
		return NULL;
	db_bind_text(s, 1, code);
	int rc = db_step(s, err);
	int64_t id = rc == DB_ROW ? db_col_int(s, 0) : 0;
	db_reset(s);
	if (rc < 0)
		return NULL;
	if (rc != DB_ROW)
		return err_set(err, ZT_ENOTFOUND, "code", "not_found",
			       "no published service item %s at this node", code),
		       NULL;
	return service_get_json(c, &anon, id, err);
}

json_t *
catalog_origin_json(db_conn *c, const char *region, struct zt_err *err)
{
	db_stmt *s = db_prepare(c,
				"SELECT n.name, n.url, r.name FROM fed_nodes n"
				" LEFT JOIN regions r ON r.code = n.region_code"
				" WHERE n.region_code = ?1 AND n.status = 'active'",
				err);
	if (s == NULL)
		return NULL;
	db_bind_text(s, 1, region);
	int rc = db_step(s, err);
	json_t *o = NULL;
	if (rc == DB_ROW)
		o = json_pack("{s:s, s:s?, s:s, s:s?}", "region", region, "region_name",
			      db_col_isnull(s, 2) ? NULL : db_col_text(s, 2), "node_name",
			      db_col_text(s, 0), "url",
			      db_col_isnull(s, 1) ? NULL : db_col_text(s, 1));
	db_reset(s);
	if (rc == DB_DONE)
		err_set(err, ZT_ENOTFOUND, "region", "unknown_node",
			"no node of region %s is known", region);
	return o;
}
