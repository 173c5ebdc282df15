#!/usr/bin/env bash
# Configure (once) and build into build/: everything, or only the given ninja targets (the demo builds
# daemon/ravpnd daemon/ravpnctl). ninja shows its progress (one status line on a terminal, a line per step in a log).
#   scripts/build.sh [TARGET...]
set -euo pipefail
cd "$(dirname "$0")/.."
t0=$SECONDS
if [ ! -f build/build.ninja ]; then
  echo "build: meson setup build"
  setup_log=$(mktemp)
  meson setup build >"$setup_log" 2>&1 || { cat "$setup_log" >&2; rm -f "$setup_log"; exit 1; }
  rm -f "$setup_log"
fi
echo "build: ninja -C build ${*:-(all targets)} on $(nproc) cores"
ninja -C build "$@"
echo "build: done in $((SECONDS - t0)) s"
