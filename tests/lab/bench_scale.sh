#!/usr/bin/env bash
# In the kernel lab, CI's short scale run (tests/bench/scale.sh --short): 300 tunnels held at once through ravpnd,
# RSS per tunnel, ravpnctl answer times, idle CPU, the clients' deletes; then 2,000 SA pairs in and out of the
# kernel through the privilege-separation channel and directly. Passes when every tunnel came up and went away.
set -euo pipefail
exec "$(dirname "$0")/../bench/scale.sh" --short
