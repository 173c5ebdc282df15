#!/bin/sh
# vpnc-script for the lab: configures the tunnel device inside the client namespace only (Debian's vpnc-script would
# rewrite /etc/resolv.conf, which in the lab is the host's file). Routes the inside network and the pool through it.
set -e
log=${VPNC_SCRIPT_LOG:-/dev/null}
echo "reason=$reason TUNDEV=$TUNDEV INTERNAL_IP4_ADDRESS=$INTERNAL_IP4_ADDRESS INTERNAL_IP4_DNS=$INTERNAL_IP4_DNS CISCO_DEF_DOMAIN=$CISCO_DEF_DOMAIN CISCO_BANNER=$CISCO_BANNER" >>"$log"
case "$reason" in
  pre-init) ;;
  connect)
    ip link set dev "$TUNDEV" up mtu 1400
    ip addr add "$INTERNAL_IP4_ADDRESS/32" dev "$TUNDEV"
    ip route replace 10.21.1.0/24 dev "$TUNDEV" src "$INTERNAL_IP4_ADDRESS"
    echo "configured $TUNDEV $INTERNAL_IP4_ADDRESS" >>"$log"
    ;;
  disconnect)
    ip link set dev "$TUNDEV" down 2>/dev/null || true
    ;;
esac
exit 0
