/* xshare.h - (federation feature; see docs/federation.md). */
#ifndef ZT_FED_XSHARE_H
#define ZT_FED_XSHARE_H

/* Federation ticker job (fed.c), every cfg.fed_interval_ms. */
void xshare_tick(void);

#endif
