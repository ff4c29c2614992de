/* node.h - this node's federation identity and the local registry of nodes
 * (fed_nodes; docs/federation.md).
 *
 * The identity is the node's region, name, address and parent region, kept
 * in node_meta (fed_region, fed_name, fed_url, fed_parent), and the node key
 * (crypto/nodekey.h), whose public half is registered with the region in
 * fed_nodes like any peer's. A node's region never changes once set. */
#ifndef ZT_NODE_H
#define ZT_NODE_H

#include "base/err.h"
#include "crypto/nodekey.h"
#include "crypto/sm3.h"
#include "db/db.h"

#define NODE_NAME_MAX 128 /* bytes, UTF-8 */
#define NODE_URL_MAX  256

/* What `node init` and `node add` are given. url and parent may be NULL. */
struct node_in {
	const char *region;
	const char *name;
	const char *url;
	const char *parent;
};

struct node_identity {
	char region[8];
	char region_name[128];
	char name[NODE_NAME_MAX];
	char url[NODE_URL_MAX];	     /* "" when none */
	char parent[8];		     /* "" when none */
	char parent_name[128];	     /* "" when none */
	char key_id[NODEKEY_ID_LEN]; /* the key registered in fed_nodes */
	char fingerprint[SM3_HEX_LEN];
};

/* 1 if url is http(s)://host[:port] with an optional "/" at the end: host
 * letters, digits, '-' and '.' (or an IPv6 literal in brackets), port
 * 1..65535; else 0. */
int node_url_valid(const char *url);

/* The fingerprint of a public key PEM: SM3 of the PEM text as 64 hex; its
 * first 16 characters are the key_id. */
void node_fingerprint(const char *pem, char out[SM3_HEX_LEN]);

/* Inside a write transaction: sets this node's identity from in and
 * registers the loaded node key under in->region in fed_nodes (active).
 * Run again with the same region, it updates name, url, parent and key.
 * Errors: ZT_EINVAL (field region, name, url or parent; reasons
 * unknown_region, invalid), ZT_ECONFLICT when the node already has another
 * region (reason region_fixed) or the region is registered as a peer with
 * another key (reason peer_region), ZT_EUNAVAIL without a node key.
 * *updated is 1 when the node was already initialised. Appends an audit
 * record node.init. */
int node_init(db_conn *c, const struct node_in *in, int *updated, struct zt_err *err);

/* This node's identity: 1 and *out filled, 0 when the node is not
 * initialised, negative on error. */
int node_identity_load(db_conn *c, struct node_identity *out, struct zt_err *err);

/* Inside a write transaction: registers (or, for a region already known,
 * updates) the peer node in->region with the SM2 public key public_pem in
 * fed_nodes, active. in->url is required. Errors: ZT_EINVAL (fields region,
 * name, url, parent, key), ZT_ECONFLICT when the region is this node's own
 * (reason own_region) or the key is another node's (reason key_in_use).
 * On success *key_id gets the key's id and *updated is 1 when the region
 * was already registered. Appends an audit record node.add. */
int node_add_peer(db_conn *c, const struct node_in *in, const char *public_pem,
		  char key_id[NODEKEY_ID_LEN], int *updated, struct zt_err *err);

/* Inside a write transaction: sets a registered node's status (active or
 * retired; a retired node's messages are refused, and at the hub it is
 * listed as retired in the registry, so every node stops trusting it).
 * Errors: ZT_ENOTFOUND (unknown_node), ZT_ECONFLICT (own_region). Appends
 * an audit record node.retire or node.activate. */
int node_set_status(db_conn *c, const char *region, const char *status, struct zt_err *err);

/* Reads node_meta key into out: 1 found, 0 absent, negative on error. */
int node_meta_get(db_conn *c, const char *key, char *out, size_t cap, struct zt_err *err);
/* Sets node_meta key to value, or deletes it when value is NULL (inside a
 * write transaction). */
int node_meta_set(db_conn *c, const char *key, const char *value, struct zt_err *err);

#endif
