/* handlers_fed_share.h - handlers of api/fed_share.c. */
#ifndef ZT_HANDLERS_FED_SHARE_H
#define ZT_HANDLERS_FED_SHARE_H
struct req;
/* consumer side */
void h_xshare_requests_create(struct req *r);
void h_xshare_requests_list(struct req *r);
void h_xshare_requests_get(struct req *r);
void h_xshare_resource(struct req *r);
void h_xshare_exchange(struct req *r);
void h_xshare_subscriptions_create(struct req *r);
void h_xshare_subscriptions_list(struct req *r);
void h_xshare_subscriptions_get(struct req *r);
void h_xshare_subscription_rows(struct req *r);
void h_xshare_access(struct req *r);
/* provider side */
void h_xshare_incoming_list(struct req *r);
void h_xshare_incoming_get(struct req *r);
void h_xshare_incoming_approve(struct req *r);
void h_xshare_incoming_refuse(struct req *r);
void h_xshare_incoming_revoke(struct req *r);
/* signed calls of other nodes */
void h_xshare_serve_resource(struct req *r);
void h_xshare_serve_fetch(struct req *r);
void h_xshare_serve_feed(struct req *r);
#endif
