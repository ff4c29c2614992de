/* handlers.h - the HTTP handlers, one group per file (api/<area>.c). Each
 * parses and validates input, calls one domain function and renders the
 * result. The route table (api/routes.c) says who may call each. */
#ifndef ZT_HANDLERS_H
#define ZT_HANDLERS_H

struct req;

/* misc.c */
void h_healthz(struct req *r);
void h_metrics(struct req *r);
void h_calendar(struct req *r);
void h_audit_verify(struct req *r);
void h_sla_sweep(struct req *r);
/* auth.c */
void h_register(struct req *r);
void h_login(struct req *r);
void h_logout(struct req *r);
void h_me(struct req *r);
void h_officials_add(struct req *r);
void h_officials_list(struct req *r);
/* org.c */
void h_regions(struct req *r);
void h_departments(struct req *r);
void h_departments_add(struct req *r);
/* services.c */
void h_services_search(struct req *r);
void h_services_get(struct req *r);
void h_services_create(struct req *r);
void h_services_update(struct req *r);
void h_services_publish(struct req *r);
void h_services_unpublish(struct req *r);
void h_dept_services(struct req *r);
/* files.c */
void h_files_upload(struct req *r);
void h_files_get(struct req *r);
/* cases.c */
void h_cases_submit(struct req *r);
void h_cases_list(struct req *r);
void h_cases_get(struct req *r);
void h_cases_accept(struct req *r);
void h_cases_not_accept(struct req *r);
void h_cases_supplement(struct req *r);
void h_cases_resubmit(struct req *r);
void h_cases_approve(struct req *r);
void h_cases_deny(struct req *r);
void h_cases_deliver(struct req *r);
void h_cases_visit(struct req *r);
void h_cases_rate(struct req *r);
/* static.c */
void h_static(struct req *r);
/* supervision.c */
void h_supervision_list(struct req *r);
void h_supervision_close(struct req *r);

#include "api/handlers_share.h"
#include "api/handlers_license.h"
#include "api/handlers_supervision.h"
#include "api/handlers_eval.h"
#include "api/handlers_fed.h"
#include "api/handlers_fed_catalog.h"
#include "api/handlers_fed_cases.h"
#include "api/handlers_fed_share.h"
#include "api/handlers_opendata.h"
#include "api/handlers_devkeys.h"
#include "api/handlers_dcat.h"

#endif
