/* fed.h - the federation's background work in a serving node: one ticker
 * (every cfg.fed_interval_ms) that syncs the hub's registry when due,
 * delivers the outbox, and runs the pollers of the features (catalog
 * pulls, flow-back feeds). */
#ifndef ZT_FED_H
#define ZT_FED_H

int fed_start(void);
void fed_stop(void);

#endif
