#!/usr/bin/env bash
# Installs what the kernel lab (tests/lab/) needs from Debian 12: qemu, Debian's stock kernel with its
# modules, a static busybox for the initrd, kmod (modprobe in the guest), cpio and xz (initrd build).
# Idempotent: runs `apt-get update` and `apt-get install` only when something is missing.
set -euo pipefail

packages=(
  qemu-system-x86 linux-image-amd64 busybox-static kmod cpio xz-utils zstd
  iproute2 nftables procps iputils-ping
)

. "$(dirname "$0")/apt-install-missing.sh"
apt_install_missing install-lab-deps "${packages[@]}"
