/* routes_cli.h - `zhengtong routes`: the route table as JSON. */
#ifndef ZT_ROUTES_CLI_H
#define ZT_ROUTES_CLI_H

#define CLI_ROUTES_USAGE "zhengtong routes"
#define CLI_ROUTES_HELP                                                                            \
	"Prints the route table as a JSON array, one object per endpoint: method, path,\n"         \
	"name, who (the callers its policy admits: anonymous, citizen, enterprise, clerk,\n"       \
	"reviewer, dept_admin, data_officer, supervisor, sysadmin, system), scope (which\n"        \
	"objects they may touch: any, self, owner, dept, dept_sysadmin, signed) and body\n"        \
	"(none, json, file). Needs no database. Exits 1 if a route has no policy."
int cli_routes(int argc, char **argv);

#endif
