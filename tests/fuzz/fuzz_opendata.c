/* fuzz_opendata.c - the open data query parsers against the demo datasets:
 * rows (opendata_rows_json: filters field:op:value with in-lists, fields=,
 * sort=, q=, limit and the keyset cursor) and charts (opendata_chart_json:
 * group, value, agg, filters, q), called directly as api/opendata.c does
 * after its query-string checks.
 *
 * Input: byte 0: bit 0 rows (0) or chart (1), the rest picks the dataset
 * (1 + n % (datasets + 1), so an unknown one too); byte 1: the limit
 * (1..256) and the version (bits 6-7: 0 current, else 1..3). Then lines:
 * fields (or chart group), sort (chart value), q, cursor (chart agg), then
 * each further line a filter; an empty line is an absent parameter.
 * Checks: an answer is {items, next} with at most limit items; a refusal
 * is ZT_EINVAL naming a parameter, or ZT_ENOTFOUND; following the next
 * cursor of an answer gives another answer, never an error. */
#include "fuzz.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/db.h"
#include "domain/opendata_rows.h"

static void
check_err(const struct zt_err *err, const char *what)
{
	if (err->code != ZT_EINVAL && err->code != ZT_ENOTFOUND)
		FUZZ_FAIL("%s: code %d %s %s %s", what, err->code, err->field, err->reason,
			  err->msg);
}

int
fuzz_opendata_one(const uint8_t *data, size_t size)
{
	const char *lines[4 + OPENDATA_FILTERS_MAX + 2];
	const char *filters[OPENDATA_FILTERS_MAX + 2];
	int nlines = 0, nfilters = 0;
	struct zt_err err;

	if (size < 2)
		return 0;
	fuzz_setup();
	char *text = fuzz_strndup(data + 2, size - 2);
	for (char *p = text; nlines < (int)(sizeof(lines) / sizeof(lines[0]));) {
		char *nl = strchr(p, '\n');
		if (nl)
			*nl = '\0';
		lines[nlines++] = p;
		if (nl == NULL)
			break;
		p = nl + 1;
	}
	for (int i = nlines; i < 4; i++)
		lines[i] = "";
	for (int i = 4; i < nlines; i++)
		filters[nfilters++] = lines[i];
#define OPT(i) (*lines[i] ? lines[i] : NULL)

	db_conn *c = db_read_acquire();
	err_clear(&err);
	int64_t nds = db_query_int(c, "SELECT count(*) FROM datasets", 0, &err);
	int64_t id = 1 + (data[0] >> 1) % (nds + 1);
	int limit = 1 + (data[1] & 0x3f) * 4;
	int64_t version = data[1] >> 6;
	json_t *out;
	err_clear(&err);
	if ((data[0] & 1) == 0) {
		struct opendata_rows_query q = {version, OPT(0), filters, nfilters,
						OPT(2),	 OPT(1), limit,	  OPT(3)};
		out = opendata_rows_json(c, id, &q, &err);
		if (out == NULL)
			check_err(&err, "rows");
		else {
			json_t *items = json_object_get(out, "items");
			if (!json_is_array(items) || json_array_size(items) > (size_t)limit)
				FUZZ_FAIL("rows: %zu items for limit %d", json_array_size(items),
					  limit);
			const char *next = json_string_value(json_object_get(out, "next"));
			if (next) {
				q.cursor = next;
				err_clear(&err);
				json_t *out2 = opendata_rows_json(c, id, &q, &err);
				if (out2 == NULL)
					FUZZ_FAIL("rows: the next cursor %s is refused: %s %s",
						  next, err.field, err.msg);
				json_decref(out2);
			}
		}
	} else {
		struct opendata_chart_query q = {version, OPT(0),   OPT(1), OPT(3),
						 filters, nfilters, OPT(2)};
		out = opendata_chart_json(c, id, &q, &err);
		if (out == NULL)
			check_err(&err, "chart");
	}
	json_decref(out);
	db_read_release(c);
	free(text);
	return 0;
}

FUZZ_TARGET_DB(opendata)
