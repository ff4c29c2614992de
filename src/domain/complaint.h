/* complaint.h - public complaints and clues (投诉/线索) about a service item,
 * a case or a department.
 *
 * Anyone may complain: signed in (the contact comes from the account) or
 * anonymously with a contact name and a mobile number. A complaint is routed
 * to the department concerned: one transaction stores it, opens its
 * 'complaint' supervision item (supervise.h) for the department's supervisor
 * with a deadline of cfg.complaint_days working days, and audits both. The
 * supervisor's outcome is then published with the complaint, never its
 * content or the contact, and with ID and mobile numbers and the names
 * involved masked. */
#ifndef ZT_COMPLAINT_H
#define ZT_COMPLAINT_H

#include <jansson.h>
#include <stdint.h>

#include "base/err.h"
#include "db/db.h"
#include "domain/principal.h"

#define COMPLAINT_CONTENT_MIN 10
#define COMPLAINT_CONTENT_MAX 2000
#define COMPLAINT_NAME_MAX    50

/* Per-client limit on new complaints (in memory, per process). */
#define COMPLAINT_RATE_MAX    5	 /* complaints ... */
#define COMPLAINT_RATE_WINDOW 60 /* ... per this many seconds */

struct complaint_in {
	const char *about;	   /* "item", "case" or "department" */
	int64_t item_id;	   /* about an item: a published service item */
	const char *case_no;	   /* about a case */
	int64_t dept_id;	   /* about a department */
	const char *content;	   /* COMPLAINT_CONTENT_MIN..MAX characters */
	const char *contact_name;  /* required when by is not a signed-in person */
	const char *contact_phone; /* ditto (or when the account has no phone) */
};

/* Files a complaint. by: the caller (anonymous or a department system:
 * the contact must be given). Unknown or unpublished subjects are
 * ZT_ENOTFOUND naming item_id, case_no or dept_id; a missing contact is
 * ZT_ERULE naming contact_name or contact_phone; a bad mobile number
 * ZT_EINVAL naming contact_phone. On success *out = {no, dept: {id, name},
 * due_date, status}. Nothing is written on an error. */
int complaint_submit(const struct principal *by, const struct complaint_in *in, json_t **out,
		     struct zt_err *err);

/* 1 when by is a signed-in person (citizen, enterprise or official), whose
 * contact comes from the account; 0 for anonymous callers and systems. */
int complaint_signed_in(const struct principal *by);

/* Public list, newest first: {items: [{no, created_at, about, dept_id,
 * dept_name, item_name, status, due_date, closed_at, on_time, outcome}],
 * next}. dept_id 0 = every department; status "open", "closed" or NULL. */
json_t *complaint_public_list_json(db_conn *c, int64_t dept_id, const char *status, int limit,
				   const char *cursor, struct zt_err *err);
/* The public view of one complaint; NULL and ZT_ENOTFOUND when unknown. */
json_t *complaint_public_json(db_conn *c, const char *no, struct zt_err *err);

/* text with personal data masked for publication (free() it): 18-character
 * ID numbers (ident_mask_id), mainland mobile numbers, also written with
 * +86 or as 3-4-4 digits separated by a space or '-' (ident_mask_phone), and
 * every occurrence of each of names (NULL-terminated; names shorter than 2
 * characters are skipped) (ident_mask_name). Digits that run on into other
 * digits are not taken for a number. */
char *complaint_mask_text(const char *text, const char *const *names);

/* Counts one complaint of client (an address) against COMPLAINT_RATE_MAX
 * per COMPLAINT_RATE_WINDOW seconds of real (monotonic) time. Returns 0,
 * or the seconds to wait when the limit is used up. Thread-safe. */
int complaint_rate_take(const char *client);
/* Forgets every client (tests). */
void complaint_rate_reset(void);

#endif
