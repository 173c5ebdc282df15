#!/usr/bin/env bash
# The whole test suite, as README.md gives it: installs what it needs, builds, runs the unit tests, the tshark
# check of our bytes, the real-peer tests (ike-scan, psk-crack, vpnc, strongSwan in network namespaces), the kernel
# lab, the Debian package in a fresh root, the unit tests under ASan + UBSan, bounded libFuzzer runs of the message
# parser, the config readers and the RADIUS answer parser, and prints the phase 1 crypto benchmark. Needs root.
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$(id -u)" -eq 0 ] || { echo "test.sh: run as root (the real-peer tests use network namespaces)" >&2; exit 1; }

t_all=$SECONDS
timeline=       # "[start s] phase" lines, repeated at the very end (CI shows only the tail of the output)
failed_names=   # what failed, also repeated at the end
phase() {
  printf '\n== [%4d s] %s\n' "$((SECONDS - t_all))" "$*"
  timeline="$timeline$(printf '  [%4d s] %s' "$((SECONDS - t_all))" "$*")
"
}
phase "install dependencies (scripts/install-deps.sh)"
scripts/install-deps.sh
phase "build (scripts/build.sh)"
scripts/build.sh

status=0
phase "unit and real-peer tests (meson test, all but the lab)"
meson test -C build --no-suite lab --print-errorlogs || status=1
cp build/meson-logs/testlog.json build/meson-logs/testlog-host.json

# The unit tests again under ASan + UBSan (scripts/sanitizers.sh: a g++ -O0 build of the test executables only in
# build-asan/), built and run alongside the lab: the lab's long scenarios (the 6-minute rekey test) mostly wait, so
# the compiler gets the CPUs meanwhile. Any sanitizer report fails it.
sanitizers_log=$(mktemp)
sanitizers_start=$SECONDS
( scripts/sanitizers.sh >"$sanitizers_log" 2>&1; echo $? >"$sanitizers_log.rc" ) &
sanitizers_pid=$!

phase "kernel lab tests (meson test --suite lab; the ASan+UBSan build runs alongside)"
meson test -C build --suite lab --print-errorlogs || status=1

# Count from meson's own logs; a skipped real-peer test is a failure here (CI must not pass on a skip).
read -r passed failed skipped < <(python3 - build/meson-logs/testlog-host.json build/meson-logs/testlog.json <<'PY'
import json, sys
p = f = s = 0
for path in sys.argv[1:]:
    for line in open(path):
        r = json.loads(line)["result"]
        if r == "OK": p += 1
        elif r == "SKIP": s += 1
        else: f += 1
print(p, f, s)
PY
)
failed_names=$(python3 - build/meson-logs/testlog-host.json build/meson-logs/testlog.json <<'PY'
import json, sys
for path in sys.argv[1:]:
    for line in open(path):
        r = json.loads(line)
        if r["result"] != "OK":
            print(f"{r['name']} ({r['result']}, {r['duration']:.0f} s)", end=" ")
PY
)
if [ "$skipped" -gt 0 ]; then
  echo "test.sh: $skipped test(s) skipped; every test must run here" >&2
  failed=$((failed + skipped))
  status=1
fi

# The Debian package: dpkg-buildpackage, lintian, installed into a fresh debootstrap root and checked there (about
# 7 minutes; a separate meson suite because it rebuilds the tree). RAVPN_SKIP_PACKAGE=1 leaves it out locally.
if [ "${RAVPN_SKIP_PACKAGE:-0}" != 1 ]; then
  phase "Debian package (meson test --suite package)"
  if meson test -C build --suite package --print-errorlogs; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    failed_names="$failed_names package"
    status=1
  fi
fi

phase "ASan + UBSan unit tests (started with the lab)"
wait "$sanitizers_pid" || true
cat "$sanitizers_log"
if [ "$(cat "$sanitizers_log.rc" 2>/dev/null)" = 0 ]; then
  passed=$((passed + 1))
else
  failed=$((failed + 1))
  failed_names="$failed_names sanitizers"
  status=1
fi
rm -f "$sanitizers_log" "$sanitizers_log.rc"
echo "sanitizers: done $((SECONDS - sanitizers_start)) s after their start"

fuzz_seconds=${RAVPN_FUZZ_SECONDS:-60}
phase "fuzzing (${fuzz_seconds} s)"
if tests/fuzz/run.sh "$fuzz_seconds"; then
  passed=$((passed + 1))
else
  failed=$((failed + 1))
  failed_names="$failed_names fuzzing"
  status=1
fi

phase "phase 1 crypto benchmark (one responder handshake)"
build/tests/bench/bench_handshake_crypto 0.2 || true

echo
echo "test.sh: $((SECONDS - t_all)) s; phases started at:"
printf '%s' "$timeline"
echo "tests: $passed passed, $failed failed${failed_names:+: $failed_names}"
exit $status
