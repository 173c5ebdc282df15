#!/usr/bin/env bash
# In the kernel lab: the seed PIX 6.3(3) config as the head-end (tests/config/fixtures/pix-seed-radius.cfg: the seed
# with documentation addresses outside and the seed's own alternative `aaa-server AuthInbound protocol radius`;
# masked keys from pix-seed.secrets). The network is the seed's (lib-lab.sh pix_topology), FreeRADIUS plays the
# AuthInbound server 10.89.129.134. Checked, as issue 4 asks:
#   - a config with an error is refused with file:line and leaves the kernel alone;
#   - NAT and filtering: inside -> internet leaves as a `global` address; the internet reaches the `static` web
#     server on its mapped address, and not an inside host directly; the web server goes out as its static address;
#   - vpnc (group vpn3000, user john) and strongSwan (main mode, VPN Client 1.1 style, user jane, address pushed) get
#     pool addresses inside the inside subnet (proxy ARP) and reach the web server, which sees the pool address;
#   - reload (ravpnctl reload) with a narrower access-list keeps both tunnels and changes the filtering; a reload
#     with an error changes nothing; stopping ravpnd removes its table, proxy ARP entries and mapped addresses.
set -euo pipefail
. "$(dirname "$0")/../tools/lib.sh"
. "$(dirname "$0")/lib-lab.sh"
lab_require_esp

FIXTURES=$SRCDIR/tests/config/fixtures
RAVPNCTL=$(dirname "$RAVPND")/ravpnctl
POOL_RE='10\.89\.129\.20[0-4]'
GLOBAL_RE='192\.0\.2\.([6-9]|10)'
export RAVPN_SECRETS=$FIXTURES/pix-seed.secrets TT_POOL_NAME=VPNpool

tt_init
# ravpnd reloads the file it was started with: give it a copy the test can change.
cp "$FIXTURES/pix-seed-radius.cfg" "$TT_TMP/pix.cfg"
export RAVPN_CONFIG=$TT_TMP/pix.cfg
tt_require_tools nft python3 ping
tt_require_ravpnd
pix_topology
lab_start_freeradius "$SRV_NS" "$PIX_RADIUS" 1645 10.89.129.194 secretkey john:doe jane:secret2
lab_echo_server "$SRV_NS" "$PIX_WEB" 80 8080
lab_echo_server "$SRV_NS" "$PIX_HOST" 80
lab_echo_server "$NET_NS" "$PIX_INTERNET" 8080

gw_state() { { tt_in_gw nft list ruleset; tt_in_gw ip neigh show proxy; tt_in_gw ip route show table local proto 76; } 2>&1; }

# ---- a config with an error: refused with file:line, nothing in the kernel
broken=$TT_TMP/pix-broken.cfg
sed 's/^crypto dynamic-map dynmap 10 set transform-set myset$/crypto dynamic-map dynmap 10 set transform-set nosuchset/' \
  "$RAVPN_CONFIG" >"$broken"
line=$(grep -n 'nosuchset' "$broken" | cut -d: -f1)
if tt_in_gw "$RAVPND" --config "$broken" --secrets "$RAVPN_SECRETS" --foreground >"$TT_TMP/broken.log" 2>&1; then
  tt_fail "ravpnd started on a config naming a missing transform set"
fi
tt_expect_grep "$TT_TMP/broken.log" "pix-broken\.cfg:$line: .*nosuchset" "the error names the file and line"
[ -z "$(tt_in_gw nft list ruleset)" ] || tt_fail "a refused config left nftables rules"
[ -z "$(tt_in_gw ip xfrm policy)" ] || tt_fail "a refused config left XFRM policies"
tt_pass "a config with an error is refused with pix-broken.cfg:$line and the kernel is untouched"

# ---- the seed config
tt_start_ravpnd
tt_in_gw nft list table ip ravpn >"$TT_TMP/ruleset.nft" || tt_fail "no nftables table ip ravpn"
tt_pass "ravpnd applied table ip ravpn ($(grep -c . "$TT_TMP/ruleset.nft") lines)"

# NAT and filtering without any tunnel.
lab_expect_seen_as "nat 1 / global 1" "$SRV_NS" "$PIX_HOST" "$PIX_INTERNET" 8080 "$GLOBAL_RE"
lab_expect_seen_as "static, outbound" "$SRV_NS" "$PIX_WEB" "$PIX_INTERNET" 8080 '192\.0\.2\.11'
lab_expect_seen_as "static + access-list 120" "$NET_NS" "" 192.0.2.11 80 "${PIX_INTERNET//./\\.}"
lab_expect_refused "no static for the inside host" "$NET_NS" "" "$PIX_HOST" 80

# ---- vpnc: aggressive mode, group vpn3000, Xauth john/doe checked by RADIUS
export VPNC_LAB_ROUTES=10.89.129.128/25
VPNC_SCRIPT=$LAB_DIR/vpnc-script-lab.sh tt_start_vpnc vpnc grouppass123
tt_wait_log "$TT_RAVPND_LOG" "Xauth user 'john' authenticated" 40 "Xauth via RADIUS" "$TT_RAVPND_PID"
tt_wait_log "$TT_RAVPND_LOG" "tunnel up" 40 "vpnc tunnel" "$TT_RAVPND_PID"
tt_wait_log "$TT_TMP/vpnc-script.out" "configured" 20 "vpnc configured its tunnel device" "$TT_VPNC_PID"
vpnc_address=$(sed -n 's/.*configured [^ ]* \(10\.89\.129\.[0-9]*\).*/\1/p' "$TT_TMP/vpnc-script.out" | tail -1)
[[ $vpnc_address =~ ^$POOL_RE$ ]] || tt_fail "vpnc got '$vpnc_address', not a VPNpool address"
lab_expect_seen_as "vpnc through the tunnel (nat 0 access-list 101)" "$TT_CLIENT_NS" "$vpnc_address" "$PIX_WEB" 80 \
  "${vpnc_address//./\\.}"

# ---- strongSwan: main mode, wildcard key, Xauth, address pushed (crypto map client configuration address initiate)
lab_start_charon_push "$SS_NS" "$PIX_STRONGSWAN" "$PIX_GW" cisco1234 jane secret2 10.89.129.128/25
swanctl --initiate --child inside --timeout 90 >"$TT_TMP/swanctl-initiate.log" 2>&1 ||
  { cat "$TT_TMP/swanctl-initiate.log" >&2; tt_fail "swanctl --initiate"; }
ss_address=$(ip -n "$SS_NS" -4 -o addr show dev "$SS_IF" | awk '{print $4}' | grep -Eo "^$POOL_RE" | head -1 || true)
[ -n "$ss_address" ] || { ip -n "$SS_NS" addr >&2; tt_fail "strongSwan has no VPNpool address"; }
[ "$ss_address" != "$vpnc_address" ] || tt_fail "both clients got $ss_address"
lab_expect_seen_as "strongSwan through the tunnel" "$SS_NS" "$ss_address" "$PIX_WEB" 80 "${ss_address//./\\.}"
tt_in_gw ip neigh show proxy >"$TT_TMP/proxy.txt"
grep -q "$vpnc_address dev $TT_GW_INSIDE_IF" "$TT_TMP/proxy.txt" || { cat "$TT_TMP/proxy.txt" >&2; tt_fail "no proxy ARP for $vpnc_address"; }
tt_pass "the router reached both pool addresses in its own subnet through proxy ARP"

"$RAVPNCTL" users | tee "$TT_TMP/users.txt" >&2
grep -q "john.*$vpnc_address" "$TT_TMP/users.txt" && grep -q "jane.*$ss_address" "$TT_TMP/users.txt" ||
  tt_fail "ravpnctl users should list john on $vpnc_address and jane on $ss_address"

# ---- reload: a narrower access-list 120 (the web server's port 80 only) keeps the tunnels and takes effect
sed -i -e '/^access-list 120 /d' \
  -e 's/^access-group 120 in interface outside$/access-list 120 permit tcp any host 10.89.129.131 eq www\n&/' \
  "$RAVPN_CONFIG"
grep -q 'eq www' "$RAVPN_CONFIG" || tt_fail "could not write the narrower config"
"$RAVPNCTL" --json reload | tee "$TT_TMP/reload.json" >&2
python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); sys.exit(0 if r["ok"] and r["dropped"] == 0 and r["kept"] == 2 else 1)' \
  "$TT_TMP/reload.json" || tt_fail "reload should keep both tunnels"
lab_expect_seen_as "after reload: port 80 still permitted" "$NET_NS" "" 192.0.2.11 80 "${PIX_INTERNET//./\\.}"
lab_expect_refused "after reload: port 8080 no longer permitted" "$NET_NS" "" 192.0.2.11 8080
lab_expect_seen_as "after reload: vpnc tunnel still up" "$TT_CLIENT_NS" "$vpnc_address" "$PIX_WEB" 8080 \
  "${vpnc_address//./\\.}"
lab_expect_seen_as "after reload: strongSwan tunnel still up" "$SS_NS" "$ss_address" "$PIX_WEB" 8080 \
  "${ss_address//./\\.}"

# ---- a reload with an error changes nothing
before=$(gw_state)
printf 'crypto map mymap client authentication NoSuchTag\n' >>"$RAVPN_CONFIG"
if "$RAVPNCTL" reload >"$TT_TMP/bad-reload.txt" 2>&1; then tt_fail "a reload with an error was accepted"; fi
cat "$TT_TMP/bad-reload.txt" >&2
tt_expect_grep "$TT_RAVPND_LOG" "pix\.cfg:[0-9]+: .*NoSuchTag" "the reload error names the file and line"
[ "$(gw_state)" = "$before" ] || tt_fail "a refused reload changed the kernel state"
tt_pass "a reload with an error is refused and changes nothing"

# ---- clients leave, then ravpnd stops and takes its table, proxy ARP entries and mapped addresses along
swanctl --terminate --ike ravpn --timeout 30 >"$TT_TMP/swanctl-terminate.log" 2>&1 || tt_fail "swanctl --terminate"
tt_stop_pid "$CHARON_PID" 5
tt_disconnect_vpnc_and_check_clean
tt_stop_ravpnd
[ -z "$(gw_state)" ] || { gw_state >&2; tt_fail "ravpnd left nftables rules, proxy ARP entries or local routes"; }
tt_pass "after stop: no ravpn table, no proxy ARP entries, no mapped addresses"
