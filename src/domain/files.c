/* files.c - content-addressed material files. */
#include "domain/files.h"
#include "domain/audit.h"
#include "base/clock.h"
#include "base/config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

int
files_declared_agrees(const char *declared, const char *mime)
{
	static const char *const same[][4] = {
	    {"application/pdf", "application/pdf", NULL},
	    {"image/jpeg", "image/jpeg", "image/jpg", "image/pjpeg"},
	    {"image/png", "image/png", NULL},
	    {"application/ofd", "application/ofd", "application/zip",
	     "application/x-zip-compressed"},
	};
	char d[96];
	size_t n;

	if (declared == NULL)
		return 1;
	n = strcspn(declared, "; \t");
	if (n == 0 || n >= sizeof(d))
		return n == 0;
	memcpy(d, declared, n);
	d[n] = '\0';
	if (strcasecmp(d, "application/octet-stream") == 0 ||
	    strcasecmp(d, "binary/octet-stream") == 0)
		return 1;
	for (size_t i = 0; i < sizeof(same) / sizeof(same[0]); i++) {
		if (strcmp(same[i][0], mime) != 0)
			continue;
		for (int k = 1; k < 4 && same[i][k]; k++)
			if (strcasecmp(d, same[i][k]) == 0)
				return 1;
	}
	return 0;
}

const char *
files_detect(const unsigned char *h, size_t n)
{
	if (n >= 5 && memcmp(h, "%PDF-", 5) == 0)
		return "application/pdf";
	if (n >= 3 && h[0] == 0xff && h[1] == 0xd8 && h[2] == 0xff)
		return "image/jpeg";
	if (n >= 8 && memcmp(h, "\x89PNG\r\n\x1a\n", 8) == 0)
		return "image/png";
	/* OFD (GB/T 33190) is a ZIP package whose root holds OFD.xml. */
	if (n >= 30 && memcmp(h, "PK\x03\x04", 4) == 0) {
		size_t namelen = (size_t)h[26] | (size_t)h[27] << 8;
		if (namelen == 7 && n >= 37 && memcmp(h + 30, "OFD.xml", 7) == 0)
			return "application/ofd";
	}
	return NULL;
}

int
files_path(const char *hash, char *out, size_t cap)
{
	if (strlen(hash) != 64)
		return -1;
	for (const char *p = hash; *p; p++)
		if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
			return -1;
	snprintf(out, cap, "%s/files/%.2s/%s", cfg.data_dir, hash, hash);
	return 0;
}

static int
fsync_dir(const char *path)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY);

	if (fd < 0)
		return -1;
	int rc = fsync(fd);
	close(fd);
	return rc;
}

struct file_job {
	int64_t owner;
	const char *hash, *mime;
	size_t size;
};

static int
tx_file(db_conn *c, void *arg, struct zt_err *err)
{
	struct file_job *j = arg;
	char obj[80];

	db_stmt *s =
	    db_prepare(c,
		       "INSERT INTO files (hash, owner_id, size, mime, created_at)"
		       " VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (hash, owner_id) DO NOTHING",
		       err);
	if (s == NULL)
		return err->code;
	db_bind_text(s, 1, j->hash);
	db_bind_int(s, 2, j->owner);
	db_bind_int(s, 3, (int64_t)j->size);
	db_bind_text(s, 4, j->mime);
	db_bind_int(s, 5, clock_now());
	int rc = db_step(s, err);
	if (rc < 0)
		return rc;
	if (db_changes(c) == 0)
		return 0;
	snprintf(obj, sizeof(obj), "file:%s", j->hash);
	json_t *d = json_pack("{s:I, s:s}", "size", (json_int_t)j->size, "mime", j->mime);
	rc = audit_append(c, j->owner, "file.upload", obj, d, err);
	json_decref(d);
	return rc;
}

int
files_store(const struct principal *owner, const char *tmp_path, const char *hash, size_t size,
	    const char *mime, json_t **out, struct zt_err *err)
{
	char dir[700], path[800];
	struct stat st;

	snprintf(dir, sizeof(dir), "%s/files", cfg.data_dir);
	mkdir(dir, 0750);
	snprintf(dir, sizeof(dir), "%s/files/%.2s", cfg.data_dir, hash);
	if (mkdir(dir, 0750) < 0 && errno != EEXIST)
		return err_set(err, ZT_ENOSPACE, "", "storage", "cannot create %s", dir);
	if (files_path(hash, path, sizeof(path)) < 0)
		return err_set(err, ZT_EINTERNAL, "", "hash", "bad hash");
	if (stat(path, &st) == 0 && (size_t)st.st_size == size) {
		unlink(tmp_path); /* same content already stored */
	} else if (rename(tmp_path, path) < 0 || fsync_dir(dir) < 0) {
		return err_set(err, ZT_ENOSPACE, "", "storage", "cannot store the file");
	}
	struct file_job j = {owner->user_id, hash, mime, size};
	int rc = db_write(tx_file, &j, err);
	if (rc < 0)
		return rc;
	*out = json_pack("{s:s, s:I, s:s}", "id", hash, "size", (json_int_t)size, "mime", mime);
	return 0;
}

int
files_may_read(db_conn *c, const struct principal *by, const char *hash, char mime[64],
	       struct zt_err *err)
{
	db_stmt *s;
	int rc;

	if (by->kind == KIND_OFFICIAL) {
		s = db_prepare(
		    c,
		    "SELECT m.mime FROM case_materials m JOIN cases c ON c.id = m.case_id"
		    " WHERE m.file_hash = ?1 AND c.dept_id = ?2 LIMIT 1",
		    err);
		if (s == NULL)
			return err->code;
		db_bind_text(s, 1, hash);
		db_bind_int(s, 2, by->dept_id);
	} else {
		s = db_prepare(c, "SELECT mime FROM files WHERE hash = ?1 AND owner_id = ?2", err);
		if (s == NULL)
			return err->code;
		db_bind_text(s, 1, hash);
		db_bind_int(s, 2, by->user_id);
	}
	rc = db_step(s, err);
	if (rc == DB_ROW)
		snprintf(mime, 64, "%s", db_col_text(s, 0));
	db_reset(s);
	if (rc < 0)
		return rc;
	return rc == DB_ROW ? 0 : err_set(err, ZT_ENOTFOUND, "", "not_found", "no such file");
}
