#!/usr/bin/env bash
# Installs the .deb packages into a fresh Debian 12 root (debootstrap, chroot, nothing
# started by the packages themselves), runs gamehost there with the unit's command line and
# user, and talks to it; then builds the echo example there out of tree against the
# installed gamehost-sdk-dev and live-loads that build into the installed host.
#   usage: install_test.sh BUILD_DIR PROBE_BINARY
set -euo pipefail
build="$(realpath "$1")"
probe="$(realpath "$2")"
work="$(mktemp -d)"
root="$work/root"
cache="$build/debootstrap-cache"
host_started=""
cleanup() {
  if [ -n "$host_started" ]; then
    chroot "$root" sh -c 'kill $(pidof gamehost) 2>/dev/null' || true
    sleep 1
  fi
  umount "$root/proc" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# A minimal bookworm root; the tarball is kept so later runs skip the download.
mkdir -p "$cache"
if [ ! -f "$cache/bookworm-minbase.tgz" ]; then
  debootstrap --variant=minbase --make-tarball="$cache/bookworm-minbase.tgz" bookworm "$work/tarball-root" \
    http://deb.debian.org/debian >"$work/debootstrap.log" 2>&1 || { tail -20 "$work/debootstrap.log"; exit 1; }
fi
debootstrap --variant=minbase --unpack-tarball="$cache/bookworm-minbase.tgz" bookworm "$root" \
  http://deb.debian.org/debian >"$work/debootstrap.log" 2>&1 || { tail -20 "$work/debootstrap.log"; exit 1; }
printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"   # packages start nothing here
chmod +x "$root/usr/sbin/policy-rc.d"
cp /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true
mount -t proc proc "$root/proc"

version=$(sed -n 's/^set(CPACK_PACKAGE_VERSION "\(.*\)")$/\1/p' "$build/CPackConfig.cmake")
cpack --config "$build/CPackConfig.cmake" -B "$work/pkg" -G DEB >/dev/null
cp "$work/pkg/gamehost_${version}_amd64.deb" "$work/pkg/gamehost-sdk-dev_${version}_all.deb" "$root/tmp/"

echo "== install gamehost into a fresh Debian 12 root"
chroot "$root" apt-get update -q >"$work/apt.log" 2>&1
chroot "$root" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
  "/tmp/gamehost_${version}_amd64.deb" >>"$work/apt.log" 2>&1 || { tail -30 "$work/apt.log"; exit 1; }
chroot "$root" getent passwd gamehost >/dev/null || { echo "FAIL: no gamehost user" >&2; exit 1; }
[ -d "$root/var/lib/gamehost" ] || { echo "FAIL: no /var/lib/gamehost" >&2; exit 1; }

# Operators edit the conffile: free ports for this test, and an admin token.
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
admin=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
sed -i "s|^tcp = .*|tcp = \"127.0.0.1:$port\"|; s|^websocket = .*|websocket = \"\"|; \
        s|^listen = .*|listen = \"127.0.0.1:$admin\"|; s|^token = .*|token = \"package-test\"|" \
  "$root/etc/gamehost/gamehost.toml"

echo "== start it as the unit does (user gamehost, the unit's command line)"
exec_start=$(sed -n 's/^ExecStart=//p' "$root/usr/lib/systemd/system/gamehost.service")
chroot --userspec=gamehost:gamehost "$root" sh -c "cd /var/lib/gamehost && exec $exec_start" >"$work/host.log" 2>&1 &
host_started=yes
for _ in $(seq 100); do
  grep -q "listening" "$work/host.log" && break
  sleep 0.1
done
"$probe" "$port" || { cat "$work/host.log"; exit 1; }

echo "== build the echo example out of tree against the installed SDK, load it live"
chroot "$root" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
  "/tmp/gamehost-sdk-dev_${version}_all.deb" make >>"$work/apt.log" 2>&1 || { tail -30 "$work/apt.log"; exit 1; }
chroot "$root" sh -c 'cp -r /usr/share/doc/gamehost-sdk-dev/examples/echo /tmp/echo-src &&
  cmake -S /tmp/echo-src -B /tmp/echo-build -DCMAKE_BUILD_TYPE=Release >/dev/null &&
  cmake --build /tmp/echo-build >/dev/null &&
  install -m 0644 /tmp/echo-build/echo.so /var/lib/gamehost/echo-local.so' ||
  { echo "FAIL: the out-of-tree build against the installed SDK failed" >&2; exit 1; }
chroot "$root" gamehostctl reload echo --file /var/lib/gamehost/echo-local.so
chroot "$root" gamehostctl list | grep -q "/var/lib/gamehost/echo-local.so" ||
  { echo "FAIL: the host does not run the out-of-tree build" >&2; chroot "$root" gamehostctl list; exit 1; }
"$probe" "$port" || { cat "$work/host.log"; exit 1; }
echo "install test ok"
