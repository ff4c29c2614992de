/* registry.c - the hub's signed registry (see registry.h). */
#include "fed/registry.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/clock.h"
#include "base/config.h"
#include "base/log.h"
#include "base/xmalloc.h"
#include "crypto/nodekey.h"
#include "crypto/sm2.h"
#include "fed/client.h"
#include "fed/node.h"

json_t *
registry_document(db_conn *c, struct zt_err *err)
{
	char self[8];
	int rc = node_meta_get(c, "fed_region", self, sizeof(self), err);
	if (rc < 0)
		return NULL;
	if (rc == 0 || strcmp(self, REGISTRY_HUB) != 0) {
		err_set(err, ZT_ENOTFOUND, "", "not_hub",
			"only the national hub (region 000000) serves the registry");
		return NULL;
	}
	db_stmt *s = db_prepare(c,
				"SELECT region_code, name, url, key_id, public_key, parent_region,"
				" status FROM fed_nodes ORDER BY region_code",
				err);
	if (s == NULL)
		return NULL;
	json_t *nodes = json_array();
	while ((rc = db_step(s, err)) == DB_ROW) {
		json_t *n = json_object();
		json_object_set_new(n, "region", json_string(db_col_text(s, 0)));
		json_object_set_new(n, "name", json_string(db_col_text(s, 1)));
		json_object_set_new(n, "url",
				    db_col_isnull(s, 2) ? json_null() : json_string(db_col_text(s, 2)));
		json_object_set_new(n, "key_id", json_string(db_col_text(s, 3)));
		json_object_set_new(n, "public_key", json_string(db_col_text(s, 4)));
		json_object_set_new(n, "parent_region", db_col_isnull(s, 5)
							     ? json_null()
							     : json_string(db_col_text(s, 5)));
		json_object_set_new(n, "status", json_string(db_col_text(s, 6)));
		json_array_append_new(nodes, n);
	}
	db_reset(s);
	if (rc < 0) {
		json_decref(nodes);
		return NULL;
	}
	int64_t now = clock_now();
	json_t *p = json_object();
	json_object_set_new(p, "format", json_string(REGISTRY_FORMAT));
	json_object_set_new(p, "hub", json_string(REGISTRY_HUB));
	json_object_set_new(p, "issued_at", json_integer(now));
	json_object_set_new(p, "expires_at", json_integer(now + cfg.fed_registry_ttl));
	json_object_set_new(p, "nodes", nodes);
	char *text = json_dumps(p, JSON_COMPACT);
	json_decref(p);
	char *sig = NULL;
	if (nodekey_sign(text, strlen(text), &sig, err) < 0) {
		free(text);
		return NULL;
	}
	json_t *doc = json_object();
	json_object_set_new(doc, "payload", json_string(text));
	json_object_set_new(doc, "key_id", json_string(nodekey_id()));
	json_object_set_new(doc, "signature", json_string(sig));
	free(text);
	free(sig);
	return doc;
}

/* The operator-registered hub: its address and key. 1 found, 0 none. */
static int
anchor(db_conn *c, char *url, size_t ucap, char *key_id, size_t kcap, char **pem,
       struct zt_err *err)
{
	db_stmt *s = db_prepare(c,
				"SELECT url, key_id, public_key FROM fed_nodes WHERE region_code = ?1"
				" AND source = 'local' AND status = 'active' AND url IS NOT NULL",
				err);
	if (s == NULL)
		return err->code;
	db_bind_text(s, 1, REGISTRY_HUB);
	int rc = db_step(s, err);
	if (rc == DB_ROW) {
		snprintf(url, ucap, "%s", db_col_text(s, 0));
		snprintf(key_id, kcap, "%s", db_col_text(s, 1));
		*pem = xstrdup(db_col_text(s, 2));
	}
	db_reset(s);
	return rc < 0 ? rc : rc == DB_ROW;
}

/* Checks the signed document against the anchor's key; on success *payload
 * gets the parsed registry. */
static int
check_document(const char *text, size_t len, const char *key_id, const char *pem,
	       json_t **payload, struct zt_err *err)
{
	json_t *doc = json_loadb(text, len, 0, NULL);
	const char *ptext = doc ? json_string_value(json_object_get(doc, "payload")) : NULL;
	const char *kid = doc ? json_string_value(json_object_get(doc, "key_id")) : NULL;
	const char *sig = doc ? json_string_value(json_object_get(doc, "signature")) : NULL;
	int rc = 0;

	*payload = NULL;
	if (ptext == NULL || kid == NULL || sig == NULL) {
		rc = err_set(err, ZT_EINVAL, "registry", "malformed",
			     "the hub's answer is not a signed registry");
		goto out;
	}
	if (strcmp(kid, key_id) != 0) {
		rc = err_set(err, ZT_EUNAUTH, "key_id", "unknown_key",
			     "the registry is signed with key %s, not the hub's registered key %s",
			     kid, key_id);
		goto out;
	}
	unsigned char der[128];
	int dlen = b64url_decode(sig, der, sizeof(der));
	struct sm2_key *k = sm2_from_pem(pem, strlen(pem));
	int ok = (dlen > 0 && k) ? sm2_verify(k, ptext, strlen(ptext), der, (size_t)dlen) : 0;
	sm2_free(k);
	if (ok != 1) {
		rc = err_set(err, ZT_EUNAUTH, "signature", "bad_signature",
			     "the registry's signature does not verify with the hub's key");
		goto out;
	}
	json_t *p = json_loads(ptext, 0, NULL);
	const char *fmt = p ? json_string_value(json_object_get(p, "format")) : NULL;
	const char *hub = p ? json_string_value(json_object_get(p, "hub")) : NULL;
	if (fmt == NULL || strcmp(fmt, REGISTRY_FORMAT) != 0 || hub == NULL ||
	    strcmp(hub, REGISTRY_HUB) != 0 || !json_is_integer(json_object_get(p, "issued_at")) ||
	    !json_is_integer(json_object_get(p, "expires_at")) ||
	    !json_is_array(json_object_get(p, "nodes"))) {
		json_decref(p);
		rc = err_set(err, ZT_EINVAL, "registry", "malformed",
			     "the registry's payload is not a %s document", REGISTRY_FORMAT);
		goto out;
	}
	*payload = p;
out:
	json_decref(doc);
	return rc;
}

struct apply {
	json_t *payload;
	const char *raw;
	const char *self;
	struct registry_result *res;
};

static int
upsert(db_conn *c, json_t *n, struct registry_result *res, struct zt_err *err)
{
	const char *region = json_string_value(json_object_get(n, "region"));
	const char *name = json_string_value(json_object_get(n, "name"));
	const char *url = json_string_value(json_object_get(n, "url"));
	const char *kid = json_string_value(json_object_get(n, "key_id"));
	const char *pem = json_string_value(json_object_get(n, "public_key"));
	const char *parent = json_string_value(json_object_get(n, "parent_region"));
	const char *status = json_string_value(json_object_get(n, "status"));
	char fp[SM3_HEX_LEN];

	if (!region || !name || !kid || !pem || !status || (url && !node_url_valid(url)) ||
	    (strcmp(status, "active") != 0 && strcmp(status, "retired") != 0)) {
		log_warn("registry: an entry without region, name, key or status is skipped");
		return 0;
	}
	node_fingerprint(pem, fp);
	if (strncmp(fp, kid, NODEKEY_ID_LEN - 1) != 0 || strlen(kid) != NODEKEY_ID_LEN - 1) {
		log_warn("registry: the key of region %s does not match its key id; skipped", region);
		return 0;
	}
	/* Regions are the shared GB/T 2260 table; an unknown one is skipped. */
	db_stmt *s = db_prepare(c,
				"INSERT INTO fed_nodes (region_code, name, url, key_id, public_key,"
				" parent_region, status, registered_at, source)"
				" SELECT ?1, ?2, ?3, ?4, ?5,"
				" (SELECT code FROM regions WHERE code = ?6), ?7, ?8, 'registry'"
				" WHERE EXISTS (SELECT 1 FROM regions WHERE code = ?1)"
				" ON CONFLICT (region_code) DO UPDATE SET name = excluded.name,"
				" url = excluded.url, key_id = excluded.key_id,"
				" public_key = excluded.public_key, parent_region = excluded.parent_region,"
				" status = excluded.status"
				" WHERE fed_nodes.source = 'registry' AND (fed_nodes.name <> excluded.name"
				" OR fed_nodes.url IS DISTINCT FROM excluded.url"
				" OR fed_nodes.key_id <> excluded.key_id"
				" OR fed_nodes.parent_region IS DISTINCT FROM excluded.parent_region"
				" OR fed_nodes.status <> excluded.status)",
				err);
	if (s == NULL)
		return err->code;
	db_bind_text(s, 1, region);
	db_bind_text(s, 2, name);
	db_bind_text(s, 3, url);
	db_bind_text(s, 4, kid);
	db_bind_text(s, 5, pem);
	db_bind_text(s, 6, parent);
	db_bind_text(s, 7, status);
	db_bind_int(s, 8, clock_now());
	int rc = db_step(s, err);
	db_reset(s);
	if (rc < 0)
		return rc;
	res->applied += (int)db_changes(c);
	return 0;
}

static int
tx_apply(db_conn *c, void *arg, struct zt_err *err)
{
	struct apply *a = arg;
	json_t *nodes = json_object_get(a->payload, "nodes");
	size_t i;
	json_t *n;
	int rc;
	char cached[32];

	/* Never go back to an older registry (a replayed old document). */
	if ((rc = node_meta_get(c, "fed_registry_issued", cached, sizeof(cached), err)) < 0)
		return rc;
	int64_t issued = json_integer_value(json_object_get(a->payload, "issued_at"));
	if (rc == 1 && issued < strtoll(cached, NULL, 10))
		return err_set(err, ZT_EINVAL, "issued_at", "rollback",
			       "the hub's registry is older than the one cached here");
	/* Retire what the registry no longer lists; then upsert what it does. */
	json_t *listed = json_array();
	json_array_foreach(nodes, i, n)
	{
		const char *region = json_string_value(json_object_get(n, "region"));
		if (region == NULL || strcmp(region, a->self) == 0 ||
		    strcmp(region, REGISTRY_HUB) == 0)
			continue;
		json_array_append_new(listed, json_string(region));
		if ((rc = upsert(c, n, a->res, err)) < 0) {
			json_decref(listed);
			return rc;
		}
	}
	char *ltext = json_dumps(listed, JSON_COMPACT);
	json_decref(listed);
	db_stmt *s = db_prepare(
	    c,
	    db_conn_kind(c) == DB_PG
		? "UPDATE fed_nodes SET status = 'retired' WHERE source = 'registry'"
		  " AND status = 'active' AND NOT (region_code = ANY (SELECT"
		  " json_array_elements_text(?1::json)))"
		: "UPDATE fed_nodes SET status = 'retired' WHERE source = 'registry'"
		  " AND status = 'active' AND region_code NOT IN (SELECT value FROM json_each(?1))",
	    err);
	if (s == NULL) {
		free(ltext);
		return err->code;
	}
	db_bind_text(s, 1, ltext);
	rc = db_step(s, err);
	db_reset(s);
	free(ltext);
	if (rc < 0)
		return rc;
	a->res->retired = (int)db_changes(c);
	char num[32];
	snprintf(num, sizeof(num), "%lld", (long long)issued);
	if ((rc = node_meta_set(c, "fed_registry_issued", num, err)) < 0)
		return rc;
	snprintf(num, sizeof(num), "%lld",
		 (long long)json_integer_value(json_object_get(a->payload, "expires_at")));
	if ((rc = node_meta_set(c, "fed_registry_expires", num, err)) < 0)
		return rc;
	return node_meta_set(c, "fed_registry", a->raw, err);
}

int
registry_sync(struct registry_result *out, struct zt_err *err)
{
	char url[NODE_URL_MAX + 32], kid[NODEKEY_ID_LEN + 8];
	char *pem = NULL;
	int rc;

	memset(out, 0, sizeof(*out));
	const char *self = fed_self();
	if (self[0] == '\0')
		return err_set(err, ZT_EUNAVAIL, "", "not_initialised",
			       "this node has no federation identity (zhengtong node init)");
	if (strcmp(self, REGISTRY_HUB) == 0) {
		out->hub = 1;
		return 0;
	}
	db_conn *c = db_read_acquire();
	if (c == NULL)
		return err_set(err, ZT_EUNAVAIL, "", "db", "no database connection");
	rc = anchor(c, url, sizeof(url) - 32, kid, sizeof(kid), &pem, err);
	db_read_release(c);
	if (rc < 0)
		return rc;
	if (rc == 0)
		return err_set(err, ZT_ENOTFOUND, "region", "no_anchor",
			       "the national hub is not registered here (zhengtong node add"
			       " --region 000000 ...)");
	size_t ul = strlen(url);
	if (ul > 0 && url[ul - 1] == '/')
		url[ul - 1] = '\0';
	strcat(url, "/api/v1/fed/registry");
	struct fed_reply r;
	json_t *payload = NULL;
	rc = fed_get_plain(url, &r, err);
	if (rc == 0 && r.status != 200)
		rc = err_set(err, ZT_EUNAVAIL, "", "hub_error", "the hub answered HTTP %ld",
			     r.status);
	if (rc == 0)
		rc = check_document(r.body.data ? r.body.data : "", r.body.len, kid, pem, &payload,
				    err);
	free(pem);
	if (rc == 0) {
		int64_t exp = json_integer_value(json_object_get(payload, "expires_at"));
		if (exp <= clock_now())
			rc = err_set(err, ZT_EINVAL, "expires_at", "expired",
				     "the hub's registry has already expired");
	}
	if (rc == 0) {
		struct apply a = {payload, r.body.data, self, out};
		rc = db_write(tx_apply, &a, err);
		out->nodes = (int)json_array_size(json_object_get(payload, "nodes"));
		out->issued_at = json_integer_value(json_object_get(payload, "issued_at"));
		out->expires_at = json_integer_value(json_object_get(payload, "expires_at"));
	}
	json_decref(payload);
	fed_reply_free(&r);
	return rc;
}

json_t *
registry_status_json(db_conn *c, struct zt_err *err)
{
	char v[32];
	json_t *o = json_object();
	int rc;

	if ((rc = node_meta_get(c, "fed_registry_issued", v, sizeof(v), err)) < 0)
		goto fail;
	json_object_set_new(o, "issued_at", rc ? json_integer(strtoll(v, NULL, 10)) : json_null());
	if ((rc = node_meta_get(c, "fed_registry_expires", v, sizeof(v), err)) < 0)
		goto fail;
	int64_t exp = rc ? strtoll(v, NULL, 10) : 0;
	json_object_set_new(o, "expires_at", rc ? json_integer(exp) : json_null());
	json_object_set_new(o, "expired", json_boolean(rc && exp < clock_now()));
	db_stmt *s = db_prepare(c,
				"SELECT n.region_code, n.name, n.url, n.key_id, n.parent_region,"
				" n.status, n.source, r.name FROM fed_nodes n"
				" JOIN regions r ON r.code = n.region_code ORDER BY n.region_code",
				err);
	if (s == NULL)
		goto fail;
	json_t *nodes = json_array();
	while ((rc = db_step(s, err)) == DB_ROW) {
		json_t *n = json_object();
		json_object_set_new(n, "region", json_string(db_col_text(s, 0)));
		json_object_set_new(n, "name", json_string(db_col_text(s, 1)));
		json_object_set_new(n, "url",
				    db_col_isnull(s, 2) ? json_null() : json_string(db_col_text(s, 2)));
		json_object_set_new(n, "key_id", json_string(db_col_text(s, 3)));
		json_object_set_new(n, "parent_region", db_col_isnull(s, 4)
							     ? json_null()
							     : json_string(db_col_text(s, 4)));
		json_object_set_new(n, "status", json_string(db_col_text(s, 5)));
		json_object_set_new(n, "source", json_string(db_col_text(s, 6)));
		json_object_set_new(n, "region_name", json_string(db_col_text(s, 7)));
		json_array_append_new(nodes, n);
	}
	db_reset(s);
	json_object_set_new(o, "nodes", nodes);
	if (rc < 0)
		goto fail;
	return o;
fail:
	json_decref(o);
	return NULL;
}

void
registry_tick(void)
{
	static int64_t next;
	struct registry_result res;
	struct zt_err err;
	int64_t now = clock_now();

	if (now < next)
		return;
	const char *self = fed_self();
	if (self[0] == '\0' || strcmp(self, REGISTRY_HUB) == 0) {
		next = now + 5;
		return;
	}
	err_clear(&err);
	int rc = registry_sync(&res, &err);
	if (rc < 0) {
		/* No anchor configured: nothing to do; look again later. */
		if (strcmp(err.reason, "no_anchor") != 0)
			log_warn("registry sync failed (%s): %s", err.reason, err.msg);
		next = now + (cfg.fed_registry_refresh < 30 ? cfg.fed_registry_refresh : 30);
		return;
	}
	if (res.applied > 0 || res.retired > 0)
		log_info("registry: %d node(s) listed, %d changed, %d retired", res.nodes,
			 res.applied, res.retired);
	next = now + cfg.fed_registry_refresh;
}
