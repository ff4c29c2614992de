/* license_cli.c - `zhengtong license verify IDENTIFIER|QR`: the public
 * verification of docs/sharing.md from the command line. */
#include "cli/cli.h"
#include "db/db.h"
#include "domain/license.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

int
cli_license_verify(int argc, char **argv)
{
	char identifier[LICID_MAX], sig[LICENSE_SIG_MAX];
	const char *qr_sig = NULL;
	struct zt_err err;
	int rc = 1;

	if (argc != 1) {
		fprintf(stderr, "usage: %s\n", CLI_LICENSE_VERIFY_USAGE);
		return 2;
	}
	err_clear(&err);
	if (strncmp(argv[0], "ZTL1|", 5) == 0) {
		if (license_qr_parse(argv[0], identifier, sig, &err) < 0) {
			fprintf(stderr, "license verify: %s\n", err.msg);
			return 1;
		}
		qr_sig = sig;
	} else {
		snprintf(identifier, sizeof(identifier), "%s", argv[0]);
	}
	if (cli_setup(0) < 0)
		return 1;
	json_t *o = license_verify_json(db_cli_conn(), identifier, qr_sig, &err);
	if (o == NULL) {
		fprintf(stderr, "license verify: %s%s%s\n", err.field, *err.field ? ": " : "",
			err.msg);
		goto out;
	}
	const char *status = json_string_value(json_object_get(o, "status"));
	const char *reason = json_string_value(json_object_get(o, "reason"));
	json_t *l = json_object_get(o, "license");
	printf("%s", status);
	if (reason && strcmp(reason, status) != 0)
		printf(" (%s)", reason);
	printf("\n");
	if (l) {
		json_t *vt = json_object_get(l, "valid_to");
		printf("identifier: %s\ntype: %s %s\nholder: %s %s\nissuer: %s\nissued_on: "
		       "%s\nvalid_to: %s\n",
		       identifier,
		       json_string_value(json_object_get(json_object_get(l, "type"), "code")),
		       json_string_value(json_object_get(json_object_get(l, "type"), "name")),
		       json_string_value(json_object_get(json_object_get(l, "holder"), "name")),
		       json_string_value(json_object_get(json_object_get(l, "holder"), "id")),
		       json_string_value(json_object_get(json_object_get(l, "issuer"), "name")),
		       json_string_value(json_object_get(l, "issued_on")),
		       json_is_string(vt) ? json_string_value(vt) : "long-term");
	}
	rc = strcmp(status, "valid") == 0 ? 0 : 1;
	json_decref(o);
out:
	cli_teardown();
	return rc;
}
