/* token.c - random tokens and ids from libsodium's CSPRNG. */
#include "crypto/token.h"
#include "base/buf.h"

#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define B64_LEN (TOKEN_STR_LEN - 1 - (sizeof(TOKEN_PREFIX) - 1)) /* 43 */

_Static_assert(B64_LEN == (4 * TOKEN_RAW_LEN + 2) / 3, "TOKEN_STR_LEN does not match 32 bytes");

static void init_once(void);
static int is_b64url(char c);

static pthread_once_t sodium_once = PTHREAD_ONCE_INIT;

static void
init_once(void)
{
	if (sodium_init() < 0) {
		fprintf(stderr, "zhengtong: libsodium failed to initialise\n");
		abort();
	}
}

void
random_bytes(void *p, size_t n)
{
	pthread_once(&sodium_once, init_once);
	randombytes_buf(p, n);
}

void
random_hex(char *out, size_t nbytes)
{
	unsigned char chunk[32];

	while (nbytes > 0) {
		size_t k = nbytes < sizeof(chunk) ? nbytes : sizeof(chunk);

		random_bytes(chunk, k);
		hex_encode(chunk, k, out);
		out += 2 * k;
		nbytes -= k;
	}
	*out = '\0';
	sodium_memzero(chunk, sizeof(chunk));
}

void
token_new(char out[TOKEN_STR_LEN])
{
	unsigned char raw[TOKEN_RAW_LEN];

	random_bytes(raw, sizeof(raw));
	memcpy(out, TOKEN_PREFIX, sizeof(TOKEN_PREFIX) - 1);
	b64url_encode(raw, sizeof(raw), out + sizeof(TOKEN_PREFIX) - 1);
	sodium_memzero(raw, sizeof(raw));
}

void
token_hash(const char *token, char out[SM3_HEX_LEN])
{
	sm3_hex(token, strlen(token), out);
}

static int
is_b64url(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '_';
}

int
token_looks_valid(const char *s)
{
	if (s == NULL || strnlen(s, TOKEN_STR_LEN) != TOKEN_STR_LEN - 1)
		return 0;
	if (strncmp(s, TOKEN_PREFIX, sizeof(TOKEN_PREFIX) - 1) != 0)
		return 0;
	for (s += sizeof(TOKEN_PREFIX) - 1; *s; s++)
		if (!is_b64url(*s))
			return 0;
	return 1;
}
