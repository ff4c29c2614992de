/* handlers_fed_cases.h - handlers of api/fed_cases.c (跨省通办). */
#ifndef ZT_HANDLERS_FED_CASES_H
#define ZT_HANDLERS_FED_CASES_H
struct req;

void h_fed_cases_create(struct req *r);
void h_fed_cases_list(struct req *r);
void h_fed_cases_get(struct req *r);
void h_fed_cases_review(struct req *r);
void h_fed_cases_resubmit(struct req *r);
void h_fed_cases_deliver(struct req *r);
void h_fed_cases_file(struct req *r);
void h_fed_files_upload(struct req *r);

#endif
