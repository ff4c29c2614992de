/* router.c - matching a method and path against the route table. */
#include "http/router.h"
#include "http/req.h"
#include "base/xmalloc.h"

#include <stdio.h>
#include <string.h>

int
router_check(void)
{
	for (size_t i = 0; i < nroutes; i++) {
		const struct route *rt = &routes[i];
		if (rt->who == 0 || route_scope_name(rt->scope) == NULL || rt->fn == NULL ||
		    rt->name == NULL || rt->pattern[0] != '/') {
			fprintf(stderr, "route %s %s has no policy, handler or name\n", rt->method,
				rt->pattern);
			return -1;
		}
	}
	return 0;
}

const char *
route_scope_name(enum route_scope s)
{
	switch (s) {
	case SCOPE_UNDECLARED:
		return NULL;
	case SCOPE_ANY:
		return "any";
	case SCOPE_SELF:
		return "self";
	case SCOPE_OWNER:
		return "owner";
	case SCOPE_DEPT:
		return "dept";
	case SCOPE_DEPT_SYSADMIN:
		return "dept_sysadmin";
	case SCOPE_SIGNED:
		return "signed";
	}
	return NULL;
}

/* Matches one pattern; params are filled only on success. */
static int
match(const char *pat, const char *path, char **params, int *nparams)
{
	const char *p = pat, *s = path;
	char *got[REQ_MAX_PARAMS];
	int n = 0;

	while (*p) {
		if (p[0] == '{' && p[1] == '*') {
			/* {*rest} matches the remainder of the path, slashes included. */
			if (n == REQ_MAX_PARAMS)
				goto fail;
			got[n++] = xstrdup(s);
			s += strlen(s);
			p = strchr(p, '}') + 1;
			continue;
		}
		if (*s == '\0')
			break;
		if (*p == '{') {
			const char *pe = strchr(p, '}');
			const char *se = strchr(s, '/');
			size_t len = se ? (size_t)(se - s) : strlen(s);
			if (pe == NULL || len == 0 || n == REQ_MAX_PARAMS)
				goto fail;
			got[n++] = xstrndup(s, len);
			p = pe + 1;
			s += len;
			continue;
		}
		if (*p != *s)
			goto fail;
		p++;
		s++;
	}
	if (*p || *s)
		goto fail;
	for (int i = 0; i < n; i++)
		params[i] = got[i];
	*nparams = n;
	return 1;
fail:
	for (int i = 0; i < n; i++)
		free(got[i]);
	return 0;
}

int
router_match(const char *method, const char *path, char **params, int *nparams)
{
	int path_matched = 0;
	char *tmp[REQ_MAX_PARAMS];
	int ntmp;

	*nparams = 0;
	for (size_t i = 0; i < nroutes; i++) {
		/* The catch-all comes last; a path an API route knows is not its,
		 * nor is anything in the /api namespace (404 there, not a page). */
		if (strstr(routes[i].pattern, "{*") &&
		    (path_matched || strncmp(path, "/api/", 5) == 0 || strcmp(path, "/api") == 0))
			continue;
		if (!match(routes[i].pattern, path, tmp, &ntmp))
			continue;
		if (strcmp(routes[i].method, method) == 0 ||
		    (strcmp(method, "HEAD") == 0 && strcmp(routes[i].method, "GET") == 0)) {
			for (int k = 0; k < ntmp; k++)
				params[k] = tmp[k];
			*nparams = ntmp;
			return (int)i;
		}
		for (int k = 0; k < ntmp; k++)
			free(tmp[k]);
		/* The catch-all static route does not make every path "known". */
		if (strstr(routes[i].pattern, "{*") == NULL)
			path_matched = 1;
	}
	return path_matched ? -2 : -1;
}
