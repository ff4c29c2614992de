/* files.c - material uploads (raw body, type judged by content) and reads. */
#include "api/handlers.h"
#include "http/req.h"
#include "http/upload.h"
#include "base/fileio.h"
#include "domain/files.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

void
h_files_upload(struct req *r)
{
	struct upload *u = r->upload;
	char hash[SM3_HEX_LEN];
	struct zt_err err;
	json_t *out;

	if (u->failed) {
		/* A write to tmp/ failed (ENOSPC): not the client's fault. */
		reply_problem(r, 507, "storage_full", "cannot store the file");
		return;
	}
	if (u->size == 0) {
		req_field_error(r, "file", "required", "the body must be the file's content");
		reply_if_invalid(r);
		return;
	}
	const char *mime = files_detect(u->head, u->headlen);
	if (mime == NULL) {
		reply_problem(r, 415, "unsupported_media_type",
			      "only PDF, JPEG, PNG and OFD files are accepted (judged by content)");
		return;
	}
	if (!files_declared_agrees(req_header(r, "Content-Type"), mime)) {
		reply_problem(r, 415, "type_mismatch",
			      "the declared Content-Type does not match the file's content");
		return;
	}
	if (upload_finish(u, hash) < 0) {
		reply_problem(r, 507, "storage_full", "cannot store the file");
		return;
	}
	err_clear(&err);
	if (files_store(&r->who, u->path, hash, u->size, mime, &out, &err) < 0) {
		reply_err(r, &err);
		return;
	}
	reply_json(r, 201, out);
}

void
h_files_get(struct req *r)
{
	const char *hash = r->params[0];
	char path[800], mime[64];
	struct zt_err err;

	err_clear(&err);
	if (files_path(hash, path, sizeof(path)) < 0) {
		reply_problem(r, 404, "not_found", "no such file");
		return;
	}
	if (files_may_read(req_db(r), &r->who, hash, mime, &err) < 0) {
		reply_err(r, &err);
		return;
	}
	char *data;
	size_t n;
	if (file_read_all(path, 64 << 20, &data, &n) < 0) {
		reply_problem(r, 404, "not_found", "file content missing");
		return;
	}
	const char *ct = strcmp(mime, "application/pdf") == 0 ? "application/pdf"
			 : strcmp(mime, "image/jpeg") == 0    ? "image/jpeg"
			 : strcmp(mime, "image/png") == 0     ? "image/png"
							      : "application/ofd";
	req_add_header(r, "Content-Disposition", "inline");
	reply_raw(r, 200, ct, data, n);
}
