#!/bin/bash
# shellcheck disable=SC2154  # lab_cwd, lab_cmd, lab_modules come from the sourced job.sh
# Guest side of the kernel lab: PID 1 after the initrd's switch_root onto the host's filesystem (9p).
# Not meant to be run by hand: run-in-lab.sh writes JOBDIR/{job.sh,keep,init} and boots the guest; the
# initrd mounts proc, sys, devtmpfs, devpts, /dev/shm and tmpfs on /run, /tmp and /mnt (with the job's
# paths under them bound back), brings lo up, sets /dev/ttyS1 raw, and executes JOBDIR/init, which runs this
# script with JOBDIR as its argument.
#
# Here: load the modules the tests need (a missing one is reported on the console and in
# $RAVPN_LAB_MISSING_MODULES, never fatal), run the job's command with stdout+stderr on the second serial
# port (a file on the host), stop what it left running, write the exit code to JOBDIR/rc, power off.
# Only bash builtins and static busybox are used around the job: every exec of a dynamic binary over 9p
# costs a noticeable time under emulation.
job=${1:?job directory}
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root LANG=C.UTF-8 TERM=dumb
bb=/bin/busybox

exec </dev/console >/dev/console 2>&1
say() { local up _; read -r up _ < /proc/uptime; echo "ravpn-lab guest [$up]: $*"; }
powerdown() {
  $bb sync
  echo o > /proc/sysrq-trigger
  sleep 5
  $bb poweroff -f
}
if [ ! -e /proc/self/fd/0 ] || [ ! -c /dev/ttyS1 ]; then
  say "pseudo filesystems missing: this script runs only as the lab's init"
  echo 125 > "$job/rc"; powerdown
fi

# job.sh defines lab_cwd, lab_cmd (array), lab_modules (array) and exports the environment passed
# through from the host.
# shellcheck disable=SC1091
source "$job/job.sh" || { say "cannot read $job/job.sh"; echo 125 > "$job/rc"; powerdown; }

# Modules: one modprobe for all (it goes on past a missing one). Only when it fails find out which are
# missing, without one exec per module: skip what is loaded (/sys/module) or built in (modules.builtin).
missing=()
if ! modprobe -q -a "${lab_modules[@]}" 2>/dev/null; then
  read -r kver < /proc/sys/kernel/osrelease
  builtin=" $(awk -F/ '{ n = $NF; sub(/\.ko.*$/, "", n); gsub(/-/, "_", n); printf "%s ", n }' \
    "/lib/modules/$kver/modules.builtin" 2>/dev/null) "
  for m in "${lab_modules[@]}"; do
    n=${m//-/_}
    [ -d "/sys/module/$n" ] && continue
    [[ "$builtin" == *" $n "* ]] && continue
    modprobe -q "$m" 2>/dev/null || missing+=("$m")
  done
  say "modules not loaded: ${missing[*]}"
fi
export RAVPN_LAB_MISSING_MODULES="${missing[*]}"
export RAVPN_LAB=1 RAVPN_LAB_JOB="$job"

read -r up _ < /proc/uptime; echo "$up" > "$job/t_start"
say "setup done, running ${lab_cmd[*]}"
cd "$lab_cwd" 2>/dev/null || cd /
"${lab_cmd[@]}" </dev/null >/dev/ttyS1 2>&1
rc=$?
read -r up _ < /proc/uptime; echo "$up" > "$job/t_end"
say "job exited with $rc"

# Stop whatever the job left running (daemons), so nothing writes after the exit code.
kill -TERM -1 2>/dev/null && sleep 0.2
kill -KILL -1 2>/dev/null
# tcsetattr(TCSADRAIN) in stty waits until the serial port has sent everything.
$bb stty -F /dev/ttyS1 raw -echo 2>/dev/null
echo "$rc" > "$job/rc"
say "powering off"
powerdown
