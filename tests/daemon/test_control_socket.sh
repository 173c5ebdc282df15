#!/usr/bin/env bash
# ravpnd's control socket and ravpnctl against a running daemon in a network namespace: an ike-scan
# aggressive-mode handshake makes an ISAKMP SA, then every ravpnctl command is checked (tables, --json, exit
# codes), junk and over-long lines get a JSON error while the daemon stays up, a client that never reads or writes
# does not hold up others, a uid outside root/group ravpn is refused, and `disconnect --peer` removes the SA.
# Also: status reports the kernel ESP probe, `reload` answers in one line, and `ravpnctl metrics` parses with
# python3-prometheus-client's text-format parser.
set -euo pipefail
. "$(dirname "$0")/../tools/lib.sh"

: "${RAVPNCTL:=$SRCDIR/build/daemon/ravpnctl}"
PY=/usr/bin/python3

# ctl NAME ARGS...: run ravpnctl against our socket; stdout in $TT_TMP/NAME.out, stderr in NAME.err, exit
# code in $CTL_RC. Never hangs the test: ravpnctl has its own 10 s answer timeout, this one is a backstop.
ctl() {
    local name=$1
    shift
    CTL_RC=0
    timeout 20 "$RAVPNCTL" --socket "$SOCK" "$@" >"$TT_TMP/$name.out" 2>"$TT_TMP/$name.err" || CTL_RC=$?
}

expect_rc() {
    local want=$1 what=$2
    [ "$CTL_RC" -eq "$want" ] ||
        tt_fail "$what: expected exit code $want, got $CTL_RC (stderr: $(tr '\n' '|' <"$TT_TMP/$CTL_LAST.err" 2>/dev/null))"
}

# run_ctl NAME RC DESCRIPTION ARGS...: ctl + exit code check.
run_ctl() {
    local name=$1 rc=$2 what=$3
    shift 3
    CTL_LAST=$name
    ctl "$name" "$@"
    expect_rc "$rc" "$what"
}

# json_check FILE PYTHON-EXPR DESCRIPTION: the expression over `r` (the parsed first line) must be true.
json_check() {
    local file=$1 expr=$2 what=$3
    "$PY" - "$file" "$expr" <<'EOF' || tt_fail "$what: expected $expr; got $(head -c 600 "$file")"
import json, sys
with open(sys.argv[1]) as f:
    r = json.loads(f.readline())
sys.exit(0 if eval(sys.argv[2], {"r": r}) else 1)
EOF
}

# raw_session NAME: a python client that writes raw bytes and reads the replies (see the script below).
raw_session() {
    local name=$1
    timeout 20 "$PY" - "$SOCK" >"$TT_TMP/$name.out" 2>&1 <<'EOF' || tt_fail "$name: raw client failed: $(cat "$TT_TMP/$name.out")"
import json, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.settimeout(10)
s.connect(sys.argv[1])
f = s.makefile("rb")
def ask(raw):
    s.sendall(raw)
    return json.loads(f.readline())
# Junk, then a truncated object, then binary: each an error, the connection stays usable.
for junk in (b"this is not json\n", b'{"version":1,"request":\n', b"\xff\xfe\x00\x01\n", b"[]\n",
             b'{"version":7,"request":"status"}\n', b'{"version":1,"request":"frobnicate"}\n'):
    r = ask(junk)
    assert r["version"] == 1 and r["ok"] is False and r["error"], r
    print("error:", r["error"])
r = ask(b'{"version":1,"request":"status"}\n')
assert r["ok"] is True, r
print("status after junk: ok")
# Two requests in one write: two answers, in order.
s.sendall(b'{"version":1,"request":"pools"}\n{"version":1,"request":"users"}\n')
a, b = json.loads(f.readline()), json.loads(f.readline())
assert "pools" in a and "users" in b, (a, b)
print("pipelined: ok")
# Over 64 KiB without a newline: one error line, then the daemon closes the connection.
s.sendall(b"x" * (70 * 1024))
r = json.loads(f.readline())
assert r["ok"] is False and "longer than" in r["error"], r
assert f.readline() == b"", "connection not closed after the over-long line"
print("long line:", r["error"])
EOF
}

main() {
    tt_init
    tt_require_tools ike-scan "$PY"
    tt_require_ravpnd
    [ -x "$RAVPNCTL" ] || skip "ravpnctl not built at $RAVPNCTL"
    SOCK=$TT_TMP/ctl.sock
    export RAVPND_ARGS="--socket $SOCK"
    tt_topology
    tt_start_ravpnd
    tt_wait_log "$TT_RAVPND_LOG" "control socket ${SOCK//./\\.}" 10 "control socket opened" "$TT_RAVPND_PID"
    [ -S "$SOCK" ] || tt_fail "expected a socket at $SOCK"
    tt_wait_log "$TT_RAVPND_LOG" "ravpnd started" 20 "ravpnd started" "$TT_RAVPND_PID"
    tt_expect_privsep
    tt_pass "privilege separation: UDP 500 held by an unprivileged process with no capabilities"
    local mode
    mode=$(stat -c %a "$SOCK")
    if getent group ravpn >/dev/null; then
        [ "$mode" = 660 ] || tt_fail "socket mode: expected 660 (group ravpn exists), got $mode"
    else
        [ "$mode" = 600 ] || tt_fail "socket mode: expected 600 (no group ravpn), got $mode"
    fi
    tt_pass "socket $SOCK, mode $mode"

    # ---- usage and connection errors
    run_ctl usage-none 2 "ravpnctl without a command"
    run_ctl usage-unknown 2 "ravpnctl frobnicate" frobnicate
    run_ctl usage-disc 2 "disconnect without a selector" disconnect
    run_ctl usage-disc2 2 "disconnect --bogus x" disconnect --bogus x
    run_ctl usage-debug 2 "debug without categories" debug
    CTL_LAST=noconn
    CTL_RC=0
    timeout 20 "$RAVPNCTL" --socket "$TT_TMP/nobody-here.sock" status >"$TT_TMP/noconn.out" 2>"$TT_TMP/noconn.err" ||
        CTL_RC=$?
    expect_rc 3 "ravpnctl to a socket nobody listens on"
    tt_expect_grep "$TT_TMP/noconn.err" "cannot connect" "ravpnctl's message without a daemon"
    tt_pass "usage errors exit 2, no daemon exits 3"

    # ---- an ISAKMP SA from ike-scan (aggressive mode, group vpn3000: AM1/AM2, no AM3)
    tt_in_client ike-scan --sport=500 --retry=3 --timeout=1000 -A --id=vpn3000 --trans=5,1,65001,2 "$TT_GW_ADDR" \
        >"$TT_TMP/am.log" 2>&1 || true
    tt_expect_grep "$TT_TMP/am.log" "Aggressive Mode Handshake returned" "ike-scan aggressive mode"

    run_ctl status 0 "ravpnctl status" status
    tt_expect_grep "$TT_TMP/status.out" "^ravpnd [0-9]" "status: version line"
    tt_expect_grep "$TT_TMP/status.out" "^ISAKMP SAs: 1 " "status: one ISAKMP SA"
    tt_expect_grep "$TT_TMP/status.out" "^phase1_started +1$" "status: phase 1 counter"
    run_ctl status-json 0 "ravpnctl --json status" --json status
    json_check "$TT_TMP/status-json.out" \
        'r["ok"] and r["version"] == 1 and r["sas"]["isakmp"] == 1 and r["counters"]["datagrams"] >= 1 and r["uptime"] >= 0 and r["config"].endswith("ios-easyvpn.cfg")' \
        "status JSON"
    tt_pass "status: table and JSON"

    run_ctl isakmp 0 "ravpnctl isakmp" isakmp
    tt_expect_grep "$TT_TMP/isakmp.out" "192\.0\.2\.5:500 +192\.0\.2\.1:500 +AG_INIT_EXCH +aggressive +vpn3000" \
        "isakmp table row"
    tt_expect_grep "$TT_TMP/isakmp.out" "^1 ISAKMP SA\(s\)" "isakmp count"
    run_ctl isakmp-json 0 "ravpnctl --json isakmp" --json isakmp
    json_check "$TT_TMP/isakmp-json.out" \
        'r["ok"] and len(r["sas"]) == 1 and r["sas"][0]["peer"] == "192.0.2.5:500" and r["sas"][0]["mode"] == "aggressive" and len(r["sas"][0]["icookie"]) == 16 and len(r["sas"][0]["rcookie"]) == 16 and r["sas"][0]["group"] == "vpn3000" and r["sas"][0]["algorithms"]["cipher"] == "3DES-CBC" and r["sas"][0]["peer_id"]["value"] == "vpn3000" and r["sas"][0]["lifetime_left"] is None' \
        "isakmp JSON"
    if grep -q grouppass123 "$TT_TMP/isakmp-json.out" "$TT_TMP/isakmp.out"; then
        tt_fail "the group key appears in the isakmp view"
    fi
    tt_pass "isakmp: table and JSON, no key"

    run_ctl pools 0 "ravpnctl pools" pools
    tt_expect_grep "$TT_TMP/pools.out" "^ourpool +254 +0 +254$" "pools table"
    run_ctl pools-json 0 "ravpnctl --json pools" --json pools
    json_check "$TT_TMP/pools-json.out" \
        'r["pools"] == [{"name": "ourpool", "size": 254, "leased": 0, "free": 254}]' "pools JSON"
    run_ctl users 0 "ravpnctl users" users
    tt_expect_grep "$TT_TMP/users.out" "^0 user\(s\)" "users: nobody finished Xauth"
    run_ctl sas 0 "ravpnctl sas" sas
    tt_expect_grep "$TT_TMP/sas.out" "^0 IPsec SA pair\(s\)" "sas: no quick mode yet"
    run_ctl sas-json 0 "ravpnctl --json sas" --json sas
    json_check "$TT_TMP/sas-json.out" 'r["ok"] and r["sas"] == []' "sas JSON"
    tt_pass "pools, users, sas"

    run_ctl reload 0 "ravpnctl --json reload (the same file again)" --json reload
    json_check "$TT_TMP/reload.out" 'r["ok"] and r["dropped"] == 0 and r["kept"] >= 0' "reload JSON: nothing dropped"
    run_ctl debug 0 "ravpnctl debug isakmp,ipsec" debug isakmp,ipsec
    tt_expect_grep "$TT_TMP/debug.out" "debugging on: isakmp,ipsec" "debug answer"
    run_ctl debug-bad 1 "ravpnctl debug bogus" debug bogus
    tt_expect_grep "$TT_TMP/debug-bad.err" "unknown debug category 'bogus'" "debug error"
    run_ctl debug-json 1 "ravpnctl --json debug bogus" --json debug bogus
    json_check "$TT_TMP/debug-json.out" 'r["ok"] is False and "bogus" in r["error"]' "error JSON as-is"
    run_ctl reload-text 0 "ravpnctl reload (one line)" reload
    [ "$(wc -l <"$TT_TMP/reload-text.out")" -eq 1 ] || tt_fail "reload printed more than one line: $(cat "$TT_TMP/reload-text.out")"
    tt_expect_grep "$TT_TMP/reload-text.out" "^configuration reloaded from .*ios-easyvpn\.cfg: [0-9]+ ISAKMP SA\(s\) kept, 0 dropped$" \
        "reload answer"
    tt_pass "reload and debug"

    # ---- the kernel probe: this host's kernel may or may not do ESP; status says which, per transform
    tt_expect_grep "$TT_TMP/status.out" "^kernel IPsec:  ESP states (available|not available)" "status: ESP probe verdict"
    tt_expect_grep "$TT_TMP/status.out" "^forwarding: " "status: forwarding line"
    json_check "$TT_TMP/status-json.out" \
        'r["kernel_capability"]["xfrm"] and len(r["kernel_capability"]["transforms"]) >= 1 and isinstance(r["kernel_capability"]["esp"], bool)' \
        "status JSON: kernel_capability"
    if [ -z "$(ip netns exec "$TT_GW_NS" ip xfrm state)" ]; then tt_pass "the probe's throwaway SAs are gone"
    else tt_fail "XFRM states left after the probe: $(ip netns exec "$TT_GW_NS" ip xfrm state)"; fi

    # ---- metrics: Prometheus text format, parsed by python3-prometheus-client's own parser
    run_ctl metrics 0 "ravpnctl metrics" metrics
    "$PY" - "$TT_TMP/metrics.out" <<'EOF' >"$TT_TMP/metrics-parse.log" 2>&1 || tt_fail "metrics do not parse: $(cat "$TT_TMP/metrics-parse.log")"
import sys
from prometheus_client.parser import text_string_to_metric_families
families = {f.name: f for f in text_string_to_metric_families(open(sys.argv[1]).read())}
def value(name, **labels):
    for s in families[name].samples:
        if all(s.labels.get(k) == v for k, v in labels.items()):
            return s.value
    raise KeyError((name, labels))
assert families["ravpn_failures"].type == "counter", families["ravpn_failures"].type
assert value("ravpn_phase1_handshakes", result="started") >= 1
assert value("ravpn_isakmp_sas", state="negotiating") + value("ravpn_isakmp_sas", state="established") == 1
assert value("ravpn_pool_addresses", pool="ourpool") == 254
assert value("ravpn_pool_free", pool="ourpool") == 254
for reason in ("no_proposal_chosen", "phase1_auth_failed", "xauth_failed"):
    value("ravpn_failures", reason=reason)
assert value("ravpn_kernel_esp") in (0, 1)
print(len(families), "metric families parsed")
EOF
    cat "$TT_TMP/metrics-parse.log" >&2
    tt_pass "ravpnctl metrics parses with prometheus_client ($(grep -c '^ravpn_' "$TT_TMP/metrics.out") samples)"

    # ---- junk, pipelining, an over-long line
    raw_session raw
    cat "$TT_TMP/raw.out" >&2
    tt_expect_ravpnd_alive
    tt_pass "bad requests answered with JSON errors; daemon up"

    # ---- a client that connects and never reads or writes (and one that sends half a line) holds nobody up
    timeout 60 "$PY" -c '
import socket, sys, time
a = socket.socket(socket.AF_UNIX); a.connect(sys.argv[1])
b = socket.socket(socket.AF_UNIX); b.connect(sys.argv[1]); b.sendall(b"{\"version\":1,")
print("connected", flush=True)
time.sleep(40)' "$SOCK" >"$TT_TMP/slow.log" 2>&1 &
    local slow=$!
    TT_PIDS+=("$slow")
    tt_wait_log "$TT_TMP/slow.log" connected 10 "slow client connected"
    local start=$SECONDS
    run_ctl slow-status 0 "status while a slow client is connected" status
    ((SECONDS - start <= 3)) || tt_fail "status took $((SECONDS - start)) s with a slow client connected"
    run_ctl slow-isakmp 0 "isakmp while a slow client is connected" --json isakmp
    tt_stop_pid "$slow" 2
    tt_pass "a silent client does not block other requests"

    # ---- SO_PEERCRED: a uid outside root and group ravpn is refused with an error line
    if command -v setpriv >/dev/null && ! id -nG nobody 2>/dev/null | grep -qw ravpn; then
        chmod 0711 "$TT_TMP"
        chmod 0666 "$SOCK"
        CTL_LAST=nobody
        CTL_RC=0
        timeout 20 setpriv --reuid=65534 --regid=65534 --clear-groups "$RAVPNCTL" --socket "$SOCK" status \
            >"$TT_TMP/nobody.out" 2>"$TT_TMP/nobody.err" || CTL_RC=$?
        chmod 0600 "$SOCK"
        chmod 0700 "$TT_TMP"
        expect_rc 1 "ravpnctl as nobody"
        tt_expect_grep "$TT_TMP/nobody.err" "permission denied: uid 65534" "refusal of uid 65534"
        tt_pass "uid 65534 refused by SO_PEERCRED"
    fi

    # ---- disconnect
    run_ctl disc-none 0 "disconnect --peer 192.0.2.99" disconnect --peer 192.0.2.99
    tt_expect_grep "$TT_TMP/disc-none.out" "^disconnected 0 " "disconnect of an unknown peer"
    run_ctl disc-badaddr 1 "disconnect --address nonsense" disconnect --address nonsense
    run_ctl disc 0 "disconnect --peer 192.0.2.5" disconnect --peer "$TT_CLIENT_ADDR"
    tt_expect_grep "$TT_TMP/disc.out" "^disconnected 1 ISAKMP SA" "disconnect answer"
    tt_wait_log "$TT_RAVPND_LOG" "deleting: disconnected by the operator \(peer 192\.0\.2\.5\)" 5 "daemon log of the disconnect"
    run_ctl after 0 "isakmp after the disconnect" --json isakmp
    json_check "$TT_TMP/after.out" 'r["ok"] and r["sas"] == []' "no SA after the disconnect"
    tt_pass "disconnect --peer removed the SA"

    tt_expect_ravpnd_alive
    tt_stop_ravpnd
    [ ! -e "$SOCK" ] || tt_fail "the socket $SOCK is still there after ravpnd stopped"
    tt_pass "socket removed on shutdown"
    tt_log "all checks passed"
}

main "$@"
