/* cli.c - parsing the command line and running one subcommand. */
#include "cli/cli.h"
#include "cli/dbtools.h"
#include "cli/keys_cli.h"
#include "cli/routes_cli.h"
#include "base/clock.h"
#include "base/config.h"
#include "base/log.h"
#include "crypto/fieldenc.h"
#include "crypto/nodekey.h"
#include "crypto/password.h"
#include "crypto/sm3.h"
#include "db/db.h"
#include "domain/audit.h"
#include "domain/opendata_rows.h"
#include "domain/evaluate.h"
#include "domain/auth.h"
#include "domain/demo.h"
#include "fed/fed.h"
#include "domain/org.h"
#include "domain/sla.h"
#include "domain/workcal.h"
#include "http/server.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct command {
	const char *name;
	const char *sub; /* second word, or NULL */
	int (*run)(int argc, char **argv);
	const char *usage;
	const char *help;
};

static int cmd_serve(int argc, char **argv);
static int cmd_init(int argc, char **argv);
static int cmd_migrate(int argc, char **argv);
static int cmd_user_add(int argc, char **argv);
static int cmd_calendar_load(int argc, char **argv);
static int cmd_sla_sweep(int argc, char **argv);
static int cmd_audit_verify(int argc, char **argv);
static int cmd_backup(int argc, char **argv);

static const struct command commands[] = {
    {"serve", NULL, cmd_serve, "zhengtong serve [--config FILE]",
     "Runs the node: applies pending migrations, loads the calendar and serves HTTP on the\n"
     "configured address (default 127.0.0.1:8080) until SIGINT or SIGTERM. The SLA sweep\n"
     "runs every sla_interval seconds."},
    {"init", NULL, cmd_init, "zhengtong init [--no-demo] [--config FILE]",
     "Creates or upgrades the database: migrations, the regions (GB/T 2260), the shipped\n"
     "holiday calendars and, unless --no-demo, the demo node (departments, officials,\n"
     "applicants, service items and cases). Prints the demo accounts. Safe to run twice."},
    {"migrate", NULL, cmd_migrate, "zhengtong migrate [--config FILE]",
     "Applies the numbered schema migrations that the database does not have yet."},
    {"user", "add", cmd_user_add,
     "zhengtong user add --login LOGIN --name NAME --dept DEPT_ID --roles ROLE[,ROLE...]\n"
     "                   [--phone PHONE] [--config FILE]",
     "Creates an official. Roles: clerk, reviewer, dept_admin, data_officer, supervisor,\n"
     "sysadmin. The password is read from the ZT_USER_PASSWORD environment variable or,\n"
     "when unset, from the first line of standard input (never from the command line)."},
    {"calendar", "load", cmd_calendar_load, "zhengtong calendar load FILE [--config FILE]",
     "Validates one year's holiday calendar (JSON: holidays and 调休 working days) and\n"
     "stores it, replacing that year. A running server picks it up within sla_interval."},
    {"sla", "sweep", cmd_sla_sweep, "zhengtong sla sweep [--config FILE]",
     "Opens one 督办 supervision item for every open case past its deadline that has none\n"
     "yet (and for every share request unanswered past its deadline), escalates every\n"
     "supervision item past its own deadline to the oversight office of the region above,\n"
     "and prints how many of each. ZT_NOW sets the clock for tests."},
    {"audit", "verify", cmd_audit_verify, "zhengtong audit verify [--config FILE]",
     "Checks the whole audit chain (SM3 hash links). Exits 0 when intact; otherwise names\n"
     "the first bad sequence number and exits 1."},
    {"db", "copy", dbtools_copy, DBTOOLS_COPY_USAGE, DBTOOLS_COPY_HELP},
    {"resource", "import", cli_resource_import, CLI_RESOURCE_IMPORT_USAGE,
     CLI_RESOURCE_IMPORT_HELP},
    {"license", "verify", cli_license_verify, CLI_LICENSE_VERIFY_USAGE, CLI_LICENSE_VERIFY_HELP},
    {"evaluate", NULL, cli_evaluate, CLI_EVALUATE_USAGE, CLI_EVALUATE_HELP},
    {"indicators", "import", cli_indicators_import, CLI_INDICATORS_IMPORT_USAGE,
     CLI_INDICATORS_IMPORT_HELP},
    {"items", "required", cli_required_import, CLI_REQUIRED_IMPORT_USAGE, CLI_REQUIRED_IMPORT_HELP},
    {"demo", "generate", cli_demo_generate, CLI_DEMO_GENERATE_USAGE, CLI_DEMO_GENERATE_HELP},
    {"demo", "province", cli_demo_province, CLI_DEMO_PROVINCE_USAGE, CLI_DEMO_PROVINCE_HELP},
    {"demo", "opendata", cli_demo_opendata, CLI_DEMO_OPENDATA_USAGE, CLI_DEMO_OPENDATA_HELP},
    {"backup", NULL, cmd_backup, DBTOOLS_BACKUP_USAGE, DBTOOLS_BACKUP_HELP},
    {"keys", NULL, cli_keys, CLI_KEYS_USAGE, CLI_KEYS_HELP},
    {"node", NULL, cli_node, CLI_NODE_USAGE, CLI_NODE_HELP},
    {"routes", NULL, cli_routes, CLI_ROUTES_USAGE, CLI_ROUTES_HELP},
};
#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static const char *config_path;

static void
usage_all(FILE *fp)
{
	fprintf(fp, "zhengtong 政通 - local digital-government node\n\nUsage:\n");
	for (size_t i = 0; i < NCOMMANDS; i++)
		fprintf(fp, "  %s\n", commands[i].usage);
	fprintf(fp,
		"\nRun 'zhengtong COMMAND --help' for details. Configuration: a file (--config or\n"
		"ZT_CONFIG, default ./zhengtong.conf if present) and ZT_* environment variables\n"
		"(ZT_LISTEN, ZT_DATA_DIR, ZT_DB, ZT_THREADS, ZT_NOW, ...).\n");
}

static int
wants_help(int argc, char **argv)
{
	for (int i = 0; i < argc; i++)
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
			return 1;
	return 0;
}

/* Removes "--config FILE" from argv; returns the new argc. */
static int
take_config(int argc, char **argv)
{
	int out = 0;

	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--config") == 0 && i + 1 < argc) {
			config_path = argv[++i];
			continue;
		}
		argv[out++] = argv[i];
	}
	return out;
}

int
cli_setup(int need_server)
{
	char ebuf[256];
	struct zt_err err;

	if (config_load(config_path, ebuf, sizeof(ebuf)) < 0) {
		fprintf(stderr, "zhengtong: config: %s\n", ebuf);
		return -1;
	}
	if (strcmp(cfg.log_level, "debug") == 0)
		log_set_level(LOG_DEBUG);
	else if (strcmp(cfg.log_level, "warn") == 0)
		log_set_level(LOG_WARN);
	if (clock_init_from_env() < 0) {
		fprintf(stderr,
			"zhengtong: ZT_NOW is not a valid time (use 2026-03-02T10:00:00+08:00)\n");
		return -1;
	}
	if (sm3_init_lib() < 0 || password_init() < 0) {
		fprintf(stderr, "zhengtong: crypto libraries unavailable (SM3 / libsodium)\n");
		return -1;
	}
	if (mkdir(cfg.data_dir, 0750) < 0 && errno != EEXIST) {
		fprintf(stderr, "zhengtong: cannot create data directory %s: %s\n", cfg.data_dir,
			strerror(errno));
		return -1;
	}
	err_clear(&err);
	if (db_open(cfg.db, &err) < 0) {
		fprintf(stderr, "zhengtong: database %s: %s\n", cfg.db, err.msg);
		return -1;
	}
	if (db_migrate(0, &err) < 0) {
		fprintf(stderr, "zhengtong: migration failed: %s\n", err.msg);
		return -1;
	}
	if (workcal_reload(db_cli_conn(), &err) < 0) {
		fprintf(stderr, "zhengtong: calendar: %s\n", err.msg);
		return -1;
	}
	if (nodekey_load(cfg.data_dir, &err) < 0) {
		fprintf(stderr, "zhengtong: node key: %s\n", err.msg);
		return -1;
	}
	if (keys_startup(&err) < 0) {
		fprintf(stderr, "zhengtong: data keys: %s\n", err.msg);
		return -1;
	}
	audit_enable_signing();
	(void)need_server;
	return 0;
}

void
cli_teardown(void)
{
	audit_seal_flush();
	db_close();
	nodekey_unload();
	fieldenc_unload();
	sm3_cleanup_lib();
}

/* ---- serve ---- */

/* Copies url with any password replaced by "***" (never log secrets). */
static void
url_hide_password(const char *url, char *out, size_t cap)
{
	const char *scheme = strstr(url, "://");
	const char *at = scheme ? strchr(scheme + 3, '@') : NULL;
	const char *colon = scheme ? strchr(scheme + 3, ':') : NULL;

	if (at && colon && colon < at)
		snprintf(out, cap, "%.*s:***%s", (int)(colon - url), url, at);
	else
		snprintf(out, cap, "%s", url);
}

void
cli_csv_value(FILE *f, const char *s)
{
	if (strpbrk(s, ",\"\r\n") == NULL) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

static int
cmd_serve(int argc, char **argv)
{
	struct zt_err err;
	sigset_t set;
	int sig;

	if (argc > 0) {
		fprintf(stderr, "serve: unexpected argument %s\n", argv[0]);
		return 2;
	}
	if (cli_setup(1) < 0)
		return 1;
	/* A bad evaluation setting stops the node now, not at the first
	 * request for the evaluation. */
	struct eval_config ec;
	err_clear(&err);
	if (eval_config_parse(cfg.eval_weights, cfg.eval_bands, &ec, &err) < 0) {
		fprintf(stderr, "serve: %s\n", err.msg);
		cli_teardown();
		return 1;
	}
	if (log_open_access(cfg.access_log) < 0) {
		fprintf(stderr, "serve: cannot open access log %s\n", cfg.access_log);
		return 1;
	}
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	/* Asked now: once the writer runs, the write connection is its own. */
	int demo = demo_present();
	if (db_writer_start() < 0) {
		fprintf(stderr, "serve: cannot start the writer\n");
		return 1;
	}
	err_clear(&err);
	if (server_start(&err) < 0) {
		fprintf(stderr, "serve: %s\n", err.msg);
		cli_teardown();
		return 1;
	}
	sla_start(cfg.sla_interval);
	fed_start();
	audit_seal_start();
	opendata_counts_start();
	char shown[600];
	url_hide_password(cfg.db, shown, sizeof(shown));
	fprintf(stderr, "zhengtong serving http://%s:%d (database %s, %d threads)\n",
		strchr(cfg.listen_host, ':') ? "[::1]" : cfg.listen_host, server_port(), shown,
		cfg.threads);
	if (demo)
		demo_print_accounts(stderr);
	fflush(stderr);
	for (;;) {
		if (sigwait(&set, &sig) != 0)
			continue;
		if (sig == SIGHUP) {
			/* The write connection belongs to the writer thread now. */
			db_conn *rc = db_read_acquire();
			if (rc && workcal_reload(rc, &err) == 0)
				log_info("calendar reloaded");
			db_read_release(rc);
			if (fieldenc_reload(&err) == 0)
				log_info("data keys reloaded");
			else
				log_warn("data keys: %s", err.msg);
			continue;
		}
		break;
	}
	log_info("shutting down (signal %d)", sig);
	server_stop();
	opendata_counts_stop(); /* the last counts are written */
	fed_stop();
	sla_stop();
	audit_seal_stop(); /* the last records get their signature before exit */
	cli_teardown();
	return 0;
}

/* ---- init / migrate ---- */

static int
tx_seed(db_conn *c, void *arg, struct zt_err *err)
{
	return org_seed_regions(c, err);
}

static int
cmd_init(int argc, char **argv)
{
	struct zt_err err;
	int demo = 1;

	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--no-demo") == 0)
			demo = 0;
		else {
			fprintf(stderr, "init: unknown option %s\n", argv[i]);
			return 2;
		}
	}
	if (cli_setup(0) < 0)
		return 1;
	err_clear(&err);
	fprintf(stderr, "init: schema at version %d\n", db_schema_version());
	if (db_write(tx_seed, NULL, &err) < 0) {
		fprintf(stderr, "init: regions: %s\n", err.msg);
		goto fail;
	}
	fprintf(stderr, "init: regions loaded\n");
	if (workcal_load_dir(cfg.calendar_dir, 1, &err) < 0) {
		fprintf(stderr, "init: calendar: %s %s\n", err.field, err.msg);
		goto fail;
	}
	workcal_reload(db_cli_conn(), &err);
	if (demo) {
		int rc = demo_create(1, &err);
		if (rc < 0) {
			fprintf(stderr, "init: demo data: %s %s\n", err.field, err.msg);
			goto fail;
		}
		if (rc == 0)
			fprintf(stderr, "init: demo data already present\n");
		demo_print_accounts(stdout);
	}
	cli_teardown();
	return 0;
fail:
	cli_teardown();
	return 1;
}

static int
cmd_migrate(int argc, char **argv)
{
	struct zt_err err;
	char ebuf[256];

	if (argc > 0) {
		fprintf(stderr, "migrate: unexpected argument %s\n", argv[0]);
		return 2;
	}
	if (config_load(config_path, ebuf, sizeof(ebuf)) < 0) {
		fprintf(stderr, "zhengtong: config: %s\n", ebuf);
		return 1;
	}
	mkdir(cfg.data_dir, 0750);
	err_clear(&err);
	if (db_open(cfg.db, &err) < 0 || db_migrate(1, &err) < 0) {
		fprintf(stderr, "migrate: %s\n", err.msg);
		return 1;
	}
	db_close();
	return 0;
}

/* ---- user add ---- */

static int
cmd_user_add(int argc, char **argv)
{
	struct official_in in;
	struct zt_err err;
	char pw[256];
	int64_t id;

	memset(&in, 0, sizeof(in));
	for (int i = 0; i < argc; i++) {
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (v == NULL) {
			fprintf(stderr, "user add: %s needs a value\n", argv[i]);
			return 2;
		}
		if (strcmp(argv[i], "--login") == 0)
			in.login = v;
		else if (strcmp(argv[i], "--name") == 0)
			in.name = v;
		else if (strcmp(argv[i], "--phone") == 0)
			in.phone = v;
		else if (strcmp(argv[i], "--dept") == 0)
			in.dept_id = strtoll(v, NULL, 10);
		else if (strcmp(argv[i], "--roles") == 0) {
			char buf[128], *save = NULL;
			snprintf(buf, sizeof(buf), "%s", v);
			for (char *t = strtok_r(buf, ",", &save); t;
			     t = strtok_r(NULL, ",", &save)) {
				unsigned bit = role_from_name(t);
				if (bit == 0) {
					fprintf(stderr, "user add: unknown role %s\n", t);
					return 2;
				}
				in.roles |= bit;
			}
		} else {
			fprintf(stderr, "user add: unknown option %s\n", argv[i]);
			return 2;
		}
		i++;
	}
	if (!in.login || !in.name || !in.dept_id || !in.roles) {
		fprintf(stderr, "user add: --login, --name, --dept and --roles are required\n");
		return 2;
	}
	const char *env = getenv("ZT_USER_PASSWORD");
	if (env)
		snprintf(pw, sizeof(pw), "%s", env);
	else {
		if (isatty(0))
			fprintf(stderr, "password: ");
		if (fgets(pw, sizeof(pw), stdin) == NULL) {
			fprintf(stderr, "user add: no password given\n");
			return 2;
		}
		pw[strcspn(pw, "\r\n")] = '\0';
	}
	in.password = pw;
	if (cli_setup(0) < 0)
		return 1;
	err_clear(&err);
	int rc = auth_add_official(NULL, &in, &id, &err);
	explicit_bzero(pw, sizeof(pw));
	if (rc < 0) {
		fprintf(stderr, "user add: %s%s%s\n", err.field, err.field[0] ? ": " : "", err.msg);
		cli_teardown();
		return 1;
	}
	printf("created official %s (id %lld)\n", in.login, (long long)id);
	cli_teardown();
	return 0;
}

/* ---- calendar load, sla sweep, audit verify ---- */

static int
cmd_calendar_load(int argc, char **argv)
{
	struct zt_err err;
	int year;

	if (argc != 1) {
		fprintf(stderr, "usage: %s\n", commands[4].usage);
		return 2;
	}
	if (cli_setup(0) < 0)
		return 1;
	err_clear(&err);
	if (workcal_load_file(argv[0], &year, &err) < 0) {
		fprintf(stderr, "calendar load: %s: %s%s%s\n", argv[0], err.field,
			err.field[0] ? ": " : "", err.msg);
		cli_teardown();
		return 1;
	}
	printf("calendar %d loaded from %s\n", year, argv[0]);
	cli_teardown();
	return 0;
}

static int
cmd_sla_sweep(int argc, char **argv)
{
	struct zt_err err;

	if (argc > 0) {
		fprintf(stderr, "sla sweep: unexpected argument %s\n", argv[0]);
		return 2;
	}
	if (cli_setup(0) < 0)
		return 1;
	err_clear(&err);
	struct sla_counts n;
	if (sla_sweep_counts(&n, &err) < 0) {
		fprintf(stderr, "sla sweep: %s\n", err.msg);
		cli_teardown();
		return 1;
	}
	printf("escalated %d overdue case(s)\n", n.cases);
	if (n.requests > 0)
		printf("escalated %d overdue share request(s)\n", n.requests);
	if (n.items > 0)
		printf("escalated %d overdue supervision item(s) to the region above\n", n.items);
	cli_teardown();
	return 0;
}

static void
progress(int64_t done, int64_t total)
{
	fprintf(stderr, "\raudit verify: %lld / %lld records", (long long)done, (long long)total);
}

static int
cmd_audit_verify(int argc, char **argv)
{
	struct zt_err err;
	int64_t checked;

	if (argc > 0) {
		fprintf(stderr, "audit verify: unexpected argument %s\n", argv[0]);
		return 2;
	}
	if (cli_setup(0) < 0)
		return 1;
	err_clear(&err);
	int64_t bad = audit_verify(db_cli_conn(), &checked, isatty(2) ? progress : NULL, &err);
	if (isatty(2) && checked >= 10000)
		fprintf(stderr, "\n");
	char kid[17];
	struct zt_err serr;
	int64_t signed_seq = bad == 0 ? audit_last_signed(db_cli_conn(), kid, &serr) : 0;
	int64_t sealed_seq =
	    bad == 0
		? db_query_int(db_cli_conn(), "SELECT max(seq) FROM audit_signatures", 0, &serr)
		: 0;
	cli_teardown();
	if (bad < 0) {
		fprintf(stderr, "audit verify: %s\n", err.msg);
		return 1;
	}
	if (bad > 0) {
		printf("audit chain BROKEN at sequence %lld: %s\n", (long long)bad, err.msg);
		return 1;
	}
	printf("audit chain intact: %lld records verified\n", (long long)checked);
	if (signed_seq > 0)
		printf("signed by node key %s up to record %lld\n", kid, (long long)signed_seq);
	else if (sealed_seq == 0)
		printf("no signatures yet (hash chain only)\n");
	if (sealed_seq > signed_seq)
		printf("records %lld..%lld sealed with the node's HMAC-SM3 (a running node signs "
		       "them within a second)\n",
		       (long long)(signed_seq + 1), (long long)sealed_seq);
	return 0;
}

static int
cmd_backup(int argc, char **argv)
{
	return dbtools_backup(config_path, argc, argv);
}

int
cli_main(int argc, char **argv)
{
	argc = take_config(argc, argv);
	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		usage_all(argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	int named = 0; /* commands with that first word (several subcommands) */
	for (size_t i = 0; i < NCOMMANDS; i++) {
		const struct command *c = &commands[i];
		if (strcmp(argv[1], c->name) != 0)
			continue;
		named++;
		int skip = 2;
		if (c->sub) {
			if (argc < 3 || strcmp(argv[2], c->sub) != 0)
				continue; /* perhaps a later entry's subcommand */
			skip = 3;
		}
		if (wants_help(argc - skip, argv + skip)) {
			printf("Usage: %s\n\n%s\n", c->usage, c->help);
			return 0;
		}
		return c->run(argc - skip, argv + skip);
	}
	if (named > 0) {
		/* A known command with a missing or unknown subcommand: the usage
		 * of each of its subcommands (exit 0 when help was asked for). */
		int help = argc >= 3 && wants_help(1, argv + 2);
		for (size_t i = 0; i < NCOMMANDS; i++)
			if (strcmp(argv[1], commands[i].name) == 0) {
				if (help)
					printf("Usage: %s\n\n%s\n\n", commands[i].usage,
					       commands[i].help);
				else
					fprintf(stderr, "usage: %s\n", commands[i].usage);
			}
		return help ? 0 : 2;
	}
	fprintf(stderr, "zhengtong: unknown command '%s'\n\n", argv[1]);
	usage_all(stderr);
	return 2;
}
