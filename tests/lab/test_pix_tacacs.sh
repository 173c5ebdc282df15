#!/usr/bin/env bash
# In the kernel lab: the seed PIX 6.3(3) config with its own primary AAA line, `aaa-server AuthInbound protocol
# tacacs+` (tests/config/fixtures/pix-seed.cfg: documentation addresses outside, masked values from
# pix-seed.secrets), and our TACACS+ server (tests/tools/tacacs_server.py, proved against Authen::TacacsPlus by
# tests/xauth/test_tacacs_server.sh) as AuthInbound 10.89.129.134 with the seed's key. Checked (issue 11):
#   - --check-config accepts the seed, and refuses it with file:line once the server's key is gone;
#   - vpnc (john) logs in through TACACS+ and pings the web server through ESP; a wrong password is refused;
#   - strongSwan (main mode, VPN Client 1.1 path, jane) logs in through TACACS+ and reaches the web server;
#   - the server's log shows ASCII logins from the gateway's inside address (PASS, FAIL, PASS);
#   - with the seed's `aaa accounting include any inbound 0.0.0.0 0.0.0.0 0.0.0.0 0.0.0.0 AuthInbound` (in the seed
#     document, not in the fixture's config part: appended here) the server has a START and a STOP record per tunnel
#     with the pool address, and the STOP has non-zero byte counts after the ping.
set -euo pipefail
. "$(dirname "$0")/../tools/lib.sh"
. "$(dirname "$0")/lib-lab.sh"
lab_require_esp

FIXTURES=$SRCDIR/tests/config/fixtures
POOL_RE='10\.89\.129\.20[0-4]'
export RAVPN_CONFIG=$FIXTURES/pix-seed.cfg RAVPN_SECRETS=$FIXTURES/pix-seed.secrets TT_POOL_NAME=VPNpool

tt_init
tt_require_tools python3 ping
tt_require_ravpnd
grep -q '^aaa-server AuthInbound protocol tacacs+$' "$RAVPN_CONFIG" || tt_fail "the seed no longer uses TACACS+"

# ---- the config check: the seed passes; without the server's key it names the crypto map's line
"$RAVPND" --check-config "$RAVPN_CONFIG" --secrets "$RAVPN_SECRETS" --quiet >"$TT_TMP/check.log" 2>&1 ||
  { cat "$TT_TMP/check.log" >&2; tt_fail "--check-config refused the TACACS+ seed"; }
tt_expect_no_grep "$TT_TMP/check.log" ': error' "--check-config on the seed"
sed 's/^\(aaa-server AuthInbound (inside) host 10.89.129.134\) secretkey \(timeout 10\)$/\1 \2/' "$RAVPN_CONFIG" \
  >"$TT_TMP/nokey.cfg"
if "$RAVPND" --check-config "$TT_TMP/nokey.cfg" --secrets "$RAVPN_SECRETS" --quiet >"$TT_TMP/nokey.log" 2>&1; then
  tt_fail "--check-config accepted a TACACS+ server without a key"
fi
tt_expect_grep "$TT_TMP/nokey.log" "nokey\.cfg:[0-9]+: (error: )?crypto map mymap client authentication AuthInbound: .*has no key" \
  "the error names the crypto map"
tt_pass "--check-config: the seed passes; without the key: $(grep -m1 'has no key' "$TT_TMP/nokey.log")"

pix_topology
printf 'john doe\njane secret2\n' >"$TT_TMP/tacacs-users"
tt_bg "$TT_TMP/tacacs-server.log" ip netns exec "$SRV_NS" python3 -u "$SRCDIR/tests/tools/tacacs_server.py" \
  --address "$PIX_RADIUS" --port 49 --key secretkey --users "$TT_TMP/tacacs-users" --single-connection
TACACS_PID=$TT_LAST_PID
tt_wait_log "$TT_TMP/tacacs-server.log" "^listening on ${PIX_RADIUS//./\\.}:49" 20 "TACACS+ server" "$TACACS_PID"
lab_echo_server "$SRV_NS" "$PIX_WEB" 80

{ cat "$RAVPN_CONFIG"; echo "aaa accounting include any inbound 0.0.0.0 0.0.0.0 0.0.0.0 0.0.0.0 AuthInbound"; } \
  >"$TT_TMP/pix-seed-accounting.cfg"
RAVPN_CONFIG=$TT_TMP/pix-seed-accounting.cfg
tt_start_ravpnd
tt_expect_grep "$TT_RAVPND_LOG" "Xauth for crypto map mymap: TACACS\+ AuthInbound \(10\.89\.129\.134:49\)" \
  "ravpnd chose the TACACS+ backend"
tt_expect_grep "$TT_RAVPND_LOG" "accounting: TACACS\+ AuthInbound \(10\.89\.129\.134:49\)" "ravpnd accounts to AuthInbound"

# ---- a wrong password: refused by the server, vpnc gives up
VPNC_PASSWORD=not-the-password tt_start_vpnc badpw grouppass123
tt_wait_log "$TT_RAVPND_LOG" "Xauth user 'john' refused: rejected by TACACS\+ server 10\.89\.129\.134" 40 "refusal" \
  "$TT_RAVPND_PID"
tt_stop_pid "$TT_VPNC_PID" 5
tt_pass "a wrong password is refused by TACACS+"

# ---- vpnc: aggressive mode, group vpn3000, Xauth john/doe through TACACS+, then ping
export VPNC_LAB_ROUTES=10.89.129.128/25
VPNC_SCRIPT=$LAB_DIR/vpnc-script-lab.sh tt_start_vpnc vpnc grouppass123
tt_wait_log "$TT_RAVPND_LOG" "Xauth user 'john' authenticated" 40 "Xauth via TACACS+" "$TT_RAVPND_PID"
tt_wait_log "$TT_RAVPND_LOG" "tunnel up" 40 "vpnc tunnel" "$TT_RAVPND_PID"
tt_wait_log "$TT_TMP/vpnc-script.out" "configured" 20 "vpnc configured its tunnel device" "$TT_VPNC_PID"
vpnc_address=$(sed -n 's/.*configured [^ ]* \(10\.89\.129\.[0-9]*\).*/\1/p' "$TT_TMP/vpnc-script.out" | tail -1)
[[ $vpnc_address =~ ^$POOL_RE$ ]] || tt_fail "vpnc got '$vpnc_address', not a VPNpool address"
tt_in_client ping -c 3 -i 0.3 -W 2 -I "$vpnc_address" "$PIX_WEB" >"$TT_TMP/ping.log" 2>&1 ||
  { cat "$TT_TMP/ping.log" >&2; tt_fail "ping from $vpnc_address to $PIX_WEB through the tunnel"; }
tt_pass "vpnc: john logged in through TACACS+, ping $vpnc_address -> $PIX_WEB through ESP"

# ---- strongSwan: main mode, wildcard key, Xauth jane through TACACS+, address pushed
lab_start_charon_push "$SS_NS" "$PIX_STRONGSWAN" "$PIX_GW" cisco1234 jane secret2 10.89.129.128/25
swanctl --initiate --child inside --timeout 90 >"$TT_TMP/swanctl-initiate.log" 2>&1 ||
  { cat "$TT_TMP/swanctl-initiate.log" >&2; tt_fail "swanctl --initiate"; }
tt_expect_grep "$TT_RAVPND_LOG" "Xauth user 'jane' authenticated" "Xauth of jane via TACACS+"
ss_address=$(ip -n "$SS_NS" -4 -o addr show dev "$SS_IF" | awk '{print $4}' | grep -Eo "^$POOL_RE" | head -1 || true)
[ -n "$ss_address" ] || { ip -n "$SS_NS" addr >&2; tt_fail "strongSwan has no VPNpool address"; }
ip netns exec "$SS_NS" ping -c 3 -i 0.3 -W 2 -I "$ss_address" "$PIX_WEB" >"$TT_TMP/ss-ping.log" 2>&1 ||
  { cat "$TT_TMP/ss-ping.log" >&2; tt_fail "strongSwan: ping from $ss_address to $PIX_WEB"; }
lab_expect_seen_as "strongSwan through the tunnel" "$SS_NS" "$ss_address" "$PIX_WEB" 80 "${ss_address//./\\.}"
tt_pass "strongSwan: jane logged in through TACACS+, ping $ss_address -> $PIX_WEB"

# ---- what the TACACS+ server saw: ASCII logins from the gateway's inside address
from='from 10\.89\.129\.194 rem_addr (192\.0\.2\.5|192\.0\.2\.20)'
tt_expect_grep "$TT_TMP/tacacs-server.log" "^authen START ascii user john $from -> FAIL$" "the server's log: john refused"
tt_expect_grep "$TT_TMP/tacacs-server.log" "^authen START ascii user john $from -> PASS$" "the server's log: john"
tt_expect_grep "$TT_TMP/tacacs-server.log" "^authen START ascii user jane $from -> PASS$" "the server's log: jane"
tt_expect_no_grep "$TT_TMP/tacacs-server.log" "bad packet" "the server's log"
tt_pass "the TACACS+ server logged ASCII logins: $(grep -c '^authen START ascii' "$TT_TMP/tacacs-server.log")"

swanctl --terminate --ike ravpn --timeout 30 >"$TT_TMP/swanctl-terminate.log" 2>&1 || tt_fail "swanctl --terminate"
tt_stop_pid "$CHARON_PID" 5
tt_disconnect_vpnc_and_check_clean

# ---- accounting: START and STOP per tunnel with the pool address; the STOPs count the pings' bytes
for who in "john $vpnc_address" "jane $ss_address"; do
  set -- $who
  addr=${2//./\\.}
  tt_wait_log "$TT_TMP/tacacs-server.log" "^acct STOP user $1 .* addr=$addr " 20 "accounting STOP of $1" "$TACACS_PID"
  tt_expect_grep "$TT_TMP/tacacs-server.log" "^acct START user $1 from 10\.89\.129\.194 task_id=[0-9A-F]{16} start_time=[0-9]+ timezone=UTC service=ppp protocol=ip addr=$addr -> SUCCESS$" \
    "START of $1 with its address"
  stop=$(grep -E "^acct STOP user $1 " "$TT_TMP/tacacs-server.log" | tail -1)
  [[ $stop =~ bytes_in=([0-9]+)\ bytes_out=([0-9]+) ]] || tt_fail "no byte counts in: $stop"
  ((BASH_REMATCH[1] > 0 && BASH_REMATCH[2] > 0)) || tt_fail "zero bytes in the STOP of $1: $stop"
  tt_pass "accounting of $1: START and STOP for $2, bytes_in=${BASH_REMATCH[1]} bytes_out=${BASH_REMATCH[2]}"
done
[ "$(grep -c '^acct START' "$TT_TMP/tacacs-server.log")" = 2 ] || tt_fail "not one START per tunnel"
tt_expect_ravpnd_alive
