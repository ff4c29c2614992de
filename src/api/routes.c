/* routes.c - the route table: every endpoint with who may call it. */
#include "api/handlers.h"
#include "http/router.h"
#include "domain/principal.h"

#define CASE_READERS (WHO_APPLICANT | WHO_CLERK | WHO_REVIEWER | WHO_DEPT_ADMIN | WHO_SUPERVISOR)
#define ITEM_ADMINS  (WHO_DEPT_ADMIN | WHO_SYSADMIN)

const struct route routes[] = {
    {"GET", "/healthz", WHO_PUBLIC, BODY_NONE, h_healthz, "healthz", SCOPE_ANY},
    {"GET", "/metrics", WHO_PUBLIC, BODY_NONE, h_metrics, "metrics", SCOPE_ANY},

    {"POST", "/api/v1/auth/register", WHO_PUBLIC, BODY_JSON, h_register, "auth.register",
     SCOPE_ANY},
    {"POST", "/api/v1/auth/login", WHO_PUBLIC, BODY_JSON, h_login, "auth.login", SCOPE_ANY},
    {"POST", "/api/v1/auth/logout", WHO_USER, BODY_JSON, h_logout, "auth.logout", SCOPE_SELF},
    {"GET", "/api/v1/me", WHO_USER, BODY_NONE, h_me, "me", SCOPE_SELF},
    {"GET", "/api/v1/officials", ITEM_ADMINS, BODY_NONE, h_officials_list, "officials.list",
     SCOPE_ANY},
    {"POST", "/api/v1/officials", ITEM_ADMINS, BODY_JSON, h_officials_add, "officials.add",
     SCOPE_DEPT_SYSADMIN},

    {"GET", "/api/v1/regions", WHO_PUBLIC, BODY_NONE, h_regions, "regions.list", SCOPE_ANY},
    {"GET", "/api/v1/departments", WHO_PUBLIC, BODY_NONE, h_departments, "departments.list",
     SCOPE_ANY},
    {"POST", "/api/v1/departments", WHO_SYSADMIN, BODY_JSON, h_departments_add, "departments.add",
     SCOPE_ANY},
    {"GET", "/api/v1/calendar", WHO_PUBLIC, BODY_NONE, h_calendar, "calendar", SCOPE_ANY},

    {"GET", "/api/v1/services", WHO_PUBLIC, BODY_NONE, h_services_search, "services.search",
     SCOPE_ANY},
    {"POST", "/api/v1/services", ITEM_ADMINS, BODY_JSON, h_services_create, "services.create",
     SCOPE_ANY},
    {"GET", "/api/v1/services/{id}", WHO_PUBLIC, BODY_NONE, h_services_get, "services.get",
     SCOPE_ANY},
    {"PUT", "/api/v1/services/{id}", ITEM_ADMINS, BODY_JSON, h_services_update, "services.update",
     SCOPE_DEPT_SYSADMIN},
    {"POST", "/api/v1/services/{id}/publish", ITEM_ADMINS, BODY_JSON, h_services_publish,
     "services.publish", SCOPE_DEPT_SYSADMIN},
    {"POST", "/api/v1/services/{id}/unpublish", ITEM_ADMINS, BODY_JSON, h_services_unpublish,
     "services.unpublish", SCOPE_DEPT_SYSADMIN},
    {"GET", "/api/v1/dept/services", WHO_OFFICIAL, BODY_NONE, h_dept_services, "dept.services",
     SCOPE_ANY},

    {"POST", "/api/v1/files", WHO_APPLICANT, BODY_FILE, h_files_upload, "files.upload", SCOPE_ANY},
    {"GET", "/api/v1/files/{hash}", WHO_APPLICANT | WHO_OFFICIAL, BODY_NONE, h_files_get,
     "files.get", SCOPE_OWNER},

    {"POST", "/api/v1/cases", WHO_APPLICANT, BODY_JSON, h_cases_submit, "cases.submit", SCOPE_ANY},
    {"GET", "/api/v1/cases", CASE_READERS, BODY_NONE, h_cases_list, "cases.list", SCOPE_ANY},
    {"GET", "/api/v1/cases/{id}", CASE_READERS, BODY_NONE, h_cases_get, "cases.get", SCOPE_OWNER},
    {"POST", "/api/v1/cases/{id}/accept", WHO_CLERK, BODY_JSON, h_cases_accept, "cases.accept",
     SCOPE_OWNER},
    {"POST", "/api/v1/cases/{id}/not-accept", WHO_CLERK, BODY_JSON, h_cases_not_accept,
     "cases.not_accept", SCOPE_OWNER},
    {"POST", "/api/v1/cases/{id}/supplement", WHO_CLERK, BODY_JSON, h_cases_supplement,
     "cases.supplement", SCOPE_OWNER},
    {"POST", "/api/v1/cases/{id}/resubmit", WHO_APPLICANT, BODY_JSON, h_cases_resubmit,
     "cases.resubmit", SCOPE_OWNER},
    {"POST", "/api/v1/cases/{id}/approve", WHO_REVIEWER, BODY_JSON, h_cases_approve,
     "cases.approve", SCOPE_OWNER},
    {"POST", "/api/v1/cases/{id}/deny", WHO_REVIEWER, BODY_JSON, h_cases_deny, "cases.deny",
     SCOPE_OWNER},
    {"POST", "/api/v1/cases/{id}/deliver", WHO_CLERK | WHO_REVIEWER, BODY_JSON, h_cases_deliver,
     "cases.deliver", SCOPE_OWNER},
    {"POST", "/api/v1/cases/{id}/visits", WHO_CLERK | WHO_REVIEWER, BODY_JSON, h_cases_visit,
     "cases.visit", SCOPE_OWNER},
    {"POST", "/api/v1/cases/{id}/rating", WHO_APPLICANT, BODY_JSON, h_cases_rate, "cases.rate",
     SCOPE_OWNER},

    {"GET", "/api/v1/supervision", WHO_SUPERVISOR, BODY_NONE, h_supervision_list,
     "supervision.list", SCOPE_ANY},
    {"POST", "/api/v1/supervision/{id}/close", WHO_SUPERVISOR, BODY_JSON, h_supervision_close,
     "supervision.close", SCOPE_DEPT},
    {"POST", "/api/v1/sla/sweep", WHO_SYSADMIN, BODY_JSON, h_sla_sweep, "sla.sweep", SCOPE_ANY},
    {"GET", "/api/v1/audit/verify", WHO_SYSADMIN, BODY_NONE, h_audit_verify, "audit.verify",
     SCOPE_ANY},

// clang-format off
    /* Data sharing and exchange (api/share.c) */
#include "api/routes_share.inc"
    /* E-licenses and once-only (api/licenses.c) */
#include "api/routes_license.inc"
    /* Complaints, supervision dashboards, service quality (api/supervision.c) */
#include "api/routes_supervision.inc"
    /* Capability evaluation (api/evaluation.c) */
#include "api/routes_eval.inc"
    /* Federation: node-to-node messages, registry, status (api/fed.c) */
#include "api/routes_fed.inc"
    /* Federation: catalog across nodes (api/fed_catalog.c) */
#include "api/routes_fed_catalog.inc"
    /* Federation: cross-region cases, 跨省通办 (api/fed_cases.c) */
#include "api/routes_fed_cases.inc"
    /* Federation: cross-node sharing and flow-back (api/fed_share.c) */
#include "api/routes_fed_share.inc"
    /* Open data portal, 数据开放平台 (api/opendata.c) */
#include "api/routes_opendata.inc"
#include "api/routes_devkeys.inc"
#include "api/routes_dcat.inc"
    // clang-format on

    /* Last: everything else is the web portal's static files (web/). */
    {"GET", "/{*path}", WHO_PUBLIC, BODY_NONE, h_static, "static", SCOPE_ANY},
};

const size_t nroutes = sizeof(routes) / sizeof(routes[0]);
