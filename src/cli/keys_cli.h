/* keys_cli.h - the data keyring at startup (load, check against the
 * database, one-time encryption of clear values) and `zhengtong keys`
 * (status, rotate, remove). See src/crypto/fieldenc.h. */
#ifndef ZT_KEYS_CLI_H
#define ZT_KEYS_CLI_H

#include "base/err.h"

#define CLI_KEYS_USAGE                                                                             \
	"zhengtong keys status|rotate [--lookup] [--resume] [--batch N]|remove VERSION "           \
	"[--lookup]|lookup VALUE...|open"
#define CLI_KEYS_HELP                                                                              \
	"Manages the data keys of encryption at rest (data_key_file, default\n"                    \
	"<data_dir>/data.key; back it up apart from the database: without it the encrypted\n"      \
	"fields cannot be read).\n"                                                                \
	"  status            key versions and how many stored values use each\n"                   \
	"  rotate            adds a new SM4/HMAC-SM3 key version, makes it current and\n"          \
	"                    re-encrypts every encrypted value in batches (one transaction\n"      \
	"                    each; --batch N rows, default 500). Restartable: --resume only\n"     \
	"                    re-encrypts what is not yet under the current version.\n"             \
	"  rotate --lookup   adds a new lookup key and recomputes every blind index (ID\n"         \
	"                    numbers, subjects) from the decrypted values in one transaction.\n"   \
	"  remove V          drops key version V from the key file once no value uses it.\n"       \
	"  lookup VALUE...   prints the blind index stored for each VALUE (an ID number or "       \
	"credit\n"                                                                                 \
	"                    code in its normal form), to find its rows with SQL.\n"               \
	"  open              decrypts each line of stdin (an enc1: value, or a stored row\n"       \
	"                    as JSON with its encrypted members) to stdout.\n"                     \
	"Running servers notice the changed key file within a second; SIGHUP reloads at once."

/* After migrating: loads the key file (creating it when the database holds
 * nothing encrypted yet), checks it against the fingerprints recorded in
 * the database, records new ones, and encrypts any value still in clear
 * (once; marked in node_meta). 0 or an error. */
int keys_startup(struct zt_err *err);

/* argv starts after "keys". */
int cli_keys(int argc, char **argv);

#endif
