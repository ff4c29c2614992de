/* buf.h - a growable byte buffer (always NUL-terminated). */
#ifndef ZT_BUF_H
#define ZT_BUF_H

#include <stddef.h>

struct buf {
	char *data;
	size_t len;
	size_t cap;
};

void buf_init(struct buf *b);
void buf_cleanup(struct buf *b);
void buf_reset(struct buf *b);
void buf_append(struct buf *b, const void *p, size_t n);
void buf_puts(struct buf *b, const char *s);
void buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Gives the data to the caller (who frees it) and leaves b empty. */
char *buf_take(struct buf *b, size_t *len);

/* Lower-case hex of n bytes into out (2n+1 bytes). */
void hex_encode(const unsigned char *p, size_t n, char *out);
/* Value of one hex digit, or -1. */
int hex_digit(char c);
/* Returns the number of bytes decoded or -1 if s is not even-length hex or too long. */
int hex_decode(const char *s, unsigned char *out, size_t outcap);
/* base64url without padding. out needs 4*((n+2)/3)+1 bytes. */
void b64url_encode(const unsigned char *p, size_t n, char *out);
/* Returns bytes decoded, or -1 for a character outside the alphabet, a
 * length that cannot be base64url, or a non-canonical last character (its
 * unused bits must be zero: one byte string, one encoding). */
int b64url_decode(const char *s, unsigned char *out, size_t outcap);

#endif
