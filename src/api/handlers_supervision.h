/* handlers_supervision.h - handlers of api/supervision.c beyond the list and
 * close in handlers.h: complaints, dashboards, service quality. */
#ifndef ZT_HANDLERS_SUPERVISION_H
#define ZT_HANDLERS_SUPERVISION_H
struct req;

void h_supervision_summary(struct req *r);
void h_complaints_submit(struct req *r);
void h_complaints_public(struct req *r);
void h_complaints_get(struct req *r);
void h_quality(struct req *r);
#endif
