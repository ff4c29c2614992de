/* test_share.c - unit tests for the pure parts of data sharing: the
 * streaming CSV reader and the row check of domain/resource.
 *
 * Test plan:
 * - CSV: a UTF-8 BOM is skipped (and counted in the offset); CRLF and LF
 *   line ends; quoted values holding commas, CRLF / LF line breaks (the
 *   record's line is where it starts, later records count the breaks) and
 *   doubled quotes; empty values (",,", a trailing comma, "" in quotes);
 *   blank lines (LF and CRLF) between and after records are skipped; the
 *   last record without a line end; a lone CR ends a line; a quote inside
 *   an unquoted value is kept. Errors: text after a closing quote -> -1
 *   "quote" on that line, reading resumes on the next line; an unterminated
 *   quote -> -1 "quote" at its starting line, then the end; a record over
 *   1 MiB -> -1 "too_long", then the next record; 1001 values -> "too_long";
 *   a NUL byte inside a value -> -1 "encoding", then the next record.
 *   An empty file and a BOM alone have no records. The offset after the
 *   last record is the file's size. A 200 000-byte value across the 64 KiB
 *   read buffer comes back whole.
 * - Row check against a resource parsed from its stored fields JSON: the
 *   canonical JSON has sorted keys and no nulls; a lower-case x in an ID
 *   subject is upper-cased; an integer key becomes its decimal text; an
 *   unknown field, each type mismatch (string, integer, number, date
 *   2026-02-30, boolean), a missing or empty key, a bad subject and a
 *   non-object row fail with the exact field and reason; a credit code is
 *   a valid subject. Masks parsed from the fields JSON: absent on a personal
 *   field -> partial; public fields -> none. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <unistd.h>

#include "crypto/fieldenc.h"
#include "base/xmalloc.h"
#include "domain/resource.h"

struct rec {
	int rc;
	int64_t line;
	int n;
	char cells[8][64];
	char reason[48];
};

/* Reads every record of text into out (at most cap); returns the count. */
static int
read_all(const char *text, size_t len, struct rec *out, int cap, int64_t *offset)
{
	FILE *f = fmemopen((void *)text, len, "r");
	struct csv_reader *r;
	int k = 0;

	assert_non_null(f);
	r = resource_csv_new(f);
	for (;;) {
		char **cells;
		int n;
		int64_t line = 0;
		struct zt_err err;
		err_clear(&err);
		int rc = resource_csv_next(r, &cells, &n, &line, &err);
		if (rc == 0)
			break;
		assert_true(k < cap);
		memset(&out[k], 0, sizeof(out[k]));
		out[k].rc = rc;
		out[k].line = line;
		if (rc > 0) {
			out[k].n = n;
			for (int i = 0; i < n && i < 8; i++)
				snprintf(out[k].cells[i], sizeof(out[k].cells[i]), "%s", cells[i]);
		} else
			snprintf(out[k].reason, sizeof(out[k].reason), "%s", err.reason);
		k++;
	}
	if (offset)
		*offset = resource_csv_offset(r);
	resource_csv_free(r);
	fclose(f);
	return k;
}

#define READ(text, recs, off) read_all((text), sizeof(text) - 1, (recs), 16, (off))

static void
test_csv_basic(void **state)
{
	static const char text[] = "\xEF\xBB\xBF"
				   "a,b\r\n1,\"x,y\"\r\n\"he said \"\"hi\"\"\",\"\"\r\n";
	struct rec r[16];
	int64_t off;

	(void)state;
	assert_int_equal(READ(text, r, &off), 3);
	assert_int_equal(off, (int64_t)sizeof(text) - 1);
	assert_int_equal(r[0].line, 1);
	assert_int_equal(r[0].n, 2);
	assert_string_equal(r[0].cells[0], "a");
	assert_string_equal(r[0].cells[1], "b");
	assert_int_equal(r[1].line, 2);
	assert_string_equal(r[1].cells[0], "1");
	assert_string_equal(r[1].cells[1], "x,y");
	assert_int_equal(r[2].line, 3);
	assert_string_equal(r[2].cells[0], "he said \"hi\"");
	assert_string_equal(r[2].cells[1], "");
}

static void
test_csv_breaks_and_blanks(void **state)
{
	static const char text[] = "a\n\n\"l1\nl2\r\nl3\",b\r\n\r\n\nc,,\nd,\ne\rf";
	struct rec r[16];

	(void)state;
	assert_int_equal(READ(text, r, NULL), 6);
	assert_int_equal(r[0].line, 1);
	assert_string_equal(r[0].cells[0], "a");
	assert_int_equal(r[1].line, 3);
	assert_int_equal(r[1].n, 2);
	assert_string_equal(r[1].cells[0], "l1\nl2\r\nl3");
	assert_string_equal(r[1].cells[1], "b");
	assert_int_equal(r[2].line, 8);
	assert_int_equal(r[2].n, 3);
	assert_string_equal(r[2].cells[0], "c");
	assert_string_equal(r[2].cells[2], "");
	assert_int_equal(r[3].line, 9);
	assert_int_equal(r[3].n, 2);
	assert_string_equal(r[3].cells[1], "");
	assert_int_equal(r[4].line, 10);
	assert_string_equal(r[4].cells[0], "e");
	assert_int_equal(r[5].line, 11);
	assert_string_equal(r[5].cells[0], "f");
}

static void
test_csv_errors(void **state)
{
	static const char text[] = "\"a\"x,b\nc,d\"e\n\"open\nstill open";
	struct rec r[16];

	(void)state;
	assert_int_equal(READ(text, r, NULL), 3);
	assert_int_equal(r[0].rc, -1);
	assert_int_equal(r[0].line, 1);
	assert_string_equal(r[0].reason, "quote");
	assert_int_equal(r[1].rc, 1);
	assert_int_equal(r[1].line, 2);
	assert_string_equal(r[1].cells[1], "d\"e");
	assert_int_equal(r[2].rc, -1);
	assert_int_equal(r[2].line, 3);
	assert_string_equal(r[2].reason, "quote");
}

static void
test_csv_nul(void **state)
{
	static const char text[] = "a,b\n\"x\0y\",z\nc,d\n";
	struct rec r[16];

	(void)state;
	assert_int_equal(READ(text, r, NULL), 3);
	assert_int_equal(r[0].rc, 1);
	assert_int_equal(r[1].rc, -1);
	assert_int_equal(r[1].line, 2);
	assert_string_equal(r[1].reason, "encoding");
	assert_int_equal(r[2].rc, 1);
	assert_int_equal(r[2].line, 3);
	assert_string_equal(r[2].cells[1], "d");
}

static void
test_csv_empty(void **state)
{
	static const char empty[] = "", bom[] = "\xEF\xBB\xBF", blank[] = "\r\n\n";
	struct rec r[16];

	(void)state;
	assert_int_equal(READ(empty, r, NULL), 0);
	assert_int_equal(READ(bom, r, NULL), 0);
	assert_int_equal(READ(blank, r, NULL), 0);
}

static void
test_csv_limits(void **state)
{
	size_t big = (1u << 20) + 10, len = big + 64;
	char *text = xmalloc(len);
	struct rec r[16];
	size_t o = 0;

	(void)state;
	/* One record over 1 MiB, then a good one. */
	memset(text, 'x', big);
	o = big;
	o += (size_t)sprintf(text + o, "\nok,1\n");
	assert_int_equal(read_all(text, o, r, 16, NULL), 2);
	assert_int_equal(r[0].rc, -1);
	assert_string_equal(r[0].reason, "too_long");
	assert_int_equal(r[1].rc, 1);
	assert_int_equal(r[1].line, 2);
	assert_string_equal(r[1].cells[0], "ok");
	free(text);

	/* 1001 values. */
	text = xmalloc(4000);
	o = 0;
	for (int i = 0; i < 1001; i++)
		text[o++] = ',';
	text[o++] = '\n';
	assert_int_equal(read_all(text, o, r, 16, NULL), 1);
	assert_string_equal(r[0].reason, "too_long");
	free(text);

	/* A long value across the read buffer. */
	len = 200000;
	text = xmalloc(len + 8);
	text[0] = '"';
	memset(text + 1, 'y', len);
	memcpy(text + 1 + len, "\",z\n", 4);
	FILE *f = fmemopen(text, len + 5, "r");
	struct csv_reader *cr = resource_csv_new(f);
	char **cells;
	int n;
	int64_t line;
	struct zt_err err;
	assert_int_equal(resource_csv_next(cr, &cells, &n, &line, &err), 1);
	assert_int_equal(n, 2);
	assert_int_equal(strlen(cells[0]), len);
	assert_string_equal(cells[1], "z");
	resource_csv_free(cr);
	fclose(f);
	free(text);
}

static const char *const FIELDS =
    "[{\"name\":\"id_number\",\"label\":\"身份证号\",\"type\":\"string\",\"sensitivity\":"
    "\"personal\",\"mask\":\"id_number\"},"
    "{\"name\":\"name\",\"label\":\"姓名\",\"type\":\"string\",\"sensitivity\":\"personal\"},"
    "{\"name\":\"age\",\"label\":\"年龄\",\"type\":\"integer\",\"sensitivity\":\"internal\"},"
    "{\"name\":\"score\",\"label\":\"分\",\"type\":\"number\",\"sensitivity\":\"public\"},"
    "{\"name\":\"day\",\"label\":\"日\",\"type\":\"date\",\"sensitivity\":\"public\"},"
    "{\"name\":\"ok\",\"label\":\"是否\",\"type\":\"boolean\",\"sensitivity\":\"public\"}]";

static void
meta(struct resource_meta *m, const char *key, const char *subject)
{
	memset(m, 0, sizeof(*m));
	assert_int_equal(resource_fields_parse(FIELDS, m), 0);
	snprintf(m->key_field, sizeof(m->key_field), "%s", key);
	snprintf(m->subject_field, sizeof(m->subject_field), "%s", subject);
}

/* Checks text as a row of m: rc, err field/reason, or the canonical data. */
static void
check(const struct resource_meta *m, const char *text, const char *field, const char *reason,
      const char *data, const char *key, const char *subject)
{
	json_t *row = json_loads(text, JSON_DECODE_ANY, NULL);
	struct resource_row out;
	struct zt_err err;

	assert_non_null(row);
	err_clear(&err);
	int rc = resource_row_check(m, row, 20260302, &out, &err);
	json_decref(row);
	if (field) {
		assert_int_equal(rc, ZT_EINVAL);
		assert_string_equal(err.field, field);
		assert_string_equal(err.reason, reason);
		return;
	}
	assert_int_equal(rc, 0);
	/* Stored encrypted at rest (crypto/fieldenc.h): personal values are
	 * "enc1:" strings, the subject and a personal key blind indexes. */
	json_t *clear = resource_data_load(out.data, &err);
	assert_non_null(clear);
	char *got = json_dumps(clear, JSON_COMPACT | JSON_SORT_KEYS);
	assert_string_equal(got, data);
	free(got);
	json_decref(clear);
	for (int i = 0; i < m->nfields; i++) {
		json_t *stored = json_loads(out.data, 0, NULL);
		json_t *v = json_object_get(stored, m->fields[i].name);
		if (v)
			assert_int_equal(m->fields[i].sens >= SENS_PERSONAL,
					 json_is_string(v) &&
					     fieldenc_is_enc(json_string_value(v)));
		json_decref(stored);
	}
	char want[RESOURCE_KEY_MAX];
	resource_key_stored(resource_key_is_personal(m), key, want);
	assert_string_equal(out.key, want);
	if (*subject)
		fieldenc_index(subject, want);
	else
		want[0] = '\0';
	assert_string_equal(out.subject, want);
	free(out.data);
}

static char keydir[64];

static int
setup_keys(void **state)
{
	char path[128];
	struct zt_err err;

	(void)state;
	snprintf(keydir, sizeof(keydir), "/tmp/zt_test_share_XXXXXX");
	if (mkdtemp(keydir) == NULL)
		return -1;
	snprintf(path, sizeof(path), "%s/data.key", keydir);
	err_clear(&err);
	return fieldenc_load(path, 1, &err);
}

static int
teardown_keys(void **state)
{
	char path[128];

	(void)state;
	fieldenc_unload();
	snprintf(path, sizeof(path), "%s/data.key", keydir);
	unlink(path);
	return rmdir(keydir);
}

static void
test_row_check(void **state)
{
	static struct resource_meta m;

	(void)state;
	meta(&m, "id_number", "id_number");
	assert_int_equal(m.nfields, 6);
	assert_int_equal(m.fields[0].mask, MASK_ID_NUMBER);
	assert_int_equal(m.fields[1].mask, MASK_PARTIAL);
	assert_int_equal(m.fields[2].mask, MASK_NONE);
	assert_int_equal(m.fields[4].type, FT_DATE);

	check(&m,
	      "{\"ok\":true,\"name\":\"张三\",\"age\":null,\"id_number\":\"11010519491231002x\"}",
	      NULL, NULL, "{\"id_number\":\"11010519491231002X\",\"name\":\"张三\",\"ok\":true}",
	      "11010519491231002X", "11010519491231002X");
	check(&m, "{\"id_number\":\"91350100M000100Y43\",\"score\":1.5,\"day\":\"2026-02-28\"}",
	      NULL, NULL,
	      "{\"day\":\"2026-02-28\",\"id_number\":\"91350100M000100Y43\",\"score\":1.5}",
	      "91350100M000100Y43", "91350100M000100Y43");
	check(&m, "{\"id_number\":\"11010519491231002X\",\"salary\":1}", "salary", "unknown_field",
	      NULL, NULL, NULL);
	check(&m, "{\"id_number\":\"11010519491231002X\",\"name\":1}", "name", "type", NULL, NULL,
	      NULL);
	check(&m, "{\"id_number\":\"11010519491231002X\",\"age\":1.5}", "age", "type", NULL, NULL,
	      NULL);
	check(&m, "{\"id_number\":\"11010519491231002X\",\"score\":\"1\"}", "score", "type", NULL,
	      NULL, NULL);
	check(&m, "{\"id_number\":\"11010519491231002X\",\"day\":\"2026-02-30\"}", "day", "type",
	      NULL, NULL, NULL);
	check(&m, "{\"id_number\":\"11010519491231002X\",\"ok\":\"yes\"}", "ok", "type", NULL, NULL,
	      NULL);
	check(&m, "{\"name\":\"张三\"}", "id_number", "required", NULL, NULL, NULL);
	check(&m, "{\"id_number\":\"\"}", "id_number", "length", NULL, NULL, NULL);
	check(&m, "{\"id_number\":\"110105194912310021\"}", "id_number", "invalid_subject", NULL,
	      NULL, NULL);
	check(&m, "[1]", "", "type", NULL, NULL, NULL);

	/* An integer key, no subject field. */
	meta(&m, "age", "");
	check(&m, "{\"age\":42,\"name\":\"李四\"}", NULL, NULL, "{\"age\":42,\"name\":\"李四\"}",
	      "42", "");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_csv_basic),  cmocka_unit_test(test_csv_breaks_and_blanks),
	    cmocka_unit_test(test_csv_errors), cmocka_unit_test(test_csv_nul),
	    cmocka_unit_test(test_csv_empty),  cmocka_unit_test(test_csv_limits),
	    cmocka_unit_test(test_row_check),
	};
	return cmocka_run_group_tests(tests, setup_keys, teardown_keys);
}
