#!/usr/bin/env bash
# Builds the .deb and .rpm packages and checks them: the file lists match the expected
# lists kept in packaging/expected/, lintian reports no error, the config is a conffile,
# and the maintainer scripts are in place.
#   usage: package_test.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
build="$1"
src="$2"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT

cpack --config "$build/CPackConfig.cmake" -B "$out" -G "DEB;RPM" >"$out/cpack.log" 2>&1 || {
  cat "$out/cpack.log" >&2
  exit 1
}
version=$(sed -n 's/^set(CPACK_PACKAGE_VERSION "\(.*\)")$/\1/p' "$build/CPackConfig.cmake")
host_deb="$out/gamehost_${version}_amd64.deb"
sdk_deb="$out/gamehost-sdk-dev_${version}_all.deb"
host_rpm="$out/gamehost-${version}.x86_64.rpm"
sdk_rpm="$out/gamehost-sdk-dev-${version}.noarch.rpm"
for f in "$host_deb" "$sdk_deb" "$host_rpm" "$sdk_rpm"; do
  [ -f "$f" ] || { echo "missing package $f; built: $(ls "$out")" >&2; exit 1; }
done

deb_list() { dpkg-deb -c "$1" | awk '{print $6}' | sed 's|^\./|/|; s|/$||' | grep -v '^$' | sort; }
rpm_list() { rpm -qpl "$1" 2>/dev/null | grep -v '/.build-id' | sort; }
status=0
check() {  # check NAME ACTUAL_FILE
  if ! diff -u "$src/packaging/expected/$1.txt" "$2"; then
    echo "FAIL: $1 contents differ from packaging/expected/$1.txt (update it if the change is meant)" >&2
    status=1
  fi
}
deb_list "$host_deb" >"$out/a" && check gamehost.deb "$out/a"
deb_list "$sdk_deb" >"$out/b" && check gamehost-sdk-dev.deb "$out/b"
rpm_list "$host_rpm" >"$out/c" && check gamehost.rpm "$out/c"
rpm_list "$sdk_rpm" >"$out/d" && check gamehost-sdk-dev.rpm "$out/d"

mkdir "$out/control"
dpkg-deb -e "$host_deb" "$out/control"
grep -qx /etc/gamehost/gamehost.toml "$out/control/conffiles" || { echo "FAIL: the config is not a conffile" >&2; status=1; }
for s in preinst postinst prerm postrm; do
  [ -x "$out/control/$s" ] || { echo "FAIL: maintainer script $s missing" >&2; status=1; }
done
rpm -qp --configfiles "$host_rpm" 2>/dev/null | grep -qx /etc/gamehost/gamehost.toml ||
  { echo "FAIL: the rpm does not mark the config as a config file" >&2; status=1; }

# The unit parses, and every command it names exists (the binary from this build).
if command -v systemd-analyze >/dev/null; then
  mkdir "$out/unit"
  sed "s|/usr/bin/gamehost|$build/bin/gamehost|g" "$src/packaging/gamehost.service" >"$out/unit/gamehost.service"
  if ! (cd "$out/unit" && systemd-analyze verify ./gamehost.service); then
    echo "FAIL: systemd-analyze verify rejects the unit" >&2
    status=1
  fi
fi

errors=$(lintian "$host_deb" "$sdk_deb" 2>/dev/null | grep -c '^E:' || true)
if [ "$errors" -ne 0 ]; then
  lintian "$host_deb" "$sdk_deb" 2>/dev/null | grep '^E:' >&2
  echo "FAIL: lintian reports $errors error(s)" >&2
  status=1
fi
[ $status -eq 0 ] && echo "packages ok: 4 file lists match, conffile and scripts in place, lintian errors: 0"
exit $status
