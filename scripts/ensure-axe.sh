#!/bin/sh
# The accessibility tests (tests/e2e/test_accessibility.py) inject axe-core, pinned in package.json
# and package-lock.json, from node_modules/. Install it with `npm ci` when it is missing or is not
# the locked version; install Debian's npm first when there is none and we may (root).
set -e
cd "$(dirname "$0")/.."
locked=$(sed -n '/"node_modules\/axe-core"/,/}/s/.*"version": "\([^"]*\)".*/\1/p' package-lock.json | head -n 1)
installed=$(sed -n 's/^  "version": "\([^"]*\)".*/\1/p' node_modules/axe-core/package.json 2>/dev/null | head -n 1)
if [ -n "$locked" ] && [ "$installed" = "$locked" ] && [ -f node_modules/axe-core/axe.min.js ]; then
  exit 0
fi
if ! command -v npm >/dev/null 2>&1; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing npm (Debian package) for axe-core"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm >/dev/null
  else
    echo "note: no npm: the accessibility tests will be skipped (apt-get install npm; then make browser-deps)"
    exit 0
  fi
fi
echo "installing axe-core ${locked} (npm ci)"
npm ci --no-audit --no-fund --loglevel=error
