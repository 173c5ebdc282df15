#!/usr/bin/env bash
# NAT and filtering of the PIX seed config with real traffic, in network namespaces made here:
#
#   outside host ns  192.0.2.5/24 ----- 192.0.2.1/24  gateway ns  10.89.129.194/28 ----- 10.89.129.193/28  inside ns
#   (the Internet side)                 fw_apply --apply (nftables,                        + 10.89.129.131 (web server,
#                                        proxy ARP, local routes)                            static 192.0.2.11)
#                                                                                          + 10.89.129.132 (a host)
#
# The gateway routes 10.89.129.128/25 via 10.89.129.193 (pix-seed.cfg line 63). Checked:
#   - inside -> outside leaves with a global address 192.0.2.6-10 (nat 1 / global 1), the web server with its
#     static 192.0.2.11;
#   - outside -> 192.0.2.11 reaches the web server for what access-list 120 permits, and nothing else (with the
#     `eq www` variant: tcp 80 yes, tcp 8080 and udp no);
#   - outside -> 10.89.129.132 (no static) is dropped; a global address that was not translated is dropped too,
#     but the gateway answers ARP for it (local route);
#   - proxy ARP: the inside side reaches a pool address whose route leaves by the outside link, untranslated
#     (nat 0 access-list 101);
#   - a refused script leaves the table as it was; remove leaves no table, proxy entry or local route of ravpn's,
#     and another table (inet other) is untouched.
# No ESP here (this host kernel has no ESP states): the tunnel path is tested in the qemu lab.
#
# Addresses are only used inside the namespaces made here. Needs root, ip, socat, ping (else exit 77).
#   FW_APPLY    the driver (default $SRCDIR/build/tests/firewall/fw_apply)
#   FW_BUILTIN  1: use the configs built in code even when the PIX reader reads the fixture
# shellcheck disable=SC2016  # '$SOCAT_PEERADDR' is for the shell socat starts
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=../tools/lib.sh
. "$(dirname "$0")/../tools/lib.sh"

: "${FW_APPLY:=$SRCDIR/build/tests/firewall/fw_apply}"
FIXTURES=$SRCDIR/tests/config/fixtures

tt_init
tt_require_tools socat ping nft
[ -x "$FW_APPLY" ] || skip "fw_apply not built at $FW_APPLY"

# ---------------------------------------------------------------- topology
tt_topology  # outside host $TT_CLIENT_NS 192.0.2.5 <-> gateway $TT_GW_NS 192.0.2.1 ($TT_GW_IF)
OUT_NS=$TT_CLIENT_NS
IN_NS=ravpn-fwin-$TT_ID
GW_IN_IF=rv${TT_ID}i
IN_IF=rv${TT_ID}h
tt_netns_add "$IN_NS"
ip link add "$IN_IF" netns "$IN_NS" type veth peer name "$GW_IN_IF" netns "$TT_GW_NS"
ip -n "$TT_GW_NS" addr add 10.89.129.194/28 dev "$GW_IN_IF"
ip -n "$IN_NS" addr add 10.89.129.193/28 dev "$IN_IF"
ip -n "$IN_NS" addr add 10.89.129.131/32 dev lo
ip -n "$IN_NS" addr add 10.89.129.132/32 dev lo
ip -n "$IN_NS" link set "$IN_IF" up
ip -n "$TT_GW_NS" link set "$GW_IN_IF" up
ip -n "$IN_NS" route add default via 10.89.129.194
ip -n "$TT_GW_NS" route add 10.89.129.128/25 via 10.89.129.193
tt_in_gw sysctl -qw net.ipv4.ip_forward=1
for _ in $(seq 50); do
    ip netns exec "$IN_NS" ping -c1 -W1 10.89.129.194 >/dev/null 2>&1 && break
    sleep 0.1
done

in_out()    { ip netns exec "$OUT_NS" "$@"; }
in_inside() { ip netns exec "$IN_NS" "$@"; }

# ---------------------------------------------------------------- the config: the fixture once the PIX reader reads it
IFS_ARGS=(--if "outside=$TT_GW_IF" --if "inside=$GW_IN_IF")
if [ "${FW_BUILTIN:-0}" != 1 ] && tt_in_gw "$FW_APPLY" --config "$FIXTURES/pix-seed.cfg" --secrets "$FIXTURES/pix-seed.secrets" "${IFS_ARGS[@]}" \
    --print >"$TT_TMP/fixture.nft" 2>"$TT_TMP/fixture.err"; then
    tt_log "config: $FIXTURES/pix-seed.cfg (PIX reader)"
    SEED=(--config "$FIXTURES/pix-seed.cfg" --secrets "$FIXTURES/pix-seed.secrets")
    # The `eq www` variant: access-list 120 keeps icmp, tcp only to www, no udp.
    sed -e 's/^access-list 120 permit tcp any host 10.89.129.131$/& eq www/' \
        -e '/^access-list 120 permit udp any host 10.89.129.131$/d' \
        "$FIXTURES/pix-seed.cfg" >"$TT_TMP/pix-seed-www.cfg"
    WWW=(--config "$TT_TMP/pix-seed-www.cfg" --secrets "$FIXTURES/pix-seed.secrets")
else
    if [ "${FW_BUILTIN:-0}" = 1 ]; then why="FW_BUILTIN=1"; else why="the PIX reader said: $(head -c 200 "$TT_TMP/fixture.err")"; fi
    tt_log "config: built in code (tests/firewall/configs.hpp); $why"
    SEED=(--builtin pix-seed)
    WWW=(--builtin pix-seed-www)
fi

# ---------------------------------------------------------------- helpers
# Servers: the outside host tells a TCP client its address as seen there; the web server answers on tcp 80 / 8080
# and udp 53 with its port and the client's address, the other inside host on tcp 7000.
tt_bg "$TT_TMP/srv-out.log" ip netns exec "$OUT_NS" \
    socat TCP-LISTEN:7000,reuseaddr,fork SYSTEM:'echo seen $SOCAT_PEERADDR'
for port in 80 8080; do
    tt_bg "$TT_TMP/srv-web$port.log" ip netns exec "$IN_NS" \
        socat TCP-LISTEN:$port,bind=10.89.129.131,reuseaddr,fork SYSTEM:"echo web$port \$SOCAT_PEERADDR"
done
tt_bg "$TT_TMP/srv-host.log" ip netns exec "$IN_NS" \
    socat TCP-LISTEN:7000,bind=10.89.129.132,reuseaddr,fork SYSTEM:'echo host132 $SOCAT_PEERADDR'
tt_bg "$TT_TMP/srv-dns.log" ip netns exec "$IN_NS" \
    socat UDP-RECVFROM:53,bind=10.89.129.131,fork SYSTEM:'echo udp53 $SOCAT_PEERADDR'
sleep 0.5

# tcp_ask NS_FN DEST PORT [BIND]: the server's answer line, "" when nothing came back within 3 s.
tcp_ask() {
    local fn=$1 dest=$2 port=$3 bind=${4:-} opts=""
    [ -n "$bind" ] && opts=",bind=$bind"
    $fn timeout 5 socat -T3 - "TCP:$dest:$port,connect-timeout=3$opts" </dev/null 2>/dev/null | head -n1 || true
}
udp_ask() {
    local fn=$1 dest=$2 port=$3
    echo ask | $fn timeout 5 socat -T2 - "UDP:$dest:$port" 2>/dev/null | head -n1 || true
}
pings() { "$1" ping -c1 -W2 "${@:2}" >/dev/null 2>&1; }

expect_answer() {  # WHAT ANSWER ERE
    [[ "$2" =~ $3 ]] || tt_fail "$1: expected an answer matching /$3/, got '${2}'"
    tt_pass "$1: $2"
}
expect_silence() {  # WHAT ANSWER
    [ -z "$2" ] || tt_fail "$1: expected no answer, got '$2'"
    tt_pass "$1: no answer"
}

tt_in_gw nft add table inet other
tt_in_gw nft add chain inet other keep '{ type filter hook input priority 10; }'
tt_in_gw nft add rule inet other keep counter accept

# ---------------------------------------------------------------- apply the seed
tt_in_gw "$FW_APPLY" "${SEED[@]}" "${IFS_ARGS[@]}" --print >"$TT_TMP/seed.nft"
tt_in_gw "$FW_APPLY" "${SEED[@]}" --auto-if --print >"$TT_TMP/seed-auto.nft"
cmp -s "$TT_TMP/seed.nft" "$TT_TMP/seed-auto.nft" ||
    tt_fail "map_interfaces: --auto-if gives another ruleset than --if outside/inside: $(diff "$TT_TMP/seed.nft" "$TT_TMP/seed-auto.nft" | head -5)"
tt_pass "map_interfaces finds outside=$TT_GW_IF inside=$GW_IN_IF by address"
tt_in_gw "$FW_APPLY" "${SEED[@]}" "${IFS_ARGS[@]}" --apply || tt_fail "fw_apply --apply refused the seed ruleset"
tt_in_gw nft list table ip ravpn >"$TT_TMP/table-seed.txt"
[ "$(tt_in_gw ip route show table local proto 76 | grep -c 'dev lo')" = 6 ] ||
    tt_fail "local routes: expected 6 (192.0.2.6-11), have: $(tt_in_gw ip route show table local proto 76 | tr '\n' '|')"
[ "$(tt_in_gw ip neigh show proxy | grep -c "dev $GW_IN_IF proxy proto 76")" = 5 ] ||
    tt_fail "proxy ARP: expected 5 pool addresses on $GW_IN_IF, have: $(tt_in_gw ip neigh show proxy | tr '\n' '|')"
tt_pass "applied: table ip ravpn, 6 local routes, 5 proxy ARP entries"

# ---------------------------------------------------------------- outbound: dynamic NAT and static
answer=$(tcp_ask in_inside 192.0.2.5 7000 10.89.129.132)
expect_answer "inside 10.89.129.132 -> outside (nat 1 / global 1 192.0.2.6-10)" "$answer" '^seen 192\.0\.2\.([6-9]|10)$'
answer=$(tcp_ask in_inside 192.0.2.5 7000 10.89.129.131)
expect_answer "web server 10.89.129.131 -> outside (static 192.0.2.11)" "$answer" '^seen 192\.0\.2\.11$'
pings in_inside -I 10.89.129.132 192.0.2.5 || tt_fail "ping inside -> outside host failed"
tt_pass "ping inside -> outside"

# ---------------------------------------------------------------- inbound: static + access-list 120
pings in_out 192.0.2.11 || tt_fail "ping outside -> static 192.0.2.11 (access-list 120 permit icmp) failed"
tt_pass "ping outside -> static 192.0.2.11"
answer=$(tcp_ask in_out 192.0.2.11 80)
expect_answer "outside -> 192.0.2.11 tcp 80 (permit tcp), untranslated source" "$answer" '^web80 192\.0\.2\.5$'
answer=$(tcp_ask in_out 192.0.2.11 8080)
expect_answer "outside -> 192.0.2.11 tcp 8080 (permit tcp, any port)" "$answer" '^web8080 192\.0\.2\.5$'
answer=$(udp_ask in_out 192.0.2.11 53)
expect_answer "outside -> 192.0.2.11 udp 53 (permit udp)" "$answer" '^udp53 192\.0\.2\.5$'

# A host with no static, even with a route to it: no access.
in_out ip route add 10.89.129.128/25 via 192.0.2.1
if pings in_out 10.89.129.132; then tt_fail "outside -> 10.89.129.132 (no static, not in access-list 120) answered"; fi
expect_silence "outside -> 10.89.129.132 tcp 7000 (no static)" "$(tcp_ask in_out 10.89.129.132 7000)"
tt_pass "ping outside -> 10.89.129.132 dropped"
in_out ip route del 10.89.129.128/25 via 192.0.2.1

# A global address that was not translated: ARP answered (local route), traffic dropped (input chain).
in_out ip neigh flush dev "$TT_CLIENT_IF" 2>/dev/null || true
if pings in_out 192.0.2.7; then tt_fail "outside -> 192.0.2.7 (global, untranslated) answered: the input drop is missing"; fi
grep -q lladdr <<<"$(in_out ip neigh show 192.0.2.7)" ||
    tt_fail "the gateway did not answer ARP for the global address 192.0.2.7: $(in_out ip neigh show 192.0.2.7)"
tt_pass "global 192.0.2.7: ARP answered, untranslated ping dropped"

# ---------------------------------------------------------------- proxy ARP and NAT exemption
# A client lease: 10.89.129.200 is reached through the outside link (here: the outside host holds it, and routes
# the inside network back through the gateway, as a client does through its tunnel).
in_out ip addr add 10.89.129.200/32 dev lo
in_out ip route add 10.89.129.128/25 via 192.0.2.1
tt_in_gw ip route add 10.89.129.200/32 via 192.0.2.5
answer=$(tcp_ask in_inside 10.89.129.200 7000 10.89.129.132)
expect_answer "inside -> pool address 10.89.129.200 (proxy ARP; nat 0 access-list 101: untranslated)" "$answer" \
    '^seen 10\.89\.129\.132$'
grep -q lladdr <<<"$(in_inside ip neigh show 10.89.129.200)" || tt_fail "no ARP answer for 10.89.129.200 on the inside"
# A free pool address (its route is the inside subnet itself) is not answered.
if pings in_inside -I 10.89.129.132 10.89.129.201; then tt_fail "a free pool address 10.89.129.201 answered"; fi
tt_pass "free pool address 10.89.129.201 not answered"
tt_in_gw ip route del 10.89.129.200/32 via 192.0.2.5
in_out ip route del 10.89.129.128/25 via 192.0.2.1

# ---------------------------------------------------------------- replace with the `eq www` variant
tt_in_gw "$FW_APPLY" "${WWW[@]}" "${IFS_ARGS[@]}" --apply || tt_fail "fw_apply refused the www variant"
tt_in_gw nft list table ip ravpn >"$TT_TMP/table-www.txt"
expect_answer "www variant: outside -> 192.0.2.11 tcp 80" "$(tcp_ask in_out 192.0.2.11 80)" '^web80 192\.0\.2\.5$'
expect_silence "www variant: outside -> 192.0.2.11 tcp 8080" "$(tcp_ask in_out 192.0.2.11 8080)"
expect_silence "www variant: outside -> 192.0.2.11 udp 53" "$(udp_ask in_out 192.0.2.11 53)"
pings in_out 192.0.2.11 || tt_fail "www variant: ping 192.0.2.11 (permit icmp) failed"
tt_pass "www variant: ping 192.0.2.11"

# ---------------------------------------------------------------- a refused script changes nothing
grep -v '^# proxy_arp \|^# mapped ' "$TT_TMP/seed.nft" | sed '$d' >"$TT_TMP/bad.nft"
printf '\tchain broken {\n\t\tip daddr 10.1.1.1 jump nowhere\n\t}\n}\n' >>"$TT_TMP/bad.nft"
if tt_in_gw "$FW_APPLY" "${SEED[@]}" "${IFS_ARGS[@]}" --apply-script "$TT_TMP/bad.nft" 2>"$TT_TMP/bad.err"; then
    tt_fail "a script with a jump to a missing chain was accepted"
fi
grep -q 'jump nowhere' "$TT_TMP/bad.err" || tt_fail "the error does not quote the failing line: $(cat "$TT_TMP/bad.err")"
tt_in_gw nft list table ip ravpn >"$TT_TMP/table-after-bad.txt"
cmp -s "$TT_TMP/table-www.txt" "$TT_TMP/table-after-bad.txt" ||
    tt_fail "the refused script changed the table: $(diff "$TT_TMP/table-www.txt" "$TT_TMP/table-after-bad.txt" | head)"
expect_answer "after the refused script: tcp 80 still" "$(tcp_ask in_out 192.0.2.11 80)" '^web80 192\.0\.2\.5$'
tt_pass "refused script: table unchanged ($(head -n1 "$TT_TMP/bad.err"))"

# ---------------------------------------------------------------- remove
tt_in_gw "$FW_APPLY" --remove
if grep -q 'ip ravpn' <<<"$(tt_in_gw nft list tables)"; then tt_fail "table ip ravpn still there after remove"; fi
[ -z "$(tt_in_gw ip route show table local proto 76)" ] ||
    tt_fail "local routes left: $(tt_in_gw ip route show table local proto 76 | tr '\n' '|')"
if grep -q 'proto 76' <<<"$(tt_in_gw ip neigh show proxy)"; then
    tt_fail "proxy ARP entries left: $(tt_in_gw ip neigh show proxy | tr '\n' '|')"
fi
grep -q 'chain keep' <<<"$(tt_in_gw nft list table inet other)" || tt_fail "table inet other was touched"
tt_pass "remove: no table, local route or proxy entry of ravpn's; inet other untouched"
