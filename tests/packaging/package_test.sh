#!/usr/bin/env bash
# Builds the .deb and .rpm packages and checks them: the file lists match the expected
# lists kept in packaging/expected/, lintian reports no error, the config is a conffile,
# a production config the host accepts and free of secrets, and the maintainer scripts are
# in place (the rpm's %post creates the secrets file once).
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

# The packaged config is a production config the host accepts, with no secret in it: the
# auth secret comes from the environment file the unit reads and the install generates.
conf="$src/packaging/gamehost.toml"
"$build/bin/gamehost" --config "$conf" --check-config >/dev/null ||
  { echo "FAIL: gamehost --check-config refuses the packaged config" >&2; status=1; }
grep -qx 'mode = "production".*' "$conf" || { echo "FAIL: the packaged config is not in production mode" >&2; status=1; }
grep -qx 'load = \["auth", "user", "room", "card", "battlemap", "racemap"\]' "$conf" || { echo "FAIL: the packaged config does not load auth, user, room, card, battlemap, racemap (and only those: no echo example in production)" >&2; status=1; }
if grep -Eq '^[[:space:]]*token_secret[[:space:]]*=' "$conf" || grep -Eq '^[[:space:]]*token[[:space:]]*=[[:space:]]*"[^"]' "$conf"; then
  echo "FAIL: the packaged config carries a token secret or a fixed admin token" >&2
  status=1
fi
grep -qx 'EnvironmentFile=-/etc/gamehost/secrets.env' "$src/packaging/gamehost.service" ||
  { echo "FAIL: the unit does not read /etc/gamehost/secrets.env" >&2; status=1; }

# The rpm's %post, run against a scratch root: it creates the secrets file once (0640, 64
# hex digits) and leaves an existing one alone. (The .deb's postinst is run for real by
# install_test.sh.)
mkdir -p "$out/post/etc" "$out/post/var"
rpm -qp --queryformat '%{POSTIN}' "$host_rpm" 2>/dev/null |
  sed "s|/etc/gamehost|$out/post/etc|g; s|/var/lib/gamehost|$out/post/var|g; s|/run/systemd/system|$out/post/no-systemd|g; \
       s|chown |true |g" >"$out/post/post.sh"
secrets="$out/post/etc/secrets.env"
if ! sh "$out/post/post.sh" 1 || ! grep -Eqx 'GAMEHOST_AUTH_SECRET=[0-9a-f]{64}' "$secrets" ||
   [ "$(stat -c %a "$secrets")" != 640 ]; then
  echo "FAIL: the rpm %post does not create secrets.env (0640, GAMEHOST_AUTH_SECRET=64 hex digits)" >&2
  ls -l "$out/post/etc" >&2
  status=1
else
  before=$(sha256sum <"$secrets")
  sh "$out/post/post.sh" 2
  [ "$(sha256sum <"$secrets")" = "$before" ] || { echo "FAIL: the rpm %post rewrote an existing secrets.env" >&2; status=1; }
fi

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
[ $status -eq 0 ] && echo "packages ok: 4 file lists match, conffile and scripts in place, production config" \
  "without secrets, rpm %post creates secrets.env once, lintian errors: 0"
exit $status
