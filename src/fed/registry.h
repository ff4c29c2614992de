/* registry.h - the national hub's signed registry of nodes
 * (docs/federation.md, Trust).
 *
 * The hub (the node of region 000000) is the trust anchor. It serves
 * GET /api/v1/fed/registry: {"payload": TEXT, "key_id", "signature"}, where
 * TEXT is the JSON of {"format": "zt-registry-1", "hub": "000000",
 * "issued_at", "expires_at", "nodes": [{region, name, url, key_id,
 * public_key, parent_region, status}]} and the signature is SM2 (base64url
 * DER) over TEXT's exact bytes by the hub's node key.
 *
 * Every other node knows the hub's key because an operator registered it
 * (`zhengtong node add --region 000000 ...`). registry_sync() fetches the
 * registry from that address, checks the key id and signature, refuses an
 * expired registry or one older than the cached copy, and then stores the
 * nodes it lists in fed_nodes as source 'registry' (rows an operator added
 * are left as they are; registry rows no longer listed are retired). The
 * signed document and its expiry are cached in node_meta; envelopes from a
 * node known only from the registry are refused once it expires. */
#ifndef ZT_FED_REGISTRY_H
#define ZT_FED_REGISTRY_H

#include <jansson.h>
#include <stdint.h>

#include "base/err.h"
#include "db/db.h"

#define REGISTRY_HUB	"000000"
#define REGISTRY_FORMAT "zt-registry-1"

/* The hub: its signed registry document, built from fed_nodes, valid for
 * cfg.fed_registry_ttl seconds. ZT_ENOTFOUND (reason not_hub) on another
 * node. */
json_t *registry_document(db_conn *c, struct zt_err *err);

struct registry_result {
	int hub;	    /* 1: this node is the hub, nothing fetched */
	int nodes;	    /* nodes listed */
	int applied;	    /* rows inserted or changed */
	int retired;	    /* registry rows no longer listed */
	int64_t issued_at;  /* of the registry now cached */
	int64_t expires_at; /* of the registry now cached */
};

/* Fetches, verifies and applies the hub's registry (see above). Errors:
 * ZT_ENOTFOUND (reason no_anchor) when no hub is registered here,
 * ZT_EUNAVAIL when the hub does not answer, ZT_EUNAUTH (reason
 * bad_signature, unknown_key) and ZT_EINVAL (reason malformed, expired,
 * rollback) when the document is not to be trusted; nothing changes then. */
int registry_sync(struct registry_result *out, struct zt_err *err);

/* The cached registry's state for operators: {anchor, issued_at,
 * expires_at, expired, nodes: [...]} from fed_nodes. */
json_t *registry_status_json(db_conn *c, struct zt_err *err);

/* Federation ticker job: syncs every cfg.fed_registry_refresh seconds
 * (sooner when never synced or expired); failures are logged. */
void registry_tick(void);

#endif
