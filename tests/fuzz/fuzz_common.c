/* fuzz_common.c - the node every database harness runs against, and one
 * HTTP request through the server's own code.
 *
 * http/server.c is included here (once, for every harness) so that a
 * request takes exactly the server's path: router_match, the guard with a
 * real session token, the body limits, parse_json, the handler. Only the
 * libmicrohttpd connection is missing: struct req's test seam (req.h)
 * carries the query arguments and headers instead. */
#include "fuzz.h"

#include "http/server.c"

#include "base/clock.h"
#include "crypto/nodekey.h"
#include "crypto/password.h"
#include "crypto/sm2.h"
#include "crypto/sm3.h"
#include "domain/audit.h"
#include "domain/demo.h"
#include "domain/org.h"
#include "domain/workcal.h"
#include "cli/keys_cli.h"
#include "crypto/fieldenc.h"
#include "fed/node.h"

#include <errno.h>
#include <ftw.h>
#include <unistd.h>

#ifndef ZT_FUZZ_SOURCE_DIR
#define ZT_FUZZ_SOURCE_DIR "."
#endif

#define MAX_PRINCIPALS 64

static char data_dir[256];
static char tokens[MAX_PRINCIPALS][TOKEN_STR_LEN];
static int nprincipals = 1; /* anonymous */
static struct sm2_key *peer_key;
static char peer_key_id[NODEKEY_ID_LEN];
static int ready;

const char *
fuzz_data_dir(void)
{
	return data_dir;
}

int
fuzz_nprincipals(void)
{
	return nprincipals;
}

const char *
fuzz_token(int i)
{
	return i > 0 && i < nprincipals ? tokens[i] : NULL;
}

const char *
fuzz_peer_region(void)
{
	return "440000";
}

struct sm2_key *
fuzz_peer_key(const char **key_id)
{
	*key_id = peer_key_id;
	return peer_key;
}

char *
fuzz_strndup(const uint8_t *data, size_t size)
{
	char *s = xmalloc(size + 1);

	if (size)
		memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

size_t
fuzz_unescape(char *s)
{
	return on_unescape(NULL, NULL, s);
}

static int
rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void
cleanup(void)
{
	if (data_dir[0] == '\0')
		return;
	db_close();
	nodekey_unload();
	fieldenc_unload();
	sm2_free(peer_key);
	peer_key = NULL;
	nftw(data_dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static int
job_seed(db_conn *c, void *arg, struct zt_err *err)
{
	(void)arg;
	return org_seed_regions(c, err);
}

struct fed_job {
	const struct node_in *in;
	const char *pem; /* NULL: this node */
};

static int
job_fed(db_conn *c, void *arg, struct zt_err *err)
{
	struct fed_job *j = arg;
	int updated;

	if (j->pem == NULL)
		return node_init(c, j->in, &updated, err);
	return node_add_peer(c, j->in, j->pem, peer_key_id, &updated, err);
}

/* A session per account, so that the guard signs each principal in. */
static int
job_sessions(db_conn *c, void *arg, struct zt_err *err)
{
	db_stmt *s = db_prepare(c, "SELECT id FROM users ORDER BY id", err);
	int64_t ids[MAX_PRINCIPALS];
	int n = 0, rc;

	(void)arg;
	if (s == NULL)
		return err->code;
	while ((rc = db_step(s, err)) == DB_ROW && n < MAX_PRINCIPALS - 1)
		ids[n++] = db_col_int(s, 0);
	db_reset(s);
	if (rc < 0)
		return rc;
	for (int i = 0; i < n; i++) {
		char th[SM3_HEX_LEN];
		token_new(tokens[i + 1]);
		token_hash(tokens[i + 1], th);
		s = db_prepare(c,
			       "INSERT INTO sessions (token_hash, user_id, created_at, expires_at)"
			       " VALUES (?1, ?2, ?3, ?4)",
			       err);
		if (s == NULL)
			return err->code;
		db_bind_text(s, 1, th);
		db_bind_int(s, 2, ids[i]);
		db_bind_int(s, 3, FUZZ_T0);
		db_bind_int(s, 4, FUZZ_T0 + 100LL * 365 * 86400);
		if ((rc = db_step(s, err)) < 0)
			return rc;
	}
	nprincipals = n + 1;
	return 0;
}

/* Sessions revoked by a fuzzed logout come back, so every principal stays
 * signed in for the next input. */
static int
job_unrevoke(db_conn *c, void *arg, struct zt_err *err)
{
	(void)arg;
	return db_exec(c, "UPDATE sessions SET revoked_at = NULL WHERE revoked_at IS NOT NULL",
		       err);
}

#define CHECK(what, call)                                                                          \
	do {                                                                                       \
		if ((call) < 0) {                                                                  \
			fprintf(stderr, "fuzz_setup: %s: %s %s\n", what, err.field, err.msg);      \
			abort();                                                                   \
		}                                                                                  \
	} while (0)

void
fuzz_setup(void)
{
	char ebuf[256];
	struct zt_err err;
	const char *src = getenv("ZT_SOURCE_DIR");

	if (ready)
		return;
	ready = 1;
	if (src == NULL || *src == '\0')
		src = ZT_FUZZ_SOURCE_DIR;
	if (config_load(NULL, ebuf, sizeof(ebuf)) < 0) {
		fprintf(stderr, "fuzz_setup: config: %s\n", ebuf);
		abort();
	}
	log_set_level(getenv("FUZZ_VERBOSE") ? LOG_DEBUG : LOG_ERROR);
	snprintf(data_dir, sizeof(data_dir), "/tmp/zt_fuzz_XXXXXX");
	if (mkdtemp(data_dir) == NULL) {
		fprintf(stderr, "fuzz_setup: mkdtemp: %s\n", strerror(errno));
		abort();
	}
	atexit(cleanup);
	snprintf(cfg.data_dir, sizeof(cfg.data_dir), "%s", data_dir);
	snprintf(cfg.db, sizeof(cfg.db), "%s/zhengtong.db", data_dir);
	snprintf(cfg.data_key_file, sizeof(cfg.data_key_file), "%s/data.key", data_dir);
	snprintf(cfg.calendar_dir, sizeof(cfg.calendar_dir), "%s/calendar", src);
	snprintf(cfg.web_dir, sizeof(cfg.web_dir), "%s/web", src);
	/* Limits that would turn most inputs away after the first few. */
	cfg.opendata_rate_anon = 1 << 30;
	cfg.opendata_rate_key = 1 << 30;
	cfg.login_max_failures = 1 << 30;
	cfg.threads = 2;
	cfg.fed_timeout = 1; /* the peer (127.0.0.1:9) refuses at once anyway */
	snprintf(tmp_dir, sizeof(tmp_dir), "%s/tmp", data_dir);
	mkdir(tmp_dir, 0700);
	clock_set(FUZZ_T0);
	if (sm3_init_lib() < 0 || password_init() < 0)
		abort();
	err_clear(&err);
	CHECK("db_open", db_open(cfg.db, &err));
	CHECK("migrate", db_migrate(0, &err));
	CHECK("regions", db_write(job_seed, NULL, &err));
	CHECK("calendar", workcal_load_dir(cfg.calendar_dir, 0, &err));
	CHECK("calendar", workcal_reload(db_cli_conn(), &err));
	CHECK("node key", nodekey_load(data_dir, &err));
	CHECK("data keys", keys_startup(&err)); /* as cli_setup: encryption at rest */
	audit_enable_signing();
	CHECK("demo", demo_create(0, &err));

	struct node_in self = {"520102", "南明区政务服务节点", "http://127.0.0.1:8080", "520000"};
	struct fed_job fj = {&self, NULL};
	CHECK("node init", db_write(job_fed, &fj, &err));
	struct sm2_key *peer = sm2_generate();
	char *pem = peer ? sm2_public_pem(peer) : NULL;
	struct node_in pin = {"440000", "广东省政务服务节点", "http://127.0.0.1:9", "000000"};
	struct fed_job pj = {&pin, pem};
	if (pem == NULL)
		abort();
	CHECK("node add", db_write(job_fed, &pj, &err));
	free(pem);
	peer_key = peer; /* kept: fuzz_envelope signs as the peer */
	CHECK("sessions", db_write(job_sessions, NULL, &err));
	metrics_init();
}

/* ---- one HTTP request ---- */

#define MAX_PAIRS 64

struct http_in {
	char *text; /* the input after the two bytes, split in place */
	const char *params[REQ_MAX_PARAMS];
	int nparams;
	const char *query[2 * MAX_PAIRS + 1];
	const char *headers[2 * MAX_PAIRS + 1];
	const char *body;
	size_t body_len;
};

/* Splits "p1/p2?query\nheaders\n\nbody" in place. */
static void
split_input(struct http_in *in, char *text, size_t len)
{
	char *nl = memchr(text, '\n', len), *line = text, *q;
	int nq = 0, nh = 0;

	in->body = "";
	in->body_len = 0;
	in->nparams = 0;
	if (nl)
		*nl = '\0';
	/* The first line: params, then the query string. */
	if ((q = strchr(line, '?')) != NULL)
		*q++ = '\0';
	for (char *p = line; in->nparams < REQ_MAX_PARAMS;) {
		char *slash = strchr(p, '/');
		if (slash)
			*slash = '\0';
		in->params[in->nparams++] = p;
		if (slash == NULL)
			break;
		p = slash + 1;
	}
	for (char *p = q; p && *p && nq < MAX_PAIRS;) {
		char *amp = strchr(p, '&'), *eq;
		if (amp)
			*amp = '\0';
		/* MHD turns '+' into ' ' in arguments, then unescapes. */
		for (char *c = p; *c; c++)
			if (*c == '+')
				*c = ' ';
		if ((eq = strchr(p, '=')) != NULL)
			*eq++ = '\0';
		fuzz_unescape(p);
		if (eq)
			fuzz_unescape(eq);
		in->query[2 * nq] = p;
		in->query[2 * nq + 1] = eq ? eq : "";
		nq++;
		if (amp == NULL)
			break;
		p = amp + 1;
	}
	in->query[2 * nq] = NULL;
	/* Headers up to an empty line, then the body (bytes, NULs included). */
	char *p = nl ? nl + 1 : NULL, *end = text + len;
	while (p && p < end) {
		char *e = memchr(p, '\n', (size_t)(end - p));
		if (e == p) {
			in->body = p + 1;
			in->body_len = (size_t)(end - p - 1);
			break;
		}
		if (e)
			*e = '\0';
		char *colon = strchr(p, ':');
		if (colon && nh < MAX_PAIRS - 4) {
			*colon = '\0';
			char *v = colon + 1;
			while (*v == ' ')
				v++;
			in->headers[2 * nh] = p;
			in->headers[2 * nh + 1] = v;
			nh++;
		}
		if (e == NULL)
			break;
		p = e + 1;
	}
	in->headers[2 * nh] = NULL;
}

/* The route's path with its {params} filled (decoded, as MHD hands it). */
static char *
route_path(const struct route *rt, struct http_in *in)
{
	struct buf b;
	int k = 0;

	buf_init(&b);
	for (const char *p = rt->pattern; *p;) {
		if (*p == '{') {
			const char *e = strchr(p, '}');
			const char *v = k < in->nparams && *in->params[k] ? in->params[k] : "1";
			buf_puts(&b, v);
			k++;
			p = e ? e + 1 : p + strlen(p);
		} else
			buf_append(&b, p++, 1);
	}
	return buf_take(&b, NULL);
}

int
fuzz_http_one(const uint8_t *data, size_t size, unsigned kinds)
{
	size_t idx[512], n = 0;
	struct http_in in;

	fuzz_setup();
	for (size_t i = 0; i < nroutes && n < 512; i++)
		if (kinds & (1u << routes[i].body))
			idx[n++] = i;
	const struct route *rt = NULL;
	/* "@name " picks the route by its name (seeds stay readable and keep
	 * their route when the table changes); else byte 0 by position. */
	if (size > 1 && data[0] == '@') {
		const uint8_t *sp = memchr(data, ' ', size < 64 ? size : 64);
		for (size_t i = 0; sp && i < n; i++)
			if (strlen(routes[idx[i]].name) == (size_t)(sp - data - 1) &&
			    memcmp(routes[idx[i]].name, data + 1, (size_t)(sp - data - 1)) == 0)
				rt = &routes[idx[i]];
		if (rt) {
			/* the name stands for the selector byte */
			size -= (size_t)(sp - data);
			data = sp;
		}
	}
	if (size < 2)
		return 0;
	if (rt == NULL)
		rt = &routes[idx[data[0] % n]];
	int who = data[1] % nprincipals;
	memset(&in, 0, sizeof(in));
	in.text = fuzz_strndup(data + 2, size - 2);
	split_input(&in, in.text, size - 2);
	/* Params are decoded by MHD before routing. */
	for (int i = 0; i < in.nparams; i++)
		fuzz_unescape((char *)in.params[i]);

	/* The seam's headers: the input's first (they win), then defaults. */
	char auth[80];
	int nh = 0;
	while (in.headers[2 * nh])
		nh++;
	if (fuzz_token(who)) {
		snprintf(auth, sizeof(auth), "Bearer %s", fuzz_token(who));
		in.headers[2 * nh] = "Authorization";
		in.headers[2 * nh + 1] = auth;
		nh++;
	}
	if (rt->body == BODY_JSON) {
		in.headers[2 * nh] = "Content-Type";
		in.headers[2 * nh + 1] = "application/json";
		nh++;
	}
	in.headers[2 * nh] = NULL;

	struct req *r = xcalloc(1, sizeof(*r));
	r->route_index = -1;
	snprintf(r->id, sizeof(r->id), "fuzz");
	snprintf(r->method, sizeof(r->method), "%s", rt->method);
	r->path = route_path(rt, &in);
	r->test_query = in.query;
	r->test_headers = in.headers;
	buf_init(&r->body);
	const char *ql = req_query(r, "lang"), *al = req_header(r, "Accept-Language");
	if (ql)
		r->lang = strncmp(ql, "en", 2) == 0 ? "en" : "zh";
	else
		r->lang = al && strncmp(al, "en", 2) == 0 ? "en" : "zh";

	begin(r);
	if (!r->replied) {
		/* The body arrives in pieces, as from the socket. */
		for (size_t off = 0; off < in.body_len;) {
			size_t k = in.body_len - off < 4096 ? in.body_len - off : 4096;
			take_body(r, in.body + off, k);
			off += k;
		}
		finish(r);
	}
	if (!r->replied)
		reply_problem(r, 500, "internal", "the handler gave no answer");
	if (r->stream) {
		char chunk[16384];
		for (int i = 0; i < 256; i++) {
			ssize_t got = r->stream(r->stream_cls, 0, chunk, sizeof(chunk));
			if (got < 0)
				break;
		}
	}
	int status = r->status;
	if (getenv("FUZZ_SHOW")) /* what each input got, for writing seeds */
		fprintf(stderr, "%s %s -> %d %.300s\n", rt->method, r->path, status,
			r->resp ? r->resp : "(stream)");
	char *resp = r->resp ? xstrdup(r->resp) : NULL;
	const char *name = rt->name;
	req_free(r);
	if (strcmp(name, "auth.logout") == 0) {
		struct zt_err err;
		err_clear(&err);
		db_write(job_unrevoke, NULL, &err);
	}
	free(in.text);
	if (status == 500)
		FUZZ_FAIL("%s %s answered 500: %s", rt->method, rt->pattern, resp ? resp : "");
	free(resp);
	return 0;
}
