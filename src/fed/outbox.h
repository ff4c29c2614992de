/* outbox.h - the durable outbox of node-to-node messages
 * (docs/federation.md, Delivery).
 *
 * A change that must reach another node inserts its message with
 * outbox_enqueue() inside the change's own write transaction, so the
 * message exists exactly when the change does. The sender (outbox_deliver,
 * run by the federation ticker and by `zhengtong node deliver`) POSTs each
 * pending message as {"type", "payload"} to the recipient's
 * /api/v1/fed/inbox, signed anew for every attempt under the message's
 * fixed id. Messages to one recipient go in id order: a message waits while
 * an earlier one to the same node is undelivered.
 *
 * Outcomes: 2xx, or 409 "replayed" (an earlier attempt took effect but its
 * answer was lost), mark the message delivered. 400, 413 and 422 (the
 * receiver refuses the content) mark it failed for good, with the error
 * kept. Anything else (no answer, 401 while the receiver does not know us
 * yet, 5xx) is retried after 1, 2, 4, ... seconds, at most cfg.fed_retry_max. */
#ifndef ZT_FED_OUTBOX_H
#define ZT_FED_OUTBOX_H

#include <jansson.h>

#include "base/err.h"
#include "db/db.h"
#include "fed/envelope.h"

#define OUTBOX_PATH "/api/v1/fed/inbox"

/* Inside a write transaction: queues a message of type (e.g. "case.submit")
 * with payload (an object, borrowed) for the node of region recipient.
 * id_out (may be NULL) gets its message id. */
int outbox_enqueue(db_conn *c, const char *recipient, const char *type, json_t *payload,
		   char id_out[ENVELOPE_MSGID_LEN], struct zt_err *err);

struct outbox_pass {
	int delivered; /* now delivered (or found already applied) */
	int retried;   /* attempted, to be retried later */
	int failed;    /* refused by the receiver for good */
};

/* One delivery pass over the messages that are due. Returns 0 (the counts
 * in *out) or a negative error when the database fails. */
int outbox_deliver(struct outbox_pass *out, struct zt_err *err);

/* The outbox as JSON for operators: counts by status, and the most recent
 * messages (status NULL = any) with attempts, next try and last error. */
json_t *outbox_json(db_conn *c, const char *status, int limit, struct zt_err *err);

#endif
