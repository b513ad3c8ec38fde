#!/usr/bin/env bash
# Tests the browser demo: builds the client bundle when needed (build.sh), installs
# puppeteer-core as package-lock.json pins it (npm ci, when clients/web/node_modules is
# missing; it downloads no browser), then runs test/*.test.mjs with node's test runner. They
# start build/bin/gamehost (or $GAMEHOST_BUILD_DIR/bin/gamehost) with web_root = clients/web
# on a free port, and drive the page and the operator console in headless Chromium
# ($CHROMIUM or /usr/bin/chromium, DevTools protocol: demo.test.mjs) and headless Firefox
# ($FIREFOX or /usr/bin/firefox-esr, WebDriver BiDi: firefox.test.mjs); without the host or a
# browser, those tests are skipped with a message. Screenshots: build/web-artifacts/.
set -euo pipefail
cd "$(dirname "$0")"
command -v node >/dev/null || { echo "clients/web/test.sh: node not found (Node.js 20+)" >&2; exit 1; }
./build.sh
[ -d ../js/node_modules/ws ] || npm --prefix ../js ci --no-audit --no-fund
[ -d node_modules/puppeteer-core ] || npm ci --no-audit --no-fund
node --test --test-concurrency=1 test/*.test.mjs
