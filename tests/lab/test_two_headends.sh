#!/usr/bin/env bash
# In the kernel lab: the scale-out path without a home-made cluster (issue 11). Two ravpnd head-ends (two gateway
# namespaces, 192.0.2.1 and 192.0.2.2) authenticate against one FreeRADIUS whose sqlippool module (SQLite backend,
# tests/tools/freeradius_sqlippool.sh) hands out Framed-IP-Address from one table and frees it on accounting Stop.
# ravpn-loadgen logs in 10 users on each head-end at the same time (aggressive mode, Xauth, mode-config pull, quick
# mode), holds the tunnels, then deletes them. Checked: 20 distinct addresses, each from the shared pool, 10 per
# head-end in the table while the tunnels are up; after logout every address is free again in the table.
set -euo pipefail
. "$(dirname "$0")/../tools/lib.sh"
. "$(dirname "$0")/lib-lab.sh"
lab_require_esp

LOADGEN=$(dirname "$RAVPND")/../tests/bench/ravpn-loadgen
PER_HEADEND=10
tt_init
tt_require_ravpnd
tt_require_tools sqlite3 python3
command -v freeradius >/dev/null || skip "FreeRADIUS is not installed"
[ -e /usr/lib/freeradius/rlm_sqlippool.so ] && [ -e /usr/lib/freeradius/rlm_sql_sqlite.so ] ||
  skip "FreeRADIUS's sqlippool or SQLite driver is missing"
[ -x "$LOADGEN" ] || tt_fail "no $LOADGEN (ninja -C build tests/bench/ravpn-loadgen)"

# ---- one LAN: clients, two head-ends, the RADIUS server
PIX_SW_NS=ravpn-sw-$TT_ID TT_CLIENT_NS=ravpn-cli-$TT_ID SRV_NS=ravpn-srv-$TT_ID
GW_NS=(ravpn-gw1-$TT_ID ravpn-gw2-$TT_ID)
for ns in "$PIX_SW_NS" "$TT_CLIENT_NS" "$SRV_NS" "${GW_NS[@]}"; do tt_netns_add "$ns"; done
ip -n "$PIX_SW_NS" link add br0 type bridge
ip -n "$PIX_SW_NS" link set br0 up
pix_outside_port "$TT_CLIENT_NS" "rv${TT_ID}c" 192.0.2.5
pix_outside_port "${GW_NS[0]}" "rv${TT_ID}1" 192.0.2.1
pix_outside_port "${GW_NS[1]}" "rv${TT_ID}2" 192.0.2.2
pix_outside_port "$SRV_NS" "rv${TT_ID}r" 192.0.2.50
"$SRCDIR/tests/bench/add-addresses.sh" "$TT_CLIENT_NS" "rv${TT_ID}c" 192.0.2.100 $((2 * PER_HEADEND))

# ---- FreeRADIUS: auth 1812, acct 1813, sqlippool over 10.77.0.1-10.77.0.40
. "$SRCDIR/tests/tools/freeradius.sh"
. "$SRCDIR/tests/tools/freeradius_sqlippool.sh"
RADIUS_DIR=$TT_TMP/radius
mkdir -m 0700 "$RADIUS_DIR"
fr_write_config "$RADIUS_DIR" 192.0.2.50 1812 192.0.2.0/24 sharedkey 1813
fr_add_sqlippool "$RADIUS_DIR" vpn 10.77.0.1 40
for ((i = 0; i < PER_HEADEND; i++)); do
  printf 'a%d Cleartext-Password := "pw", Pool-Name := "vpn"\nb%d Cleartext-Password := "pw", Pool-Name := "vpn"\n' "$i" "$i"
done >"$RADIUS_DIR/users"
tt_bg "$TT_TMP/radiusd.log" ip netns exec "$SRV_NS" freeradius -X -n radiusd -d "$RADIUS_DIR"
fr_wait_ready "$TT_TMP/radiusd.log" "$TT_LAST_PID" || tt_fail "FreeRADIUS did not start"
POOL_DB=$RADIUS_DIR/ippool.sqlite
leased() { sqlite3 "$POOL_DB" "SELECT COUNT(*) FROM radippool WHERE expiry_time > datetime('now')"; }

# ---- the head-ends: the same IOS config but for the address; no local pool (RADIUS gives every address)
for n in 1 2; do
  cat >"$TT_TMP/hub$n.cfg" <<CFG
hostname hub$n
aaa new-model
aaa authentication login vpnusers group radius
aaa authorization network grouplist local
aaa accounting network vpnacct start-stop group radius
radius-server host 192.0.2.50 auth-port 1812 acct-port 1813 key sharedkey
crypto isakmp policy 10
 encr aes 256
 hash sha
 authentication pre-share
 group 2
crypto isakmp client configuration group vpn3000
 key grouppass123
crypto ipsec transform-set ts esp-aes 256 esp-sha-hmac
crypto dynamic-map dyna 10
 set transform-set ts
crypto map mm client authentication list vpnusers
crypto map mm isakmp authorization list grouplist
crypto map mm client configuration address respond
crypto map mm 5 ipsec-isakmp dynamic dyna
interface FastEthernet0/1
 ip address 192.0.2.$n 255.255.255.0
 crypto map mm
end
CFG
  tt_bg "$TT_TMP/hub$n.log" ip netns exec "${GW_NS[$((n - 1))]}" "$RAVPND" --config "$TT_TMP/hub$n.cfg" --foreground \
    --no-firewall
  HUB_PID[$n]=$TT_LAST_PID
  tt_wait_log "$TT_TMP/hub$n.log" "ravpnd started" 30 "head-end $n" "${HUB_PID[$n]}"
done

# ---- 2 x 10 logins at the same time, tunnels held until every one is up
start=$SECONDS
for n in 1 2; do
  prefix=$([ "$n" = 1 ] && echo a || echo b)
  tt_bg "$TT_TMP/loadgen$n.json" ip netns exec "$TT_CLIENT_NS" "$LOADGEN" --responder "192.0.2.$n" \
    --source "192.0.2.$((100 + (n - 1) * PER_HEADEND))" --addresses "$PER_HEADEND" --clients "$PER_HEADEND" \
    --concurrency "$PER_HEADEND" --mode aggressive --modecfg pull --group vpn3000 --psk grouppass123 \
    --user "$prefix{}" --password pw --hold=8 --rto 2 --retries 5 --max-seconds 120 --json
  LOADGEN_PID[$n]=$TT_LAST_PID
done
deadline=$((SECONDS + 90))
tunnels_up() { cat "$TT_TMP/hub1.log" "$TT_TMP/hub2.log" | grep -c 'tunnel up' || true; }
while (($(tunnels_up) < 2 * PER_HEADEND)); do
  ((SECONDS < deadline)) || { tail -5 "$TT_TMP"/hub*.log >&2; tt_fail "not every tunnel came up within 90 s"; }
  sleep 0.5
done
tt_pass "$((2 * PER_HEADEND)) tunnels up on two head-ends in $((SECONDS - start)) s"

# What each head-end gave, and what the table says.
grep -ho 'address 10\.77\.0\.[0-9]* from the AAA server' "$TT_TMP/hub1.log" "$TT_TMP/hub2.log" | awk '{print $2}' \
  | sort >"$TT_TMP/given.txt"
given=$(wc -l <"$TT_TMP/given.txt")
distinct=$(sort -u "$TT_TMP/given.txt" | wc -l)
((given == 2 * PER_HEADEND && distinct == given)) ||
  { cat "$TT_TMP/given.txt" >&2; tt_fail "$given addresses given, $distinct distinct (want $((2 * PER_HEADEND)))"; }
for n in 1 2; do
  rows=$(sqlite3 "$POOL_DB" "SELECT COUNT(*) FROM radippool WHERE nasipaddress = '192.0.2.$n' AND expiry_time > datetime('now')")
  ((rows == PER_HEADEND)) || tt_fail "the pool table holds $rows leases of head-end $n, not $PER_HEADEND"
done
sqlite3 "$POOL_DB" "SELECT framedipaddress FROM radippool WHERE expiry_time > datetime('now')" | sort >"$TT_TMP/table.txt"
diff -q "$TT_TMP/given.txt" "$TT_TMP/table.txt" >/dev/null ||
  { diff "$TT_TMP/given.txt" "$TT_TMP/table.txt" >&2; tt_fail "the head-ends' addresses are not the table's leases"; }
tt_pass "20 distinct addresses from one sqlippool table, 10 leased to each head-end ($(head -1 "$TT_TMP/given.txt") ...)"

# ---- logout: the loadgens delete their tunnels; the Stops free the addresses
for n in 1 2; do
  for ((i = 0; i < 600; i++)); do kill -0 "${LOADGEN_PID[$n]}" 2>/dev/null || break; sleep 0.2; done
  # The report is the last line (the progress lines go to the same file).
  python3 -c 'import json,sys; r=json.loads(open(sys.argv[1]).read().splitlines()[-1]); sys.exit(0 if r["completed"] == int(sys.argv[2]) else 1)' \
    "$TT_TMP/loadgen$n.json" "$PER_HEADEND" || { cat "$TT_TMP/loadgen$n.json" >&2; tt_fail "loadgen $n: not every login completed"; }
done
deadline=$((SECONDS + 30))
until [ "$(leased)" = 0 ]; do
  ((SECONDS < deadline)) || { sqlite3 "$POOL_DB" 'SELECT * FROM radippool' >&2; tt_fail "$(leased) addresses still leased after logout"; }
  sleep 0.5
done
stops=$(grep -c 'Acct-Status-Type = Stop' "$RADIUS_DIR/detail")
((stops == 2 * PER_HEADEND)) || tt_fail "$stops accounting Stops, not $((2 * PER_HEADEND))"
tt_pass "after logout: $stops Stops, every address free again in the pool table"
for n in 1 2; do kill -0 "${HUB_PID[$n]}" 2>/dev/null || tt_fail "head-end $n exited"; done
