/* audit.h - the append-only, hash-linked audit chain.
 *
 * Every state change appends a record in the same transaction:
 *   hash = SM3(previous hash (32 raw bytes) || canonical JSON of the record)
 * where the record is {"action","actor","at","data","object","seq"} with keys
 * sorted and no whitespace. audit_head holds the last seq and hash, so a
 * deleted tail is detected too. The chain alone detects changes by anyone
 * who cannot rewrite every later record; to close that gap, every write
 * transaction that appended records also signs the head with the node's SM2
 * key (audit_signatures: "zt-audit|<seq>|<hash>"), so rewriting the chain
 * needs the private key, which is not in the database. */
#ifndef ZT_AUDIT_H
#define ZT_AUDIT_H

#include <jansson.h>
#include <stdint.h>

#include "db/db.h"

/* Appends a record inside the caller's write transaction. data is borrowed
 * (may be NULL for {}). object is e.g. "case:12". Returns 0 or an error. */
int audit_append(db_conn *c, int64_t actor_id, const char *action, const char *object, json_t *data,
		 struct zt_err *err);

/* Makes every write transaction that appended records seal the head
 * (installs the db pre-commit hook). Needs nodekey_load(). The seal is an
 * SM2 signature when this process's last one is a second old, otherwise an
 * HMAC-SM3 under a key derived from node.key; audit_seal_start() runs a
 * thread that turns the newest HMAC seal into a signature within a second,
 * and audit_seal_stop() stops it and signs what is left. */
void audit_enable_signing(void);
int audit_seal_start(void);
void audit_seal_stop(void);
/* Signs the head now if its newest seal is an HMAC (the CLI, at exit). */
void audit_seal_flush(void);

/* Checks the whole chain. Returns 0 when intact, the first bad sequence
 * number (> 0) when not (err->msg says what is wrong), or a negative error.
 * *checked receives the number of records read. progress (may be NULL) is
 * called every 10000 records. Then the signatures: each must name a record
 * of the chain with its hash, the last one must verify (SM2, the key from
 * node_keys) and no record may come after it; a chain with no signature at
 * all (written before signing existed) passes on its hashes alone. */
int64_t audit_verify(db_conn *c, int64_t *checked, void (*progress)(int64_t done, int64_t total),
		     struct zt_err *err);

/* The last sequence number signed with SM2 (0 when none) and its key_id. */
int64_t audit_last_signed(db_conn *c, char key_id[17], struct zt_err *err);

#endif
