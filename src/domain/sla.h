/* sla.h - the SLA sweep: every open case past its deadline gets one 督办
 * supervision item for its department's supervisor, exactly once per case.
 * Runs periodically in the server and as `zhengtong sla sweep`. */
#ifndef ZT_SLA_H
#define ZT_SLA_H

#include "base/err.h"

/* Returns the number of items opened, or a negative error. */
int sla_sweep(struct zt_err *err);
/* Starts / stops the periodic sweep thread (interval in seconds). */
int sla_start(int interval);
void sla_stop(void);

#endif
