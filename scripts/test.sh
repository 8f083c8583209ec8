#!/usr/bin/env bash
# Every test: domain decision tables, services on SQLite and PostgreSQL, components (bunit), the HTTP
# API on both databases, two app instances on one PostgreSQL database, and the browser flows in
# headless Chromium against the app on a real Kestrel port.
# On a fresh Debian machine with only the .NET SDK it installs what the tests need first.
set -euo pipefail
cd "$(dirname "$0")/.."

chromium="${CRMADMIN_CHROMIUM:-/usr/bin/chromium}"
if [ ! -x "$chromium" ]; then
  echo "Chromium is missing: installing Debian's chromium for the browser tests (apt-get)."
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium >/dev/null
fi

# PostgreSQL: the service, API and routing tests run on it too. A throwaway server in a temporary
# folder on port 55432 (CRMADMIN_TEST_POSTGRES_PORT overrides), stopped and removed on exit.
# An existing server can be used instead by setting CRMADMIN_TEST_POSTGRES yourself.
pg_dir=""
stop_postgres() {
  if [ -n "$pg_dir" ]; then
    $as_postgres "$pg_bin/pg_ctl" -D "$pg_dir/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$pg_dir"
  fi
}
if [ -z "${CRMADMIN_TEST_POSTGRES:-}" ]; then
  pg_bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
  if [ -z "$pg_bin" ]; then
    echo "PostgreSQL is missing: installing Debian's postgresql for the PostgreSQL tests (apt-get)."
    sudo=""
    if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq postgresql >/dev/null
    pg_bin="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)"
  fi
  # initdb refuses to run as root: as root, run the server as the postgres user.
  as_postgres=""
  if [ "$(id -u)" -eq 0 ]; then as_postgres="runuser -u postgres --"; fi
  pg_port="${CRMADMIN_TEST_POSTGRES_PORT:-55432}"
  pg_dir="$(mktemp -d)"
  if [ "$(id -u)" -eq 0 ]; then chown postgres "$pg_dir"; fi
  $as_postgres "$pg_bin/initdb" -D "$pg_dir/data" -A trust -U crm >/dev/null
  # Throwaway data: no fsync; room for the tests' parallel databases.
  $as_postgres "$pg_bin/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/log" -w \
    -o "-p $pg_port -k $pg_dir -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off -c synchronous_commit=off -c max_connections=300" start >/dev/null
  export CRMADMIN_TEST_POSTGRES="Host=127.0.0.1;Port=$pg_port;Username=crm;Database=postgres"
fi

log="$(mktemp)"
trap 'rm -f "$log"; stop_postgres' EXIT
set +e
dotnet test CrmAdmin.sln -c Release "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e

# dotnet test prints one "Passed!/Failed!  - Failed: F, Passed: P, Skipped: S, Total: T" line per
# test assembly; sum them into the plain closing line CI reads.
read -r passed failed skipped < <(grep -E '(Passed|Failed)! +- Failed:' "$log" |
  sed -E 's/.*Failed: *([0-9]+), Passed: *([0-9]+), Skipped: *([0-9]+).*/\2 \1 \3/' |
  awk '{p+=$1; f+=$2; s+=$3} END {print p+0, f+0, s+0}')
echo
echo "${passed} passed, ${failed} failed, ${skipped} skipped"

if [ "$passed" -eq 0 ] && [ "$status" -eq 0 ]; then
  echo "No test ran." >&2
  exit 1
fi
if [ "$skipped" -gt 0 ]; then
  echo "A skipped test is a failing test." >&2
  exit 1
fi
exit "$status"
