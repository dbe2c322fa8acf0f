#!/usr/bin/env bash
# `make bench [BENCH_FLAGS="-p3-employees 100000 -p3-departments 5000"]`:
# measures orgsync against the targets in docs/performance.md and prints one table.
set -euo pipefail
cd "$(dirname "$0")/.."
ORGSYNC_TEST_DATABASE_URL=$(scripts/stack.sh postgres)
export ORGSYNC_TEST_DATABASE_URL
mkdir -p .data
go run ./bench -root "$PWD" ${BENCH_FLAGS:-} "$@" | tee .data/bench.md
