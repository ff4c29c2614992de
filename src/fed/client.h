/* client.h - node-to-node HTTP calls (libcurl), each signed with an
 * envelope (fed/envelope.h), and this node's own federation identity.
 *
 * Calls go to a peer's address as registered in fed_nodes. Every call has
 * a total timeout (cfg.fed_timeout seconds, 2 s to connect); a peer that
 * cannot be reached gives ZT_EUNAVAIL with reason "unreachable". */
#ifndef ZT_FED_CLIENT_H
#define ZT_FED_CLIENT_H

#include <jansson.h>
#include <stddef.h>

#include "base/buf.h"
#include "base/err.h"
#include "db/db.h"

struct fed_reply {
	long status;	 /* HTTP status, 0 when no answer arrived */
	struct buf body; /* the answer's body */
};

/* Once per process before the first call (curl_global_init). */
void fed_client_init(void);

/* This node's region code from node_meta (fed_region), cached after the
 * first successful read; "" when the node is not initialised. */
const char *fed_self(void);
/* Forgets the cached identity (tests, `node init` in the same process). */
void fed_self_reset(void);

/* The address of the active node of region, from fed_nodes: 1 and url
 * filled, 0 when no such active node with an address, negative on error. */
int fed_node_url(db_conn *c, const char *region, char *url, size_t cap, struct zt_err *err);

/* Sends METHOD base_url+path with n body bytes (JSON when n > 0), signed
 * as this node with message_id (NULL: a fresh one). Fills *out (the caller
 * frees it with fed_reply_free) whatever the status; returns 0 when an
 * answer arrived, ZT_EUNAVAIL (reason unreachable) when none did. */
int fed_request(const char *base_url, const char *method, const char *path, const char *message_id,
		const void *body, size_t n, struct fed_reply *out, struct zt_err *err);

/* An unsigned GET of a full URL (the hub's registry, which carries its own
 * signature). */
int fed_get_plain(const char *url, struct fed_reply *out, struct zt_err *err);

/* The usual synchronous call: looks up region's address (a read
 * connection of the pool), sends body (NULL = none) signed, and parses a
 * JSON answer into *answer (NULL when the answer is not JSON). *status gets
 * the HTTP status. Returns 0 when an answer arrived; ZT_ENOTFOUND (reason
 * unknown_node) when the region has no active node; ZT_EUNAVAIL when the
 * node did not answer. */
int fed_call(const char *region, const char *method, const char *path, json_t *body, long *status,
	     json_t **answer, struct zt_err *err);

void fed_reply_free(struct fed_reply *r);

#endif
