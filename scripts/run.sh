#!/usr/bin/env bash
# Starts the whole app with the Aspire dashboard: installs PostgreSQL and Redis if they are missing,
# then runs the AppHost (containers when Docker can run the images, else the installed binaries).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
source "$root/scripts/prerequisites.sh"
ensure_packages run
exec dotnet run --project "$root/src/Platform.AppHost" -- "$@"
