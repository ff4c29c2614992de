/* utf8.h - UTF-8 text as the platform counts it: in characters (code
 * points), strictly RFC 3629. */
#ifndef ZT_UTF8_H
#define ZT_UTF8_H

/* Counts UTF-8 code points; returns -1 for invalid UTF-8 (overlong forms,
 * surrogates, beyond U+10FFFF, broken sequences). */
long utf8_len(const char *s);

#endif
