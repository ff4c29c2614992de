/* auth.h - accounts and sessions: citizen and enterprise registration,
 * officials created by administrators, login with Argon2id passwords, bearer
 * tokens stored only as SM3 hashes, throttled login failures. */
#ifndef ZT_AUTH_H
#define ZT_AUTH_H

#include <jansson.h>
#include <stdint.h>

#include "base/err.h"
#include "db/db.h"
#include "domain/principal.h"

#define AUTH_TOKEN_LEN	   47
#define AUTH_LOGIN_KEY_MAX 80 /* FIELDENC_IDX_LEN */

/* A login as users.login stores it: an ID number (a citizen's login) as
 * its blind index (encryption at rest, crypto/fieldenc.h), anything else
 * as given (a trailing 'x' of an ID number upper-cased). */
void auth_login_key(const char *login, char out[AUTH_LOGIN_KEY_MAX]);

struct register_in {
	enum user_kind kind; /* KIND_CITIZEN or KIND_ENTERPRISE */
	const char *name;
	const char *id_number;	 /* citizens */
	const char *credit_code; /* enterprises */
	const char *phone;
	const char *password;
};

struct official_in {
	const char *login;
	const char *name;
	const char *phone; /* may be NULL */
	const char *password;
	int64_t dept_id;
	unsigned roles;
};

/* Looks a bearer token up. Returns 1 and fills out when the session is live,
 * 0 when unknown/expired/revoked, or a negative error. */
int auth_session_lookup(db_conn *c, const char *token, struct principal *out, struct zt_err *err);
/* Validates and creates an applicant account. The login is the ID number
 * (citizen) or the credit code (enterprise). */
int auth_register(const struct register_in *in, int64_t *user_id, struct zt_err *err);
/* Checks credentials (throttled per login) and opens a session. token gets
 * the bearer token (shown once, never stored). */
int auth_login(db_conn *rc, const char *login, const char *password, char token[AUTH_TOKEN_LEN],
	       int64_t *expires_at, int64_t *user_id, struct zt_err *err);
/* Seconds until login may try again (0 when not throttled). */
int64_t auth_retry_after(db_conn *c, const char *login);
/* Revokes the session of token. */
int auth_logout(const char *token, int64_t user_id, struct zt_err *err);
/* Creates an official. by = NULL for the CLI (system). A dept_admin may
 * create officials of their own department without sysadmin; a sysadmin
 * any. */
int auth_add_official(const struct principal *by, const struct official_in *in, int64_t *user_id,
		      struct zt_err *err);
/* {id, kind, name, login (masked for applicants), phone (masked), dept, roles[]} */
json_t *auth_user_json(db_conn *c, int64_t user_id, struct zt_err *err);
/* Lists the officials of a department. */
json_t *auth_list_officials(db_conn *c, int64_t dept_id, struct zt_err *err);

#endif
