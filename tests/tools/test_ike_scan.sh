#!/usr/bin/env bash
# ike-scan and psk-crack against ravpnd: main-mode handshakes for the two seed policies, a
# NO-PROPOSAL-CHOSEN for a transform no policy has, an aggressive-mode handshake with the
# group name, and offline cracking of the group key from that handshake.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

WORDS=$TT_LIB_DIR/psk-words.txt

# scan NAME ARGS...: ike-scan from the client ns (UDP source port 500) to the gateway.
scan() {
    local name=$1
    shift
    tt_in_client ike-scan --sport=500 --retry=3 --timeout=1000 "$@" "$TT_GW_ADDR" \
        >"$TT_TMP/$name.log" 2>&1 || true
}

check_main_mode() {
    local trans=$1 what=$2
    scan "mm-$trans" --trans="$trans"
    tt_expect_grep "$TT_TMP/mm-$trans.log" "^${TT_GW_ADDR//./\\.}[[:space:]]+Main Mode Handshake returned" \
        "main mode $what (--trans=$trans)"
    tt_pass "main mode $what: handshake returned"
}

check_no_proposal() {
    # AES-256 (old-style --trans ENC/KEYLEN), SHA1, PSK, group 14: no seed policy has it.
    scan mm-aes256 --trans=7/256,2,1,14
    tt_expect_grep "$TT_TMP/mm-aes256.log" "Notify message 14 \(NO-PROPOSAL-CHOSEN\)" \
        "main mode AES-256/SHA1/group 14"
    tt_expect_no_grep "$TT_TMP/mm-aes256.log" "Handshake returned" "main mode AES-256/SHA1/group 14"
    tt_wait_log "$TT_RAVPND_LOG" "no proposal chosen" 5 "ravpnd log for the AES-256 proposal"
    tt_pass "AES-256/SHA1/group 14: NO-PROPOSAL-CHOSEN"
}

# check_aggressive NAME PSKFILE ARGS...: aggressive mode with the group name as identity.
check_aggressive() {
    local name=$1 pskfile=$2
    shift 2
    scan "$name" -A --id=vpn3000 --trans=5,1,65001,2 --pskcrack="$pskfile" "$@"
    tt_expect_grep "$TT_TMP/$name.log" "^${TT_GW_ADDR//./\\.}[[:space:]]+Aggressive Mode Handshake returned" \
        "aggressive mode, id vpn3000 $*"
    [ -s "$pskfile" ] || tt_fail "aggressive mode $*: expected PSK parameters in $pskfile, file is empty"
    local fields
    fields=$(head -n1 "$pskfile" | awk -F: '{print NF}')
    [ "$fields" -eq 9 ] || tt_fail "PSK parameters: expected 9 colon-separated fields, saw $fields"
    tt_pass "aggressive mode $*: handshake returned, PSK parameters written"
}

check_crack() {
    local pskfile=$1 out=$TT_TMP/crack.log
    psk-crack -d "$WORDS" "$pskfile" >"$out" 2>&1 || true
    tt_expect_grep "$out" '^key "grouppass123" matches (MD5|SHA1) hash' "psk-crack with a word list holding the key"
    tt_pass "psk-crack found grouppass123"

    local without=$TT_TMP/words-without.txt
    grep -vx 'grouppass123' "$WORDS" >"$without"
    psk-crack -d "$without" "$pskfile" >"$TT_TMP/crack-miss.log" 2>&1 || true
    tt_expect_grep "$TT_TMP/crack-miss.log" '^no match found for (MD5|SHA1) hash' \
        "psk-crack with a word list without the key"
    tt_expect_no_grep "$TT_TMP/crack-miss.log" '^key ".*" matches' "psk-crack with a word list without the key"
    tt_pass "psk-crack without the word: no match"
}

main() {
    tt_init
    tt_require_tools ike-scan psk-crack
    tt_require_ravpnd
    tt_topology
    tt_start_ravpnd

    check_main_mode 1,1,1,1 "DES/MD5/PSK/group 1"
    check_main_mode 5,1,1,2 "3DES/MD5/PSK/group 2"
    check_no_proposal
    # As commonly run against Cisco heads (ike-scan's default ID type, USER_FQDN) ...
    check_aggressive am-fqdn "$TT_TMP/psk-fqdn.txt"
    # ... and with ID_KEY_ID, the type Cisco VPN Client and vpnc send.
    check_aggressive am-keyid "$TT_TMP/psk-keyid.txt" --idtype=11
    check_crack "$TT_TMP/psk-fqdn.txt"
    tt_expect_ravpnd_alive
    tt_log "all checks passed"
}

main "$@"
