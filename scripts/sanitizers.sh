#!/usr/bin/env bash
# The unit tests under AddressSanitizer + UndefinedBehaviorSanitizer (g++), in build-asan/ (ASAN_BUILD_DIR):
# every meson test outside the real-peer, lab and package suites, built at -O0 and only the executables those tests
# run. -O0: g++ 12 with both sanitizers at -O1 spent 36 s of CPU on daemon/config/native_reader.cpp (toml++), 3.9 s
# at -O0, 4.8 s for the normal -O2 build; the unit tests are small enough that running unoptimised costs little.
# Fails on any sanitizer report: both runtimes halt on the first one, and the test log is searched too in case a
# script hid an exit status.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${ASAN_BUILD_DIR:-build-asan}

if [ ! -f "$build/build.ninja" ]; then
  # -Db_lundef=false: the sanitizer runtimes resolve at load time. No -Werror: g++'s sanitizer instrumentation
  # brings false positives of -Wmaybe-uninitialized and friends; warnings are the normal build's job. -g1: line
  # tables, enough for the reports' file:line, and a third less compile time than -g (test_quick_mode.cpp 10.9 s
  # against 15.9 s).
  meson setup "$build" -Db_sanitize=address,undefined -Db_lundef=false -Doptimization=0 -Ddebug=false \
    -Dcpp_args=-g1 -Dwerror=false
fi

# The unit tests and the build outputs each runs (its executable, or the programs a script test gets as arguments).
mapfile -t tests < <(meson introspect "$build" --tests | python3 -c '
import json, sys
for t in json.load(sys.stdin):
    if not set(t["suite"]) & {"ravpn:tools", "ravpn:lab", "ravpn:package", "tools", "lab", "package"}:
        print(t["name"])')
mapfile -t targets < <(meson introspect "$build" --tests | python3 -c '
import json, os, sys
build = os.path.realpath(sys.argv[1])
out = set()
for t in json.load(sys.stdin):
    if set(t["suite"]) & {"ravpn:tools", "ravpn:lab", "ravpn:package", "tools", "lab", "package"}:
        continue
    for arg in t["cmd"]:
        path = os.path.realpath(os.path.join(build, arg))  # meson gives built programs relative to the build dir
        if path.startswith(build + "/"):
            out.add(os.path.relpath(path, build))
print("\n".join(sorted(out)))' "$build")
ninja -C "$build" "${targets[@]}"

export ASAN_OPTIONS=halt_on_error=1:detect_leaks=1:detect_stack_use_after_return=1:check_initialization_order=1:strict_init_order=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
status=0
# Timeouts x10: unoptimised and instrumented, beside the lab, the config test's random-bytes case took over 90 s
# (the limit at x3) on 2 cores. The time is not what this step checks.
meson test -C "$build" --no-rebuild --print-errorlogs --timeout-multiplier 10 "${tests[@]}" || status=1
if grep -E -q 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$build/meson-logs/testlog.txt"; then
  echo "sanitizers: a sanitizer report is in $build/meson-logs/testlog.txt" >&2
  status=1
fi
exit $status
