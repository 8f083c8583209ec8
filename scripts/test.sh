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
source scripts/throwaway-postgres.sh
log="$(mktemp)"
trap 'rm -f "$log"; stop_throwaway_postgres' EXIT
if [ -z "${CRMADMIN_TEST_POSTGRES:-}" ]; then
  start_throwaway_postgres "${CRMADMIN_TEST_POSTGRES_PORT:-55432}"
  export CRMADMIN_TEST_POSTGRES="$THROWAWAY_POSTGRES"
fi

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
