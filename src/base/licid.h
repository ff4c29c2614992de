/* licid.h - e-license identifiers in the GB/T 36904 layout.
 *
 *   1.2.156.3005.2.<type code>.<issuer credit code>.<serial>.<version>.<check>
 *
 * type code: 21 characters, the defining department's credit code (18
 * characters) and a 3-digit number; issuer: the issuing department's 18
 * character credit code; serial: 7 digits per (type, issuer); version: 3
 * digits; check: the ISO/IEC 7064 MOD 37,36 hybrid check character over all
 * preceding characters with the dots removed, alphabet 0-9 (0..9) and A-Z
 * (10..35). Layout checks are syntactic: upper-case credit-code characters
 * and digits where the layout asks for them; the credit codes' own check
 * characters are not judged here (a mistyped identifier must come out as a
 * bad check character, not as bad input). All functions are pure. */
#ifndef ZT_LICID_H
#define ZT_LICID_H

#include "base/err.h"

#define LICID_PREFIX	 "1.2.156.3005.2."
#define LICID_TYPE_LEN	 21
#define LICID_LEN	 69 /* without the NUL */
#define LICID_MAX	 (LICID_LEN + 1)
#define LICID_SERIAL_MAX 9999999L

struct licid {
	char type[LICID_TYPE_LEN + 1];
	char issuer[19];
	long serial; /* 1 .. 9999999 */
	int version; /* 1 .. 999 */
	char check;
};

/* The MOD 37,36 check character of s, skipping dots; 0 if s holds any
 * other character outside 0-9A-Z (or is empty). */
char licid_check_char(const char *s);

/* Writes the identifier of id (its check field is ignored and computed)
 * into out. Returns 0, or ZT_EINVAL (field "identifier", reason "format")
 * when a part does not fit the layout. */
int licid_build(const struct licid *id, char out[LICID_MAX], struct zt_err *err);

/* Splits s into its parts, checking the layout but not the check
 * character. Returns 0, or ZT_EINVAL with field "identifier" and reason
 * "format" (message naming the part). */
int licid_parse(const char *s, struct licid *out, struct zt_err *err);

/* licid_parse, then the check character: ZT_EINVAL with reason
 * "bad_check_character" when it is wrong. */
int licid_validate(const char *s, struct licid *out, struct zt_err *err);

#endif
