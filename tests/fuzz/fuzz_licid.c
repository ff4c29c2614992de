/* fuzz_licid.c - e-license identifiers (GB/T 36904 layout, base/licid) and
 * the national identifiers they and the accounts carry (base/ident: ID
 * numbers, credit codes, phone numbers, region codes, masks).
 *
 * Checks: licid_validate implies licid_parse; a parsed identifier built
 * again gives the same text when its check character was right (and a
 * valid identifier in every case); the check characters computed by ident
 * agree with its validators. */
#include "fuzz.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/ident.h"
#include "base/licid.h"

int
fuzz_licid_one(const uint8_t *data, size_t size)
{
	char *s = fuzz_strndup(data, size);
	struct licid id, id2;
	struct zt_err err;
	char out[LICID_MAX];

	err_clear(&err);
	int parsed = licid_parse(s, &id, &err) == 0;
	err_clear(&err);
	int valid = licid_validate(s, &id2, &err) == 0;
	if (valid && !parsed)
		FUZZ_FAIL("licid_validate accepted what licid_parse refused: %s", s);
	if (parsed) {
		err_clear(&err);
		if (licid_build(&id, out, &err) < 0)
			FUZZ_FAIL("licid_build refused a parsed identifier: %s", s);
		if (valid && strcmp(out, s) != 0)
			FUZZ_FAIL("licid round trip: %s -> %s", s, out);
		err_clear(&err);
		if (licid_validate(out, &id2, &err) < 0)
			FUZZ_FAIL("licid_build made an invalid identifier: %s", out);
	}
	licid_check_char(s);

	int today = 20260302;
	err_clear(&err);
	if (ident_check_id_number(s, today, &err) == 0) {
		if (strlen(s) != 18 || ident_id_check_char(s) != (s[17] == 'x' ? 'X' : s[17]))
			FUZZ_FAIL("ident_check_id_number accepted %s", s);
	}
	err_clear(&err);
	if (ident_check_credit_code(s, &err) == 0) {
		if (strlen(s) != 18 || ident_credit_check_char(s) != s[17])
			FUZZ_FAIL("ident_check_credit_code accepted %s", s);
	}
	if (strlen(s) >= 8)
		ident_org_check_char(s);
	if (strlen(s) >= 17) {
		ident_credit_check_char(s);
		ident_id_check_char(s);
	}
	err_clear(&err);
	ident_check_phone(s, &err);
	err_clear(&err);
	ident_check_region_code(s, &err);
	char norm[32];
	ident_normalize(s, norm, sizeof(norm));
	free(ident_mask_id(s));
	free(ident_mask_phone(s));
	free(ident_mask_name(s));
	free(s);
	return 0;
}

FUZZ_TARGET(licid)
