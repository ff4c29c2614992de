/* resource.h - the data resource catalog (政务信息资源目录) and its rows.
 *
 * A data_officer registers the department's resources (fields with type and
 * sensitivity, key field, optional data-subject field, sharing type, method,
 * open type, update cycle) and loads rows: an upsert of up to 1000 rows that
 * is all or nothing, or a streaming CSV import in which every good row loads
 * and every bad row is refused whole and reported. Every official may search
 * the catalog. See docs/sharing.md. */
#ifndef ZT_RESOURCE_H
#define ZT_RESOURCE_H

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>

#include "base/err.h"
#include "base/mask.h"
#include "db/db.h"
#include "domain/principal.h"

#define RESOURCE_MAX_FIELDS   100
#define RESOURCE_FIELD_NAME   41   /* ^[a-z][a-z0-9_]{0,39}$ + NUL */
#define RESOURCE_CODE_MAX     64   /* bytes, NUL included */
#define RESOURCE_KEY_MAX      128  /* bytes of a row key */
#define RESOURCE_TEXT_MAX     4000 /* characters of a string value */
#define RESOURCE_UPSERT_MAX   1000 /* rows per upsert */
#define RESOURCE_IMPORT_BATCH 500  /* rows per write transaction of an import */

enum field_type { FT_STRING, FT_INTEGER, FT_NUMBER, FT_DATE, FT_BOOLEAN };
enum sensitivity { SENS_PUBLIC, SENS_INTERNAL, SENS_PERSONAL, SENS_SENSITIVE };

extern const char *const field_type_names[];  /* "string", ..., NULL */
extern const char *const sensitivity_names[]; /* "public", ..., NULL */
extern const char *const share_type_names[];  /* "unconditional", "conditional", "none", NULL */
extern const char *const share_method_names[];
extern const char *const open_type_names[];
extern const char *const update_cycle_names[];

struct resource_field {
	char name[RESOURCE_FIELD_NAME];
	enum field_type type;
	enum sensitivity sens;
	enum mask_rule mask; /* personal/sensitive fields; MASK_NONE otherwise */
};

/* A resource as loading rows and the exchange need it. */
struct resource_meta {
	int64_t id, dept_id;
	char code[RESOURCE_CODE_MAX];
	char key_field[RESOURCE_FIELD_NAME];
	char subject_field[RESOURCE_FIELD_NAME]; /* "" = rows carry no subject */
	char region_field[RESOURCE_FIELD_NAME];	 /* "" = rows carry no region code */
	char share_type[16];
	int nfields;
	struct resource_field fields[RESOURCE_MAX_FIELDS];
};

struct resource_field_in {
	const char *name, *label;
	enum field_type type;
	enum sensitivity sens;
	int mask; /* enum mask_rule, or -1 = chosen by mask_rule_for_field */
};

struct resource_in {
	const char *code; /* PUT: NULL or the same code */
	const char *name, *summary;
	struct resource_field_in fields[RESOURCE_MAX_FIELDS];
	int nfields;
	const char *key_field, *subject_field; /* subject_field may be NULL */
	const char *region_field;	       /* NULL = none (flow-back filters by it) */
	const char *share_type, *share_conditions, *legal_basis;
	const char *share_method, *open_type, *update_cycle;
};

struct resource_query {
	const char *q; /* substring of name, code or summary; may be NULL */
	int64_t dept_id;
	const char *share_type;
	int limit;
	const char *cursor;
};

/* Creates a resource of the caller's department (a data_officer). Rules
 * beyond the edge checks: field names unique, key_field a string or integer
 * field, subject_field and region_field string fields, masks only on personal/sensitive
 * fields, conditional needs share_conditions and legal_basis, none needs
 * legal_basis; a taken code is ZT_ECONFLICT. */
int resource_create(const struct principal *by, const struct resource_in *in, int64_t *id,
		    struct zt_err *err);
/* Replaces the entry (data_officer of the provider). Once rows exist the key
 * and subject fields stay, and no field may be removed or change type. A
 * region_field left out (NULL) keeps the stored one, so that an editor that
 * does not know it cannot drop a flow-back filter by accident. */
int resource_update(const struct principal *by, int64_t id, const struct resource_in *in,
		    struct zt_err *err);
/* The full entry, with the grants the caller's department holds on it. */
json_t *resource_get_json(db_conn *c, const struct principal *by, int64_t id, struct zt_err *err);
/* A page of the catalog {items, next}. */
json_t *resource_search_json(db_conn *c, const struct resource_query *q, struct zt_err *err);

/* Loads the resource by id (code NULL) or by code. ZT_ENOTFOUND if none. */
int resource_meta_load(db_conn *c, int64_t id, const char *code, struct resource_meta *m,
		       struct zt_err *err);
/* Parses the stored fields JSON into m->fields. Returns 0 or -1. */
int resource_fields_parse(const char *text, struct resource_meta *m);
/* Index of the field called name in m, or -1. */
int resource_field_index(const struct resource_meta *m, const char *name);

/* One checked row, ready to store (encryption at rest, src/crypto/fieldenc.h:
 * the subject, and the key when the key field is personal or sensitive, are
 * blind indexes; personal and sensitive values inside data are encrypted). */
struct resource_row {
	char key[RESOURCE_KEY_MAX];
	char subject[80]; /* blind index (FIELDENC_IDX_LEN); "" = none */
	char *data;	  /* canonical JSON (heap) */
};

/* Encrypts in place the values of obj's personal and sensitive fields (each
 * becomes "enc1:..." of the value's JSON text). Values already encrypted
 * stay. */
void resource_data_seal(const struct resource_meta *m, json_t *obj);
/* Decrypts in place every "enc1:..." member of obj. 0, or an error (a value
 * that fails its integrity check, an unknown key version) with obj partly
 * decrypted: the caller must not show it. */
int resource_data_open(json_t *obj, struct zt_err *err);
/* Parses stored row data and decrypts it: a new object, or NULL with err
 * filled. */
json_t *resource_data_load(const char *text, struct zt_err *err);
/* 1 when the key field of m is personal or sensitive (its keys are stored
 * as blind indexes). */
int resource_key_is_personal(const struct resource_meta *m);
/* The stored form of a key given by a caller: its blind index when the key
 * field is personal (key_personal), else the key itself. */
void resource_key_stored(int key_personal, const char *key, char out[RESOURCE_KEY_MAX]);

/* Checks row (a JSON object) against m and fills out. On error err->field
 * names the offending field ("" for the row itself) and nothing is
 * allocated. today_ymd (e.g. 20260302) bounds birth dates in ID numbers. */
int resource_row_check(const struct resource_meta *m, json_t *row, int today_ymd,
		       struct resource_row *out, struct zt_err *err);
/* Upserts {rows:[...]} (at most RESOURCE_UPSERT_MAX) into resource id as the
 * provider's data_officer: every row is checked first; one bad row refuses
 * the whole request with err->field "rows[i].<field>".
 *
 * Change order (both here and in resource_import): every row inserted or
 * updated takes the next value of its resource's counter as its seq. The
 * counter (data_resources.row_seq) is advanced by an UPDATE of the
 * resource's row inside the storing transaction, which keeps that row
 * locked until commit: a later writer (another process on PostgreSQL too)
 * waits, so rows become visible in seq order and any snapshot holds every
 * row version up to the largest seq it sees (the flow-back feed relies on
 * it, fed/xshare.h). */
int resource_upsert(const struct principal *by, int64_t id, json_t *rows, int64_t *inserted,
		    int64_t *updated, struct zt_err *err);

/* ---- CSV ---- */

/* A streaming RFC 4180 reader: comma separated, fields optionally in double
 * quotes ("" for a quote inside, commas and line breaks allowed inside),
 * LF or CRLF line ends, a UTF-8 BOM at the start skipped, blank lines
 * skipped. A record may hold at most 1 MiB and 1000 fields. */
struct csv_reader;

struct csv_reader *resource_csv_new(FILE *f);
void resource_csv_free(struct csv_reader *r);
/* Reads the next record. Returns 1 with *cells (NUL-terminated strings
 * owned by the reader, valid until the next call), *n and *line (the line
 * the record starts on, 1-based); 0 at the end; -1 for a malformed record
 * (*line set; reason in err: "quote" for text after a closing quote or an
 * unterminated quote, "too_long", "encoding" for a NUL byte), after which
 * reading goes on at the next line. */
int resource_csv_next(struct csv_reader *r, char ***cells, int *n, int64_t *line,
		      struct zt_err *err);
/* Bytes consumed so far. */
int64_t resource_csv_offset(const struct csv_reader *r);

struct import_result {
	int64_t loaded, inserted, updated, rejected;
};

struct import_hooks {
	void *ctx;
	/* Called for every rejected line (field "" = the line as a whole). */
	void (*on_error)(void *ctx, int64_t line, const char *field, const char *reason,
			 const char *detail);
	/* Called after every batch with the rows read and bytes consumed. */
	void (*progress)(void *ctx, int64_t rows, int64_t bytes);
};

/* Streams CSV from f into the resource id (or, with code not NULL, the one
 * with code) as by (its provider's data_officer, or NULL for the CLI); c
 * reads the resource. The header names fields of the resource (each at most
 * once, the key field among them); a bad header is an error for the whole
 * file (err->field "header"). Then every good row is upserted (in batches of
 * RESOURCE_IMPORT_BATCH, each one transaction) and every bad row refused
 * whole and reported through hooks. Empty cells are absent values. Returns 0
 * (even when rows were rejected) or a negative error. */
int resource_import(db_conn *c, const struct principal *by, int64_t id, const char *code, FILE *f,
		    const struct import_hooks *hooks, struct import_result *res,
		    struct zt_err *err);

#endif
