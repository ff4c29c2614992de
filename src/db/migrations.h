/* migrations.h - the embedded, numbered SQL migrations of each backend
 * (migrations/sqlite/NNN_name.sql, migrations/pg/NNN_name.sql). */
#ifndef ZT_MIGRATIONS_H
#define ZT_MIGRATIONS_H

struct migration {
	int version;
	const char *name;
	const char *sql;
};

/* Sorted by version, terminated by {0, NULL, NULL}. */
extern const struct migration db_migrations_sqlite[];
extern const struct migration db_migrations_pg[];

#endif
