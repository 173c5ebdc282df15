#!/usr/bin/env bash
# In the kernel lab: split tunnelling from each ACL form the importers read. vpnc (group vpn3000, Xauth john/doe)
# connects four times, once per head-end config whose group names its split-tunnel ACL written as
#   1. PIX 6.3   `access-list 90 permit ip 10.21.1.0 255.255.255.0 any`            (netmasks)
#   2. IOS       `access-list 150 permit ip 10.21.1.0 0.0.0.255 any`               (extended, wildcards)
#   3. IOS       `access-list 10 permit 10.21.1.0 0.0.0.255`                        (standard, source only)
#   4. IOS       `ip access-list extended SPLIT` / ` permit ip 10.21.1.0 0.0.0.255 any` (named; + include-local-lan)
# each with a second line for the host 10.22.0.9 and a deny line that must not be sent. Checked per form: the
# environment vpnc gives its script (CISCO_SPLIT_INC, CISCO_SPLIT_INC_<n>_ADDR/_MASK/_MASKLEN) carries exactly those
# two networks and masks, the client routes exactly those into the tunnel (vpnc-script-lab.sh in split mode), and
# both split destinations answer a ping through ESP. Form 4 also has include-local-lan, which must change nothing for
# vpnc: Debian's vpnc 0.5.3 does not ask for Unity LOCAL_LAN (28678) and is not sent it (the unit tests check the
# attribute for clients that ask).
set -euo pipefail
. "$(dirname "$0")/../tools/lib.sh"
. "$(dirname "$0")/lib-lab.sh"
lab_require_esp

tt_init
tt_require_tools python3 ping
tt_require_ravpnd
tt_topology inside
# The second split destination: a host address on the inside machine, routed there by the gateway.
SPLIT_HOST=10.22.0.9
tt_in_inside ip addr add "$SPLIT_HOST/32" dev lo
tt_in_gw ip route add "$SPLIT_HOST/32" via "$TT_INSIDE_HOST_ADDR"

# ios_with_split OUT GROUP_LINES ACL_LINES: ios-easyvpn.cfg with lines added to group vpn3000 and ACL lines.
ios_with_split() {
  python3 - "$SRCDIR/tests/config/fixtures/ios-easyvpn.cfg" "$1" "$2" "$3" <<'PY'
import sys
src, out, group, acl = sys.argv[1:5]
text = open(src).read()
text = text.replace(" pool ourpool\n", " pool ourpool\n" + group.replace("|", "\n"), 1)
text = text.replace("access-list 101 deny", acl.replace("|", "\n") + "access-list 101 deny", 1)
open(out, "w").write(text)
PY
}

cat >"$TT_TMP/pix.cfg" <<EOF2
PIX Version 6.3(3)
nameif ethernet0 outside security0
nameif ethernet1 inside security100
hostname pix
access-list 90 permit ip 10.21.1.0 255.255.255.0 any
access-list 90 permit ip host $SPLIT_HOST any
access-list 90 deny ip 10.23.0.0 255.255.0.0 any
access-list 101 permit ip 10.21.1.0 255.255.255.0 10.2.1.0 255.255.255.0
access-list 101 permit ip host $SPLIT_HOST 10.2.1.0 255.255.255.0
ip address outside $TT_GW_ADDR 255.255.255.0
ip address inside $TT_GW_INSIDE_ADDR 255.255.255.0
ip local pool ourpool 10.2.1.1-10.2.1.254
nat (inside) 0 access-list 101
route inside 10.22.0.0 255.255.0.0 $TT_INSIDE_HOST_ADDR 1
username john password doe
sysopt connection permit-ipsec
crypto ipsec transform-set myset esp-des esp-md5-hmac
crypto dynamic-map dynmap 10 set transform-set myset
crypto map mymap 10 ipsec-isakmp dynamic dynmap
crypto map mymap client configuration address respond
crypto map mymap client authentication LOCAL
crypto map mymap interface outside
isakmp enable outside
isakmp key cisco1234 address 0.0.0.0 netmask 0.0.0.0
isakmp identity address
isakmp policy 10 authentication pre-share
isakmp policy 10 encryption 3des
isakmp policy 10 hash md5
isakmp policy 10 group 2
isakmp policy 10 lifetime 86400
vpngroup vpn3000 address-pool ourpool
vpngroup vpn3000 split-tunnel 90
vpngroup vpn3000 password grouppass123
EOF2
ios_with_split "$TT_TMP/ios-extended.cfg" " acl 150|" \
  "access-list 150 permit ip 10.21.1.0 0.0.0.255 any|access-list 150 permit ip host $SPLIT_HOST any|access-list 150 deny ip 10.23.0.0 0.0.255.255 any|"
ios_with_split "$TT_TMP/ios-standard.cfg" " acl 10|" \
  "access-list 10 permit 10.21.1.0 0.0.0.255|access-list 10 permit $SPLIT_HOST|access-list 10 deny 10.23.0.0 0.0.255.255|"
ios_with_split "$TT_TMP/ios-named.cfg" " acl SPLIT| include-local-lan|" \
  "ip access-list extended SPLIT| permit ip 10.21.1.0 0.0.0.255 any| permit ip host $SPLIT_HOST any| deny ip 10.23.0.0 0.0.255.255 any|!|"

expected_split="CISCO_SPLIT_INC=2
CISCO_SPLIT_INC_0_ADDR=10.21.1.0
CISCO_SPLIT_INC_0_MASK=255.255.255.0
CISCO_SPLIT_INC_0_MASKLEN=24
CISCO_SPLIT_INC_1_ADDR=$SPLIT_HOST
CISCO_SPLIT_INC_1_MASK=255.255.255.255
CISCO_SPLIT_INC_1_MASKLEN=32"

# one_form NAME CONFIG: ravpnd on CONFIG, vpnc connects, the checks above, vpnc and ravpnd stop.
one_form() {
  local name=$1 config=$2 script_log address tundev
  tt_log "---- $name"
  RAVPN_CONFIG=$config tt_start_ravpnd
  VPNC_LAB_ROUTES=split VPNC_SCRIPT=$SRCDIR/tests/lab/vpnc-script-lab.sh tt_start_vpnc "vpnc-$name" grouppass123
  script_log=$TT_TMP/vpnc-$name-script.out
  tt_wait_log "$TT_RAVPND_LOG" "tunnel up" 40 "$name: quick mode and kernel SAs" "$TT_RAVPND_PID"
  tt_wait_log "$script_log" "configured" 20 "$name: vpnc configured its tunnel device" "$TT_VPNC_PID"
  read -r _ tundev address < <(grep '^configured' "$script_log" | tail -1)
  [[ $address =~ ^10\.2\.1\.[0-9]+$ ]] || tt_fail "$name: no pool address in the vpnc script log"

  local got
  got=$(sed -n 's/^split \(CISCO_SPLIT_INC[^ ]*\)/\1/p' "$script_log" | grep -v '_PROTOCOL=\|_SPORT=\|_DPORT=' | sort)
  if [ "$got" != "$(sort <<<"$expected_split")" ]; then
    printf 'expected:\n%s\ngot:\n%s\n' "$expected_split" "$got" >&2
    tt_fail "$name: vpnc's split include environment"
  fi
  tt_pass "$name: CISCO_SPLIT_INC = 10.21.1.0/255.255.255.0 (24), $SPLIT_HOST/255.255.255.255 (32)"

  local routes
  routes=$(tt_in_client ip -4 route show dev "$tundev" | awk '{print $1}' | sort | tr '\n' ' ')
  [ "$routes" = "10.21.1.0/24 $SPLIT_HOST " ] || tt_fail "$name: routes into $tundev are '$routes'"
  tt_in_client ip route get 10.23.0.1 2>&1 | grep -q "dev $tundev" && tt_fail "$name: 10.23.0.1 (denied) goes into the tunnel"
  local dst
  for dst in "$TT_INSIDE_HOST_ADDR" "$SPLIT_HOST"; do
    tt_in_client ping -c 2 -i 0.3 -W 2 -I "$address" "$dst" >"$TT_TMP/ping-$name.log" 2>&1 \
      || { cat "$TT_TMP/ping-$name.log" >&2; tt_fail "$name: ping $address -> $dst through the tunnel"; }
  done
  tt_pass "$name: only the split networks route into $tundev; $TT_INSIDE_HOST_ADDR and $SPLIT_HOST answer through ESP"

  tt_disconnect_vpnc_and_check_clean
  tt_expect_ravpnd_alive
  tt_stop_ravpnd
}

one_form pix "$TT_TMP/pix.cfg"
one_form ios-extended "$TT_TMP/ios-extended.cfg"
one_form ios-standard "$TT_TMP/ios-standard.cfg"
one_form ios-named "$TT_TMP/ios-named.cfg"
tt_pass "split include from PIX, IOS extended, IOS standard and IOS named ACLs"
