#!/bin/sh
# Entrypoint of postgres-read in container mode: copies the primary with pg_basebackup -R (a fresh copy at every start,
# so it always matches the primary's current cluster) and runs it as a hot standby streaming from it.
# Works in the official postgres image and in scripts/build-local-images.sh's. Environment: PRIMARY_HOST, PRIMARY_PORT,
# PGPASSWORD (the primary's postgres superuser), PGDATA.
set -eu

: "${PGDATA:=/var/lib/postgresql/data}"
pg_bin=$(dirname "$(readlink -f "$(command -v postgres)")")
# The server runs as postgres (uid/gid 999 in both images): gosu in the official image, util-linux setpriv by path in the
# local one (busybox's lacks --reuid).
if command -v gosu >/dev/null 2>&1; then
  as_postgres="gosu postgres"
else
  as_postgres="/usr/bin/setpriv --reuid=999 --regid=999 --clear-groups --"
fi

rm -rf "$PGDATA"
mkdir -p "$PGDATA" /var/run/postgresql
chown 999:999 "$PGDATA" /var/run/postgresql
chmod 0700 "$PGDATA"

until $as_postgres "$pg_bin/pg_isready" -q -h "$PRIMARY_HOST" -p "$PRIMARY_PORT" -U postgres; do
  echo "postgres-read: waiting for the primary at $PRIMARY_HOST:$PRIMARY_PORT" >&2
  sleep 1
done

$as_postgres "$pg_bin/pg_basebackup" -h "$PRIMARY_HOST" -p "$PRIMARY_PORT" -U postgres -D "$PGDATA" -R -X stream --checkpoint=fast
echo "postgres-read: copied the primary; starting as a hot standby" >&2
exec $as_postgres "$pg_bin/postgres" -D "$PGDATA" -c listen_addresses='*' -c hot_standby=on
