/* router.h - the route table: every endpoint declares its method, path
 * pattern, who may call it, what body it takes and which objects the caller
 * may touch (its scope). There is no route without a policy: a zero `who` or
 * an undeclared scope is refused when the table is checked at start-up. */
#ifndef ZT_ROUTER_H
#define ZT_ROUTER_H

#include <stddef.h>

struct req;
typedef void (*handler_fn)(struct req *r);

enum body_kind { BODY_NONE, BODY_JSON, BODY_FILE };

/* Which objects of its kind a caller admitted by `who` may touch. The guard
 * enforces `who`; the handler or the domain enforces the scope (403, or 404
 * where existence must not be revealed). tests/api/authz-matrix.test.mjs
 * checks every route against both, from `zhengtong routes`. */
enum route_scope {
	SCOPE_UNDECLARED = 0, /* refused by router_check */
	SCOPE_ANY,	      /* no object, a public one, or a list of the caller's own */
	SCOPE_SELF,	      /* the caller's own account and what it holds (session, keys) */
	SCOPE_OWNER,	      /* an applicant's object: its applicant, and officials of the
				 department handling it; everyone else is refused */
	SCOPE_DEPT,	      /* a department's object: officials of that department only */
	SCOPE_DEPT_SYSADMIN,  /* the same, and a sysadmin of any department */
	SCOPE_SIGNED,	      /* node to node: the signed envelope is the credential */
};

struct route {
	const char *method;
	const char *pattern; /* "/api/v1/cases/{id}/accept"; {x} matches one segment,
			      {*x} (last) the rest of the path */
	unsigned who;	     /* enum who bits allowed to call */
	enum body_kind body;
	handler_fn fn;
	const char *name; /* stable name for metrics and logs */
	enum route_scope scope;
};

extern const struct route routes[];
extern const size_t nroutes;

/* Checks the table: every route has a policy (who and scope), a handler, a
 * name and a pattern starting with '/'. Returns 0 or -1 (and prints the bad
 * route). */
int router_check(void);
/* "any", "self", "owner", "dept", "dept_sysadmin", "signed"; NULL when
 * undeclared or unknown. */
const char *route_scope_name(enum route_scope s);
/* Finds the route for method and path; fills params (copies owned by the
 * caller, at most REQ_MAX_PARAMS). Returns its index, -1 if no path matches,
 * -2 if the path matches with another method (405). */
int router_match(const char *method, const char *path, char **params, int *nparams);

#endif
