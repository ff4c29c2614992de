/* license.h - e-licenses (电子证照): license types, issuing (inside the
 * approval of a case), revocation, the holder's and the issuer's views,
 * public verification, and the lookups once-only submission uses.
 *
 * A license is identified in the GB/T 36904 layout (base/licid.h) and
 * signed by the node key (crypto/nodekey.h, SM2 with SM3) over the canonical
 * JSON of docs/sharing.md:
 *   {"data","holder_id","holder_name","identifier","issued_on","issuer",
 *    "type","valid_to"}
 * sorted keys, no whitespace, raw UTF-8; issuer is the issuing department's
 * credit code, type the type code, valid_to a day or null (long-term).
 * QR content: "ZTL1|<identifier>|<base64url signature>". */
#ifndef ZT_LICENSE_H
#define ZT_LICENSE_H

#include <jansson.h>
#include <stdint.h>

#include "base/err.h"
#include "base/licid.h"
#include "db/db.h"
#include "domain/principal.h"

#define LICENSE_SIG_MAX	   256 /* base64url DER SM2 signature + NUL, with room */
#define LICENSE_MAX_FIELDS 50

struct license_type_in {
	int64_t dept_id;     /* sysadmin: the defining department; 0 = the caller's */
	const char *name;    /* 2..100 characters */
	const char *name_en; /* may be NULL */
	json_t *fields;	     /* [{name, label?}] (borrowed), names unique */
	int valid_years;     /* 1..100, 0 = long-term */
};

/* Creates a license type defined by a department (dept_admin of it, or a
 * sysadmin naming dept_id). Its code is the department's credit code and
 * the next free 3-digit number, written to code. Returns 0 or an error. */
int license_type_create(const struct principal *by, const struct license_type_in *in,
			char code[LICID_TYPE_LEN + 1], struct zt_err *err);
/* {items:[{code, name, name_en, department:{id,name}, fields, valid_years}],
 * next}, by code. */
json_t *license_types_json(db_conn *c, int limit, const char *cursor, struct zt_err *err);
/* One type as above, or NULL (ZT_ENOTFOUND). */
json_t *license_type_json(db_conn *c, const char *code, struct zt_err *err);

struct license_in {
	const char *type_code;
	const char *holder_kind; /* citizen | enterprise */
	const char *holder_id;	 /* ID number or credit code */
	const char *holder_name;
	int64_t issuer_dept;
	int64_t case_id; /* 0 = none */
	json_t *data;	 /* object, borrowed */
	int64_t actor;	 /* for the audit record */
};

/* Issues a license inside the caller's write transaction: the next serial
 * of (type, issuer), the identifier, validity from the type (issued today;
 * valid_years later minus one day, or long-term), the node's signature and
 * an audit record. Returns 0 and fills identifier, or an error (ZT_EUNAVAIL
 * when the node has no key loaded). */
int license_issue(db_conn *c, const struct license_in *in, char identifier[LICID_MAX],
		  struct zt_err *err);
/* For an approved case, inside its transaction: when the case's item has a
 * license type, issues it to the applicant with data {case_no, item_code,
 * item_name, fields: the type's fields taken from the case form}. Returns 1
 * (identifier filled), 0 when the item issues no license, or an error. */
int license_issue_for_case(db_conn *c, int64_t case_id, int64_t actor, char identifier[LICID_MAX],
			   struct zt_err *err);

/* The canonical text that is signed (heap, caller frees). valid_to NULL =
 * long-term; data borrowed. */
char *license_payload(const char *identifier, const char *type, const char *issuer,
		      const char *holder_id, const char *holder_name, const char *issued_on,
		      const char *valid_to, json_t *data);

/* Revokes a valid license (reviewer or dept_admin of the issuing
 * department). ZT_ENOTFOUND, ZT_EFORBIDDEN, ZT_ECONFLICT (already revoked). */
int license_revoke(const struct principal *by, const char *identifier, const char *reason,
		   struct zt_err *err);

/* The whole license with data, signature and QR content: for its holder
 * (others: ZT_ENOTFOUND) and officials of the issuing department (other
 * officials: ZT_EFORBIDDEN). */
json_t *license_get_json(db_conn *c, const struct principal *by, const char *identifier,
			 struct zt_err *err);
/* Applicants: their own licenses; officials: those their department
 * issued. Newest first, {items, next}. */
json_t *license_list_json(db_conn *c, const struct principal *by, int limit, const char *cursor,
			  struct zt_err *err);

/* Splits QR content "ZTL1|<identifier>|<sig>". Returns 0, or ZT_EINVAL
 * (field "qr", reason "format"). The identifier is not validated here. */
int license_qr_parse(const char *qr, char identifier[LICID_MAX], char sig[LICENSE_SIG_MAX],
		     struct zt_err *err);

/* Public verification of an identifier (and, from a QR code, the signature
 * it carried; NULL otherwise): {status: valid|revoked|expired|forged,
 * reason, license?}. A malformed identifier is bad input (NULL, ZT_EINVAL,
 * field "identifier"); a well-formed one with a wrong check character is
 * forged. */
json_t *license_verify_json(db_conn *c, const char *identifier, const char *qr_sig,
			    struct zt_err *err);

/* Once-only: the holder's newest valid (not revoked, not expired, signature
 * verified) license of the type. Returns 1 with identifier and *view (new
 * reference: {identifier, type, type_name, issuer, issued_on, valid_to,
 * data}), 0 when there is none, or an error. */
int license_find_valid(db_conn *c, const char *type_code, const char *holder_id,
		       char identifier[LICID_MAX], json_t **view, struct zt_err *err);

#endif
