/* principal.c - names of user kinds and roles. */
#include "domain/principal.h"

#include <string.h>

static const char *const role_names[] = {"clerk",	 "reviewer",   "dept_admin",
					 "data_officer", "supervisor", "sysadmin"};

const char *
principal_kind_name(enum user_kind k)
{
	switch (k) {
	case KIND_NONE:
		return "anonymous";
	case KIND_CITIZEN:
		return "citizen";
	case KIND_ENTERPRISE:
		return "enterprise";
	case KIND_OFFICIAL:
		return "official";
	case KIND_SYSTEM:
		return "system";
	}
	return "anonymous";
}

const char *
role_name(unsigned role)
{
	for (int i = 0; i < 6; i++)
		if (role == 1u << i)
			return role_names[i];
	return "";
}

unsigned
role_from_name(const char *s)
{
	for (int i = 0; i < 6; i++)
		if (strcmp(s, role_names[i]) == 0)
			return 1u << i;
	return 0;
}
