/* handlers_license.h - handlers of api/licenses.c. */
#ifndef ZT_HANDLERS_LICENSE_H
#define ZT_HANDLERS_LICENSE_H
struct req;

void h_license_types_list(struct req *r);
void h_license_types_create(struct req *r);
void h_licenses_list(struct req *r);
void h_licenses_get(struct req *r);
void h_licenses_revoke(struct req *r);
void h_licenses_verify(struct req *r);
void h_services_prefill(struct req *r);
#endif
