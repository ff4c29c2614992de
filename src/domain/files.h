/* files.h - content-addressed storage of uploaded materials.
 *
 * A file is stored once under <data_dir>/files/ab/<sm3 hex> (the first two
 * hex digits as a folder), whatever name the client used; the files table
 * records who uploaded which content. Only PDF, JPEG, PNG and OFD are
 * accepted, judged by their content. */
#ifndef ZT_FILES_H
#define ZT_FILES_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "db/db.h"
#include "domain/principal.h"

/* MIME type detected from the first bytes, or NULL when not allowed. */
const char *files_detect(const unsigned char *head, size_t n);
/* 1 when a declared Content-Type (NULL = none) agrees with the type mime
 * found in the content: none or a generic one (application/octet-stream)
 * leaves the judgement to the content; a specific one naming another type
 * is a lie (a PDF that claims to be an image), 0, and the upload is
 * refused. Every upload route checks it. */
int files_declared_agrees(const char *declared, const char *mime);
/* Moves the finished temp file into place (fsync'd) and records it for
 * owner. Returns 0; the result JSON {id, size, mime} goes to *out. */
int files_store(const struct principal *owner, const char *tmp_path, const char *hash, size_t size,
		const char *mime, json_t **out, struct zt_err *err);
/* Path of stored content (hash must be 64 lower-case hex). -1 if bad. */
int files_path(const char *hash, char *out, size_t cap);
/* May `by` read this file? Its uploader, or an official of a department
 * with a case that uses it. Fills mime. 0, ZT_ENOTFOUND or ZT_EFORBIDDEN. */
int files_may_read(db_conn *c, const struct principal *by, const char *hash, char mime[64],
		   struct zt_err *err);

#endif
