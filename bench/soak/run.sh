#!/usr/bin/env bash
# Soak: N minutes (default 10) of mixed traffic at 120 req/s against 2 Release API instances and the Release worker
# with its recurring jobs every 1-2 minutes; appends its verdict rows to bench/RESULTS.md (bench/README.md). Loopback only.
#   bash bench/soak/run.sh [--minutes N] [--no-append]
# Runs inside bench/run.sh, so under the same lock, servers and Docker engine as the benchmarks.
set -euo pipefail
exec bash "$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/run.sh" soak "$@"
