#!/usr/bin/env bash
# Installs s3rver (a local S3 server for the archival tests) into <repo>/.tools, idempotently.
# Installs Debian's nodejs and npm first when node is missing (root only).
#   bash scripts/install-s3rver.sh        -> prints the path of the s3rver binary
# The tests find it there (or through the S3RVER_BIN environment variable).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
version=3.7.1
tools="$root/.tools"
bin="$tools/node_modules/.bin/s3rver"
package_json="$tools/node_modules/s3rver/package.json"

installed_version() {
  [[ -f "$package_json" ]] || return 1
  node -e 'process.stdout.write(require(process.argv[1]).version)' "$package_json" 2>/dev/null
}

if [[ -x "$bin" && "$(installed_version || true)" == "$version" ]]; then
  echo "$bin"
  exit 0
fi

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

echo "Installing s3rver@$version into $tools ..." >&2
mkdir -p "$tools"
npm install --prefix "$tools" "s3rver@$version" --save-exact --no-audit --no-fund --loglevel=error >&2
if [[ ! -x "$bin" ]]; then
  echo "s3rver was not installed at $bin" >&2
  exit 1
fi
echo "$bin"
