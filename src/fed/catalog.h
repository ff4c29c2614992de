/* catalog.h - (federation feature; see docs/federation.md). */
#ifndef ZT_FED_CATALOG_H
#define ZT_FED_CATALOG_H

/* Federation ticker job (fed.c), every cfg.fed_interval_ms. */
void catalog_tick(void);

#endif
