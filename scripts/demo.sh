#!/usr/bin/env bash
# `make demo`: the local stack, the sandbox and a worker in the background,
# then one sync into the sandbox and its report. `make down` stops them.
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=${ORGSYNC_DATA_DIR:-$PWD/.data}
scripts/stack.sh up
# shellcheck disable=SC1091
set -a; . "$DATA/env"; set +a
# The sandbox's demo credentials; one environment configures both sides.
export ORGSYNC_COMPANY_ID=${ORGSYNC_COMPANY_ID:-578c7009-bdad-4493-9835-72302cf988c6}
export ORGSYNC_NCP_ACCESS_KEY=${ORGSYNC_NCP_ACCESS_KEY:-DEMOACCESSKEY}
export ORGSYNC_NCP_SECRET_KEY=${ORGSYNC_NCP_SECRET_KEY:-DEMOSECRETKEY}
export ORGSYNC_NCP_API_KEY=${ORGSYNC_NCP_API_KEY:-DEMOAPIKEY}

go build -o bin/ ./worker ./starter ./sandbox

start() { # name, command...: start once, remember the pid
  local name=$1; shift
  if [ -f "$DATA/$name.pid" ] && kill -0 "$(cat "$DATA/$name.pid")" 2>/dev/null; then return; fi
  nohup "$@" >"$DATA/$name.log" 2>&1 &
  echo $! >"$DATA/$name.pid"
}
start sandbox bin/sandbox
start worker bin/worker
for _ in $(seq 1 50); do (exec 3<>/dev/tcp/127.0.0.1/8088) 2>/dev/null && break; sleep 0.2; done

echo "== sync (Temporal UI: http://127.0.0.1:8233)"
bin/starter sync --wait
echo "== report"
bin/starter report
