/* handlers_supervision.h - handlers of api/supervision.c beyond the list and
 * close in handlers.h: complaints, dashboards, service quality. */
#ifndef ZT_HANDLERS_SUPERVISION_H
#define ZT_HANDLERS_SUPERVISION_H
struct req;

#endif
