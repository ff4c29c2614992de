/* cli.h - subcommands of the zhengtong binary (serve, init, migrate, user
 * add, calendar load, sla sweep, audit verify, resource import, license
 * verify, db copy, backup), each with --help. */
#ifndef ZT_CLI_H
#define ZT_CLI_H

#include <stdio.h>

int cli_main(int argc, char **argv);

/* Shared by the command files: loads the configuration, opens and migrates
 * the database, loads the calendar. Returns 0 or -1 (message printed). */
int cli_setup(int need_server);
void cli_teardown(void);
/* Writes s as one RFC 4180 CSV value (quoted when it needs to be). */
void cli_csv_value(FILE *f, const char *s);

/* share_cli.c */
#define CLI_RESOURCE_IMPORT_USAGE                                                                  \
	"zhengtong resource import CODE FILE.csv [--errors FILE] [--config FILE]"
#define CLI_RESOURCE_IMPORT_HELP                                                                   \
	"Loads rows into the data resource CODE from a UTF-8 CSV file whose header row\n"          \
	"names the resource's fields. Streams the file, shows progress, loads every good\n"        \
	"row (upsert by the key field) and refuses every bad row whole, listing them."
int cli_resource_import(int argc, char **argv);

/* license_cli.c */
#define CLI_LICENSE_VERIFY_USAGE "zhengtong license verify IDENTIFIER|QR [--config FILE]"
#define CLI_LICENSE_VERIFY_HELP                                                                    \
	"Checks an e-license by its GB/T 36904 identifier or its QR content: prints\n"             \
	"valid, revoked, expired or forged (with the reason). Exits 0 only when valid."
int cli_license_verify(int argc, char **argv);

/* evaluate_cli.c, required_cli.c and demo_cli.c: their usage and help texts. */
#include "cli/evaluate_cli.h"
#include "cli/required_cli.h"
#include "cli/demo_cli.h"
#include "cli/node_cli.h"

#endif
