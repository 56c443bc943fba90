#!/usr/bin/env bash
# Starts the whole app with the Aspire dashboard: installs PostgreSQL and Redis if they are missing,
# then runs the AppHost (containers when Docker can run the images, else the installed binaries).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
source "$root/scripts/prerequisites.sh"
ensure_packages run
# The local S3 server for audit archival (the AppHost runs it when present).
bash "$root/scripts/install-s3rver.sh" >/dev/null || echo "s3rver could not be installed: audit archival will have no S3 server" >&2
# The operator console (the API serves web/dist under /console when it is there).
bash "$root/scripts/install-web-tools.sh" >/dev/null || echo "The console could not be built: /console will be 404" >&2
exec dotnet run --project "$root/src/Platform.AppHost" -- "$@"
