#!/usr/bin/env bash
# Runs PostgreSQL and Redis from the machine's own binaries for the AppHost's local mode.
#   local-infra.sh postgres-init   (PG_DATA, PG_PASSWORD)       one-shot: initdb if needed, sync the password
#   local-infra.sh postgres        (PG_DATA, PG_PORT)           exec's the server on 127.0.0.1:PG_PORT
#   local-infra.sh postgres-read-init (PG_DATA, PRIMARY_PORT, PG_PASSWORD) one-shot: pg_basebackup -R from the running
#                                  primary if needed (again if the primary's cluster changed), point it at the primary's port
#   local-infra.sh postgres-read   (PG_DATA, PG_PORT)           exec's the hot standby on 127.0.0.1:PG_PORT
#   local-infra.sh redis           (REDIS_DIR, REDIS_PORT, REDIS_PASSWORD)
# postgres refuses to run as root, so as root it runs as the 'postgres' user.
set -euo pipefail

pg_bindir() {
  if command -v postgres >/dev/null 2>&1; then dirname "$(command -v postgres)"; return; fi
  local dir
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  [[ -n "$dir" ]] || { echo "local-infra: PostgreSQL is not installed (apt-get install postgresql)" >&2; exit 1; }
  echo "$dir"
}

as_postgres() {
  if [[ $(id -u) -eq 0 ]]; then
    exec_prefix=(setpriv --reuid=postgres --regid=postgres --init-groups --)
  else
    exec_prefix=()
  fi
}

# As root, a repository under a folder only root may enter (/root, or one made by mktemp -d) puts PG_DATA where the
# postgres user cannot go. The data then lives under the postgres user's home instead, at a path derived from PG_DATA,
# so postgres-init and postgres agree on it and the next run finds the same data.
resolve_pg_data() {
  [[ $(id -u) -eq 0 ]] || return 0
  local parent=$PG_DATA
  while [[ ! -d "$parent" ]]; do parent=$(dirname "$parent"); done
  "${exec_prefix[@]}" test -x "$parent" && return 0
  local home
  home=$(getent passwd postgres | cut -d: -f6)
  local moved="${home:-/var/lib/postgresql}/platform-local/$(printf '%s' "$PG_DATA" | sha256sum | cut -c1-16)/data"
  echo "local-infra: the postgres user cannot reach $PG_DATA; PostgreSQL keeps its data in $moved instead" >&2
  mkdir -p "$(dirname "$(dirname "$moved")")"
  chown postgres:postgres "$(dirname "$(dirname "$moved")")"
  PG_DATA=$moved
}

: "${1:?usage: local-infra.sh postgres-init|postgres|redis}"
case "$1" in
  postgres-init)
    : "${PG_DATA:?}" "${PG_PASSWORD:?}"
    bin=$(pg_bindir); as_postgres; resolve_pg_data
    mkdir -p "$PG_DATA"
    if [[ $(id -u) -eq 0 ]]; then
      chown postgres:postgres "$PG_DATA" "$(dirname "$PG_DATA")"
      if ! "${exec_prefix[@]}" test -w "$PG_DATA"; then
        echo "local-infra: the postgres user cannot reach $PG_DATA; choose a state folder every user can traverse (Infrastructure:StateDirectory)" >&2
        exit 1
      fi
    fi
    if [[ ! -f "$PG_DATA/PG_VERSION" ]]; then
      echo "Initialising PostgreSQL data folder $PG_DATA"
      "${exec_prefix[@]}" "$bin/initdb" -D "$PG_DATA" -U postgres --auth-local=trust --auth-host=scram-sha-256 \
        -E UTF8 --locale=C.UTF-8 >/dev/null
      printf '%s\n' "unix_socket_directories = '$PG_DATA'" "fsync = on" >> "$PG_DATA/postgresql.conf"
    fi
    # Single-user mode sets the password without a running server, so a changed parameter takes effect.
    escaped=${PG_PASSWORD//\'/\'\'}
    echo "ALTER USER postgres WITH PASSWORD '$escaped';" | "${exec_prefix[@]}" "$bin/postgres" --single -D "$PG_DATA" postgres >/dev/null
    echo "PostgreSQL data folder ready"
    ;;
  postgres)
    : "${PG_DATA:?}" "${PG_PORT:?}"
    bin=$(pg_bindir); as_postgres; resolve_pg_data
    # WAL kept for the read replica while it is stopped (it streams without a slot, so nothing pins WAL forever).
    exec "${exec_prefix[@]}" "$bin/postgres" -D "$PG_DATA" -p "$PG_PORT" -c listen_addresses=127.0.0.1 -k "$PG_DATA" \
      -c wal_keep_size=512MB
    ;;
  postgres-read-init)
    : "${PG_DATA:?}" "${PRIMARY_PORT:?}" "${PG_PASSWORD:?}"
    bin=$(pg_bindir); as_postgres; resolve_pg_data
    [[ -x "$bin/pg_basebackup" ]] || bin=$(dirname "$(readlink -f "$bin/postgres")")
    export PGPASSWORD=$PG_PASSWORD
    primary_id=$("$bin/psql" -h 127.0.0.1 -p "$PRIMARY_PORT" -U postgres -d postgres -Atc "SELECT system_identifier FROM pg_control_system()")
    if [[ -f "$PG_DATA/PG_VERSION" ]]; then
      replica_id=$("${exec_prefix[@]}" "$bin/pg_controldata" -D "$PG_DATA" | sed -n 's/^Database system identifier: *//p')
      if [[ "$replica_id" != "$primary_id" ]]; then
        echo "The primary was initialised again: making the read replica afresh"
        rm -rf "$PG_DATA"
      fi
    fi
    mkdir -p "$PG_DATA"
    if [[ $(id -u) -eq 0 ]]; then chown postgres:postgres "$PG_DATA" "$(dirname "$PG_DATA")"; chmod 700 "$PG_DATA"; fi
    if [[ ! -f "$PG_DATA/PG_VERSION" ]]; then
      echo "Copying the primary into $PG_DATA (pg_basebackup)"
      "${exec_prefix[@]}" "$bin/pg_basebackup" -h 127.0.0.1 -p "$PRIMARY_PORT" -U postgres \
        -D "$PG_DATA" -R -X stream --checkpoint=fast
    fi
    # The primary's port (its DCP proxy's) changes with every run: point the standby at this one. The password is quoted for libpq,
    # then the whole value for the configuration file.
    pq_password=${PG_PASSWORD//\\/\\\\}; pq_password=${pq_password//\'/\\\'}
    conninfo="host=127.0.0.1 port=$PRIMARY_PORT user=postgres password='$pq_password' application_name=postgres-read"
    conf="$PG_DATA/postgresql.auto.conf"
    value=${conninfo//\\/\\\\}; value=${value//\'/\'\'}
    { grep -v '^primary_conninfo' "$conf" || true; printf "primary_conninfo = '%s'\n" "$value"; } > "$conf.new"
    mv "$conf.new" "$conf"
    touch "$PG_DATA/standby.signal"
    if [[ $(id -u) -eq 0 ]]; then chown postgres:postgres "$conf" "$PG_DATA/standby.signal"; fi
    echo "Read replica data folder ready"
    ;;
  postgres-read)
    : "${PG_DATA:?}" "${PG_PORT:?}"
    bin=$(pg_bindir); as_postgres; resolve_pg_data
    exec "${exec_prefix[@]}" "$bin/postgres" -D "$PG_DATA" -p "$PG_PORT" -c listen_addresses=127.0.0.1 -k "$PG_DATA" -c hot_standby=on
    ;;
  redis)
    : "${REDIS_DIR:?}" "${REDIS_PORT:?}" "${REDIS_PASSWORD:?}"
    command -v redis-server >/dev/null || { echo "local-infra: redis-server is not installed (apt-get install redis-server)" >&2; exit 1; }
    mkdir -p "$REDIS_DIR"
    exec redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --dir "$REDIS_DIR" --requirepass "$REDIS_PASSWORD" \
      --save "" --appendonly no --daemonize no
    ;;
  *) echo "unknown command $1" >&2; exit 2 ;;
esac
