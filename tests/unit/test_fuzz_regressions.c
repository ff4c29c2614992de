/* test_fuzz_regressions.c - replays every fuzz input kept in the repository
 * through the harnesses' own entry points, in the normal build, so that
 * `make test` (and the ASan suite) checks them without clang or libFuzzer.
 *
 * Test plan
 * - For each harness (tests/fuzz/fuzz_<target>.c, linked in by
 *   cmake/fuzz.cmake): every file of tests/fuzz/regressions/<target>/ (the
 *   inputs that once crashed, leaked or hung a harness, one per bug found)
 *   and of tests/fuzz/corpus/<target>/ (the seeds) runs through
 *   fuzz_<target>_one. A harness traps on a broken invariant, so a
 *   regression fails this test by crashing it; under the ASan build a
 *   memory error or leak fails it too.
 * - Every target has a seed corpus with at least one file (a harness whose
 *   directory is missing or empty fails: nothing would be checked).
 * - The count of files replayed per target is printed. */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fuzz.h"

static const struct {
	const char *name;
	int (*one)(const uint8_t *, size_t);
} targets[] = {
    {"api_body", fuzz_api_body_one}, {"api_get", fuzz_api_get_one}, {"router", fuzz_router_one},
    {"upload", fuzz_upload_one},     {"csv", fuzz_csv_one},	    {"licid", fuzz_licid_one},
    {"envelope", fuzz_envelope_one}, {"codec", fuzz_codec_one},	    {"opendata", fuzz_opendata_one},
};

static const char *
source_dir(void)
{
	const char *s = getenv("ZT_SOURCE_DIR");
	return s && *s ? s : ZT_FUZZ_SOURCE_DIR;
}

/* Runs every regular file of dir through one; returns how many. */
static int
replay_dir(const char *dir, int (*one)(const uint8_t *, size_t))
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int n = 0;

	if (d == NULL)
		return 0;
	while ((de = readdir(d)) != NULL) {
		char path[1024];
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		FILE *f = fopen(path, "rb");
		if (f == NULL)
			continue;
		fseek(f, 0, SEEK_END);
		long len = ftell(f);
		fseek(f, 0, SEEK_SET);
		uint8_t *buf = malloc(len > 0 ? (size_t)len : 1);
		size_t got = fread(buf, 1, (size_t)len, f);
		fclose(f);
		assert_int_equal(got, (size_t)len);
		one(buf, got);
		free(buf);
		n++;
	}
	closedir(d);
	return n;
}

static void
test_replay(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(targets) / sizeof(targets[0]); i++) {
		char dir[1024];
		snprintf(dir, sizeof(dir), "%s/tests/fuzz/corpus/%s", source_dir(),
			 targets[i].name);
		int seeds = replay_dir(dir, targets[i].one);
		snprintf(dir, sizeof(dir), "%s/tests/fuzz/regressions/%s", source_dir(),
			 targets[i].name);
		int regs = replay_dir(dir, targets[i].one);
		fprintf(stderr, "fuzz %-9s %4d seeds, %3d regressions replayed\n", targets[i].name,
			seeds, regs);
		assert_true(seeds > 0);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_replay),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
