#!/usr/bin/env bash
# In the kernel lab: state that survives a crash. Two vpnc clients (john, jane) hold tunnels; ravpnd is killed
# with SIGKILL (no deletes, kernel state left behind). Started again with the same --state-dir, ravpnd logs the
# stale SAs, policies and routes it removes before it listens; nothing of the old tunnels is left; the clients
# reconnect in the other order and each gets the address it had (from the lease file, not the lowest free one).
set -euo pipefail
. "$(dirname "$0")/../tools/lib.sh"
. "$(dirname "$0")/lib-lab.sh"
lab_require_esp

tt_init
tt_topology inside
CLIENT2_NS=ravpn-cl2-$TT_ID
lab_second_client "$CLIENT2_NS" 192.0.2.6
mkdir -p "$TT_TMP/state"
export RAVPND_ARGS="--state-dir $TT_TMP/state"
export VPNC_SCRIPT=$SRCDIR/tests/lab/vpnc-script-lab.sh

# connect NAME NS USER PASSWORD: sets pid_NAME and addr_NAME.
connect() {
    lab_connect_vpnc "$@"
    printf -v "pid_$1" %s "$LAB_VPNC_PID"
    printf -v "addr_$1" %s "$LAB_VPNC_ADDR"
}

tt_start_ravpnd
tt_wait_log "$TT_RAVPND_LOG" "ravpnd started" 30 "ravpnd ready" "$TT_RAVPND_PID"
connect john1 "$TT_CLIENT_NS" john doe
connect jane1 "$CLIENT2_NS" jane secret2
[ "$addr_john1" != "$addr_jane1" ] || tt_fail "both got $addr_john1"
tt_pass "before the crash: john has $addr_john1, jane has $addr_jane1"
for _ in $(seq 30); do grep -q "\"user\": \"jane\"" "$TT_TMP/state/leases.json" 2>/dev/null && break; sleep 0.2; done
tt_expect_grep "$TT_TMP/state/leases.json" "\"user\": \"jane\"" "the lease file names jane"

# The crash: no deletes, the clients keep running (they notice nothing), the kernel keeps everything.
kill -KILL "$TT_RAVPND_PID"
wait "$TT_RAVPND_PID" 2>/dev/null || true
TT_RAVPND_PID=""
kill -TERM "$pid_john1" "$pid_jane1" 2>/dev/null || true
for _ in $(seq 50); do kill -0 "$pid_john1" 2>/dev/null || kill -0 "$pid_jane1" 2>/dev/null || break; sleep 0.2; done
stale_sas=$(tt_in_gw ip xfrm state | grep -c '^src' || true)
[ "$stale_sas" -eq 4 ] || { tt_in_gw ip xfrm state >&2; tt_fail "expected the dead daemon's 4 SAs, found $stale_sas"; }
tt_pass "after kill -9 the kernel still holds 4 SAs, $(tt_in_gw ip xfrm policy | grep -c '^src') policies, $(tt_in_gw ip route show proto 76 | wc -l) routes"

mv "$TT_RAVPND_LOG" "$TT_TMP/ravpnd-before-crash.log"
tt_start_ravpnd
tt_wait_log "$TT_RAVPND_LOG" "ravpnd started" 30 "ravpnd ready again" "$TT_RAVPND_PID"
removed_sas=$(grep -c "removed stale kernel state of an earlier ravpnd: ESP SA" "$TT_RAVPND_LOG" || true)
removed_policies=$(grep -c "removed stale kernel state of an earlier ravpnd: policy" "$TT_RAVPND_LOG" || true)
removed_routes=$(grep -c "removed stale kernel state of an earlier ravpnd: route" "$TT_RAVPND_LOG" || true)
[ "$removed_sas" -eq 4 ] && [ "$removed_policies" -ge 6 ] && [ "$removed_routes" -eq 2 ] \
    || { cat "$TT_RAVPND_LOG" >&2; tt_fail "start log: $removed_sas SAs, $removed_policies policies, $removed_routes routes removed"; }
first_listen=$(grep -n "listening on" "$TT_RAVPND_LOG" | head -1 | cut -d: -f1)
last_removed=$(grep -n "removed stale" "$TT_RAVPND_LOG" | tail -1 | cut -d: -f1)
[ "$last_removed" -lt "$first_listen" ] || tt_fail "ravpnd listened before it had cleaned the kernel"
[ -z "$(tt_in_gw ip xfrm state)" ] && [ -z "$(tt_in_gw ip xfrm policy)" ] && [ -z "$(tt_in_gw ip route show proto 76)" ] \
    || { tt_in_gw ip xfrm state >&2; tt_in_gw ip xfrm policy >&2; tt_fail "stale kernel state left after the restart"; }
tt_pass "the restarted ravpnd removed $removed_sas SAs, $removed_policies policies, $removed_routes routes before listening"
tt_expect_grep "$TT_RAVPND_LOG" "2 addresses remembered for returning users" "the lease file was read back"

# Reconnect in the other order: without the lease file jane would now get the lowest address, john's.
connect jane2 "$CLIENT2_NS" jane secret2
connect john2 "$TT_CLIENT_NS" john doe
[ "$addr_jane2" = "$addr_jane1" ] && [ "$addr_john2" = "$addr_john1" ] \
    || tt_fail "after the restart jane got $addr_jane2 (had $addr_jane1), john $addr_john2 (had $addr_john1)"
ip netns exec "$TT_CLIENT_NS" ping -c 2 -i 0.3 -W 2 -I "$addr_john2" "$TT_INSIDE_HOST_ADDR" >/dev/null \
    || tt_fail "ping from john's tunnel after the restart"
ip netns exec "$CLIENT2_NS" ping -c 2 -i 0.3 -W 2 -I "$addr_jane2" "$TT_INSIDE_HOST_ADDR" >/dev/null \
    || tt_fail "ping from jane's tunnel after the restart"
tt_pass "both reconnected with their old addresses (john $addr_john2, jane $addr_jane2) and pass traffic"

kill -TERM "$pid_john2" "$pid_jane2"
for _ in $(seq 50); do [ -z "$(tt_in_gw ip xfrm state)" ] && break; sleep 0.2; done
[ -z "$(tt_in_gw ip xfrm state)" ] || { tt_in_gw ip xfrm state >&2; tt_fail "SAs left after both disconnected"; }
tt_stop_ravpnd
tt_expect_grep "$TT_TMP/state/leases.json" "\"active\": false" "the lease file after a clean stop"
tt_pass "clean disconnect and stop; the lease file remembers both users"
