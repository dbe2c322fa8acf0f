#!/usr/bin/env bash
# Installs what the browser test (e2e/) needs, from the project's own files:
# Debian's chromium when /usr/bin/chromium is missing, and playwright-core
# from e2e/package-lock.json (npm ci) when e2e/node_modules is out of date.
# Safe to run again: it does nothing when both are in place.
set -euo pipefail
cd "$(dirname "$0")"

if [ ! -x /usr/bin/chromium ]; then
  echo "e2e/setup.sh: installing chromium (apt-get)" >&2
  sudo=""
  [ "$(id -u)" = 0 ] || sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends chromium >/dev/null
fi

# npm ci when node_modules is missing or older than the lockfile.
stamp=node_modules/.package-lock.json
if [ ! -f "$stamp" ] || [ package-lock.json -nt "$stamp" ] || [ ! -d node_modules/playwright-core ]; then
  echo "e2e/setup.sh: npm ci" >&2
  npm ci --no-audit --no-fund --loglevel=error
fi
