/* demo_cli.c - `zhengtong demo generate`: argument checks, progress on
 * stderr (a status line on a terminal, otherwise a line every few seconds)
 * and a summary on stdout; `zhengtong demo province`: a region's small demo
 * (domain/demo_province.c) and its accounts on stdout. */
#include "cli/cli.h"
#include "base/clock.h"
#include "base/ident.h"
#include "domain/demo_generate.h"
#include "domain/demo_opendata.h"
#include "domain/demo_province.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct gen_ui {
	int tty;
	uint64_t t0, last;
};

/* Parses a whole decimal number in [lo, hi]; -1 if it is anything else. */
static int
parse_count(const char *s, long long lo, long long hi, long long *out)
{
	char *end;

	if (s == NULL || *s == '\0' || *s == '-' || *s == '+')
		return -1;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || *end != '\0' || v < (unsigned long long)lo || v > (unsigned long long)hi)
		return -1;
	*out = (long long)v;
	return 0;
}

static void
on_progress(void *ctx, int64_t done, int64_t total, int64_t rows)
{
	struct gen_ui *ui = ctx;
	uint64_t now = clock_mono_ns();
	double secs = (double)(now - ui->t0) / 1e9;

	/* At most 4 updates a second on a terminal, one every 5 s otherwise. */
	if (done < total && now - ui->last < (ui->tty ? 250000000ULL : 5000000000ULL))
		return;
	ui->last = now;
	double rate = secs > 0.01 ? (double)rows / secs : 0;
	double pct = total ? 100.0 * (double)done / (double)total : 100.0;
	double eta = done > 0 && done < total ? secs * (double)(total - done) / (double)done : 0;
	fprintf(stderr, "%sdemo generate: %lld/%lld cases (%.0f%%), %.0f rows/s, ETA %.0f s%s",
		ui->tty ? "\r\033[K" : "", (long long)done, (long long)total, pct, rate, eta,
		ui->tty ? "" : "\n");
	fflush(stderr);
}

static int
bad_usage(const char *msg, const char *arg)
{
	fprintf(stderr, "demo generate: %s%s\nusage: %s\n", msg, arg ? arg : "",
		CLI_DEMO_GENERATE_USAGE);
	return 2;
}

int
cli_demo_generate(int argc, char **argv)
{
	struct demo_gen_opts o = {"000000", 0, -1, 1, 12};
	struct demo_gen_stats st;
	struct gen_ui ui;
	struct zt_err err;
	long long v;
	int have_regions = 0;

	for (int i = 0; i < argc; i++) {
		const char *a = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;
		if (strcmp(a, "--regions") == 0) {
			if (parse_count(val, 1, 100000, &v) < 0)
				return bad_usage("--regions: a number of regions, at least 1",
						 NULL);
			o.regions = (int)v;
			have_regions = 1;
		} else if (strcmp(a, "--cases") == 0) {
			if (parse_count(val, 0, DEMO_GEN_MAX_CASES, &v) < 0)
				return bad_usage("--cases: a number from 0 to 100000000", NULL);
			o.cases = v;
		} else if (strcmp(a, "--parent") == 0) {
			/* 000000 (the national root) is no GB/T 2260 code. */
			if (val == NULL ||
			    (strcmp(val, "000000") != 0 && ident_check_region_code(val, &err) < 0))
				return bad_usage("--parent: a 6-digit region code", NULL);
			o.parent = val;
		} else if (strcmp(a, "--seed") == 0) {
			if (parse_count(val, 0, INT64_MAX, &v) < 0)
				return bad_usage("--seed: a non-negative integer", NULL);
			o.seed = (uint64_t)v;
		} else if (strcmp(a, "--months") == 0) {
			if (parse_count(val, 1, DEMO_GEN_MAX_MONTHS, &v) < 0)
				return bad_usage("--months: a number from 1 to 120", NULL);
			o.months = (int)v;
		} else
			return bad_usage("unknown argument ", a);
		i++;
	}
	if (!have_regions)
		return bad_usage("--regions is required", NULL);
	if (o.cases < 0)
		return bad_usage("--cases is required", NULL);
	if (cli_setup(0) < 0)
		return 1;
	err_clear(&err);
	int avail = demo_generate_available(o.parent, &err);
	if (avail >= 0 && o.regions > avail) {
		fprintf(stderr, "demo generate: --regions: %s has only %d child regions (1..%d)\n",
			o.parent, avail, avail);
		cli_teardown();
		return 2;
	}
	if (avail < 0) {
		fprintf(stderr, "demo generate: %s\n", err.msg);
		cli_teardown();
		return err.code == ZT_EINVAL ? 2 : 1;
	}
	memset(&ui, 0, sizeof(ui));
	ui.tty = isatty(2);
	ui.t0 = clock_mono_ns();
	int rc = demo_generate(&o, on_progress, &ui, &st, &err);
	double secs = (double)(clock_mono_ns() - ui.t0) / 1e9;
	if (ui.tty)
		fputs("\r\033[K", stderr);
	cli_teardown();
	if (rc < 0) {
		fprintf(stderr, "demo generate: %s\n", err.msg);
		return rc == ZT_EINVAL ? 2 : 1;
	}
	printf("generated %d regions (%s..%s under %s): %d departments, %d officials, "
	       "%d required items, %d items (%d published, %d with incomplete guides), "
	       "%lld citizens, %lld cases, %lld ratings, %lld supervision items (%lld closed); "
	       "%lld rows in %.2f s (%.0f rows/s)\n",
	       st.regions, st.first_region, st.last_region, o.parent, st.departments, st.officials,
	       st.required_items, st.items, st.published, st.incomplete, (long long)st.citizens,
	       (long long)st.cases, (long long)st.ratings, (long long)st.supervision,
	       (long long)st.supervision_closed, (long long)st.rows, secs,
	       secs > 0 ? (double)st.rows / secs : 0.0);
	return 0;
}

static int
province_usage(const char *msg, const char *arg)
{
	fprintf(stderr, "demo province: %s%s\nusage: %s\n", msg, arg ? arg : "",
		CLI_DEMO_PROVINCE_USAGE);
	return 2;
}

int
cli_demo_province(int argc, char **argv)
{
	const char *region = NULL, *prefix = NULL;
	struct demo_province out;
	struct zt_err err;

	for (int i = 0; i < argc; i++) {
		const char *a = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;
		if (strcmp(a, "--region") == 0) {
			if (val == NULL)
				return province_usage("--region needs a region code", NULL);
			region = val;
		} else if (strcmp(a, "--prefix") == 0) {
			if (val == NULL)
				return province_usage("--prefix needs a login prefix", NULL);
			prefix = val;
		} else
			return province_usage("unknown argument ", a);
		i++;
	}
	if (region == NULL)
		return province_usage("--region is required", NULL);
	if (prefix == NULL)
		return province_usage("--prefix is required", NULL);
	err_clear(&err);
	if (demo_province_check_prefix(prefix, &err) < 0)
		return province_usage(err.msg, NULL);
	if (cli_setup(0) < 0)
		return 1;
	int rc = demo_province_create(region, prefix, &out, &err);
	cli_teardown();
	if (rc < 0) {
		fprintf(stderr, "demo province: %s\n", err.msg);
		return 1;
	}
	demo_province_print(stdout, &out);
	return 0;
}

int
cli_demo_opendata(int argc, char **argv)
{
	const char *code = "520102-SCJG-900";
	long long rows = 0;
	int64_t id = 0;
	struct zt_err err;
	char *end;

	for (int i = 0; i < argc; i++) {
		const char *a = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;
		if (strcmp(a, "--rows") == 0 && val) {
			rows = strtoll(val, &end, 10);
			if (*end || rows < 1 || rows > 10000000) {
				fprintf(stderr, "demo opendata: --rows is 1..10000000\nusage: %s\n",
					CLI_DEMO_OPENDATA_USAGE);
				return 2;
			}
		} else if (strcmp(a, "--code") == 0 && val)
			code = val;
		else {
			fprintf(stderr, "demo opendata: unknown argument %s\nusage: %s\n", a,
				CLI_DEMO_OPENDATA_USAGE);
			return 2;
		}
		i++;
	}
	if (rows == 0) {
		fprintf(stderr, "demo opendata: --rows is required\nusage: %s\n",
			CLI_DEMO_OPENDATA_USAGE);
		return 2;
	}
	if (cli_setup(0) < 0)
		return 1;
	uint64_t t0 = clock_mono_ns();
	err_clear(&err);
	int rc = demo_opendata_stats(code, rows, &id, &err);
	cli_teardown();
	if (rc < 0) {
		fprintf(stderr, "demo opendata: %s\n", err.msg);
		return 1;
	}
	printf("dataset %lld OD-%s: %lld rows in %.2f s\n", (long long)id, code, rows,
	       (double)(clock_mono_ns() - t0) / 1e9);
	return 0;
}
