#!/usr/bin/env bash
# Installs what the kernel lab (tests/lab/) needs from Debian 12: qemu, Debian's stock kernel with its
# modules, a static busybox for the initrd, kmod (modprobe in the guest), cpio and xz (initrd build).
# Idempotent: runs `apt-get update` and `apt-get install` only when something is missing.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive

packages=(
  qemu-system-x86 linux-image-amd64 busybox-static kmod cpio xz-utils zstd
  iproute2 nftables procps iputils-ping
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-lab-deps: all ${#packages[@]} packages present"
  exit 0
fi
echo "install-lab-deps: installing ${missing[*]}"
apt-get -o DPkg::Lock::Timeout=600 update -qq
apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${missing[@]}"
