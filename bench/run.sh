#!/usr/bin/env bash
# `deno task bench`: uses BENCH_DATABASE_URL when set, else starts a throwaway PostgreSQL
# cluster (.ci/pg.sh) for the run and removes it afterwards.
set -euo pipefail
cd "$(dirname "$0")/.."
# The HTTP uploads are sent with curl (bench/server_process.ts).
if ! command -v curl >/dev/null; then
  echo "bench: installing curl with apt-get" >&2
  { apt-get update -q && apt-get install -y -q --no-install-recommends curl ca-certificates; } >&2
fi
if [ -z "${BENCH_DATABASE_URL:-}" ]; then
  # shellcheck source=../.ci/pg.sh
  source .ci/pg.sh
  start_pg
  trap stop_pg EXIT
  export BENCH_DATABASE_URL="$TEST_DATABASE_URL"
fi
deno run -A bench/main.ts "$@"
