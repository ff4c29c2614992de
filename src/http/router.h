/* router.h - the route table: every endpoint declares its method, path
 * pattern, who may call it and what body it takes. There is no route without
 * a policy: a zero `who` is refused when the table is checked at start-up. */
#ifndef ZT_ROUTER_H
#define ZT_ROUTER_H

#include <stddef.h>

struct req;
typedef void (*handler_fn)(struct req *r);

enum body_kind { BODY_NONE, BODY_JSON, BODY_FILE };

struct route {
	const char *method;
	const char *pattern; /* "/api/v1/cases/{id}/accept"; {x} matches one segment,
			      {*x} (last) the rest of the path */
	unsigned who;	     /* enum who bits allowed to call */
	enum body_kind body;
	handler_fn fn;
	const char *name; /* stable name for metrics and logs */
};

extern const struct route routes[];
extern const size_t nroutes;

/* Checks the table: every route has a policy, a handler, a name and a
 * pattern starting with '/'. Returns 0 or -1 (and prints the bad route). */
int router_check(void);
/* Finds the route for method and path; fills params (copies owned by the
 * caller, at most REQ_MAX_PARAMS). Returns its index, -1 if no path matches,
 * -2 if the path matches with another method (405). */
int router_match(const char *method, const char *path, char **params, int *nparams);

#endif
