#!/usr/bin/env bash
# Installs every build and test dependency of ravpn from Debian 12. Idempotent.
set -euo pipefail

packages=(
  # build
  build-essential g++ meson ninja-build pkg-config
  libbotan-2-dev libfmt-dev libmnl-dev libnl-3-dev libnl-route-3-dev nlohmann-json3-dev doctest-dev libtomlplusplus-dev
  libsystemd-dev libnftables-dev
  # fuzzing (libFuzzer ships with clang's runtime)
  clang libclang-rt-14-dev
  # real peers and probes for the acceptance tests
  ike-scan vpnc strongswan-charon charon-cmd strongswan-swanctl libcharon-extra-plugins libcharon-extauth-plugins libstrongswan-standard-plugins
  tshark iproute2 nftables procps psmisc python3-scapy
  socat iputils-ping  # NAT/filter traffic checks (tests/firewall/)
  freeradius  # the RADIUS server the Xauth test (tests/xauth/test_freeradius.sh) authenticates against
  # a TACACS+ client we did not write, proving tests/tools/tacacs_server.py (tests/xauth/test_tacacs_server.sh)
  libauthen-tacacsplus-perl
  debhelper dpkg-dev fakeroot lintian debootstrap systemd  # the Debian package test (tests/packaging/)
)

# The kernel lab (qemu, Debian's kernel, busybox) for the ESP tests has its own list.
"$(dirname "$0")/install-lab-deps.sh"

. "$(dirname "$0")/apt-install-missing.sh"
echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections
apt_install_missing install-deps "${packages[@]}"
