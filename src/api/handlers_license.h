/* handlers_license.h - handlers of api/licenses.c. */
#ifndef ZT_HANDLERS_LICENSE_H
#define ZT_HANDLERS_LICENSE_H
struct req;
#endif
