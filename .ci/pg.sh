# shellcheck shell=bash
# Throwaway PostgreSQL cluster for tests, sourced by .ci/run and usable by developers:
#
#   source .ci/pg.sh
#   start_pg                 # initdb + start on 127.0.0.1:<free port>, exports TEST_DATABASE_URL
#   npx -y deno@2.9.6 task test
#   stop_pg                  # stops the server and deletes the cluster (safe to call twice)
#
# The cluster lives in a temp dir, listens on 127.0.0.1 only, trusts loopback connections as the
# `postgres` superuser and runs with fsync off: it is for tests, never for data. Binaries come
# from PATH, /usr/local/bin or /usr/lib/postgresql/*/bin; failing those, and when running as
# root, `apt-get install postgresql`. initdb refuses to run as root, so root runs the server as a
# dedicated system user (`intake-pg`, created on first use).

PG_OS_USER="${PG_OS_USER:-intake-pg}"

# Prints the directory holding initdb and pg_ctl, installing PostgreSQL if there is none.
find_pg_bin() {
  local dir
  if command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1; then
    dirname "$(command -v initdb)"
    return 0
  fi
  if [ -x /usr/local/bin/initdb ] && [ -x /usr/local/bin/pg_ctl ]; then
    echo /usr/local/bin
    return 0
  fi
  dir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
  if [ -n "$dir" ] && [ -x "$dir/initdb" ]; then
    echo "$dir"
    return 0
  fi
  if [ "$(id -u)" != 0 ]; then
    echo "pg.sh: PostgreSQL binaries not found (install the postgresql package)" >&2
    return 1
  fi
  echo "pg.sh: installing PostgreSQL with apt-get" >&2
  export DEBIAN_FRONTEND=noninteractive
  { apt-get update -q && apt-get install -y -q --no-install-recommends postgresql; } >&2 || return 1
  dir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
  [ -n "$dir" ] && [ -x "$dir/initdb" ] || return 1
  echo "$dir"
}

# Prints a TCP port that is free on 127.0.0.1 right now (Node is on every machine we run on).
free_port() {
  node -e 'const s = require("net").createServer();
    s.listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); });'
}

# Runs a command as the cluster's owner (the dedicated user when we are root).
as_pg_user() {
  if [ "$(id -u)" = 0 ]; then
    runuser -u "$PG_OS_USER" -- "$@"
  else
    "$@"
  fi
}

# Creates and starts a throwaway cluster; exports TEST_DATABASE_URL, PG_DIR and PG_BIN.
start_pg() {
  PG_BIN="$(find_pg_bin)" || return 1
  if [ "$(id -u)" = 0 ] && ! id -u "$PG_OS_USER" >/dev/null 2>&1; then
    useradd --system --no-create-home --shell /usr/sbin/nologin "$PG_OS_USER" || return 1
  fi
  PG_DIR="$(mktemp -d "${TMPDIR:-/tmp}/intake-pg.XXXXXX")" || return 1
  if [ "$(id -u)" = 0 ]; then chown "$PG_OS_USER" "$PG_DIR"; fi
  as_pg_user "$PG_BIN/initdb" -D "$PG_DIR/data" -U postgres --auth=trust --encoding=UTF8 \
    --locale=C --no-sync >"$PG_DIR/initdb.log" 2>&1 || {
    cat "$PG_DIR/initdb.log" >&2
    return 1
  }
  local port attempt
  # A port found free can be taken before the server binds it, so try a few.
  for attempt in 1 2 3; do
    port="$(free_port)" || return 1
    if as_pg_user "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -t 60 \
      -o "-c listen_addresses=127.0.0.1 -p $port -k $PG_DIR -c max_connections=400 \
          -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
      start >/dev/null; then
      export PG_DIR PG_BIN
      export TEST_DATABASE_URL="postgres://postgres@127.0.0.1:$port/postgres"
      echo "pg.sh: PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') ready at" \
        "$TEST_DATABASE_URL (cluster in $PG_DIR)" >&2
      return 0
    fi
    echo "pg.sh: start on port $port failed (attempt $attempt)" >&2
  done
  tail -n 20 "$PG_DIR/server.log" >&2
  return 1
}

# Stops the cluster started by start_pg and deletes its directory.
stop_pg() {
  if [ -n "${PG_DIR:-}" ] && [ -d "$PG_DIR" ]; then
    if [ -f "$PG_DIR/data/postmaster.pid" ]; then
      as_pg_user "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m immediate -w stop >/dev/null 2>&1 || true
    fi
    rm -rf "$PG_DIR"
  fi
  unset PG_DIR TEST_DATABASE_URL
}
