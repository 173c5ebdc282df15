#!/usr/bin/env bash
# In the kernel lab: strongSwan (charon + swanctl) as a Cisco VPN Client 1.1 against ravpnd on the seed IOS config:
# main mode with the wildcard PSK cisco1234 (policy 10: DES/MD5/modp768), Xauth john/doe, then mode-config in PUSH
# mode (no Cisco Unity vendor ID: the head-end SETs an address from ourpool, the client ACKs), then quick mode
# DES/MD5 without PFS for 10.21.1.0/24. The client pings the inside host 10.21.1.10 from its virtual IP through
# ESP done by the kernel (kernel-netlink on the client, ravpnd's SAs on the gateway). Then the client terminates
# (deletes sent) and the gateway's SAs, policies and the lease are gone.
#
# charon-cmd has no push mode-config option, so this runs the charon daemon with a vici socket on the guest's
# tmpfs ($TT_TMP under /tmp) and drives it with swanctl. Templates: strongswan-push.conf.in, swanctl-push.conf.in.
set -euo pipefail
. "$(dirname "$0")/../tools/lib.sh"
[ -d /proc/sys/net/ipv4/conf ] && ip xfrm state add src 192.0.2.250 dst 192.0.2.251 proto esp spi 1 enc 'cbc(des)' 0x0102030405060708 2>/dev/null \
  && ip xfrm state flush || skip "no ESP in this kernel (run it in the lab: tests/lab/run-in-lab.sh)"

. "$(dirname "$0")/lib-lab.sh"
POOL_RE='10\.2\.1\.[0-9]+'

tt_init
tt_require_tools ping
tt_require_ravpnd
tt_topology inside
tt_start_ravpnd
lab_start_charon_push "$TT_CLIENT_NS" "$TT_CLIENT_ADDR" "$TT_GW_ADDR" cisco1234 john doe 10.21.1.0/24

tt_log "initiating (main mode PSK, Xauth john, mode-config push, quick mode des-md5)"
tt_bg "$TT_TMP/swanctl-initiate.log" swanctl --initiate --child inside --timeout 90
INITIATE_PID=$TT_LAST_PID

tt_wait_log "$TT_RAVPND_LOG" "Xauth user 'john' authenticated" 60 "Xauth" "$TT_RAVPND_PID"
tt_wait_log "$TT_RAVPND_LOG" "allocating address $POOL_RE from pool ourpool" 30 "mode-config address" "$TT_RAVPND_PID"
tt_wait_log "$TT_RAVPND_LOG" "peer accepted the address $POOL_RE" 30 "mode-config SET acknowledged" "$TT_RAVPND_PID"
tt_wait_log "$TT_RAVPND_LOG" "tunnel up: $POOL_RE/32 <-> " 60 "quick mode and kernel SAs" "$TT_RAVPND_PID"
tt_wait_log "$CHARON_LOG" 'CHILD_SA inside\{[0-9]+\} established' 30 "strongSwan CHILD_SA" "$CHARON_PID"
wait "$INITIATE_PID" || { cat "$TT_TMP/swanctl-initiate.log" >&2; tt_fail "swanctl --initiate did not succeed"; }
tt_pass "main mode, Xauth, mode-config push and quick mode: ravpnd and strongSwan both report the tunnel up"
# The push path proper: no Unity vendor ID from the client, the head-end's SET (CPS) acknowledged (CPA) by strongSwan.
tt_expect_grep "$TT_RAVPND_LOG" 'main mode proposal accepted.*peer supports' "ravpnd's view of the client's vendor IDs"
tt_expect_no_grep "$TT_RAVPND_LOG" 'peer supports.*Unity' "client vendor IDs (a Cisco VPN Client 1.1 sends no Unity VID)"
tt_expect_grep "$CHARON_LOG" 'parsed TRANSACTION request [0-9]+ \[ HASH CPS\(ADDR' "mode-config SET of the address from ravpnd"
tt_expect_grep "$CHARON_LOG" 'generating TRANSACTION response [0-9]+ \[ HASH CPA\(ADDR' "mode-config ACK by strongSwan"
tt_expect_no_grep "$CHARON_LOG" 'CPRQ\(ADDR' "strongSwan must not pull (mode-config REQUEST) with pull = no"

# The address ravpnd pushed, the one strongSwan installed, and the one ravpnd's tunnel was built for must agree.
pushed=$(grep -Eo "allocating address $POOL_RE" "$TT_RAVPND_LOG" | tail -1 | awk '{print $3}')
accepted=$(grep -Eo "peer accepted the address $POOL_RE" "$TT_RAVPND_LOG" | tail -1 | awk '{print $5}')
tunnel=$(grep -Eo "tunnel up: $POOL_RE/32" "$TT_RAVPND_LOG" | tail -1 | sed 's/tunnel up: //; s@/32@@')
address=$(tt_in_client ip -4 -o addr show dev "$TT_CLIENT_IF" | awk '{print $4}' | grep -Eo "^$POOL_RE" | head -1 || true)
tt_log "pushed $pushed, acknowledged $accepted, tunnel $tunnel, installed by strongSwan: ${address:-none}"
[ -n "$address" ] || { tt_in_client ip addr >&2; tt_fail "strongSwan installed no 10.2.1.x virtual IP on $TT_CLIENT_IF"; }
if [ "$address" != "$pushed" ] || [ "$address" != "$accepted" ] || [ "$address" != "$tunnel" ]; then
  tt_fail "address mismatch: pushed $pushed, acknowledged $accepted, tunnel $tunnel, client has $address"
fi
tt_expect_grep "$CHARON_LOG" "installing new virtual IP ${address//./\\.}" "strongSwan took the pushed address"

tt_in_client ping -c 5 -i 0.3 -W 2 -I "$address" "$TT_INSIDE_HOST_ADDR" >"$TT_TMP/ping.log" 2>&1 \
  || { cat "$TT_TMP/ping.log" >&2; tt_in_client ip xfrm state >&2; tt_in_client ip route show table all >&2
       tt_fail "ping from $address to $TT_INSIDE_HOST_ADDR through the tunnel"; }
tt_pass "ping $address -> $TT_INSIDE_HOST_ADDR through ESP"

tt_in_gw ip -s xfrm state >"$TT_TMP/xfrm-state.txt"
cat "$TT_TMP/xfrm-state.txt" >&2
[ "$(grep -c '^src' "$TT_TMP/xfrm-state.txt")" -eq 2 ] || tt_fail "expected two ESP SAs in the gateway"
bytes=$(awk '/lifetime current:/{getline; print $1}' "$TT_TMP/xfrm-state.txt" | sed 's/(bytes),//')
[ "$(wc -w <<<"$bytes")" -eq 2 ] || tt_fail "expected two byte counters, saw: $bytes"
for b in $bytes; do [ "${b%(bytes)*}" -gt 0 ] 2>/dev/null || tt_fail "an SA counted no bytes: $bytes"; done
tt_pass "two ESP SAs in the gateway kernel, byte counters: ${bytes//$'\n'/ }"
[ "$(tt_in_gw ip xfrm policy | grep -c '^src')" -ge 3 ] || tt_fail "expected out/in/fwd policies in the gateway"

tt_log "terminating the client (swanctl --terminate: quick mode and ISAKMP deletes)"
swanctl --terminate --ike ravpn --timeout 30 >"$TT_TMP/swanctl-terminate.log" 2>&1 ||
  { cat "$TT_TMP/swanctl-terminate.log" >&2; tt_fail "swanctl --terminate"; }
tt_wait_log "$TT_RAVPND_LOG" "tunnel down" 20 "tunnel removed" "$TT_RAVPND_PID"
tt_wait_log "$TT_RAVPND_LOG" "returned to pool ourpool" 20 "lease released" "$TT_RAVPND_PID"
sleep 0.5
[ -z "$(tt_in_gw ip xfrm state)" ] || { tt_in_gw ip xfrm state >&2; tt_fail "SAs left in the gateway after the deletes"; }
[ -z "$(tt_in_gw ip xfrm policy)" ] || { tt_in_gw ip xfrm policy >&2; tt_fail "policies left in the gateway after the deletes"; }
tt_pass "after the client's deletes: no SAs, no policies in the gateway, lease returned"
tt_stop_pid "$CHARON_PID" 5
tt_expect_ravpnd_alive
tt_log "all checks passed"
