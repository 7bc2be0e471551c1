#!/bin/sh
# Installs npm anysocket@0.4.29 (pinned by package-lock.json) into
# tests/interop/node_modules for the interop tests. Does nothing when it
# is already there. Needs node and npm.
set -eu

cd "$(dirname "$0")"

if [ -f node_modules/anysocket/package.json ] &&
   grep -q '"version": "0.4.29"' node_modules/anysocket/package.json; then
  exit 0
fi

if ! command -v npm >/dev/null 2>&1; then
  echo "setup.sh: npm not found: install node and npm first" >&2
  exit 1
fi

npm ci --no-audit --no-fund --silent
