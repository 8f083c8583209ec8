#!/usr/bin/env bash
# Reproduces the performance figures in the README (issue: performance at scale). Not part of the
# tests: it builds a 1,000,000-entry database (about 400 MB, in $TMPDIR/crmadmin-bench) and takes
# several minutes on a 2-core machine.
#   bash scripts/benchmark.sh            # everything: in-process suites (T1, T3, T4) and the measured HTTP run
#   bash scripts/benchmark.sh http       # only the measured run: T1 via the API with the sqlite3 floor, T2 (and a 100k import right after it),
#                                        # filters' first page via the API, T3 in Chromium, T4 load and latency
#   bash scripts/benchmark.sh http prefixes   # only T4 with 100,000 number prefixes (+1900ddddd*) in the list (X9)
#   bash scripts/benchmark.sh postgres   # only PostgreSQL: 100k import into 1M with the COPY floor, filters, two instances under load
#   bash scripts/benchmark.sh --filter '*ExceptionList*'   # one BenchmarkDotNet suite
# The PostgreSQL run uses CRMADMIN_BENCH_POSTGRES (a maintenance connection string) or starts a
# throwaway server on port 55435 (CRMADMIN_BENCH_POSTGRES_PORT overrides).
set -euo pipefail
cd "$(dirname "$0")/.."

# sqlite3 measures the T1 floor; wrk is the T4 load generator (a client in the benchmark's own
# process would share the two cores with the server it measures); Chromium shows T3's page.
missing=""
command -v sqlite3 >/dev/null || missing="$missing sqlite3"
command -v wrk >/dev/null || missing="$missing wrk"
[ -x "${CRMADMIN_CHROMIUM:-/usr/bin/chromium}" ] || missing="$missing chromium"
if [ -n "$missing" ]; then
  echo "Installing Debian's$missing for the measured run (apt-get)."
  sudo=""; if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq $missing >/dev/null
fi

dotnet build CrmAdmin.Benchmarks -c Release -v q
bench="dotnet CrmAdmin.Benchmarks/bin/Release/net10.0/CrmAdmin.Benchmarks.dll"

source scripts/throwaway-postgres.sh
trap stop_throwaway_postgres EXIT
with_postgres() {
  if [ -z "${CRMADMIN_BENCH_POSTGRES:-}" ]; then
    # A server for a million entries gets the memory a production one would (PostgreSQL's usual advice,
    # a quarter of RAM): the default 128 MB of shared buffers holds less than the list and its indexes,
    # and "batch 1" took 136 ms instead of 76 as its search rows were read back from the OS.
    start_throwaway_postgres "${CRMADMIN_BENCH_POSTGRES_PORT:-55435}" "-c shared_buffers=1GB"
    export CRMADMIN_BENCH_POSTGRES="$THROWAWAY_POSTGRES"
  fi
  $bench postgres "$@"
}

if [ "${1:-}" = "postgres" ]; then
  shift
  with_postgres "$@"
  exit 0
fi
$bench generate
if [ "$#" -gt 0 ]; then
  exec $bench "$@"
fi
$bench --filter '*'
$bench http
with_postgres
