/* sla.h - the SLA sweep: every open case past its deadline gets one 督办
 * supervision item for its department's supervisor, exactly once per case;
 * every supervision item left open past its own deadline is escalated once
 * to the oversight office of the region above (supervise.h).
 * Runs periodically in the server and as `zhengtong sla sweep`. */
#ifndef ZT_SLA_H
#define ZT_SLA_H

#include "base/err.h"

/* What one sweep did. */
struct sla_counts {
	int cases;    /* overdue cases given an 'overdue' item */
	int requests; /* overdue share requests given a 'share_overdue' item */
	int items;    /* overdue supervision items raised to the region above */
};

/* Sweeps everything: cases, share requests (share.h), then supervision
 * items. Returns 0 and fills *out, or a negative error (*out then holds
 * what was committed before it). */
int sla_sweep_counts(struct sla_counts *out, struct zt_err *err);
/* The same; returns the number of cases escalated, or a negative error;
 * *requests (may be NULL) gets the number of share requests escalated. */
int sla_sweep(int *requests, struct zt_err *err);
/* Starts / stops the periodic sweep thread (interval in seconds). */
int sla_start(int interval);
void sla_stop(void);

#endif
