#!/usr/bin/env bash
# `deno task bench`: uses BENCH_DATABASE_URL when set, else starts a throwaway PostgreSQL
# cluster (.ci/pg.sh) for the run and removes it afterwards.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${BENCH_DATABASE_URL:-}" ]; then
  # shellcheck source=../.ci/pg.sh
  source .ci/pg.sh
  start_pg
  trap stop_pg EXIT
  export BENCH_DATABASE_URL="$TEST_DATABASE_URL"
fi
deno run -A bench/main.ts "$@"
