/* principal.h - who is calling: an anonymous visitor, an applicant
 * (citizen or enterprise) or an official with roles in one department. */
#ifndef ZT_PRINCIPAL_H
#define ZT_PRINCIPAL_H

#include <stdint.h>

/* KIND_SYSTEM: a department's system calling with an API key (ztk_...). */
enum user_kind {
	KIND_NONE = 0,
	KIND_CITIZEN = 1,
	KIND_ENTERPRISE = 2,
	KIND_OFFICIAL = 3,
	KIND_SYSTEM = 4
};

enum role {
	ROLE_CLERK = 1 << 0,
	ROLE_REVIEWER = 1 << 1,
	ROLE_DEPT_ADMIN = 1 << 2,
	ROLE_DATA_OFFICER = 1 << 3,
	ROLE_SUPERVISOR = 1 << 4,
	ROLE_SYSADMIN = 1 << 5,
};
#define ROLE_ALL 0x3f

/* "Who may call": bits a route declares; a principal has a set of them. */
enum who {
	WHO_ANON = 1 << 0,
	WHO_CITIZEN = 1 << 1,
	WHO_ENTERPRISE = 1 << 2,
	WHO_CLERK = ROLE_CLERK << 3,
	WHO_REVIEWER = ROLE_REVIEWER << 3,
	WHO_DEPT_ADMIN = ROLE_DEPT_ADMIN << 3,
	WHO_DATA_OFFICER = ROLE_DATA_OFFICER << 3,
	WHO_SUPERVISOR = ROLE_SUPERVISOR << 3,
	WHO_SYSADMIN = ROLE_SYSADMIN << 3,
	WHO_SYSTEM = 1 << 9, /* a department system (API key) */
};
#define WHO_APPLICANT (WHO_CITIZEN | WHO_ENTERPRISE)
#define WHO_OFFICIAL  (ROLE_ALL << 3)
#define WHO_USER      (WHO_APPLICANT | WHO_OFFICIAL)
#define WHO_PUBLIC    (WHO_ANON | WHO_USER | WHO_SYSTEM)

struct principal {
	int64_t user_id; /* 0 = anonymous */
	enum user_kind kind;
	int64_t dept_id; /* officials and systems */
	int64_t key_id;	 /* systems: api_keys.id */
	unsigned roles;	 /* enum role bits, officials */
	char name[128];
	char region[8]; /* officials: their department's region */
};

/* The WHO_* bits this principal holds. */
static inline unsigned
principal_who(const struct principal *p)
{
	switch (p->kind) {
	case KIND_NONE:
		return WHO_ANON;
	case KIND_CITIZEN:
		return WHO_CITIZEN;
	case KIND_ENTERPRISE:
		return WHO_ENTERPRISE;
	case KIND_OFFICIAL:
		return (p->roles & ROLE_ALL) << 3;
	case KIND_SYSTEM:
		return WHO_SYSTEM;
	}
	return 0;
}

static inline int
principal_has_role(const struct principal *p, unsigned role)
{
	return p->kind == KIND_OFFICIAL && (p->roles & role) != 0;
}

const char *principal_kind_name(enum user_kind k);
/* Comma-free role names: "clerk", ... ; role_from_name returns 0 if unknown. */
const char *role_name(unsigned role);
unsigned role_from_name(const char *s);

#endif
