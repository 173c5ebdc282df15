#!/bin/sh
# Build the libFuzzer targets with clang + libFuzzer/ASan/UBSan and run each for a bounded time.
# Usage: tests/fuzz/run.sh [SECONDS [TARGET...]]   SECONDS (default 60) is the total, shared by the targets by the
# weights below; TARGETs (default: all) pick some. SECONDS `--build-only` builds the targets and runs none
# (scripts/test.sh builds them alongside the kernel lab). Exits non-zero if a fuzzer finds a crash or a property violation;
# the reproducer is left in $BUILD/fuzz-artifacts/. Env: FUZZ_BUILD_DIR (default build-fuzz), JOBS.
#   fuzz_tacacs   TACACS+ replies and the login session; seeds in tests/fuzz/corpus-tacacs
#   fuzz_privsep  privilege-separation frames from the IKE process; seeds in tests/fuzz/seeds/privsep
set -eu
seconds=${1:-60}
[ $# -gt 0 ] && shift
build_only=0
if [ "$seconds" = --build-only ]; then build_only=1; seconds=60; fi
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${FUZZ_BUILD_DIR:-$root/build-fuzz}
work=$root/tests/fuzz/corpus-run       # inputs libFuzzer finds, one directory per target (git-ignored)

# target  weight  max_len  seed directories (committed; the message seeds: emit_pcap --corpus tests/fuzz/corpus)
targets='
fuzz_message        2  4096   tests/fuzz/corpus
fuzz_config_ios     1  16384  tests/config/fixtures
fuzz_config_pix     1  16384  tests/config/fixtures
fuzz_config_native  1  16384  tests/fuzz/seeds/native
fuzz_radius_reply   1  4097   tests/fuzz/seeds/radius
fuzz_tacacs         1  2048   tests/fuzz/corpus-tacacs
fuzz_privsep        1  4096   tests/fuzz/seeds/privsep
'
wanted=${*:-$(echo "$targets" | awk 'NF { print $1 }')}
total_weight=0
for t in $wanted; do
  w=$(echo "$targets" | awk -v t="$t" '$1 == t { print $2 }')
  [ -n "$w" ] || { echo "run.sh: no fuzz target $t" >&2; exit 2; }
  total_weight=$((total_weight + w))
done

if [ ! -f "$build/build.ninja" ]; then
  # Line tables only: enough for the reports' stack traces. -O1, as libFuzzer's documentation builds: quicker to
  # compile than the project's -O2.
  CXX=clang++ meson setup "$build" "$root" -Dfuzz=true -Dcpp_args=-gline-tables-only -Doptimization=1
else
  meson configure "$build" -Dfuzz=true
fi
# Only the fuzz targets: the rest of the project is built and tested with g++.
ninja -C "$build" $(for t in $wanted; do echo "tests/fuzz/$t"; done)
[ "$build_only" = 0 ] || exit 0

mkdir -p "$build/fuzz-artifacts"
status=0
for t in $wanted; do
  set -- $(echo "$targets" | awk -v t="$t" '$1 == t { $1 = ""; print }')
  weight=$1 max_len=$2
  shift 2
  share=$((seconds * weight / total_weight))
  [ "$share" -gt 0 ] || share=1
  mkdir -p "$work/$t"
  seed_dirs=
  for s in "$@"; do seed_dirs="$seed_dirs $root/$s"; done
  # The native seeds are the fixtures in the native format; the shipped example is one more.
  if [ "$t" = fuzz_config_native ]; then
    cp "$root/packaging/ravpn.toml.example" "$work/$t/ravpn.toml.example"
  fi
  rc=0
  # shellcheck disable=SC2086
  "$build/tests/fuzz/$t" -max_total_time="$share" -max_len="$max_len" -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 -artifact_prefix="$build/fuzz-artifacts/$t-" ${JOBS:+-jobs=$JOBS -workers=$JOBS} \
    "$work/$t" $seed_dirs || rc=$?
  if [ "$rc" -ne 0 ]; then
    echo "$t failed (exit $rc); reproducers in $build/fuzz-artifacts/$t-*" >&2
    status=$rc
  else
    echo "$t: no crash in ${share}s"
  fi
done
exit "$status"
