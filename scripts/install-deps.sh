#!/usr/bin/env bash
# Installs ravpn's dependencies from Debian 12. Idempotent: apt runs only when something is missing.
#   scripts/install-deps.sh          everything scripts/test.sh needs (build, real peers, lab, package test, fuzzing)
#   scripts/install-deps.sh --demo   only what scripts/demo.sh needs (build, ike-scan, vpnc, the kernel lab)
# What it changes on the host besides installing packages:
#   - the kernel lab's linux-image-amd64 (install-lab-deps.sh): on a machine that boots another kernel, Debian's
#     becomes the default boot kernel (on a stock Debian 12 machine it is already the one installed);
#   - freeradius: its service is disabled and stopped when this script installed it (the tests start their own
#     server in a network namespace); a freeradius that was there before is left as it was.
set -euo pipefail
here=$(dirname "$0")

build=(
  build-essential g++ meson ninja-build pkg-config
  libbotan-2-dev libfmt-dev libmnl-dev libnl-3-dev libnl-route-3-dev nlohmann-json3-dev doctest-dev libtomlplusplus-dev
  libsystemd-dev libnftables-dev
)
demo=(
  ike-scan vpnc iproute2 nftables procps psmisc iputils-ping python3
)
tests=(
  # fuzzing (libFuzzer ships with clang's runtime)
  clang libclang-rt-14-dev
  # real peers and probes for the acceptance tests
  strongswan-charon charon-cmd strongswan-swanctl libcharon-extra-plugins libcharon-extauth-plugins libstrongswan-standard-plugins
  tshark python3-scapy
  socat  # NAT/filter traffic checks (tests/firewall/)
  freeradius  # the RADIUS server the Xauth test (tests/xauth/test_freeradius.sh) authenticates against
  sqlite3  # the sqlippool table two head-ends share (tests/lab/test_two_headends.sh)
  python3-prometheus-client  # parses `ravpnctl metrics` (tests/daemon/test_control_socket.sh)
  bc  # the flood test's latency and rate arithmetic (tests/tools/test_flood.sh)
  # a TACACS+ client we did not write, proving tests/tools/tacacs_server.py (tests/xauth/test_tacacs_server.sh)
  libauthen-tacacsplus-perl
  debhelper dpkg-dev fakeroot lintian debootstrap systemd systemd-container  # the Debian package test (tests/packaging/)
)

packages=("${build[@]}" "${demo[@]}")
[ "${1:-}" = --demo ] || packages+=("${tests[@]}")

t0=$SECONDS
# The kernel lab (qemu, Debian's kernel, busybox) for the ESP tests has its own list.
"$here/install-lab-deps.sh"

. "$here/apt-install-missing.sh"
echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections
radius_before=$(dpkg-query -W -f='${Status}' freeradius 2>/dev/null || true)
apt_install_missing install-deps "${packages[@]}"
if [[ $radius_before != *"install ok installed"* ]] && dpkg-query -W -f='${Status}' freeradius 2>/dev/null | grep -q "ok installed"; then
  echo "install-deps: freeradius installed for the tests: disabling its service (systemctl disable --now freeradius)"
  systemctl disable --now freeradius >/dev/null 2>&1 || systemctl disable freeradius >/dev/null 2>&1 || true
fi
echo "install-deps: done in $((SECONDS - t0)) s"
