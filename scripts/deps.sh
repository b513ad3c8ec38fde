# Sourced by scripts/run and scripts/test: installs the Debian 12 packages the build and
# the tests need, when missing. Nothing is downloaded except through apt.
gamehost_packages=(
  build-essential cmake ninja-build ccache pkg-config git file
  libboost1.81-dev libboost-filesystem1.81-dev
  libprotobuf-dev protobuf-compiler
  libtomlplusplus-dev libspdlog-dev libfmt-dev libcli11-dev
  libgtest-dev libgmock-dev libbenchmark-dev libjemalloc-dev
  rpm lintian dpkg-dev nlohmann-json3-dev debootstrap python3
  libsoci-dev libsqlite3-dev sqlite3 libmariadb-dev mariadb-server mariadb-client
  libssl-dev libsodium-dev
  clang-14 libclang-rt-14-dev
  chromium firefox-esr
)

gamehost_install_deps() {
  local missing=()
  for p in "${gamehost_packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  # Node.js with npm for the JavaScript client (clients/js): Debian's when there is none
  # (a newer one already installed, with its own npm, is kept).
  command -v npm >/dev/null || missing+=(nodejs npm)
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "installing: ${missing[*]}"
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
}

# Configures (once) and builds everything into build/ with Ninja (ccache when present).
gamehost_build() {
  local root="$1"
  if [ ! -f "$root/build/build.ninja" ]; then
    cmake -S "$root" -B "$root/build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo
  fi
  cmake --build "$root/build"
}
