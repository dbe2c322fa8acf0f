#!/usr/bin/env bash
# The local stack without Docker: Postgres and the Temporal dev server.
#   scripts/stack.sh postgres   ensure a Postgres answers; print its admin URL
#   scripts/stack.sh up         Postgres + Temporal dev server (UI on :8233)
#   scripts/stack.sh down       stop only what this script started (by pid)
#   scripts/stack.sh status
# Starting twice is harmless. State lives under .data/.
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=${ORGSYNC_DATA_DIR:-$PWD/.data}
mkdir -p "$DATA"
PRIVATE_PORT=${ORGSYNC_PRIVATE_PG_PORT:-55432}
TEMPORAL_PORT=${ORGSYNC_TEMPORAL_PORT:-7233}
UI_PORT=${ORGSYNC_UI_PORT:-8233}
SYSTEM_URL=${ORGSYNC_TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable}

say() { echo "stack: $*" >&2; }

pg_bin() { # the directory of the system's initdb/pg_ctl
  local d
  for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -rV) ; do
    [ -x "$d/initdb" ] && { echo "$d"; return; }
  done
  command -v initdb >/dev/null 2>&1 && { dirname "$(command -v initdb)"; return; }
  return 1
}

answers() { pg_isready -q -d "$1" 2>/dev/null || psql "$1" -qAtc 'select 1' >/dev/null 2>&1; }

ensure_postgres_package() {
  pg_bin >/dev/null && command -v psql >/dev/null && return
  say "installing Debian's postgresql package (initdb, pg_ctl, psql)"
  if [ "$(id -u)" != 0 ]; then say "run as root, or: sudo apt-get install -y postgresql"; exit 1; fi
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql postgresql-client >/dev/null
}

# A private cluster under .data/pg, owned by a non-root user when run as root
# (Postgres refuses to run as root).
private_postgres() {
  local bin owner url="postgres://postgres@127.0.0.1:$PRIVATE_PORT/postgres?sslmode=disable"
  if answers "$url"; then echo "$url"; return; fi
  bin=$(pg_bin)
  owner=$(id -un)
  run() { "$@"; }
  if [ "$(id -u)" = 0 ]; then
    owner=postgres
    id postgres >/dev/null 2>&1 || useradd --system --home "$DATA" postgres
    run() { runuser -u postgres -- "$@"; }
  fi
  if [ ! -s "$DATA/pg/PG_VERSION" ]; then
    mkdir -p "$DATA/pg" && chown "$owner" "$DATA" "$DATA/pg" 2>/dev/null || true
    run "$bin/initdb" -D "$DATA/pg" -U postgres -A trust -E UTF8 --no-locale >"$DATA/initdb.log" 2>&1
  fi
  say "starting a private Postgres on 127.0.0.1:$PRIVATE_PORT ($DATA/pg)"
  run "$bin/pg_ctl" -D "$DATA/pg" -l "$DATA/pg.log" -w \
    -o "-p $PRIVATE_PORT -k /tmp -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200" start >/dev/null
  echo "pg" >> "$DATA/started"
  echo "$url"
}

cmd_postgres() {
  ensure_postgres_package
  if answers "$SYSTEM_URL"; then echo "$SYSTEM_URL"; return; fi
  private_postgres
}

cmd_temporal() {
  if (exec 3<>/dev/tcp/127.0.0.1/$TEMPORAL_PORT) 2>/dev/null; then say "Temporal already answers on :$TEMPORAL_PORT"; return; fi
  [ -x bin/temporal ] || make -s tools
  local sa=()
  for a in OrgSyncStage=Keyword OrgSyncStatus=Keyword OrgSyncChanged=Int OrgSyncFailed=Int; do sa+=(--search-attribute "$a"); done
  say "starting the Temporal dev server on :$TEMPORAL_PORT, UI http://127.0.0.1:$UI_PORT"
  nohup bin/temporal server start-dev --ip 127.0.0.1 --port "$TEMPORAL_PORT" --ui-port "$UI_PORT" \
    --db-filename "$DATA/temporal.db" --sqlite-pragma journal_mode=WAL --sqlite-pragma synchronous=NORMAL \
    "${sa[@]}" --log-level warn >"$DATA/temporal.log" 2>&1 &
  echo $! > "$DATA/temporal.pid"
  for _ in $(seq 1 100); do
    (exec 3<>/dev/tcp/127.0.0.1/$TEMPORAL_PORT) 2>/dev/null && return
    sleep 0.2
  done
  say "Temporal did not start; see $DATA/temporal.log"; exit 1
}

cmd_up() {
  local admin db
  admin=$(cmd_postgres)
  db=${admin%/postgres*}/orgsync?sslmode=disable
  psql "$admin" -qAtc "select 1 from pg_database where datname='orgsync'" | grep -q 1 ||
    psql "$admin" -qc "create database orgsync" >/dev/null
  cmd_temporal
  echo "ORGSYNC_DATABASE_URL=$db" > "$DATA/env"
  say "up: Postgres $db, Temporal 127.0.0.1:$TEMPORAL_PORT, UI http://127.0.0.1:$UI_PORT"
}

stop_pid() {
  local f=$1
  [ -f "$f" ] || return 0
  local pid; pid=$(cat "$f")
  if kill "$pid" 2>/dev/null; then
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    say "stopped $(basename "$f" .pid) ($pid)"
  fi
  rm -f "$f"
}

cmd_down() {
  for f in "$DATA"/*.pid; do [ -e "$f" ] && stop_pid "$f"; done
  if grep -qs pg "$DATA/started"; then
    local bin; bin=$(pg_bin)
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$bin/pg_ctl" -D "$DATA/pg" -m fast stop >/dev/null || true
    else "$bin/pg_ctl" -D "$DATA/pg" -m fast stop >/dev/null || true; fi
    say "stopped the private Postgres"
  fi
  rm -f "$DATA/started"
}

cmd_status() {
  answers "$SYSTEM_URL" && echo "postgres: $SYSTEM_URL" || echo "postgres: system server not answering"
  for f in "$DATA"/*.pid; do [ -e "$f" ] && { kill -0 "$(cat "$f")" 2>/dev/null && echo "$(basename "$f" .pid): running ($(cat "$f"))" || echo "$(basename "$f" .pid): dead"; }; done
  return 0
}

case "${1:-}" in
  postgres) cmd_postgres ;;
  temporal) cmd_temporal ;;
  up) cmd_up ;;
  down) cmd_down ;;
  status) cmd_status ;;
  *) echo "usage: $0 postgres|temporal|up|down|status" >&2; exit 2 ;;
esac
