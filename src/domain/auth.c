/* auth.c - registration, officials, login/logout and session lookup. */
#include "domain/auth.h"
#include "domain/audit.h"
#include "base/calendar.h"
#include "base/clock.h"
#include "base/config.h"
#include "base/ident.h"
#include "base/xmalloc.h"
#include "crypto/fieldenc.h"
#include "crypto/password.h"
#include "crypto/token.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

/* ---- login throttling (per login name, in the database) ---- */

/* Returns seconds to wait when login is locked out, else 0 (or an error). */
static int64_t
throttle_check(db_conn *c, const char *login, struct zt_err *err)
{
	int64_t now = clock_now(), wait = 0;

	db_stmt *s =
	    db_prepare(c, "SELECT failures, first_at FROM login_failures WHERE login = ?1", err);
	if (s == NULL)
		return err->code;
	db_bind_text(s, 1, login);
	int rc = db_step(s, err);
	if (rc == DB_ROW) {
		int64_t failures = db_col_int(s, 0), first = db_col_int(s, 1);
		if (failures >= cfg.login_max_failures && now - first < cfg.login_window)
			wait = cfg.login_window - (now - first);
	}
	db_reset(s);
	return rc < 0 ? rc : wait;
}

struct failure_job {
	const char *login;
};

/* Counts a failure; a window that has run out starts again at 1. */
static int
tx_failure(db_conn *c, void *arg, struct zt_err *err)
{
	struct failure_job *j = arg;
	db_stmt *s =
	    db_prepare(c,
		       "INSERT INTO login_failures (login, failures, first_at) VALUES (?1, 1, ?2)"
		       " ON CONFLICT (login) DO UPDATE SET"
		       " failures = CASE WHEN login_failures.first_at <= ?2 - ?3 THEN 1"
		       "  ELSE login_failures.failures + 1 END,"
		       " first_at = CASE WHEN login_failures.first_at <= ?2 - ?3 THEN ?2"
		       "  ELSE login_failures.first_at END",
		       err);
	if (s == NULL)
		return err->code;
	db_bind_text(s, 1, j->login);
	db_bind_int(s, 2, clock_now());
	db_bind_int(s, 3, cfg.login_window);
	int rc = db_step(s, err);
	return rc < 0 ? rc : 0;
}

#define LOGIN_NORM_MAX AUTH_LOGIN_KEY_MAX

/* The login as stored: a citizen's login is their ID number, kept only as
 * its blind index (encryption at rest, crypto/fieldenc.h). */
static void
normalize_login(const char *login, char norm[LOGIN_NORM_MAX])
{
	size_t n;

	snprintf(norm, LOGIN_NORM_MAX, "%s", login);
	n = strlen(norm);
	if (n == 18 && norm[17] == 'x')
		norm[17] = 'X';
	if (n == 18 && strspn(norm, "0123456789") >= 17 &&
	    (norm[17] == 'X' || (norm[17] >= '0' && norm[17] <= '9'))) {
		char id[19];
		memcpy(id, norm, 19);
		fieldenc_index(id, norm);
	}
}

void
auth_login_key(const char *login, char out[AUTH_LOGIN_KEY_MAX])
{
	normalize_login(login, out);
}

int64_t
auth_retry_after(db_conn *c, const char *login)
{
	struct zt_err err;
	char norm[LOGIN_NORM_MAX];

	normalize_login(login, norm);
	int64_t wait = throttle_check(c, norm, &err);
	return wait > 0 ? wait : 0;
}

/* ---- sessions ---- */

int
auth_session_lookup(db_conn *c, const char *token, struct principal *out, struct zt_err *err)
{
	char th[SM3_HEX_LEN];
	int rc;

	token_hash(token, th);
	db_stmt *s = db_prepare(c,
				"SELECT u.id, u.kind, u.dept_id, u.roles, u.name, d.region_code"
				" FROM sessions s JOIN users u ON u.id = s.user_id"
				" LEFT JOIN departments d ON d.id = u.dept_id"
				" WHERE s.token_hash = ?1 AND s.revoked_at IS NULL"
				" AND s.expires_at > ?2 AND u.status = 'active'",
				err);
	if (s == NULL)
		return err->code;
	db_bind_text(s, 1, th);
	db_bind_int(s, 2, clock_now());
	rc = db_step(s, err);
	if (rc == DB_ROW) {
		const char *kind = db_col_text(s, 1);
		memset(out, 0, sizeof(*out));
		out->user_id = db_col_int(s, 0);
		out->kind = strcmp(kind, "citizen") == 0      ? KIND_CITIZEN
			    : strcmp(kind, "enterprise") == 0 ? KIND_ENTERPRISE
							      : KIND_OFFICIAL;
		out->dept_id = db_col_isnull(s, 2) ? 0 : db_col_int(s, 2);
		out->roles = out->kind == KIND_OFFICIAL ? (unsigned)db_col_int(s, 3) : 0;
		snprintf(out->name, sizeof(out->name), "%s", db_col_text(s, 4));
		if (!db_col_isnull(s, 5))
			snprintf(out->region, sizeof(out->region), "%s", db_col_text(s, 5));
		rc = 1;
	}
	db_reset(s);
	return rc;
}

/* ---- registration ---- */

struct new_user {
	const char *kind, *login, *name, *id_number, *credit_code, *phone, *hash;
	const char *id_number_enc; /* the ID number encrypted; id_number is its index */
	int64_t dept_id, created_by;
	unsigned roles;
	int64_t id;
};

static int
tx_insert_user(db_conn *c, void *arg, struct zt_err *err)
{
	struct new_user *u = arg;
	db_stmt *s;
	int rc;

	s = db_prepare(c, "SELECT 1 FROM users WHERE login = ?1", err);
	if (s == NULL)
		return err->code;
	db_bind_text(s, 1, u->login);
	rc = db_step(s, err);
	db_reset(s);
	if (rc < 0)
		return rc;
	if (rc == DB_ROW) {
		const char *field = u->id_number     ? "id_number"
				    : u->credit_code ? "credit_code"
						     : "login";
		return err_set(err, ZT_ECONFLICT, field, "taken", "an account with this %s exists",
			       field);
	}
	s = db_prepare(c,
		       "INSERT INTO users (kind, login, name, id_number, credit_code, phone,"
		       " password_hash, dept_id, roles, created_at, created_by, id_number_enc)"
		       " VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12) RETURNING id",
		       err);
	if (s == NULL)
		return err->code;
	db_bind_text(s, 1, u->kind);
	db_bind_text(s, 2, u->login);
	db_bind_text(s, 3, u->name);
	db_bind_text(s, 4, u->id_number);
	db_bind_text(s, 5, u->credit_code);
	char *phone = fieldenc_encrypt_str(u->phone);
	db_bind_text(s, 6, phone);
	free(phone);
	db_bind_text(s, 7, u->hash);
	db_bind_text(s, 12, u->id_number_enc);
	if (u->dept_id)
		db_bind_int(s, 8, u->dept_id);
	else
		db_bind_null(s, 8);
	db_bind_int(s, 9, u->roles);
	db_bind_int(s, 10, clock_now());
	if (u->created_by)
		db_bind_int(s, 11, u->created_by);
	else
		db_bind_null(s, 11);
	rc = db_step_id(s, &u->id, err);
	if (rc < 0)
		return rc;
	char obj[32];
	snprintf(obj, sizeof(obj), "user:%lld", (long long)u->id);
	json_t *data = json_pack("{s:s, s:I}", "kind", u->kind, "roles", (json_int_t)u->roles);
	if (u->dept_id)
		json_object_set_new(data, "dept_id", json_integer(u->dept_id));
	rc = audit_append(c, u->created_by, "user.create", obj, data, err);
	json_decref(data);
	return rc;
}

int
auth_register(const struct register_in *in, int64_t *user_id, struct zt_err *err)
{
	char hash[PASSWORD_HASH_MAX], norm[32], idx[FIELDENC_IDX_LEN];
	char *id_enc = NULL;
	struct new_user u;
	int rc;

	memset(&u, 0, sizeof(u));
	if (in->kind == KIND_CITIZEN) {
		if (ident_normalize(in->id_number, norm, sizeof(norm)) < 0)
			return err_set(err, ZT_EINVAL, "id_number", "length",
				       "ID number must be 18 characters");
		if ((rc = ident_check_id_number(norm, clock_today_ymd(), err)) < 0)
			return rc;
		u.kind = "citizen";
		fieldenc_index(norm, idx);
		u.id_number = idx;
	} else {
		if (ident_normalize(in->credit_code, norm, sizeof(norm)) < 0)
			return err_set(err, ZT_EINVAL, "credit_code", "length",
				       "credit code must be 18 characters");
		if ((rc = ident_check_credit_code(norm, err)) < 0)
			return rc;
		u.kind = "enterprise";
		u.credit_code = norm;
	}
	if ((rc = ident_check_phone(in->phone, err)) < 0)
		return rc;
	if ((rc = password_check_policy(in->password, err)) < 0)
		return rc;
	if (password_hash(in->password, hash) < 0)
		return err_set(err, ZT_EINTERNAL, "", "hash", "cannot hash password");
	u.login = u.id_number ? u.id_number : norm;
	if (u.id_number)
		u.id_number_enc = id_enc = fieldenc_encrypt_str(norm);
	u.name = in->name;
	u.phone = in->phone;
	u.hash = hash;
	rc = db_write(tx_insert_user, &u, err);
	free(id_enc);
	if (rc == 0)
		*user_id = u.id;
	return rc;
}

int
auth_add_official(const struct principal *by, const struct official_in *in, int64_t *user_id,
		  struct zt_err *err)
{
	char hash[PASSWORD_HASH_MAX];
	struct new_user u;
	int rc;

	if (in->roles == 0 || (in->roles & ~ROLE_ALL))
		return err_set(err, ZT_EINVAL, "roles", "required", "at least one known role");
	if (by) {
		if (!principal_has_role(by, ROLE_SYSADMIN)) {
			if (!principal_has_role(by, ROLE_DEPT_ADMIN) || by->dept_id != in->dept_id)
				return err_set(err, ZT_EFORBIDDEN, "dept_id", "other_department",
					       "you may only add officials to your own department");
			if (in->roles & ROLE_SYSADMIN)
				return err_set(err, ZT_EFORBIDDEN, "roles", "sysadmin",
					       "only a sysadmin may grant the sysadmin role");
		}
	}
	if (in->phone && ident_check_phone(in->phone, err) < 0)
		return err->code;
	if ((rc = password_check_policy(in->password, err)) < 0)
		return rc;
	if (password_hash(in->password, hash) < 0)
		return err_set(err, ZT_EINTERNAL, "", "hash", "cannot hash password");
	memset(&u, 0, sizeof(u));
	u.kind = "official";
	u.login = in->login;
	u.name = in->name;
	u.phone = in->phone;
	u.hash = hash;
	u.dept_id = in->dept_id;
	u.roles = in->roles;
	u.created_by = by ? by->user_id : 0;
	rc = db_write(tx_insert_user, &u, err);
	if (rc == 0)
		*user_id = u.id;
	return rc;
}

/* ---- login ---- */

static char dummy_hash[PASSWORD_HASH_MAX];
static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;

static void
make_dummy(void)
{
	password_hash("not-a-real-password-1", dummy_hash);
}

struct new_session {
	int64_t user_id;
	const char *token_hash;
	int64_t expires;
	const char *login; /* its failure count is cleared */
};

static int
tx_session(db_conn *c, void *arg, struct zt_err *err)
{
	struct new_session *ns = arg;
	char obj[32];

	db_stmt *s = db_prepare(c,
				"INSERT INTO sessions (token_hash, user_id, created_at, expires_at)"
				" VALUES (?1, ?2, ?3, ?4)",
				err);
	if (s == NULL)
		return err->code;
	db_bind_text(s, 1, ns->token_hash);
	db_bind_int(s, 2, ns->user_id);
	db_bind_int(s, 3, clock_now());
	db_bind_int(s, 4, ns->expires);
	int rc = db_step(s, err);
	if (rc < 0)
		return rc;
	s = db_prepare(c, "DELETE FROM login_failures WHERE login = ?1", err);
	if (s == NULL)
		return err->code;
	db_bind_text(s, 1, ns->login);
	if ((rc = db_step(s, err)) < 0)
		return rc;
	snprintf(obj, sizeof(obj), "user:%lld", (long long)ns->user_id);
	return audit_append(c, ns->user_id, "session.open", obj, NULL, err);
}

int
auth_login(db_conn *rc_conn, const char *login, const char *password, char token[AUTH_TOKEN_LEN],
	   int64_t *expires_at, int64_t *user_id, struct zt_err *err)
{
	char hash[PASSWORD_HASH_MAX] = "", norm[LOGIN_NORM_MAX];
	char th[SM3_HEX_LEN];
	int64_t uid = 0, wait;
	int rc;

	normalize_login(login, norm);
	if ((wait = throttle_check(rc_conn, norm, err)) < 0)
		return (int)wait;
	if (wait > 0)
		return err_set(err, ZT_ELIMIT, "login", "throttled",
			       "too many failed sign-ins; try again in %lld seconds",
			       (long long)wait);
	db_stmt *s = db_prepare(rc_conn,
				"SELECT id, password_hash FROM users WHERE login = ?1"
				" AND status = 'active'",
				err);
	if (s == NULL)
		return err->code;
	db_bind_text(s, 1, norm);
	rc = db_step(s, err);
	if (rc == DB_ROW) {
		uid = db_col_int(s, 0);
		snprintf(hash, sizeof(hash), "%s", db_col_text(s, 1));
	}
	db_reset(s);
	if (rc < 0)
		return rc;
	/* Verify even for unknown logins, so timing does not tell which exist. */
	pthread_once(&dummy_once, make_dummy);
	int ok = password_verify(uid ? hash : dummy_hash, password) == 1 && uid;
	if (!ok) {
		struct failure_job fj = {norm};
		if ((rc = db_write(tx_failure, &fj, err)) < 0)
			return rc;
		return err_set(err, ZT_EUNAUTH, "password", "bad_credentials",
			       "wrong login or password");
	}
	struct new_session ns = {uid, th, clock_now() + cfg.session_ttl, norm};
	token_new(token);
	token_hash(token, th);
	if ((rc = db_write(tx_session, &ns, err)) < 0)
		return rc;
	*expires_at = ns.expires;
	*user_id = uid;
	return 0;
}

struct end_session {
	const char *token_hash;
	int64_t user_id;
};

static int
tx_logout(db_conn *c, void *arg, struct zt_err *err)
{
	struct end_session *es = arg;
	char obj[32];

	db_stmt *s = db_prepare(c,
				"UPDATE sessions SET revoked_at = ?1 WHERE token_hash = ?2"
				" AND revoked_at IS NULL",
				err);
	if (s == NULL)
		return err->code;
	db_bind_int(s, 1, clock_now());
	db_bind_text(s, 2, es->token_hash);
	int rc = db_step(s, err);
	if (rc < 0)
		return rc;
	snprintf(obj, sizeof(obj), "user:%lld", (long long)es->user_id);
	return audit_append(c, es->user_id, "session.close", obj, NULL, err);
}

int
auth_logout(const char *token, int64_t user_id, struct zt_err *err)
{
	char th[SM3_HEX_LEN];
	struct end_session es = {th, user_id};

	token_hash(token, th);
	return db_write(tx_logout, &es, err);
}

/* ---- views ---- */

static json_t *
roles_json(unsigned roles)
{
	json_t *a = json_array();

	for (unsigned r = 1; r <= ROLE_SYSADMIN; r <<= 1)
		if (roles & r)
			json_array_append_new(a, json_string(role_name(r)));
	return a;
}

json_t *
auth_user_json(db_conn *c, int64_t user_id, struct zt_err *err)
{
	json_t *o = NULL;

	db_stmt *s = db_prepare(c,
				"SELECT u.id, u.kind, u.login, u.name, u.phone, u.dept_id, u.roles,"
				" d.name, d.name_en, d.region_code, u.id_number_enc FROM users u"
				" LEFT JOIN departments d ON d.id = u.dept_id WHERE u.id = ?1",
				err);
	if (s == NULL)
		return NULL;
	db_bind_int(s, 1, user_id);
	if (db_step(s, err) == DB_ROW) {
		const char *kind = db_col_text(s, 1), *login = db_col_text(s, 2);
		int official = strcmp(kind, "official") == 0;
		/* Citizens sign in with their ID number: shown from its
		 * encrypted copy (the login column holds its index). */
		char *idn =
		    db_col_isnull(s, 10) ? NULL : fieldenc_open_str(db_col_text(s, 10), err);
		char *phone = fieldenc_open_str(db_col_text(s, 4), err);
		char *mlogin = official ? xstrdup(login) : ident_mask_id(idn ? idn : login);
		char *mphone = phone ? ident_mask_phone(phone) : NULL;
		free(idn);
		free(phone);
		o = json_pack("{s:I, s:s, s:s, s:s}", "id", (json_int_t)db_col_int(s, 0), "kind",
			      kind, "login", mlogin, "name", db_col_text(s, 3));
		json_object_set_new(o, "phone", mphone ? json_string(mphone) : json_null());
		if (official) {
			json_object_set_new(o, "roles", roles_json((unsigned)db_col_int(s, 6)));
			json_object_set_new(
			    o, "department",
			    json_pack("{s:I, s:s, s:s, s:s}", "id", (json_int_t)db_col_int(s, 5),
				      "name", db_col_text(s, 7), "name_en", db_col_text(s, 8),
				      "region_code", db_col_text(s, 9)));
		}
		free(mlogin);
		free(mphone);
	} else
		err_set(err, ZT_ENOTFOUND, "", "not_found", "no such user");
	db_reset(s);
	return o;
}

json_t *
auth_list_officials(db_conn *c, int64_t dept_id, struct zt_err *err)
{
	json_t *a = json_array();

	db_stmt *s = db_prepare(c,
				"SELECT id, login, name, roles, status FROM users"
				" WHERE kind = 'official' AND dept_id = ?1 ORDER BY id",
				err);
	if (s == NULL) {
		json_decref(a);
		return NULL;
	}
	db_bind_int(s, 1, dept_id);
	while (db_step(s, err) == DB_ROW)
		json_array_append_new(a, json_pack("{s:I, s:s, s:s, s:o, s:s}", "id",
						   (json_int_t)db_col_int(s, 0), "login",
						   db_col_text(s, 1), "name", db_col_text(s, 2),
						   "roles", roles_json((unsigned)db_col_int(s, 3)),
						   "status", db_col_text(s, 4)));
	db_reset(s);
	return a;
}
