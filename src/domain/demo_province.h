/* demo_province.h - `zhengtong demo province`: a small demo data set for one
 * province or city node of a federation (departments, officials, a citizen,
 * three published service items with cross-region modes and a household
 * register resource with rows), created through the domain functions so it
 * is validated and audited like any other data. Its logins start with a
 * prefix, its codes with the region code, so that nodes of different
 * regions never collide. */
#ifndef ZT_DEMO_PROVINCE_H
#define ZT_DEMO_PROVINCE_H

#include <stdio.h>

#include "base/err.h"

#define DEMO_PROVINCE_PREFIX_MAX 16 /* characters of --prefix */
#define DEMO_PROVINCE_NDEPTS	 4
#define DEMO_PROVINCE_NROWS	 6

/* What a run creates, named for the summary. */
struct demo_province {
	char region[7];
	char region_name[128];
	char prefix[DEMO_PROVINCE_PREFIX_MAX + 1];
	char dept_names[DEMO_PROVINCE_NDEPTS][192];
	char citizen_id[19];
	char resource[32];
	int rows;
};

/* 0 if prefix is usable: 1 to DEMO_PROVINCE_PREFIX_MAX lower-case letters,
 * digits, '_' or '-', starting with a letter, and no login made from it is
 * 18 characters long (reserved for ID numbers). Otherwise ZT_EINVAL with
 * field "--prefix". */
int demo_province_check_prefix(const char *prefix, struct zt_err *err);

/* Creates the demo of region (a code in the regions table) with logins
 * prefix.* and fills out. Everything is checked before the first write:
 * an unknown region is ZT_ENOTFOUND (field "--region"); prefix.admin
 * already there is ZT_ECONFLICT with field "--prefix" and reason
 * "present"; any other login, credit code, ID number or code of the demo
 * already taken is ZT_ECONFLICT naming it. Each object is then written
 * (and audited) by its own domain function, in its own transaction. */
int demo_province_create(const char *region, const char *prefix, struct demo_province *out,
			 struct zt_err *err);

/* Prints the accounts (login, name, roles, department) and the codes of
 * the items and the resource that out describes, Chinese first. */
void demo_province_print(FILE *fp, const struct demo_province *out);

#endif
