/* handlers_fed_catalog.h - handlers of api/fed_catalog.c: catalog up
 * (docs/federation-catalog.md). */
#ifndef ZT_HANDLERS_FED_CATALOG_H
#define ZT_HANDLERS_FED_CATALOG_H
struct req;

/* Node-to-node (signed envelope): */
void h_fed_catalog_feed(struct req *r);	 /* POST /api/v1/fed/catalog/feed, parent only */
void h_fed_catalog_query(struct req *r); /* POST /api/v1/fed/catalog/query */
void h_fed_catalog_item(struct req *r);	 /* POST /api/v1/fed/catalog/item */
/* Public: */
void h_fed_catalog_search(struct req *r); /* GET /api/v1/fed/catalog */
void h_fed_services_get(struct req *r);	  /* GET /api/v1/fed/services/{region}/{code} */
#endif
