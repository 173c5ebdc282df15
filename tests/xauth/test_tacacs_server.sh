#!/usr/bin/env bash
# Xauth against TACACS+ on 127.0.0.1, in three steps:
#  1. Prove our test server (tests/tools/tacacs_server.py) against a client we did not write, Debian's
#     Authen::TacacsPlus: ASCII and PAP logins pass, a wrong password and a wrong key fail.
#  2. tacacs_check (tests/xauth/tacacs_check.cpp) drives ravpn's TACACS+ backend against it: ASCII (GETUSER/GETPASS)
#     and PAP, reject, wrong key, garbage, a silent server, nothing listening, failover, single-connection,
#     concurrent sessions. ravpn's output must hold no password or key.
#  3. tshark's TACACS+ dissector, given the key, decodes what the backend sent (type, sequence, user, action,
#     status) without a malformed packet.
# Skips (77) when perl's Authen::TacacsPlus or tshark is missing (scripts/install-deps.sh installs both).
#   test_tacacs_server.sh PATH/TO/tacacs_check PATH/TO/tacacs_server.py
set -euo pipefail

CHECK=${1:?usage: test_tacacs_server.sh TACACS_CHECK TACACS_SERVER}
SERVER=${2:?usage: test_tacacs_server.sh TACACS_CHECK TACACS_SERVER}
OK_PORT=14949       # key tackey, single-connection offered
GARBAGE_PORT=14950  # answers every packet with bytes that are not TACACS+
SILENT_PORT=14951   # accepts and never answers
CLOSED_PORT=14952   # nothing listens here
OTHER_PORT=14953    # like OK_PORT, for the wrong-key check (not captured: tshark decodes OK_PORT with the key)

perl -MAuthen::TacacsPlus -e 1 2>/dev/null || { echo "SKIP: perl Authen::TacacsPlus missing (libauthen-tacacsplus-perl)"; exit 77; }
command -v tshark >/dev/null || { echo "SKIP: tshark missing"; exit 77; }

. "$(dirname "$0")/server_test_lib.sh"
server_test_init tacacs

if ss -Hltn "( sport = :$OK_PORT or sport = :$GARBAGE_PORT or sport = :$SILENT_PORT or sport = :$CLOSED_PORT or \
        sport = :$OTHER_PORT )" 2>/dev/null | grep -q .; then
    fail "TCP port $OK_PORT, $GARBAGE_PORT, $SILENT_PORT, $CLOSED_PORT or $OTHER_PORT is already in use"
fi

printf 'john doe\njane jane S3cret:with colon\n' >"$DIR/users"
start_server() {  # NAME PORT ARGS...
    local name=$1 port=$2
    shift 2
    python3 "$SERVER" --port "$port" --key tackey --users "$DIR/users" --log "$DIR/$name.log" "$@" &
    PIDS+=($!)
    for _ in $(seq 100); do
        grep -q "^listening" "$DIR/$name.log" 2>/dev/null && return 0
        sleep 0.1
    done
    fail "tacacs_server.py ($name) did not start within 10 s"
}
start_server ok "$OK_PORT" --single-connection
start_server garbage "$GARBAGE_PORT" --mode garbage
start_server silent "$SILENT_PORT" --mode silent
start_server other "$OTHER_PORT"

# ---- 1. the server against Authen::TacacsPlus --------------------------------------------------------------------
cat >"$DIR/login.pl" <<'EOF'
use strict;
use Authen::TacacsPlus;
my ($port, $key, $user, $password, $type) = @ARGV;
my $t = Authen::TacacsPlus->new(Host => '127.0.0.1', Port => $port, Key => $key, Timeout => 5)
    or die "no connection: " . Authen::TacacsPlus::errmsg() . "\n";
my $authen_type = $type eq 'pap' ? Authen::TacacsPlus::TAC_PLUS_AUTHEN_TYPE_PAP()
                                 : Authen::TacacsPlus::TAC_PLUS_AUTHEN_TYPE_ASCII();
my $ok = $t->authen($user, $password, $authen_type);
$t->close();
print $ok ? "PASS\n" : "FAIL\n";
exit($ok ? 0 : 1);
EOF
perl_login() {  # WANT KEY USER PASSWORD TYPE
    local want=$1 got
    got=$(perl "$DIR/login.pl" "$OK_PORT" "$2" "$3" "$4" "$5" 2>&1 || true)
    [ "$got" = "$want" ] || fail "Authen::TacacsPlus $5 login of $3 (key $2): wanted $want, got $got"
    echo "ok - Authen::TacacsPlus $5 login of $3, $([ "$4" = doe ] && echo right || echo wrong) password, key $2: $got"
}
perl_login PASS tackey john doe ascii
perl_login PASS tackey john doe pap
perl_login FAIL tackey john wrong ascii
perl_login FAIL tackey john wrong pap
perl_login FAIL badkey john doe ascii
perl_login FAIL badkey john doe pap
grep -q "^authen START ascii user (none) from 127.0.0.1 .*(GETUSER john) -> PASS$" "$DIR/ok.log" ||
    fail "the server did not log the ASCII login of Authen::TacacsPlus"
grep -q "^authen START pap user john .* -> FAIL$" "$DIR/ok.log" || fail "the server did not log the PAP reject"
[ "$(grep -c 'wrong key?' "$DIR/ok.log")" -eq 2 ] || fail "the server did not log both wrong-key packets"
: >"$DIR/ok.log"

# ---- 2 and 3. ravpn's backend, captured ----------------------------------------------------------------------------
tshark -q -i lo -f "tcp port $OK_PORT" -w "$DIR/tacacs.pcapng" >"$DIR/tshark-capture.log" 2>&1 &
CAPTURE=$!
PIDS+=($CAPTURE)
for _ in $(seq 100); do grep -q "Capturing on" "$DIR/tshark-capture.log" && break; sleep 0.1; done
grep -q "Capturing on" "$DIR/tshark-capture.log" || fail "tshark did not start capturing on lo"

rc=0
"$CHECK" "$OK_PORT" "$GARBAGE_PORT" "$SILENT_PORT" "$CLOSED_PORT" "$OTHER_PORT" >"$DIR/check.log" 2>&1 || rc=$?
cat "$DIR/check.log"
sleep 1
kill -INT "$CAPTURE"
wait "$CAPTURE" 2>/dev/null || true
[ "$rc" -eq 0 ] || fail "tacacs_check exited with $rc"

for secret in 'Wr0ng-Pa55' 'jane S3cret' 'tackey' 'not-the-key'; do
    grep -qF -- "$secret" "$DIR/check.log" && fail "ravpn's output contains a password or key ($secret)"
done
grep -qw 'doe' "$DIR/check.log" && fail "ravpn's output contains john's password"

# What the server saw from ravpn: ASCII logins with the user in START (answered GETPASS), PAP, and the three
# sequential ASCII sessions on one connection.
for line in "authen START ascii user john from 127.0.0.1 rem_addr 198.51.100.7 -> PASS" \
            "authen START ascii user john from 127.0.0.1 rem_addr 198.51.100.7 -> FAIL" \
            "authen START ascii user jane from 127.0.0.1 rem_addr 198.51.100.7 -> PASS" \
            "authen START pap user john from 127.0.0.1 rem_addr 198.51.100.7 -> PASS" \
            "authen START pap user nobody from 127.0.0.1 rem_addr 198.51.100.7 -> FAIL"; do
    grep -qxF -- "$line" "$DIR/ok.log" || fail "the server did not log: $line"
done
echo "ok - the server logged ravpn's ASCII and PAP logins"
connections=$(grep -c '^single-connection from' "$DIR/ok.log")
logins=$(grep -c '^authen START' "$DIR/ok.log")
# 3 ASCII + 2 PAP + 2 failover + 8 concurrent + 1 PIX = 16 sessions; the single connection is reused, so fewer
# connections than sessions (the 3 first ASCII sessions share one).
grep -q '^bad packet from 127.0.0.1: body does not parse (wrong key?)$' "$DIR/other.log" ||
    fail "the server did not see ravpn's wrong key"
[ "$logins" -eq 16 ] || fail "the server saw $logins logins, expected 16"
[ "$connections" -lt "$logins" ] || fail "single-connection: $connections connections for $logins logins"
echo "ok - single-connection: $logins logins over $connections connections"

# tshark decodes with the key: every packet TACACS+, no malformed one, and the fields we mean to send.
decode=(tshark -r "$DIR/tacacs.pcapng" -d "tcp.port==$OK_PORT,tacplus" -o "tacplus.key:tackey")
"${decode[@]}" -Y "_ws.malformed || _ws.expert.severity >= error" >"$DIR/malformed.txt" 2>"$DIR/tshark-decode.log"
[ ! -s "$DIR/malformed.txt" ] || { head -n 20 "$DIR/malformed.txt"; fail "tshark found malformed TACACS+ packets"; }
"${decode[@]}" -Y tacplus -T fields -E separator=, -e tacplus.type -e tacplus.seqno -e tacplus.flags.singleconn \
    -e tacplus.authen_action -e tacplus.authentication_type -e tacplus.user -e tacplus.remote_address \
    -e tacplus.body_authen_rep.status >"$DIR/fields.txt" 2>"$DIR/tshark-decode.log"
packets=$(wc -l <"$DIR/fields.txt")
# type 1 (authentication), seq, single-connect, action 1 (login), authen_type, user, rem_addr, reply status: START of
# john (ASCII), the GETPASS (0x05) and PASS (0x01) replies, PAP START, a FAIL (0x02) reply.
for want in '^1,1,1,1,1,john,198\.51\.100\.7,$' '^1,2,[01],,,,,0x05$' '^1,4,[01],,,,,0x01$' \
            '^1,1,1,1,2,john,198\.51\.100\.7,$' '^1,2,[01],,,,,0x02$'; do
    grep -Eq "$want" "$DIR/fields.txt" || { head -n 20 "$DIR/fields.txt"; fail "tshark decoded no packet like $want"; }
done
echo "ok - tshark decoded $packets TACACS+ packets with the key, none malformed"
echo "PASS"
