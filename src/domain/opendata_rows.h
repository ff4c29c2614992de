/* opendata_rows.h - the rows of a dataset version (数据开放平台).
 *
 * Every version of a dataset has a table of its own, dsr_<version id>, with
 * the row number (seq, 1..n in the resource's key order) and one typed
 * column per published field (c_<name>: integer, real, text for strings and
 * days, 0/1 for booleans), each indexed together with seq. Only the
 * published fields exist there, so a non-public field can never be read,
 * filtered or sorted on. A version never changes after its publication:
 * keyset cursors over it are stable, and downloads stream it in batches by
 * row number without holding a transaction. See docs/opendata.md. */
#ifndef ZT_OPENDATA_ROWS_H
#define ZT_OPENDATA_ROWS_H

#include <jansson.h>
#include <stdint.h>
#include <sys/types.h>

#include "base/err.h"
#include "db/db.h"

#define OPENDATA_FILTERS_MAX 10	 /* filter parameters of one query */
#define OPENDATA_IN_MAX	     100 /* values of one `in` list */
#define OPENDATA_LIMIT_MAX   1000
#define OPENDATA_VALUE_MAX   200 /* bytes of a filter value or q */

/* Creates version vid's row table from its dictionary [{name, type, ...}]
 * and fills it with the resource's rows in key order (bytes), only the
 * dictionary's fields; *nrows is the number of rows. Inside a write
 * transaction (db_write). */
int opendata_rows_snapshot(db_conn *c, int64_t vid, int64_t resource_id, json_t *dict,
			   int64_t *nrows, struct zt_err *err);
/* The CREATE TABLE and CREATE INDEX statements of version vid's table, for
 * a database of kind `pg` (1) or SQLite (0), in out (a NUL-separated list
 * ending with an empty string). Used by the snapshot and by `db copy`. */
char *opendata_rows_ddl(int64_t vid, json_t *dict, int pg);

/* db copy: drops every version table of c (a target being refilled), and
 * copies every version's table from src to dst, checking each count against
 * dataset_versions.row_count (*nrows: rows copied). */
int opendata_rows_drop_all(db_conn *c, struct zt_err *err);
int opendata_rows_copy(db_conn *src, db_conn *dst, int64_t *nrows, struct zt_err *err);

/* The dictionary (owned by the caller) of version *version (0 = current,
 * then set) of a published dataset, with the version's id *vid and the
 * dataset's code (may be NULL, else 41 bytes). NULL with err: ZT_ENOTFOUND
 * for an unknown or withdrawn dataset, or naming "version". */
json_t *opendata_version_load(db_conn *c, int64_t id, int64_t *version, int64_t *vid, char *code,
			      struct zt_err *err);

struct opendata_rows_query {
	int64_t version;	    /* 0 = current */
	const char *fields;	    /* "a,b" or NULL = every published field */
	const char *const *filters; /* "field:op:value", ANDed */
	int nfilters;
	const char *q;	  /* substring of any string field, or NULL */
	const char *sort; /* "field" or "-field" or NULL = row order */
	int limit;
	const char *cursor;
};

/* A page {dataset, version, fields, items, next} of a version's rows.
 * ZT_EINVAL names the parameter (fields, filter, q, sort, cursor) with
 * reason unknown_field, bad_operator, bad_value, bad_filter, too_many or
 * invalid. Counts the query (in memory, see opendata_count). */
json_t *opendata_rows_json(db_conn *c, int64_t id, const struct opendata_rows_query *q,
			   struct zt_err *err);

struct opendata_chart_query {
	int64_t version;
	const char *group; /* a field that is not a number */
	const char *value; /* an integer or number field; NULL for count */
	const char *agg;   /* "count" (default), "sum" or "avg" */
	const char *const *filters;
	int nfilters;
	const char *q;
};

#define OPENDATA_CHART_GROUPS 20

/* {dataset, version, group, value, agg, items: [{key, value}], other}: the
 * OPENDATA_CHART_GROUPS largest groups (value descending, then key), other =
 * how many groups more there are. Rows without the group value are left
 * out. ZT_EINVAL names group, value, agg, filter or q. */
json_t *opendata_chart_json(db_conn *c, int64_t id, const struct opendata_chart_query *q,
			    struct zt_err *err);

/* A download being streamed: the version's rows read in batches by row
 * number, each batch on a read connection taken for it, so memory stays the
 * size of one batch whatever the dataset's size. */
struct opendata_stream;

/* Opens version `version` (0 = current) of dataset id as CSV (csv 1: UTF-8
 * with a BOM when bom, a header of field names, CRLF lines, RFC 4180
 * quoting, absent values empty, string cells starting with = + - @ TAB or
 * CR prefixed with ' against spreadsheet formula injection) or JSON (an
 * array of row objects). filename gets "<code>-v<version>.csv|json". Counts
 * the download. NULL with err as opendata_version_load. */
struct opendata_stream *opendata_stream_open(db_conn *c, int64_t id, int64_t version, int csv,
					     int bom, char *filename, size_t fsize,
					     struct zt_err *err);
/* Up to max next bytes into buf: their number, 0 never, -1 at the end, -2
 * on an error (logged). */
ssize_t opendata_stream_read(struct opendata_stream *s, char *buf, size_t max);
void opendata_stream_free(struct opendata_stream *s);

/* Query and download counts are kept in memory and added to datasets'
 * query_count / download_count every opendata_counts_interval ms by a
 * ticker, and at stop: a statistic must not cost a durable write per read.
 * A killed process loses at most the last interval's counts. */
void opendata_count(int64_t id, int download);
/* Adds the counts of id not yet written to *queries and *downloads. */
void opendata_count_pending(int64_t id, int64_t *queries, int64_t *downloads);
int opendata_counts_flush(struct zt_err *err);
int opendata_counts_start(void);
void opendata_counts_stop(void);

#endif
