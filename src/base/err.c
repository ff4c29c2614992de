/* err.c - filling struct zt_err. */
#include "base/err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int
err_set(struct zt_err *err, int code, const char *field, const char *reason, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL)
		return code;
	err->code = code;
	snprintf(err->field, sizeof(err->field), "%s", field ? field : "");
	snprintf(err->reason, sizeof(err->reason), "%s", reason ? reason : "");
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return code;
}

void
err_clear(struct zt_err *err)
{
	memset(err, 0, sizeof(*err));
}

const char *
err_code_name(int code)
{
	switch (code) {
	case ZT_OK:
		return "ok";
	case ZT_EINVAL:
		return "invalid";
	case ZT_EUNAUTH:
		return "unauthenticated";
	case ZT_EFORBIDDEN:
		return "forbidden";
	case ZT_ENOTFOUND:
		return "not_found";
	case ZT_ECONFLICT:
		return "conflict";
	case ZT_ETOOBIG:
		return "too_large";
	case ZT_ERULE:
		return "rule_violation";
	case ZT_ELIMIT:
		return "rate_limited";
	case ZT_ENOSPACE:
		return "no_space";
	case ZT_EUNAVAIL:
		return "unavailable";
	case ZT_EINTERNAL:
		return "internal";
	case ZT_EUNSUPPORTED:
		return "unsupported_media_type";
	}
	return "unknown";
}
