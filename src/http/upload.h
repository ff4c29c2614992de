/* upload.h - a request body streamed to a temporary file while it is hashed
 * (SM3), so large uploads never sit in memory. */
#ifndef ZT_UPLOAD_H
#define ZT_UPLOAD_H

#include <stddef.h>

#include "crypto/sm3.h"

#define UPLOAD_HEAD 4096

struct upload {
	int fd;
	char path[640];
	struct sm3_ctx *hash;
	size_t size;
	unsigned char head[UPLOAD_HEAD]; /* first bytes, for type detection */
	size_t headlen;
	int failed; /* a write failed (disk full) */
};

/* Opens a temp file under tmpdir; returns NULL on failure. */
struct upload *upload_new(const char *tmpdir);
/* Appends data; returns 0 or -1 (disk full or I/O error; sets failed). */
int upload_write(struct upload *u, const void *p, size_t n);
/* Finishes hashing and fsyncs; fills the SM3 hex. Returns 0 or -1. */
int upload_finish(struct upload *u, char hex[SM3_HEX_LEN]);
/* Closes and removes the temp file if still there. */
void upload_free(struct upload *u);

#endif
