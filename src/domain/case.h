/* case.h - cases (办件): submission, the state machine, deadlines in working
 * days, visits (trip counting), ratings (好差评), and the views applicants
 * and officials read.
 *
 * States and transitions (DESIGN.md):
 *   submitted        -> accepted | not_accepted | needs_supplement   (clerk)
 *   needs_supplement -> submitted                                    (applicant: 补正)
 *   accepted         -> approved | denied                            (reviewer)
 *   approved         -> delivered                                    (clerk or reviewer)
 * The clock: from submission the department has accept_days working days to
 * accept or ask for 补正 (paused while the applicant supplements); from
 * acceptance it has the item's promised working days to decide. */
#ifndef ZT_CASE_H
#define ZT_CASE_H

#include <jansson.h>
#include <stdint.h>

#include "base/err.h"
#include "db/db.h"
#include "domain/principal.h"

#define CASE_MAX_MATERIALS 50

enum case_action {
	ACT_ACCEPT,
	ACT_NOT_ACCEPT,
	ACT_SUPPLEMENT,
	ACT_RESUBMIT,
	ACT_APPROVE,
	ACT_DENY,
	ACT_DELIVER,
	ACT__COUNT
};

/* Name of an action ("accept", ...), and back (-1 when unknown). */
const char *case_action_name(enum case_action a);
int case_action_from_name(const char *s);
/* The state that action leads to from state, or NULL when illegal. */
const char *case_next_state(const char *state, enum case_action a);
/* Roles allowed to take the action (0 = the applicant themself). */
unsigned case_action_roles(enum case_action a);

struct case_material_in {
	int seq;	  /* the item's material number, 0 = extra material */
	const char *name; /* label shown to officials */
	const char *file; /* SM3 hex of an uploaded file of the applicant */
	/* Cross-region (see case_fed_in): the file stays at the receiving
	 * node, which reports its size and type; not looked up here. */
	int64_t size;
	const char *mime;
};

/* A cross-region application (跨省通办, docs/federation.md) as the home
 * node records it: the node of region origin received it as number ref. */
struct case_fed_in {
	const char *origin; /* region code of the receiving node */
	const char *ref;    /* its number of the application */
	const char *mode;   /* full_online | proxy | joint */
	json_t *checked;    /* proxy: its formal review {by, note, at}, borrowed, or NULL */
};

struct case_submit_in {
	const char *item_code;
	json_t *form; /* object, borrowed */
	struct case_material_in materials[CASE_MAX_MATERIALS];
	int nmaterials;
	const char *idem_key; /* may be NULL */
	const char *channel;  /* how it came in: "web", "mobile", ...; NULL = "web" */
};

struct case_action_in {
	enum case_action action;
	const char *comment; /* reason for not_accept/deny, note otherwise */
	json_t *missing;     /* supplement: array of strings, borrowed */
	json_t *form;	     /* resubmit: replacement form, may be NULL */
	struct case_material_in materials[CASE_MAX_MATERIALS]; /* resubmit */
	int nmaterials;
	const char *delivery; /* deliver: electronic | mail | window */
	/* resubmit of a cross-region case: the materials are files kept at
	 * the node of this region (case_material_in size and mime) */
	const char *remote_origin;
};

/* Submits an application. Materials of the item that name a license type
 * or a data resource are filled by the server when the applicant holds a
 * valid license of the type, or the department a grant with a row about the
 * applicant (docs/sharing.md, Once-only); such a required material needs no
 * upload, and cases.exempted counts them. *replayed = 1 when idem_key matched an earlier
 * submission of the same applicant (nothing new is written). */
int case_submit(const struct principal *by, const struct case_submit_in *in, int64_t *case_id,
		int *replayed, struct zt_err *err);
/* Takes a transition. Illegal ones give ZT_ECONFLICT and change nothing. */
int case_act(const struct principal *by, int64_t case_id, const struct case_action_in *in,
	     struct zt_err *err);

/* case_submit and case_act inside the caller's write transaction c, for
 * changes made together with other rows (跨省通办: the inbox's
 * transaction, or a receiving node's own application). case_submit_tx
 * takes no Idempotency-Key. With fed, the case is one that another node
 * received: recorded with its origin, and its materials are the origin's
 * files (not looked up here). Same rules and errors as the functions
 * above; on an error the caller's transaction must not commit what the
 * call wrote (roll back to a savepoint or fail the job). An official
 * principal without a user (user_id 0) stands for the receiving node's
 * window: its events carry the role "origin". */
int case_submit_tx(db_conn *c, const struct principal *by, const struct case_submit_in *in,
		   const struct case_fed_in *fed, int64_t *case_id, struct zt_err *err);
int case_act_tx(db_conn *c, const struct principal *by, int64_t case_id,
		const struct case_action_in *in, struct zt_err *err);
/* Records an on-site visit of the applicant (officials of the department). */
int case_record_visit(const struct principal *by, int64_t case_id, const char *purpose,
		      struct zt_err *err);

/* The full case: item, state, deadline and timer, materials, history,
 * visits and rating. Applicants see only their own; officials only their
 * department's (ZT_EFORBIDDEN otherwise). */
json_t *case_get_json(db_conn *c, const struct principal *by, int64_t case_id, struct zt_err *err);

struct case_query {
	const char *state; /* NULL = any */
	const char *timer; /* normal | warning | overdue | paused | closed | NULL */
	int limit;
	const char *cursor;
};
/* Applicants: their cases, newest first. Officials: their department's
 * inbox sorted by deadline. {items:[...], next} */
json_t *case_list_json(db_conn *c, const struct principal *by, const struct case_query *q,
		       struct zt_err *err);

/* Timer state of a case at now: "normal", "warning", "overdue", "paused" or
 * "closed". */
const char *case_timer(int64_t now, const char *phase, int paused, int64_t due_at, int64_t warn_at);

/* Once-only: the materials of published item item_id that submission would
 * fill for the applicant by, [{seq, name, source: license|share, ref,
 * label}]; ref is the license identifier or "grant:<id>" (nothing is read
 * through a grant or recorded here, so the row's key is not known yet). NULL and
 * ZT_ENOTFOUND for an unknown or unpublished item. */
json_t *case_prefill_json(db_conn *c, const struct principal *by, int64_t item_id,
			  struct zt_err *err);

#define CASE_SUBJECT_MAX 80 /* FIELDENC_IDX_LEN */
/* The data subject of an account as subject columns store it: the blind
 * index (crypto/fieldenc.h) of its ID number (citizen) or credit code
 * (enterprise) into out; "" when it has none. */
int case_applicant_subject(db_conn *c, int64_t user_id, char out[CASE_SUBJECT_MAX],
			   struct zt_err *err);

/* Appends an event to a case's history inside the caller's transaction.
 * The event of a cross-region case is also queued for its receiving node
 * (case.update, fed/xcase.h), in the same transaction. */
int case_add_event(db_conn *c, int64_t case_id, int64_t actor, const char *role, const char *action,
		   const char *from, const char *to, const char *comment, json_t *data,
		   struct zt_err *err);

/* Access check for reading or acting on a case: applicants their own
 * (ZT_ENOTFOUND otherwise), officials of its department (ZT_EFORBIDDEN
 * otherwise). Fills dept and applicant when not NULL. */
int case_access(db_conn *c, const struct principal *by, int64_t case_id, int64_t *dept,
		int64_t *applicant, char state[24], struct zt_err *err);

#endif
