#!/usr/bin/env bash
# `make demo`: the local stack, the sandbox and a worker in the background,
# then a sync of two companies of one group at the same time, into the
# sandbox, and both reports. `make down` stops them.
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=${ORGSYNC_DATA_DIR:-$PWD/.data}
scripts/stack.sh up
# shellcheck disable=SC1091
set -a; . "$DATA/env"; set +a
# Two companies (docs/companies.md) with the sandbox's demo credentials;
# one environment configures the sandbox, the worker and the starter.
export ORGSYNC_COMPANIES=${ORGSYNC_COMPANIES:-C60,C10}
export ORGSYNC_C60_COMPANY_ID=${ORGSYNC_C60_COMPANY_ID:-578c7009-bdad-4493-9835-72302cf988c6}
export ORGSYNC_C60_NCP_ACCESS_KEY=${ORGSYNC_C60_NCP_ACCESS_KEY:-DEMOACCESSKEY}
export ORGSYNC_C60_NCP_SECRET_KEY=${ORGSYNC_C60_NCP_SECRET_KEY:-DEMOSECRETKEY}
export ORGSYNC_C60_NCP_API_KEY=${ORGSYNC_C60_NCP_API_KEY:-DEMOAPIKEY}
export ORGSYNC_C10_COMPANY_ID=${ORGSYNC_C10_COMPANY_ID:-0c10c10c-0000-4000-8000-00000000c010}
export ORGSYNC_C10_NCP_ACCESS_KEY=${ORGSYNC_C10_NCP_ACCESS_KEY:-DEMOC10ACCESSKEY}
export ORGSYNC_C10_NCP_SECRET_KEY=${ORGSYNC_C10_NCP_SECRET_KEY:-DEMOC10SECRETKEY}
export ORGSYNC_C10_NCP_API_KEY=${ORGSYNC_C10_NCP_API_KEY:-DEMOC10APIKEY}
unset ORGSYNC_COMPANY_ID ORGSYNC_NCP_ACCESS_KEY ORGSYNC_NCP_SECRET_KEY ORGSYNC_NCP_API_KEY

go build -o bin/ ./worker ./starter ./sandbox

start() { # name, command...: start once, remember the pid
  local name=$1; shift
  if [ -f "$DATA/$name.pid" ] && kill -0 "$(cat "$DATA/$name.pid")" 2>/dev/null; then return; fi
  nohup "$@" >"$DATA/$name.log" 2>&1 &
  echo $! >"$DATA/$name.pid"
}
start sandbox bin/sandbox
start worker bin/worker
SANDBOX=${ORGSYNC_SANDBOX_ADDR:-127.0.0.1:8088}
for _ in $(seq 1 50); do (exec 3<>"/dev/tcp/${SANDBOX%:*}/${SANDBOX##*:}") 2>/dev/null && break; sleep 0.2; done
# The starter refuses a company no worker polls yet: give the worker a moment.
for _ in $(seq 1 100); do
  bin/temporal task-queue describe --address "${ORGSYNC_TEMPORAL_ADDRESS:-127.0.0.1:7233}" -o json \
    --task-queue "${ORGSYNC_TASK_QUEUE:-org-sync}/${ORGSYNC_COMPANIES##*,}" --task-queue-type activity 2>/dev/null |
    grep -q '"identity"' && break
  sleep 0.2
done

IFS=, read -ra companies <<<"$ORGSYNC_COMPANIES"
echo "== sync of ${companies[*]} at the same time (Temporal UI: http://127.0.0.1:${ORGSYNC_UI_PORT:-8233})"
pids=()
for c in "${companies[@]}"; do
  bin/starter sync --wait --company "$c" >"$DATA/sync-$c.log" 2>&1 & pids+=($!)
done
status=0
for i in "${!companies[@]}"; do
  wait "${pids[$i]}" || status=$?
  echo "-- ${companies[$i]}"; cat "$DATA/sync-${companies[$i]}.log"
done
for c in "${companies[@]}"; do
  echo "== report of $c"
  bin/starter report --company "$c"
done
echo "== every company's last run"
bin/starter status --all
exit $status
