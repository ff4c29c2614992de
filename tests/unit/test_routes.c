/* test_routes.c - unit tests for the route table (api/routes.c) and the
 * router (http/router.c), and their agreement with docs/openapi.yaml.
 *
 * Test plan:
 * - The table: every route has a non-zero `who` using only known WHO_* bits
 *   and a declared scope (signed routes are public: the envelope decides),
 *   a handler, a non-empty unique name, a pattern starting with '/' and a
 *   method among GET, POST, PUT, DELETE, PATCH; no (method, pattern) pair
 *   appears twice; routes with a body are not GET; router_check() returns 0.
 * - Matching each route's own pattern with "1" put in for every {param}
 *   returns that route's index (so no earlier route shadows it), with one
 *   parameter per {param}, each "1"; HEAD finds the GET route of a path.
 * - Methods: on every route's path, every other method (GET, POST, PUT,
 *   DELETE, PATCH, HEAD) gives the index of the route having it or -2 (405)
 *   when the path is known but the method is not, exactly as an independent
 *   segment-by-segment matcher written here predicts; spot checks (GET on
 *   /api/v1/cases/1/accept is -2, DELETE /api/v1/cases is -2).
 * - Unknown paths give -1 and no parameters (or, for GET and HEAD, the
 *   catch-all {*rest} route when the table has one): "", "/", "/api/v1",
 *   trailing slashes, empty segments, extra segments, wrong case, prefixes
 *   and extensions of real segments, /api/v2. Under /api/ a catch-all must
 *   never answer: unknown API paths stay -1 (404) and GET / HEAD on POST-only
 *   API paths stay -2 (405) for every method.
 * - A catch-all route, when present (skipped otherwise): only one, the last
 *   route, GET, its parameter is the rest of the path with its slashes; POST
 *   and DELETE on such paths stay -1.
 * - Parameters are copied whole: a 64-hex file hash, a non-numeric id (the
 *   router does not judge ids; handlers answer 404).
 * - docs/openapi.yaml (from $ZT_SOURCE_DIR): every route's pattern is a path
 *   key with the lower-case method under it, and the operation's x-roles list
 *   is exactly the route's `who` in the order anonymous, citizen, enterprise,
 *   clerk, reviewer, dept_admin, data_officer, supervisor, sysadmin; and
 *   every operation in the file is a route (nothing documented that does not
 *   exist). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/xmalloc.h"
#include "domain/principal.h"
#include "http/req.h"
#include "http/router.h"

static const char *const methods[] = {"GET", "POST", "PUT", "DELETE", "PATCH", "HEAD"};
#define NMETHODS 6

/* Writes pattern with every {param} replaced by value into out. Returns the
 * number of parameters. */
static int
concrete(const char *pattern, const char *value, char *out, size_t cap)
{
	size_t o = 0;
	int n = 0;

	for (const char *p = pattern; *p; p++) {
		if (*p == '{') {
			const char *e = strchr(p, '}');
			assert_non_null(e);
			for (const char *v = value; *v; v++) {
				assert_true(o + 1 < cap);
				out[o++] = *v;
			}
			p = e;
			n++;
			continue;
		}
		assert_true(o + 1 < cap);
		out[o++] = *p;
	}
	out[o] = '\0';
	return n;
}

/* Independent matcher: same number of '/'-separated segments, literal
 * segments equal, {x} segments non-empty; a {*x} segment takes the rest of
 * the path (slashes included, possibly empty). */
static int
pattern_matches(const char *pat, const char *path)
{
	const char *p = pat, *s = path;

	if (*p != '/' || *s != '/')
		return 0;
	for (;;) {
		const char *pe, *se;
		p++;
		s++;
		pe = strchr(p, '/');
		se = strchr(s, '/');
		size_t pl = pe ? (size_t)(pe - p) : strlen(p);
		size_t sl = se ? (size_t)(se - s) : strlen(s);
		if (p[0] == '{' && p[1] == '*')
			return 1;
		if (pl > 1 && p[0] == '{' && p[pl - 1] == '}') {
			if (sl == 0)
				return 0;
		} else if (pl != sl || strncmp(p, s, pl) != 0)
			return 0;
		if ((pe == NULL) != (se == NULL))
			return 0;
		if (pe == NULL)
			return 1;
		p = pe;
		s = se;
	}
}

static int
is_catch_all(const struct route *r)
{
	return strstr(r->pattern, "{*") != NULL;
}

/* What router_match should return, by the oracle above. A catch-all route
 * does not make a path "known" for 405, and never takes a path that an API
 * route knows (405 there) or one under /api (404). */
static int
expected_match(const char *method, const char *path)
{
	int path_known = 0;

	for (size_t i = 0; i < nroutes; i++) {
		if (!pattern_matches(routes[i].pattern, path))
			continue;
		/* The catch-all takes neither a path an API route knows nor the
		 * /api namespace. */
		if (is_catch_all(&routes[i]) &&
		    (path_known || strncmp(path, "/api/", 5) == 0 || strcmp(path, "/api") == 0))
			continue;
		if (strcmp(routes[i].method, method) == 0 ||
		    (strcmp(method, "HEAD") == 0 && strcmp(routes[i].method, "GET") == 0))
			return (int)i;
		if (!is_catch_all(&routes[i]))
			path_known = 1;
	}
	return path_known ? -2 : -1;
}

static int
match(const char *method, const char *path, char **params, int *np)
{
	for (int i = 0; i < REQ_MAX_PARAMS; i++)
		params[i] = NULL;
	*np = -1;
	return router_match(method, path, params, np);
}

static void
free_params(char **params, int n)
{
	for (int i = 0; i < n; i++)
		free(params[i]);
}

/* ---- the table ---- */

static void
test_table(void **state)
{
	const unsigned known = WHO_PUBLIC;

	(void)state;
	assert_true(nroutes > 0);
	for (size_t i = 0; i < nroutes; i++) {
		const struct route *r = &routes[i];
		int method_ok = 0;
		if (r->who == 0)
			fail_msg("route %s %s has no policy", r->method, r->pattern);
		assert_int_equal(r->who & ~known, 0);
		if (route_scope_name(r->scope) == NULL)
			fail_msg("route %s %s declares no scope", r->method, r->pattern);
		/* Signed routes are public: the envelope, not a session, is the
		 * credential. */
		if (r->scope == SCOPE_SIGNED)
			assert_int_equal(r->who, WHO_PUBLIC);
		assert_non_null(r->fn);
		assert_non_null(r->name);
		assert_true(r->name[0] != '\0');
		assert_non_null(r->pattern);
		assert_int_equal(r->pattern[0], '/');
		for (int m = 0; m < NMETHODS - 1; m++)
			method_ok |= strcmp(r->method, methods[m]) == 0;
		if (!method_ok)
			fail_msg("route %s has method %s", r->name, r->method);
		if (strcmp(r->method, "GET") == 0)
			assert_int_equal(r->body, BODY_NONE);
		for (size_t k = 0; k < i; k++) {
			if (strcmp(routes[k].name, r->name) == 0)
				fail_msg("route name %s used twice", r->name);
			if (strcmp(routes[k].method, r->method) == 0 &&
			    strcmp(routes[k].pattern, r->pattern) == 0)
				fail_msg("route %s %s declared twice", r->method, r->pattern);
		}
	}
	assert_int_equal(router_check(), 0);
}

/* ---- matching ---- */

static void
test_each_route_matches_itself(void **state)
{
	char path[256], *params[REQ_MAX_PARAMS];
	int np;

	(void)state;
	for (size_t i = 0; i < nroutes; i++) {
		int want_np = concrete(routes[i].pattern, "1", path, sizeof(path));
		int got = match(routes[i].method, path, params, &np);
		if (got != (int)i)
			fail_msg("%s %s matched route %d, want %zu", routes[i].method, path, got,
				 i);
		assert_int_equal(np, want_np);
		for (int k = 0; k < np; k++)
			assert_string_equal(params[k], "1");
		free_params(params, np);
		if (strcmp(routes[i].method, "GET") == 0) {
			assert_int_equal(match("HEAD", path, params, &np), (int)i);
			assert_int_equal(np, want_np);
			free_params(params, np);
		}
	}
}

static void
test_methods_on_known_paths(void **state)
{
	char path[256], *params[REQ_MAX_PARAMS];
	int np, wrong = 0;

	(void)state;
	for (size_t i = 0; i < nroutes; i++) {
		concrete(routes[i].pattern, "1", path, sizeof(path));
		for (int m = 0; m < NMETHODS; m++) {
			int want = expected_match(methods[m], path);
			int got = match(methods[m], path, params, &np);
			if (got != want)
				fail_msg("%s %s gave %d, want %d", methods[m], path, got, want);
			if (got < 0)
				assert_int_equal(np, 0);
			else
				free_params(params, np);
			wrong += got == -2;
		}
	}
	assert_true(wrong > 0);
	/* Spot checks, independent of the oracle. */
	assert_int_equal(match("GET", "/api/v1/cases/1/accept", params, &np), -2);
	assert_int_equal(np, 0);
	assert_int_equal(match("DELETE", "/api/v1/cases", params, &np), -2);
	assert_int_equal(match("PUT", "/api/v1/cases/7", params, &np), -2);
	assert_int_equal(match("POST", "/healthz", params, &np), -2);
	assert_int_equal(match("GET", "/api/v1/auth/login", params, &np), -2);
	assert_int_equal(match("HEAD", "/api/v1/sla/sweep", params, &np), -2);
	assert_int_equal(match("get", "/healthz", params, &np), -2);
}

static const char *const unknown_paths[] = {
    "",
    "/",
    "healthz",
    "/healthz/",
    "/HEALTHZ",
    "/healthzz",
    "/api",
    "/api/v1",
    "/api/v1/",
    "/api/v2/cases",
    "/api/v1/case",
    "/api/v1/casesx",
    "/api/v1/cases/",
    "/api/v1/cases//accept",
    "/api/v1/cases/1/",
    "/api/v1/cases/1/accept/",
    "/api/v1/cases/1/accept/x",
    "/api/v1/cases/1/2/3",
    "/api/v1/cases/1/not_accept",
    "/api/v1/services/1/publish/now",
    "/api/v1/dept",
    "/api/v1/files/",
    "/api/v1/nope",
    "//api/v1/cases",
    "/api/v1/cases?limit=1",
};
#define NUNKNOWN (sizeof(unknown_paths) / sizeof(unknown_paths[0]))

static void
test_unknown_paths(void **state)
{
	char *params[REQ_MAX_PARAMS];
	int np;

	(void)state;
	for (size_t i = 0; i < NUNKNOWN; i++)
		for (int m = 0; m < NMETHODS; m++) {
			int got = match(methods[m], unknown_paths[i], params, &np);
			int want = expected_match(methods[m], unknown_paths[i]);
			if (got != want || (got != -1 && !is_catch_all(&routes[got])))
				fail_msg("%s \"%s\" gave %d, want -1 (or a catch-all)", methods[m],
					 unknown_paths[i], got);
			if (got < 0)
				assert_int_equal(np, 0);
			else
				free_params(params, np);
		}
}

/* The API keeps its own answers: an unknown /api/ path is 404 and a wrong
 * method on a known one 405, even if a catch-all (static files) route is in
 * the table. */
static void
test_api_paths_not_caught_by_catch_all(void **state)
{
	char path[256], *params[REQ_MAX_PARAMS];
	int np, got;

	(void)state;
	for (size_t i = 0; i < NUNKNOWN; i++) {
		if (strncmp(unknown_paths[i], "/api", 4) != 0)
			continue;
		for (int m = 0; m < NMETHODS; m++) {
			got = match(methods[m], unknown_paths[i], params, &np);
			if (got != -1)
				fail_msg("%s %s gave route %s, want -1 (404)", methods[m],
					 unknown_paths[i], got >= 0 ? routes[got].name : "-");
		}
	}
	for (size_t i = 0; i < nroutes; i++) {
		if (strncmp(routes[i].pattern, "/api/", 5) != 0 ||
		    strcmp(routes[i].method, "GET") == 0)
			continue;
		concrete(routes[i].pattern, "1", path, sizeof(path));
		if (expected_match("GET", path) >= 0 &&
		    !is_catch_all(&routes[expected_match("GET", path)]))
			continue; /* the path also has a real GET route */
		got = match("GET", path, params, &np);
		if (got != -2)
			fail_msg("GET %s gave %d (%s), want -2 (405)", path, got,
				 got >= 0 ? routes[got].name : "-");
		got = match("HEAD", path, params, &np);
		if (got != -2)
			fail_msg("HEAD %s gave %d (%s), want -2 (405)", path, got,
				 got >= 0 ? routes[got].name : "-");
	}
}

/* A {*rest} route (static files), when the table has one: last, GET only,
 * taking the rest of the path; other methods on unknown paths stay 404. */
static void
test_catch_all(void **state)
{
	char *params[REQ_MAX_PARAMS];
	int np, idx = -1, got;

	(void)state;
	for (size_t i = 0; i < nroutes; i++)
		if (is_catch_all(&routes[i])) {
			assert_int_equal(idx, -1);
			idx = (int)i;
		}
	if (idx < 0)
		skip();
	assert_int_equal(idx, (int)nroutes - 1);
	assert_string_equal(routes[idx].method, "GET");
	got = match("GET", "/index.html", params, &np);
	assert_int_equal(got, idx);
	assert_int_equal(np, 1);
	assert_string_equal(params[0], "index.html");
	free_params(params, np);
	got = match("GET", "/js/app/main.mjs", params, &np);
	assert_int_equal(got, idx);
	assert_int_equal(np, 1);
	assert_string_equal(params[0], "js/app/main.mjs");
	free_params(params, np);
	assert_int_equal(match("POST", "/index.html", params, &np), -1);
	assert_int_equal(match("DELETE", "/js/app/main.mjs", params, &np), -1);
}

static void
test_params_copied(void **state)
{
	static const char hash[] =
	    "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0";
	char path[128], *params[REQ_MAX_PARAMS];
	int np, idx;

	(void)state;
	snprintf(path, sizeof(path), "/api/v1/files/%s", hash);
	idx = match("GET", path, params, &np);
	assert_true(idx >= 0);
	assert_string_equal(routes[idx].name, "files.get");
	assert_int_equal(np, 1);
	assert_string_equal(params[0], hash);
	free_params(params, np);

	idx = match("GET", "/api/v1/cases/abc", params, &np);
	assert_true(idx >= 0);
	assert_string_equal(routes[idx].name, "cases.get");
	assert_int_equal(np, 1);
	assert_string_equal(params[0], "abc");
	free_params(params, np);

	idx = match("POST", "/api/v1/cases/123456789012/not-accept", params, &np);
	assert_true(idx >= 0);
	assert_string_equal(routes[idx].name, "cases.not_accept");
	assert_int_equal(np, 1);
	assert_string_equal(params[0], "123456789012");
	free_params(params, np);
}

/* ---- docs/openapi.yaml ---- */

struct op {
	char path[160];
	char method[8];
	char roles[256];
	char scope[32];
	int seen;
};

static char *
read_openapi(void)
{
	const char *dir = getenv("ZT_SOURCE_DIR");
	char path[1024];
	FILE *f;
	long n;
	char *text;

	assert_non_null(dir);
	snprintf(path, sizeof(path), "%s/docs/openapi.yaml", dir);
	f = fopen(path, "rb");
	if (f == NULL)
		fail_msg("cannot open %s", path);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n > 0);
	rewind(f);
	text = xmalloc((size_t)n + 1);
	assert_int_equal(fread(text, 1, (size_t)n, f), (size_t)n);
	text[n] = '\0';
	fclose(f);
	return text;
}

/* Collects the operations under "paths:": path keys at two spaces, methods
 * at four, "x-roles: [...]" and "x-scope: name" at six. Returns the number
 * found. */
static int
parse_ops(char *text, struct op *ops, int cap)
{
	static const char *const verbs[] = {"get", "post", "put", "delete", "patch", "head"};
	char cur[160] = "";
	int n = 0, in_paths = 0;

	for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
		size_t len = strlen(line);
		if (len && line[len - 1] == '\r')
			line[--len] = '\0';
		if (line[0] != ' ' && line[0] != '#' && len) {
			in_paths = strcmp(line, "paths:") == 0;
			continue;
		}
		if (!in_paths)
			continue;
		if (strncmp(line, "  /", 3) == 0 && len > 3 && line[len - 1] == ':') {
			snprintf(cur, sizeof(cur), "%.*s", (int)(len - 3), line + 2);
			continue;
		}
		if (strncmp(line, "    ", 4) == 0 && line[4] != ' ') {
			for (int v = 0; v < 6; v++) {
				size_t vl = strlen(verbs[v]);
				if (strncmp(line + 4, verbs[v], vl) == 0 && line[4 + vl] == ':' &&
				    line[5 + vl] == '\0') {
					assert_true(n < cap);
					assert_true(cur[0] == '/');
					memset(&ops[n], 0, sizeof(ops[n]));
					snprintf(ops[n].path, sizeof(ops[n].path), "%s", cur);
					snprintf(ops[n].method, sizeof(ops[n].method), "%s",
						 verbs[v]);
					n++;
				}
			}
			continue;
		}
		if (strncmp(line, "      x-roles: [", 16) == 0 && n > 0 && line[len - 1] == ']') {
			assert_int_equal(ops[n - 1].roles[0], '\0');
			snprintf(ops[n - 1].roles, sizeof(ops[n - 1].roles), "%.*s",
				 (int)(len - 17), line + 16);
		}
		if (strncmp(line, "      x-scope: ", 15) == 0 && n > 0) {
			assert_int_equal(ops[n - 1].scope[0], '\0');
			snprintf(ops[n - 1].scope, sizeof(ops[n - 1].scope), "%s", line + 15);
		}
	}
	return n;
}

/* The x-roles list a route's `who` must be documented with. */
static void
roles_of(unsigned who, char *out, size_t cap)
{
	static const struct {
		unsigned bit;
		const char *name;
	} names[] = {
	    {WHO_ANON, "anonymous"},
	    {WHO_CITIZEN, "citizen"},
	    {WHO_ENTERPRISE, "enterprise"},
	    {WHO_CLERK, "clerk"},
	    {WHO_REVIEWER, "reviewer"},
	    {WHO_DEPT_ADMIN, "dept_admin"},
	    {WHO_DATA_OFFICER, "data_officer"},
	    {WHO_SUPERVISOR, "supervisor"},
	    {WHO_SYSADMIN, "sysadmin"},
	};
	size_t o = 0;

	out[0] = '\0';
	for (int i = 0; i < 9; i++)
		if (who & names[i].bit)
			o += (size_t)snprintf(out + o, cap - o, "%s%s", o ? ", " : "",
					      names[i].name);
}

static void
test_openapi_documents_every_route(void **state)
{
	struct op ops[256];
	char *text = read_openapi();
	int nops = parse_ops(text, ops, 256), missing = 0;

	(void)state;
	assert_true(nops > 0);
	for (size_t i = 0; i < nroutes; i++) {
		char method[8], want[256];
		int found = -1;
		size_t k;
		for (k = 0; routes[i].method[k] && k < sizeof(method) - 1; k++)
			method[k] = (char)(routes[i].method[k] | 0x20);
		method[k] = '\0';
		for (int o = 0; o < nops; o++)
			if (strcmp(ops[o].path, routes[i].pattern) == 0 &&
			    strcmp(ops[o].method, method) == 0)
				found = o;
		if (found < 0) {
			print_error("docs/openapi.yaml lacks %s %s\n", method, routes[i].pattern);
			missing++;
			continue;
		}
		ops[found].seen = 1;
		roles_of(routes[i].who, want, sizeof(want));
		if (strcmp(ops[found].roles, want) != 0) {
			print_error("%s %s: x-roles [%s], route allows [%s]\n", method,
				    routes[i].pattern, ops[found].roles, want);
			missing++;
		}
		const char *scope = route_scope_name(routes[i].scope);
		if (scope == NULL || strcmp(ops[found].scope, scope) != 0) {
			print_error("%s %s: x-scope '%s', route's scope '%s'\n", method,
				    routes[i].pattern, ops[found].scope, scope ? scope : "?");
			missing++;
		}
	}
	for (int o = 0; o < nops; o++)
		if (!ops[o].seen) {
			print_error("docs/openapi.yaml documents %s %s, which is no route\n",
				    ops[o].method, ops[o].path);
			missing++;
		}
	free(text);
	assert_int_equal(missing, 0);
	assert_int_equal(nops, (int)nroutes);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_table),
	    cmocka_unit_test(test_each_route_matches_itself),
	    cmocka_unit_test(test_methods_on_known_paths),
	    cmocka_unit_test(test_unknown_paths),
	    cmocka_unit_test(test_api_paths_not_caught_by_catch_all),
	    cmocka_unit_test(test_catch_all),
	    cmocka_unit_test(test_params_copied),
	    cmocka_unit_test(test_openapi_documents_every_route),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
