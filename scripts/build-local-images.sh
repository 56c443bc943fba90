#!/usr/bin/env bash
# Builds the container images that Aspire's container mode uses on machines where
# no image can be pulled. Each image is a root filesystem made from this host's
# own binaries (Debian packages) plus the shared libraries they need, imported
# with `docker import`:
#
#   platform-local/postgres:15   PostgreSQL 15 (/usr/lib/postgresql/15) with an
#                                entrypoint compatible with the official image
#   platform-local/redis:<major> redis-server + redis-cli (Debian's, major 7 on Debian 12)
#
# Usage: scripts/build-local-images.sh [--force] [postgres|redis ...]
#   --force   rebuild even when the tag already exists
# Uses the docker engine in DOCKER_HOST (see scripts/docker-engine.sh).
# Prints one line per image: "<image:tag> built|exists <details>".
set -euo pipefail

script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
helpers="$script_dir/local-images"

PG_MAJOR=15
PG_PREFIX=/usr/lib/postgresql/$PG_MAJOR
POSTGRES_IMAGE=platform-local/postgres:$PG_MAJOR
REDIS_REPO=platform-local/redis
PG_UID=999
PG_GID=999

force=0
targets=()
for arg in "$@"; do
  case "$arg" in
    --force) force=1 ;;
    postgres|redis) targets+=("$arg") ;;
    -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
    *) echo "error: unknown argument '$arg' (expected --force, postgres, redis)" >&2; exit 2 ;;
  esac
done
[ ${#targets[@]} -gt 0 ] || targets=(postgres redis)

die() { echo "error: $*" >&2; exit 1; }

command -v docker >/dev/null 2>&1 || die "the docker CLI is not installed"
docker version --format '{{.Server.Version}}' >/dev/null 2>&1 \
  || die "no docker engine answers at DOCKER_HOST='${DOCKER_HOST:-}' (start one: scripts/docker-engine.sh start /tmp/dk)"
command -v ldd >/dev/null 2>&1 || die "ldd is not installed"
[ -x /usr/bin/busybox ] || die "/usr/bin/busybox is missing (apt-get install -y busybox-static)"
file_type=$(LC_ALL=C ldd /usr/bin/busybox 2>&1 || true)
case "$file_type" in
  *"not a dynamic executable"*|*"statically linked"*) ;;
  *) die "/usr/bin/busybox is dynamically linked; install busybox-static" ;;
esac
[ -x /usr/bin/setpriv ] || die "/usr/bin/setpriv is missing (util-linux)"

work=$(mktemp -d /tmp/local-images.XXXXXX)
cleanup() { rm -rf "$work"; }
trap cleanup EXIT

rootfs=""

# Copies a host file into the rootfs at the same path, following symlinks.
add_file() {
  local src=$1 dest=${2:-$1}
  [ -e "$src" ] || die "missing host file $src"
  mkdir -p "$rootfs$(dirname "$dest")"
  cp -L --preserve=mode "$src" "$rootfs$dest"
}

# Copies a host tree into the rootfs (symlinks inside it kept as they are).
add_tree() {
  local src=$1
  [ -d "$src" ] || die "missing host directory $src"
  mkdir -p "$rootfs$(dirname "$src")"
  cp -a "$src" "$rootfs$(dirname "$src")/"
}

# Prints the shared libraries (and loader) that the given ELF files need.
libs_of() {
  local f out
  for f in "$@"; do
    out=$(LC_ALL=C ldd "$f" 2>&1) || {
      case "$out" in
        *"not a dynamic executable"*) continue ;;
        *) die "ldd failed on $f: $out" ;;
      esac
    }
    if grep -q 'not found' <<<"$out"; then
      die "$f needs libraries that are not installed: $(grep 'not found' <<<"$out" | tr -s ' \t' ' ')"
    fi
    awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }' <<<"$out"
  done
}

# Copies ELF files and every library they need.
add_elf_with_libs() {
  local f lib
  for f in "$@"; do add_file "$f"; done
  while read -r lib; do
    [ -e "$rootfs$lib" ] || add_file "$lib"
  done < <(libs_of "$@" | sort -u)
}

# Debian 12 layout (merged /usr), busybox-static as /bin/sh and friends, setpriv,
# passwd/group, /tmp, /run.
new_rootfs() {
  rootfs="$work/$1"
  rm -rf "$rootfs"
  mkdir -p "$rootfs"/{usr/bin,usr/sbin,usr/lib,usr/lib64,usr/local/bin,etc,root,run,var/lib,var/log,tmp,proc,sys,dev}
  ln -s usr/bin "$rootfs/bin"
  ln -s usr/sbin "$rootfs/sbin"
  ln -s usr/lib "$rootfs/lib"
  ln -s usr/lib64 "$rootfs/lib64"
  ln -s /run "$rootfs/var/run"
  chmod 1777 "$rootfs/tmp"
  chmod 700 "$rootfs/root"

  add_file /usr/bin/busybox
  local applet
  while read -r applet; do
    [ -n "$applet" ] || continue
    # bin/... and sbin/... go to usr/ through the merged-/usr symlinks.
    if [ ! -e "$rootfs/$applet" ] && [ ! -L "$rootfs/$applet" ]; then
      mkdir -p "$rootfs/$(dirname "$applet")"
      ln -s /usr/bin/busybox "$rootfs/$applet"
    fi
  done < <(/usr/bin/busybox --list-full)

  # util-linux setpriv (busybox's lacks --reuid/--regid) to drop root in entrypoints.
  rm -f "$rootfs/usr/bin/setpriv"
  add_elf_with_libs /usr/bin/setpriv

  cat >"$rootfs/etc/nsswitch.conf" <<'EOF'
passwd: files
group: files
shadow: files
hosts: files dns
networks: files
protocols: files
services: files
EOF
  : >"$rootfs/etc/hosts"
  : >"$rootfs/etc/resolv.conf"
  echo "localhost" >"$rootfs/etc/hostname"
}

write_accounts() {
  # $@: extra "name uid gid home" entries
  {
    echo "root:x:0:0:root:/root:/bin/sh"
    local name uid gid home
    for entry in "$@"; do
      read -r name uid gid home <<<"$entry"
      echo "$name:x:$uid:$gid:$name:$home:/bin/sh"
    done
    echo "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin"
  } >"$rootfs/etc/passwd"
  {
    echo "root:x:0:"
    for entry in "$@"; do
      read -r name uid gid home <<<"$entry"
      echo "$name:x:$gid:"
    done
    echo "nogroup:x:65534:"
  } >"$rootfs/etc/group"
  chmod 644 "$rootfs/etc/passwd" "$rootfs/etc/group"
}

# Fingerprint of everything an image is made from: the host packages and these scripts.
# Stored as a label; an existing tag with another fingerprint is rebuilt.
fingerprint() {
  {
    dpkg-query -W -f='${Package} ${Version}\n' "$@" 2>/dev/null || true
    cat "${BASH_SOURCE[0]}" "$helpers"/*
  } | sha256sum | cut -c1-16
}

# import_image TAG STOPSIGNAL LABELS... -- CHANGES...
# docker import (dockerd 20.10 accepts CMD/ENTRYPOINT/ENV/EXPOSE/USER/VOLUME/WORKDIR
# there), then a no-context legacy `docker build` adds STOPSIGNAL and labels, which
# import does not accept. If that build is unavailable the imported image is kept.
import_image() {
  local tag=$1 stopsignal=$2; shift 2
  local labels=()
  while [ $# -gt 0 ] && [ "$1" != -- ]; do labels+=("$1"); shift; done
  shift
  local old_id out
  old_id=$(docker image inspect --format '{{.Id}}' "$tag" 2>/dev/null || true)
  tar --numeric-owner -C "$rootfs" -cf - . | docker import "$@" - "$tag" >/dev/null
  local dockerfile="FROM $tag"$'\n'
  [ -z "$stopsignal" ] || dockerfile+="STOPSIGNAL $stopsignal"$'\n'
  local l
  for l in "${labels[@]}"; do dockerfile+="LABEL ${l%%=*}=\"${l#*=}\""$'\n'; done
  if ! out=$(DOCKER_BUILDKIT=0 docker build -q -t "$tag" - <<<"$dockerfile" 2>&1); then
    echo "warning: could not add STOPSIGNAL/labels to $tag (legacy docker build failed): $out" >&2
  fi
  # Drop the image this build replaced, with its untagged imported parent
  # (the new image's imported parent is its base layer and stays).
  if [ -n "$old_id" ] && [ "$old_id" != "$(docker image inspect --format '{{.Id}}' "$tag")" ]; then
    docker rmi "$old_id" >/dev/null 2>&1 || true
  fi
}

# image_current TAG FINGERPRINT: the tag exists and was built from the same inputs
# (images without the label, e.g. when the labelling build was unavailable, count as current).
image_current() {
  local found
  found=$(docker image inspect --format '{{ index .Config.Labels "platform.local.fingerprint" }}' "$1" 2>/dev/null) || return 1
  [ -z "$found" ] || [ "$found" = "<no value>" ] || [ "$found" = "$2" ]
}

build_postgres() {
  local tag=$POSTGRES_IMAGE
  [ -x "$PG_PREFIX/bin/postgres" ] || die "PostgreSQL $PG_MAJOR is not installed ($PG_PREFIX/bin/postgres missing)"
  local version
  version=$("$PG_PREFIX/bin/postgres" --version | awk '{print $3}')
  local fp
  fp=$(fingerprint "postgresql-$PG_MAJOR" libc6 busybox-static util-linux)
  if [ "$force" -eq 0 ] && image_current "$tag" "$fp"; then
    echo "$tag exists (PostgreSQL $version on the host; --force to rebuild)"
    return 0
  fi
  local start=$SECONDS
  new_rootfs postgres
  write_accounts "postgres $PG_UID $PG_GID /var/lib/postgresql"

  # Server and client binaries, the server's loadable modules (no LLVM JIT: it pulls
  # in libLLVM and is optional; jit is simply unavailable), and their libraries.
  local bins=() mods=() f
  for f in "$PG_PREFIX"/bin/*; do
    [ -f "$f" ] && bins+=("$f")
  done
  for f in "$PG_PREFIX"/lib/*.so; do
    case "$(basename "$f")" in
      llvmjit*) ;;
      *) mods+=("$f") ;;
    esac
  done
  add_elf_with_libs "${bins[@]}" "${mods[@]}"
  # Share dir (catalog bootstrap for initdb, extensions, tsearch, timezone sets).
  mkdir -p "$rootfs/usr/share/postgresql"
  cp -a "/usr/share/postgresql/$PG_MAJOR" "$rootfs/usr/share/postgresql/"
  rm -rf "$rootfs/usr/share/postgresql/$PG_MAJOR/man"
  # Debian builds with --with-system-tzdata=/usr/share/zoneinfo.
  add_tree /usr/share/zoneinfo
  # C.UTF-8 locale (initdb runs with --locale=C.UTF-8) and `locale -a`, which initdb
  # uses to import the system collations.
  add_tree /usr/lib/locale/C.utf8
  add_elf_with_libs /usr/bin/locale
  # Convenience links, as in the official image's PATH.
  local b
  for b in psql pg_isready pg_dump pg_dumpall pg_restore createdb dropdb initdb pg_ctl postgres; do
    ln -sf "$PG_PREFIX/bin/$b" "$rootfs/usr/bin/$b"
  done

  install -m 0755 "$helpers/postgres-entrypoint.sh" "$rootfs/usr/local/bin/docker-entrypoint.sh"
  ln -s usr/local/bin/docker-entrypoint.sh "$rootfs/docker-entrypoint.sh"
  mkdir -p "$rootfs/docker-entrypoint-initdb.d" "$rootfs/var/lib/postgresql/data" "$rootfs/run/postgresql"
  chown -R "$PG_UID:$PG_GID" "$rootfs/var/lib/postgresql" "$rootfs/run/postgresql"
  chmod 0700 "$rootfs/var/lib/postgresql/data"
  chmod 3777 "$rootfs/run/postgresql"

  import_image "$tag" SIGINT \
    "platform.local.fingerprint=$fp" \
    "org.opencontainers.image.version=$version" \
    "org.opencontainers.image.description=PostgreSQL $version from the host's Debian packages" \
    -- \
    -c 'ENTRYPOINT ["/usr/local/bin/docker-entrypoint.sh"]' \
    -c 'CMD ["postgres"]' \
    -c "ENV PATH=$PG_PREFIX/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" \
    -c "ENV PG_MAJOR=$PG_MAJOR" \
    -c "ENV PG_VERSION=$version" \
    -c 'ENV PGDATA=/var/lib/postgresql/data' \
    -c 'ENV LANG=C.UTF-8' \
    -c 'EXPOSE 5432'
  echo "$tag built (PostgreSQL $version, $(du -sh "$rootfs" | cut -f1) rootfs, $((SECONDS - start))s)"
}

build_redis() {
  command -v redis-server >/dev/null 2>&1 || die "redis-server is not installed (apt-get install -y redis-server)"
  local version major tag
  version=$(redis-server --version | sed -n 's/.* v=\([0-9.]*\).*/\1/p')
  [ -n "$version" ] || die "cannot read the redis-server version"
  major=${version%%.*}
  tag=$REDIS_REPO:$major
  if [ "$major" != 7 ]; then
    echo "note: the host's redis-server is $version, so the tag is $tag (not $REDIS_REPO:7)" >&2
  fi
  local fp
  fp=$(fingerprint redis-server redis-tools libc6 busybox-static util-linux)
  if [ "$force" -eq 0 ] && image_current "$tag" "$fp"; then
    echo "$tag exists (redis-server $version on the host; --force to rebuild)"
    return 0
  fi
  local start=$SECONDS
  new_rootfs redis
  write_accounts "redis 999 999 /data"

  # The real binary lives in /usr/libexec; /usr/bin/redis-server is a wrapper that turns
  # protected mode off by default (as the official image's build does), see below.
  add_file "$(readlink -f /usr/bin/redis-server)" /usr/libexec/redis/redis-server
  add_file /usr/bin/redis-cli
  add_elf_with_libs "$rootfs/usr/libexec/redis/redis-server" "$rootfs/usr/bin/redis-cli"
  install -m 0755 "$helpers/redis-server-wrapper.sh" "$rootfs/usr/bin/redis-server"
  ln -s /usr/libexec/redis/redis-server "$rootfs/usr/bin/redis-check-rdb"
  ln -s /usr/libexec/redis/redis-server "$rootfs/usr/bin/redis-check-aof"
  # Debian's redis-server is built with TLS (libssl), which Aspire turns on when a
  # trusted ASP.NET dev certificate exists; the system CA bundle is there for clients.
  if [ -f /etc/ssl/certs/ca-certificates.crt ]; then
    add_file /etc/ssl/certs/ca-certificates.crt
  fi
  mkdir -p "$rootfs/data"

  import_image "$tag" "" \
    "platform.local.fingerprint=$fp" \
    "org.opencontainers.image.version=$version" \
    "org.opencontainers.image.description=redis-server $version from the host's Debian packages" \
    -- \
    -c 'CMD ["redis-server"]' \
    -c 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    -c "ENV REDIS_VERSION=$version" \
    -c 'WORKDIR /data' \
    -c 'EXPOSE 6379'
  echo "$tag built (redis-server $version, $(du -sh "$rootfs" | cut -f1) rootfs, $((SECONDS - start))s)"
}

for t in "${targets[@]}"; do
  "build_$t"
done
