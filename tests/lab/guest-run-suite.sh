#!/bin/bash
# Runs several lab test scripts in ONE guest boot (a boot costs 10-15 s under emulation):
#   tests/lab/run-in-lab.sh tests/lab/guest-run-suite.sh tests/lab/smoke_esp.sh tests/e2e/foo.sh ...
# Runs inside the guest. For each SCRIPT (relative paths: to the current directory, which run-in-lab.sh
# keeps from the host) it prints a header, the script's output, then one line
#   PASS: SCRIPT (12.3 s)  |  FAIL: SCRIPT (exit N, 12.3 s)  |  SKIP: SCRIPT (0.4 s)
# and at the end exactly one summary line "N passed, N failed" (preceded by "N skipped" when any were).
# Exit code 0 when nothing failed, 1 otherwise, 2 on usage errors.
#
# Conventions for the scripts: exit 0 = pass, 77 = skip, anything else = fail. Each runs in its own
# session with a per-script time limit (RAVPN_LAB_SCRIPT_TIMEOUT, default 600 s) and gets an empty
# scratch directory on tmpfs in $RAVPN_LAB_SCRATCH. Between scripts the runner stops every process the
# previous one left behind, deletes all named network namespaces, and flushes XFRM states/policies and the
# nftables ruleset of the guest's root namespace, so scripts do not see each other's leftovers.
set -uo pipefail

if [ $# -eq 0 ]; then
  echo "usage: $0 SCRIPT..." >&2
  exit 2
fi
per_script_timeout=${RAVPN_LAB_SCRIPT_TIMEOUT:-600}
scratch_root=${RAVPN_LAB_SCRATCH_ROOT:-/mnt/suite}

now() { local up _; read -r up _ < /proc/uptime; echo "$up"; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }

# PIDs that must survive the cleanup: us, our ancestors, kthreadd (2).
keep_pids() {
  local p=$$ st
  local -a fields
  echo " 1 2 $$ "
  while [ "$p" -gt 1 ]; do
    read -r st < "/proc/$p/stat" || break
    st=${st##*) }
    read -r -a fields <<< "$st"
    p=${fields[1]}
    echo " $p "
  done
}

kill_leftovers() {
  local keep sig d pid st ppid
  local -a fields
  keep=$(keep_pids | tr -d '\n')
  for sig in TERM KILL; do
    local any=0
    for d in /proc/[0-9]*; do
      pid=${d#/proc/}
      [[ "$keep" == *" $pid "* ]] && continue
      read -r st < "$d/stat" 2>/dev/null || continue
      st=${st##*) }
      read -r -a fields <<< "$st"
      ppid=${fields[1]}
      [ "$ppid" = 2 ] && continue            # kernel thread
      kill -s "$sig" "$pid" 2>/dev/null && any=1
    done
    [ "$sig" = TERM ] && [ $any = 1 ] && sleep 0.5
  done
}

reset_guest() {
  kill_leftovers
  ip -all netns delete 2>/dev/null
  ip xfrm state flush 2>/dev/null
  ip xfrm policy flush 2>/dev/null
  nft flush ruleset 2>/dev/null
  # links a script created in the root namespace (the guest has no card: only lo and module fallbacks)
  local l
  for l in $(ip -o link show 2>/dev/null | awk -F': ' '{ sub(/@.*/, "", $2); print $2 }'); do
    case "$l" in lo|tunl0|ip_vti0|sit0|ip6tnl0|ip6_vti0|ip6gre0|gre0|gretap0|erspan0) ;;
      *) ip link del "$l" 2>/dev/null ;;
    esac
  done
}

passed=0 failed=0 skipped=0 i=0
for script in "$@"; do
  i=$((i + 1))
  name=$script
  echo "=== RUN $name"
  if [ ! -f "$script" ]; then
    echo "FAIL: $name (no such file)"
    failed=$((failed + 1))
    continue
  fi
  case "$script" in */*) path=$script ;; *) path=./$script ;; esac
  if [ -x "$path" ]; then cmd=("$path"); else cmd=(bash "$path"); fi
  scratch=$scratch_root/$(printf '%02d' $i)-$(basename "$script")
  rm -rf "$scratch"; mkdir -p "$scratch"
  t0=$(now)
  RAVPN_LAB_SCRATCH=$scratch setsid --wait timeout --kill-after=10 "$per_script_timeout" "${cmd[@]}" </dev/null
  rc=$?
  t1=$(now)
  dt=$(elapsed "$t0" "$t1")
  case $rc in
    0)   echo "PASS: $name ($dt s)"; passed=$((passed + 1)) ;;
    77)  echo "SKIP: $name ($dt s)"; skipped=$((skipped + 1)) ;;
    124|137) echo "FAIL: $name (timed out after ${per_script_timeout} s)"; failed=$((failed + 1)) ;;
    *)   echo "FAIL: $name (exit $rc, $dt s)"; failed=$((failed + 1)) ;;
  esac
  reset_guest
  rm -rf "$scratch"
done

[ $skipped -gt 0 ] && echo "$skipped skipped"
# RAVPN_LAB_STRICT=1 (the test suite and CI): a skip inside the lab means something is missing, so it fails.
if [ "${RAVPN_LAB_STRICT:-0}" = 1 ] && [ $skipped -gt 0 ]; then
  failed=$((failed + skipped))
fi
echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
