#!/usr/bin/env bash
# In the kernel lab: the Cisco VPN Client 4.0.5 login of the seed PIX trace (seeds/003), replayed by cisco4x-replay
# (tests/ike/cisco4x_client.hpp) against ravpnd running the seed PIX 6.3 config (pix-seed-radius.cfg, masked keys
# from pix-seed.secrets, FreeRADIUS as the AuthInbound server) on the seed's network (lib-lab.sh pix_topology).
# Checked, as the PIX chose in the trace: aggressive mode transform 6 (DES/MD5/group 2/Xauth), then two quick modes
# whose first acceptable proposal is 7 (DES/MD5; the IPComp ANDed ones skipped), one for the gateway's own outside
# address /32 and one for 0.0.0.0/0. The replay's keys go into the client namespace's XFRM by hand (ip xfrm state /
# policy); a ping to the gateway's outside address travels through pair 1, a ping to the inside web server through
# pair 2, and on the ravpnd side the byte counters of all four SAs rise.
set -euo pipefail
. "$(dirname "$0")/../tools/lib.sh"
. "$(dirname "$0")/lib-lab.sh"
lab_require_esp

FIXTURES=$SRCDIR/tests/config/fixtures
: "${CISCO4X_REPLAY:=$(dirname "$RAVPND")/../tests/tools/cisco4x-replay}"
export RAVPN_CONFIG=$FIXTURES/pix-seed-radius.cfg RAVPN_SECRETS=$FIXTURES/pix-seed.secrets TT_POOL_NAME=VPNpool

tt_init
tt_require_tools ping
tt_require_ravpnd
[ -x "$CISCO4X_REPLAY" ] || skip "cisco4x-replay not built at $CISCO4X_REPLAY"
pix_topology
lab_start_freeradius "$SRV_NS" "$PIX_RADIUS" 1645 10.89.129.194 secretkey john:doe
tt_start_ravpnd

# ---- the 4.x client's login: aggressive mode, Xauth (RADIUS), mode-config pull, two quick modes
keys=$TT_TMP/keys
tt_in_client "$CISCO4X_REPLAY" --local "$PIX_VPNC" --gateway "$PIX_GW" --group vpn3000 --key grouppass123 \
  --user john --password doe --keys "$keys" 2>"$TT_TMP/replay.log" ||
  { cat "$TT_TMP/replay.log" >&2; tt_fail "cisco4x-replay failed"; }
cat "$TT_TMP/replay.log" >&2
# shellcheck source=/dev/null  # written by cisco4x-replay --keys
. "$keys"
[ "$PHASE1_TRANSFORM" = 6 ] || tt_fail "aggressive mode: transform $PHASE1_TRANSFORM chosen, the PIX chose 6"
[[ ${ADDRESS:-} =~ ^10\.89\.129\.20[0-4]$ ]] || tt_fail "mode-config gave '${ADDRESS:-}', not a VPNpool address"
[ "$PAIRS" = 2 ] || tt_fail "$PAIRS SA pairs negotiated, expected 2"
[ "$PAIR1_REMOTE" = "$PIX_GW/32" ] || tt_fail "quick mode 1 is for $PAIR1_REMOTE, expected $PIX_GW/32"
[ "$PAIR2_REMOTE" = 0.0.0.0/0 ] || tt_fail "quick mode 2 is for $PAIR2_REMOTE, expected 0.0.0.0/0"
for n in 1 2; do
  p=PAIR${n}_PROPOSAL e=PAIR${n}_ENC a=PAIR${n}_AUTH
  [ "${!p}" = 7 ] || tt_fail "quick mode $n: proposal ${!p} chosen, the PIX chose 7"
  [ "${!e} ${!a}" = "cbc(des) hmac(md5)" ] || tt_fail "quick mode $n: ${!e} ${!a}, expected esp-des esp-md5-hmac"
done
tt_wait_log "$TT_RAVPND_LOG" "tunnel up: ${ADDRESS//./\\.}/32 <-> 0\.0\.0\.0/0" 10 "ravpnd: the 0.0.0.0/0 tunnel"
tt_expect_grep "$TT_RAVPND_LOG" "tunnel up: ${ADDRESS//./\\.}/32 <-> ${PIX_GW//./\\.}/32" "ravpnd: the management tunnel"
tt_pass "4.x replay: transform 6, address $ADDRESS, quick modes for $PAIR1_REMOTE and $PAIR2_REMOTE both proposal 7"

# ---- the client's side of both pairs, by hand (pair 1 preferred for the gateway's address: lower priority value)
tt_in_client ip addr add "$ADDRESS/32" dev lo
tt_in_client ip route add 10.89.129.128/25 via "$PIX_GW" src "$ADDRESS"
for n in 1 2; do
  remote=PAIR${n}_REMOTE enc=PAIR${n}_ENC auth=PAIR${n}_AUTH
  spi_in=PAIR${n}_SPI_IN enc_in=PAIR${n}_ENC_IN auth_in=PAIR${n}_AUTH_IN
  spi_out=PAIR${n}_SPI_OUT enc_out=PAIR${n}_ENC_OUT auth_out=PAIR${n}_AUTH_OUT
  tt_in_client ip xfrm state add src "$PIX_VPNC" dst "$PIX_GW" proto esp spi "${!spi_out}" reqid "$n" mode tunnel \
    enc "${!enc}" "${!enc_out}" auth "${!auth}" "${!auth_out}"
  tt_in_client ip xfrm state add src "$PIX_GW" dst "$PIX_VPNC" proto esp spi "${!spi_in}" reqid "$n" mode tunnel \
    enc "${!enc}" "${!enc_in}" auth "${!auth}" "${!auth_in}"
  tt_in_client ip xfrm policy add src "$ADDRESS/32" dst "${!remote}" dir out priority "${n}000" \
    tmpl src "$PIX_VPNC" dst "$PIX_GW" proto esp reqid "$n" mode tunnel
  tt_in_client ip xfrm policy add src "${!remote}" dst "$ADDRESS/32" dir in priority "${n}000" \
    tmpl src "$PIX_GW" dst "$PIX_VPNC" proto esp reqid "$n" mode tunnel
done

# gw_bytes SPI DESTINATION: the byte counter of ravpnd's SA.
gw_bytes() {
  tt_in_gw ip -s xfrm state list src "$3" dst "$2" proto esp spi "$1" 2>/dev/null |
    awk '/lifetime current:/ { getline; sub(/\(bytes\).*/, ""); gsub(/[ \t]/, ""); print; exit }'
}
declare -A before
for n in 1 2; do
  spi_in=PAIR${n}_SPI_IN spi_out=PAIR${n}_SPI_OUT
  before[$n.in]=$(gw_bytes "${!spi_out}" "$PIX_GW" "$PIX_VPNC")
  before[$n.out]=$(gw_bytes "${!spi_in}" "$PIX_VPNC" "$PIX_GW")
  [ -n "${before[$n.in]}" ] && [ -n "${before[$n.out]}" ] ||
    { tt_in_gw ip xfrm state >&2; tt_fail "ravpnd has no SA pair $n (spis ${!spi_out} / ${!spi_in})"; }
done

# ---- traffic: the gateway's outside address through pair 1, the inside web server through pair 2
tt_in_client ping -c 3 -i 0.2 -W 2 -I "$ADDRESS" "$PIX_GW" >"$TT_TMP/ping-gw.log" 2>&1 ||
  { cat "$TT_TMP/ping-gw.log" >&2; tt_in_client ip -s xfrm state >&2; tt_fail "ping $PIX_GW through pair 1"; }
tt_in_client ping -c 3 -i 0.2 -W 2 -I "$ADDRESS" "$PIX_WEB" >"$TT_TMP/ping-web.log" 2>&1 ||
  { cat "$TT_TMP/ping-web.log" >&2; tt_in_client ip -s xfrm state >&2; tt_fail "ping $PIX_WEB through pair 2"; }
tt_pass "ping $PIX_GW and $PIX_WEB from $ADDRESS through the tunnels"

for n in 1 2; do
  spi_in=PAIR${n}_SPI_IN spi_out=PAIR${n}_SPI_OUT
  after_in=$(gw_bytes "${!spi_out}" "$PIX_GW" "$PIX_VPNC")
  after_out=$(gw_bytes "${!spi_in}" "$PIX_VPNC" "$PIX_GW")
  tt_log "pair $n: ravpnd inbound SA ${!spi_out} ${before[$n.in]} -> $after_in bytes, outbound ${!spi_in} ${before[$n.out]} -> $after_out bytes"
  [ "$after_in" -gt "${before[$n.in]}" ] || tt_fail "pair $n: ravpnd's inbound SA counted no bytes"
  [ "$after_out" -gt "${before[$n.out]}" ] || tt_fail "pair $n: ravpnd's outbound SA counted no bytes"
done
tt_pass "both SA pairs counted bytes in both directions on the ravpnd side"

tt_stop_ravpnd
[ -z "$(tt_in_gw ip xfrm state)" ] || { tt_in_gw ip xfrm state >&2; tt_fail "SAs left after ravpnd stopped"; }
[ -z "$(tt_in_gw ip xfrm policy)" ] || { tt_in_gw ip xfrm policy >&2; tt_fail "policies left after ravpnd stopped"; }
tt_pass "after stop: no SAs, no policies"
