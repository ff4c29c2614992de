/* handlers_share.h - handlers of api/share.c. */
#ifndef ZT_HANDLERS_SHARE_H
#define ZT_HANDLERS_SHARE_H
struct req;
#endif
