/* utf8.c - counting UTF-8 characters (utf8.h). */
#include "base/utf8.h"

long
utf8_len(const char *s)
{
	long n = 0;
	const unsigned char *p = (const unsigned char *)s;

	while (*p) {
		int len;
		if (*p < 0x80)
			len = 1;
		else if ((*p & 0xe0) == 0xc0)
			len = 2;
		else if ((*p & 0xf0) == 0xe0)
			len = 3;
		else if ((*p & 0xf8) == 0xf0)
			len = 4;
		else
			return -1;
		for (int i = 1; i < len; i++)
			if ((p[i] & 0xc0) != 0x80)
				return -1;
		/* RFC 3629: no overlong forms, no surrogates, nothing past U+10FFFF. */
		if ((len == 2 && p[0] < 0xc2) || (len == 3 && p[0] == 0xe0 && p[1] < 0xa0) ||
		    (len == 3 && p[0] == 0xed && p[1] >= 0xa0) ||
		    (len == 4 && p[0] == 0xf0 && p[1] < 0x90) ||
		    (len == 4 && (p[0] > 0xf4 || (p[0] == 0xf4 && p[1] >= 0x90))))
			return -1;
		p += len;
		n++;
	}
	return n;
}
