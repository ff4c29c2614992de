/* node.c - this node's federation identity (node_meta) and the local
 * registry of nodes (fed_nodes); see node.h. */
#include "fed/node.h"
#include "base/clock.h"
#include "base/xmalloc.h"
#include "crypto/sm2.h"
#include "domain/audit.h"
#include "domain/org.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int check_in(db_conn *c, const struct node_in *in, int url_required, struct zt_err *err);
static int registry_upsert(db_conn *c, const struct node_in *in, const char *key_id,
			   const char *pem, struct zt_err *err);

/* 1 if s is valid UTF-8 without control characters. */
static int
text_ok(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	while (*p) {
		int extra;
		if (*p < 0x20 || *p == 0x7f)
			return 0;
		if (*p < 0x80)
			extra = 0;
		else if ((*p & 0xe0) == 0xc0 && *p >= 0xc2)
			extra = 1;
		else if ((*p & 0xf0) == 0xe0)
			extra = 2;
		else if ((*p & 0xf8) == 0xf0 && *p <= 0xf4)
			extra = 3;
		else
			return 0;
		p++;
		for (int i = 0; i < extra; i++, p++)
			if ((*p & 0xc0) != 0x80)
				return 0;
	}
	return 1;
}

int
node_url_valid(const char *url)
{
	const char *p;

	if (strlen(url) >= NODE_URL_MAX)
		return 0;
	if (strncmp(url, "http://", 7) == 0)
		p = url + 7;
	else if (strncmp(url, "https://", 8) == 0)
		p = url + 8;
	else
		return 0;
	if (*p == '[') {
		const char *end = strchr(p, ']');
		if (end == NULL || end == p + 1)
			return 0;
		for (const char *q = p + 1; q < end; q++)
			if (!((*q >= '0' && *q <= '9') || (*q >= 'a' && *q <= 'f') ||
			      (*q >= 'A' && *q <= 'F') || *q == ':' || *q == '.'))
				return 0;
		p = end + 1;
	} else {
		const char *h = p;
		while ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		       (*p >= '0' && *p <= '9') || *p == '-' || *p == '.')
			p++;
		if (p == h || *h == '.' || *h == '-' || p[-1] == '.' || p[-1] == '-')
			return 0;
	}
	if (*p == ':') {
		long port = 0;
		int digits = 0;
		for (p++; *p >= '0' && *p <= '9' && digits < 6; p++, digits++)
			port = port * 10 + (*p - '0');
		if (digits == 0 || port < 1 || port > 65535)
			return 0;
	}
	if (*p == '/')
		p++;
	return *p == '\0';
}

void
node_fingerprint(const char *pem, char out[SM3_HEX_LEN])
{
	sm3_hex(pem, strlen(pem), out);
}

int
node_meta_get(db_conn *c, const char *key, char *out, size_t cap, struct zt_err *err)
{
	db_stmt *s = db_prepare(c, "SELECT value FROM node_meta WHERE key = ?1", err);
	if (s == NULL)
		return err->code;
	db_bind_text(s, 1, key);
	int rc = db_step(s, err);
	if (rc == DB_ROW)
		snprintf(out, cap, "%s", db_col_text(s, 0));
	else if (cap > 0)
		out[0] = '\0';
	db_reset(s);
	return rc < 0 ? rc : rc == DB_ROW;
}

int
node_meta_set(db_conn *c, const char *key, const char *value, struct zt_err *err)
{
	db_stmt *s = value ? db_prepare(c,
					"INSERT INTO node_meta (key, value) VALUES (?1, ?2)"
					" ON CONFLICT (key) DO UPDATE SET value = excluded.value",
					err)
			   : db_prepare(c, "DELETE FROM node_meta WHERE key = ?1", err);
	if (s == NULL)
		return err->code;
	db_bind_text(s, 1, key);
	if (value)
		db_bind_text(s, 2, value);
	int rc = db_step(s, err);
	db_reset(s);
	return rc < 0 ? rc : 0;
}

/* Checks region, name, url and parent of in (the regions must exist). */
static int
check_in(db_conn *c, const struct node_in *in, int url_required, struct zt_err *err)
{
	int rc;

	if (in->region == NULL || strlen(in->region) != 6 || strspn(in->region, "0123456789") != 6)
		return err_set(err, ZT_EINVAL, "region", "invalid",
			       "the region must be a 6-digit GB/T 2260 code");
	if ((rc = org_region_exists(c, in->region, err)) < 0)
		return rc;
	if (rc == 0)
		return err_set(err, ZT_EINVAL, "region", "unknown_region", "no region %s",
			       in->region);
	if (in->name == NULL || in->name[0] == '\0' || strlen(in->name) >= NODE_NAME_MAX ||
	    !text_ok(in->name))
		return err_set(err, ZT_EINVAL, "name", "invalid",
			       "the name must be 1 to %d bytes of text", NODE_NAME_MAX - 1);
	if (in->url == NULL && url_required)
		return err_set(err, ZT_EINVAL, "url", "invalid", "the URL is required");
	if (in->url && !node_url_valid(in->url))
		return err_set(err, ZT_EINVAL, "url", "invalid",
			       "the URL must be http(s)://host[:port]");
	if (in->parent) {
		if (strlen(in->parent) != 6 || strspn(in->parent, "0123456789") != 6)
			return err_set(err, ZT_EINVAL, "parent", "invalid",
				       "the parent region must be a 6-digit GB/T 2260 code");
		if ((rc = org_region_exists(c, in->parent, err)) < 0)
			return rc;
		if (rc == 0)
			return err_set(err, ZT_EINVAL, "parent", "unknown_region", "no region %s",
				       in->parent);
		if (strcmp(in->parent, in->region) == 0)
			return err_set(err, ZT_EINVAL, "parent", "invalid",
				       "a node cannot be its own parent");
	}
	return 0;
}

/* Inserts or updates the registry row of in->region, active. */
static int
registry_upsert(db_conn *c, const struct node_in *in, const char *key_id, const char *pem,
		struct zt_err *err)
{
	db_stmt *s = db_prepare(
	    c,
	    "INSERT INTO fed_nodes (region_code, name, url, key_id, public_key, parent_region,"
	    " status, registered_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'active', ?7)"
	    " ON CONFLICT (region_code) DO UPDATE SET name = excluded.name, url = excluded.url,"
	    " key_id = excluded.key_id, public_key = excluded.public_key,"
	    " parent_region = excluded.parent_region, status = 'active'",
	    err);
	if (s == NULL)
		return err->code;
	db_bind_text(s, 1, in->region);
	db_bind_text(s, 2, in->name);
	db_bind_text(s, 3, in->url);
	db_bind_text(s, 4, key_id);
	db_bind_text(s, 5, pem);
	db_bind_text(s, 6, in->parent);
	db_bind_int(s, 7, clock_now());
	int rc = db_step(s, err);
	db_reset(s);
	return rc < 0 ? rc : 0;
}

/* The key_id registered for region (1), none (0), or an error. */
static int
registered_key(db_conn *c, const char *region, char key_id[NODEKEY_ID_LEN], struct zt_err *err)
{
	db_stmt *s = db_prepare(c, "SELECT key_id FROM fed_nodes WHERE region_code = ?1", err);
	if (s == NULL)
		return err->code;
	db_bind_text(s, 1, region);
	int rc = db_step(s, err);
	if (rc == DB_ROW)
		snprintf(key_id, NODEKEY_ID_LEN, "%s", db_col_text(s, 0));
	db_reset(s);
	return rc < 0 ? rc : rc == DB_ROW;
}

/* The audit record of node init / add. */
static int
audit(db_conn *c, const char *action, const struct node_in *in, const char *key_id,
      struct zt_err *err)
{
	char obj[32];
	json_t *d = json_pack("{s:s, s:s, s:s?, s:s?, s:s}", "region", in->region, "name", in->name,
			      "url", in->url, "parent", in->parent, "key_id", key_id);

	snprintf(obj, sizeof(obj), "node:%s", in->region);
	int rc = audit_append(c, 0, action, obj, d, err);
	json_decref(d);
	return rc;
}

int
node_init(db_conn *c, const struct node_in *in, int *updated, struct zt_err *err)
{
	char current[16], peer_key[NODEKEY_ID_LEN];
	int rc;

	*updated = 0;
	if (!nodekey_ready())
		return err_set(err, ZT_EUNAVAIL, "", "node_key", "the node key is not loaded");
	if ((rc = check_in(c, in, 0, err)) < 0)
		return rc;
	if ((rc = node_meta_get(c, "fed_region", current, sizeof(current), err)) < 0)
		return rc;
	if (rc == 1 && strcmp(current, in->region) != 0)
		return err_set(err, ZT_ECONFLICT, "region", "region_fixed",
			       "this node is already initialised as region %s; a node's region"
			       " cannot change",
			       current);
	*updated = rc == 1;
	if (!*updated) {
		if ((rc = registered_key(c, in->region, peer_key, err)) < 0)
			return rc;
		if (rc == 1 && strcmp(peer_key, nodekey_id()) != 0)
			return err_set(err, ZT_ECONFLICT, "region", "peer_region",
				       "region %s is registered as a peer node with key %s",
				       in->region, peer_key);
	}
	if ((rc = node_meta_set(c, "fed_region", in->region, err)) < 0 ||
	    (rc = node_meta_set(c, "fed_name", in->name, err)) < 0 ||
	    (rc = node_meta_set(c, "fed_url", in->url, err)) < 0 ||
	    (rc = node_meta_set(c, "fed_parent", in->parent, err)) < 0)
		return rc;
	if ((rc = registry_upsert(c, in, nodekey_id(), nodekey_public_pem(), err)) < 0)
		return rc;
	return audit(c, "node.init", in, nodekey_id(), err);
}

/* The name of region code into out ("" if unknown). */
static int
region_name(db_conn *c, const char *code, char *out, size_t cap, struct zt_err *err)
{
	db_stmt *s = db_prepare(c, "SELECT name FROM regions WHERE code = ?1", err);
	if (s == NULL)
		return err->code;
	db_bind_text(s, 1, code);
	int rc = db_step(s, err);
	snprintf(out, cap, "%s", rc == DB_ROW ? db_col_text(s, 0) : "");
	db_reset(s);
	return rc < 0 ? rc : 0;
}

int
node_identity_load(db_conn *c, struct node_identity *out, struct zt_err *err)
{
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = node_meta_get(c, "fed_region", out->region, sizeof(out->region), err)) <= 0)
		return rc;
	if ((rc = node_meta_get(c, "fed_name", out->name, sizeof(out->name), err)) < 0 ||
	    (rc = node_meta_get(c, "fed_url", out->url, sizeof(out->url), err)) < 0 ||
	    (rc = node_meta_get(c, "fed_parent", out->parent, sizeof(out->parent), err)) < 0)
		return rc;
	if ((rc = region_name(c, out->region, out->region_name, sizeof(out->region_name), err)) < 0)
		return rc;
	if (out->parent[0] &&
	    (rc = region_name(c, out->parent, out->parent_name, sizeof(out->parent_name), err)) < 0)
		return rc;
	db_stmt *s =
	    db_prepare(c, "SELECT key_id, public_key FROM fed_nodes WHERE region_code = ?1", err);
	if (s == NULL)
		return err->code;
	db_bind_text(s, 1, out->region);
	rc = db_step(s, err);
	if (rc == DB_ROW) {
		snprintf(out->key_id, sizeof(out->key_id), "%s", db_col_text(s, 0));
		node_fingerprint(db_col_text(s, 1), out->fingerprint);
	}
	db_reset(s);
	if (rc < 0)
		return rc;
	if (rc != DB_ROW)
		return err_set(err, ZT_EINTERNAL, "", "registry",
			       "region %s is this node but has no row in fed_nodes", out->region);
	return 1;
}

int
node_add_peer(db_conn *c, const struct node_in *in, const char *public_pem,
	      char key_id[NODEKEY_ID_LEN], int *updated, struct zt_err *err)
{
	char own[16], fp[SM3_HEX_LEN];
	struct sm2_key *k = NULL;
	char *pem = NULL;
	int rc;

	*updated = 0;
	key_id[0] = '\0';
	if ((rc = check_in(c, in, 1, err)) < 0)
		return rc;
	k = sm2_from_pem(public_pem, strlen(public_pem));
	if (k == NULL)
		return err_set(err, ZT_EINVAL, "key", "invalid", "not an SM2 public key (PEM)");
	if (sm2_has_private(k)) {
		rc = err_set(err, ZT_EINVAL, "key", "private_key",
			     "the file holds a private key; give the peer's public key");
		goto out;
	}
	/* The PEM as the peer's own node computes it, so key ids agree. */
	pem = sm2_public_pem(k);
	node_fingerprint(pem, fp);
	memcpy(key_id, fp, NODEKEY_ID_LEN - 1);
	key_id[NODEKEY_ID_LEN - 1] = '\0';
	if ((rc = node_meta_get(c, "fed_region", own, sizeof(own), err)) < 0)
		goto out;
	if (rc == 1 && strcmp(own, in->region) == 0) {
		rc = err_set(err, ZT_ECONFLICT, "region", "own_region",
			     "region %s is this node; use node init to change it", own);
		goto out;
	}
	db_stmt *s = db_prepare(
	    c, "SELECT region_code FROM fed_nodes WHERE key_id = ?1 AND region_code <> ?2", err);
	if (s == NULL) {
		rc = err->code;
		goto out;
	}
	db_bind_text(s, 1, key_id);
	db_bind_text(s, 2, in->region);
	rc = db_step(s, err);
	if (rc == DB_ROW)
		rc = err_set(err, ZT_ECONFLICT, "key", "key_in_use",
			     "key %s is already registered for region %s", key_id,
			     db_col_text(s, 0));
	db_reset(s);
	if (rc < 0)
		goto out;
	char old[NODEKEY_ID_LEN];
	if ((rc = registered_key(c, in->region, old, err)) < 0)
		goto out;
	*updated = rc == 1;
	if ((rc = registry_upsert(c, in, key_id, pem, err)) < 0)
		goto out;
	rc = audit(c, "node.add", in, key_id, err);
out:
	free(pem);
	sm2_free(k);
	return rc;
}

int
node_set_status(db_conn *c, const char *region, const char *status, struct zt_err *err)
{
	char self[8];
	int rc;

	if (strcmp(status, "active") != 0 && strcmp(status, "retired") != 0)
		return err_set(err, ZT_EINVAL, "status", "invalid", "a node is active or retired");
	if ((rc = node_meta_get(c, "fed_region", self, sizeof(self), err)) < 0)
		return rc;
	if (rc == 1 && strcmp(self, region) == 0)
		return err_set(err, ZT_ECONFLICT, "region", "own_region",
			       "a node cannot retire itself");
	db_stmt *s = db_prepare(c, "UPDATE fed_nodes SET status = ?2 WHERE region_code = ?1", err);
	if (s == NULL)
		return err->code;
	db_bind_text(s, 1, region);
	db_bind_text(s, 2, status);
	rc = db_step(s, err);
	db_reset(s);
	if (rc < 0)
		return rc;
	if (db_changes(c) == 0)
		return err_set(err, ZT_ENOTFOUND, "region", "unknown_node",
			       "no node of region %s is registered here", region);
	char obj[32];
	snprintf(obj, sizeof(obj), "node:%s", region);
	json_t *d = json_pack("{s:s, s:s}", "region", region, "status", status);
	rc = audit_append(c, 0, strcmp(status, "retired") == 0 ? "node.retire" : "node.activate",
			  obj, d, err);
	json_decref(d);
	return rc;
}
