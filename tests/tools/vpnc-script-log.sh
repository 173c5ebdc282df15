#!/bin/sh
# Stand-in for vpnc-script in the acceptance tests: records each call (reason and the
# variables vpnc passes) to $VPNC_SCRIPT_LOG and changes nothing on the system.
log=${VPNC_SCRIPT_LOG:-/dev/null}
{
    echo "reason=$reason"
    env | grep -E '^(VPNGATEWAY|TUNDEV|INTERNAL_IP4_|CISCO_|IPSEC_)' | sort
    echo "--"
} >>"$log"
exit 0
