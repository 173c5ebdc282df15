#!/bin/bash
# NetlinkKernel's ESP data path, in the kernel lab (this machine's own kernel has no ESP):
#   tests/lab/run-in-lab.sh tests/netlink/lab_xfrm_sa.sh [BUILD_DIR]     (default BUILD_DIR: build-kernel)
# Topology (inside the guest, no network card):
#   gw (the head-end): g-c 192.0.2.1/24, inside 10.21.1.1/24 on a dummy  --veth--  cl (a client): c-g 192.0.2.7/24,
#   its pool address 10.2.1.5/32 on lo.
# For each of DES/MD5 and AES-256/SHA1, without and with UDP encapsulation (RFC 3948, port 4500), all through
# tests/netlink/xfrm_probe (NetlinkKernel): both ends allocate their inbound SPI (ALLOCSPI) and install it with
# UPDSA, the outbound one with NEWSA; gw installs out/in/fwd policies and a route to 10.2.1.5/32 with source
# 10.21.1.1 (cl uses plain `ip`). Then 3 pings 10.2.1.5 -> 10.21.1.1, the kernel's counters of all four SAs
# (XFRM_MSG_GETSA) must show 3 packets each, then everything is deleted through the probe and checked gone
# (second deletes fail, `ip xfrm state/policy` and the route are empty). Last, an SA with soft=2 s and hard=4 s
# lifetimes must produce a soft and a hard XFRM_MSG_EXPIRE through event_fd/read_events.
# Exit 0 only when every check passed; 77 (skip) outside the lab.
set -uo pipefail

if [ "${RAVPN_LAB:-}" != 1 ]; then
  echo "lab_xfrm_sa: not inside the kernel lab; run: tests/lab/run-in-lab.sh $0"
  exit 77
fi
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
build=${1:-$here/../../build-kernel}
probe=$(realpath "$build/tests/netlink/xfrm_probe" 2>/dev/null)
if [ ! -x "$probe" ]; then echo "lab_xfrm_sa: no xfrm_probe under $build (build it first)"; exit 1; fi

failures=0
ok()  { echo "ok   - $*"; }
bad() { echo "FAIL - $*"; failures=$((failures + 1)); }

GW=xs-gw CL=xs-cl
GW_OUT=192.0.2.1 CL_OUT=192.0.2.7 INSIDE=10.21.1.0/24 GW_IN=10.21.1.1 POOL=10.2.1.5
helpers=()
cleanup() {
  for p in "${helpers[@]}"; do kill "$p" 2>/dev/null; done
  for n in $GW $CL; do ip netns del "$n" 2>/dev/null; done
}
trap cleanup EXIT
cleanup

# ---- topology -----------------------------------------------------------------------------------------
for n in $GW $CL; do ip netns add "$n" || { bad "netns add $n"; exit 1; }; done
ip link add g-c netns $GW type veth peer name c-g netns $CL || { bad "veth"; exit 1; }
ip -n $GW -batch - <<EOF || bad "setup $GW"
link set lo up
link set g-c up
address add $GW_OUT/24 dev g-c
link add inside0 type dummy
link set inside0 up
address add $GW_IN/24 dev inside0
EOF
ip -n $CL -batch - <<EOF || bad "setup $CL"
link set lo up
link set c-g up
address add $CL_OUT/24 dev c-g
address add $POOL/32 dev lo
route add $INSIDE dev c-g src $POOL
EOF

probe_in() { local ns=$1; shift; ip netns exec "$ns" "$probe" "$@"; }
spi_of() { sed -n 's/^spi \(0x[0-9a-f]*\)$/\1/p'; }

# ---- one scenario -------------------------------------------------------------------------------------
run_case() { # NAME CIPHER AUTH REQID ENCAP(0/1)
  local name=$1 cipher=$2 auth=$3 reqid=$4 encap=$5
  local opt=""
  echo "# ---- $name"
  if [ "$encap" = 1 ]; then
    opt="encap=4500:4500"
    # inbound ESP-in-UDP reaches XFRM only through a UDP socket with UDP_ENCAP set (RFC 3948)
    # (started directly, not through a function: $! is then the probe itself, which the kill below ends)
    ip netns exec $GW "$probe" encap-socket $GW_OUT 4500 120 & helpers+=($!)
    ip netns exec $CL "$probe" encap-socket $CL_OUT 4500 120 & helpers+=($!)
    sleep 1
  fi

  local spi_gw_in spi_cl_in
  spi_gw_in=$(probe_in $GW allocate $CL_OUT $GW_OUT "$reqid" | spi_of)
  spi_cl_in=$(probe_in $CL allocate $GW_OUT $CL_OUT "$reqid" | spi_of)
  if [ -z "$spi_gw_in" ] || [ -z "$spi_cl_in" ]; then bad "$name: ALLOCSPI"; return; fi
  ok "$name: ALLOCSPI gw-in=$spi_gw_in cl-in=$spi_cl_in"

  local what="$name: gw SAs (UPDSA in, NEWSA out), policies out/in/fwd, route"
  if probe_in $GW - <<EOF; then ok "$what"; else bad "$what"; fi
sa-add $CL_OUT $GW_OUT $spi_gw_in $reqid $cipher $auth $POOL/32 $INSIDE update $opt
sa-add $GW_OUT $CL_OUT $spi_cl_in $reqid $cipher $auth $INSIDE $POOL/32 $opt
! sa-add $GW_OUT $CL_OUT $spi_cl_in $reqid $cipher $auth $INSIDE $POOL/32 $opt
policy-add out $INSIDE $POOL/32 $GW_OUT $CL_OUT $reqid
policy-add in $POOL/32 $INSIDE $CL_OUT $GW_OUT $reqid
policy-add fwd $POOL/32 $INSIDE $CL_OUT $GW_OUT $reqid
! policy-add fwd $POOL/32 $INSIDE $CL_OUT $GW_OUT $reqid
route-add $POOL/32 g-c $GW_IN
! route-add $POOL/32 g-c $GW_IN
EOF
  if probe_in $CL - <<EOF; then ok "$name: client SAs and policies out/in"; else bad "$name: client install"; fi
sa-add $GW_OUT $CL_OUT $spi_cl_in $reqid $cipher $auth $INSIDE $POOL/32 update $opt
sa-add $CL_OUT $GW_OUT $spi_gw_in $reqid $cipher $auth $POOL/32 $INSIDE $opt
policy-add out $POOL/32 $INSIDE $CL_OUT $GW_OUT $reqid
policy-add in $INSIDE $POOL/32 $GW_OUT $CL_OUT $reqid
EOF
  local state
  state=$(ip -n $GW xfrm state)
  if [ "$encap" = 1 ]; then
    grep -q "encap type espinudp sport 4500 dport 4500" <<< "$state" && ok "$name: gw SAs carry UDP encap" ||
      bad "$name: gw SAs without encap: $state"
  else
    grep -q "encap" <<< "$state" && bad "$name: gw SA with encap: $state"
  fi
  grep -q "proto esp spi $spi_gw_in reqid $reqid mode tunnel" <<< "$state" || bad "$name: gw inbound SA not shown"
  ip -n $GW route show proto 76 | grep -q "^$POOL dev g-c scope link src $GW_IN" && ok "$name: route to $POOL" ||
    bad "$name: route: $(ip -n $GW route)"

  if ip netns exec $CL ping -c 3 -i 0.2 -W 5 -I $POOL $GW_IN >/dev/null 2>&1; then
    ok "$name: ping $POOL -> $GW_IN through the tunnel"
  else
    bad "$name: ping $POOL -> $GW_IN"
    ip netns exec $CL ping -c 1 -W 3 -I $POOL $GW_IN
    ip -n $GW -s xfrm state | sed 's/\(enc\|auth-trunc\) \([^ ]*\) .*/\1 \2 (key)/'
  fi

  local line spec
  for spec in "$GW $GW_OUT $spi_gw_in gw-in" "$GW $CL_OUT $spi_cl_in gw-out" \
              "$CL $CL_OUT $spi_cl_in cl-in" "$CL $GW_OUT $spi_gw_in cl-out"; do
    set -- $spec
    line=$(probe_in "$1" counters "$2" "$3")
    echo "  $4: $line"
    if [[ "$line" =~ bytes=([0-9]+)\ packets=([0-9]+)\ add_time=([0-9]+) ]] && [ "${BASH_REMATCH[1]}" -gt 0 ] &&
       [ "${BASH_REMATCH[2]}" = 3 ] && [ "${BASH_REMATCH[3]}" -gt 0 ]; then
      ok "$name: $4 SA $3 counted 3 packets"
    else
      bad "$name: $4 SA $3 counters: $line"
    fi
  done

  if probe_in $GW - <<EOF; then ok "$name: gw deleted all, second deletes fail"; else bad "$name: gw delete"; fi
sa-del $GW_OUT $spi_gw_in
sa-del $CL_OUT $spi_cl_in
policy-del out $INSIDE $POOL/32
policy-del in $POOL/32 $INSIDE
policy-del fwd $POOL/32 $INSIDE
route-del $POOL/32 g-c
! sa-del $GW_OUT $spi_gw_in
! counters $CL_OUT $spi_cl_in
! policy-del fwd $POOL/32 $INSIDE
! route-del $POOL/32 g-c
EOF
  probe_in $CL - <<EOF || bad "$name: client delete"
sa-del $CL_OUT $spi_cl_in
sa-del $GW_OUT $spi_gw_in
policy-del out $POOL/32 $INSIDE
policy-del in $INSIDE $POOL/32
EOF
  local left
  left=$(ip -n $GW xfrm state; ip -n $GW xfrm policy; ip -n $GW route show proto 76
         ip -n $CL xfrm state; ip -n $CL xfrm policy)
  if [ -z "$left" ]; then ok "$name: nothing left in either kernel"; else bad "$name: left behind: $left"; fi

  for p in "${helpers[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
  helpers=()
}

run_case "DES/MD5"                  des    md5  11 0
run_case "AES-256/SHA1"             aes256 sha1 12 0
run_case "DES/MD5 in UDP 4500"      des    md5  13 1
run_case "AES-256/SHA1 in UDP 4500" aes256 sha1 14 1

# ---- expire events ------------------------------------------------------------------------------------
echo "# ---- expire events"
what="soft and hard XFRM_MSG_EXPIRE through event_fd/read_events"
if probe_in $GW - <<EOF; then ok "$what"; else bad "$what"; fi
sa-add $CL_OUT $GW_OUT 0x7001 21 aes128 sha256 $POOL/32 $INSIDE soft=2 hard=4
wait-expire $GW_OUT 0x7001 30
! sa-del $GW_OUT 0x7001
EOF

echo
if [ "$failures" = 0 ]; then echo "lab_xfrm_sa: all checks passed"; exit 0; fi
echo "lab_xfrm_sa: $failures check(s) failed"
exit 1
