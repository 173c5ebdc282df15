# shellcheck shell=bash
# Helpers of the lab tests beyond tests/tools/lib.sh (source that first): the PIX seed's network, strongSwan's
# charon daemon in push mode, FreeRADIUS, and the TCP "who do you see" checks of the NAT tests (echo_peer.py).
LAB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CHARON=${CHARON:-/usr/lib/ipsec/charon}

# ---------------------------------------------------------------- a second client on the IOS seed's outside LAN
# lab_second_client NS ADDRESS: after tt_topology, a client host NS with ADDRESS/24 on the gateway's outside segment
# (the gateway's outside address moves onto a bridge).
lab_second_client() {
    local ns=$1 addr=$2
    tt_netns_add "$ns"
    tt_in_gw ip link add br0 type bridge
    tt_in_gw ip addr del "$TT_GW_ADDR/24" dev "$TT_GW_IF"
    tt_in_gw ip link set "$TT_GW_IF" master br0
    tt_in_gw ip addr add "$TT_GW_ADDR/24" dev br0
    tt_in_gw ip link set br0 up
    ip link add "rv${TT_ID}d" netns "$ns" type veth peer name "rv${TT_ID}e" netns "$TT_GW_NS"
    tt_in_gw ip link set "rv${TT_ID}e" master br0
    tt_in_gw ip link set "rv${TT_ID}e" up
    ip -n "$ns" addr add "$addr/24" dev "rv${TT_ID}d"
    ip -n "$ns" link set "rv${TT_ID}d" up
    for _ in $(seq 50); do ip netns exec "$ns" ping -c1 -W1 "$TT_GW_ADDR" >/dev/null 2>&1 && break; sleep 0.2; done
}

# lab_connect_vpnc NAME NS USER PASSWORD: vpnc (group vpn3000) in NS until its tunnel is configured; sets
# LAB_VPNC_PID and LAB_VPNC_ADDR (the pool address it got).
lab_connect_vpnc() {
    local name=$1 ns=$2 user=$3 password=$4 save_ns=$TT_CLIENT_NS
    TT_CLIENT_NS=$ns VPNC_USER=$user VPNC_PASSWORD=$password tt_start_vpnc "$name" grouppass123
    TT_CLIENT_NS=$save_ns
    LAB_VPNC_PID=$TT_VPNC_PID
    tt_wait_log "$TT_TMP/$name-script.out" "configured" 60 "$name's tunnel" "$LAB_VPNC_PID"
    LAB_VPNC_ADDR=$(sed -n 's/.*configured [^ ]* \(10\.2\.1\.[0-9]*\).*/\1/p' "$TT_TMP/$name-script.out" | tail -1)
}

# ---------------------------------------------------------------- the PIX seed's network
# Addresses as in tests/config/fixtures/pix-seed*.cfg (outside moved to 192.0.2.0/24):
#
#   vpnc client   192.0.2.5   --+
#   strongSwan    192.0.2.20  --+-- outside LAN (bridge) -- 192.0.2.1 [ravpnd] 10.89.129.194/28 --
#   internet host 192.0.2.100 --+      -- 10.89.129.193/28 [router] 10.89.129.129/28 --
#                                      -- servers: web 10.89.129.131, host 10.89.129.132, RADIUS 10.89.129.134
#
# The pool 10.89.129.200-204 lies in the gateway's inside /28: the router reaches clients by ARP, which ravpnd's
# proxy ARP answers. Sets TT_CLIENT_NS/TT_GW_NS (vpnc and ravpnd, as lib.sh expects), SS_NS, NET_NS, RT_NS, SRV_NS.
PIX_GW=192.0.2.1
PIX_VPNC=192.0.2.5
PIX_STRONGSWAN=192.0.2.20
PIX_INTERNET=192.0.2.100
PIX_WEB=10.89.129.131
PIX_HOST=10.89.129.132
PIX_RADIUS=10.89.129.134

# pix_outside_port NS IFNAME ADDRESS: a veth from NS into the outside bridge.
pix_outside_port() {
    local ns=$1 ifname=$2 address=$3
    ip link add "$ifname" netns "$ns" type veth peer name "s$ifname" netns "$PIX_SW_NS"
    ip -n "$PIX_SW_NS" link set "s$ifname" master br0 up
    ip -n "$ns" addr add "$address/24" dev "$ifname"
    ip -n "$ns" link set "$ifname" up
}

# pix_link NS1 IF1 ADDR1/LEN NS2 IF2 ADDR2/LEN
pix_link() {
    ip link add "$2" netns "$1" type veth peer name "$5" netns "$4"
    ip -n "$1" addr add "$3" dev "$2"
    ip -n "$4" addr add "$6" dev "$5"
    ip -n "$1" link set "$2" up
    ip -n "$4" link set "$5" up
}

pix_topology() {
    TT_GW_ADDR=$PIX_GW
    TT_CLIENT_ADDR=$PIX_VPNC
    TT_CLIENT_NS=ravpn-cli-$TT_ID
    TT_GW_NS=ravpn-gw-$TT_ID
    SS_NS=ravpn-ss-$TT_ID
    NET_NS=ravpn-net-$TT_ID
    RT_NS=ravpn-rt-$TT_ID
    SRV_NS=ravpn-srv-$TT_ID
    PIX_SW_NS=ravpn-sw-$TT_ID
    local ns
    for ns in "$PIX_SW_NS" "$TT_CLIENT_NS" "$TT_GW_NS" "$SS_NS" "$NET_NS" "$RT_NS" "$SRV_NS"; do tt_netns_add "$ns"; done
    ip -n "$PIX_SW_NS" link add br0 type bridge
    ip -n "$PIX_SW_NS" link set br0 up
    TT_GW_IF=rv${TT_ID}g
    TT_CLIENT_IF=rv${TT_ID}c
    SS_IF=rv${TT_ID}s
    pix_outside_port "$TT_GW_NS" "$TT_GW_IF" "$PIX_GW"
    pix_outside_port "$TT_CLIENT_NS" "$TT_CLIENT_IF" "$PIX_VPNC"
    pix_outside_port "$SS_NS" "$SS_IF" "$PIX_STRONGSWAN"
    pix_outside_port "$NET_NS" "rv${TT_ID}n" "$PIX_INTERNET"
    TT_GW_INSIDE_IF=rv${TT_ID}i
    pix_link "$TT_GW_NS" "$TT_GW_INSIDE_IF" 10.89.129.194/28 "$RT_NS" "rv${TT_ID}r" 10.89.129.193/28
    pix_link "$RT_NS" "rv${TT_ID}a" 10.89.129.129/28 "$SRV_NS" "rv${TT_ID}b" "$PIX_WEB/28"
    ip -n "$SRV_NS" addr add "$PIX_HOST/28" dev "rv${TT_ID}b"
    ip -n "$SRV_NS" addr add "$PIX_RADIUS/28" dev "rv${TT_ID}b"
    ip -n "$SRV_NS" route add default via 10.89.129.129
    ip -n "$RT_NS" route add default via 10.89.129.194
    # The config's `route inside 10.89.129.128 255.255.255.128 10.89.129.193`: routes are the host's business.
    ip -n "$TT_GW_NS" route add 10.89.129.128/25 via 10.89.129.193
    # A host on the internet that tries the inside network directly (the PIX must refuse it).
    ip -n "$NET_NS" route add 10.89.129.128/25 via "$PIX_GW"
    ip netns exec "$RT_NS" sysctl -qw net.ipv4.ip_forward=1
    ip netns exec "$TT_GW_NS" sysctl -qw net.ipv4.ip_forward=1
    local i
    for ((i = 0; i < 50; i++)); do
        ip netns exec "$TT_CLIENT_NS" ping -c1 -W1 "$PIX_GW" >/dev/null 2>&1 &&
            ip netns exec "$SRV_NS" ping -c1 -W1 10.89.129.194 >/dev/null 2>&1 && return 0
        sleep 0.2
    done
    tt_fail "pix topology: the gateway does not answer on both sides"
}

# ---------------------------------------------------------------- TCP checks (echo_peer.py)

# lab_echo_server NS ADDRESS PORT...: answers every connection with the source address it saw.
lab_echo_server() {
    local ns=$1 address=$2
    shift 2
    tt_bg "$TT_TMP/echo-$address.log" ip netns exec "$ns" python3 -u "$LAB_DIR/echo_peer.py" "$address" "$@"
    tt_wait_log "$TT_TMP/echo-$address.log" "listening on ${address//./\\.}:$1" 20 "echo server $address"
}

# lab_seen_as NS SOURCE DESTINATION PORT: prints the source address the server saw; empty when no connection.
lab_seen_as() {
    ip netns exec "$1" python3 "$LAB_DIR/echo_peer.py" --ask "$2" "$3" "$4" 2>>"$TT_TMP/asks.log" || true
}

# lab_expect_seen_as WHAT NS SOURCE DESTINATION PORT ERE: the connection works and the server saw a source matching ERE.
lab_expect_seen_as() {
    local what=$1 seen
    seen=$(lab_seen_as "$2" "$3" "$4" "$5")
    [ -n "$seen" ] || tt_fail "$what: ${3:-$2} -> $4:$5 got no answer"
    [[ $seen =~ ^$6$ ]] || tt_fail "$what: ${3:-$2} -> $4:$5: the server saw $seen, expected /$6/"
    tt_pass "$what: ${3:-$2} -> $4:$5, the server saw $seen"
}

# lab_expect_refused WHAT NS SOURCE DESTINATION PORT
lab_expect_refused() {
    local seen
    seen=$(lab_seen_as "$2" "$3" "$4" "$5")
    [ -z "$seen" ] || tt_fail "$1: ${3:-$2} -> $4:$5 was let through (the server saw $seen)"
    tt_pass "$1: ${3:-$2} -> $4:$5 refused"
}

# ---------------------------------------------------------------- strongSwan, push mode (Cisco VPN Client 1.1)

# lab_start_charon_push NS CLIENT GATEWAY PSK USER PASSWORD REMOTE_TS: a charon daemon in NS with a vici socket on
# the guest's tmpfs, connection 'ravpn' (child 'inside') loaded with swanctl; SWANCTL_DIR/STRONGSWAN_CONF exported
# for later swanctl calls; CHARON_PID, CHARON_LOG set. Skips when strongSwan's pieces are missing.
lab_start_charon_push() {
    local ns=$1 client=$2 gateway=$3 psk=$4 user=$5 password=$6 remote_ts=$7 plugin i
    tt_require_tools swanctl setsid stdbuf
    [ -x "$CHARON" ] || skip "strongSwan's charon daemon is not installed at $CHARON (strongswan-charon)"
    for plugin in openssl kernel-netlink vici xauth-generic; do
        [ -e "/usr/lib/ipsec/plugins/libstrongswan-$plugin.so" ] ||
            skip "strongSwan plugin $plugin is not installed (xauth-generic: libcharon-extauth-plugins)"
    done
    local run=$TT_TMP/charon-run dir=$TT_TMP/swanctl
    mkdir -p "$run" "$dir"
    # The credential directories swanctl --load-all reads (empty: PSK and Xauth secrets are in swanctl.conf).
    mkdir -p "$dir"/{x509,x509ca,x509ocsp,x509aa,x509ac,x509crl,pubkey,private,rsa,ecdsa,bliss,pkcs8,pkcs12}
    export STRONGSWAN_CONF=$TT_TMP/strongswan.conf SWANCTL_DIR=$dir
    CHARON_LOG=$TT_TMP/charon.log
    tt_fill_template "$LAB_DIR/strongswan-push.conf.in" "$STRONGSWAN_CONF" RUNDIR="$run" LOGFILE="$CHARON_LOG"
    tt_fill_template "$LAB_DIR/swanctl-push.conf.in" "$dir/swanctl.conf" \
        CLIENT="$client" GATEWAY="$gateway" PSK="$psk" XAUTH_USER="$user" XAUTH_PASSWORD="$password" \
        REMOTE_TS="$remote_ts"
    tt_log "starting charon in $ns"
    # shellcheck disable=SC2016  # $1/$@ belong to the inner bash
    tt_bg "$TT_TMP/charon-stdout.log" ip netns exec "$ns" setsid bash -c \
        'mount --bind "$1" /run && shift && exec stdbuf -oL -eL "$@"' _ "$run" "$CHARON"
    CHARON_PID=$TT_LAST_PID
    tt_wait_log "$CHARON_LOG" 'Starting IKE charon daemon|loaded plugins' 30 "charon start" "$CHARON_PID"
    for ((i = 0; i < 150; i++)); do
        [ -S "$run/charon.vici" ] && break
        kill -0 "$CHARON_PID" 2>/dev/null || tt_fail "charon exited before its vici socket appeared"
        sleep 0.2
    done
    [ -S "$run/charon.vici" ] || tt_fail "charon: no vici socket at $run/charon.vici within 30s"
    tt_expect_no_grep "$CHARON_LOG" 'plugin .* failed to load|failed to load .*plugin' "charon plugins"
    swanctl --load-all --noprompt >"$TT_TMP/swanctl-load.log" 2>&1 ||
        { cat "$TT_TMP/swanctl-load.log" >&2; tt_fail "swanctl --load-all"; }
    grep -q "loaded connection 'ravpn'" "$TT_TMP/swanctl-load.log" ||
        { cat "$TT_TMP/swanctl-load.log" >&2; tt_fail "swanctl did not load the connection 'ravpn'"; }
    tt_expect_no_grep "$TT_TMP/swanctl-load.log" 'fail|error|invalid' "swanctl --load-all"
}

# ---------------------------------------------------------------- the lab kernel

# Skip outside the lab: this host's kernel has no ESP states.
lab_require_esp() {
    [ -d /proc/sys/net/ipv4/conf ] &&
        ip xfrm state add src 192.0.2.250 dst 192.0.2.251 proto esp spi 1 enc 'cbc(des)' 0x0102030405060708 2>/dev/null &&
        ip xfrm state flush || skip "no ESP in this kernel (run it in the lab: tests/lab/run-in-lab.sh)"
}

# ---------------------------------------------------------------- FreeRADIUS (tests/tools/freeradius.sh)

# lab_start_freeradius NS ADDRESS PORT CLIENT SECRET USER:PASSWORD...: a RADIUS server in NS for one client.
# LAB_RADIUS_ACCT_PORT: also accounting on that port, records in $TT_TMP/radius/detail. LAB_RADIUS_USERS: a users
# file to use instead of the USER:PASSWORD pairs (reply attributes: Framed-IP-Address, Session-Timeout, Class).
lab_start_freeradius() {
    local ns=$1 address=$2 port=$3 client=$4 secret=$5 freeradius dir pair
    freeradius=$(command -v freeradius || true)
    [ -n "$freeradius" ] || skip "FreeRADIUS is not installed (scripts/install-deps.sh installs freeradius)"
    . "$LAB_DIR/../tools/freeradius.sh"
    dir=$TT_TMP/radius
    mkdir -m 0700 "$dir"
    fr_write_config "$dir" "$address" "$port" "$client" "$secret" "${LAB_RADIUS_ACCT_PORT:-}"
    shift 5
    for pair in "$@"; do printf '%s Cleartext-Password := "%s"\n' "${pair%%:*}" "${pair#*:}"; done >"$dir/users"
    [ -z "${LAB_RADIUS_USERS:-}" ] || cp "$LAB_RADIUS_USERS" "$dir/users"
    tt_bg "$TT_TMP/radiusd.log" ip netns exec "$ns" "$freeradius" -X -n radiusd -d "$dir"
    fr_wait_ready "$TT_TMP/radiusd.log" "$TT_LAST_PID" || tt_fail "FreeRADIUS did not start in $ns"
    LAB_RADIUS_PID=$TT_LAST_PID
    tt_log "FreeRADIUS on $address:$port for client $client"
}

# ---------------------------------------------------------------- Libreswan's pluto and a NAT router
# lab_pluto_state: pluto's run, NSS and log paths in the scratch dir (LSW_RUN, LSW_NSS, LSW_LOG, UPDOWN_LOG for
# libreswan-updown.sh), the directories and an empty NSS database made.
lab_pluto_state() {
    LSW_RUN=$TT_TMP/pluto-run
    LSW_NSS=$TT_TMP/pluto-nss
    LSW_LOG=$TT_TMP/pluto.log
    UPDOWN_LOG=$TT_TMP/updown.log
    mkdir -p "$LSW_RUN" "$LSW_NSS" "$TT_TMP/ipsec.d"
    certutil -N -d "sql:$LSW_NSS" --empty-password
}

# lab_start_pluto NS: pluto from the unpacked Libreswan ($LSW) in NS with $TT_TMP/ipsec.conf and ipsec.secrets, its
# run and NSS state in the scratch dir (LSW_RUN, LSW_NSS, LSW_LOG must be set, the NSS db made); PLUTO_PID, CTL set.
# Pluto runs /usr/libexec/ipsec/addconn by that fixed path: the unpacked /usr/libexec is bind-mounted over the host's
# inside pluto's own mount namespace (ip netns exec gives it one).
lab_start_pluto() {
    local ns=$1
    CTL=$LSW_RUN/pluto.ctl
    tt_log "starting pluto (Libreswan $("$LSW/usr/libexec/ipsec/pluto" --version 2>&1 | awk '{print $2; exit}')) in $ns"
    # shellcheck disable=SC2016  # $1.. belong to the inner bash
    tt_bg "$TT_TMP/pluto-stdout.log" ip netns exec "$ns" bash -c \
        'mount --bind "$1/usr/libexec" /usr/libexec && shift && exec "$@"' _ "$LSW" \
        "$LSW/usr/libexec/ipsec/pluto" --nofork --config "$TT_TMP/ipsec.conf" --rundir "$LSW_RUN" --nssdir "$LSW_NSS" \
        --ipsecdir "$TT_TMP/ipsec.d" --secretsfile "$TT_TMP/ipsec.secrets" --dumpdir "$LSW_RUN" --logfile "$LSW_LOG" \
        --no-dnssec --nhelpers 1
    PLUTO_PID=$TT_LAST_PID
}

# lab_wait_pluto: pluto's control socket exists (its start-up self-tests are slow under emulation).
lab_wait_pluto() {
    local i
    for ((i = 0; i < 300; i++)); do
        [ -S "$CTL" ] && return 0
        kill -0 "$PLUTO_PID" 2>/dev/null || tt_fail "pluto exited before its control socket appeared"
        sleep 0.2
    done
    tt_fail "pluto: no control socket $CTL within 60 s"
}

# lab_masquerade NS OUT_IF: NS masquerades 198.51.100.0/24 out of OUT_IF, UDP source ports into 40000-40999 (like a
# home router with several clients: the gateway must answer the port the NAT chose, never an assumed 500/4500).
lab_masquerade() {
    local ns=$1 out_if=$2
    ip netns exec "$ns" sysctl -qw net.ipv4.ip_forward=1
    ip netns exec "$ns" nft -f - <<NFT
table ip ravpn_nat {
  chain postrouting {
    type nat hook postrouting priority srcnat; policy accept;
    ip saddr 198.51.100.0/24 oifname "$out_if" meta l4proto udp masquerade to :40000-40999
    ip saddr 198.51.100.0/24 oifname "$out_if" masquerade
  }
}
NFT
}

# cpu_ticks PID...: utime + stime of the processes (all threads), in clock ticks (bench scripts: a responder's
# CPU over a run; ravpnd counts its two processes).
cpu_ticks() {
    local st sum=0 pid
    for pid in "$@"; do read -r st <"/proc/$pid/stat"; st=${st##*) }; sum=$((sum + $(awk '{ print $12 + $13 }' <<<"$st"))); done
    echo "$sum"
}
