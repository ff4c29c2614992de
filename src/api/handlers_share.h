/* handlers_share.h - handlers of api/share.c (data sharing and exchange). */
#ifndef ZT_HANDLERS_SHARE_H
#define ZT_HANDLERS_SHARE_H
struct req;
void h_resources_search(struct req *r);
void h_resources_create(struct req *r);
void h_resources_get(struct req *r);
void h_resources_update(struct req *r);
void h_resources_rows(struct req *r);
void h_resources_import(struct req *r);
void h_share_requests_create(struct req *r);
void h_share_requests_list(struct req *r);
void h_share_requests_get(struct req *r);
void h_share_requests_approve(struct req *r);
void h_share_requests_refuse(struct req *r);
void h_grants_list(struct req *r);
void h_grants_get(struct req *r);
void h_grants_revoke(struct req *r);
void h_api_keys_create(struct req *r);
void h_api_keys_list(struct req *r);
void h_api_keys_revoke(struct req *r);
void h_exchange_row(struct req *r);
void h_exchange_rows(struct req *r);
void h_me_data_access(struct req *r);
void h_access_records(struct req *r);
#endif
