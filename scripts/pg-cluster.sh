#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the shop ledger's tests and benchmark: Debian's
# `postgresql` package (installed by scripts/setup.sh), `initdb` into a directory, `pg_ctl` on a
# loopback port. PostgreSQL refuses to run as root and CI runs as root, so as root every server
# command runs as the `postgres` system user the package creates.
#
#   scripts/pg-cluster.sh init  DIR PORT    a new cluster, started; prints the admin URL
#   scripts/pg-cluster.sh start DIR         start it again (after `stop`)
#   scripts/pg-cluster.sh stop  DIR         fast shutdown (open connections are cut)
#   scripts/pg-cluster.sh watch DIR PID     stop the cluster and delete DIR once PID has ended
#
# The cluster's superuser is `postgres` with a password (in DIR/admin-url): the tests connect as
# root over TCP, create one database per test and the `paydesk` role the app uses, which has
# no superuser rights (the app needs none). Connections from loopback only; TLS off.
set -euo pipefail

bindir() {
  local pg_config
  if command -v pg_config >/dev/null && pg_config --bindir >/dev/null 2>&1; then
    pg_config --bindir
    return
  fi
  # Debian's pg_config lives in the -dev package; the server's programs are here.
  pg_config=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  [ -n "$pg_config" ] || { echo "PostgreSQL is not installed: run scripts/setup.sh" >&2; exit 1; }
  echo "$pg_config"
}

# Runs a server program as the cluster's owner.
as_owner() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

cmd=${1:?usage: pg-cluster.sh init|start|stop|watch DIR ...}
dir=${2:?the cluster directory}
bin=$(bindir)

case "$cmd" in
  init)
    port=${3:?the port}
    mkdir -p "$dir"
    if [ "$(id -u)" -eq 0 ]; then
      # The owner must reach DIR: its parent (a temp dir of root's) is made traversable.
      chmod o+x "$(dirname "$dir")"
      chown postgres: "$dir"
    fi
    chmod 700 "$dir"
    password=$(head -c 18 /dev/urandom | base64 | tr -d '/+=')
    printf '%s\n' "$password" >"$dir/.pw"
    if [ "$(id -u)" -eq 0 ]; then chown postgres: "$dir/.pw"; fi
    as_owner "$bin/initdb" -D "$dir/data" -U postgres --pwfile="$dir/.pw" \
      --auth-local=scram-sha-256 --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 >/dev/null
    rm -f "$dir/.pw"
    cat >>"$dir/data/postgresql.conf" <<EOF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$dir'
max_connections = 200
fsync = on
logging_collector = off
EOF
    echo "postgres://postgres:$password@127.0.0.1:$port/postgres" >"$dir/admin-url"
    as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start >/dev/null
    cat "$dir/admin-url"
    ;;
  start)
    as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start >/dev/null
    ;;
  stop)
    as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w -t 60 stop >/dev/null 2>&1 || true
    ;;
  watch)
    pid=${3:?the process to outlive}
    while kill -0 "$pid" 2>/dev/null; do sleep 1; done
    as_owner "$bin/pg_ctl" -D "$dir/data" -m immediate -w -t 30 stop >/dev/null 2>&1 || true
    rm -rf "$dir"
    ;;
  *)
    echo "usage: pg-cluster.sh init|start|stop|watch DIR ..." >&2
    exit 2
    ;;
esac
