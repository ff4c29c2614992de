/* handlers_fed_cases.h - handlers of api/fed_cases.c. */
#ifndef ZT_HANDLERS_FED_CASES_H
#define ZT_HANDLERS_FED_CASES_H
struct req;
#endif
