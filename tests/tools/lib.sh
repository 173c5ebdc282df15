# shellcheck shell=bash
# Shared helpers of the real-peer acceptance tests (ike-scan, vpnc, strongSwan against ravpnd).
#
# Source it from a test script that runs with `set -euo pipefail`:
#   . "$(dirname "$0")/lib.sh"
#   tt_init                      # root + tool checks, temp dir, cleanup trap
#   tt_topology [inside]         # client ns 192.0.2.5 <-> gateway ns 192.0.2.1 (+ inside ns)
#   tt_start_ravpnd              # ravpnd in the gateway ns, log in $TT_TMP/ravpnd.log
#   tt_wait_log "$TT_RAVPND_LOG" 'phase 1 established.*peer 192\.0\.2\.5' 20 "phase 1 with the client"
#
# Only addresses inside namespaces made here are used: 192.0.2.0/24 between client and gateway,
# 10.21.1.0/24 between gateway and the optional inside host. Nothing touches the host's interfaces.
#
# Environment:
#   RAVPND         the daemon binary (default $SRCDIR/build/daemon/ravpnd)
#   SRCDIR         the source tree (default: two levels above this file)
#   RAVPN_CONFIG   config to give ravpnd (default $SRCDIR/tests/config/fixtures/ios-easyvpn.cfg)
#   RAVPN_SECRETS  optional secrets file passed as --secrets
#   RAVPND_ARGS    extra ravpnd arguments, split on blanks (e.g. "--debug isakmp,ipsec,aaa"); run-in-lab.sh
#                  passes only RAVPN_* variables into the guest, so set it there from a wrapper script
#   TT_KEEP=1      keep the temp dir after the run (it is printed)

TT_LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
: "${SRCDIR:=$(cd "$TT_LIB_DIR/../.." && pwd)}"
: "${RAVPND:=$SRCDIR/build/daemon/ravpnd}"
: "${RAVPN_CONFIG:=$SRCDIR/tests/config/fixtures/ios-easyvpn.cfg}"

TT_GW_ADDR=192.0.2.1
TT_CLIENT_ADDR=192.0.2.5
TT_GW_INSIDE_ADDR=10.21.1.48
TT_INSIDE_HOST_ADDR=10.21.1.10

TT_NAME=$(basename "${0%.sh}")
TT_TMP=""
TT_PIDS=()
TT_NETNS=()
TT_RAVPND_PID=""
TT_RAVPND_LOG=""

# ---------------------------------------------------------------- messages and outcomes

tt_log()  { printf '[%s] %s\n' "$TT_NAME" "$*" >&2; }

# Exit 77: meson counts the test as skipped.
skip() {
    tt_log "SKIP: $*"
    exit 77
}

# Print what was expected and what was seen, then fail (the trap prints the logs).
tt_fail() {
    tt_log "FAIL: $*"
    exit 1
}

tt_pass() { tt_log "PASS: $*"; }

tt_require_root() {
    [ "$(id -u)" -eq 0 ] || skip "needs root (network namespaces)"
}

tt_require_tools() {
    local t
    for t in "$@"; do
        command -v "$t" >/dev/null 2>&1 || skip "tool '$t' is not installed (run scripts/install-deps.sh)"
    done
}

# The daemon and its config; skip (not fail) while either does not exist yet.
tt_require_ravpnd() {
    [ -x "$RAVPND" ] || skip "ravpnd not built at $RAVPND"
    [ -r "$RAVPN_CONFIG" ] || skip "test config $RAVPN_CONFIG does not exist"
}

# ---------------------------------------------------------------- setup and cleanup

tt_init() {
    tt_require_root
    tt_require_tools ip timeout
    TT_TMP=$(mktemp -d "/tmp/ravpn-$TT_NAME.XXXXXX")
    # Short unique suffix: interface names are limited to 15 characters.
    TT_ID=$(printf '%04x%02x' $((RANDOM)) $(($$ % 256)))
    trap tt_cleanup EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
    tt_log "temp dir $TT_TMP, run id $TT_ID"
}

# Run a command in the background, remember its pid for the cleanup.
# Usage: tt_bg LOGFILE cmd args...   (stdout and stderr go to LOGFILE; pid in $TT_LAST_PID)
tt_bg() {
    local logfile=$1
    shift
    "$@" >"$logfile" 2>&1 </dev/null &
    TT_LAST_PID=$!
    TT_PIDS+=("$TT_LAST_PID")
}

# Stop one pid we started: TERM, then KILL after a grace period.
tt_stop_pid() {
    local pid=$1 grace=${2:-5} i
    kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null || true; return 0; }
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < grace * 10; i++)); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
}

tt_dump_logs() {
    local f
    [ -n "$TT_TMP" ] && [ -d "$TT_TMP" ] || return 0
    for f in "$TT_TMP"/*.log; do
        [ -f "$f" ] || continue
        printf '\n===== %s (last 150 lines) =====\n' "$(basename "$f")" >&2
        tail -n 150 "$f" >&2
    done
}

tt_cleanup() {
    local rc=$? pid ns
    set +e
    trap - EXIT
    for pid in "${TT_PIDS[@]}"; do
        tt_stop_pid "$pid" 3
    done
    # Anything still inside our namespaces (children the tools forked) goes with them.
    for ns in "${TT_NETNS[@]}"; do
        for pid in $(ip netns pids "$ns" 2>/dev/null); do
            kill -KILL "$pid" 2>/dev/null
        done
        ip netns del "$ns" 2>/dev/null
    done
    if [ "$rc" -ne 0 ] && [ "$rc" -ne 77 ]; then
        tt_dump_logs
    fi
    if [ -n "$TT_TMP" ] && [ -d "$TT_TMP" ]; then
        if [ "${TT_KEEP:-0}" = 1 ] || { [ "$rc" -ne 0 ] && [ "$rc" -ne 77 ]; }; then
            tt_log "kept $TT_TMP"
        else
            rm -rf "$TT_TMP"
        fi
    fi
    exit "$rc"
}

# ---------------------------------------------------------------- topology

tt_netns_add() {
    ip netns add "$1"
    TT_NETNS+=("$1")
    ip -n "$1" link set lo up
}

# client ns ($TT_CLIENT_NS, 192.0.2.5/24) <-veth-> gateway ns ($TT_GW_NS, 192.0.2.1/24).
# With "inside": inside ns ($TT_INSIDE_NS, 10.21.1.10/24, default via 10.21.1.48) <-veth-> gateway
# (10.21.1.48/24), and forwarding on in the gateway ns.
# shellcheck disable=SC2120
tt_topology() {
    local with_inside=${1:-}
    TT_CLIENT_NS=ravpn-cli-$TT_ID
    TT_GW_NS=ravpn-gw-$TT_ID
    TT_GW_IF=rv${TT_ID}g
    TT_CLIENT_IF=rv${TT_ID}c
    tt_netns_add "$TT_CLIENT_NS"
    tt_netns_add "$TT_GW_NS"
    ip link add "$TT_CLIENT_IF" netns "$TT_CLIENT_NS" type veth peer name "$TT_GW_IF" netns "$TT_GW_NS"
    ip -n "$TT_CLIENT_NS" addr add "$TT_CLIENT_ADDR/24" dev "$TT_CLIENT_IF"
    ip -n "$TT_GW_NS" addr add "$TT_GW_ADDR/24" dev "$TT_GW_IF"
    ip -n "$TT_CLIENT_NS" link set "$TT_CLIENT_IF" up
    ip -n "$TT_GW_NS" link set "$TT_GW_IF" up
    if [ "$with_inside" = inside ]; then
        TT_INSIDE_NS=ravpn-in-$TT_ID
        TT_GW_INSIDE_IF=rv${TT_ID}i
        TT_INSIDE_IF=rv${TT_ID}h
        tt_netns_add "$TT_INSIDE_NS"
        ip link add "$TT_INSIDE_IF" netns "$TT_INSIDE_NS" type veth peer name "$TT_GW_INSIDE_IF" netns "$TT_GW_NS"
        ip -n "$TT_INSIDE_NS" addr add "$TT_INSIDE_HOST_ADDR/24" dev "$TT_INSIDE_IF"
        ip -n "$TT_GW_NS" addr add "$TT_GW_INSIDE_ADDR/24" dev "$TT_GW_INSIDE_IF"
        ip -n "$TT_INSIDE_NS" link set "$TT_INSIDE_IF" up
        ip -n "$TT_GW_NS" link set "$TT_GW_INSIDE_IF" up
        ip -n "$TT_INSIDE_NS" route add default via "$TT_GW_INSIDE_ADDR"
        ip netns exec "$TT_GW_NS" sysctl -qw net.ipv4.ip_forward=1
    fi
    # Both ends must answer before a test starts (veth carrier and DAD-free IPv4: quick).
    local i
    for ((i = 0; i < 50; i++)); do
        ip netns exec "$TT_CLIENT_NS" ping -c1 -W1 "$TT_GW_ADDR" >/dev/null 2>&1 && return 0
        sleep 0.1
    done
    tt_fail "topology: client namespace cannot ping $TT_GW_ADDR"
}

tt_in_client()  { ip netns exec "$TT_CLIENT_NS" "$@"; }
tt_in_gw()      { ip netns exec "$TT_GW_NS" "$@"; }
tt_in_inside()  { ip netns exec "$TT_INSIDE_NS" "$@"; }

# ---------------------------------------------------------------- waiting on logs

# tt_wait_log FILE ERE TIMEOUT_S DESCRIPTION [PID]
# Wait until a line of FILE matches ERE. Fails with what was expected; with PID, also fails
# at once when that process has exited without printing the line.
tt_wait_log() {
    local file=$1 re=$2 timeout_s=$3 what=$4 pid=${5:-} deadline
    deadline=$((SECONDS + timeout_s))
    while ((SECONDS < deadline)); do
        if [ -f "$file" ] && grep -Eq -- "$re" "$file"; then
            return 0
        fi
        if [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; then
            grep -Eq -- "$re" "$file" 2>/dev/null && return 0
            tt_fail "$what: expected a line matching /$re/ in $(basename "$file"), but the process $pid exited first"
        fi
        sleep 0.2
    done
    tt_fail "$what: expected a line matching /$re/ in $(basename "$file") within ${timeout_s}s, not seen"
}

# Like tt_wait_log but returns 1 instead of failing (for "must NOT appear" checks).
tt_log_appears() {
    local file=$1 re=$2 timeout_s=$3 deadline
    deadline=$((SECONDS + timeout_s))
    while ((SECONDS < deadline)); do
        if [ -f "$file" ] && grep -Eq -- "$re" "$file"; then
            return 0
        fi
        sleep 0.2
    done
    return 1
}

# tt_expect_grep FILE ERE DESCRIPTION: a line of FILE must match now.
tt_expect_grep() {
    local file=$1 re=$2 what=$3
    grep -Eq -- "$re" "$file" ||
        tt_fail "$what: expected a line matching /$re/ in $(basename "$file"); it has: $(tail -n 5 "$file" | tr '\n' '|')"
}

# tt_expect_no_grep FILE ERE DESCRIPTION: no line of FILE may match.
tt_expect_no_grep() {
    local file=$1 re=$2 what=$3 line
    if line=$(grep -Em1 -- "$re" "$file"); then
        tt_fail "$what: expected no line matching /$re/ in $(basename "$file"), saw: $line"
    fi
}

# ---------------------------------------------------------------- ravpnd

# Start ravpnd in the gateway ns and wait until it listens on 192.0.2.1:500.
tt_start_ravpnd() {
    tt_require_ravpnd
    TT_RAVPND_LOG=$TT_TMP/ravpnd.log
    local args=(--config "$RAVPN_CONFIG" --foreground)
    [ -n "${RAVPN_SECRETS:-}" ] && args+=(--secrets "$RAVPN_SECRETS")
    if [ -n "${RAVPND_ARGS:-}" ]; then
        local extra
        read -r -a extra <<<"$RAVPND_ARGS"
        args+=("${extra[@]}")
    fi
    tt_log "starting $RAVPND ${args[*]} in $TT_GW_NS"
    tt_bg "$TT_RAVPND_LOG" ip netns exec "$TT_GW_NS" "$RAVPND" "${args[@]}"
    TT_RAVPND_PID=$TT_LAST_PID
    tt_wait_log "$TT_RAVPND_LOG" "listening on ${TT_GW_ADDR//./\\.}:500" 20 "ravpnd start" "$TT_RAVPND_PID"
}

tt_stop_ravpnd() {
    [ -n "$TT_RAVPND_PID" ] || return 0
    tt_stop_pid "$TT_RAVPND_PID" 5
    TT_RAVPND_PID=""
}

# The process that parses packets: under privilege separation the IKE process ravpnd forked (its log names it),
# else ravpnd itself.
tt_ike_pid() {
    local pid
    pid=$(sed -n 's/.*privilege separation: IKE process \([0-9]*\) runs as.*/\1/p' "$TT_RAVPND_LOG" | tail -n 1)
    echo "${pid:-$TT_RAVPND_PID}"
}

# Privilege separation is on: the process bound to UDP 500 is the IKE process, not root, with no capabilities, and
# ravpnd itself (the privileged process) is its parent. Prints the figures for the log.
tt_expect_privsep() {
    local ike uid caps owner
    ike=$(tt_ike_pid)
    [ "$ike" != "$TT_RAVPND_PID" ] || tt_fail "privilege separation: no IKE process in the log"
    uid=$(awk '/^Uid:/ {print $2 "/" $3 "/" $4 "/" $5}' "/proc/$ike/status")
    caps=$(awk '/^CapEff:/ {print $2}' "/proc/$ike/status")
    owner=$(ip netns exec "$TT_GW_NS" ss -H -ulpn "sport = :500" | sed -n 's/.*pid=\([0-9]*\).*/\1/p' | sort -u)
    if awk '/^Uid:/ {exit !($2 == 0 || $3 == 0 || $4 == 0 || $5 == 0)}' "/proc/$ike/status"; then
        tt_fail "privilege separation: IKE process $ike has uid $uid"
    fi
    [ "$caps" = 0000000000000000 ] || tt_fail "privilege separation: IKE process $ike has CapEff $caps"
    [ "$owner" = "$ike" ] || tt_fail "privilege separation: UDP 500 is held by pid(s) '$owner', not the IKE process $ike"
    [ "$(awk '/^PPid:/ {print $2}' "/proc/$ike/status")" = "$TT_RAVPND_PID" ] ||
        tt_fail "privilege separation: IKE process $ike is not ravpnd's ($TT_RAVPND_PID) child"
    tt_log "privilege separation: UDP 500 held by pid $ike, uid $uid, CapEff $caps; privileged parent $TT_RAVPND_PID"
}

# The daemon must still be running (a crash on a client's packet is a failure of its own).
tt_expect_ravpnd_alive() {
    if [ -z "$TT_RAVPND_PID" ] || ! kill -0 "$TT_RAVPND_PID" 2>/dev/null; then
        tt_fail "ravpnd (pid ${TT_RAVPND_PID:-none}) is no longer running"
    fi
}

# ---------------------------------------------------------------- capture (client-side checks)

# Capture IKE on the gateway side into $TT_TMP/NAME.pcap (no daemon needed).
tt_start_capture() {
    local name=$1
    tt_require_tools tshark
    TT_PCAP=$TT_TMP/$name.pcap
    tt_bg "$TT_TMP/$name-tshark.log" ip netns exec "$TT_GW_NS" tshark -q -n -i "$TT_GW_IF" \
        -f 'udp port 500 or udp port 4500' -w "$TT_PCAP"
    TT_CAPTURE_PID=$TT_LAST_PID
    tt_wait_log "$TT_TMP/$name-tshark.log" "Capturing on" 20 "tshark start" "$TT_CAPTURE_PID"
}

tt_stop_capture() {
    sleep 0.5
    tt_stop_pid "$TT_CAPTURE_PID" 5
}

# ---------------------------------------------------------------- clients

# tt_fill_template IN OUT KEY=VALUE...: replace @KEY@ by VALUE.
tt_fill_template() {
    local in=$1 out=$2 kv key value content
    shift 2
    content=$(<"$in")
    for kv in "$@"; do
        key=${kv%%=*}
        value=${kv#*=}
        content=${content//@"$key"@/$value}
    done
    if grep -q '@[A-Z_]*@' <<<"$content"; then
        tt_fail "template $(basename "$in"): unfilled placeholder $(grep -o '@[A-Z_]*@' <<<"$content" | head -1)"
    fi
    printf '%s\n' "$content" >"$out"
}

# vpnc needs /dev/net/tun even before it talks IKE.
tt_ensure_tun() {
    if [ ! -c /dev/net/tun ]; then
        mkdir -p /dev/net
        mknod /dev/net/tun c 10 200 || skip "cannot create /dev/net/tun"
        chmod 0666 /dev/net/tun
    fi
}

# tt_start_vpnc NAME GROUP_SECRET: vpnc in the client ns, log $TT_TMP/NAME.log, pid $TT_VPNC_PID
# (exported for the test scripts).
# VPNC_NATT (default natt) sets the NAT Traversal Mode; VPNC_SCRIPT replaces the logging-only vpnc-script;
# VPNC_USER / VPNC_PASSWORD replace the Xauth user john / doe.
tt_start_vpnc() {
    local name=$1 secret=$2 conf
    tt_require_tools vpnc stdbuf
    tt_ensure_tun
    conf=$TT_TMP/$name.conf
    tt_fill_template "$TT_LIB_DIR/vpnc.conf.in" "$conf" \
        GATEWAY="$TT_GW_ADDR" GROUP=vpn3000 GROUP_SECRET="$secret" \
        XAUTH_USER="${VPNC_USER:-john}" XAUTH_PASSWORD="${VPNC_PASSWORD:-doe}" NATT_MODE="${VPNC_NATT:-natt}" \
        IFNAME="tun${TT_ID:0:4}" SCRIPT="${VPNC_SCRIPT:-$TT_LIB_DIR/vpnc-script-log.sh}" PIDFILE="$TT_TMP/$name.pid"
    TT_VPNC_LOG=$TT_TMP/$name.log
    tt_log "starting vpnc ($name) in $TT_CLIENT_NS"
    VPNC_SCRIPT_LOG=$TT_TMP/$name-script.out \
        tt_bg "$TT_VPNC_LOG" ip netns exec "$TT_CLIENT_NS" stdbuf -oL -eL vpnc --no-detach --debug 3 "$conf"
    TT_VPNC_PID=$TT_LAST_PID
}

# Stop vpnc (it sends its deletes) and check the gateway is clean: the tunnel is down, the lease is back in the
# pool, no XFRM state or policy is left.
tt_disconnect_vpnc_and_check_clean() {
    tt_log "disconnecting vpnc"
    kill -TERM "$TT_VPNC_PID"
    tt_wait_log "$TT_RAVPND_LOG" "tunnel down" 20 "tunnel removed" "$TT_RAVPND_PID"
    tt_wait_log "$TT_RAVPND_LOG" "returned to pool ${TT_POOL_NAME:-ourpool}" 20 "lease released" "$TT_RAVPND_PID"
    sleep 0.5
    [ -z "$(tt_in_gw ip xfrm state)" ] || { tt_in_gw ip xfrm state >&2; tt_fail "SAs left after disconnect"; }
    [ -z "$(tt_in_gw ip xfrm policy)" ] || { tt_in_gw ip xfrm policy >&2; tt_fail "policies left after disconnect"; }
    tt_pass "after disconnect: no SAs, no policies, lease free"
}

# tt_start_charon_cmd NAME PSK XAUTH_PASSWORD ARGS...: charon-cmd in the client ns with its own
# strongswan.conf and a private /run (its pid file path is compiled in); the PSK and the Xauth
# password are read from stdin (no terminal: setsid). Log $TT_TMP/NAME.log, pid $TT_CHARON_PID.
tt_start_charon_cmd() {
    local name=$1 psk=$2 xauth_pw=$3 rundir conf
    shift 3
    tt_require_tools charon-cmd setsid stdbuf
    rundir=$TT_TMP/$name-run
    mkdir -p "$rundir"
    : >"$rundir/resolv.conf"
    conf=$TT_TMP/$name-strongswan.conf
    tt_fill_template "$TT_LIB_DIR/strongswan.conf.in" "$conf" RUNDIR="$rundir"
    printf '%s\n%s\n' "$psk" "$xauth_pw" >"$TT_TMP/$name.stdin"
    TT_CHARON_LOG=$TT_TMP/$name.log
    tt_log "starting charon-cmd ($name) in $TT_CLIENT_NS: $*"
    # shellcheck disable=SC2016  # $1/$@ belong to the inner bash
    STRONGSWAN_CONF=$conf ip netns exec "$TT_CLIENT_NS" setsid bash -c \
        'mount --bind "$1" /run && shift && exec stdbuf -oL -eL "$@"' _ "$rundir" charon-cmd "$@" \
        <"$TT_TMP/$name.stdin" >"$TT_CHARON_LOG" 2>&1 &
    TT_CHARON_PID=$!
    TT_PIDS+=("$TT_CHARON_PID")
}

# The Cisco VPN Client 1.1-like main-mode profile: DES/MD5/modp768, PSK by address, Xauth.
tt_charon_main_mode_args() {
    printf '%s\n' --host "$TT_GW_ADDR" --identity "$TT_CLIENT_ADDR" --profile ikev1-xauth-psk \
        --xauth-username john --ike-proposal des-md5-modp768 --esp-proposal des-md5 --debug 1
}
