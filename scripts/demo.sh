#!/usr/bin/env bash
# The demo, as README.md gives it: installs what it needs, builds, starts ravpnd in a network namespace on the seed
# IOS 12.1 config (documentation addresses, plus an Easy VPN group for Cisco 3.x/4.x-style clients), and connects
# real clients to it: ike-scan (main and aggressive mode) and psk-crack on the captured aggressive-mode hash on this
# machine; then, in the kernel lab (qemu with Debian's kernel, which has ESP), vpnc logs in with Xauth, gets a pool
# address, pings the inside host through kernel ESP, and disconnects. Everything is torn down. Needs root.
# The first run on a fresh machine installs packages (about 3 minutes) and builds ravpnd and ravpnctl only (about
# 4 minutes on 2 cores); later runs take about 1 minute.
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$(id -u)" -eq 0 ] || { echo "demo.sh: run as root (it uses network namespaces)" >&2; exit 1; }
t_demo=$SECONDS
phase() { printf '\n== [%3d s] %s\n' "$((SECONDS - t_demo))" "$*"; }
phase "install what the demo needs from Debian (scripts/install-deps.sh --demo)"
scripts/install-deps.sh --demo
phase "build ravpnd and ravpnctl (scripts/build.sh daemon/ravpnd daemon/ravpnctl)"
scripts/build.sh daemon/ravpnd daemon/ravpnctl

export SRCDIR=$PWD RAVPND=$PWD/build/daemon/ravpnd RAVPN_CONFIG=$PWD/tests/config/fixtures/ios-easyvpn.cfg
. tests/tools/lib.sh
tt_init
tt_topology
say() { phase "$@"; }

say "ravpnd on $RAVPN_CONFIG in namespace $TT_GW_NS ($TT_GW_ADDR)"
tt_start_ravpnd
grep -E "listening|started" "$TT_RAVPND_LOG"

say "ike-scan, main mode DES/MD5/PSK/group 1 (Cisco VPN Client 1.1's proposal, policy 10)"
tt_in_client ike-scan --sport=500 --trans=1,1,1,1 "$TT_GW_ADDR" | grep -E "Handshake|Notify"

say "ike-scan, main mode AES-256/SHA1/group 14: no policy has it"
tt_in_client ike-scan --sport=500 --trans=7/256,2,1,14 "$TT_GW_ADDR" | grep -E "Handshake|Notify"

say "ike-scan, aggressive mode as group vpn3000 (3DES/MD5/XAUTHInitPreShared/group 2), then psk-crack"
tt_in_client ike-scan --sport=500 -A --idtype=11 --id=vpn3000 --trans=5,1,65001,2 --pskcrack="$TT_TMP/am.psk" \
  "$TT_GW_ADDR" | grep -E "Handshake|Notify"
psk-crack -d tests/tools/psk-words.txt "$TT_TMP/am.psk" | grep -E "matches|no match"

say "what ravpnd logged"
grep -vE "ignored \(ravpn-convert|debug" "$TT_RAVPND_LOG"
tt_stop_ravpnd

say "a real tunnel in the kernel lab: vpnc (group vpn3000, Xauth john/doe) -> ravpnd -> inside host 10.21.1.10"
tests/lab/run-in-lab.sh tests/lab/test_vpnc_tunnel.sh
say "demo done in $((SECONDS - t_demo)) s; tearing down"
