/* licid.c - GB/T 36904 e-license identifiers with the ISO/IEC 7064
 * MOD 37,36 check character. */
#include "base/licid.h"

#include <stdio.h>
#include <string.h>

/* Characters of a unified social credit code (GB 32100). */
static const char credit_chars[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";

static int value_of(char c);
static int credit_ok(const char *s, size_t n);
static int digits_ok(const char *s, size_t n);

static int
value_of(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'Z')
		return c - 'A' + 10;
	return -1;
}

static int
credit_ok(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] == '\0' || strchr(credit_chars, s[i]) == NULL)
			return 0;
	return 1;
}

static int
digits_ok(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

char
licid_check_char(const char *s)
{
	static const char alphabet[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
	int p = 36, n = 0;

	/* ISO/IEC 7064 hybrid system, M = 36: P starts at M; for each
	 * character S = (P + a) mod M (0 read as M), P = 2S mod (M + 1). The
	 * check character a makes (P + a) mod M = 1. */
	for (; *s; s++) {
		if (*s == '.')
			continue;
		int a = value_of(*s);
		if (a < 0)
			return 0;
		int t = (p + a) % 36;
		p = (t == 0 ? 36 : t) * 2 % 37;
		n++;
	}
	return n ? alphabet[(37 - p) % 36] : 0;
}

int
licid_build(const struct licid *id, char out[LICID_MAX], struct zt_err *err)
{
	char body[LICID_MAX];

	out[0] = '\0';
	if (strlen(id->type) != LICID_TYPE_LEN || !credit_ok(id->type, 18) ||
	    !digits_ok(id->type + 18, 3))
		return err_set(err, ZT_EINVAL, "identifier", "format",
			       "the type code must be a credit code and 3 digits");
	if (strlen(id->issuer) != 18 || !credit_ok(id->issuer, 18))
		return err_set(err, ZT_EINVAL, "identifier", "format",
			       "the issuer must be an 18-character credit code");
	if (id->serial < 1 || id->serial > LICID_SERIAL_MAX)
		return err_set(err, ZT_EINVAL, "identifier", "format",
			       "the serial must be 1 to 9999999");
	if (id->version < 1 || id->version > 999)
		return err_set(err, ZT_EINVAL, "identifier", "format",
			       "the version must be 1 to 999");
	snprintf(body, sizeof(body), LICID_PREFIX "%s.%s.%07ld.%03d.", id->type, id->issuer,
		 id->serial, id->version);
	snprintf(out, LICID_MAX, "%s%c", body, licid_check_char(body));
	return 0;
}

int
licid_parse(const char *s, struct licid *out, struct zt_err *err)
{
	size_t plen = strlen(LICID_PREFIX);
	size_t len = strnlen(s, LICID_MAX + 1);

	memset(out, 0, sizeof(*out));
	if (len != LICID_LEN)
		return err_set(err, ZT_EINVAL, "identifier", "format",
			       "an identifier has %d characters, got %zu", LICID_LEN, len);
	if (strncmp(s, LICID_PREFIX, plen) != 0)
		return err_set(err, ZT_EINVAL, "identifier", "format",
			       "an identifier starts with " LICID_PREFIX);
	const char *t = s + plen, *iss = t + 22, *ser = iss + 19, *ver = ser + 8, *chk = ver + 4;
	if (!credit_ok(t, 18) || !digits_ok(t + 18, 3) || t[21] != '.')
		return err_set(err, ZT_EINVAL, "identifier", "format",
			       "the type code must be a credit code and 3 digits");
	if (!credit_ok(iss, 18) || iss[18] != '.')
		return err_set(err, ZT_EINVAL, "identifier", "format",
			       "the issuer must be an 18-character credit code");
	if (!digits_ok(ser, 7) || ser[7] != '.')
		return err_set(err, ZT_EINVAL, "identifier", "format",
			       "the serial must be 7 digits");
	if (!digits_ok(ver, 3) || ver[3] != '.')
		return err_set(err, ZT_EINVAL, "identifier", "format",
			       "the version must be 3 digits");
	if (value_of(*chk) < 0)
		return err_set(err, ZT_EINVAL, "identifier", "format",
			       "the check character must be 0-9 or A-Z");
	memcpy(out->type, t, LICID_TYPE_LEN);
	memcpy(out->issuer, iss, 18);
	out->serial = 0;
	for (int i = 0; i < 7; i++)
		out->serial = out->serial * 10 + (ser[i] - '0');
	out->version = (ver[0] - '0') * 100 + (ver[1] - '0') * 10 + (ver[2] - '0');
	out->check = *chk;
	if (out->serial < 1 || out->version < 1)
		return err_set(err, ZT_EINVAL, "identifier", "format",
			       "serial and version start at 1");
	return 0;
}

int
licid_validate(const char *s, struct licid *out, struct zt_err *err)
{
	char body[LICID_MAX];
	int rc;

	if ((rc = licid_parse(s, out, err)) < 0)
		return rc;
	memcpy(body, s, LICID_LEN - 1);
	body[LICID_LEN - 1] = '\0';
	if (licid_check_char(body) != out->check)
		return err_set(err, ZT_EINVAL, "identifier", "bad_check_character",
			       "the check character should be %c, got %c", licid_check_char(body),
			       out->check);
	return 0;
}
