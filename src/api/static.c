/* static.c - the web portal's static files (web/), served by the node itself
 * with correct content types, caching headers and a strict CSP. */
#include "api/handlers.h"
#include "http/req.h"
#include "base/config.h"
#include "base/fileio.h"
#include "base/xmalloc.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define STATIC_MAX (8 << 20)

static const struct {
	const char *ext, *type;
} types[] = {
    {".html", "text/html; charset=utf-8"},
    {".js", "text/javascript; charset=utf-8"},
    {".mjs", "text/javascript; charset=utf-8"},
    {".css", "text/css; charset=utf-8"},
    {".json", "application/json; charset=utf-8"},
    {".svg", "image/svg+xml"},
    {".png", "image/png"},
    {".jpg", "image/jpeg"},
    {".ico", "image/x-icon"},
    {".woff2", "font/woff2"},
    {".txt", "text/plain; charset=utf-8"},
    {".map", "application/json; charset=utf-8"},
};

static const char *
type_of(const char *path)
{
	const char *dot = strrchr(path, '.');

	for (size_t i = 0; dot && i < sizeof(types) / sizeof(types[0]); i++)
		if (strcmp(dot, types[i].ext) == 0)
			return types[i].type;
	return NULL;
}

/* Accepts only [A-Za-z0-9._-/] without "..", "//" or a leading '.'. */
static int
safe_path(const char *p)
{
	if (*p == '.' || strstr(p, "..") || strstr(p, "//") || strstr(p, "/."))
		return 0;
	for (; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '.' || *p == '_' || *p == '-' || *p == '/'))
			return 0;
	return 1;
}

void
h_static(struct req *r)
{
	const char *rel = r->nparams ? r->params[0] : "";
	char path[1200], etag[64];
	struct stat st;

	if (strncmp(rel, "api/", 4) == 0 || strcmp(rel, "api") == 0) {
		reply_problem(r, 404, "not_found", "no such endpoint");
		return;
	}
	if (*rel == '\0' || rel[strlen(rel) - 1] == '/')
		rel = "index.html";
	const char *type = type_of(rel);
	if (!safe_path(rel) || type == NULL) {
		reply_problem(r, 404, "not_found", "no such page");
		return;
	}
	snprintf(path, sizeof(path), "%s/%s", cfg.web_dir, rel);
	if (stat(path, &st) < 0 || !S_ISREG(st.st_mode)) {
		reply_problem(r, 404, "not_found", "no such page");
		return;
	}
	/* Every file revalidates (no-cache + ETag): after an upgrade a browser
	 * never runs a mix of old and new modules, and an unchanged file costs
	 * one 304. */
	snprintf(etag, sizeof(etag), "\"%llx-%llx\"", (unsigned long long)st.st_mtime,
		 (unsigned long long)st.st_size);
	r->cache_control = "no-cache";
	req_add_header(r, "ETag", etag);
	const char *inm = req_header(r, "If-None-Match");
	if (inm && strcmp(inm, etag) == 0) {
		reply_raw(r, 304, type, xstrdup(""), 0);
		return;
	}
	char *data;
	size_t n;
	if (file_read_all(path, STATIC_MAX, &data, &n) < 0) {
		reply_problem(r, 404, "not_found", "no such page");
		return;
	}
	r->csp = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: "
		 "blob:; frame-src 'self' blob:; object-src 'self' blob:; connect-src 'self'; "
		 "font-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
	reply_raw(r, 200, type, data, n);
}
