/* sla.h - the SLA sweep: every open case past its deadline gets one 督办
 * supervision item for its department's supervisor, exactly once per case.
 * Runs periodically in the server and as `zhengtong sla sweep`. */
#ifndef ZT_SLA_H
#define ZT_SLA_H

#include "base/err.h"

/* Escalates overdue cases and overdue share requests (share.h). Returns
 * the number of cases escalated, or a negative error; *requests (may be
 * NULL) gets the number of share requests escalated. */
int sla_sweep(int *requests, struct zt_err *err);
/* Starts / stops the periodic sweep thread (interval in seconds). */
int sla_start(int interval);
void sla_stop(void);

#endif
