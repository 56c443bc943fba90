#!/usr/bin/env bash
# Soak: N minutes (default 10) of mixed traffic at a fixed rate against 2 Release API instances and the
# Release worker with its recurring jobs every 1-2 minutes; prints per-minute latency, RSS every 30 s, SSE
# and job counts, and appends a verdict table to bench/RESULTS.md. Loopback only; stops by itself.
#
#   bash bench/soak/run.sh [--minutes N] [--rate REQ_PER_S] [--subscribers N] [--apis N] [--tenants N] [--no-append]
#
# Runs inside bench/run.sh, so under the same lock, servers and Docker engine as the benchmarks.
set -euo pipefail
exec bash "$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/run.sh" soak "$@"
