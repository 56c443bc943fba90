#!/usr/bin/env bash
# Installs the Debian packages Platform needs when they are missing (sourced by run.sh and test.sh).
#   ensure_packages run    PostgreSQL and Redis (the AppHost's local mode)
#   ensure_packages test   plus the Docker engine and busybox-static (worker and container-mode tests) and Chromium
#                          (the browser tests drive the installed one through Playwright)
set -euo pipefail

have_postgres() {
  command -v postgres >/dev/null 2>&1 || compgen -G "/usr/lib/postgresql/*/bin/postgres" >/dev/null
}

ensure_packages() {
  local wanted=()
  have_postgres || wanted+=(postgresql)
  id postgres >/dev/null 2>&1 || wanted+=(postgresql)
  command -v redis-server >/dev/null 2>&1 || wanted+=(redis-server)
  command -v setpriv >/dev/null 2>&1 || wanted+=(util-linux)
  if [[ "${1:-run}" == test ]]; then
    command -v dockerd >/dev/null 2>&1 || wanted+=(docker.io)
    [[ -x /bin/busybox ]] || wanted+=(busybox-static)
    [[ -x /usr/bin/chromium ]] || wanted+=(chromium)
  fi
  [[ ${#wanted[@]} -eq 0 ]] && return 0

  if [[ $(id -u) -ne 0 ]]; then
    echo "Missing packages: ${wanted[*]}. Install them (sudo apt-get install -y ${wanted[*]}) or run this script as root." >&2
    exit 1
  fi
  echo "Installing ${wanted[*]} ..."
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # policy-rc.d keeps the packages from starting system-wide services: Platform starts its own.
  printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
  apt-get install -y -qq --no-install-recommends "${wanted[@]}" >/dev/null
  rm -f /usr/sbin/policy-rc.d
}
