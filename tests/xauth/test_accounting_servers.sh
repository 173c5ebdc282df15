#!/usr/bin/env bash
# Accounting records from ravpn's real exchanges to servers we did not write (or proved), on 127.0.0.1:
#  1. FreeRADIUS 3.2 with an accounting listener and its detail module: Start, Interim-Update and Stop arrive with
#     the attributes RFC 2866 names (session id, user, Framed-IP-Address, octets + gigawords, packets, session time,
#     terminate cause, Class echoed); FreeRADIUS checks the Request Authenticator (a wrong one is dropped).
#  2. tests/tools/tacacs_server.py logs START, WATCHDOG and STOP with task_id, addr, bytes; tshark's TACACS+
#     dissector decodes every packet with the key, none malformed.
# Skips (77) when FreeRADIUS or tshark is missing.
#   test_accounting_servers.sh PATH/TO/accounting_check PATH/TO/tacacs_server.py
set -euo pipefail
CHECK=${1:?usage: test_accounting_servers.sh ACCOUNTING_CHECK TACACS_SERVER}
SERVER=${2:?usage}
AUTH_PORT=18130
ACCT_PORT=18131
TACACS_PORT=14960

FREERADIUS=$(command -v freeradius || true)
[ -n "$FREERADIUS" ] || { echo "SKIP: FreeRADIUS is not installed"; exit 77; }
command -v tshark >/dev/null || { echo "SKIP: tshark missing"; exit 77; }

. "$(dirname "$0")/server_test_lib.sh"
server_test_init accounting

# ---- FreeRADIUS
. "$(dirname "$0")/../tools/freeradius.sh"
mkdir -m 0700 "$DIR/radius"
fr_write_config "$DIR/radius" 127.0.0.1 "$AUTH_PORT" 127.0.0.1 secretkey "$ACCT_PORT"
echo 'john Cleartext-Password := "doe"' >"$DIR/radius/users"
"$FREERADIUS" -X -n radiusd -d "$DIR/radius" >"$DIR/radiusd.log" 2>&1 &
PIDS+=($!)
fr_wait_ready "$DIR/radiusd.log" "${PIDS[-1]}" || fail "FreeRADIUS did not start"

"$CHECK" radius "$ACCT_PORT" secretkey >"$DIR/check-radius.log" 2>&1 || fail "RADIUS accounting: $(cat "$DIR/check-radius.log")"
cat "$DIR/check-radius.log"
detail=$DIR/radius/detail
[ -f "$detail" ] || fail "FreeRADIUS wrote no detail file"
for want in 'Acct-Status-Type = Start' 'Acct-Status-Type = Interim-Update' 'Acct-Status-Type = Stop' \
            'Acct-Session-Id = "5F00000000000001"' 'User-Name = "john"' 'Framed-IP-Address = 10.89.129.201' \
            'Acct-Input-Octets = 1234' 'Acct-Input-Gigawords = 1' 'Acct-Output-Octets = 5678' \
            'Acct-Input-Packets = 12' 'Acct-Output-Packets = 34' 'Acct-Session-Time = 95' \
            'Acct-Terminate-Cause = Session-Timeout' 'Class = 0x414343542d434c4153532d6a6f686e' \
            'Calling-Station-Id = "198.51.100.7"' 'NAS-Identifier = "ravpn-check"' 'Acct-Delay-Time = 2' \
            'NAS-Port-Type = Virtual' 'Service-Type = Framed-User'; do
    grep -qF -- "$want" "$detail" || { cat "$detail"; fail "the detail file has no '$want'"; }
done
[ "$(grep -c 'Acct-Status-Type' "$detail")" = 3 ] || fail "not three records in the detail file"
echo "ok - FreeRADIUS's detail file has Start, Interim-Update and Stop with every attribute"
"$CHECK" radius "$ACCT_PORT" wrongkey >"$DIR/check-wrongkey.log" 2>&1 && fail "a wrong key was acknowledged"
grep -q "Received packet from 127.0.0.1 with invalid Request Authenticator\|invalid Request Authenticator\|Dropping packet" \
    "$DIR/radiusd.log" || fail "FreeRADIUS did not say why it dropped the wrong-key request"
echo "ok - a wrong key: FreeRADIUS drops the request (invalid Request Authenticator), ravpn gets no answer"

# ---- TACACS+, captured for tshark
tshark -q -i lo -f "tcp port $TACACS_PORT" -w "$DIR/tacacs.pcapng" >"$DIR/tshark-capture.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 100); do grep -q "Capturing on" "$DIR/tshark-capture.log" && break; sleep 0.1; done
printf 'john doe\n' >"$DIR/tacacs-users"
python3 -u "$SERVER" --address 127.0.0.1 --port "$TACACS_PORT" --key tackey --users "$DIR/tacacs-users" \
    >"$DIR/tacacs-server.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 100); do grep -q "^listening" "$DIR/tacacs-server.log" && break; sleep 0.1; done
"$CHECK" tacacs "$TACACS_PORT" tackey >"$DIR/check-tacacs.log" 2>&1 || fail "TACACS+ accounting: $(cat "$DIR/check-tacacs.log")"
cat "$DIR/check-tacacs.log"
for want in '^acct START user john from 127\.0\.0\.1 task_id=5F00000000000001 start_time=1700000000 timezone=UTC service=ppp protocol=ip addr=10\.89\.129\.201 -> SUCCESS$' \
            '^acct WATCHDOG user john .* elapsed_time=60 bytes_in=4294968530 bytes_out=5678 paks_in=12 paks_out=34 -> SUCCESS$' \
            '^acct STOP user john .* elapsed_time=95 .* stop_time=1700000095 disc-cause=5 -> SUCCESS$'; do
    grep -Eq -- "$want" "$DIR/tacacs-server.log" || fail "the TACACS+ server logged no record like /$want/"
done
echo "ok - the TACACS+ server logged START, WATCHDOG and STOP"
sleep 0.5
kill "${PIDS[1]}" 2>/dev/null || true
wait "${PIDS[1]}" 2>/dev/null || true
decode=(tshark -r "$DIR/tacacs.pcapng" -d "tcp.port==$TACACS_PORT,tacplus" -o "tacplus.key:tackey")
"${decode[@]}" -Y "_ws.malformed || _ws.expert.severity >= error" >"$DIR/malformed.txt" 2>"$DIR/tshark-decode.log"
[ ! -s "$DIR/malformed.txt" ] || { head -n 20 "$DIR/malformed.txt"; fail "tshark found malformed TACACS+ packets"; }
"${decode[@]}" -Y tacplus -T fields -E separator=, -E aggregator=';' -e tacplus.type -e tacplus.seqno \
    -e tacplus.acct.flags -e tacplus.user -e tacplus.arg_value -e tacplus.body_acct.status \
    >"$DIR/fields.txt" 2>"$DIR/tshark-decode.log"
for want in '^3,1,0x0*2,john,task_id=5F00000000000001;.*addr=10\.89\.129\.201,$' \
            '^3,1,0x0*8,john,.*bytes_in=4294968530;.*,$' '^3,1,0x0*4,john,.*disc-cause=5,$' '^3,2,,,,0x0*1$'; do
    grep -Eq -- "$want" "$DIR/fields.txt" || { cat "$DIR/fields.txt"; fail "tshark decoded no packet like /$want/"; }
done
echo "ok - tshark decoded $(wc -l <"$DIR/fields.txt") TACACS+ accounting packets with the key, none malformed"
echo "PASS"
