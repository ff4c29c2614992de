/* utf8.h - UTF-8 text as the platform counts it: in characters (code
 * points), strictly RFC 3629. */
#ifndef ZT_UTF8_H
#define ZT_UTF8_H

/* Counts UTF-8 code points; returns -1 for invalid UTF-8 (overlong forms,
 * surrogates, beyond U+10FFFF, broken sequences). */
long utf8_len(const char *s);
/* Makes s valid UTF-8 in place: a sequence the end of the string cut short
 * (text cut to its buffer's size in the middle of a character) is dropped,
 * every other byte that is not part of a valid sequence becomes '?' (a
 * message quoting raw input). Returns how many bytes were dropped or
 * replaced. */
int utf8_scrub(char *s);

#endif
