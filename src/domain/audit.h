/* audit.h - the append-only, hash-linked audit chain.
 *
 * Every state change appends a record in the same transaction:
 *   hash = SM3(previous hash (32 raw bytes) || canonical JSON of the record)
 * where the record is {"action","actor","at","data","object","seq"} with keys
 * sorted and no whitespace. audit_head holds the last seq and hash, so a
 * deleted tail is detected too. The chain detects changes by anyone who
 * cannot rewrite every later record; signing the head with the node's SM2
 * key (node identity arrives with federation) closes that gap. */
#ifndef ZT_AUDIT_H
#define ZT_AUDIT_H

#include <jansson.h>
#include <stdint.h>

#include "db/db.h"

/* Appends a record inside the caller's write transaction. data is borrowed
 * (may be NULL for {}). object is e.g. "case:12". Returns 0 or an error. */
int audit_append(db_conn *c, int64_t actor_id, const char *action, const char *object, json_t *data,
		 struct zt_err *err);

/* Checks the whole chain. Returns 0 when intact, the first bad sequence
 * number (> 0) when not (err->msg says what is wrong), or a negative error.
 * *checked receives the number of records read. progress (may be NULL) is
 * called every 10000 records. */
int64_t audit_verify(db_conn *c, int64_t *checked, void (*progress)(int64_t done, int64_t total),
		     struct zt_err *err);

#endif
