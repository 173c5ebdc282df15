#!/usr/bin/env bash
# In the kernel lab: vpnc (group vpn3000, Xauth john/doe) connects to ravpnd on the seed IOS config (plus the Easy VPN
# group), gets an address from 10.2.1.1-10.2.1.254, and pings the inside host 10.21.1.10 through ESP done by the
# kernel with SAs ravpnd installed. The config's NAT works as on the router: the inside host going out is translated
# to the `ip nat pool` outsidepool 192.0.2.50-60, while the route-map nonat (ACL 101 deny inside -> pool) leaves the
# tunnel's traffic untranslated, so the inside host sees the client's pool address. Then vpnc disconnects and the
# SAs, policies and the lease are gone.
set -euo pipefail
. "$(dirname "$0")/../tools/lib.sh"
. "$(dirname "$0")/lib-lab.sh"
[ -d /proc/sys/net/ipv4/conf ] && ip xfrm state add src 192.0.2.250 dst 192.0.2.251 proto esp spi 1 enc 'cbc(des)' 0x0102030405060708 2>/dev/null \
  && ip xfrm state flush || skip "no ESP in this kernel (run it in the lab: tests/lab/run-in-lab.sh)"

tt_init
tt_topology inside
tt_start_ravpnd
lab_echo_server "$TT_INSIDE_NS" "$TT_INSIDE_HOST_ADDR" 80
lab_echo_server "$TT_CLIENT_NS" "$TT_CLIENT_ADDR" 8080
lab_expect_seen_as "ip nat inside source route-map nonat pool outsidepool" "$TT_INSIDE_NS" "" "$TT_CLIENT_ADDR" 8080 \
  '192\.0\.2\.(5[0-9]|60)'
VPNC_SCRIPT=$SRCDIR/tests/lab/vpnc-script-lab.sh tt_start_vpnc vpnc grouppass123
tt_wait_log "$TT_RAVPND_LOG" "Xauth user 'john' authenticated" 40 "Xauth" "$TT_RAVPND_PID"
tt_wait_log "$TT_RAVPND_LOG" "allocating address 10\.2\.1\.[0-9]+ from pool ourpool" 30 "mode-config address" "$TT_RAVPND_PID"
tt_wait_log "$TT_RAVPND_LOG" "tunnel up" 40 "quick mode and kernel SAs" "$TT_RAVPND_PID"
tt_wait_log "$TT_TMP/vpnc-script.out" "configured" 20 "vpnc configured its tunnel device" "$TT_VPNC_PID"
address=$(sed -n 's/.*configured [^ ]* \(10\.2\.1\.[0-9]*\).*/\1/p' "$TT_TMP/vpnc-script.out" | tail -1)
tt_log "client address $address"
[[ $address =~ ^10\.2\.1\.[0-9]+$ ]] || tt_fail "no pool address in the vpnc script log"

tt_in_client ping -c 5 -i 0.3 -W 2 -I "$address" "$TT_INSIDE_HOST_ADDR" >"$TT_TMP/ping.log" 2>&1 \
  || { cat "$TT_TMP/ping.log" >&2; tt_fail "ping from $address to $TT_INSIDE_HOST_ADDR through the tunnel"; }
tt_pass "ping $address -> $TT_INSIDE_HOST_ADDR through ESP"
tt_expect_privsep
tt_pass "privilege separation: the tunnel's SAs came through the privileged process, UDP 500 is unprivileged"
lab_expect_seen_as "route-map nonat: no NAT into the tunnel" "$TT_CLIENT_NS" "$address" "$TT_INSIDE_HOST_ADDR" 80 \
  "${address//./\\.}"

tt_in_gw ip -s xfrm state >"$TT_TMP/xfrm-state.txt"
cat "$TT_TMP/xfrm-state.txt" >&2
[ "$(grep -c '^src' "$TT_TMP/xfrm-state.txt")" -eq 2 ] || tt_fail "expected two ESP SAs in the gateway"
bytes=$(awk '/lifetime current:/{getline; print $1}' "$TT_TMP/xfrm-state.txt" | sed 's/(bytes),//')
for b in $bytes; do [ "${b%(bytes)*}" -gt 0 ] 2>/dev/null || tt_fail "an SA counted no bytes: $bytes"; done
tt_pass "two ESP SAs in the kernel, byte counters: $(echo $bytes)"
[ "$(tt_in_gw ip xfrm policy | grep -c '^src')" -ge 3 ] || tt_fail "expected out/in/fwd policies"

# What an operator sees: `show uauth` and `show crypto ipsec sa` as ravpnctl prints them (the daemon's control socket
# is at its default path; /run is a tmpfs in the lab).
RAVPNCTL=$(dirname "$RAVPND")/ravpnctl
"$RAVPNCTL" users | tee "$TT_TMP/ctl-users.txt" >&2
grep -q "john" "$TT_TMP/ctl-users.txt" || tt_fail "ravpnctl users does not list john"
grep -q "$address" "$TT_TMP/ctl-users.txt" || tt_fail "ravpnctl users does not show $address"
"$RAVPNCTL" sas | tee "$TT_TMP/ctl-sas.txt" >&2
in_bytes=$("$RAVPNCTL" --json sas | python3 -c 'import json,sys; s=json.load(sys.stdin)["sas"][0]; print(s["in"]["bytes"], s["out"]["bytes"])')
read -r ib ob <<<"$in_bytes"
[ "$ib" -gt 0 ] && [ "$ob" -gt 0 ] || tt_fail "ravpnctl sas shows no bytes: $in_bytes"
tt_pass "ravpnctl: john on $address, IPsec SA bytes in/out $ib/$ob"
# The kernel probe: the lab kernel does ESP, and status says so for the config's transforms; metrics count the bytes.
"$RAVPNCTL" status | tee "$TT_TMP/ctl-status.txt" >&2
grep -q "^kernel IPsec:  ESP states available (esp-" "$TT_TMP/ctl-status.txt" ||
  tt_fail "ravpnctl status does not report ESP states available in the lab kernel"
"$RAVPNCTL" metrics >"$TT_TMP/metrics.txt" || tt_fail "ravpnctl metrics"
/usr/bin/python3 - "$TT_TMP/metrics.txt" <<'EOF' || tt_fail "metrics: $(grep -E 'esp|bytes' "$TT_TMP/metrics.txt")"
import sys
from prometheus_client.parser import text_string_to_metric_families
v = {(s.name, tuple(sorted(s.labels.items()))): s.value
     for f in text_string_to_metric_families(open(sys.argv[1]).read()) for s in f.samples}
assert v[("ravpn_kernel_esp", ())] == 1
assert v[("ravpn_ipsec_bytes", (("direction", "in"),))] > 0 and v[("ravpn_ipsec_bytes", (("direction", "out"),))] > 0
assert v[("ravpn_ipsec_sa_pairs", ())] == 1
EOF
tt_pass "ravpnctl status: ESP states available; metrics: kernel_esp 1, bytes in and out"

tt_disconnect_vpnc_and_check_clean
tt_expect_ravpnd_alive
