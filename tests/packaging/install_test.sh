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

echo "== upgrade to a package whose echo plugin is newer, while a player stays connected"
# The next release: the same host binary, echo 1.0.1 (built from the example with its
# version bumped), package version one higher.
chroot "$root" sh -c 'rm -rf /tmp/echo-next && cp -r /usr/share/doc/gamehost-sdk-dev/examples/echo /tmp/echo-next &&
  sed -i "s/\"version = 1.0.0/\"version = 1.0.1/" /tmp/echo-next/echo_plugin.cpp &&
  cmake -S /tmp/echo-next -B /tmp/echo-next/build -DCMAKE_BUILD_TYPE=Release >/dev/null &&
  cmake --build /tmp/echo-next/build >/dev/null'
dpkg-deb -R "$work/pkg/gamehost_${version}_amd64.deb" "$work/next"
rm "$work/next/usr/lib/gamehost/plugins/echo-1.0.0.so" "$work/next/usr/lib/gamehost/plugins/echo.so"
cp "$root/tmp/echo-next/build/echo.so" "$work/next/usr/lib/gamehost/plugins/echo-1.0.1.so"
strip --strip-unneeded "$work/next/usr/lib/gamehost/plugins/echo-1.0.1.so"
ln -s echo-1.0.1.so "$work/next/usr/lib/gamehost/plugins/echo.so"
sed -i "s/^Version: .*/Version: ${version}+1/" "$work/next/DEBIAN/control"
(cd "$work/next" && find . -type f ! -path './DEBIAN/*' -exec md5sum {} + | sed 's| \./| |' >DEBIAN/md5sums)
dpkg-deb -b "$work/next" "$root/tmp/gamehost_next.deb" >/dev/null

mkdir -p "$work/hold"
"$probe" "$port" --hold "$work/hold" >"$work/holder.log" 2>&1 &
holder=$!
for _ in $(seq 100); do [ -f "$work/hold/ready" ] && break; sleep 0.1; done
chroot "$root" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q /tmp/gamehost_next.deb >"$work/upgrade.log" 2>&1 ||
  { cat "$work/upgrade.log"; exit 1; }
grep -q "only plugins changed: reloading them live" "$work/upgrade.log" ||
  { echo "FAIL: postinst did not reload live" >&2; cat "$work/upgrade.log"; exit 1; }
for _ in $(seq 100); do grep -q "reloaded 1.0.0 -> 1.0.1" "$work/host.log" && break; sleep 0.1; done
grep -q "plugin echo reloaded 1.0.0 -> 1.0.1" "$work/host.log" ||
  { echo "FAIL: the host did not reload echo to 1.0.1" >&2; cat "$work/host.log"; exit 1; }
touch "$work/hold/go"
wait "$holder" || { cat "$work/holder.log"; echo "FAIL: the connected player was dropped" >&2; exit 1; }
cat "$work/holder.log"
"$probe" "$port" | grep -q "plugin echo 1.0.1" || { echo "FAIL: new players do not see echo 1.0.1" >&2; exit 1; }

echo "== remove keeps config and data, purge removes them (Debian policy)"
chroot "$root" sh -c 'kill $(pidof gamehost)' || true
host_started=""
sleep 1
chroot "$root" env DEBIAN_FRONTEND=noninteractive apt-get remove -y -q gamehost >"$work/remove.log" 2>&1
[ ! -e "$root/usr/bin/gamehost" ] || { echo "FAIL: remove left the binary" >&2; exit 1; }
[ -f "$root/etc/gamehost/gamehost.toml" ] || { echo "FAIL: remove deleted the config" >&2; exit 1; }
[ -d "$root/var/lib/gamehost" ] || { echo "FAIL: remove deleted the data" >&2; exit 1; }
chroot "$root" env DEBIAN_FRONTEND=noninteractive apt-get purge -y -q gamehost >>"$work/remove.log" 2>&1
[ ! -e "$root/etc/gamehost" ] || { echo "FAIL: purge left /etc/gamehost" >&2; exit 1; }
[ ! -e "$root/var/lib/gamehost" ] || { echo "FAIL: purge left /var/lib/gamehost" >&2; exit 1; }
! chroot "$root" getent passwd gamehost >/dev/null || { echo "FAIL: purge left the user" >&2; exit 1; }
echo "install test ok"
