/* err.h - the error struct every fallible function fills in.
 *
 * Functions return 0 on success or a negative ZT_E* code; details (the
 * offending field and a message) go into a struct zt_err owned by the caller.
 * The HTTP layer maps codes to statuses (see http/reply.c). */
#ifndef ZT_ERR_H
#define ZT_ERR_H

enum zt_errcode {
	ZT_OK = 0,
	ZT_EINVAL = -1,	      /* 400 bad input */
	ZT_EUNAUTH = -2,      /* 401 not signed in */
	ZT_EFORBIDDEN = -3,   /* 403 not allowed */
	ZT_ENOTFOUND = -4,    /* 404 */
	ZT_ECONFLICT = -5,    /* 409 state conflict */
	ZT_ETOOBIG = -6,      /* 413 */
	ZT_ERULE = -7,	      /* 422 business rule violated */
	ZT_ELIMIT = -8,	      /* 429 rate limited */
	ZT_ENOSPACE = -9,     /* 507 storage full */
	ZT_EUNAVAIL = -10,    /* 503 temporarily unavailable */
	ZT_EINTERNAL = -11,   /* 500 */
	ZT_EUNSUPPORTED = -12 /* 415 unsupported media type */
};

#define ZT_ERR_FIELD_MAX 64
#define ZT_ERR_CODE_MAX	 48
#define ZT_ERR_MSG_MAX	 256

struct zt_err {
	int code;		      /* enum zt_errcode */
	char field[ZT_ERR_FIELD_MAX]; /* JSON pointer-ish field name, "" if none */
	char reason[ZT_ERR_CODE_MAX]; /* machine-readable reason, e.g. "bad_checksum" */
	char msg[ZT_ERR_MSG_MAX];     /* human-readable English detail */
};

/* Fills err (if not NULL) and returns code, so callers can write
 * `return err_set(err, ZT_EINVAL, "name", "required", "name is required");` */
int err_set(struct zt_err *err, int code, const char *field, const char *reason, const char *fmt,
	    ...) __attribute__((format(printf, 5, 6)));
void err_clear(struct zt_err *err);
const char *err_code_name(int code);

#endif
