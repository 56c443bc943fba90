#!/usr/bin/env bash
# Builds the agent test image platform-local/agent-runtime:test with `docker import` (no pull,
# no registry): busybox-static as /bin/busybox with the applets sh, sleep, test, touch, rm, cat
# (and a few more) as symlinks, an empty /tmp (mode 1777), CMD ["/bin/sleep","3600"].
# Idempotent: an existing tag is kept (--force rebuilds it).
#
# Usage: scripts/build-agent-image.sh [--force] [TAG]
# Uses the docker engine in DOCKER_HOST (see scripts/docker-engine.sh). Prints one line:
# "<tag> built|exists".
set -euo pipefail

force=0
tag=platform-local/agent-runtime:test
for arg in "$@"; do
  case "$arg" in
    --force) force=1 ;;
    -h|--help) sed -n '2,9p' "$0"; exit 0 ;;
    -*) echo "error: unknown option '$arg'" >&2; exit 2 ;;
    *) tag=$arg ;;
  esac
done

die() { echo "error: $*" >&2; exit 1; }

command -v docker >/dev/null 2>&1 || die "the docker CLI is not installed"
docker version --format '{{.Server.Version}}' >/dev/null 2>&1 \
  || die "no docker engine answers at DOCKER_HOST='${DOCKER_HOST:-}' (start one: scripts/docker-engine.sh start /tmp/dk)"

busybox=""
for candidate in /usr/bin/busybox /bin/busybox; do
  [ -x "$candidate" ] && { busybox=$candidate; break; }
done
[ -n "$busybox" ] || die "busybox is missing (apt-get install -y busybox-static)"
case "$(LC_ALL=C ldd "$busybox" 2>&1 || true)" in
  *"not a dynamic executable"*|*"statically linked"*) ;;
  *) die "$busybox is dynamically linked; install busybox-static" ;;
esac

# Concurrent callers (parallel test runs on one engine) build once.
lock="/tmp/build-agent-image.$(printf '%s' "${DOCKER_HOST:-default}|$tag" | sha256sum | cut -c1-16).lock"
exec 9>"$lock"
flock -w 120 9 || die "timed out waiting for $lock"

if [ "$force" -eq 0 ] && docker image inspect "$tag" >/dev/null 2>&1; then
  echo "$tag exists"
  exit 0
fi

work=$(mktemp -d /tmp/agent-image.XXXXXX)
trap 'rm -rf "$work"' EXIT
rootfs="$work/rootfs"
mkdir -p "$rootfs/bin" "$rootfs/tmp" "$rootfs/etc" "$rootfs/proc" "$rootfs/sys" "$rootfs/dev"
chmod 1777 "$rootfs/tmp"
cp "$busybox" "$rootfs/bin/busybox"
chmod 0755 "$rootfs/bin/busybox"
for applet in sh sleep test touch rm cat ls echo env ps kill; do
  ln -s busybox "$rootfs/bin/$applet"
done
ln -s test "$rootfs/bin/["
echo "root:x:0:0:root:/root:/bin/sh" >"$rootfs/etc/passwd"
echo "root:x:0:" >"$rootfs/etc/group"

tar --numeric-owner --owner=0 --group=0 -C "$rootfs" -cf "$work/agent.tar" .
docker import \
  -c 'CMD ["/bin/sleep","3600"]' \
  -c 'ENV PATH=/bin' \
  "$work/agent.tar" "$tag" >/dev/null
echo "$tag built"
