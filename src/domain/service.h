/* service.h - the service catalog: 政务服务事项 and their 办事指南.
 *
 * A dept_admin creates and edits items of their department (drafts),
 * publishes and unpublishes them. Published guides are public and searchable
 * (FTS5 trigram over name and guide text; 1-2 character terms fall back to a
 * substring scan). */
#ifndef ZT_SERVICE_H
#define ZT_SERVICE_H

#include <jansson.h>
#include <stdint.h>

#include "base/err.h"
#include "db/db.h"
#include "domain/principal.h"

#define SERVICE_MAX_MATERIALS 50
#define SERVICE_MAX_STEPS     30

enum channel { CH_WEB = 1, CH_MOBILE = 2, CH_WINDOW = 4, CH_SELF_SERVICE = 8, CH_MAIL = 16 };
enum cross_mode { CROSS_FULL_ONLINE = 1, CROSS_PROXY = 2, CROSS_MULTI_SITE = 4 };

extern const char *const service_types[];    /* "XK", ... NULL */
extern const char *const service_targets[];  /* "citizen", "enterprise", "both", NULL */
extern const char *const material_forms[];   /* "original", ... NULL */
extern const char *const channel_names[];    /* index i = bit 1<<i */
extern const char *const cross_mode_names[]; /* index i = bit 1<<i */

struct material_in {
	const char *name;
	const char *form;
	int count;
	int required;
	const char *note;
	const char *license_type; /* license type that satisfies it, or NULL */
	const char *resource;	  /* code of a data resource that satisfies it, or NULL */
};

struct service_in {
	const char *code, *name, *type, *target;
	int64_t dept_id; /* 0 = the caller's department */
	int legal_days, promised_days, depth, max_visits;
	const char *fee, *conditions, *legal_basis, *place, *office_hours, *consult, *complaint;
	json_t *process; /* array of strings (borrowed) */
	unsigned channels, cross_modes;
	struct material_in materials[SERVICE_MAX_MATERIALS];
	int nmaterials;
	const char *license_type; /* the license an approved case issues, or NULL */
};

/* What case submission needs to know about an item. */
struct service_ref {
	int64_t id, dept_id;
	char code[64];
	char name[256];
	char status[16];
	char target[16];
	int promised_days;
	int depth;
	char license_type[24]; /* "" = the item issues no license */
};

struct service_query {
	const char *q;	    /* full-text, may be NULL */
	const char *region; /* region code (includes sub-regions), may be NULL */
	int64_t dept_id;    /* 0 = any */
	const char *type;   /* may be NULL */
	int min_depth;	    /* 0 = any */
	unsigned cross;	    /* cross_mode bit, 0 = any */
	const char *status; /* NULL = published (public); officials may ask for their drafts */
	int64_t only_dept;  /* restrict to this department (officials' own list) */
	int limit;
	const char *cursor;
};

/* Bumped by every catalog change this process commits; caches of search
 * results compare it (and expire within seconds for other processes'). */
uint64_t service_catalog_version(void);

/* Rule checks on top of field validation (promised <= legal, codes, ...).
 * License types and resources named by the item are checked against the
 * database when it is written (unknown -> ZT_EINVAL naming the field;
 * resources only once the sharing tables exist). */
int service_validate(const struct service_in *in, struct zt_err *err);
int service_create(const struct principal *by, const struct service_in *in, int64_t *id,
		   struct zt_err *err);
int service_update(const struct principal *by, int64_t id, const struct service_in *in,
		   struct zt_err *err);
/* status: "published" or "unpublished". */
int service_set_status(const struct principal *by, int64_t id, const char *status,
		       struct zt_err *err);
/* The full guide. Non-published items only for officials of their
 * department. by may be an anonymous principal. */
json_t *service_get_json(db_conn *c, const struct principal *by, int64_t id, struct zt_err *err);
/* {items:[...], next:cursor|null} */
json_t *service_search(db_conn *c, const struct service_query *q, struct zt_err *err);
/* Loads an item by code for submission. 0, or ZT_ENOTFOUND. */
int service_ref_by_code(db_conn *c, const char *code, struct service_ref *out, struct zt_err *err);
/* Required materials (seq, name) of an item as a JSON array. */
json_t *service_materials_json(db_conn *c, int64_t item_id, struct zt_err *err);
/* Bits from a JSON array of names; -1 and an error naming field when unknown. */
int service_bits_from_names(json_t *arr, const char *const *names, unsigned *out);
json_t *service_names_from_bits(unsigned bits, const char *const *names);

#endif
