#!/usr/bin/env bash
# The Debian package, end to end: builds ravpn_*.deb with dpkg-buildpackage from a clean copy of the working tree
# (the real build dirs are not touched), runs lintian (fails on E:), installs the .deb with apt into a fresh
# debootstrap'd Debian 12 root (its dependencies from Debian's archive, as on a real machine), and checks there:
# the binaries run, the example configuration passes --check-config, the conffiles are registered, postinst made
# the ravpn group and secrets.cfg root:ravpn 0640, `systemd-analyze verify` accepts the unit, and purge cleans up.
#
#   meson test -C build --suite package        (or run this script directly, as root)
#
# The minbase root is debootstrap'd once (about 2 minutes, from deb.debian.org) and kept as a tarball in
# $RAVPN_PKG_CACHE (default /var/cache/ravpn-packaging), as are the .debs apt fetches into it; every run unpacks a
# fresh copy. RAVPN_PKG_KEEP=1 keeps the work directory for inspection.
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
if ! (cd "$src" && DEB_BUILD_OPTIONS="parallel=$(nproc)" dpkg-buildpackage -us -uc -b) >"$work/build.log" 2>&1; then
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
# The masked example alone must not pass: its secrets are in secrets.cfg only.
if in_root /usr/sbin/ravpnd --check-config /etc/ravpn/ravpn.cfg >/dev/null 2>&1; then
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
for f in /etc/ravpn/ravpn.cfg /etc/ravpn/secrets.cfg; do
  grep -q "^ *$f " <<<"$conffiles" && pass "conffile $f" || fail "$f is not a conffile"
done

if in_root getent group ravpn >/dev/null; then pass "postinst created the group ravpn"
else fail "no group ravpn"; fi
perm=$(in_root stat -c '%a %U:%G' /etc/ravpn/secrets.cfg)
[ "$perm" = "640 root:ravpn" ] && pass "secrets.cfg is $perm" || fail "secrets.cfg is $perm, not 640 root:ravpn"

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

# 7. Purge: the conffiles, /etc/ravpn and the (empty) group go.
step "apt-get purge ravpn"
if in_root apt-get -q -y purge ravpn >"$work/purge.log" 2>&1; then pass "purged"; else tail "$work/purge.log" >&2; fail "purge"; fi
[ ! -e "$root/etc/ravpn" ] && pass "/etc/ravpn removed" || fail "/etc/ravpn left after purge: $(ls -A "$root/etc/ravpn")"
in_root getent group ravpn >/dev/null && fail "group ravpn left after purge" || pass "group ravpn removed"
step_done purge

echo "== timings =="
printf '   %s\n' "${timings[@]}"
if [ "$failures" -gt 0 ]; then echo "test_package: $failures check(s) failed"; exit 1; fi
echo "test_package: all checks passed"
