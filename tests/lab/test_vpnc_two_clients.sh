#!/usr/bin/env bash
# In the kernel lab: a wrong Xauth password is refused (three tries, then STATUS 0 and a delete) and the client
# sees the failure; then two vpnc clients (users john and jane, from two hosts) connect at once, get different
# addresses from the pool, and both pass traffic to the inside host through their own ESP SAs.
set -euo pipefail
. "$(dirname "$0")/../tools/lib.sh"
. "$(dirname "$0")/lib-lab.sh"
ip xfrm state add src 192.0.2.250 dst 192.0.2.251 proto esp spi 1 enc 'cbc(des)' 0x0102030405060708 2>/dev/null \
  && ip xfrm state flush || skip "no ESP in this kernel (run it in the lab: tests/lab/run-in-lab.sh)"

tt_init
tt_topology inside

# A second client host on the same outside segment.
CLIENT2_NS=ravpn-cl2-$TT_ID
CLIENT2_ADDR=192.0.2.6
lab_second_client "$CLIENT2_NS" "$CLIENT2_ADDR"

tt_start_ravpnd
export VPNC_SCRIPT=$SRCDIR/tests/lab/vpnc-script-lab.sh

# 1. Wrong password: refused; the head-end asks again ("Authentication failed, try again", up to 3 tries like the
#    Cisco box). vpnc shows that message and, non-interactive, cannot type another password: it gives up with an
#    AUTHENTICATION-FAILED notify and deletes the SA. No address is leased.
VPNC_PASSWORD=not-the-password tt_start_vpnc badpw grouppass123
tt_wait_log "$TT_RAVPND_LOG" "Xauth user 'john' refused: bad password \(try 1 of 3\)" 40 "refusal" "$TT_RAVPND_PID"
for _ in $(seq 100); do kill -0 "$TT_VPNC_PID" 2>/dev/null || break; sleep 0.2; done
kill -0 "$TT_VPNC_PID" 2>/dev/null && tt_fail "vpnc still running after the Xauth failure"
tt_expect_grep "$TT_VPNC_LOG" "Authentication failed, try again" "vpnc shows the head-end's refusal"
tt_wait_log "$TT_RAVPND_LOG" "phase 1 down \(user john\)" 10 "SA gone after the refusal" "$TT_RAVPND_PID"
tt_expect_no_grep "$TT_RAVPND_LOG" "allocating address" "no address for a refused user"
tt_pass "wrong Xauth password refused; vpnc said: $(grep -m1 -E 'Authentication failed|reuse password' "$TT_VPNC_LOG")"

# 2. Two clients at once.
tt_start_vpnc vpnc1 grouppass123
pid1=$TT_VPNC_PID
tt_wait_log "$TT_TMP/vpnc1-script.out" "configured" 60 "first client's tunnel" "$pid1"
save_ns=$TT_CLIENT_NS
TT_CLIENT_NS=$CLIENT2_NS VPNC_USER=jane VPNC_PASSWORD=secret2 tt_start_vpnc vpnc2 grouppass123
pid2=$TT_VPNC_PID
TT_CLIENT_NS=$save_ns
tt_wait_log "$TT_TMP/vpnc2-script.out" "configured" 60 "second client's tunnel" "$pid2"
a1=$(sed -n 's/.*configured [^ ]* \(10\.2\.1\.[0-9]*\).*/\1/p' "$TT_TMP/vpnc1-script.out" | tail -1)
a2=$(sed -n 's/.*configured [^ ]* \(10\.2\.1\.[0-9]*\).*/\1/p' "$TT_TMP/vpnc2-script.out" | tail -1)
[ -n "$a1" ] && [ -n "$a2" ] && [ "$a1" != "$a2" ] || tt_fail "expected two different pool addresses, got '$a1' and '$a2'"
tt_pass "john got $a1, jane got $a2"

ip netns exec "$TT_CLIENT_NS" ping -c 3 -i 0.3 -W 2 -I "$a1" "$TT_INSIDE_HOST_ADDR" >"$TT_TMP/ping1.log" 2>&1 &
p1=$!
ip netns exec "$CLIENT2_NS" ping -c 3 -i 0.3 -W 2 -I "$a2" "$TT_INSIDE_HOST_ADDR" >"$TT_TMP/ping2.log" 2>&1 &
p2=$!
wait "$p1" || { cat "$TT_TMP/ping1.log" >&2; tt_fail "ping from $a1"; }
wait "$p2" || { cat "$TT_TMP/ping2.log" >&2; tt_fail "ping from $a2"; }
tt_in_gw ip -s xfrm state >"$TT_TMP/xfrm.txt"
[ "$(grep -c '^src' "$TT_TMP/xfrm.txt")" -eq 4 ] || { cat "$TT_TMP/xfrm.txt" >&2; tt_fail "expected four ESP SAs (two tunnels)"; }
zero=$(awk '/lifetime current:/{getline; print $1}' "$TT_TMP/xfrm.txt" | grep -c '^0(bytes)' || true)
[ "$zero" -eq 0 ] || { cat "$TT_TMP/xfrm.txt" >&2; tt_fail "$zero SA(s) counted no bytes"; }
tt_pass "both tunnels pass traffic at once: 4 SAs, all counting bytes"

kill -TERM "$pid1" "$pid2"
tt_wait_log "$TT_RAVPND_LOG" "returned to pool ourpool" 20 "leases released" "$TT_RAVPND_PID"
sleep 1
[ -z "$(tt_in_gw ip xfrm state)" ] || { tt_in_gw ip xfrm state >&2; tt_fail "SAs left after both disconnected"; }
tt_pass "both disconnected cleanly"
tt_expect_ravpnd_alive
