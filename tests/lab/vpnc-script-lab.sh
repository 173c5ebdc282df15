#!/bin/sh
# vpnc-script for the lab: configures the tunnel device inside the client namespace only (Debian's vpnc-script would
# rewrite /etc/resolv.conf, which in the lab is the host's file). Routes VPNC_LAB_ROUTES (blank-separated networks,
# default the IOS seed's inside network 10.21.1.0/24) through it.
set -e
log=${VPNC_SCRIPT_LOG:-/dev/null}
echo "reason=$reason TUNDEV=$TUNDEV INTERNAL_IP4_ADDRESS=$INTERNAL_IP4_ADDRESS INTERNAL_IP4_DNS=$INTERNAL_IP4_DNS CISCO_DEF_DOMAIN=$CISCO_DEF_DOMAIN CISCO_BANNER=$CISCO_BANNER" >>"$log"
case "$reason" in
  pre-init) ;;
  connect)
    ip link set dev "$TUNDEV" up mtu 1400
    ip addr add "$INTERNAL_IP4_ADDRESS/32" dev "$TUNDEV"
    for net in ${VPNC_LAB_ROUTES:-10.21.1.0/24}; do
      ip route replace "$net" dev "$TUNDEV" src "$INTERNAL_IP4_ADDRESS"
    done
    echo "configured $TUNDEV $INTERNAL_IP4_ADDRESS" >>"$log"
    ;;
  disconnect)
    ip link set dev "$TUNDEV" down 2>/dev/null || true
    ;;
esac
exit 0
