/* ident.h - validating and masking national identifiers.
 *
 * Resident ID numbers (居民身份证号, GB 11643), unified social credit codes
 * (统一社会信用代码, GB 32100-2015) with their embedded organisation codes
 * (组织机构代码, GB 11714), mainland mobile numbers and GB/T 2260 region codes.
 * Checks are syntactic: a code that passes is well-formed, not known to exist.
 * All functions are pure and thread-safe. */
#ifndef ZT_IDENT_H
#define ZT_IDENT_H

#include <stddef.h>

#include "base/err.h"

/* Length of an ID number and of a credit code, without the NUL. */
#define IDENT_ID_LEN	 18
#define IDENT_CREDIT_LEN 18

/* Checks an 18-character resident ID number: 17 digits then a check char
 * (digit, 'X' or 'x'; store the ident_normalize()d form). The first two
 * digits must be a province-level code (11-15, 21-23, 31-37, 41-46, 50-54,
 * 61-65, or 81/82/83 for HK/MO/TW residence permits), the birth date
 * (digits 7-14) a real date in 1900-01-01 .. today_ymd (e.g. 20261127), and
 * the check char the MOD 11-2 one. Returns 0, or ZT_EINVAL with field
 * "id_number" and reason "length", "format", "region", "birth_date" or
 * "checksum" (the first failing check, in that order). */
int ident_check_id_number(const char *s, int today_ymd, struct zt_err *err);

/* Checks an 18-character unified social credit code: every char from
 * "0123456789ABCDEFGHJKLMNPQRTUWXY" (upper case only), position 1 one of
 * 1-9, A, N, Y, positions 3-8 digits starting with a province code (as for
 * ID numbers), positions 9-17 an organisation code whose own check char
 * (position 17) is right, and position 18 the GB 32100 check char. Returns 0,
 * or ZT_EINVAL with field "credit_code" and reason "length", "charset",
 * "region", "org_code" or "checksum". */
int ident_check_credit_code(const char *s, struct zt_err *err);

/* The GB 32100 check char (position 18) for the first 17 chars of first17,
 * or 0 if any of them is not in the credit-code char set. */
char ident_credit_check_char(const char *first17);

/* The GB 11714 check char ('0'-'9' or 'X') for the first 8 chars of first8
 * (digits or upper-case A-Z), or 0 if one is anything else. */
char ident_org_check_char(const char *first8);

/* The GB 11643 check char ('0'-'9' or 'X') for the first 17 chars of
 * first17, or 0 if they are not all digits. */
char ident_id_check_char(const char *first17);

/* Copies s into out (cap bytes, NUL included), upper-casing 'x' (the
 * canonical form of an ID number). Returns 0, or -1 if s does not fit, in
 * which case out is "" (when cap > 0). */
int ident_normalize(const char *s, char *out, size_t cap);

/* Masks for display; each returns a new string (free() it).
 * ident_mask_id keeps the first 6 and last 4 chars ("110101********1234"),
 * ident_mask_phone the first 3 and last 4 ("138****5678"); shorter inputs
 * (ID <= 10, phone <= 7 chars) become all '*'. ident_mask_name keeps the
 * first UTF-8 character and puts one '*' for each further character
 * ("张三" -> "张*", "欧阳娜娜" -> "欧***"). NULL is treated as "". */
char *ident_mask_id(const char *id);
char *ident_mask_phone(const char *phone);
char *ident_mask_name(const char *name);

/* Mainland mobile number: 11 digits starting with 13-19. Returns 0, or
 * ZT_EINVAL with field "phone" and reason "format". */
int ident_check_phone(const char *s, struct zt_err *err);

/* GB/T 2260 region code, syntactically: 6 digits whose first two are a
 * province-level code (as for ID numbers). Returns 0, or ZT_EINVAL with field
 * "region_code" and reason "format" (not 6 digits) or "region" (prefix). */
int ident_check_region_code(const char *s, struct zt_err *err);

#endif
