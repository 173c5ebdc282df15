#!/usr/bin/env bash
# In the kernel lab: sessions that end without a delete. The IOS seed config converted to the native format with
# `keepalive_seconds = 10`, `keepalive_retry_seconds = 2` (DPD from our side) and the group's `idle_time = 60`:
#   - john's vpnc stays connected but sends nothing: torn down after the idle time, reason logged, lease back;
#   - jane pings every 10 s meanwhile and stays; then her vpnc is killed with SIGKILL (no delete): ravpnd logs the
#     dead peer within keepalive x (retries + 1) + 10 s, her SAs and policies are gone and the lease is free.
set -euo pipefail
. "$(dirname "$0")/../tools/lib.sh"
. "$(dirname "$0")/lib-lab.sh"
lab_require_esp

tt_init
tt_topology inside
CLIENT2_NS=ravpn-cl2-$TT_ID
lab_second_client "$CLIENT2_NS" 192.0.2.6

"$(dirname "$RAVPND")/ravpn-convert" --with-secrets "$RAVPN_CONFIG" >"$TT_TMP/native.toml" 2>"$TT_TMP/convert.log"
python3 - "$TT_TMP/native.toml" <<'PY'
import sys
path = sys.argv[1]
text = open(path).read()
text = text.replace("[isakmp]\n", "[isakmp]\nkeepalive_seconds = 10\nkeepalive_retry_seconds = 2\n", 1)
text = text.replace("[group.vpn3000]\n", "[group.vpn3000]\nidle_time = 60\n", 1)
open(path, "w").write(text)
PY
export RAVPN_CONFIG=$TT_TMP/native.toml
export RAVPND_ARGS="--debug isakmp,ipsec"  # the R-U-THERE and liveness checks in the log when it fails
export VPNC_SCRIPT=$SRCDIR/tests/lab/vpnc-script-lab.sh
tt_start_ravpnd
tt_wait_log "$TT_RAVPND_LOG" "ravpnd started" 30 "ravpnd ready" "$TT_RAVPND_PID"

lab_connect_vpnc john "$TT_CLIENT_NS" john doe
pid_john=$LAB_VPNC_PID
# John's idle time runs from his last traffic, before this point; jane's login after it can take long in a busy lab.
t_john_up=$SECONDS
# vpnc itself sends a packet through its tunnel now and then; "sends nothing" is a client whose tun device is down
# (vpnc keeps running and keeps answering R-U-THERE).
for tun in $(ip -n "$TT_CLIENT_NS" -o link show | awk -F': ' '$2 ~ /^tun/ {print $2}' | cut -d@ -f1); do
    ip -n "$TT_CLIENT_NS" link set "$tun" down
done
lab_connect_vpnc jane "$CLIENT2_NS" jane secret2
pid_jane=$LAB_VPNC_PID
addr_jane=$LAB_VPNC_ADDR

# Jane pings every 10 s; john is silent.
ip netns exec "$CLIENT2_NS" ping -i 10 -W 2 -I "$addr_jane" "$TT_INSIDE_HOST_ADDR" >"$TT_TMP/jane-ping.log" 2>&1 &
ping_pid=$!
tt_wait_log "$TT_RAVPND_LOG" "idle timeout \(60 s\), user john" 110 "john's idle timeout" "$TT_RAVPND_PID"
idle_after=$((SECONDS - t_john_up))
[ "$idle_after" -ge 55 ] || tt_fail "john was torn down ${idle_after} s after he came up, before the idle time"
tt_wait_log "$TT_RAVPND_LOG" "returned to pool ourpool" 10 "john's lease back" "$TT_RAVPND_PID"
tt_pass "john (silent) torn down after about ${idle_after} s: idle timeout (60 s)"
sleep 12
grep -q "idle timeout.*user jane\|peer dead.*jane" "$TT_RAVPND_LOG" && tt_fail "jane was torn down although she pings"
[ "$(tt_in_gw ip xfrm state | grep -c '^src')" -eq 2 ] || { tt_in_gw ip xfrm state >&2; tt_fail "expected jane's 2 SAs"; }
tt_pass "jane (a ping every 10 s) stays: $(grep -c 'bytes from' "$TT_TMP/jane-ping.log") pings answered"

# Jane vanishes without a delete.
kill "$ping_pid" 2>/dev/null || true
kill -KILL "$pid_jane"
t_kill=$SECONDS
tt_wait_log "$TT_RAVPND_LOG" "peer dead: no answer to [0-9]+ R-U-THERE messages \(user jane\)" 40 "jane's dead peer" "$TT_RAVPND_PID"
dead_after=$((SECONDS - t_kill))
[ "$dead_after" -le 40 ] || tt_fail "dead peer seen after ${dead_after} s (limit 10 x 3 + 10)"
for _ in $(seq 25); do [ -z "$(tt_in_gw ip xfrm state)" ] && break; sleep 0.2; done
[ -z "$(tt_in_gw ip xfrm state)" ] && [ -z "$(tt_in_gw ip xfrm policy)" ] \
    || { tt_in_gw ip xfrm state >&2; tt_in_gw ip xfrm policy >&2; tt_fail "SAs or policies left after the dead peer"; }
[ "$(grep -c "returned to pool ourpool" "$TT_RAVPND_LOG")" -ge 2 ] || tt_fail "jane's lease not returned"
tt_pass "jane killed (SIGKILL): peer dead after ${dead_after} s, SAs and policies gone, lease free"
kill -TERM "$pid_john" 2>/dev/null || true
tt_expect_ravpnd_alive
