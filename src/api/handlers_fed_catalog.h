/* handlers_fed_catalog.h - handlers of api/fed_catalog.c. */
#ifndef ZT_HANDLERS_FED_CATALOG_H
#define ZT_HANDLERS_FED_CATALOG_H
struct req;
#endif
