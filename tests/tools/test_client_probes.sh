#!/usr/bin/env bash
# Checks the harness's client setups without any server: each client is started against the gateway
# address with nothing listening there, and the first IKE packet it sends is captured in the gateway
# namespace and decoded with tshark. Catches a client config that silently stopped proposing what
# the acceptance tests assume (mode, identity, transforms, DH group, vendor IDs).
# TT_PROBE_DUMP=DIR keeps each decoded first packet (tshark -V) there.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

VID_XAUTH=09002689dfd6b712
VID_UNITY=12f5f28c457168a9702d9fe274cc0100
VID_DPD=afcad71368a1f1c96b8696fc77570100
VID_NATT_RFC=4a131c81070358455c5728f20e95452f

FIELDS=(isakmp.exchangetype isakmp.ike.attr.encryption_algorithm isakmp.ike.attr.hash_algorithm
    isakmp.ike.attr.authentication_method isakmp.ike.attr.group_description isakmp.ike.attr.key_length
    isakmp.ike.attr.life_duration isakmp.id.type isakmp.id.data.key_id isakmp.vid_bytes)

# first_packet NAME: decode the first packet from the client in the capture into P_<field> vars.
first_packet() {
    local name=$1 line args=() f
    for f in "${FIELDS[@]}"; do args+=(-e "$f"); done
    line=$(tshark -r "$TT_PCAP" -n -c 1 -Y "ip.src==$TT_CLIENT_ADDR && isakmp" -T fields \
        -E separator=';' -E occurrence=a -E aggregator=, "${args[@]}" 2>/dev/null)
    [ -n "$line" ] || tt_fail "$name: expected an ISAKMP packet from $TT_CLIENT_ADDR in the capture, none"
    IFS=';' read -r P_EXCH P_ENC P_HASH P_AUTH P_GROUP P_KEYLEN P_LIFE P_IDTYPE P_KEYID P_VIDS <<<"$line"
    if [ -n "${TT_PROBE_DUMP:-}" ]; then
        mkdir -p "$TT_PROBE_DUMP"
        tshark -r "$TT_PCAP" -n -c 1 -V -Y "ip.src==$TT_CLIENT_ADDR && isakmp" >"$TT_PROBE_DUMP/$name.txt" 2>/dev/null
    fi
    tt_log "$name first packet: exch=$P_EXCH enc=$P_ENC hash=$P_HASH auth=$P_AUTH group=$P_GROUP keylen=$P_KEYLEN life=$P_LIFE idtype=$P_IDTYPE keyid=$P_KEYID vids=$P_VIDS"
}

expect_eq() {
    [ "$2" = "$3" ] || tt_fail "$1: expected '$3', saw '$2'"
}

expect_has() {
    case ",$2," in
        *",$3,"*) ;;
        *) tt_fail "$1: expected '$3' among '$2'" ;;
    esac
}

# capture_client NAME CMD...: capture while CMD runs (CMD must end by itself).
capture_run() {
    local name=$1
    shift
    tt_start_capture "$name"
    "$@" >"$TT_TMP/$name.log" 2>&1 || true
    tt_stop_capture
}

probe_ike_scan() {
    capture_run ike-scan-mm tt_in_client ike-scan --sport=500 --retry=1 --trans=1,1,1,1 "$TT_GW_ADDR"
    first_packet ike-scan-mm
    expect_eq "ike-scan main mode: exchange" "$P_EXCH" 2
    expect_eq "ike-scan main mode: enc/hash/auth/group" "$P_ENC/$P_HASH/$P_AUTH/$P_GROUP" 1/1/1/1

    capture_run ike-scan-am tt_in_client ike-scan --sport=500 --retry=1 -A --id=vpn3000 \
        --trans=5,1,65001,2 "$TT_GW_ADDR"
    first_packet ike-scan-am
    expect_eq "ike-scan aggressive: exchange" "$P_EXCH" 4
    expect_eq "ike-scan aggressive: enc/hash/auth/group" "$P_ENC/$P_HASH/$P_AUTH/$P_GROUP" 5/1/65001/2
    expect_eq "ike-scan aggressive: ID type (default USER_FQDN)" "$P_IDTYPE" 3

    capture_run ike-scan-aes tt_in_client ike-scan --sport=500 --retry=1 --trans=7/256,2,1,14 "$TT_GW_ADDR"
    first_packet ike-scan-aes
    expect_eq "ike-scan AES-256: enc/hash/auth/group/keylen" "$P_ENC/$P_HASH/$P_AUTH/$P_GROUP/$P_KEYLEN" 7/2/1/14/256
    tt_pass "ike-scan sends the transforms the tests assume"
}

probe_vpnc() {
    tt_start_capture vpnc-probe
    tt_start_vpnc vpnc grouppass123
    tt_wait_log "$TT_VPNC_LOG" 'S4\.3 AM packet_1' 20 "vpnc sending its first packet" "$TT_VPNC_PID"
    sleep 1
    tt_stop_pid "$TT_VPNC_PID" 3
    tt_stop_capture
    first_packet vpnc
    expect_eq "vpnc: exchange (aggressive)" "$P_EXCH" 4
    expect_eq "vpnc: ID type (ID_KEY_ID)" "$P_IDTYPE" 11
    expect_eq "vpnc: ID_KEY_ID (hex of vpn3000)" "$P_KEYID" "$(printf vpn3000 | od -An -tx1 | tr -d ' \n')"
    # One DH group for every transform (aggressive mode): group 2.
    expect_eq "vpnc: DH groups" "$(tr ',' '\n' <<<"$P_GROUP" | sort -u | tr '\n' ' ')" "2 "
    # With the weak switches: 3DES/MD5 (seed policy 20) among the transforms, with both auth methods.
    local n ok=0 enc hash auth
    IFS=, read -ra enc <<<"$P_ENC"
    IFS=, read -ra hash <<<"$P_HASH"
    IFS=, read -ra auth <<<"$P_AUTH"
    for ((n = 0; n < ${#enc[@]}; n++)); do
        [ "${enc[n]}/${hash[n]}/${auth[n]}" = 5/1/65001 ] && ok=$((ok + 1))
        [ "${enc[n]}/${hash[n]}/${auth[n]}" = 5/1/1 ] && ok=$((ok + 1))
    done
    [ "$ok" -eq 2 ] || tt_fail "vpnc: expected 3DES/MD5 with auth 65001 and with auth 1 among its transforms, saw enc=$P_ENC hash=$P_HASH auth=$P_AUTH"
    expect_has "vpnc: vendor IDs" "$P_VIDS" "$VID_XAUTH"
    expect_has "vpnc: vendor IDs" "$P_VIDS" "$VID_UNITY"
    expect_has "vpnc: vendor IDs" "$P_VIDS" "$VID_DPD"
    tt_pass "vpnc sends aggressive mode, ID_KEY_ID vpn3000, group 2, 3DES/MD5 among ${#enc[@]} transforms"
}

probe_strongswan() {
    tt_start_capture charon-probe
    local args
    mapfile -t args < <(tt_charon_main_mode_args)
    tt_start_charon_cmd charon cisco1234 doe "${args[@]}"
    tt_wait_log "$TT_CHARON_LOG" 'sending packet: from 192\.0\.2\.5\[500\] to 192\.0\.2\.1\[500\]' 20 \
        "charon-cmd sending its first packet" "$TT_CHARON_PID"
    sleep 1
    tt_stop_pid "$TT_CHARON_PID" 3
    tt_stop_capture
    first_packet charon
    expect_eq "charon-cmd: exchange (main mode)" "$P_EXCH" 2
    expect_eq "charon-cmd: enc/hash/auth/group" "$P_ENC/$P_HASH/$P_AUTH/$P_GROUP" 1/1/65001/1
    expect_has "charon-cmd: vendor IDs" "$P_VIDS" "$VID_XAUTH"
    expect_has "charon-cmd: vendor IDs" "$P_VIDS" "$VID_NATT_RFC"
    tt_pass "charon-cmd sends main mode DES/MD5/modp768 with auth 65001"
}

main() {
    tt_init
    tt_require_tools tshark ike-scan vpnc charon-cmd
    tt_topology
    probe_ike_scan
    probe_vpnc
    probe_strongswan
    tt_log "all checks passed"
}

main "$@"
