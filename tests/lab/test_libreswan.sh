#!/usr/bin/env bash
# In the kernel lab: Libreswan 4.10 (pluto, IKEv1) as a remote-access client of ravpnd on the seed IOS config,
# driven as a new user would: an ipsec.conf with an Xauth client and mode-config client connection, whack to bring it
# up and down. Two cases in one run, one after the other:
#   aggressive: the group vpn3000 as KEY_ID (@[vpn3000]) with the group key, Xauth jane, mode-config pull;
#   main:       PSK by address (the wildcard key), Xauth john, mode-config pull.
# Each: phase 1, Xauth, an address from ourpool (pulled, never also pushed), quick mode AES/SHA-1, a ping to the
# inside host from that address through kernel ESP (the gateway's SA byte counters rise), then `whack --delete`:
# ravpnd has no SA or policy left and the lease is back in the pool.
#
# Debian's libreswan package conflicts with strongSwan's, so scripts/install-lab-deps.sh unpacks it into
# $RAVPN_LIBRESWAN_DIR (default /var/cache/ravpn-lab/libreswan); pluto runs from there with its own run, NSS and
# secrets directories in the scratch dir. Pluto runs /usr/libexec/ipsec/addconn by that fixed path, so the unpacked
# /usr/libexec is bind-mounted over the host's inside pluto's namespace (ip netns exec gives it its own mounts).
# Libreswan pads IKEv1 messages to 4 bytes (ikepad=yes by default): ravpnd must accept that.
set -euo pipefail
. "$(dirname "$0")/../tools/lib.sh"
. "$(dirname "$0")/lib-lab.sh"
lab_require_esp

LSW=${RAVPN_LIBRESWAN_DIR:-/var/cache/ravpn-lab/libreswan}
PLUTO=$LSW/usr/libexec/ipsec/pluto
WHACK=$LSW/usr/libexec/ipsec/whack
ADDCONN=$LSW/usr/libexec/ipsec/addconn  # run by pluto itself
POOL_RE='10\.2\.1\.[0-9]+'

tt_init
tt_require_tools ping certutil
if [ ! -x "$PLUTO" ] || [ ! -x "$WHACK" ] || [ ! -x "$ADDCONN" ]; then
  skip "Libreswan is not unpacked in $LSW (scripts/install-lab-deps.sh does it)"
fi

# The seed IOS config plus what Debian's Libreswan accepts: ISAKMP policy 30 (AES-128/SHA-1/group 5) and an
# AES/SHA-1 transform set offered after the seed's DES/MD5 one.
export RAVPN_CONFIG=$TT_TMP/ios-libreswan.cfg
sed -e 's/^crypto isakmp key cisco1234/crypto isakmp policy 30\n encr aes\n hash sha\n authentication pre-share\n group 5\n&/' \
    -e 's/^crypto ipsec transform-set mypolicy esp-des esp-md5-hmac/&\ncrypto ipsec transform-set strong esp-aes esp-sha-hmac/' \
    -e 's/^ set transform-set mypolicy$/ set transform-set mypolicy strong/' \
    "$SRCDIR/tests/config/fixtures/ios-easyvpn.cfg" >"$RAVPN_CONFIG"
if ! grep -q '^ set transform-set mypolicy strong$' "$RAVPN_CONFIG" || ! grep -q '^ group 5$' "$RAVPN_CONFIG"; then
  tt_fail "could not write the Libreswan variant of the seed config"
fi

tt_topology inside

# ---- pluto in the client namespace, its state in the scratch dir (started first: its start-up self-tests are
# slow under emulation, ravpnd starts meanwhile)
lab_pluto_state
tt_fill_template "$LAB_DIR/libreswan-ipsec.conf.in" "$TT_TMP/ipsec.conf" LOGFILE="$LSW_LOG" \
  CLIENT="$TT_CLIENT_ADDR" GATEWAY="$TT_GW_ADDR" REMOTE_NET=10.21.1.0/24 GROUP=vpn3000 \
  UPDOWN="$LAB_DIR/libreswan-updown.sh" UPDOWN_LOG="$UPDOWN_LOG"
tt_fill_template "$LAB_DIR/libreswan-ipsec.secrets.in" "$TT_TMP/ipsec.secrets" \
  CLIENT="$TT_CLIENT_ADDR" GATEWAY="$TT_GW_ADDR" GROUP=vpn3000 ADDRESS_PSK=cisco1234 GROUP_PSK=grouppass123
chmod 600 "$TT_TMP/ipsec.secrets"
lab_start_pluto "$TT_CLIENT_NS"
tt_start_ravpnd
lab_wait_pluto
# Pluto loads the auto=add connections itself (through addconn) and then the secrets.
tt_wait_log "$LSW_LOG" '"main": added IKEv1 connection' 60 "pluto loaded the connections" "$PLUTO_PID"
tt_wait_log "$LSW_LOG" "adding UDP interface .* ${TT_CLIENT_ADDR//./\\.}:500" 60 "pluto listening" "$PLUTO_PID"
tt_wait_log "$LSW_LOG" 'loading secrets from' 60 "pluto read its secrets" "$PLUTO_PID"
tt_log "pluto ready at ${SECONDS}s"

whack() { ip netns exec "$TT_CLIENT_NS" "$WHACK" --ctlsocket "$CTL" "$@"; }

# gw_sa_bytes: the byte counters of the gateway's ESP SAs, one per line.
gw_sa_bytes() { tt_in_gw ip -s xfrm state | awk '/lifetime current:/{getline; sub(/\(bytes\),?/, "", $1); print $1}'; }

# run_case CONN USER: one whole login, tunnel, ping and disconnect.
run_case() {
  local conn=$1 user=$2 address leased b n x
  local ravpnd_mark
  ravpnd_mark=$(wc -l <"$TT_RAVPND_LOG")
  tt_log "---- $conn: whack --initiate (user $user) at ${SECONDS}s"
  tt_bg "$TT_TMP/whack-$conn.log" ip netns exec "$TT_CLIENT_NS" timeout 120 "$WHACK" --ctlsocket "$CTL" \
    --name "$conn" --initiate
  local initiate_pid=$TT_LAST_PID
  tt_wait_log "$TT_RAVPND_LOG" "Xauth user '$user' authenticated" 60 "$conn: Xauth" "$TT_RAVPND_PID"
  tt_wait_log "$TT_RAVPND_LOG" "allocating address $POOL_RE from pool ourpool" 30 "$conn: mode-config address" "$TT_RAVPND_PID"
  tt_wait_log "$TT_RAVPND_LOG" "tunnel up: $POOL_RE/32 <-> " 60 "$conn: quick mode and kernel SAs" "$TT_RAVPND_PID"
  wait "$initiate_pid" || { cat "$TT_TMP/whack-$conn.log" >&2; tt_fail "$conn: whack --initiate did not succeed"; }
  tt_expect_grep "$TT_TMP/whack-$conn.log" 'IPsec SA established tunnel mode' "$conn: Libreswan's IPsec SA"
  tail -n +"$((ravpnd_mark + 1))" "$TT_RAVPND_LOG" >"$TT_TMP/ravpnd-$conn.log"
  tt_expect_no_grep "$TT_TMP/ravpnd-$conn.log" 'malformed|dropped|unexpected' "$conn: ravpnd took every message"
  tt_expect_no_grep "$TT_TMP/ravpnd-$conn.log" 'pushing one|peer accepted the address' "$conn: pulled, so not pushed"
  tt_pass "$conn: phase 1, Xauth $user, mode-config pull, quick mode"

  address=$(grep -Eo "tunnel up: $POOL_RE/32" "$TT_TMP/ravpnd-$conn.log" | tail -1 | sed 's/tunnel up: //; s@/32@@')
  leased=$(grep -Eo "allocating address $POOL_RE" "$TT_TMP/ravpnd-$conn.log" | tail -1 | awk '{print $3}')
  [ "$address" = "$leased" ] || tt_fail "$conn: leased $leased but the tunnel is for $address"
  tt_expect_grep "$UPDOWN_LOG" "^up-client address=${address//./\\.} " "$conn: Libreswan took the pulled address"
  tt_in_client ping -c 4 -i 0.3 -W 2 -I "$address" "$TT_INSIDE_HOST_ADDR" >"$TT_TMP/ping-$conn.log" 2>&1 ||
    { cat "$TT_TMP/ping-$conn.log" >&2; tt_in_client ip xfrm state >&2; tt_in_client ip route >&2
      tt_fail "$conn: ping from $address to $TT_INSIDE_HOST_ADDR through the tunnel"; }
  b=$(gw_sa_bytes)
  n=$(wc -w <<<"$b")
  [ "$n" -eq 2 ] || { tt_in_gw ip -s xfrm state >&2; tt_fail "$conn: expected two ESP SAs in the gateway, saw $n"; }
  for x in $b; do [ "$x" -gt 0 ] 2>/dev/null || tt_fail "$conn: an SA counted no bytes: $b"; done
  tt_pass "$conn: ping $address -> $TT_INSIDE_HOST_ADDR through ESP, gateway SA byte counters: ${b//$'\n'/ }"

  tt_log "$conn: whack --delete"
  whack --name "$conn" --delete >"$TT_TMP/whack-delete-$conn.log" 2>&1 ||
    { cat "$TT_TMP/whack-delete-$conn.log" >&2; tt_fail "$conn: whack --delete"; }
  tt_wait_log "$TT_RAVPND_LOG" "phase 1 down \\(user $user\\)" 30 "$conn: ISAKMP SA deleted" "$TT_RAVPND_PID"
  tt_wait_log "$TT_RAVPND_LOG" "${address//./\\.} returned to pool ourpool" 20 "$conn: lease released" "$TT_RAVPND_PID"
  sleep 0.5
  [ -z "$(tt_in_gw ip xfrm state)" ] || { tt_in_gw ip xfrm state >&2; tt_fail "$conn: SAs left in the gateway"; }
  [ -z "$(tt_in_gw ip xfrm policy)" ] || { tt_in_gw ip xfrm policy >&2; tt_fail "$conn: policies left in the gateway"; }
  tt_pass "$conn: after whack --delete no SAs, no policies in the gateway, $address back in the pool (${SECONDS}s)"
}

run_case aggressive jane
tt_expect_grep "$TT_RAVPND_LOG" 'phase 1 established \([^,]*, peer ID_KEY_ID vpn3000, .*Xauth next' \
  "aggressive: the group name as KEY_ID"
run_case main john
tt_expect_grep "$TT_RAVPND_LOG" 'phase 1 established \([^,]*, peer ID_IPV4_ADDR 192\.0\.2\.5, .*Xauth next' \
  "main: PSK by address"
tt_stop_pid "$PLUTO_PID" 5
tt_expect_ravpnd_alive
tt_log "all checks passed"
