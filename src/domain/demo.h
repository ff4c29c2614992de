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

/* ---- shared by demo.c and demo_share.c ---- */

struct principal;

#define DEMO_RS_RESOURCE "520102-RS-001" /* 社会保险参保信息 */

/* The demo applicants' identifiers. */
struct demo_people {
	char idn[19], idn2[19], cc[19];
};

/* The principal of a demo account, as if it had signed in. */
int demo_login_as(const char *login, struct principal *p, struct zt_err *err);
/* The license type 营业执照（个体工商户） (its code into license_type), the data
 * resources with rows, share requests in every state and a few exchange
 * reads. Runs after the accounts exist and before the service items. */
int demo_sharing(const struct demo_people *pp, char license_type[32], struct zt_err *err);

#endif
