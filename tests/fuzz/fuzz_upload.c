/* fuzz_upload.c - an upload's type detection (files_detect over the first
 * UPLOAD_HEAD bytes, as api/files.c calls it) and the path of stored
 * content (files_path). The full upload request (streamed to a temporary
 * file, hashed, stored) is fuzzed by fuzz_api_body through POST /files.
 *
 * Checks: a detected type is one of the four allowed and its magic bytes
 * are really there; files_path accepts exactly 64 lower-case hex. */
#include "fuzz.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain/files.h"
#include "http/upload.h"

int
fuzz_upload_one(const uint8_t *data, size_t size)
{
	size_t n = size < UPLOAD_HEAD ? size : UPLOAD_HEAD;
	unsigned char *head = calloc(1, n ? n : 1); /* exact size: reads past it trap */

	if (n)
		memcpy(head, data, n);
	const char *mime = files_detect(head, n);
	if (mime) {
		int ok = (strcmp(mime, "application/pdf") == 0 && n >= 5 && head[0] == '%') ||
			 (strcmp(mime, "image/jpeg") == 0 && n >= 3 && head[0] == 0xff) ||
			 (strcmp(mime, "image/png") == 0 && n >= 8 && head[0] == 0x89) ||
			 (strcmp(mime, "application/ofd") == 0 && n >= 37 && head[0] == 'P');
		if (!ok)
			FUZZ_FAIL("files_detect: %s for these bytes", mime);
	}
	free(head);

	char *s = fuzz_strndup(data, size), out[512];
	int hex = strlen(s) == 64 && strspn(s, "0123456789abcdef") == 64;
	if ((files_path(s, out, sizeof(out)) == 0) != hex)
		FUZZ_FAIL("files_path accepted a bad hash or refused a good one");
	free(s);
	return 0;
}

FUZZ_TARGET(upload)
