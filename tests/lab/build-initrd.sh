#!/usr/bin/env bash
# Builds the kernel lab's initrd: a static busybox plus the handful of modules of Debian's stock kernel that
# are needed to mount the host's filesystem over virtio-9p. Its /init inserts them, mounts the 9p root and
# switch_roots into the job's init script (see run-in-lab.sh / guest-init.sh).
#
# Usage: build-initrd.sh [--force] [--print-path]
#   Env: RAVPN_LAB_KERNEL  kernel version (default: newest /lib/modules/* with a /boot/vmlinuz-*)
#        RAVPN_LAB_CACHE   output directory (default /var/cache/ravpn-lab, or build-lab/ in the repo
#                          when that is not writable)
# Prints the initrd path on stdout. Rebuilds only when missing or older than its inputs.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)

force=0
for a in "$@"; do
  case "$a" in
    --force) force=1 ;;
    --print-path) ;;
    *) echo "build-initrd: unknown argument $a" >&2; exit 2 ;;
  esac
done

pick_kernel() {
  local k best=""
  for k in $(ls /lib/modules 2>/dev/null | sort -V); do
    [ -f "/boot/vmlinuz-$k" ] && best="$k"  # the newest by version
  done
  [ -n "$best" ] || return 1
  printf '%s\n' "$best"
}

K=${RAVPN_LAB_KERNEL:-}
if [ -z "$K" ]; then
  K=$(pick_kernel) || { echo "build-initrd: no kernel with /boot/vmlinuz-K and /lib/modules/K; run scripts/install-lab-deps.sh" >&2; exit 1; }
fi
moddir=/lib/modules/$K
[ -d "$moddir" ] || { echo "build-initrd: $moddir missing; run scripts/install-lab-deps.sh" >&2; exit 1; }
busybox=/bin/busybox
[ -x "$busybox" ] && "$busybox" --list >/dev/null 2>&1 || { echo "build-initrd: $busybox missing; run scripts/install-lab-deps.sh" >&2; exit 1; }
ldd "$busybox" >/dev/null 2>&1 && { echo "build-initrd: $busybox is dynamically linked; install busybox-static" >&2; exit 1; }
command -v cpio >/dev/null || { echo "build-initrd: cpio missing; run scripts/install-lab-deps.sh" >&2; exit 1; }

cache=${RAVPN_LAB_CACHE:-/var/cache/ravpn-lab}
if ! mkdir -p "$cache" 2>/dev/null || [ ! -w "$cache" ]; then
  cache=$repo/build-lab
  mkdir -p "$cache"
fi
out=$cache/initrd-$K.img

# Insertion order matters: each module depends on the ones before it (checked against modules.dep).
modules=(virtio_ring virtio virtio_pci_modern_dev virtio_pci_legacy_dev virtio_pci netfs fscache 9pnet 9pnet_virtio 9p)

# The kernel, decompressed: an ELF vmlinux with a PVH entry boots straight away under qemu (-kernel vmlinux),
# skipping the in-guest xz decompression that costs seconds under emulation. Falls back to the bzImage
# (run-in-lab.sh uses /boot/vmlinuz-K when $cache/vmlinux-K is absent).
extract_vmlinux() {
  local img=/boot/vmlinuz-$K dst=$cache/vmlinux-$K magic tool off t extra
  [ -s "$dst" ] && [ "$dst" -nt "$img" ] && return 0
  grep -q '^CONFIG_PVH=y' "/boot/config-$K" 2>/dev/null || return 0
  for magic in 'xz:\xfd7zXZ\x00' 'zstd:\x28\xb5\x2f\xfd' 'gzip:\x1f\x8b\x08'; do
    tool=${magic%%:*}
    off=$(LC_ALL=C grep -obUaP "${magic#*:}" "$img" 2>/dev/null | head -1 | cut -d: -f1)
    [ -n "$off" ] || continue
    t=$(mktemp "$cache/vmlinux.XXXXXX")
    # (process substitution: tail's SIGPIPE once the decompressor stops reading is not an error)
    extra=(); [ "$tool" = xz ] && extra=(--single-stream)
    if "$tool" -qdc "${extra[@]}" < <(tail -c +$((off + 1)) "$img") > "$t" 2>/dev/null \
       && [ "$(head -c 4 "$t" | od -An -tx1 | tr -d ' \n')" = 7f454c46 ]; then
      chmod 644 "$t"; mv -f "$t" "$dst"; return 0
    fi
    rm -f "$t"
  done
  return 0
}
[ "${RAVPN_LAB_PVH:-1}" = 1 ] && extract_vmlinux

# Up to date? (inputs: this script, busybox, modules.dep of the kernel)
if [ "$force" = 0 ] && [ -s "$out" ] && [ "$out" -nt "${BASH_SOURCE[0]}" ] && [ "$out" -nt "$busybox" ] \
   && [ "$out" -nt "$moddir/modules.dep" ]; then
  printf '%s\n' "$out"
  exit 0
fi

stage=$(mktemp -d "$cache/initrd-stage.XXXXXX")
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage"/{bin,sbin,dev,proc,sys,newroot,modules}
cp "$busybox" "$stage/bin/busybox"
for app in sh mount umount insmod switch_root mkdir cat echo sleep poweroff reboot ls ln ip stty; do
  ln -s busybox "$stage/bin/$app"
done

i=0
for m in "${modules[@]}"; do
  # Locate the file through modules.dep (name may use - or _; file may be .ko, .ko.xz, .ko.zst, .ko.gz).
  rel=$(awk -v m="$m" -F: '{ f=$1; n=f; sub(/.*\//,"",n); sub(/\.ko(\.(xz|zst|gz))?$/,"",n); gsub(/-/,"_",n);
        if (n==m) { print f; exit } }' "$moddir/modules.dep")
  if [ -z "$rel" ]; then
    # Built into the kernel? Then there is nothing to insert.
    if grep -q "/${m//_/[_-]}\.ko" "$moddir/modules.builtin" 2>/dev/null; then continue; fi
    echo "build-initrd: module $m not found for kernel $K" >&2; exit 1
  fi
  src=$moddir/$rel
  dst=$stage/modules/$(printf '%02d' $i)-$m.ko
  case "$src" in
    *.ko.xz)  xz -dc "$src" > "$dst" ;;
    *.ko.zst) zstd -qdc "$src" > "$dst" ;;
    *.ko.gz)  gzip -dc "$src" > "$dst" ;;
    *)        cp "$src" "$dst" ;;
  esac
  i=$((i + 1))
done

cat > "$stage/init" <<'INIT'
#!/bin/sh
# ravpn kernel lab initrd: load virtio + 9p, mount the host's / on /newroot, prepare the guest's pseudo and
# tmpfs mounts under it (busybox here is fast; the same execs over 9p cost seconds under emulation) and hand
# over to the job's init, which is on the host's filesystem.
/bin/busybox mount -t devtmpfs devtmpfs /dev
exec </dev/console >/dev/console 2>&1
mount -t proc proc /proc
fail() { echo "ravpn-lab initrd: $*"; echo o > /proc/sysrq-trigger; sleep 5; poweroff -f; }
for m in /modules/*.ko; do
  insmod "$m" || fail "insmod $m failed"
done
job=""
cache=""
for w in $(cat /proc/cmdline); do
  case "$w" in
    ravpn_job=*) job=${w#ravpn_job=} ;;
    ravpn_9pcache=*) cache=${w#ravpn_9pcache=} ;;
  esac
done
[ -n "$job" ] || fail "no ravpn_job= on the kernel command line"
n=0
until mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144,cache=${cache:-loose} root /newroot; do
  n=$((n + 1)); [ $n -lt 20 ] || fail "cannot mount the 9p root"
  sleep 0.2
done
[ -x "/newroot$job/init" ] || fail "/newroot$job/init missing"

r=/newroot
mount -t proc proc $r/proc
mount -t sysfs sysfs $r/sys
mount -t devtmpfs devtmpfs $r/dev
mkdir -p $r/dev/pts $r/dev/shm
mount -t devpts -o gid=5,mode=620,ptmxmode=666 devpts $r/dev/pts
mount -t tmpfs -o mode=1777 tmpfs $r/dev/shm
[ -e $r/dev/ptmx ] || ln -s pts/ptmx $r/dev/ptmx
[ -e $r/dev/fd ] || ln -s /proc/self/fd $r/dev/fd
[ -f "$r$job/keep" ] && cat "$r$job/keep" > /keep
mount -t tmpfs -o mode=755 tmpfs $r/run
# The host's root as it is underneath the tmpfs mounts below: paths the job needs under /tmp, /mnt or
# /run (a repo cloned under /tmp, say; listed in JOB/keep) are bind-mounted back to the same place.
mkdir -p $r/run/ravpn-lab/host $r/run/netns $r/run/lock
mount -o bind $r $r/run/ravpn-lab/host
mount -t tmpfs -o mode=1777 tmpfs $r/tmp
mount -t tmpfs -o mode=755 tmpfs $r/mnt
if [ -f /keep ]; then
  while IFS= read -r p; do
    case "$p" in
      /tmp|/tmp/*|/mnt|/mnt/*|/run|/run/*)
        [ -d "$r/run/ravpn-lab/host$p" ] || continue
        mkdir -p "$r$p"
        mount -o bind "$r/run/ravpn-lab/host$p" "$r$p" || fail "cannot bind $p"
        ;;
    esac
  done < /keep
fi
echo ravpn-lab > /proc/sys/kernel/hostname
ip link set lo up
# Output channel: the second serial port, raw (no \n -> \r\n, no echo).
stty -F $r/dev/ttyS1 raw -echo
umount /proc
umount /dev 2>/dev/null
exec switch_root /newroot "$job/init"
INIT
chmod +x "$stage/init"

tmp=$(mktemp "$cache/initrd-$K.img.XXXXXX")
(cd "$stage" && find . -print0 | LC_ALL=C sort -z | cpio --null -o -H newc --quiet | gzip -1) > "$tmp"
chmod 644 "$tmp"
mv -f "$tmp" "$out"
printf '%s\n' "$out"
