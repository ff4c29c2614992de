/* handlers_devkeys.h - handlers of api/devkeys.c (developer API keys) and
 * the open-data rate limit of api/opendata_limit.c. */
#ifndef ZT_HANDLERS_DEVKEYS_H
#define ZT_HANDLERS_DEVKEYS_H

#include <stdint.h>

struct req;

void h_devkeys_create(struct req *r);
void h_devkeys_list(struct req *r);
void h_devkeys_revoke(struct req *r);
void h_devkeys_limit(struct req *r);

/* What opendata_limit_quota found: the bucket's rate per minute (0 = no
 * limit), the whole calls left in it, and whether a developer key (key_id)
 * or the client's address was counted. */
struct opendata_quota {
	int limit;
	int remaining;
	int keyed;
	int64_t key_id;
};

/* The open-data rate limit, called first by every public open-data handler:
 * a valid developer key in the X-API-Key header is counted in its own
 * bucket of cfg.opendata_rate_key calls a minute, a caller without one in
 * its address's bucket of cfg.opendata_rate_anon (req_client_key). Adds
 * X-RateLimit-Limit and X-RateLimit-Remaining. Returns 0 to go on, or -1
 * after replying 401 invalid_api_key (a key that is malformed, unknown,
 * revoked or of a disabled account) or 429 rate_limited with Retry-After. */
int opendata_limit(struct req *r);
/* The same; q (may be NULL) receives the quota. */
int opendata_limit_quota(struct req *r, struct opendata_quota *q);

#endif
