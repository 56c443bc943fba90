#!/usr/bin/env bash
# Installs the npm tools of the TypeScript client (clients/typescript: openapi-typescript, openapi-fetch, tsc) and of the
# operator console (web: esbuild), exactly as their package-lock.json pin them, then builds the console into web/dist.
# Idempotent: npm ci runs again only when a lock file changed. Installs Debian's nodejs and npm first when node is
# missing (root only).
#   bash scripts/install-web-tools.sh     -> prints the path of the built console (web/dist)
# The tests find the tools in <dir>/node_modules/.bin and the console in web/dist; scripts/test.sh requires them.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  if [[ $(id -u) -ne 0 ]]; then
    echo "node and npm are missing: install them (sudo apt-get install -y nodejs npm) or run this script as root." >&2
    exit 1
  fi
  echo "Installing nodejs npm ..." >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq --no-install-recommends nodejs npm >&2
fi

for project in clients/typescript web; do
  dir="$root/$project"
  stamp="$dir/node_modules/.installed-lock.sha256"
  want=$(sha256sum "$dir/package-lock.json" | cut -d' ' -f1)
  if [[ -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
    continue
  fi
  echo "npm ci in $project ..." >&2
  (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error >&2)
  echo "$want" > "$stamp"
done

# The console imports the client's sources, so it is rebuilt every time (esbuild takes well under a second).
(cd "$root/web" && node build.mjs >&2)
echo "$root/web/dist"
