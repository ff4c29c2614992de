/* dbtools.h - database tools of the command line: `zhengtong db copy` moves a
 * node's data between databases (either backend, either direction) and
 * `zhengtong backup` makes a consistent backup of the configured database. */
#ifndef ZT_DBTOOLS_H
#define ZT_DBTOOLS_H

#define DBTOOLS_COPY_USAGE "zhengtong db copy --from URL --to URL [--force]"
#define DBTOOLS_COPY_HELP                                                                          \
	"Copies a node's data from one database to another, between SQLite and PostgreSQL in\n"    \
	"either direction (URL: a SQLite file path or sqlite:PATH, or postgres://...). The\n"      \
	"target is migrated to the current schema and must hold no data (no users, no audit\n"     \
	"records) unless --force, which replaces everything in it. The source must be at the\n"    \
	"current schema version (run 'zhengtong migrate' on it first) and is read in one\n"        \
	"consistent snapshot, so a running node may keep serving from it. Every table is\n"        \
	"copied in one transaction on the target, keeping ids; PostgreSQL identity sequences\n"    \
	"and the search index are rebuilt. Before the commit, row counts are compared table by\n"  \
	"table and the audit chain is verified on the target; a mismatch rolls everything back.\n" \
	"Progress goes to stderr. Exits 0 when the copy is verified and committed, 1 otherwise\n"  \
	"(the mismatch is named). Uploaded files live in the data directory, not in the\n"         \
	"database: copy or share that directory separately."
#define DBTOOLS_BACKUP_USAGE "zhengtong backup --to PATH [--config FILE]"
#define DBTOOLS_BACKUP_HELP                                                                        \
	"Writes a consistent backup of the configured database to PATH while the node keeps\n"     \
	"running. SQLite: an online backup into a standalone database file, checked with\n"        \
	"PRAGMA integrity_check. PostgreSQL: pg_dump --format=custom (pg_dump must be on\n"        \
	"PATH), checked with pg_restore --list. The backup is written next to PATH and renamed\n"  \
	"into place only when complete and checked. Prints its size and duration. Uploaded\n"      \
	"files in the data directory are not included."

/* `db copy`: argv holds the options after "db copy". Returns the exit
 * status: 0 copied and verified, 1 failed or refused, 2 usage error. */
int dbtools_copy(int argc, char **argv);

/* `backup`: argv holds the options after "backup"; config_path is the
 * --config file or NULL. Returns the exit status (0, 1, or 2 for usage). */
int dbtools_backup(const char *config_path, int argc, char **argv);

#endif
