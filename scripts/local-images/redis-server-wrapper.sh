#!/bin/sh
# /usr/bin/redis-server in platform-local/redis (built by scripts/build-local-images.sh).
# Debian's redis-server defaults to protected-mode yes; the official redis image is
# built with protected-mode no, so connections through a published port work
# without a password. Do the same unless a config file is given (its own
# protected-mode setting then applies). exec keeps the PID (PID 1 under Aspire's
# `/bin/sh -c "redis-server ..."`, as busybox sh execs the last command).
real=/usr/libexec/redis/redis-server
case "${1:-}" in
  -v|--version|-h|--help|--test-memory|--check-system) exec "$real" "$@" ;;
  ""|--*) exec "$real" --protected-mode no "$@" ;;
  *) exec "$real" "$@" ;;
esac
