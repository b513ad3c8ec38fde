#!/usr/bin/env bash
# Tests the browser demo: builds the client bundle when needed (build.sh), then runs
# test/*.test.mjs with node's test runner. They start build/bin/gamehost (or
# $GAMEHOST_BUILD_DIR/bin/gamehost) with web_root = clients/web on a free port, and drive
# the page in headless Chromium ($CHROMIUM or /usr/bin/chromium); without either, they are
# skipped with a message. Screenshots: build/web-artifacts/.
set -euo pipefail
cd "$(dirname "$0")"
command -v node >/dev/null || { echo "clients/web/test.sh: node not found (Node.js 20+)" >&2; exit 1; }
./build.sh
[ -d ../js/node_modules/ws ] || npm --prefix ../js ci --no-audit --no-fund
node --test --test-concurrency=1 test/*.test.mjs
