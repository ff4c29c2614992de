/* inbox.h - applying messages received from other nodes
 * (POST /api/v1/fed/inbox; docs/federation.md).
 *
 * The HTTP handler verifies the envelope, then inbox_apply() runs, in one
 * write transaction, envelope_mark_seen() and the handler of the message's
 * type: the message takes effect exactly once, together with its effect.
 * Handlers are listed in inbox_types (fed/inbox_types.c), one .inc file per
 * feature. A handler returns 0, or ZT_EINVAL / ZT_ERULE when the content is
 * wrong for good (the sender stops retrying), or another error (retried). */
#ifndef ZT_FED_INBOX_H
#define ZT_FED_INBOX_H

#include <jansson.h>

#include "base/err.h"
#include "db/db.h"
#include "fed/envelope.h"

/* c: the write transaction; sender: region code of the sending node;
 * payload: the message's object; answer: an object the handler may fill
 * (returned to the sender as "result"). */
typedef int (*inbox_fn)(db_conn *c, const char *sender, json_t *payload, json_t *answer,
			struct zt_err *err);

struct inbox_type {
	const char *type;
	inbox_fn fn;
};

extern const struct inbox_type inbox_types[]; /* ends with {NULL, NULL} */

/* The handler of type, or NULL. */
inbox_fn inbox_find(const char *type);

/* Applies a verified message. Returns 0 (answer filled), ZT_ECONFLICT with
 * reason "replayed" when the message was applied before (nothing changes),
 * ZT_EINVAL for an unknown type, or the handler's error (nothing changes). */
int inbox_apply(const struct envelope *e, const char *type, json_t *payload, json_t *answer,
		struct zt_err *err);

#endif
