/* xcase.h - 跨省通办: cross-region cases in three modes (docs/federation.md,
 * Cross-region cases).
 *
 * The receiving node R (where the applicant or the window is) keeps the
 * application as a fed case (fed_cases, numbered "KS" + region + date +
 * sequence) with its history (fed_case_events). The home node H, which
 * owns the service item, handles it as a real case of its own workflow
 * (cases.fed_origin, fed_ref, fed_mode), for a local applicant account: the
 * one holding the applicant's ID number, else a shadow account that
 * cannot sign in. Modes:
 *   full_online  the applicant at R applies for H's item; H decides.
 *   proxy        (异地代收代办) R's clerk registers the application at R's
 *                window (received), reviews identity and materials (pass:
 *                forwarded to H; reject: not_accepted_here); H decides; R's
 *                clerk hands the result over at R's window (delivered).
 *   joint        (多地联办) one application for R's own item and H's item:
 *                R's part is a local case, H's part a fed case, linked.
 *
 * Messages (fed/outbox.h, fed/inbox.h: exactly once, in order per node):
 *   case.submit   R -> H  the application; H creates the case, or refuses
 *                         it with a case.update to not_accepted.
 *   case.update   H -> R  every event of the case (queued by
 *                         case_add_event in the event's transaction).
 *   case.resubmit R -> H  补正 supplied at R.
 *   case.deliver  R -> H  the result handed over at R's window (proxy). */
#ifndef ZT_FED_XCASE_H
#define ZT_FED_XCASE_H

#include <jansson.h>
#include <stdint.h>

#include "base/err.h"
#include "db/db.h"
#include "domain/case.h"
#include "domain/principal.h"

#define XCASE_NO_MAX 32 /* "KS" + 6 + 8 + sequence */

/* A new application at R (POST /api/v1/fed/cases). */
struct xcase_in {
	const char *mode; /* full_online | proxy | joint */
	const char *home_region;
	const char *item_code;
	json_t *form; /* object, borrowed */
	struct case_material_in materials[CASE_MAX_MATERIALS];
	int nmaterials;
	/* joint: R's own item and its materials */
	const char *local_item_code;
	struct case_material_in local_materials[CASE_MAX_MATERIALS];
	int nlocal;
	/* proxy: the applicant at the window */
	const char *applicant_kind; /* citizen | enterprise; NULL = citizen */
	const char *applicant_id_no;
	const char *applicant_name;
	const char *applicant_phone; /* may be NULL */
};

/* Creates the application for by: an applicant (full_online, joint) or a
 * clerk (proxy). full_online and joint queue case.submit at once (state
 * forwarded); proxy waits for the formal review (state received). Joint
 * also submits the local case (case_submit's rules and errors, its fields
 * named local_item_code and local_materials). Materials must be files
 * uploaded by the applicant (by the clerk for proxy). Errors: ZT_EFORBIDDEN
 * when the mode is not the caller's, ZT_ERULE naming home_region (not an
 * active node other than this one, or this node is not federated) or a
 * material. *id gets the fed case id. */
int xcase_create(const struct principal *by, const struct xcase_in *in, int64_t *id,
		 struct zt_err *err);

/* Proxy, R's clerk of the registering department: the formal review of a
 * received application. pass forwards it to H (case.submit), otherwise it
 * ends at R (not_accepted_here; note is then required). ZT_ECONFLICT
 * unless received. */
int xcase_review(const struct principal *by, int64_t id, int pass, const char *note,
		 struct zt_err *err);

/* 补正 at R while H asks for it (needs_supplement): the applicant (the
 * registering department's clerk for proxy) supplies materials and/or a
 * corrected form; queues case.resubmit. State becomes submitted. */
int xcase_resubmit(const struct principal *by, int64_t id, json_t *form,
		   const struct case_material_in *m, int n, const char *comment,
		   struct zt_err *err);

/* Proxy: R's clerk hands the approved result over at R's window; queues
 * case.deliver. ZT_ECONFLICT unless approved. */
int xcase_deliver(const struct principal *by, int64_t id, const char *comment, struct zt_err *err);

/* One application with its history, where it is handled, and (joint) its
 * two steps. Applicants see their own (by account or ID number); officials
 * the proxy applications of their department and the joint ones whose
 * local part is their department's. ZT_ENOTFOUND otherwise. */
json_t *xcase_get_json(db_conn *c, const struct principal *by, int64_t id, struct zt_err *err);

struct xcase_query {
	const char *state; /* NULL = any */
	const char *mode;  /* NULL = any */
	int limit;
	const char *cursor;
};
/* Newest first, {items, next}: an applicant's applications, or the proxy
 * applications of an official's department. */
json_t *xcase_list_json(db_conn *c, const struct principal *by, const struct xcase_query *q,
			struct zt_err *err);

/* H, called by case_add_event inside its transaction: when the case came
 * from another node, queues case.update with event event_id for it. */
int xcase_case_event(db_conn *c, int64_t case_id, int64_t event_id, struct zt_err *err);

/* Inbox handlers (fed/inbox_cases.inc). */
int xcase_on_submit(db_conn *c, const char *sender, json_t *payload, json_t *answer,
		    struct zt_err *err);
int xcase_on_update(db_conn *c, const char *sender, json_t *payload, json_t *answer,
		    struct zt_err *err);
int xcase_on_resubmit(db_conn *c, const char *sender, json_t *payload, json_t *answer,
		      struct zt_err *err);
int xcase_on_deliver(db_conn *c, const char *sender, json_t *payload, json_t *answer,
		     struct zt_err *err);

/* Federation ticker job (fed.c), every cfg.fed_interval_ms. Nothing to
 * poll: every message travels through the outbox. */
void xcase_tick(void);

#endif
