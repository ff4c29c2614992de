/* handlers_dcat.h - handlers of api/dcat.c (open data: DCAT-AP catalog and
 * dataset quality). */
#ifndef ZT_HANDLERS_DCAT_H
#define ZT_HANDLERS_DCAT_H
struct req;
void h_dcat_catalog(struct req *r);
void h_datasets_quality(struct req *r);
#endif
