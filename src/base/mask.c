/* mask.c - masking rules (see mask.h), the one implementation of masking:
 * base/ident.c's ident_mask_* name these rules. Everything is counted in
 * characters rather than bytes, so that a field holding other text is never
 * cut inside a UTF-8 sequence. */
#include "base/mask.h"
#include "base/xmalloc.h"

#include <string.h>

static const char *const names[] = {
    [MASK_NONE] = "",	  [MASK_ID_NUMBER] = "id_number",     [MASK_PHONE] = "phone",
    [MASK_NAME] = "name", [MASK_CREDIT_CODE] = "credit_code", [MASK_PARTIAL] = "partial",
    [MASK_FULL] = "full",
};
#define NRULES ((int)(sizeof(names) / sizeof(names[0])))

const char *
mask_rule_name(enum mask_rule r)
{
	return (int)r >= 0 && (int)r < NRULES ? names[r] : "";
}

int
mask_rule_from_name(const char *s)
{
	for (int i = 1; s && i < NRULES; i++)
		if (strcmp(names[i], s) == 0)
			return i;
	return -1;
}

/* 1 if the '_'-separated words of f hold the word a, followed right away by
 * the word b when b is not NULL. */
static int
has_words(const char *f, const char *a, const char *b)
{
	size_t na = strlen(a), nb = b ? strlen(b) : 0;

	for (const char *w = f; w; w = strchr(w, '_') ? strchr(w, '_') + 1 : NULL) {
		if (strncmp(w, a, na) != 0 || (w[na] != '_' && w[na] != '\0'))
			continue;
		if (b == NULL)
			return 1;
		if (w[na] == '_' && strncmp(w + na + 1, b, nb) == 0 &&
		    (w[na + 1 + nb] == '_' || w[na + 1 + nb] == '\0'))
			return 1;
	}
	return 0;
}

enum mask_rule
mask_rule_for_field(const char *f)
{
	const char *last = strrchr(f, '_');

	if (has_words(f, "id", "number") || has_words(f, "id", "no") ||
	    has_words(f, "id", "card") || has_words(f, "idcard", NULL) ||
	    has_words(f, "sfzh", NULL))
		return MASK_ID_NUMBER;
	if (has_words(f, "phone", NULL) || has_words(f, "mobile", NULL) ||
	    has_words(f, "tel", NULL) || has_words(f, "telephone", NULL))
		return MASK_PHONE;
	if (has_words(f, "credit", "code") || has_words(f, "uscc", NULL))
		return MASK_CREDIT_CODE;
	if (strcmp(last ? last + 1 : f, "name") == 0)
		return MASK_NAME;
	return MASK_PARTIAL;
}

size_t
mask_nchars(const char *s)
{
	size_t n = 0;

	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if ((*p & 0xC0) != 0x80)
			n++;
	return n;
}

/* Byte offset of character number k (0-based; the length at k = count). */
static size_t
offset_of(const char *s, size_t k)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;

	for (; p[i]; i++)
		if ((p[i] & 0xC0) != 0x80 && k-- == 0)
			return i;
	return i;
}

/* s with all but its first head and last tail characters replaced by one
 * '*' each; all '*' when s has no more than head + tail characters. */
static char *
keep_chars(const char *s, size_t head, size_t tail)
{
	size_t n = mask_nchars(s), len = strlen(s);

	if (n <= head + tail) {
		char *out = xmalloc(n + 1);
		memset(out, '*', n);
		out[n] = '\0';
		return out;
	}
	size_t hb = offset_of(s, head), tb = len - offset_of(s, n - tail), stars = n - head - tail;
	char *out = xmalloc(hb + stars + tb + 1);
	memcpy(out, s, hb);
	memset(out + hb, '*', stars);
	memcpy(out + hb + stars, s + len - tb, tb);
	out[hb + stars + tb] = '\0';
	return out;
}

/* The first character kept and one '*' for each further one ("张三" ->
 * "张*"); unlike keep_chars, a one-character name stays as it is. */
static char *
mask_name(const char *s)
{
	size_t n = mask_nchars(s);

	return n <= 1 ? xstrdup(s) : keep_chars(s, 1, 0);
}

char *
mask_apply(enum mask_rule r, const char *s)
{
	if (s == NULL)
		s = "";
	switch (r) {
	case MASK_NONE:
		return xstrdup(s);
	case MASK_ID_NUMBER:
		return keep_chars(s, 6, 4);
	case MASK_PHONE:
		return keep_chars(s, 3, 4);
	case MASK_NAME:
		return mask_name(s);
	case MASK_CREDIT_CODE:
		return keep_chars(s, 8, 2);
	case MASK_PARTIAL: {
		size_t q = mask_nchars(s) / 4;
		return keep_chars(s, q, q);
	}
	case MASK_FULL:
		return keep_chars(s, 0, 0);
	}
	return keep_chars(s, 0, 0);
}
