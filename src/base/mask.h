/* mask.h - masking rules for personal and sensitive data shown through the
 * exchange (数据共享交换) and elsewhere.
 *
 * Every rule keeps the length in characters (UTF-8 code points): each hidden
 * character becomes one '*'. The rules:
 *   id_number    first 6 and last 4 kept: "110101199003071234" ->
 *                "110101********1234" (10 characters or fewer: all '*');
 *                ident_mask_id's rule (the "1101********1234" is
 *                shortened; this one keeps the 18 characters).
 *   phone        first 3 and last 4: "13812345678" -> "138****5678"
 *                (7 or fewer: all '*'); as ident_mask_phone.
 *   name         the first character, then one '*' per further character:
 *                "张三" -> "张*", "李小明" -> "李**"; as ident_mask_name.
 *   credit_code  first 8 (registration authority, type, region) and last 2:
 *                "91520102MA6DKXYZ1X" -> "91520102********1X" (10 or fewer:
 *                all '*').
 *   partial      the first and the last quarter kept (n / 4 characters
 *                each, rounded down): "贵阳市南明区中华路" (9) -> "贵阳*****华路";
 *                fewer than 4 characters: all '*'.
 *   full         every character a '*'.
 * Pure and thread-safe; NULL is treated as "". */
#ifndef ZT_MASK_H
#define ZT_MASK_H

#include <stddef.h>

enum mask_rule {
	MASK_NONE = 0, /* shown in clear */
	MASK_ID_NUMBER,
	MASK_PHONE,
	MASK_NAME,
	MASK_CREDIT_CODE,
	MASK_PARTIAL,
	MASK_FULL,
};

/* "id_number", "phone", "name", "credit_code", "partial", "full" ("" for
 * MASK_NONE). */
const char *mask_rule_name(enum mask_rule r);
/* The rule of a name above, or -1 when unknown. */
int mask_rule_from_name(const char *s);
/* The rule for a personal or sensitive field declared without one, judged
 * from the '_'-separated words of its name: "id number", "id no", "id card",
 * "idcard" or "sfzh" -> id_number ("holder_id_number"); "phone", "mobile",
 * "tel" or "telephone" -> phone; "credit code" or "uscc" -> credit_code; a
 * last word "name" -> name ("name", "holder_name"); anything else partial. */
enum mask_rule mask_rule_for_field(const char *field_name);
/* The length of s in characters as the rules count them (UTF-8 lead bytes;
 * s is taken to be valid UTF-8). */
size_t mask_nchars(const char *s);
/* s masked by rule r as a new string (free() it); MASK_NONE copies. */
char *mask_apply(enum mask_rule r, const char *s);

#endif
