#!/usr/bin/env bash
# Runs SCRIPT [ARGS...] inside the kernel lab: Debian's stock kernel under qemu-system-x86_64, with the
# host's / as the guest's root over virtio-9p (so SCRIPT, the build tree and the installed packages are seen
# at the same paths), no network card (-nic none: all traffic stays in network namespaces in the guest).
#
#   tests/lab/run-in-lab.sh tests/lab/smoke_esp.sh
#   tests/lab/run-in-lab.sh tests/lab/guest-run-suite.sh a.sh b.sh     # several tests in one boot
#
# The script's stdout+stderr are streamed live to stdout (second serial port -> file -> tail); the exit
# code is the script's. Guest setup (guest-init.sh): proc, sys, devtmpfs, devpts, tmpfs on /run, /tmp,
# /mnt and /dev/shm (unix sockets cannot live on the 9p root), modules for XFRM/ESP/nftables/veth/tun.
# Inside, RAVPN_LAB=1 and RAVPN_LAB_MISSING_MODULES are set; host variables named RAVPN_* are passed on.
# Paths under /tmp, /mnt or /run needed by the job (cwd, the script's dir, the repo, the dirs of arguments
# that name existing files, and the colon-separated RAVPN_LAB_KEEP) are bind-mounted back over the guest's
# tmpfs at the same path: a clone under /tmp works.
#
# Env: RAVPN_LAB_TIMEOUT  seconds before qemu is killed (default 1200)
#      RAVPN_LAB_MEM / RAVPN_LAB_SMP  guest memory in MiB (2048) / CPUs (2)
#      RAVPN_LAB_KERNEL   kernel version under /lib/modules (default: newest with /boot/vmlinuz-*)
#      RAVPN_LAB_MODULES  extra modules to load in the guest (space separated)
#      RAVPN_LAB_CONSOLE=1  also stream the kernel console (first serial port) to stderr
#      RAVPN_LAB_CACHE    cache dir for the initrd and job dirs (default /var/cache/ravpn-lab)
#      RAVPN_LAB_KEEP_JOB=1  keep the job dir (console log, timings) even on success
#      RAVPN_LAB_PVH=0    boot the compressed /boot/vmlinuz-K instead of the cached uncompressed vmlinux
#      RAVPN_LAB_ACCEL=tcg  never try KVM; RAVPN_LAB_KVM_PROBE  seconds a KVM boot has to start the script (60)
#      RAVPN_LAB_9P_CACHE 9p cache mode of the root (default loose: page cache for binaries, several times
#                         faster; the guest does not see host-side changes made during the run; "none")
# Exit: the script's code; 124 on timeout; 125 when the lab itself failed (console log tail is printed);
#       2 when something needed is not installed.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
t0=$(date +%s.%N)

if [ $# -lt 1 ] || [ "$1" = -h ] || [ "$1" = --help ]; then
  sed -n '2,/^set -uo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'
  exit 2
fi

log() { echo "run-in-lab: $*" >&2; }

# ---- preflight ----------------------------------------------------------------------------------------
missing=()
command -v qemu-system-x86_64 >/dev/null || missing+=(qemu-system-x86)
[ -x /bin/busybox ] && ! ldd /bin/busybox >/dev/null 2>&1 || missing+=(busybox-static)
command -v modprobe >/dev/null || [ -x /sbin/modprobe ] || missing+=(kmod)
command -v cpio >/dev/null || missing+=(cpio)
command -v ip >/dev/null || [ -x /sbin/ip ] || missing+=(iproute2)
K=${RAVPN_LAB_KERNEL:-}
if [ -z "$K" ]; then
  for k in $(ls /lib/modules 2>/dev/null | sort -V); do
    [ -f "/boot/vmlinuz-$k" ] && K=$k  # the newest by version
  done
fi
if [ -n "${RAVPN_LAB_KERNEL:-}" ] && { [ ! -f "/boot/vmlinuz-$K" ] || [ ! -d "/lib/modules/$K" ]; }; then
  log "RAVPN_LAB_KERNEL=$K: /boot/vmlinuz-$K or /lib/modules/$K is missing"
  exit 2
fi
[ -n "$K" ] || missing+=(linux-image-amd64)
if [ ${#missing[@]} -gt 0 ]; then
  log "missing: ${missing[*]}"
  log "install with: $repo/scripts/install-lab-deps.sh   (as root)"
  exit 2
fi
if [ ! -r "/boot/vmlinuz-$K" ]; then log "/boot/vmlinuz-$K is not readable (run as root)"; exit 2; fi
export RAVPN_LAB_KERNEL=$K

script=$1; shift
if [ ! -f "$script" ]; then log "no such script: $script"; exit 2; fi
script=$(realpath "$script")
cwd=$(pwd -P)

initrd=$("$here/build-initrd.sh") || { log "initrd build failed"; exit 125; }
cache=$(dirname "$initrd")
case "$cache" in *[[:space:]]*) log "cache dir must not contain spaces: $cache"; exit 2 ;; esac
mkdir -p "$cache/jobs"
# prune job dirs older than a day (left by failures)
find "$cache/jobs" -mindepth 1 -maxdepth 1 -type d -mmin +1440 -exec rm -rf {} + 2>/dev/null
job=$(mktemp -d "$cache/jobs/job.XXXXXX")
chmod 755 "$job"

# ---- job description for guest-init.sh ---------------------------------------------------------------
modules=(
  # XFRM / IPsec
  xfrm_user xfrm_algo af_key esp4 esp6 ah4 ipcomp xfrm_ipcomp xfrm4_tunnel tunnel4 xfrm_interface ip_vti
  # crypto for ESP (several are built in: modprobe succeeds for those)
  des_generic md5 sha1_generic sha256_generic sha512_generic cbc aes_generic hmac authenc echainiv seqiv
  gcm ctr ghash_generic
  # links
  veth dummy tun bridge
  # nftables
  nf_tables nf_conntrack nf_nat nft_chain_nat nft_nat nft_masq nft_redir nft_ct nft_reject nft_reject_inet
  nft_reject_ipv4 nft_fib_inet nft_fib_ipv4 nft_xfrm nft_limit nft_log nf_log_syslog
  # diagnostics (ss), delay/loss emulation
  inet_diag tcp_diag udp_diag sch_netem
)
# shellcheck disable=SC2206
modules+=(${RAVPN_LAB_MODULES:-})

keep=("$job" "$cwd" "$(dirname "$script")" "$repo")
# arguments naming existing host paths (e.g. the scripts given to guest-run-suite.sh)
for a in "$@"; do
  [ -e "$a" ] || continue
  a=$(realpath "$a")
  [ -d "$a" ] || a=$(dirname "$a")
  keep+=("$a")
done
IFS=: read -r -a extra <<< "${RAVPN_LAB_KEEP:-}"
keep+=("${extra[@]}")

if [ -x "$script" ]; then cmd=("$script" "$@"); else cmd=(bash "$script" "$@"); fi
{
  printf 'lab_cwd=%q\n' "$cwd"
  printf 'lab_cmd=('; printf '%q ' "${cmd[@]}"; printf ')\n'
  printf 'lab_modules=('; printf '%q ' "${modules[@]}"; printf ')\n'
  while IFS= read -r name; do
    case "$name" in RAVPN_LAB_KEEP_JOB|RAVPN_LAB_CONSOLE|RAVPN_LAB_TIMEOUT) continue ;; esac
    printf 'export %s=%q\n' "$name" "${!name}"
  done < <(compgen -e | grep '^RAVPN_' || true)
} > "$job/job.sh"
for p in "${keep[@]}"; do
  case "$p" in *$'\n'*) log "paths with newlines are not supported: $p"; exit 2 ;; esac
  [ -n "$p" ] && printf '%s\n' "$p"
done > "$job/keep"
printf '#!/bin/bash\nexec /bin/bash %q %q\n' "$here/guest-init.sh" "$job" > "$job/init"
chmod 755 "$job/init"
: > "$job/out.log"
: > "$job/console.log"

# ---- boot ----------------------------------------------------------------------------------------------
# build-initrd.sh leaves an uncompressed vmlinux (PVH entry) next to the initrd: qemu boots it directly,
# saving the guest's own xz decompression (seconds without KVM).
kernel=/boot/vmlinuz-$K
[ "${RAVPN_LAB_PVH:-1}" = 1 ] && [ -s "$cache/vmlinux-$K" ] && kernel=$cache/vmlinux-$K
# KVM when /dev/kvm works. Some hosts (nested virtualisation) have a /dev/kvm whose guest stops at its first
# boot instructions ("KVM internal error ... emulation failure" in qemu.log) and never reaches the script: then the
# boot is repeated with TCG, and the verdict is kept for this host boot so later runs go straight to TCG.
kvm_verdict=$cache/kvm-unusable
boot_id=$(cat /proc/sys/kernel/random/boot_id 2>/dev/null || echo unknown)
use_kvm=0
if [ -w /dev/kvm ] && [ "${RAVPN_LAB_ACCEL:-}" != tcg ] && [ "$(cat "$kvm_verdict" 2>/dev/null)" != "$boot_id" ]; then
  use_kvm=1
fi
timeout=${RAVPN_LAB_TIMEOUT:-1200}
start_qemu() {  # start_qemu kvm|tcg
  local accel
  # shellcheck disable=SC2054
  if [ "$1" = kvm ]; then accel=(-accel kvm -cpu host); else accel=(-accel tcg,thread=multi); fi
  # shellcheck disable=SC2054
  local qemu=(qemu-system-x86_64 -nodefaults -nographic -no-reboot -monitor none
    "${accel[@]}" -m "${RAVPN_LAB_MEM:-2048}" -smp "${RAVPN_LAB_SMP:-2}" -nic none
    -kernel "$kernel" -initrd "$initrd"
    -append "console=ttyS0 quiet panic=-1 mitigations=off ravpn_9pcache=${RAVPN_LAB_9P_CACHE:-loose} ravpn_job=$job"
    -virtfs local,path=/,mount_tag=root,security_model=passthrough,multidevs=remap
    -serial "file:$job/console.log" -serial "file:$job/out.log")
  log "booting $K ($(basename "$kernel"), $1), timeout ${timeout}s"
  "${qemu[@]}" </dev/null >"$job/qemu.log" 2>&1 &
  qpid=$!
}
cleanup() { kill "$qpid" 2>/dev/null; sleep 0.5; kill -9 "$qpid" 2>/dev/null; }
trap 'cleanup; log "interrupted"; exit 130' INT TERM

if [ "$use_kvm" = 1 ]; then
  start_qemu kvm
  # A working KVM guest starts the script within seconds; a broken one says so in qemu.log when the guest kernel
  # reaches the instruction KVM cannot emulate (about 25 s into the boot on the host where it was seen).
  kvm_deadline=$(( $(date +%s) + ${RAVPN_LAB_KVM_PROBE:-60} ))
  while kill -0 "$qpid" 2>/dev/null && [ ! -s "$job/t_start" ]; do
    if grep -q "KVM internal error\|emulation failure" "$job/qemu.log" 2>/dev/null ||
       [ "$(date +%s)" -ge "$kvm_deadline" ]; then
      log "KVM does not run the guest here ($(grep -m1 "KVM internal error" "$job/qemu.log" 2>/dev/null ||
        echo "no script start within ${RAVPN_LAB_KVM_PROBE:-60}s")): booting again with TCG"
      cleanup
      wait "$qpid" 2>/dev/null
      echo "$boot_id" > "$kvm_verdict"
      : > "$job/out.log"
      : > "$job/console.log"
      use_kvm=0
      break
    fi
    sleep 0.25
  done
fi
[ "$use_kvm" = 1 ] || start_qemu tcg

tail -n +1 -s 0.2 -F --pid="$qpid" "$job/out.log" 2>/dev/null &
tpid=$!
if [ "${RAVPN_LAB_CONSOLE:-0}" = 1 ]; then
  tail -n +1 -s 0.5 -F --pid="$qpid" "$job/console.log" >&2 2>/dev/null &
fi

timed_out=0
deadline=$(( $(date +%s) + timeout ))
while kill -0 "$qpid" 2>/dev/null; do
  if [ "$(date +%s)" -ge "$deadline" ]; then
    timed_out=1
    cleanup
    break
  fi
  sleep 0.25
done
wait "$qpid" 2>/dev/null
qrc=$?
wait "$tpid" 2>/dev/null
# keep the log line below off the script's last line when that has no newline
[ -s "$job/out.log" ] && [ "$(tail -c 1 "$job/out.log" | od -An -c | tr -d ' ')" != '\n' ] && echo
t1=$(date +%s.%N)

# ---- result --------------------------------------------------------------------------------------------
total=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')
timing="total ${total}s"
if [ -s "$job/t_start" ]; then
  timing="boot-to-script $(cat "$job/t_start")s (guest uptime), $timing"
  [ -s "$job/t_end" ] && timing="$timing, script $(awk -v s="$(cat "$job/t_start")" -v e="$(cat "$job/t_end")" \
    'BEGIN { printf "%.1f", e - s }')s"
fi

keep_job=${RAVPN_LAB_KEEP_JOB:-0}
if [ "$timed_out" = 1 ]; then
  log "TIMEOUT: the lab run exceeded ${timeout}s (RAVPN_LAB_TIMEOUT); qemu killed. $timing"
  log "console: $job/console.log (last lines below)"
  tail -n 30 "$job/console.log" | sed 's/\x1b\[[0-9;?]*[a-zA-Z]//g; s/\x1bc//g; s/^/  console| /' >&2
  exit 124
fi
if [ ! -s "$job/rc" ]; then
  log "FAILED: the guest ended without an exit code (qemu exit $qrc). $timing"
  log "job dir kept: $job"
  tail -n 30 "$job/qemu.log" | sed 's/^/  qemu| /' >&2
  tail -n 40 "$job/console.log" | sed 's/\x1b\[[0-9;?]*[a-zA-Z]//g; s/\x1bc//g; s/^/  console| /' >&2
  exit 125
fi
rc=$(cat "$job/rc")
log "exit $rc; $timing"
if [ "$rc" != 0 ] || [ "$keep_job" = 1 ]; then
  log "job dir kept: $job"
else
  rm -rf "$job"
fi
exit "$rc"
