/* demo.h - the demo node: a district of Guizhou with departments, officials,
 * applicants, published service items and a few cases in different states.
 * Used by `zhengtong init` on a fresh database. */
#ifndef ZT_DEMO_H
#define ZT_DEMO_H

#include <stdio.h>

#include "base/err.h"

#define DEMO_PASSWORD "Zhengtong@2026"

/* Creates the demo data unless it exists. Returns 1 when created, 0 when it
 * was already there, or a negative error. */
int demo_create(int verbose, struct zt_err *err);
/* 1 if this database holds the demo data. */
int demo_present(void);
/* Prints the demo accounts (login, role, department). */
void demo_print_accounts(FILE *fp);

#endif
