/* ping.h - fed.ping: the smallest message, for operators to check that
 * two nodes reach and trust each other (`zhengtong node ping`), and for the
 * delivery tests. The receiver counts the pings of each sender in node_meta
 * (fed_pings_<region>). */
#ifndef ZT_FED_PING_H
#define ZT_FED_PING_H

#include <jansson.h>

#include "base/err.h"
#include "db/db.h"

/* Inside a write transaction: queues n pings to the node of region to. */
int ping_enqueue(db_conn *c, const char *to, int n, struct zt_err *err);
/* Inbox handler of fed.ping: answer {"count"} = pings received from sender. */
int ping_apply(db_conn *c, const char *sender, json_t *payload, json_t *answer, struct zt_err *err);

#endif
