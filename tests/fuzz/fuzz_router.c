/* fuzz_router.c - the request line as the server sees it: the path
 * percent-decoded by the server's own unescape callback, matched against
 * the route table (router_match), path ids read (req_param_id), and the
 * query string split and checked by the query validators (q_int, q_str,
 * q_enum) through struct req's test seam.
 *
 * Input: byte 0 picks the method, the rest is "path?query".
 * Checks: a match fills exactly the pattern's number of parameters, none of
 * them empty except a catch-all; the answer of req_param_id is a positive
 * id or a 404 reply. */
#include "fuzz.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/xmalloc.h"
#include "http/req.h"
#include "http/validate.h"

static const char *const methods[] = {"GET", "POST", "PUT", "DELETE", "HEAD", "PATCH"};

static void
reset(struct req *r)
{
	json_decref(r->errors);
	r->errors = NULL;
	free(r->resp);
	r->resp = NULL;
	r->replied = 0;
	r->status = 0;
}

int
fuzz_router_one(const uint8_t *data, size_t size)
{
	char *params[REQ_MAX_PARAMS];
	int nparams = 0;

	if (size < 1)
		return 0;
	const char *method = methods[data[0] % 6];
	char *url = fuzz_strndup(data + 1, size - 1);
	char *q = strchr(url, '?');
	if (q)
		*q++ = '\0';
	fuzz_unescape(url);
	int idx = router_match(method, url, params, &nparams);
	struct req r;
	memset(&r, 0, sizeof(r));
	r.lang = "en";
	snprintf(r.id, sizeof(r.id), "fuzz");
	if (idx >= 0) {
		const char *pat = routes[idx].pattern;
		int want = 0, rest = strstr(pat, "{*") != NULL;
		for (const char *p = pat; (p = strchr(p, '{')) != NULL; p++)
			want++;
		if (nparams != want)
			FUZZ_FAIL("%s matched %s with %d params", url, pat, nparams);
		for (int i = 0; i < nparams; i++) {
			if (params[i][0] == '\0' && !rest)
				FUZZ_FAIL("%s matched %s with an empty param", url, pat);
			r.params[i] = params[i];
		}
		r.nparams = nparams;
		for (int i = 0; i < nparams; i++) {
			int64_t id = req_param_id(&r, i);
			if (id < 0 ? r.status != 404 : (r.replied || id == 0))
				FUZZ_FAIL("req_param_id(%s) = %lld", params[i], (long long)id);
			reset(&r);
		}
		for (int i = 0; i < nparams; i++)
			free(params[i]);
	} else if (idx != -1 && idx != -2)
		FUZZ_FAIL("router_match returned %d", idx);

	/* The query string, split as MHD does, through the validators. */
	const char *kv[2 * 32 + 1];
	int n = 0;
	for (char *p = q; p && *p && n < 32;) {
		char *amp = strchr(p, '&'), *eq;
		if (amp)
			*amp = '\0';
		for (char *c = p; *c; c++)
			if (*c == '+')
				*c = ' ';
		if ((eq = strchr(p, '=')) != NULL)
			*eq++ = '\0';
		fuzz_unescape(p);
		if (eq)
			fuzz_unescape(eq);
		kv[2 * n] = p;
		kv[2 * n + 1] = eq ? eq : "";
		n++;
		if (amp == NULL)
			break;
		p = amp + 1;
	}
	kv[2 * n] = NULL;
	r.test_query = kv;
	static const char *const allowed[] = {"asc", "desc", "csv", "json", NULL};
	for (int i = 0; i < n; i++) {
		int64_t v = 0;
		const char *key = kv[2 * i];
		if (q_int(&r, key, -1000, 1000, 7, &v) == 0 && (v < -1000 || v > 1000))
			FUZZ_FAIL("q_int out of range: %lld", (long long)v);
		const char *s = q_str(&r, key, 20);
		if (s && utf8_len(s) > 20)
			FUZZ_FAIL("q_str longer than 20 characters");
		q_enum(&r, key, allowed, "asc");
		const char *all[4];
		req_query_all(&r, key, all, 4);
		reset(&r);
	}
	reset(&r);
	free(url);
	return 0;
}

FUZZ_TARGET(router)
