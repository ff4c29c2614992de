/* password.c - Argon2id password hashes (libsodium crypto_pwhash_str) and
 * the password policy for new passwords. */
#include "crypto/password.h"

#include <sodium.h>
#include <string.h>

_Static_assert(PASSWORD_HASH_MAX >= crypto_pwhash_STRBYTES,
	       "PASSWORD_HASH_MAX must hold crypto_pwhash_STRBYTES");

static int valid_hash_string(const char *hash);

int
password_init(void)
{
	/* 0 = initialised now, 1 = already initialised; both are fine. */
	return sodium_init() < 0 ? -1 : 0;
}

int
password_hash(const char *pw, char out[PASSWORD_HASH_MAX])
{
	if (password_init() < 0)
		return -1;
	if (crypto_pwhash_str(out, pw, strlen(pw), crypto_pwhash_OPSLIMIT_INTERACTIVE,
			      crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
		return -1;
	return 0;
}

/* A hash from the database must be a NUL-terminated string that fits. */
static int
valid_hash_string(const char *hash)
{
	return hash != NULL && strnlen(hash, crypto_pwhash_STRBYTES) < crypto_pwhash_STRBYTES;
}

int
password_verify(const char *hash, const char *pw)
{
	if (!valid_hash_string(hash) || pw == NULL || password_init() < 0)
		return 0;
	return crypto_pwhash_str_verify(hash, pw, strlen(pw)) == 0;
}

int
password_needs_rehash(const char *hash)
{
	int rc;

	if (!valid_hash_string(hash) || password_init() < 0)
		return -1;
	rc = crypto_pwhash_str_needs_rehash(hash, crypto_pwhash_OPSLIMIT_INTERACTIVE,
					    crypto_pwhash_MEMLIMIT_INTERACTIVE);
	return rc < 0 ? -1 : rc;
}

int
password_check_policy(const char *pw, struct zt_err *err)
{
	size_t len = pw ? strnlen(pw, PASSWORD_MAX_LEN + 1) : 0;
	int letters = 0, digits = 0, other = 0;

	if (len < PASSWORD_MIN_LEN || len > PASSWORD_MAX_LEN)
		return err_set(err, ZT_EINVAL, "password", "length",
			       "password must be %d to %d bytes long", PASSWORD_MIN_LEN,
			       PASSWORD_MAX_LEN);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)pw[i];

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
			letters = 1;
		else if (c >= '0' && c <= '9')
			digits = 1;
		else
			other = 1;
	}
	if (letters + digits + other < 2)
		return err_set(
		    err, ZT_EINVAL, "password", "weak",
		    "password must mix at least two of: letters, digits, other characters");
	return 0;
}
