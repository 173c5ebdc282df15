#!/bin/sh
# Build the ISAKMP parser fuzz target with clang + libFuzzer/ASan/UBSan and run it for a bounded time.
# Usage: tests/fuzz/run.sh [SECONDS]   (default 60). Exits non-zero if the fuzzer finds a crash or a property
# violation; the reproducer is left in $BUILD/fuzz-artifacts/. Env: FUZZ_BUILD_DIR (default build-fuzz), JOBS.
set -eu
seconds=${1:-60}
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${FUZZ_BUILD_DIR:-$root/build-fuzz}
seeds=$root/tests/fuzz/corpus          # committed seeds (regenerate: emit_pcap --corpus tests/fuzz/corpus)
work=$root/tests/fuzz/corpus-run       # inputs libFuzzer finds (git-ignored)

if [ ! -f "$build/build.ninja" ]; then
  CXX=clang++ meson setup "$build" "$root" -Dfuzz=true
else
  meson configure "$build" -Dfuzz=true
fi
# Only the fuzz target: the rest of the project is built and tested with g++.
ninja -C "$build" tests/fuzz/fuzz_message

mkdir -p "$work" "$build/fuzz-artifacts"
status=0
"$build/tests/fuzz/fuzz_message" -max_total_time="$seconds" -max_len=4096 -timeout=10 -rss_limit_mb=2048 \
  -print_final_stats=1 -artifact_prefix="$build/fuzz-artifacts/" ${JOBS:+-jobs=$JOBS -workers=$JOBS} \
  "$work" "$seeds" || status=$?
if [ "$status" -ne 0 ]; then
  echo "fuzz_message failed (exit $status); reproducers in $build/fuzz-artifacts/" >&2
  exit "$status"
fi
echo "fuzz_message: no crash in ${seconds}s"
