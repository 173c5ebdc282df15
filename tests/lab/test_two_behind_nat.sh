#!/usr/bin/env bash
# In the kernel lab: two users behind one NAT address (a home or office router, nftables masquerade with source
# ports mapped into 40000-40999), each with vpnc (NAT-T, ESP in UDP 4500), the same group vpn3000 as phase 1
# identity. Both connect and ping the inside host at the same time; then john disconnects and reconnects while
# jane's ping runs on: she never loses her tunnel (INITIAL-CONTACT and session takeover match the peer's address
# AND port, and the Xauth user), and every SA and policy is gone after both leave.
#
#   john 198.51.100.5 --+
#                       +-- 198.51.100.1 NAT 192.0.2.9 --- 192.0.2.1 gateway 10.21.1.48 --- inside 10.21.1.10
#   jane 198.51.100.6 --+
set -euo pipefail
. "$(dirname "$0")/../tools/lib.sh"
. "$(dirname "$0")/lib-lab.sh"
lab_require_esp

tt_init
tt_require_tools nft ping
tt_topology inside
export VPNC_SCRIPT=$SRCDIR/tests/lab/vpnc-script-lab.sh VPNC_NATT=natt

# The namespace lib.sh made as the client becomes the NAT router; both users sit behind it on a bridge.
NAT_NS=$TT_CLIENT_NS
NAT_OUT_IF=$TT_CLIENT_IF
ip -n "$NAT_NS" addr del "$TT_CLIENT_ADDR/24" dev "$NAT_OUT_IF"
ip -n "$NAT_NS" addr add 192.0.2.9/24 dev "$NAT_OUT_IF"
ip -n "$NAT_NS" link add br1 type bridge
ip -n "$NAT_NS" addr add 198.51.100.1/24 dev br1
ip -n "$NAT_NS" link set br1 up
for who in john:198.51.100.5:j jane:198.51.100.6:k; do
  IFS=: read -r user addr tag <<<"$who"
  ns=ravpn-$user-$TT_ID
  tt_netns_add "$ns"
  ip link add "rv${TT_ID}$tag" netns "$ns" type veth peer name "rv${TT_ID}${tag}n" netns "$NAT_NS"
  ip -n "$NAT_NS" link set "rv${TT_ID}${tag}n" master br1
  ip -n "$NAT_NS" link set "rv${TT_ID}${tag}n" up
  ip -n "$ns" addr add "$addr/24" dev "rv${TT_ID}$tag"
  ip -n "$ns" link set "rv${TT_ID}$tag" up
  ip -n "$ns" route add default via 198.51.100.1
done
lab_masquerade "$NAT_NS" "$NAT_OUT_IF"
JOHN_NS=ravpn-john-$TT_ID
JANE_NS=ravpn-jane-$TT_ID
for ns in "$JOHN_NS" "$JANE_NS"; do
  ok=0
  for _ in $(seq 50); do ip netns exec "$ns" ping -c1 -W1 "$TT_GW_ADDR" >/dev/null 2>&1 && { ok=1; break; }; sleep 0.2; done
  [ "$ok" = 1 ] || tt_fail "topology: $ns cannot reach $TT_GW_ADDR through the NAT router"
done

tt_start_ravpnd
lab_connect_vpnc john "$JOHN_NS" john doe
JOHN_PID=$LAB_VPNC_PID JOHN_ADDR=$LAB_VPNC_ADDR
lab_connect_vpnc jane "$JANE_NS" jane secret2
JANE_PID=$LAB_VPNC_PID JANE_ADDR=$LAB_VPNC_ADDR
[ -n "$JOHN_ADDR" ] && [ -n "$JANE_ADDR" ] && [ "$JOHN_ADDR" != "$JANE_ADDR" ] ||
  tt_fail "expected two different pool addresses, got '$JOHN_ADDR' and '$JANE_ADDR'"
[ "$(grep -cE 'NAT-T [^:]*: peer is behind a NAT' "$TT_RAVPND_LOG")" -ge 2 ] || tt_fail "ravpnd saw no NAT for both"
peers=$(grep -Eo 'peer 192\.0\.2\.9:4[0-9]{4}' "$TT_RAVPND_LOG" | sort -u | wc -l)
tt_pass "john on $JOHN_ADDR and jane on $JANE_ADDR, both behind 192.0.2.9 ($peers NAT ports seen)"

# Both ping at once, jane for the whole rest of the test.
tt_bg "$TT_TMP/ping-jane.log" ip netns exec "$JANE_NS" ping -q -i 0.2 -W 2 -c 150 -I "$JANE_ADDR" "$TT_INSIDE_HOST_ADDR"
PING_JANE=$TT_LAST_PID
ip netns exec "$JOHN_NS" ping -c 10 -i 0.2 -W 2 -I "$JOHN_ADDR" "$TT_INSIDE_HOST_ADDR" >"$TT_TMP/ping-john.log" 2>&1 ||
  { cat "$TT_TMP/ping-john.log" >&2; tt_fail "john's ping through the tunnel"; }
tt_pass "both ping the inside host at the same time"

# john leaves (deletes) and comes back (INITIAL-CONTACT from the same NAT address, maybe another port).
kill -TERM "$JOHN_PID"
tt_wait_log "$TT_RAVPND_LOG" "${JOHN_ADDR//./\\.} returned to pool" 20 "john's lease back" "$TT_RAVPND_PID"
for _ in $(seq 50); do kill -0 "$JOHN_PID" 2>/dev/null || break; sleep 0.2; done
lab_connect_vpnc john2 "$JOHN_NS" john doe
[ "$LAB_VPNC_ADDR" = "$JOHN_ADDR" ] || tt_fail "john came back on $LAB_VPNC_ADDR instead of $JOHN_ADDR"
ip netns exec "$JOHN_NS" ping -c 5 -i 0.2 -W 2 -I "$JOHN_ADDR" "$TT_INSIDE_HOST_ADDR" >"$TT_TMP/ping-john2.log" 2>&1 ||
  { cat "$TT_TMP/ping-john2.log" >&2; tt_fail "john's ping after reconnecting"; }
tt_pass "john disconnected and reconnected (same address $JOHN_ADDR), his tunnel carries traffic"

wait "$PING_JANE" || true
cat "$TT_TMP/ping-jane.log" >&2
loss=$(sed -nE 's/.* ([0-9.]+)% packet loss.*/\1/p' "$TT_TMP/ping-jane.log")
[ "$loss" = 0 ] || tt_fail "jane lost $loss% of her pings while john left and came back"
tt_expect_no_grep "$TT_RAVPND_LOG" "tunnel down: ${JANE_ADDR//./\\.}/32" "jane's tunnel never taken down"
kill -0 "$JANE_PID" || tt_fail "jane's vpnc is gone"
tt_pass "jane's tunnel never dropped: 150 pings, 0% loss"

kill -TERM "$LAB_VPNC_PID" "$JANE_PID"
for _ in $(seq 100); do
  [ -z "$(tt_in_gw ip xfrm state)" ] && [ -z "$(tt_in_gw ip xfrm policy)" ] && break
  sleep 0.3
done
[ -z "$(tt_in_gw ip xfrm state)" ] || { tt_in_gw ip xfrm state >&2; tt_fail "SAs left after both disconnected"; }
[ -z "$(tt_in_gw ip xfrm policy)" ] || { tt_in_gw ip xfrm policy >&2; tt_fail "policies left after both disconnected"; }
tt_pass "both disconnected: no SAs, no policies"
tt_expect_ravpnd_alive
tt_log "all checks passed"
