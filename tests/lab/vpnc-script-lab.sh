#!/bin/sh
# vpnc-script for the lab: configures the tunnel device inside the client namespace only (Debian's vpnc-script would
# rewrite /etc/resolv.conf, which in the lab is the host's file). Routes VPNC_LAB_ROUTES (blank-separated networks,
# default the IOS seed's inside network 10.21.1.0/24) through it; VPNC_LAB_ROUTES=split routes the networks the
# head-end sent as split include (CISCO_SPLIT_INC_<n>_ADDR/_MASKLEN), as Debian's vpnc-script does. The split
# variables are logged one per line ("split CISCO_SPLIT_INC_0_ADDR=...").
set -e
log=${VPNC_SCRIPT_LOG:-/dev/null}
echo "reason=$reason TUNDEV=$TUNDEV INTERNAL_IP4_ADDRESS=$INTERNAL_IP4_ADDRESS INTERNAL_IP4_DNS=$INTERNAL_IP4_DNS CISCO_DEF_DOMAIN=$CISCO_DEF_DOMAIN CISCO_BANNER=$CISCO_BANNER" >>"$log"
case "$reason" in
  pre-init) ;;
  connect)
    env | grep '^CISCO_SPLIT_' | sort | sed 's/^/split /' >>"$log" || true
    ip link set dev "$TUNDEV" up mtu 1400
    ip addr add "$INTERNAL_IP4_ADDRESS/32" dev "$TUNDEV"
    routes=${VPNC_LAB_ROUTES:-10.21.1.0/24}
    if [ "$routes" = split ]; then
      routes=
      i=0
      while [ "$i" -lt "${CISCO_SPLIT_INC:-0}" ]; do
        eval "routes=\"\$routes \$CISCO_SPLIT_INC_${i}_ADDR/\$CISCO_SPLIT_INC_${i}_MASKLEN\""
        i=$((i + 1))
      done
    fi
    for net in $routes; do
      ip route replace "$net" dev "$TUNDEV" src "$INTERNAL_IP4_ADDRESS"
    done
    echo "configured $TUNDEV $INTERNAL_IP4_ADDRESS" >>"$log"
    ;;
  disconnect)
    ip link set dev "$TUNDEV" down 2>/dev/null || true
    ;;
esac
exit 0
