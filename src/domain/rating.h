/* rating.h - 好差评: the applicant rates a finished case once, 1 (非常不满意)
 * to 5 (非常满意); a rating of 2 or less opens a rectification item due in
 * rectify_days working days. */
#ifndef ZT_RATING_H
#define ZT_RATING_H

#include "base/err.h"
#include "domain/principal.h"

#include <stdint.h>

int rating_submit(const struct principal *by, int64_t case_id, int stars, const char *comment,
		  struct zt_err *err);

#endif
