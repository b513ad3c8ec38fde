#!/usr/bin/env bash
# Builds and tests the JavaScript client (gamehost-client) with the machine's Node.js and
# npm: the dependencies exactly as package-lock.json pins them, the generated code from the
# server's .proto files and protocol.hpp tables, dist/, then every test. The tests against
# the real server use ../../build/bin/gamehost (or $GAMEHOST_BUILD_DIR/bin/gamehost) and
# its plugins when they have been built, and are skipped otherwise.
set -euo pipefail
cd "$(dirname "$0")"
command -v npm >/dev/null || { echo "clients/js/test.sh: npm not found (Node.js 20+ with npm is needed)" >&2; exit 1; }
npm ci --no-audit --no-fund
npm run build
npm test
