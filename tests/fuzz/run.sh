#!/bin/sh
# Build the parser fuzz targets with clang + libFuzzer/ASan/UBSan and run each for a bounded time.
# Usage: tests/fuzz/run.sh [SECONDS]   (default 60, per target). Exits non-zero if a fuzzer finds a crash or a
# property violation; the reproducer is left in $BUILD/fuzz-artifacts/. Env: FUZZ_BUILD_DIR (default build-fuzz),
# JOBS, FUZZ_TARGETS (default: all of them, "fuzz_message fuzz_tacacs").
#   fuzz_message  the ISAKMP parser; seeds in tests/fuzz/corpus (regenerate: emit_pcap --corpus tests/fuzz/corpus)
#   fuzz_tacacs   TACACS+ replies and the login session; seeds in tests/fuzz/corpus-tacacs
set -eu
seconds=${1:-60}
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${FUZZ_BUILD_DIR:-$root/build-fuzz}
targets=${FUZZ_TARGETS:-fuzz_message fuzz_tacacs}

if [ ! -f "$build/build.ninja" ]; then
  CXX=clang++ meson setup "$build" "$root" -Dfuzz=true
else
  meson configure "$build" -Dfuzz=true
fi
mkdir -p "$build/fuzz-artifacts"
for target in $targets; do
  case $target in
    fuzz_message) seeds=$root/tests/fuzz/corpus; work=$root/tests/fuzz/corpus-run; max_len=4096 ;;
    fuzz_tacacs) seeds=$root/tests/fuzz/corpus-tacacs; work=$root/tests/fuzz/corpus-run-tacacs; max_len=2048 ;;
    *) echo "unknown fuzz target $target" >&2; exit 2 ;;
  esac
  # Only the fuzz targets: the rest of the project is built and tested with g++.
  ninja -C "$build" "tests/fuzz/$target"
  mkdir -p "$work"          # inputs libFuzzer finds (git-ignored)
  status=0
  "$build/tests/fuzz/$target" -max_total_time="$seconds" -max_len=$max_len -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 -artifact_prefix="$build/fuzz-artifacts/" ${JOBS:+-jobs=$JOBS -workers=$JOBS} \
    "$work" "$seeds" || status=$?
  if [ "$status" -ne 0 ]; then
    echo "$target failed (exit $status); reproducers in $build/fuzz-artifacts/" >&2
    exit "$status"
  fi
  echo "$target: no crash in ${seconds}s"
done
