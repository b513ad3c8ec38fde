#!/usr/bin/env bash
# The SDK as a third party gets it: install the SDK component into a staging prefix, build
# sdk/examples/echo there as its own CMake project with find_package(GameHostSDK), then
# load that .so into the real host and talk to it over TCP and WebSocket.
#   usage: out_of_tree_test.sh BUILD_DIR SOURCE_DIR CLIENT_TEST_BINARY
set -euo pipefail
build="$1"
src="$2"
client="$3"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

cmake --install "$build" --component sdk --prefix "$work/stage" >/dev/null
test -f "$work/stage/include/gamehost/plugin.hpp"
test -f "$work/stage/lib/cmake/GameHostSDK/GameHostSDKConfig.cmake"

launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
cmake -S "$src/sdk/examples/echo" -B "$work/echo" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_PREFIX_PATH="$work/stage" "${launcher[@]}" >/dev/null
cmake --build "$work/echo" >/dev/null
plugin="$work/echo/echo.so"
test -f "$plugin"
# It must be built the way the loader needs: only the entry symbol exported, no unique symbols.
if readelf --dyn-syms --wide "$plugin" | grep -q UNIQUE; then
  echo "out-of-tree echo.so has STB_GNU_UNIQUE symbols: it would never unload" >&2
  exit 1
fi
GAMEHOST_OUT_OF_TREE_ECHO="$plugin" "$client"
