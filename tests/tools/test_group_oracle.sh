#!/usr/bin/env bash
# No group-name oracle and no log injection, against ravpnd with ike-scan and psk-crack:
#  - aggressive mode with a valid group (vpn3000) and an invalid one: both get an aggressive mode answer with the
#    same payloads and sizes (only cookies, nonces and values differ); psk-crack on the invalid group's answer
#    finds nothing even with a word list that holds the real group key;
#  - a peer ID carrying newlines and terminal escapes appears escaped in ravpnd's log and in the control
#    socket's JSON, and forges no log line.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

: "${RAVPNCTL:=$SRCDIR/build/daemon/ravpnctl}"
WORDS=$TT_LIB_DIR/psk-words.txt
PY=/usr/bin/python3

# am NAME ID [ARGS...]: aggressive mode, ID_KEY_ID (the type Cisco VPN Client and vpnc send).
am() {
    local name=$1 id=$2
    shift 2
    tt_in_client ike-scan --sport=500 --retry=3 --timeout=1000 -A --idtype=11 --id="$id" --trans=5,1,65001,2 \
        --pskcrack="$TT_TMP/$name.psk" "$@" "$TT_GW_ADDR" >"$TT_TMP/$name.log" 2>&1 || true
    tt_expect_grep "$TT_TMP/$name.log" "^${TT_GW_ADDR//./\\.}[[:space:]]+Aggressive Mode Handshake returned" \
        "aggressive mode with id $name"
}

# The structure of ike-scan's description of the answer: cookies, values and addresses left out.
shape() {
    grep -A20 'Aggressive Mode Handshake returned' "$1" | tr '\t' '\n' |
        sed -E -e 's/CKY-R=[0-9a-f]+/CKY-R=X/' -e '/^[[:space:]]*$/d' -e '/^Ending ike-scan/,$d' \
            -e '/^(Starting|Interface|[0-9]+ hosts)/d'
}

check_no_oracle() {
    am known vpn3000
    am unknown nosuchgroup
    shape "$TT_TMP/known.log" >"$TT_TMP/known.shape"
    shape "$TT_TMP/unknown.log" >"$TT_TMP/unknown.shape"
    diff "$TT_TMP/known.shape" "$TT_TMP/unknown.shape" >"$TT_TMP/shape.diff" ||
        tt_fail "the answers differ in structure: $(tr '\n' '|' <"$TT_TMP/shape.diff")"
    grep -Eq 'KeyExchange\(128 bytes\)' "$TT_TMP/unknown.shape" || tt_fail "unknown group: no 128-byte KE in the answer"
    grep -Eq 'Hash\(16 bytes\)' "$TT_TMP/unknown.shape" || tt_fail "unknown group: no 16-byte HASH_R in the answer"
    # psk-crack's parameter lines: g_xr, g_xi, cky_r, cky_i, sai_b, idir_b, ni_b, nr_b, hash_r; same field sizes.
    "$PY" - "$TT_TMP/known.psk" "$TT_TMP/unknown.psk" <<'PYEOF' || tt_fail "psk-crack parameters differ in size"
import sys
def sizes(path):
    fields = open(path).readline().strip().split(":")
    return [len(f) for f in fields if f != fields[5]]  # IDir is ours and the same; nothing peer-chosen differs
a, b = sizes(sys.argv[1]), sizes(sys.argv[2])
sys.exit(0 if a == b and len(a) == 8 else 1)
PYEOF
    tt_pass "valid and invalid group: same payloads and sizes ($(tr '\n' ' ' <"$TT_TMP/unknown.shape" | head -c 300))"

    psk-crack -d "$WORDS" "$TT_TMP/known.psk" >"$TT_TMP/crack-known.log" 2>&1 || true
    tt_expect_grep "$TT_TMP/crack-known.log" '^key "grouppass123" matches' "psk-crack on the valid group"
    psk-crack -d "$WORDS" "$TT_TMP/unknown.psk" >"$TT_TMP/crack-unknown.log" 2>&1 || true
    tt_expect_grep "$TT_TMP/crack-unknown.log" '^no match found' "psk-crack on the decoy answer"
    tt_expect_no_grep "$TT_TMP/crack-unknown.log" '^key ".*" matches' "psk-crack on the decoy answer"
    tt_pass "psk-crack: the valid group's key found, nothing in the decoy (word list holds grouppass123)"
    tt_wait_log "$TT_RAVPND_LOG" "aggressive mode for unknown identity ID_KEY_ID nosuchgroup" 5 \
        "ravpnd log of the unknown group"
}

check_escaped_id() {
    local evil=$'evil\nravpnd: notice isakmp: conn 99: phase 1 established (FORGED)\e[31m'
    am evil "$evil"
    tt_wait_log "$TT_RAVPND_LOG" 'ID_KEY_ID evil\\x0aravpnd: notice isakmp: conn 99: phase 1 established \(FORGED\)\\x1b\[31m' 5 \
        "the evil ID escaped in the log"
    tt_expect_no_grep "$TT_RAVPND_LOG" '^ravpnd: notice isakmp: conn 99' "a forged log line"
    if grep -q $'\e' "$TT_RAVPND_LOG"; then tt_fail "an ESC byte reached the log"; fi
    tt_pass "the evil ID is one escaped log line"

    timeout 20 "$RAVPNCTL" --socket "$SOCK" --json isakmp >"$TT_TMP/isakmp.json" 2>"$TT_TMP/isakmp.err" ||
        tt_fail "ravpnctl --json isakmp: $(cat "$TT_TMP/isakmp.err")"
    "$PY" - "$TT_TMP/isakmp.json" <<'PYEOF' || tt_fail "JSON peer_id not escaped: $(head -c 800 "$TT_TMP/isakmp.json")"
import json, sys
r = json.loads(open(sys.argv[1]).readline())
values = [sa["peer_id"]["value"] for sa in r["sas"] if sa.get("peer_id")]
evil = [v for v in values if v.startswith("evil")]
assert evil, values
assert "\n" not in evil[0] and "\x1b" not in evil[0], evil[0]
assert evil[0].startswith("evil\\x0aravpnd: notice") and evil[0].endswith("(FORGED)\\x1b[31m"), evil[0]
PYEOF
    tt_pass "the evil ID is escaped in the control socket's JSON"
}

main() {
    tt_init
    tt_require_tools ike-scan psk-crack "$PY"
    tt_require_ravpnd
    [ -x "$RAVPNCTL" ] || skip "ravpnctl not built at $RAVPNCTL"
    SOCK=$TT_TMP/ctl.sock
    export RAVPND_ARGS="--socket $SOCK"
    tt_topology
    tt_start_ravpnd
    check_no_oracle
    check_escaped_id
    tt_expect_ravpnd_alive
    tt_log "all checks passed"
}

main "$@"
