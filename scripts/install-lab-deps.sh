#!/usr/bin/env bash
# Installs what the kernel lab (tests/lab/) needs from Debian 12: qemu, Debian's stock kernel with its
# modules, a static busybox for the initrd, kmod (modprobe in the guest), cpio and xz (initrd build).
# Libreswan (a third IKEv1 client for tests/lab/test_libreswan.sh): Debian's package conflicts with strongSwan's,
# so it is unpacked, not installed, into $LIBRESWAN_DIR (its pluto runs from there); its libraries are installed.
# Idempotent: runs `apt-get update` and `apt-get install` only when something is missing.
set -euo pipefail

packages=(
  qemu-system-x86 linux-image-amd64 busybox-static kmod cpio xz-utils zstd
  iproute2 nftables procps iputils-ping
  # libreswan's runtime dependencies (its Depends: without the packages that conflict or that pluto does not run)
  libnss3-tools libnss3 libnspr4 libcurl3-nss libevent-core-2.1-7 libevent-pthreads-2.1-7 libldns3 libunbound8
  libldap-2.5-0 libaudit1 libcap-ng0 libpam0g libselinux1 libsystemd0
)

. "$(dirname "$0")/apt-install-missing.sh"
apt_install_missing install-lab-deps "${packages[@]}"

LIBRESWAN_DIR=${LIBRESWAN_DIR:-/var/cache/ravpn-lab/libreswan}
if [ ! -x "$LIBRESWAN_DIR/usr/libexec/ipsec/pluto" ]; then
  echo "install-lab-deps: unpacking libreswan into $LIBRESWAN_DIR"
  scratch=$(mktemp -d)
  trap 'rm -rf "$scratch"' EXIT
  (cd "$scratch" && apt-get download libreswan >/dev/null 2>&1 ||
     { apt-get -o DPkg::Lock::Timeout=600 update -qq && apt-get download libreswan; })
  mkdir -p "$LIBRESWAN_DIR.new"
  dpkg-deb -x "$scratch"/libreswan_*.deb "$LIBRESWAN_DIR.new"
  rm -rf "$LIBRESWAN_DIR"
  mv "$LIBRESWAN_DIR.new" "$LIBRESWAN_DIR"
else
  echo "install-lab-deps: libreswan present in $LIBRESWAN_DIR"
fi
