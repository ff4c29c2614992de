#!/bin/sh
# standby-setup.sh - makes this host a streaming standby of the primary:
# pg_basebackup --write-recovery-conf (-R) into an empty data directory,
# through a replication slot, with the application_name that the primary's
# synchronous_standby_names lists.
#
#   sudo -u postgres PGPASSWORD=... deploy/postgresql/standby-setup.sh db1.example 5432
#   systemctl start postgresql@15-main
#
# Settings (environment):
#   PGDATA        data directory to create        (/var/lib/postgresql/15/main)
#   STANDBY_NAME  application_name and slot name   (zt_standby1)
#   REPL_USER     replication role                 (replicator)
#   SSLMODE       libpq sslmode to the primary     (verify-full; needs ~/.postgresql/root.crt)
#   PG_BINDIR     PostgreSQL programs              (/usr/lib/postgresql/15/bin)
#   REUSE_SLOT=1  the slot already exists on the primary (a re-run)
# The password comes from PGPASSWORD or ~/.pgpass, never the command line.
# The server must be stopped and PGDATA empty or absent (move an old one
# aside first: this script never deletes data). On Debian, also copy
# /etc/postgresql/15/main/conf.d/zhengtong.conf from the primary.
#
# Exercised by tests/cluster/deploy.test.mjs (a primary and this standby on
# loopback ports, then a fail-over with promote.sh).
set -eu

usage() {
	echo "usage: $0 PRIMARY_HOST [PRIMARY_PORT]" >&2
	exit 2
}
if [ $# -lt 1 ] || [ $# -gt 2 ]; then usage; fi
primary=$1
port=${2:-5432}
PGDATA=${PGDATA:-/var/lib/postgresql/15/main}
STANDBY_NAME=${STANDBY_NAME:-zt_standby1}
REPL_USER=${REPL_USER:-replicator}
SSLMODE=${SSLMODE:-verify-full}
PG_BINDIR=${PG_BINDIR:-/usr/lib/postgresql/15/bin}

case $STANDBY_NAME in
*[!a-z0-9_]* | '') echo "$0: STANDBY_NAME must be [a-z0-9_]+" >&2; exit 2 ;;
esac
if [ "$(id -u)" -eq 0 ]; then
	echo "$0: run as the postgres user (sudo -u postgres $0 ...)" >&2
	exit 2
fi
if [ -d "$PGDATA" ] && [ -n "$(ls -A "$PGDATA")" ]; then
	echo "$0: $PGDATA is not empty; stop PostgreSQL and move it aside first" >&2
	exit 1
fi
mkdir -p "$PGDATA"
chmod 700 "$PGDATA"

slot_opt=--create-slot
[ "${REUSE_SLOT:-0}" = 1 ] && slot_opt=

# -R writes primary_conninfo (with application_name) and primary_slot_name
# into postgresql.auto.conf and creates standby.signal.
# shellcheck disable=SC2086
"$PG_BINDIR/pg_basebackup" \
	--pgdata="$PGDATA" \
	--dbname="host=$primary port=$port user=$REPL_USER sslmode=$SSLMODE application_name=$STANDBY_NAME" \
	--write-recovery-conf \
	--wal-method=stream \
	$slot_opt --slot="$STANDBY_NAME" \
	--checkpoint=fast \
	--no-password \
	--progress

grep -q "application_name=$STANDBY_NAME" "$PGDATA/postgresql.auto.conf" || {
	echo "$0: primary_conninfo lacks application_name=$STANDBY_NAME" >&2
	exit 1
}
[ -f "$PGDATA/standby.signal" ] || { echo "$0: standby.signal missing" >&2; exit 1; }
echo "standby $STANDBY_NAME ready in $PGDATA (replicating from $primary:$port); start PostgreSQL now"
