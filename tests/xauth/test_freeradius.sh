#!/usr/bin/env bash
# Xauth against a real RADIUS server: starts FreeRADIUS 3.2 in the foreground on 127.0.0.1 with a minimal
# configuration in a temporary directory (client 127.0.0.1 with secret "secretkey", users john and jane), then runs
# radius_check (tests/xauth/radius_check.cpp), which drives ravpn's RADIUS backend: accept, reject, unknown user, a
# server that never answers, nothing listening, failover, wrong key, concurrent requests, a PIX tag, IOS
# `group radius local`.
# Checks that the Access-Requests carried the attributes we mean to send and that no password or key appears in
# ravpn's own output. Skips (77) only when FreeRADIUS is not installed; scripts/install-deps.sh installs it.
#   test_freeradius.sh PATH/TO/radius_check
set -euo pipefail

CHECK=${1:?usage: test_freeradius.sh RADIUS_CHECK}
ALIVE_PORT=18120   # FreeRADIUS listens here
SILENT_PORT=18121  # radius_check holds this one open and never answers
CLOSED_PORT=18122  # nothing listens here

FREERADIUS=""
for f in /usr/sbin/freeradius /usr/sbin/radiusd; do
    [ -x "$f" ] && FREERADIUS=$f && break
done
if [ -z "$FREERADIUS" ]; then
    echo "SKIP: FreeRADIUS is not installed (scripts/install-deps.sh installs the freeradius package)"
    exit 77
fi

DIR=$(mktemp -d /tmp/ravpn-freeradius.XXXXXX)
SERVER_PID=""
cleanup() {
    if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    rm -rf "$DIR"
}
trap cleanup EXIT

fail() {
    echo "FAIL: $*"
    echo "---- FreeRADIUS log (last 40 lines) ----"
    tail -n 40 "$DIR/radiusd.log" 2>/dev/null || true
    exit 1
}

if ss -Huln "( sport = :$ALIVE_PORT or sport = :$SILENT_PORT or sport = :$CLOSED_PORT )" 2>/dev/null | grep -q .; then
    fail "UDP port $ALIVE_PORT, $SILENT_PORT or $CLOSED_PORT is already in use"
fi

. "$(dirname "$0")/../tools/freeradius.sh"
fr_write_config "$DIR" 127.0.0.1 "$ALIVE_PORT" 127.0.0.1 secretkey
cat >"$DIR/users" <<'EOF'
john    Cleartext-Password := "doe"
jane    Cleartext-Password := "jane S3cret:with colon"
EOF

"$FREERADIUS" -X -n radiusd -d "$DIR" >"$DIR/radiusd.log" 2>&1 &
SERVER_PID=$!

fr_wait_ready "$DIR/radiusd.log" "$SERVER_PID" || fail "FreeRADIUS did not start within 10 s"
echo "FreeRADIUS $("$FREERADIUS" -v 2>/dev/null | head -n1 | sed 's/.*Version \([0-9.]*\).*/\1/') listening on 127.0.0.1:$ALIVE_PORT"

rc=0
"$CHECK" "$ALIVE_PORT" "$SILENT_PORT" "$CLOSED_PORT" >"$DIR/check.log" 2>&1 || rc=$?
cat "$DIR/check.log"
[ "$rc" -eq 0 ] || fail "radius_check exited with $rc"

# ravpn's output names users, servers and reasons, never a password or a key.
for secret in 'Wr0ng-Pa55' 'jane S3cret' 'local-Pa55' 'secretkey' 'not-the-key'; do
    if grep -qF -- "$secret" "$DIR/check.log"; then
        fail "ravpn's output contains a password or key ($secret)"
    fi
done
if grep -qw 'doe' "$DIR/check.log"; then
    fail "ravpn's output contains john's password"
fi

# What FreeRADIUS received (its debug log shows every attribute of every request).
for attribute in 'User-Name = "john"' 'NAS-Port-Type = Virtual' 'Service-Type = Login-User' \
                 'Calling-Station-Id = "198.51.100.7"' 'NAS-IP-Address = 127.0.0.1' 'Message-Authenticator = 0x'; do
    grep -qF -- "$attribute" "$DIR/radiusd.log" || fail "no Access-Request carried $attribute"
done
grep -qi "invalid Message-Authenticator" "$DIR/radiusd.log" ||
    fail "FreeRADIUS did not report the request made with the wrong key"
echo "PASS: Xauth against FreeRADIUS"
