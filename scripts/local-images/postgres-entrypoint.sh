#!/bin/sh
# Entrypoint of platform-local/postgres (built by scripts/build-local-images.sh).
# Follows the contract of the official postgres image's docker-entrypoint.sh for
# what Aspire uses:
#   POSTGRES_USER (default postgres), POSTGRES_PASSWORD, POSTGRES_DB (default
#   POSTGRES_USER; created when it is not "postgres"),
#   POSTGRES_HOST_AUTH_METHOD (default scram-sha-256), POSTGRES_INITDB_ARGS,
#   POSTGRES_INITDB_WALDIR, PGDATA (default /var/lib/postgresql/data),
#   /docker-entrypoint-initdb.d/*.sh|*.sql|*.sql.gz on first start.
# CMD is ["postgres"]; extra container args are forwarded to the server.
# Runs under busybox sh.
set -eu

PG_BIN=/usr/lib/postgresql/15/bin
PG_UID=999
PG_GID=999
# util-linux setpriv, by path: busybox sh prefers its own applets, and busybox's
# setpriv has no --reuid/--regid.
SETPRIV=/usr/bin/setpriv

: "${PGDATA:=/var/lib/postgresql/data}"
: "${POSTGRES_USER:=postgres}"
: "${POSTGRES_PASSWORD:=}"
: "${POSTGRES_DB:=$POSTGRES_USER}"
: "${POSTGRES_HOST_AUTH_METHOD:=}"
: "${POSTGRES_INITDB_ARGS:=}"
: "${POSTGRES_INITDB_WALDIR:=}"
export PGDATA

log() { echo "entrypoint: $*" >&2; }

as_postgres() {
  # Run a command as the postgres user (uid/gid 999) with no supplementary groups.
  "$SETPRIV" --reuid="$PG_UID" --regid="$PG_GID" --clear-groups -- "$@"
}

# Same argument handling as the official image: "-c x=y" style args mean "postgres -c x=y".
if [ $# -eq 0 ]; then
  set -- postgres
fi
case "$1" in
  -*) set -- postgres "$@" ;;
esac
if [ "$1" != postgres ]; then
  exec "$@"
fi
shift # drop "postgres"; the rest are server args

if [ "$(id -u)" = 0 ]; then
  mkdir -p "$PGDATA" /var/run/postgresql
  chmod 00700 "$PGDATA" 2>/dev/null || true
  chmod 03775 /var/run/postgresql
  # Volumes and bind mounts come in owned by someone else.
  if [ "$(stat -c %u "$PGDATA")" != "$PG_UID" ]; then
    chown -R "$PG_UID:$PG_GID" "$PGDATA"
  fi
  chown "$PG_UID:$PG_GID" /var/run/postgresql
  if [ -n "$POSTGRES_INITDB_WALDIR" ]; then
    mkdir -p "$POSTGRES_INITDB_WALDIR"
    chown -R "$PG_UID:$PG_GID" "$POSTGRES_INITDB_WALDIR"
    chmod 700 "$POSTGRES_INITDB_WALDIR"
  fi
  run=as_postgres
else
  run=""
fi

if [ ! -s "$PGDATA/PG_VERSION" ]; then
  if [ -z "$POSTGRES_PASSWORD" ] && [ "$POSTGRES_HOST_AUTH_METHOD" != trust ]; then
    cat >&2 <<'EOF'
Error: Database is uninitialized and superuser password is not specified.
       You must specify POSTGRES_PASSWORD to a non-empty value for the
       superuser. For example, "-e POSTGRES_PASSWORD=password" on "docker run".
       (or set POSTGRES_HOST_AUTH_METHOD=trust to allow all connections
       without a password; not recommended)
EOF
    exit 1
  fi

  log "initialising database cluster in $PGDATA"
  pwfile=$(mktemp /tmp/pgpw.XXXXXX)
  printf '%s\n' "$POSTGRES_PASSWORD" >"$pwfile"
  if [ "$(id -u)" = 0 ]; then chown "$PG_UID:$PG_GID" "$pwfile"; fi
  chmod 600 "$pwfile"

  if [ -n "$POSTGRES_INITDB_WALDIR" ]; then
    waldir_args="--waldir $POSTGRES_INITDB_WALDIR"
  else
    waldir_args=""
  fi
  # POSTGRES_INITDB_ARGS is word-split on purpose, like the official image.
  # shellcheck disable=SC2086
  $run "$PG_BIN/initdb" --username="$POSTGRES_USER" --pwfile="$pwfile" \
    --encoding=UTF8 --locale=C.UTF-8 $waldir_args $POSTGRES_INITDB_ARGS >&2
  rm -f "$pwfile"

  # pg_hba.conf: initdb wrote the local/loopback lines (auth from POSTGRES_INITDB_ARGS,
  # trust when not given); allow every other host with the requested method.
  auth=${POSTGRES_HOST_AUTH_METHOD:-scram-sha-256}
  if [ "$auth" = trust ]; then
    log "warning: POSTGRES_HOST_AUTH_METHOD=trust allows every connection without a password"
  fi
  printf '\nhost all all all %s\n' "$auth" >>"$PGDATA/pg_hba.conf"

  # Temporary server on the unix socket only, for database creation and init scripts.
  export PGPASSWORD="$POSTGRES_PASSWORD"
  $run "$PG_BIN/pg_ctl" -D "$PGDATA" -o "-c listen_addresses='' -p 5432" -w start >&2

  psql_base="$PG_BIN/psql -v ON_ERROR_STOP=1 --no-password --no-psqlrc -h /var/run/postgresql -p 5432 --username $POSTGRES_USER"
  if [ -n "$POSTGRES_DB" ] && [ "$POSTGRES_DB" != postgres ]; then
    log "creating database $POSTGRES_DB"
    # shellcheck disable=SC2086
    $run $psql_base --dbname postgres --set db="$POSTGRES_DB" >&2 <<'EOSQL'
CREATE DATABASE :"db";
EOSQL
  fi

  if [ -d /docker-entrypoint-initdb.d ]; then
    target_db=$POSTGRES_DB
    for f in /docker-entrypoint-initdb.d/*; do
      [ -e "$f" ] || continue
      case "$f" in
        *.sh)
          log "running $f"
          if [ -x "$f" ]; then $run "$f" >&2; else $run sh "$f" >&2; fi
          ;;
        *.sql)
          log "running $f"
          # shellcheck disable=SC2086
          $run $psql_base --dbname "$target_db" -f "$f" >&2
          ;;
        *.sql.gz)
          log "running $f"
          # shellcheck disable=SC2086
          gzip -dc "$f" | $run $psql_base --dbname "$target_db" >&2
          ;;
        *) log "ignoring $f" ;;
      esac
    done
  fi

  $run "$PG_BIN/pg_ctl" -D "$PGDATA" -m fast -w stop >&2
  unset PGPASSWORD
  log "PostgreSQL init process complete; ready for start up"
else
  log "PostgreSQL database directory appears to contain a database; skipping initialization"
fi

# exec: postgres becomes PID 1 and gets docker's stop signal.
if [ -n "$run" ]; then
  exec "$SETPRIV" --reuid="$PG_UID" --regid="$PG_GID" --clear-groups -- \
    "$PG_BIN/postgres" -D "$PGDATA" -c listen_addresses='*' "$@"
fi
exec "$PG_BIN/postgres" -D "$PGDATA" -c listen_addresses='*' "$@"
