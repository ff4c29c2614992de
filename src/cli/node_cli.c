/* node_cli.c - `zhengtong node init|show|add` (see node_cli.h): parses the
 * options, runs fed/node.h in one write transaction and prints the result. */
#include "cli/cli.h"
#include "base/fileio.h"
#include "crypto/nodekey.h"
#include "db/db.h"
#include "fed/client.h"
#include "fed/node.h"
#include "fed/outbox.h"
#include "fed/ping.h"
#include "fed/registry.h"
#include "base/clock.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PEM_MAX 8192

struct node_opts {
	struct node_in in;
	const char *parent_url; /* init --parent URL */
	char parent_found[8];
	const char *key_file;
	int updated; /* init: the node was already initialised */
};

struct add_job {
	const struct node_in *in;
	const char *pem;
	char key_id[NODEKEY_ID_LEN];
	int updated;
};

static int
usage(void)
{
	fprintf(stderr, "usage: %s\n", CLI_NODE_USAGE);
	return 2;
}

/* Reads "--opt VALUE" pairs (--key only when with_key). Returns 0 or the
 * exit status 2 (message printed). */
static int
parse(const char *cmd, int argc, char **argv, int with_key, struct node_opts *o)
{
	memset(o, 0, sizeof(*o));
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		const char **slot = NULL;
		if (strcmp(a, "--region") == 0)
			slot = &o->in.region;
		else if (strcmp(a, "--name") == 0)
			slot = &o->in.name;
		else if (strcmp(a, "--url") == 0)
			slot = &o->in.url;
		else if (strcmp(a, "--parent-region") == 0)
			slot = &o->in.parent;
		else if (strcmp(a, "--parent") == 0 && !with_key)
			slot = &o->parent_url;
		else if (strcmp(a, "--key") == 0 && with_key)
			slot = &o->key_file;
		if (slot == NULL) {
			fprintf(stderr, "node %s: unknown argument %s\n", cmd, a);
			return usage();
		}
		if (i + 1 >= argc) {
			fprintf(stderr, "node %s: %s needs a value\n", cmd, a);
			return usage();
		}
		*slot = argv[++i];
	}
	return 0;
}

static void
print_identity(const struct node_identity *id)
{
	printf("region: %s %s\n", id->region, id->region_name);
	printf("name: %s\n", id->name);
	printf("url: %s\n", id->url[0] ? id->url : "(none)");
	if (id->parent[0])
		printf("parent region: %s %s\n", id->parent, id->parent_name);
	else
		printf("parent region: (none)\n");
	printf("key_id: %s\n", id->key_id);
	printf("fingerprint: %s\n", id->fingerprint);
}

static int
job_init(db_conn *c, void *arg, struct zt_err *err)
{
	struct node_opts *o = arg;
	return node_init(c, &o->in, &o->updated, err);
}

static int
job_add(db_conn *c, void *arg, struct zt_err *err)
{
	struct add_job *j = arg;

	return node_add_peer(c, j->in, j->pem, j->key_id, &j->updated, err);
}

static int
show(const char *cmd, int initialised_only)
{
	struct node_identity id;
	struct zt_err err;

	err_clear(&err);
	int rc = node_identity_load(db_cli_conn(), &id, &err);
	if (rc < 0) {
		fprintf(stderr, "node %s: %s\n", cmd, err.msg);
		return 1;
	}
	if (rc == 0) {
		fprintf(stderr, "node %s: this node is not initialised (run zhengtong node init)\n",
			cmd);
		return 1;
	}
	if (!initialised_only)
		print_identity(&id);
	if (strcmp(id.key_id, nodekey_id()) != 0)
		fprintf(stderr,
			"node %s: warning: node.key has key_id %s, not the registered key; run"
			" zhengtong node init again to register it\n",
			cmd, nodekey_id());
	return 0;
}

/* GET URL/api/v1/fed/nodes: the region of the node at url (its "self"). */
static int
parent_region_of(const char *url, char out[8])
{
	char full[NODE_URL_MAX + 32];
	struct fed_reply r;
	struct zt_err err;

	size_t n = strlen(url);
	snprintf(full, sizeof(full), "%.*s/api/v1/fed/nodes",
		 (int)(n > 0 && url[n - 1] == '/' ? n - 1 : n), url);
	err_clear(&err);
	int rc = fed_get_plain(full, &r, &err);
	if (rc < 0) {
		fprintf(stderr, "node init: parent: %s\n", err.msg);
		fed_reply_free(&r);
		return -1;
	}
	json_t *j = json_loadb(r.body.data ? r.body.data : "", r.body.len, 0, NULL);
	const char *region =
	    json_string_value(json_object_get(json_object_get(j, "self"), "region"));
	rc = 0;
	if (r.status != 200 || region == NULL || strlen(region) != 6) {
		fprintf(stderr,
			"node init: parent: %s is not an initialised Zhengtong node (HTTP %ld)\n",
			url, r.status);
		rc = -1;
	} else
		memcpy(out, region, 7);
	json_decref(j);
	fed_reply_free(&r);
	return rc;
}

static int
cmd_init(int argc, char **argv)
{
	struct node_opts o;
	struct zt_err err;
	int rc;

	if ((rc = parse("init", argc, argv, 0, &o)) != 0)
		return rc;
	if (o.in.region == NULL || o.in.name == NULL) {
		fprintf(stderr, "node init: --region and --name are required\n");
		return usage();
	}
	if (o.parent_url && o.in.parent) {
		fprintf(stderr, "node init: give --parent URL or --parent-region CODE, not both\n");
		return usage();
	}
	if (o.parent_url && !node_url_valid(o.parent_url)) {
		fprintf(stderr, "node init: parent: not an http(s)://host[:port] address: %s\n",
			o.parent_url);
		return 1;
	}
	if (cli_setup(0) < 0)
		return 1;
	if (o.parent_url) {
		/* The parent's region, from its public identity. Trust does not come
		 * from this answer: messages are checked against the hub's registry. */
		if (parent_region_of(o.parent_url, o.parent_found) < 0) {
			cli_teardown();
			return 1;
		}
		o.in.parent = o.parent_found;
	}
	err_clear(&err);
	rc = db_write(job_init, &o, &err);
	if (rc < 0) {
		fprintf(stderr, "node init: %s%s%s\n", err.field, err.field[0] ? ": " : "",
			err.msg);
		cli_teardown();
		return 1;
	}
	printf("node %s\n", o.updated ? "updated" : "initialised");
	rc = show("init", 0);
	cli_teardown();
	return rc;
}

static int
cmd_show(int argc, char **argv)
{
	if (argc > 0) {
		fprintf(stderr, "node show: unexpected argument %s\n", argv[0]);
		return usage();
	}
	if (cli_setup(0) < 0)
		return 1;
	int rc = show("show", 0);
	cli_teardown();
	return rc;
}

static int
cmd_add(int argc, char **argv)
{
	struct node_opts o;
	struct add_job j;
	struct zt_err err;
	char *pem = NULL;
	size_t len;
	int rc;

	if ((rc = parse("add", argc, argv, 1, &o)) != 0)
		return rc;
	if (o.in.region == NULL || o.in.name == NULL || o.in.url == NULL || o.key_file == NULL) {
		fprintf(stderr, "node add: --region, --name, --url and --key are required\n");
		return usage();
	}
	rc = file_read_all(o.key_file, PEM_MAX, &pem, &len);
	if (rc < 0) {
		fprintf(stderr, "node add: key: cannot read %s%s\n", o.key_file,
			rc == -2 ? " (too large for a PEM key)" : "");
		return 1;
	}
	if (strlen(pem) != len) {
		fprintf(stderr, "node add: key: %s is not a PEM text file\n", o.key_file);
		free(pem);
		return 1;
	}
	if (cli_setup(0) < 0) {
		free(pem);
		return 1;
	}
	memset(&j, 0, sizeof(j));
	j.in = &o.in;
	j.pem = pem;
	err_clear(&err);
	rc = db_write(job_add, &j, &err);
	if (rc < 0) {
		fprintf(stderr, "node add: %s%s%s\n", err.field, err.field[0] ? ": " : "", err.msg);
		rc = 1;
	} else {
		printf("peer %s: region %s, key_id %s\n", j.updated ? "updated" : "added",
		       o.in.region, j.key_id);
		rc = 0;
	}
	cli_teardown();
	free(pem);
	return rc;
}

/* node key: this node's public key (PEM), for the operators of its peers. */
static int
cmd_key(int argc, char **argv)
{
	if (argc > 0) {
		fprintf(stderr, "node key: unexpected argument %s\n", argv[0]);
		return usage();
	}
	if (cli_setup(0) < 0)
		return 1;
	fputs(nodekey_public_pem(), stdout);
	cli_teardown();
	return 0;
}

/* node sync: fetches and applies the hub's signed registry now. */
static int
cmd_sync(int argc, char **argv)
{
	struct registry_result res;
	struct zt_err err;
	char at[32];

	if (argc > 0) {
		fprintf(stderr, "node sync: unexpected argument %s\n", argv[0]);
		return usage();
	}
	if (cli_setup(0) < 0)
		return 1;
	err_clear(&err);
	int rc = registry_sync(&res, &err);
	if (rc < 0) {
		fprintf(stderr, "node sync: %s (%s)\n", err.msg, err.reason);
		cli_teardown();
		return 1;
	}
	if (res.hub)
		printf("this node is the national hub: its registry is its own\n");
	else {
		time_format(res.expires_at, at);
		printf("registry: %d node(s) listed, %d changed, %d retired; valid until %s\n",
		       res.nodes, res.applied, res.retired, at);
	}
	cli_teardown();
	return 0;
}

/* node outbox [--status S]: the outbox for operators. */
static int
cmd_outbox(int argc, char **argv)
{
	const char *st = NULL;
	struct zt_err err;

	if (argc == 2 && strcmp(argv[0], "--status") == 0)
		st = argv[1];
	else if (argc != 0)
		return usage();
	if (st && strcmp(st, "pending") != 0 && strcmp(st, "delivered") != 0 &&
	    strcmp(st, "failed") != 0) {
		fprintf(stderr, "node outbox: --status is pending, delivered or failed\n");
		return 2;
	}
	if (cli_setup(0) < 0)
		return 1;
	err_clear(&err);
	json_t *o = outbox_json(db_cli_conn(), st, 100, &err);
	if (o == NULL) {
		fprintf(stderr, "node outbox: %s\n", err.msg);
		cli_teardown();
		return 1;
	}
	json_t *cnt = json_object_get(o, "counts");
	printf("pending %lld, delivered %lld, failed %lld\n",
	       (long long)json_integer_value(json_object_get(cnt, "pending")),
	       (long long)json_integer_value(json_object_get(cnt, "delivered")),
	       (long long)json_integer_value(json_object_get(cnt, "failed")));
	size_t i;
	json_t *m;
	json_array_foreach(json_object_get(o, "items"), i, m)
	{
		const char *e = json_string_value(json_object_get(m, "last_error"));
		printf("%s  %-9s to %s  %-16s attempts %lld%s%s\n",
		       json_string_value(json_object_get(m, "message_id")),
		       json_string_value(json_object_get(m, "status")),
		       json_string_value(json_object_get(m, "recipient")),
		       json_string_value(json_object_get(m, "type")),
		       (long long)json_integer_value(json_object_get(m, "attempts")), e ? "  " : "",
		       e ? e : "");
	}
	json_decref(o);
	cli_teardown();
	return 0;
}

/* node deliver: one delivery pass of the outbox now. */
static int
cmd_deliver(int argc, char **argv)
{
	struct outbox_pass p;
	struct zt_err err;

	if (argc > 0) {
		fprintf(stderr, "node deliver: unexpected argument %s\n", argv[0]);
		return usage();
	}
	if (cli_setup(0) < 0)
		return 1;
	err_clear(&err);
	int rc = outbox_deliver(&p, &err);
	if (rc < 0)
		fprintf(stderr, "node deliver: %s\n", err.msg);
	else
		printf("delivered %d, to retry %d, refused %d\n", p.delivered, p.retried, p.failed);
	cli_teardown();
	return rc < 0 ? 1 : 0;
}

struct status_job {
	const char *region, *status;
};

static int
job_status(db_conn *c, void *arg, struct zt_err *err)
{
	struct status_job *j = arg;
	return node_set_status(c, j->region, j->status, err);
}

/* node retire|activate --region CODE */
static int
cmd_status(const char *cmd, const char *status, int argc, char **argv)
{
	struct status_job j = {NULL, status};
	struct zt_err err;

	if (argc != 2 || strcmp(argv[0], "--region") != 0) {
		fprintf(stderr, "node %s: --region CODE is required\n", cmd);
		return usage();
	}
	j.region = argv[1];
	if (cli_setup(0) < 0)
		return 1;
	err_clear(&err);
	int rc = db_write(job_status, &j, &err);
	if (rc < 0)
		fprintf(stderr, "node %s: %s\n", cmd, err.msg);
	else
		printf("node %s is now %s\n", j.region, status);
	cli_teardown();
	return rc < 0 ? 1 : 0;
}

struct ping_job {
	const char *to;
	int n;
};

static int
job_ping(db_conn *c, void *arg, struct zt_err *err)
{
	struct ping_job *j = arg;
	return ping_enqueue(c, j->to, j->n, err);
}

/* node ping --to REGION [--count N]: queues pings for the sender to deliver. */
static int
cmd_ping(int argc, char **argv)
{
	struct ping_job j = {NULL, 1};
	struct zt_err err;

	for (int i = 0; i + 1 < argc; i += 2) {
		if (strcmp(argv[i], "--to") == 0)
			j.to = argv[i + 1];
		else if (strcmp(argv[i], "--count") == 0)
			j.n = atoi(argv[i + 1]);
		else
			return usage();
	}
	if (argc % 2 != 0 || j.to == NULL || strlen(j.to) != 6 || strspn(j.to, "0123456789") != 6 ||
	    j.n < 1 || j.n > 100000) {
		fprintf(stderr, "node ping: --to is a 6-digit region code, --count 1..100000\n");
		return 2;
	}
	if (cli_setup(0) < 0)
		return 1;
	err_clear(&err);
	int rc = db_write(job_ping, &j, &err);
	if (rc < 0)
		fprintf(stderr, "node ping: %s\n", err.msg);
	else
		printf("%d ping(s) to %s queued; the outbox delivers them\n", j.n, j.to);
	cli_teardown();
	return rc < 0 ? 1 : 0;
}

int
cli_node(int argc, char **argv)
{
	if (argc < 1)
		return usage();
	if (strcmp(argv[0], "init") == 0)
		return cmd_init(argc - 1, argv + 1);
	if (strcmp(argv[0], "show") == 0)
		return cmd_show(argc - 1, argv + 1);
	if (strcmp(argv[0], "add") == 0)
		return cmd_add(argc - 1, argv + 1);
	if (strcmp(argv[0], "retire") == 0)
		return cmd_status("retire", "retired", argc - 1, argv + 1);
	if (strcmp(argv[0], "activate") == 0)
		return cmd_status("activate", "active", argc - 1, argv + 1);
	if (strcmp(argv[0], "ping") == 0)
		return cmd_ping(argc - 1, argv + 1);
	if (strcmp(argv[0], "key") == 0)
		return cmd_key(argc - 1, argv + 1);
	if (strcmp(argv[0], "sync") == 0)
		return cmd_sync(argc - 1, argv + 1);
	if (strcmp(argv[0], "outbox") == 0)
		return cmd_outbox(argc - 1, argv + 1);
	if (strcmp(argv[0], "deliver") == 0)
		return cmd_deliver(argc - 1, argv + 1);
	fprintf(stderr, "node: unknown subcommand %s\n", argv[0]);
	return usage();
}
