#!/usr/bin/env bash
# Puts the client library's browser bundle next to index.html: builds clients/js (npm run
# build) when its dist/ has no bundle yet, then copies dist/gamehost-client.browser.js (and
# its source map) here. The copy is not committed (.gitignore).
set -euo pipefail
cd "$(dirname "$0")"
js=../js
if [ ! -f "$js/dist/gamehost-client.browser.js" ]; then
  command -v npm >/dev/null || { echo "clients/web/build.sh: npm not found" >&2; exit 1; }
  [ -d "$js/node_modules" ] || npm --prefix "$js" ci --no-audit --no-fund
  npm --prefix "$js" run build
fi
cp "$js/dist/gamehost-client.browser.js" .
[ -f "$js/dist/gamehost-client.browser.js.map" ] && cp "$js/dist/gamehost-client.browser.js.map" .
echo "clients/web: gamehost-client.browser.js copied"
