#!/usr/bin/env bash
# In the kernel lab: vpnc behind a NAT router (nftables masquerade) connects to ravpnd. ravpnd detects the NAT
# (RFC 3947 NAT-D), the client floats to UDP 4500, Xauth and mode-config run there, quick mode agrees on
# UDP-encapsulated tunnel mode and ravpnd installs ESP SAs with espinudp encapsulation (RFC 3948). A ping from the
# pool address to the inside host passes through ESP-in-UDP with the gateway's SA counters rising; after the
# disconnect no SA or policy is left.
#
#   client ns 198.51.100.5/24 --- 198.51.100.1/24 NAT ns 192.0.2.9/24 --- 192.0.2.1/24 gateway ns 10.21.1.48/24 --- inside 10.21.1.10
set -euo pipefail
. "$(dirname "$0")/../tools/lib.sh"
. "$(dirname "$0")/lib-lab.sh"
ip xfrm state add src 192.0.2.250 dst 192.0.2.251 proto esp spi 1 enc 'cbc(des)' 0x0102030405060708 2>/dev/null \
  && ip xfrm state flush || skip "no ESP in this kernel (run it in the lab: tests/lab/run-in-lab.sh)"

tt_init
tt_require_tools nft
tt_topology inside

# The namespace lib.sh made as the client becomes the NAT router: its veth to the gateway keeps the outside
# segment, 192.0.2.5 is replaced by 192.0.2.9, and a new client namespace sits behind it. The masquerade maps the
# source ports into 40000-40999 (like a home router with several clients), so the gateway must answer the port the
# NAT chose, never an assumed 500/4500 on the client's side.
NAT_NS=$TT_CLIENT_NS
NAT_OUT_IF=$TT_CLIENT_IF
NAT_OUT_ADDR=192.0.2.9
NAT_IN_IF=rv${TT_ID}n
NAT_IN_ADDR=198.51.100.1
CLIENT_NS=ravpn-nat-$TT_ID
CLIENT_IF=rv${TT_ID}p
CLIENT_ADDR=198.51.100.5
ip -n "$NAT_NS" addr del "$TT_CLIENT_ADDR/24" dev "$NAT_OUT_IF"
ip -n "$NAT_NS" addr add "$NAT_OUT_ADDR/24" dev "$NAT_OUT_IF"
tt_netns_add "$CLIENT_NS"
ip link add "$CLIENT_IF" netns "$CLIENT_NS" type veth peer name "$NAT_IN_IF" netns "$NAT_NS"
ip -n "$CLIENT_NS" addr add "$CLIENT_ADDR/24" dev "$CLIENT_IF"
ip -n "$NAT_NS" addr add "$NAT_IN_ADDR/24" dev "$NAT_IN_IF"
ip -n "$CLIENT_NS" link set "$CLIENT_IF" up
ip -n "$NAT_NS" link set "$NAT_IN_IF" up
ip -n "$CLIENT_NS" route add default via "$NAT_IN_ADDR"
lab_masquerade "$NAT_NS" "$NAT_OUT_IF"
TT_CLIENT_NS=$CLIENT_NS
ok=0
for _ in $(seq 50); do tt_in_client ping -c1 -W1 "$TT_GW_ADDR" >/dev/null 2>&1 && { ok=1; break; }; sleep 0.2; done
[ "$ok" = 1 ] || tt_fail "topology: $CLIENT_ADDR cannot reach $TT_GW_ADDR through the NAT router"
tt_pass "topology: $CLIENT_ADDR -> NAT $NAT_OUT_ADDR -> gateway $TT_GW_ADDR"

# ESP-in-UDP and IKE as the gateway sees them. dumpcap (tshark's capture engine) loads no dissectors, so it starts
# in a second or two even under emulation, where tshark can take tens of seconds; tshark reads the file afterwards.
tt_bg "$TT_TMP/gw-tshark.log" ip netns exec "$TT_GW_NS" dumpcap -q -n -i "$TT_GW_IF" \
  -f 'udp port 500 or udp port 4500 or esp' -w "$TT_TMP/gw.pcap"
CAP_PID=$TT_LAST_PID
tt_wait_log "$TT_TMP/gw-tshark.log" "Capturing on" 90 "dumpcap start" "$CAP_PID"

tt_start_ravpnd
tt_in_gw ss -uanp >"$TT_TMP/ss.txt" 2>&1 || true
grep -q "${TT_GW_ADDR}:4500" "$TT_TMP/ss.txt" || { cat "$TT_TMP/ss.txt" >&2; tt_fail "ravpnd does not listen on $TT_GW_ADDR:4500"; }

VPNC_NATT=natt VPNC_SCRIPT=$SRCDIR/tests/lab/vpnc-script-lab.sh tt_start_vpnc vpnc grouppass123
tt_wait_log "$TT_RAVPND_LOG" "NAT-T (RFC 3947|draft[^:]*): peer is behind a NAT" 40 "NAT detection" "$TT_RAVPND_PID"
tt_pass "ravpnd: $(grep -Eo 'NAT-T [^:]*: peer is behind a NAT' "$TT_RAVPND_LOG" | head -1)"
tt_wait_log "$TT_RAVPND_LOG" "Xauth user 'john' authenticated" 40 "Xauth" "$TT_RAVPND_PID"
tt_wait_log "$TT_RAVPND_LOG" "allocating address 10\.2\.1\.[0-9]+ from pool ourpool" 30 "mode-config address" "$TT_RAVPND_PID"
tt_wait_log "$TT_RAVPND_LOG" "tunnel up" 40 "quick mode and kernel SAs" "$TT_RAVPND_PID"
tt_wait_log "$TT_TMP/vpnc-script.out" "configured" 20 "vpnc configured its tunnel device" "$TT_VPNC_PID"
address=$(sed -n 's/.*configured [^ ]* \(10\.2\.1\.[0-9]*\).*/\1/p' "$TT_TMP/vpnc-script.out" | tail -1)
tt_log "client address $address"
[[ $address =~ ^10\.2\.1\.[0-9]+$ ]] || tt_fail "no pool address in the vpnc script log"

# Before any traffic: two tunnel-mode SAs with UDP encapsulation between 192.0.2.1:4500 and the port the NAT mapped
# the client's 4500 to (the source of the floated IKE traffic on the gateway's wire).
tt_in_gw ip -s xfrm state >"$TT_TMP/xfrm-before.txt"
xfrm_fail() { cat "$TT_TMP/xfrm-before.txt" >&2; tt_fail "$*"; }
[ "$(grep -c '^src' "$TT_TMP/xfrm-before.txt")" -eq 2 ] || xfrm_fail "expected two ESP SAs in the gateway"
[ "$(grep -c 'mode tunnel' "$TT_TMP/xfrm-before.txt")" -eq 2 ] || xfrm_fail "expected both SAs in tunnel mode"
out_encap=$(awk -v s="$TT_GW_ADDR" -v d="$NAT_OUT_ADDR" '/^src/{cur = ($2 == s && $4 == d)} cur && /encap type/' "$TT_TMP/xfrm-before.txt")
in_encap=$(awk -v s="$NAT_OUT_ADDR" -v d="$TT_GW_ADDR" '/^src/{cur = ($2 == s && $4 == d)} cur && /encap type/' "$TT_TMP/xfrm-before.txt")
[[ $out_encap =~ encap\ type\ espinudp\ sport\ 4500\ dport\ (40[0-9]{3}) ]] \
  || xfrm_fail "outbound SA $TT_GW_ADDR -> $NAT_OUT_ADDR: expected 'encap type espinudp sport 4500 dport <NAT port 40000-40999>', got '$out_encap'"
nat_port=${BASH_REMATCH[1]}
[[ $in_encap =~ encap\ type\ espinudp\ sport\ $nat_port\ dport\ 4500 ]] \
  || xfrm_fail "inbound SA $NAT_OUT_ADDR -> $TT_GW_ADDR: expected 'encap type espinudp sport $nat_port dport 4500', got '$in_encap'"
tt_pass "UDP-encapsulated tunnel-mode SAs, gateway 4500 <-> NAT $NAT_OUT_ADDR:$nat_port"
tt_expect_grep "$TT_VPNC_LOG" "NAT status: this end behind NAT\? YES" "vpnc saw itself behind the NAT"

tt_in_client ping -c 5 -i 0.3 -W 2 -I "$address" "$TT_INSIDE_HOST_ADDR" >"$TT_TMP/ping.log" 2>&1 \
  || { cat "$TT_TMP/ping.log" >&2; tt_in_gw ip -s xfrm state >&2; tt_fail "ping from $address to $TT_INSIDE_HOST_ADDR through ESP-in-UDP"; }
tt_pass "ping $address -> $TT_INSIDE_HOST_ADDR through ESP-in-UDP across the NAT"

tt_in_gw ip -s xfrm state >"$TT_TMP/xfrm-state.txt"
cat "$TT_TMP/xfrm-state.txt" >&2
bytes=$(awk '/lifetime current:/{getline; print $1}' "$TT_TMP/xfrm-state.txt" | sed 's/(bytes),//')
for b in $bytes; do [ "${b%(bytes)*}" -gt 0 ] 2>/dev/null || tt_fail "an SA counted no bytes: $bytes"; done
tt_pass "both SAs count bytes: $(echo $bytes)"
[ "$(tt_in_gw ip xfrm policy | grep -c '^src')" -ge 3 ] || tt_fail "expected out/in/fwd policies"

# On the wire (gateway's outside): IKE from the NAT on 500, then on 4500 from the mapped port and answered there;
# ESP only inside UDP 4500 <-> the mapped port, never bare protocol 50; the private address never seen.
tt_stop_pid "$CAP_PID" 5
tshark -n -r "$TT_TMP/gw.pcap" -T fields -e ip.src -e udp.srcport -e ip.dst -e udp.dstport -e _ws.col.Protocol \
  >"$TT_TMP/wire.txt" 2>/dev/null || true
esp_udp=$(awk -F'\t' -v p="$nat_port" '$5 == "ESP" && (($2 == 4500 && $4 == p) || ($2 == p && $4 == 4500))' "$TT_TMP/wire.txt" | wc -l)
esp_bare=$(awk -F'\t' '$5 == "ESP" && $2 == ""' "$TT_TMP/wire.txt" | wc -l)
[ "$esp_udp" -ge 10 ] || { tail -n 30 "$TT_TMP/wire.txt" >&2; tt_fail "expected ESP-in-UDP/4500 on the wire, saw $esp_udp packets"; }
[ "$esp_bare" -eq 0 ] || tt_fail "$esp_bare bare ESP packets on the wire (must all be UDP-encapsulated)"
awk -F'\t' -v n="$NAT_OUT_ADDR" -v g="$TT_GW_ADDR" '$1 == n && $3 == g && $4 == 500 && $5 == "ISAKMP"' "$TT_TMP/wire.txt" \
  | grep -q . || tt_fail "no IKE from the NAT to port 500 before the float"
awk -F'\t' -v n="$NAT_OUT_ADDR" -v g="$TT_GW_ADDR" -v p="$nat_port" \
  '$1 == n && $2 == p && $3 == g && $4 == 4500 && $5 == "ISAKMP"' "$TT_TMP/wire.txt" \
  | grep -q . || { tail -n 30 "$TT_TMP/wire.txt" >&2; tt_fail "no IKE (non-ESP marker) from $NAT_OUT_ADDR:$nat_port to port 4500 after the float"; }
awk -F'\t' -v n="$NAT_OUT_ADDR" -v g="$TT_GW_ADDR" -v p="$nat_port" \
  '$1 == g && $2 == 4500 && $3 == n && $4 == p && $5 == "ISAKMP"' "$TT_TMP/wire.txt" \
  | grep -q . || tt_fail "ravpnd did not answer IKE on 4500 to the NAT's port $nat_port"
grep -q "^$CLIENT_ADDR" "$TT_TMP/wire.txt" && tt_fail "the client's private address leaked past the NAT"
tt_pass "on the wire: $esp_udp ESP-in-UDP packets 4500 <-> $nat_port, no bare ESP, IKE on 500 then 4500"

tt_disconnect_vpnc_and_check_clean
tt_expect_ravpnd_alive
