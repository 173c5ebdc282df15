#!/bin/sh
# leftupdown= script of test_libreswan.sh (Libreswan's own _updown.xfrm would rewrite the guest's, i.e. the
# host's, /etc/resolv.conf). Pluto installs the XFRM SAs and policies itself; this only puts the mode-config
# address on the interface towards the gateway and routes the protected network through it, then logs the call.
# $1: the log file. Libreswan sets PLUTO_VERB, PLUTO_MY_SOURCEIP (the mode-config address), PLUTO_PEER_CLIENT
# (the remote subnet) and PLUTO_PEER (the gateway) in the environment.
log=$1
address=${PLUTO_MY_SOURCEIP:-${PLUTO_MY_CLIENT_NET:-}}
dev=$(ip -o route get "$PLUTO_PEER" | sed -n 's/.* dev \([^ ]*\).*/\1/p')
echo "$PLUTO_VERB address=$address peer_client=$PLUTO_PEER_CLIENT dev=$dev" >>"$log"
case "$PLUTO_VERB" in
  up-client)
    ip addr add "$address/32" dev "$dev" 2>/dev/null
    ip route replace "$PLUTO_PEER_CLIENT" via "$PLUTO_PEER" dev "$dev" src "$address"
    ;;
  down-client)
    ip route del "$PLUTO_PEER_CLIENT" 2>/dev/null
    ip addr del "$address/32" dev "$dev" 2>/dev/null
    ;;
esac
exit 0
