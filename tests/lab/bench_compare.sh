#!/usr/bin/env bash
# In the kernel lab, CI's short side-by-side benchmark: ravpn-loadgen drives 200 main-mode logins (PSK, Xauth,
# mode-config push, quick mode, delete; AES-256/SHA-1, MODP group 2) against ravpnd, then the same against
# strongSwan's charon; both install real XFRM state. Passes when every handshake completed against both, each
# responder installed every tunnel, and the rate and CPU ratios were computed (tests/bench/compare.sh --short).
set -euo pipefail
exec "$(dirname "$0")/../bench/compare.sh" --short
