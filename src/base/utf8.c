/* utf8.c - counting and repairing UTF-8 text (utf8.h). */
#include "base/utf8.h"

#include <string.h>

/* The length of the valid UTF-8 sequence at p (1..4), or 0 when the bytes
 * there are not one (RFC 3629: no overlong forms, no surrogates, nothing
 * past U+10FFFF, no broken sequence). *p is not NUL. */
static int
seq_len(const unsigned char *p)
{
	int len;

	if (*p < 0x80)
		return 1;
	if ((*p & 0xe0) == 0xc0)
		len = 2;
	else if ((*p & 0xf0) == 0xe0)
		len = 3;
	else if ((*p & 0xf8) == 0xf0)
		len = 4;
	else
		return 0;
	for (int i = 1; i < len; i++)
		if ((p[i] & 0xc0) != 0x80)
			return 0;
	if ((len == 2 && p[0] < 0xc2) || (len == 3 && p[0] == 0xe0 && p[1] < 0xa0) ||
	    (len == 3 && p[0] == 0xed && p[1] >= 0xa0) ||
	    (len == 4 && p[0] == 0xf0 && p[1] < 0x90) ||
	    (len == 4 && (p[0] > 0xf4 || (p[0] == 0xf4 && p[1] >= 0x90))))
		return 0;
	return len;
}

long
utf8_len(const char *s)
{
	long n = 0;
	const unsigned char *p = (const unsigned char *)s;

	while (*p) {
		int len = seq_len(p);
		if (len == 0)
			return -1;
		p += len;
		n++;
	}
	return n;
}

/* Whether p starts a sequence that the end of the string cut short: a lead
 * byte followed only by continuation bytes up to the NUL. */
static int
cut_at_end(const unsigned char *p)
{
	int len = (*p & 0xe0) == 0xc0 ? 2 : (*p & 0xf0) == 0xe0 ? 3 : (*p & 0xf8) == 0xf0 ? 4 : 0;
	int i = 1;

	if (len == 0)
		return 0;
	while (i < len && (p[i] & 0xc0) == 0x80)
		i++;
	return i < len && p[i] == '\0';
}

int
utf8_scrub(char *s)
{
	unsigned char *p = (unsigned char *)s;
	int n = 0;

	while (*p) {
		int len = seq_len(p);
		if (len > 0)
			p += len;
		else if (cut_at_end(p)) {
			n += (int)strlen((char *)p);
			*p = '\0';
		} else {
			*p++ = '?';
			n++;
		}
	}
	return n;
}
