# Sourced by test.sh and benchmark.sh: a throwaway PostgreSQL server in a temporary folder.
#   start_throwaway_postgres PORT [SETTINGS]
#                                   installs Debian's postgresql with apt-get when missing, starts a
#                                   server on 127.0.0.1:PORT, or the next free port after it
#                                   (user crm, trust), with any further server SETTINGS ("-c name=value …"),
#                                   and sets THROWAWAY_POSTGRES to its connection string
#   stop_throwaway_postgres         stops it and removes its folder (call it from an EXIT trap)
pg_dir=""
pg_bin=""
as_postgres=""

start_throwaway_postgres() {
  local port="$1" settings="${2:-}"
  # Another run's server may hold the port (two checkouts testing at once): take the next free one.
  while (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do
    port=$((port + 1))
  done
  pg_bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
  if [ -z "$pg_bin" ]; then
    echo "PostgreSQL is missing: installing Debian's postgresql (apt-get)."
    local sudo=""
    if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq postgresql >/dev/null
    pg_bin="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)"
  fi
  # initdb refuses to run as root: as root, run the server as the postgres user.
  if [ "$(id -u)" -eq 0 ]; then as_postgres="runuser -u postgres --"; fi
  pg_dir="$(mktemp -d)"
  if [ "$(id -u)" -eq 0 ]; then chown postgres "$pg_dir"; fi
  $as_postgres "$pg_bin/initdb" -D "$pg_dir/data" -A trust -U crm >/dev/null
  # Throwaway data: no fsync; room for many databases' connections at once.
  $as_postgres "$pg_bin/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/log" -w \
    -o "-p $port -k $pg_dir -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off -c synchronous_commit=off -c max_connections=300 $settings" start >/dev/null
  THROWAWAY_POSTGRES="Host=127.0.0.1;Port=$port;Username=crm;Database=postgres"
}

stop_throwaway_postgres() {
  if [ -n "$pg_dir" ]; then
    $as_postgres "$pg_bin/pg_ctl" -D "$pg_dir/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$pg_dir"
    pg_dir=""
  fi
}
