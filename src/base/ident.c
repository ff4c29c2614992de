/* ident.c - check digits, syntax checks and display masks for national
 * identifiers (GB 11643 ID numbers, GB 32100 credit codes, GB 11714
 * organisation codes, mobile numbers, GB/T 2260 region codes). */
#include "base/ident.h"
#include "base/mask.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "base/xmalloc.h"

/* The 31 chars of GB 32100; a char's value is its index. */
static const char credit_chars[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";

static bool is_digit(char c);
static bool province_ok(const char *two_digits);
static int credit_value(char c);
static bool valid_ymd(int y, int m, int d);
static const char *show_char(char c, char buf[16]);

static bool
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* True if the two digits are a province-level code used in ID numbers. */
static bool
province_ok(const char *two_digits)
{
	int p;

	if (!is_digit(two_digits[0]) || !is_digit(two_digits[1]))
		return false;
	p = (two_digits[0] - '0') * 10 + (two_digits[1] - '0');
	return (p >= 11 && p <= 15) || (p >= 21 && p <= 23) || (p >= 31 && p <= 37) ||
	       (p >= 41 && p <= 46) || (p >= 50 && p <= 54) || (p >= 61 && p <= 65) ||
	       (p >= 81 && p <= 83);
}

/* Value 0-30 of a credit-code char, or -1 if it is not in the set. */
static int
credit_value(char c)
{
	const char *p;

	if (c == '\0')
		return -1;
	p = strchr(credit_chars, c);
	return p ? (int)(p - credit_chars) : -1;
}

static bool
valid_ymd(int y, int m, int d)
{
	static const int mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int n;

	if (m < 1 || m > 12 || d < 1)
		return false;
	n = mdays[m - 1];
	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		n = 29;
	return d <= n;
}

/* Renders c for an error message: "'I'" or "byte 0x0A". */
static const char *
show_char(char c, char buf[16])
{
	unsigned char u = (unsigned char)c;

	if (u >= 0x20 && u < 0x7f)
		snprintf(buf, 16, "'%c'", c);
	else
		snprintf(buf, 16, "byte 0x%02X", u);
	return buf;
}

int
ident_check_id_number(const char *s, int today_ymd, struct zt_err *err)
{
	size_t len = s ? strnlen(s, 64) : 0;
	int i, y, m, d, ymd;
	char want, got;
	char cbuf[16];

	if (len != IDENT_ID_LEN)
		return err_set(err, ZT_EINVAL, "id_number", "length",
			       "ID number must be 18 characters, got %zu", len);
	for (i = 0; i < 17; i++)
		if (!is_digit(s[i]))
			return err_set(err, ZT_EINVAL, "id_number", "format",
				       "ID number character %d must be a digit, got %s", i + 1,
				       show_char(s[i], cbuf));
	got = s[17];
	if (!is_digit(got) && got != 'X' && got != 'x')
		return err_set(err, ZT_EINVAL, "id_number", "format",
			       "ID number check character must be a digit or X, got %s",
			       show_char(got, cbuf));
	if (!province_ok(s))
		return err_set(err, ZT_EINVAL, "id_number", "region",
			       "ID number region prefix %.2s is not a province-level code", s);

	y = m = d = 0;
	for (i = 6; i < 10; i++)
		y = y * 10 + (s[i] - '0');
	m = (s[10] - '0') * 10 + (s[11] - '0');
	d = (s[12] - '0') * 10 + (s[13] - '0');
	ymd = y * 10000 + m * 100 + d;
	if (!valid_ymd(y, m, d))
		return err_set(err, ZT_EINVAL, "id_number", "birth_date",
			       "ID number birth date %.8s is not a real date", s + 6);
	if (ymd < 19000101)
		return err_set(err, ZT_EINVAL, "id_number", "birth_date",
			       "ID number birth date %.8s is before 1900-01-01", s + 6);
	if (ymd > today_ymd)
		return err_set(err, ZT_EINVAL, "id_number", "birth_date",
			       "ID number birth date %.8s is after today (%d)", s + 6, today_ymd);

	want = ident_id_check_char(s);
	if (got == 'x')
		got = 'X';
	if (want != got)
		return err_set(err, ZT_EINVAL, "id_number", "checksum",
			       "ID number check digit should be %c, got %c", want, s[17]);
	return 0;
}

int
ident_check_credit_code(const char *s, struct zt_err *err)
{
	size_t len = s ? strnlen(s, 64) : 0;
	char want, cbuf[16];
	int i;

	if (len != IDENT_CREDIT_LEN)
		return err_set(err, ZT_EINVAL, "credit_code", "length",
			       "credit code must be 18 characters, got %zu", len);
	for (i = 0; i < IDENT_CREDIT_LEN; i++)
		if (credit_value(s[i]) < 0)
			return err_set(err, ZT_EINVAL, "credit_code", "charset",
				       "credit code character %d is %s; only digits and upper-case "
				       "letters other than I, O, Z, S, V are used",
				       i + 1, show_char(s[i], cbuf));
	if (s[0] == '0' || (!is_digit(s[0]) && s[0] != 'A' && s[0] != 'N' && s[0] != 'Y'))
		return err_set(
		    err, ZT_EINVAL, "credit_code", "charset",
		    "credit code registration authority code %c is not one of 1-9, A, N, Y", s[0]);
	for (i = 2; i < 8; i++)
		if (!is_digit(s[i]))
			return err_set(err, ZT_EINVAL, "credit_code", "region",
				       "credit code region code %.6s must be 6 digits", s + 2);
	if (!province_ok(s + 2))
		return err_set(err, ZT_EINVAL, "credit_code", "region",
			       "credit code region code %.6s does not start with a province-level "
			       "code",
			       s + 2);
	want = ident_org_check_char(s + 8);
	if (want != s[16])
		return err_set(err, ZT_EINVAL, "credit_code", "org_code",
			       "credit code organisation code %.9s: check character should be %c, "
			       "got %c",
			       s + 8, want, s[16]);
	want = ident_credit_check_char(s);
	if (want != s[17])
		return err_set(err, ZT_EINVAL, "credit_code", "checksum",
			       "credit code check character should be %c, got %c", want, s[17]);
	return 0;
}

char
ident_credit_check_char(const char *first17)
{
	int i, v, w = 1, sum = 0;

	if (first17 == NULL)
		return 0;
	/* Weight of position i (0-based) is 3^i mod 31. */
	for (i = 0; i < 17; i++) {
		v = credit_value(first17[i]);
		if (v < 0)
			return 0;
		sum += v * w;
		w = w * 3 % 31;
	}
	v = 31 - sum % 31;
	return credit_chars[v == 31 ? 0 : v];
}

char
ident_org_check_char(const char *first8)
{
	static const int weights[8] = {3, 7, 9, 10, 5, 8, 4, 2};
	int i, v, sum = 0;
	char c;

	if (first8 == NULL)
		return 0;
	for (i = 0; i < 8; i++) {
		c = first8[i];
		if (is_digit(c))
			v = c - '0';
		else if (c >= 'A' && c <= 'Z')
			v = c - 'A' + 10;
		else
			return 0;
		sum += v * weights[i];
	}
	v = 11 - sum % 11;
	if (v == 10)
		return 'X';
	if (v == 11)
		return '0';
	return (char)('0' + v);
}

char
ident_id_check_char(const char *first17)
{
	static const int weights[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
	static const char checks[] = "10X98765432";
	int i, sum = 0;

	if (first17 == NULL)
		return 0;
	for (i = 0; i < 17; i++) {
		if (!is_digit(first17[i]))
			return 0;
		sum += (first17[i] - '0') * weights[i];
	}
	return checks[sum % 11];
}

int
ident_normalize(const char *s, char *out, size_t cap)
{
	size_t i, len = strlen(s);

	if (len >= cap) {
		if (cap > 0)
			out[0] = '\0';
		return -1;
	}
	for (i = 0; i < len; i++)
		out[i] = s[i] == 'x' ? 'X' : s[i];
	out[len] = '\0';
	return 0;
}

/* The display masks are base/mask.c's rules; these name them for callers
 * that mask a known kind of identifier. */
char *
ident_mask_id(const char *id)
{
	return mask_apply(MASK_ID_NUMBER, id);
}

char *
ident_mask_phone(const char *phone)
{
	return mask_apply(MASK_PHONE, phone);
}

char *
ident_mask_name(const char *name)
{
	return mask_apply(MASK_NAME, name);
}

int
ident_check_phone(const char *s, struct zt_err *err)
{
	size_t len = s ? strnlen(s, 64) : 0;
	size_t i;

	if (len != 11)
		return err_set(err, ZT_EINVAL, "phone", "format",
			       "phone number must be 11 digits, got %zu characters", len);
	for (i = 0; i < len; i++)
		if (!is_digit(s[i]))
			return err_set(err, ZT_EINVAL, "phone", "format",
				       "phone number must contain only digits");
	if (s[0] != '1' || s[1] < '3')
		return err_set(err, ZT_EINVAL, "phone", "format",
			       "phone number must start with 13-19, got %.2s", s);
	return 0;
}

int
ident_check_region_code(const char *s, struct zt_err *err)
{
	size_t len = s ? strnlen(s, 64) : 0;
	size_t i;

	if (len != 6)
		return err_set(err, ZT_EINVAL, "region_code", "format",
			       "region code must be 6 digits, got %zu characters", len);
	for (i = 0; i < len; i++)
		if (!is_digit(s[i]))
			return err_set(err, ZT_EINVAL, "region_code", "format",
				       "region code must contain only digits");
	if (!province_ok(s))
		return err_set(err, ZT_EINVAL, "region_code", "region",
			       "region code %s does not start with a province-level code", s);
	return 0;
}
