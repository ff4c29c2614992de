/* handlers_fed_share.h - handlers of api/fed_share.c. */
#ifndef ZT_HANDLERS_FED_SHARE_H
#define ZT_HANDLERS_FED_SHARE_H
struct req;
#endif
