#!/usr/bin/env bash
# A throwaway PostgreSQL server for the tests and benchmarks: Debian's
# packages, a data directory in a temporary place, a free port on loopback.
#
#   eval "$(bash scripts/postgres.sh start)"   # sets NEXUS_TEST_POSTGRES and NEXUS_PG_DIR
#   bash scripts/postgres.sh stop "$NEXUS_PG_DIR"
#
# Installs the packages when missing (as root). initdb refuses to run as
# root, so the server runs as the `postgres` system user when we are root.
set -euo pipefail

action=${1:-start}

bindir() {
  local d
  d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  [ -n "$d" ] && echo "$d"
}

as_server_user() {
  if [ "$(id -u)" = 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

case "$action" in
  start)
    if [ -z "$(bindir)" ]; then
      if [ "$(id -u)" = 0 ]; then
        apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
      else
        echo "postgres.sh: PostgreSQL is not installed and we are not root" >&2
        exit 1
      fi
    fi
    bin=$(bindir)
    # The package may have started its own cluster; ours is separate.
    dir=$(mktemp -d /tmp/nexus-pg.XXXXXX)
    chmod 755 "$dir"
    [ "$(id -u)" = 0 ] && chown postgres "$dir"
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    as_server_user "$bin/initdb" -D "$dir/data" -U nexus --auth=trust -E UTF8 --locale=C >/dev/null
    as_server_user "$bin/pg_ctl" -D "$dir/data" -l "$dir/log" -w \
      -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=on -c max_connections=200" start >/dev/null
    as_server_user "$bin/createdb" -h 127.0.0.1 -p "$port" -U nexus nexus
    echo "export NEXUS_TEST_POSTGRES=postgres://nexus@127.0.0.1:$port/nexus"
    echo "export NEXUS_PG_DIR=$dir"
    ;;
  stop)
    dir=${2:?the directory printed by start}
    as_server_user "$(bindir)/pg_ctl" -D "$dir/data" -m fast stop >/dev/null || true
    rm -rf "$dir"
    ;;
  *)
    echo "usage: postgres.sh start | stop DIR" >&2
    exit 2
    ;;
esac
