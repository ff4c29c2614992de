#!/bin/sh
# promote.sh - fail-over: turns this standby into the primary.
#
#   sudo -u postgres deploy/postgresql/promote.sh
#
# ONLY after the old primary is certainly down (powered off or fenced): two
# primaries would split the data. Steps:
#   1. promote (pg_promote: end recovery, start a new timeline), wait for it;
#   2. clear synchronous_standby_names: with no standby attached yet, every
#      commit would wait for one forever (re-set it when a new standby runs);
#   3. print the new timeline.
# Then restart the app processes (`systemctl restart 'zhengtong@*'` on every
# app host): they connect at start and do not reconnect by themselves; with
# ZT_DB listing both hosts and target_session_attrs=read-write they find the
# new primary without a config change (docs/deploy.md).
#
# Settings: the usual libpq variables (PGHOST, PGPORT, PGUSER; default the
# local socket as postgres). Exercised by tests/cluster/deploy.test.mjs.
set -eu

PSQL=${PSQL:-psql}
q() {
	"$PSQL" -X -q -At -v ON_ERROR_STOP=1 -d postgres -c "$1"
}

if [ "$(q 'SELECT pg_is_in_recovery()')" != t ]; then
	echo "$0: this server is not a standby (already primary?)" >&2
	exit 1
fi
[ "$(q 'SELECT pg_promote(true, 60)')" = t ] || {
	echo "$0: promotion did not finish within 60 s" >&2
	exit 1
}
q "ALTER SYSTEM SET synchronous_standby_names = ''"
q 'SELECT pg_reload_conf()' >/dev/null
tl=$(q "SELECT ('x' || substr(pg_walfile_name(pg_current_wal_lsn()), 1, 8))::bit(32)::int")
echo "promoted: this server is the primary now (timeline $tl)"
