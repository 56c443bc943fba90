#!/usr/bin/env bash
# Starts/stops a private Docker engine (dockerd) whose whole state lives in STATE_DIR.
#
#   scripts/docker-engine.sh start STATE_DIR   # prints the DOCKER_HOST value on stdout
#   scripts/docker-engine.sh stop  STATE_DIR
#   scripts/docker-engine.sh status STATE_DIR  # exit 0 when the engine answers
#
# The engine runs as root with no iptables rules and no default bridge
# (--iptables=false --ip6tables=false --bridge=none). Images cannot be pulled on
# this machine; build them with scripts/build-local-images.sh.
# Keep STATE_DIR outside the repository (e.g. /tmp/dk).
# DOCKER_ENGINE_ARGS adds dockerd arguments at start (split on spaces), e.g. a TLS endpoint:
#   DOCKER_ENGINE_ARGS="--host tcp://127.0.0.1:2376 --tlsverify --tlscacert ca.pem --tlscert server-cert.pem --tlskey server-key.pem"
set -euo pipefail

usage() {
  echo "usage: $0 start|stop|status STATE_DIR" >&2
  exit 2
}

[ $# -eq 2 ] || usage
cmd=$1
state_dir=$2
case "$state_dir" in
  /*) ;;
  *) state_dir="$(pwd)/$state_dir" ;;
esac

sock="$state_dir/docker.sock"
pidfile="$state_dir/docker.pid"
logfile="$state_dir/dockerd.log"
docker_host="unix://$sock"
start_timeout=${DOCKER_ENGINE_START_TIMEOUT:-60}
stop_timeout=${DOCKER_ENGINE_STOP_TIMEOUT:-30}

engine_pid() {
  # Prints the pid when the pid file names a live dockerd process.
  [ -f "$pidfile" ] || return 1
  local pid
  pid=$(cat "$pidfile" 2>/dev/null || true)
  [ -n "$pid" ] || return 1
  alive "$pid" || return 1
  case "$(cat "/proc/$pid/comm" 2>/dev/null || true)" in
    dockerd) echo "$pid" ;;
    *) return 1 ;;
  esac
}

alive() {
  # kill -0 succeeds on zombies; look at the process state as well.
  local state
  state=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null || true)
  [ -n "$state" ] && [ "$state" != Z ]
}

answers() {
  docker -H "$docker_host" version --format '{{.Server.Version}}' >/dev/null 2>&1
}

require_tools() {
  if ! command -v dockerd >/dev/null 2>&1; then
    echo "error: dockerd is not installed (Debian: apt-get install -y docker.io)" >&2
    exit 3
  fi
  if ! command -v docker >/dev/null 2>&1; then
    echo "error: the docker CLI is not installed (Debian: apt-get install -y docker.io)" >&2
    exit 3
  fi
  if [ "$(id -u)" -ne 0 ]; then
    echo "error: dockerd must be started as root" >&2
    exit 3
  fi
}

start() {
  require_tools
  mkdir -p "$state_dir/data"

  if pid=$(engine_pid); then
    if answers; then
      echo "$docker_host"
      return 0
    fi
    # Running but not answering yet (e.g. a concurrent start): wait below.
  else
    # Stale pid file / socket from a dead engine.
    rm -f "$pidfile" "$sock"
    # setsid: the engine must not die with the caller's session or get its signals.
    # shellcheck disable=SC2086 # DOCKER_ENGINE_ARGS is a list of arguments
    setsid dockerd ${DOCKER_ENGINE_ARGS:-} \
      --iptables=false --ip6tables=false --bridge=none \
      --data-root "$state_dir/data" \
      --exec-root "$state_dir/exec" \
      --host "$docker_host" \
      --pidfile "$pidfile" \
      >>"$logfile" 2>&1 </dev/null &
    launcher_pid=$!
  fi

  local waited=0 launcher_pid=${launcher_pid:-}
  until answers; do
    if [ "$waited" -ge $((start_timeout * 2)) ]; then
      echo "error: dockerd did not answer on $sock within ${start_timeout}s; last log lines ($logfile):" >&2
      tail -n 20 "$logfile" >&2 || true
      exit 1
    fi
    if [ "$waited" -gt 4 ] && ! engine_pid >/dev/null \
      && { [ -z "$launcher_pid" ] || ! alive "$launcher_pid"; }; then
      echo "error: dockerd exited during start-up; last log lines ($logfile):" >&2
      tail -n 20 "$logfile" >&2 || true
      exit 1
    fi
    sleep 0.5
    waited=$((waited + 1))
  done
  echo "$docker_host"
}

stop() {
  local pid
  if ! pid=$(engine_pid); then
    rm -f "$pidfile"
    echo "dockerd for $state_dir is not running" >&2
    return 0
  fi
  kill -TERM "$pid"
  local waited=0
  while alive "$pid"; do
    if [ "$waited" -ge $((stop_timeout * 2)) ]; then
      echo "dockerd ($pid) did not stop within ${stop_timeout}s; sending SIGKILL" >&2
      kill -KILL "$pid" 2>/dev/null || true
      break
    fi
    sleep 0.5
    waited=$((waited + 1))
  done
  rm -f "$pidfile"
  echo "dockerd for $state_dir stopped" >&2
}

status() {
  if engine_pid >/dev/null && answers; then
    echo "$docker_host"
    return 0
  fi
  echo "dockerd for $state_dir is not running" >&2
  return 1
}

case "$cmd" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  *) usage ;;
esac
