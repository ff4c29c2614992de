/* routes_cli.c - `zhengtong routes`: prints the route table with each
 * route's declared policy, so that tests (the authorization matrix) and
 * reviewers work from the table itself rather than from a copy of it. */
#include "cli/routes_cli.h"
#include "domain/principal.h"
#include "http/router.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>

static const struct {
	unsigned bit;
	const char *name;
} who_names[] = {
    {WHO_ANON, "anonymous"},
    {WHO_CITIZEN, "citizen"},
    {WHO_ENTERPRISE, "enterprise"},
    {WHO_CLERK, "clerk"},
    {WHO_REVIEWER, "reviewer"},
    {WHO_DEPT_ADMIN, "dept_admin"},
    {WHO_DATA_OFFICER, "data_officer"},
    {WHO_SUPERVISOR, "supervisor"},
    {WHO_SYSADMIN, "sysadmin"},
    {WHO_SYSTEM, "system"},
};
#define NWHO (sizeof(who_names) / sizeof(who_names[0]))

static const char *
body_name(enum body_kind b)
{
	switch (b) {
	case BODY_NONE:
		return "none";
	case BODY_JSON:
		return "json";
	case BODY_FILE:
		return "file";
	}
	return "?";
}

int
cli_routes(int argc, char **argv)
{
	char *s;

	if (argc > 0) {
		fprintf(stderr, "routes: unexpected argument %s\n", argv[0]);
		return 2;
	}
	if (router_check() < 0)
		return 1;
	/* One route per line: easy to read, grep and diff. */
	puts("[");
	for (size_t i = 0; i < nroutes; i++) {
		const struct route *rt = &routes[i];
		json_t *who = json_array();
		for (size_t k = 0; k < NWHO; k++)
			if (rt->who & who_names[k].bit)
				json_array_append_new(who, json_string(who_names[k].name));
		json_t *o = json_pack("{s:s, s:s, s:s, s:o, s:s, s:s}", "method", rt->method,
				      "path", rt->pattern, "name", rt->name, "who", who, "scope",
				      route_scope_name(rt->scope), "body", body_name(rt->body));
		s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
		printf(" %s%s\n", s, i + 1 < nroutes ? "," : "");
		free(s);
		json_decref(o);
	}
	puts("]");
	return 0;
}
