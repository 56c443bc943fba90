#!/usr/bin/env bash
# Runs every test: installs what the tests need, starts a private Docker engine (root only), runs
# `dotnet test` on the solution, and ends with one line "N passed, N failed, N skipped".
# PostgreSQL and Redis are started by the test fixtures themselves, on free loopback ports.
set -uo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
source "$root/scripts/prerequisites.sh"
ensure_packages test
export S3RVER_BIN=$(bash "$root/scripts/install-s3rver.sh")
# The client's and console's npm tools and the built console: the TypeScript and browser tests fail without them here.
bash "$root/scripts/install-web-tools.sh" >/dev/null
export PLATFORM_REQUIRE_WEB_TOOLS=1
set -e

state=$(mktemp -d /tmp/platform-test.XXXXXX)
log="$state/dotnet-test.log"
cleanup() {
  [[ -n "${engine_started:-}" ]] && bash "$root/scripts/docker-engine.sh" stop "$state/docker" >/dev/null 2>&1 || true
  rm -rf "$state" 2>/dev/null || true
}
trap cleanup EXIT

if [[ $(id -u) -eq 0 ]]; then
  DOCKER_HOST=$(bash "$root/scripts/docker-engine.sh" start "$state/docker")
  export DOCKER_HOST engine_started=1
  export PLATFORM_REQUIRE_DOCKER=1
  echo "Docker engine: $DOCKER_HOST"
fi

cd "$root"
set +e
dotnet test Platform.sln "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e

summary() { grep -E "^\s+$1:" "$log" | tail -n 1 | grep -oE '[0-9]+' || echo 0; }
passed=$(summary succeeded); failed=$(summary failed); skipped=$(summary skipped)
if [[ $status -ne 0 && $failed -eq 0 ]]; then
  failed=1   # the build or the runner failed before any test could
fi
echo "$passed passed, $failed failed, $skipped skipped"
exit "$status"
