/* upload.c - streaming request bodies to hashed temporary files. */
#include "http/upload.h"
#include "base/buf.h"
#include "base/xmalloc.h"
#include "crypto/token.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct upload *
upload_new(const char *tmpdir)
{
	struct upload *u = xcalloc(1, sizeof(*u));
	char rnd[33];

	random_hex(rnd, 16);
	snprintf(u->path, sizeof(u->path), "%s/up-%s", tmpdir, rnd);
	u->fd = open(u->path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (u->fd < 0) {
		free(u);
		return NULL;
	}
	u->hash = sm3_new();
	return u;
}

int
upload_write(struct upload *u, const void *p, size_t n)
{
	const char *c = p;
	size_t left = n;

	if (u->failed)
		return -1;
	if (u->headlen < UPLOAD_HEAD) {
		size_t k = UPLOAD_HEAD - u->headlen < n ? UPLOAD_HEAD - u->headlen : n;
		memcpy(u->head + u->headlen, p, k);
		u->headlen += k;
	}
	sm3_update(u->hash, p, n);
	while (left) {
		ssize_t w = write(u->fd, c, left);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			u->failed = 1;
			return -1;
		}
		c += w;
		left -= (size_t)w;
	}
	u->size += n;
	return 0;
}

int
upload_finish(struct upload *u, char hex[SM3_HEX_LEN])
{
	unsigned char md[SM3_LEN];

	sm3_final(u->hash, md);
	hex_encode(md, SM3_LEN, hex);
	if (u->failed || fsync(u->fd) < 0)
		return -1;
	return 0;
}

void
upload_free(struct upload *u)
{
	if (u == NULL)
		return;
	if (u->fd >= 0)
		close(u->fd);
	unlink(u->path);
	sm3_free(u->hash);
	free(u);
}
