/* xcase.h - (federation feature; see docs/federation.md). */
#ifndef ZT_FED_XCASE_H
#define ZT_FED_XCASE_H

/* Federation ticker job (fed.c), every cfg.fed_interval_ms. */
void xcase_tick(void);

#endif
