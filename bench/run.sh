#!/usr/bin/env bash
# Runs the benchmarks (bench/run.sh [all | p1 ... p9]); their table goes to bench/RESULTS.md, the console to bench/results/.
# Starts its own PostgreSQL, Redis and S3 server on loopback (and, as root, a private Docker engine);
# every load is bounded in time and targets 127.0.0.1 only.
#   bench/soak/run.sh runs the soak through this script (bench/run.sh soak [--minutes N] ...).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

# One bench run at a time on this machine: overlapping runs would measure each other. flock(1) holds the
# lock in its own process (-o: not passed on), so no server this run starts can keep it after the run.
lock=${PLATFORM_BENCH_LOCK:-/tmp/platform-bench.lock}
if [[ "${PLATFORM_BENCH_LOCKED:-}" != "$lock" ]]; then
  flock -n "$lock" true 2>/dev/null || echo "Another bench run holds $lock; waiting for it (at most ${PLATFORM_BENCH_LOCK_WAIT:-7200} s) ..." >&2
  status=0
  PLATFORM_BENCH_LOCKED=$lock flock -w "${PLATFORM_BENCH_LOCK_WAIT:-7200}" -E 75 -o "$lock" bash "$root/bench/run.sh" "$@" || status=$?
  [[ $status -eq 75 ]] && echo "Gave up waiting for $lock." >&2
  exit $status
fi

source "$root/scripts/prerequisites.sh"
ensure_packages test
command -v wrk >/dev/null && command -v pgbench >/dev/null || { [[ $(id -u) -eq 0 ]] && apt-get install -y -qq wrk postgresql-client >/dev/null; }
export S3RVER_BIN=$(bash "$root/scripts/install-s3rver.sh")
state=$(mktemp -d /tmp/platform-bench.XXXXXX)
trap 'bash "$root/scripts/docker-engine.sh" stop "$state/docker" >/dev/null 2>&1 || true; rm -rf "$state"' EXIT
if [[ $(id -u) -eq 0 && -z "${DOCKER_HOST:-}" ]]; then
  export DOCKER_HOST=$(bash "$root/scripts/docker-engine.sh" start "$state/docker")
fi
# The console goes to bench/results/ too (the bench appends it there with the run's table).
export PLATFORM_BENCH_LOG="$state/console.log"
dotnet run -c Release --project "$root/bench/Platform.Bench" -- "$@" 2>&1 | tee "$PLATFORM_BENCH_LOG"
