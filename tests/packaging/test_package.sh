#!/usr/bin/env bash
# The Debian package, end to end: builds ravpn_*.deb with dpkg-buildpackage from a clean copy of the working tree
# (the real build dirs are not touched), runs lintian (fails on E:), installs the .deb with apt into a fresh
# debootstrap'd Debian 12 root (its dependencies from Debian's archive, as on a real machine), and checks there:
# the binaries run, the example configuration passes --check-config, the conffiles are registered, postinst made
# the ravpn and ravpn-admin groups and secrets.cfg root:root 0600, `systemd-analyze verify` accepts the unit; then the root is booted
# with systemd-nspawn -b and the seed PIX config runs under the unit (step 7); purge cleans up.
#
#   meson test -C build --suite package        (or run this script directly, as root)
#
# The minbase root is debootstrap'd once (about 2 minutes, from deb.debian.org) and kept as a tarball in
# $RAVPN_PKG_CACHE (default /var/cache/ravpn-packaging), as are the .debs apt fetches into it; every run unpacks a
# fresh copy. RAVPN_PKG_KEEP=1 keeps the work directory for inspection. RAVPN_PKG_NO_DEBUG_INFO=1 (scripts/test.sh)
# builds without debug information (DEB_CXXFLAGS_APPEND=-g0 and DEB_BUILD_OPTIONS=noddebs: a third less compile
# time, no -dbgsym package); the package is otherwise the same.
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
cache=${RAVPN_PKG_CACHE:-/var/cache/ravpn-packaging}
mirror=${RAVPN_PKG_MIRROR:-http://deb.debian.org/debian}
suite=bookworm

[ "$(id -u)" -eq 0 ] || { echo "test_package: needs root (chroot, mounts)" >&2; exit 77; }
for tool in dpkg-buildpackage dh lintian debootstrap systemd-analyze fakeroot; do
  command -v "$tool" >/dev/null || { echo "test_package: $tool missing: run scripts/install-deps.sh" >&2; exit 1; }
done

work=$(mktemp -d /var/tmp/ravpn-package.XXXXXX)
root=$work/root
cleanup() {
  local m
  for m in "$root/var/cache/apt/archives" "$root/proc"; do
    mountpoint -q "$m" 2>/dev/null && umount -l "$m"
  done
  if [ "${RAVPN_PKG_KEEP:-0}" = 1 ]; then echo "test_package: kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 143' TERM INT  # meson's timeout: unmount before going

failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }
pass() { echo "ok: $*"; }
step_start=0
step() { step_start=$SECONDS; echo "== $* =="; }
step_done() { echo "   ($1: $((SECONDS - step_start)) s)"; timings+=("$1 $((SECONDS - step_start)) s"); }
timings=()
in_root() { chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LC_ALL=C.UTF-8 "$@"; }

# 1. A clean copy of the working tree: tracked and untracked files, without .git and the build directories.
step "copy the tree"
src=$work/src/ravpn
mkdir -p "$src"
tar -C "$top" --exclude=./.git --exclude='./build' --exclude='./build-*' --exclude=./debian/build \
  --exclude='./obj-*' --exclude='./debian/ravpn' --exclude='./debian/.debhelper' --exclude='./debian/tmp' -cf - . |
  tar -C "$src" -xf -
step_done copy

# 2. The package.
step "dpkg-buildpackage -us -uc -b"
no_debug=() options="parallel=$(nproc)"
if [ "${RAVPN_PKG_NO_DEBUG_INFO:-0}" = 1 ]; then no_debug=(DEB_CXXFLAGS_APPEND=-g0); options="$options noddebs"; fi
if ! (cd "$src" && env "${no_debug[@]}" DEB_BUILD_OPTIONS="$options" dpkg-buildpackage -us -uc -b) \
    >"$work/build.log" 2>&1; then
  tail -n 60 "$work/build.log" >&2
  echo "test_package: dpkg-buildpackage failed (log above)" >&2
  exit 1
fi
deb=$(ls "$work"/src/ravpn_*.deb | grep -v dbgsym)
changes=$(ls "$work"/src/ravpn_*.changes)
pass "built $(basename "$deb")"
dpkg-deb --contents "$deb" | awk '{print "   " $1, $2, $6}'
step_done dpkg-buildpackage

# 3. lintian: errors fail; warnings, info and pedantic tags are shown.
step "lintian"
lintian --allow-root --display-info --pedantic --info "$changes" 2>&1 | tee "$work/lintian.log" || true
if grep -q '^E: ' "$work/lintian.log"; then fail "lintian reports errors"; else pass "lintian: no errors"; fi
step_done lintian

# 4. A fresh Debian 12 root: the cached minbase tarball, unpacked anew.
step "fresh root"
mkdir -p "$cache/archives/partial"
tarball=$cache/$suite-minbase.tar
if [ ! -s "$tarball" ]; then
  debootstrap --variant=minbase "$suite" "$work/bootstrap" "$mirror" >"$work/debootstrap.log" 2>&1 ||
    { tail -n 30 "$work/debootstrap.log" >&2; exit 1; }
  tar -C "$work/bootstrap" -cf "$tarball.tmp" . && mv "$tarball.tmp" "$tarball"
  rm -rf "$work/bootstrap"
fi
mkdir "$root"
tar -C "$root" -xf "$tarball"
mount -t proc proc "$root/proc"
mount --bind "$cache/archives" "$root/var/cache/apt/archives"
cp /etc/resolv.conf "$root/etc/resolv.conf"
# No service starts inside the root, whatever a maintainer script asks.
printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
chmod 0755 "$root/usr/sbin/policy-rc.d"
step_done fresh-root

# 5. Install the .deb as an admin would, on a machine that runs systemd (minbase has none): apt resolves its
# dependencies (and Recommends: nftables) from Debian.
step "apt-get install systemd, then ./$(basename "$deb")"
cp "$deb" "$root/tmp/"
if ! in_root sh -c "export DEBIAN_FRONTEND=noninteractive; apt-get -q update && apt-get -q -y install systemd &&
    apt-get -q -y install /tmp/$(basename "$deb")" >"$work/install.log" 2>&1; then
  tail -n 40 "$work/install.log" >&2
  echo "test_package: installing the package failed (log above)" >&2
  exit 1
fi
grep -E '^(Setting up|Unpacking) ravpn' "$work/install.log" || true
pass "installed with its dependencies"
step_done install

# 6. What the package put there.
step "checks in the installed root"
in_root /usr/sbin/ravpnd --help >/dev/null 2>&1 && pass "ravpnd --help" || fail "ravpnd --help"
if in_root /usr/sbin/ravpnd --check-config /etc/ravpn/ravpn.cfg --secrets /etc/ravpn/secrets.cfg >"$work/check.json" 2>&1
then pass "ravpnd --check-config on the example config and secrets"
else cat "$work/check.json" >&2; fail "the example config does not pass --check-config"; fi
# Without --secrets, secrets.cfg beside the config is read (as ravpn-convert does): the same verdict.
if in_root /usr/sbin/ravpnd --check-config /etc/ravpn/ravpn.cfg --quiet >"$work/check-default.log" 2>&1
then pass "--check-config finds /etc/ravpn/secrets.cfg beside the config"
else cat "$work/check-default.log" >&2; fail "--check-config without --secrets does not find secrets.cfg"; fi
if in_root /usr/bin/ravpn-convert --report /etc/ravpn/ravpn.cfg >"$work/report.log" 2>&1 &&
   grep -q ': 0 errors' "$work/report.log"
then pass "ravpn-convert --report agrees (0 errors)"
else cat "$work/report.log" >&2; fail "ravpn-convert --report disagrees with --check-config"; fi
# The masked example alone must not pass: its secrets are in secrets.cfg only.
if in_root sh -c 'cp /etc/ravpn/ravpn.cfg /tmp/masked.cfg && /usr/sbin/ravpnd --check-config /tmp/masked.cfg' >/dev/null 2>&1; then
  fail "the example config passes without its secrets (a secret is not masked)"
else pass "the example config without secrets.cfg is refused (every secret masked)"; fi

# The converter: the example IOS config to native TOML, which ravpnd then reads as it is.
if in_root sh -c '/usr/bin/ravpn-convert --secrets /etc/ravpn/secrets.cfg --with-secrets /etc/ravpn/ravpn.cfg >/tmp/ravpn.toml &&
                  /usr/sbin/ravpnd --check-config /tmp/ravpn.toml --quiet --dialect native' >"$work/convert.log" 2>&1; then
  pass "ravpn-convert: the example config as native TOML passes ravpnd --check-config"
else
  cat "$work/convert.log" >&2; fail "ravpn-convert of the example config"
fi
[ -e "$root/usr/share/man/man8/ravpn-convert.8.gz" ] && pass "ravpn-convert.8" || fail "ravpn-convert.8 missing"
if [ -f "$top/daemon/ravpnctl.cpp" ] || [ -e "$root/usr/bin/ravpnctl" ]; then
  if in_root /usr/bin/ravpnctl --help >/dev/null 2>&1; then pass "ravpnctl --help"; else fail "ravpnctl --help"; fi
  [ -e "$root/usr/share/man/man8/ravpnctl.8.gz" ] && pass "ravpnctl.8" || fail "ravpnctl.8 missing"
else
  echo "   (ravpnctl is not in this tree; not packaged)"
fi
[ -e "$root/usr/share/man/man8/ravpnd.8.gz" ] && pass "ravpnd.8" || fail "ravpnd.8 missing"

conffiles=$(in_root dpkg-query -W -f='${Conffiles}' ravpn)
echo "$conffiles" | sed 's/^/   /'
for f in /etc/ravpn/ravpn.cfg /etc/ravpn/secrets.cfg /etc/default/ravpnd; do
  grep -q "^ *$f " <<<"$conffiles" && pass "conffile $f" || fail "$f is not a conffile"
done

grep -qx 'net.ipv4.ip_forward = 1' "$root/usr/lib/sysctl.d/ravpn.conf" 2>/dev/null &&
  pass "/usr/lib/sysctl.d/ravpn.conf turns on forwarding" || fail "no /usr/lib/sysctl.d/ravpn.conf with ip_forward"
grep -q 'EnvironmentFile=-/etc/default/ravpnd' "$root/lib/systemd/system/ravpnd.service" &&
  pass "the unit reads /etc/default/ravpnd" || fail "the unit does not read /etc/default/ravpnd"
if in_root getent group ravpn >/dev/null; then pass "postinst created the group ravpn"
else fail "no group ravpn"; fi
perm=$(in_root stat -c '%a %U:%G' /etc/ravpn/secrets.cfg)
[ "$perm" = "600 root:root" ] && pass "secrets.cfg is $perm" || fail "secrets.cfg is $perm, not 600 root:root"
if in_root getent group ravpn-admin >/dev/null; then pass "postinst created the group ravpn-admin"
else fail "postinst did not create the group ravpn-admin"; fi

# The unit, against the installed root: its binaries and the nft of ExecStopPost resolve there.
unit=/lib/systemd/system/ravpnd.service
if [ -f "$root$unit" ]; then
  if systemd-analyze verify --man=no --root="$root" "$root$unit" >"$work/verify.log" 2>&1 && [ ! -s "$work/verify.log" ]
  then pass "systemd-analyze verify $unit"
  else cat "$work/verify.log" >&2; fail "systemd-analyze verify $unit"; fi
  grep -q '^Type=notify' "$root$unit" && pass "Type=notify" || fail "the unit is not Type=notify"
  # The sandbox, as systemd scores it (0 = locked down, 10 = unprotected); the unit is about 4.
  if systemd-analyze security --offline=yes --root="$root" --threshold=50 ravpnd.service >"$work/security.log" 2>&1
  then pass "$(grep -o 'Overall exposure level.*' "$work/security.log")"
  else tail -n 5 "$work/security.log" >&2; fail "systemd-analyze security: exposure above 5.0"; fi
  if in_root systemctl is-enabled ravpnd.service >/dev/null 2>&1; then
    fail "ravpnd.service is enabled on installation (it must wait for the admin's config)"
  else pass "ravpnd.service installed, not enabled"; fi
else
  fail "$unit missing"
fi
step_done checks

# 7. The installed package booted under systemd (systemd-nspawn -b, its own network namespace): the seed PIX config
# (documentation addresses outside, the masked keys from a secrets file) enabled as an admin would; status, a good
# and a bad reload, stop; no error-priority journal line on the clean start/reload/stop, forwarding on, and
# `ravpnctl status` telling what this host's kernel really does with ESP (tests/packaging/boot-check.sh, inside).
step "boot the installed package: systemd-nspawn -b, enable --now, reload, stop"
if ! command -v systemd-nspawn >/dev/null; then
  fail "systemd-nspawn missing: run scripts/install-deps.sh (systemd-container)"
else
  # iproute2 only for the check's veth interfaces; after the package checks, so it hides no missing Depends.
  in_root sh -c 'DEBIAN_FRONTEND=noninteractive apt-get -q -y install iproute2' >"$work/boot-deps.log" 2>&1 ||
    { tail "$work/boot-deps.log" >&2; fail "apt-get install iproute2 in the root"; }
  cp "$top/tests/config/fixtures/pix-seed-radius.cfg" "$root/etc/ravpn/ravpn.cfg"
  cp "$top/tests/config/fixtures/pix-seed.secrets" "$root/etc/ravpn/secrets.cfg"  # onto the file: keeps 0600 root:root
  install -m 0755 "$top/tests/packaging/boot-check.sh" "$root/usr/local/sbin/ravpn-boot-check"
  # What the host kernel (which the container shares) does with the seed's transform, asked directly.
  probe_ns=ravpn-pkg-probe-$$
  expect_esp="not available"
  if ip netns add "$probe_ns" 2>/dev/null; then
    ip -n "$probe_ns" xfrm state add src 198.51.100.1 dst 198.51.100.254 proto esp spi 0x1000 mode tunnel \
      enc 'cbc(des)' 0x1122334455667788 auth 'hmac(md5)' 0x00112233445566778899aabbccddeeff >/dev/null 2>&1 &&
      expect_esp="available"
    ip netns del "$probe_ns"
  fi
  echo "   this host's kernel: ESP (esp-des esp-md5-hmac) $expect_esp"
  cat >"$root/etc/systemd/system/ravpn-boot-check.service" <<UNIT
[Unit]
Description=ravpn package boot check
After=multi-user.target
[Service]
Type=oneshot
Environment="EXPECT_ESP=$expect_esp"
ExecStart=/usr/local/sbin/ravpn-boot-check
[Install]
WantedBy=multi-user.target
UNIT
  mkdir -p "$root/etc/systemd/system/multi-user.target.wants"
  ln -sf ../ravpn-boot-check.service "$root/etc/systemd/system/multi-user.target.wants/ravpn-boot-check.service"
  umount -l "$root/proc"  # nspawn mounts its own
  # --register=no --keep-unit: no machined, no system bus (PID 1 of the host need not be systemd).
  timeout 240 systemd-nspawn --quiet --register=no --keep-unit --private-network --console=pipe -D "$root" \
    --machine="ravpn-pkg-$$" -b </dev/null >"$work/boot.log" 2>&1 || echo "   (systemd-nspawn exit $?)"
  mount -t proc proc "$root/proc"
  if [ -s "$root/var/log/ravpn-boot-check.log" ]; then
    cat "$root/var/log/ravpn-boot-check.log"
    grep -q '^done$' "$root/var/log/ravpn-boot-check.log" || fail "the boot check did not finish"
    while IFS= read -r line; do fail "${line#FAIL: }"; done < <(grep '^FAIL: ' "$root/var/log/ravpn-boot-check.log")
    grep -q '^ok: ' "$root/var/log/ravpn-boot-check.log" && pass "booted: $(grep -c '^ok: ' "$root/var/log/ravpn-boot-check.log") checks in the container"
  else
    tail -n 40 "$work/boot.log" >&2
    fail "the container did not run the boot check (systemd-nspawn log above)"
  fi
fi
step_done boot

# 8. Purge: the conffiles, /etc/ravpn and the (empty) group go.
step "apt-get purge ravpn"
if in_root apt-get -q -y purge ravpn >"$work/purge.log" 2>&1; then pass "purged"; else tail "$work/purge.log" >&2; fail "purge"; fi
[ ! -e "$root/etc/ravpn" ] && pass "/etc/ravpn removed" || fail "/etc/ravpn left after purge: $(ls -A "$root/etc/ravpn")"
in_root getent group ravpn >/dev/null && fail "group ravpn left after purge" || pass "group ravpn removed"
step_done purge

echo "== timings =="
printf '   %s\n' "${timings[@]}"
if [ "$failures" -gt 0 ]; then echo "test_package: $failures check(s) failed"; exit 1; fi
echo "test_package: all checks passed"
