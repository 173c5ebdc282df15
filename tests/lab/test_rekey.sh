#!/usr/bin/env bash
# In the kernel lab: tunnels that outlive their keys. One ravpnd on the seed IOS config with short lifetimes (phase 1
# 120 s, IPsec 120 s: `lifetime 120` in the ISAKMP policies, `crypto ipsec security-association lifetime seconds
# 120`) and two clients at once, each pinging the inside host 5 times a second for RAVPN_LAB_REKEY_SECONDS (360):
#   strongSwan (charon + swanctl, 192.0.2.5): main mode PSK, Xauth john, mode-config push; reauthenticates its
#     ISAKMP SA every 100 s (IKEv1 has no phase 1 rekey: a new main mode + Xauth) and renews its IPsec SA every 60 s;
#   Libreswan 4.10 (pluto, 192.0.2.6): main mode PSK, Xauth jane, mode-config pull; ikelifetime/salifetime 120 s,
#     so it replaces its ISAKMP SA and renews its IPsec SA before they expire.
# Checked per client: at least 2 phase 2 rekeys and 1 phase 1 renewal that took the session over, ping loss at most
# 1%, the same pool address throughout, one session each in `ravpnctl users`; after both disconnect, nothing left in
# `ip xfrm state` / `ip xfrm policy` and both leases free.
set -euo pipefail
. "$(dirname "$0")/../tools/lib.sh"
. "$(dirname "$0")/lib-lab.sh"
lab_require_esp

HOLD=${RAVPN_LAB_REKEY_SECONDS:-360}
LSW=${RAVPN_LIBRESWAN_DIR:-/var/cache/ravpn-lab/libreswan}
PLUTO=$LSW/usr/libexec/ipsec/pluto
WHACK=$LSW/usr/libexec/ipsec/whack
POOL_RE='10\.2\.1\.[0-9]+'
RAVPNCTL=$(dirname "$RAVPND")/ravpnctl
LSW_NS_ADDR=192.0.2.6

tt_init
tt_require_tools ping certutil swanctl
[ -x "$PLUTO" ] && [ -x "$WHACK" ] || skip "Libreswan is not unpacked in $LSW (scripts/install-lab-deps.sh does it)"

# The seed IOS config, lifetimes shortened, plus what Debian's Libreswan accepts (policy 30 AES/SHA-1/group 5 and an
# AES/SHA-1 transform set).
export RAVPN_CONFIG=$TT_TMP/ios-rekey.cfg
sed -e 's/^ hash md5$/&\n lifetime 120/' \
    -e 's/^crypto isakmp key cisco1234/crypto isakmp policy 30\n encr aes\n hash sha\n authentication pre-share\n group 5\n lifetime 120\n&/' \
    -e 's/^crypto ipsec transform-set mypolicy esp-des esp-md5-hmac/&\ncrypto ipsec transform-set strong esp-aes esp-sha-hmac\ncrypto ipsec security-association lifetime seconds 120/' \
    -e 's/^ set transform-set mypolicy$/ set transform-set mypolicy strong/' \
    "$SRCDIR/tests/config/fixtures/ios-easyvpn.cfg" >"$RAVPN_CONFIG"
[ "$(grep -c '^ lifetime 120$' "$RAVPN_CONFIG")" -eq 3 ] || { cat "$RAVPN_CONFIG" >&2; tt_fail "could not write the config"; }

tt_topology inside
LSW_NS=ravpn-lsw-$TT_ID
lab_second_client "$LSW_NS" "$LSW_NS_ADDR"

# ---- Libreswan in its namespace (its start-up self-tests are slow under emulation: started first)
lab_pluto_state
cat >"$TT_TMP/ipsec.conf" <<EOF
config setup
    ikev1-policy=accept
    logfile=$LSW_LOG
    logappend=no
    plutodebug=none

conn rekey
    ikev2=no
    authby=secret
    left=$LSW_NS_ADDR
    right=$TT_GW_ADDR
    rightsubnet=10.21.1.0/24
    leftxauthclient=yes
    leftmodecfgclient=yes
    modecfgpull=yes
    leftusername=jane
    ike=aes128-sha1;modp1536
    phase2alg=aes128-sha1
    pfs=no
    ikelifetime=120s
    salifetime=120s
    rekeymargin=40s
    rekeyfuzz=20%
    leftupdown="$LAB_DIR/libreswan-updown.sh $UPDOWN_LOG"
    auto=add
EOF
cat >"$TT_TMP/ipsec.secrets" <<EOF
$LSW_NS_ADDR $TT_GW_ADDR : PSK "cisco1234"
@jane : XAUTH "secret2"
EOF
chmod 600 "$TT_TMP/ipsec.secrets"
lab_start_pluto "$LSW_NS"

tt_start_ravpnd

# ---- strongSwan in the first client namespace, with reauthentication and IPsec SA renewal
lab_start_charon_push "$TT_CLIENT_NS" "$TT_CLIENT_ADDR" "$TT_GW_ADDR" cisco1234 john doe 10.21.1.0/24
sed -i -e 's/^        dpd_delay = 0$/        dpd_delay = 0\n        reauth_time = 100s\n        over_time = 20s\n        rand_time = 5s/' \
       -e 's/^                start_action = none$/&\n                rekey_time = 60s\n                life_time = 120s\n                rand_time = 5s/' \
       "$SWANCTL_DIR/swanctl.conf"
grep -q 'reauth_time = 100s' "$SWANCTL_DIR/swanctl.conf" && grep -q 'rekey_time = 60s' "$SWANCTL_DIR/swanctl.conf" ||
  tt_fail "could not add the rekey settings to swanctl.conf"
swanctl --load-all --noprompt >"$TT_TMP/swanctl-reload.log" 2>&1 || { cat "$TT_TMP/swanctl-reload.log" >&2; tt_fail "swanctl --load-all"; }

lab_wait_pluto
tt_wait_log "$LSW_LOG" '"rekey": added IKEv1 connection' 60 "pluto loaded the connection" "$PLUTO_PID"
tt_wait_log "$LSW_LOG" 'loading secrets from' 60 "pluto read its secrets" "$PLUTO_PID"

# ---- both log in
tt_log "strongSwan: swanctl --initiate (john), Libreswan: whack --initiate (jane)"
tt_bg "$TT_TMP/swanctl-initiate.log" swanctl --initiate --child inside --timeout 120
SS_INIT=$TT_LAST_PID
tt_bg "$TT_TMP/whack-initiate.log" ip netns exec "$LSW_NS" timeout 150 "$WHACK" --ctlsocket "$CTL" --name rekey --initiate
LSW_INIT=$TT_LAST_PID
wait "$SS_INIT" || { cat "$TT_TMP/swanctl-initiate.log" >&2; tt_fail "swanctl --initiate"; }
wait "$LSW_INIT" || { cat "$TT_TMP/whack-initiate.log" >&2; tt_fail "whack --initiate"; }

address_of() {  # USER: the address ravpnd's tunnel for USER was built on
  grep -E "tunnel up: $POOL_RE/32 .*user $1\$" "$TT_RAVPND_LOG" | head -1 | sed -E 's/.*tunnel up: ([0-9.]+)\/32.*/\1/'
}
SS_ADDR=$(address_of john)
LSW_ADDR=$(address_of jane)
[ -n "$SS_ADDR" ] && [ -n "$LSW_ADDR" ] && [ "$SS_ADDR" != "$LSW_ADDR" ] ||
  { grep 'tunnel up' "$TT_RAVPND_LOG" >&2; tt_fail "expected one tunnel each for john and jane"; }
tt_pass "both logged in: strongSwan/john on $SS_ADDR, Libreswan/jane on $LSW_ADDR"
tt_wait_log "$UPDOWN_LOG" "^up-client address=${LSW_ADDR//./\\.} " 30 "Libreswan took its address" "$PLUTO_PID"

# ---- hold both tunnels with a continuous ping
count=$((HOLD * 5))
tt_log "pinging $TT_INSIDE_HOST_ADDR from both clients, 5 per second for $HOLD s"
tt_bg "$TT_TMP/ping-ss.log" ip netns exec "$TT_CLIENT_NS" ping -q -i 0.2 -W 2 -c "$count" -I "$SS_ADDR" "$TT_INSIDE_HOST_ADDR"
PING_SS=$TT_LAST_PID
tt_bg "$TT_TMP/ping-lsw.log" ip netns exec "$LSW_NS" ping -q -i 0.2 -W 2 -c "$count" -I "$LSW_ADDR" "$TT_INSIDE_HOST_ADDR"
PING_LSW=$TT_LAST_PID
for ((t = 60; t <= HOLD; t += 60)); do
  sleep 60
  tt_log "after ${t}s: $(grep -c 'tunnel up' "$TT_RAVPND_LOG") quick modes, $(grep -c 'phase 1 renewed' "$TT_RAVPND_LOG") phase 1 renewals, $(tt_in_gw ip xfrm state | grep -c '^src') kernel SAs"
done
wait "$PING_SS" || true
wait "$PING_LSW" || true
"$RAVPNCTL" users | tee "$TT_TMP/users.txt" >&2
"$RAVPNCTL" isakmp >&2 || true

check_client() {  # NAME USER ADDRESS PING_LOG
  local name=$1 user=$2 address=$3 ping_log=$4 loss quick renewed others
  cat "$ping_log" >&2
  loss=$(sed -nE 's/.* ([0-9.]+)% packet loss.*/\1/p' "$ping_log")
  [ -n "$loss" ] || tt_fail "$name: no ping summary"
  awk -v l="$loss" 'BEGIN { exit !(l <= 1.0) }' || tt_fail "$name: ping loss $loss% (at most 1%)"
  quick=$(grep -cE "tunnel up: ${address//./\\.}/32 .*user $user\$" "$TT_RAVPND_LOG" || true)
  [ "$quick" -ge 3 ] || tt_fail "$name: $quick quick modes for $address (the first and at least 2 rekeys expected)"
  renewed=$(grep -cE "phase 1 renewed: takes over the session of conn [0-9]+ user $user " "$TT_RAVPND_LOG" || true)
  [ "$renewed" -ge 1 ] || tt_fail "$name: no phase 1 renewal took the session over"
  others=$(grep -E "allocating address $POOL_RE from pool ourpool for $user\$" "$TT_RAVPND_LOG" | grep -vc "address ${address//./\\.} " || true)
  [ "$others" -eq 0 ] || tt_fail "$name: $user was given another address than $address"
  [ "$(grep -cE "^\s*$user\s" "$TT_TMP/users.txt")" -eq 1 ] || tt_fail "$name: ravpnctl users should list $user once"
  grep -qE "^\s*$user\s.*${address//./\\.}" "$TT_TMP/users.txt" || tt_fail "$name: ravpnctl users should show $user on $address"
  tt_pass "$name: $HOLD s, ping loss $loss%, $((quick - 1)) IPsec rekeys, $renewed phase 1 renewal(s), always $address, one session"
}
check_client strongSwan john "$SS_ADDR" "$TT_TMP/ping-ss.log"
check_client Libreswan jane "$LSW_ADDR" "$TT_TMP/ping-lsw.log"
tt_expect_no_grep "$TT_RAVPND_LOG" 'installing IPsec SAs failed|peer dead|idle timeout' "no failed install, no dead peer"

# ---- both leave; nothing of them stays in the kernel
swanctl --terminate --ike ravpn --timeout 30 >"$TT_TMP/swanctl-terminate.log" 2>&1 || cat "$TT_TMP/swanctl-terminate.log" >&2
ip netns exec "$LSW_NS" "$WHACK" --ctlsocket "$CTL" --name rekey --delete >"$TT_TMP/whack-delete.log" 2>&1 ||
  cat "$TT_TMP/whack-delete.log" >&2
for ((i = 0; i < 100; i++)); do
  [ -z "$(tt_in_gw ip xfrm state)" ] && [ -z "$(tt_in_gw ip xfrm policy)" ] && break
  sleep 0.3
done
[ -z "$(tt_in_gw ip xfrm state)" ] || { tt_in_gw ip xfrm state >&2; tt_fail "SAs left in the gateway"; }
[ -z "$(tt_in_gw ip xfrm policy)" ] || { tt_in_gw ip xfrm policy >&2; tt_fail "policies left in the gateway"; }
tt_wait_log "$TT_RAVPND_LOG" "${SS_ADDR//./\\.} returned to pool" 20 "john's lease back" "$TT_RAVPND_PID"
tt_wait_log "$TT_RAVPND_LOG" "${LSW_ADDR//./\\.} returned to pool" 20 "jane's lease back" "$TT_RAVPND_PID"
tt_pass "after both disconnected: no SAs, no policies in the gateway, both leases back"
tt_stop_pid "$CHARON_PID" 5
tt_stop_pid "$PLUTO_PID" 5
tt_expect_ravpnd_alive
tt_log "all checks passed"
