#!/usr/bin/env bash
# A throwaway PostgreSQL server for the tests of database stores (CTest fixture "postgresql"):
#   test-server.sh start STATE_DIR   initdb into a new folder under /tmp, start the server on a
#                                    Unix socket in that folder (no TCP), write its URL to
#                                    STATE_DIR/url
#   test-server.sh stop STATE_DIR    stop it and remove its folder
# PostgreSQL refuses to run as root: as root, the server runs as the user "postgres" (made by
# Debian's postgresql package). Its superuser is "mu2net", trusted on the socket. It does not
# flush to disk (fsync=off: tests need no durability) unless MU2NET_PG_FSYNC=on (benchmarks).
set -euo pipefail
action=${1:?usage: test-server.sh start|stop STATE_DIR}
state=${2:?usage: test-server.sh start|stop STATE_DIR}
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
  echo "test-server.sh: PostgreSQL's server is not installed (Debian package postgresql-15;" \
       "bash .ci/install-deps.sh installs it)" >&2
  exit 1
fi
as_server_user() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

stop() {
  if [ -f "$state/datadir" ]; then
    local data
    data=$(cat "$state/datadir")
    if [ -d "$data/db" ]; then
      as_server_user "$bin/pg_ctl" -D "$data/db" -m immediate -w stop >/dev/null 2>&1 || true
    fi
    rm -rf "$data"
    rm -f "$state/datadir" "$state/url"
  fi
}

case "$action" in
  start)
    mkdir -p "$state"
    stop  # a server left by an interrupted run
    data=$(mktemp -d /tmp/mu2net-pg.XXXXXX)
    echo "$data" > "$state/datadir"
    if [ "$(id -u)" -eq 0 ]; then chown postgres "$data"; fi
    port=$((20000 + RANDOM % 10000))
    as_server_user "$bin/initdb" -D "$data/db" -U mu2net --auth=trust -E UTF8 --no-sync \
      >"$data/initdb.log" 2>&1 || { cat "$data/initdb.log" >&2; exit 1; }
    as_server_user "$bin/pg_ctl" -D "$data/db" -l "$data/server.log" -w -t 60 \
      -o "-k $data -p $port -c listen_addresses='' -c fsync=${MU2NET_PG_FSYNC:-off} -c max_connections=100" start \
      >/dev/null || { cat "$data/server.log" >&2; exit 1; }
    echo "postgresql://mu2net@/postgres?host=$data&port=$port" > "$state/url"
    echo "test-server.sh: PostgreSQL running: $(cat "$state/url")"
    ;;
  stop)
    stop
    echo "test-server.sh: stopped"
    ;;
  *)
    echo "usage: test-server.sh start|stop STATE_DIR" >&2
    exit 2
    ;;
esac
