#!/usr/bin/env bash
# strongSwan (charon-cmd) as a main-mode PSK client against ravpnd, like Cisco VPN Client 1.1:
# IP-address identity, DES/MD5/modp768 (seed policy 10), the wildcard address key cisco1234.
# charon-cmd has no plain IKEv1 PSK profile: ikev1-xauth-psk is main mode with auth method 65001
# (XAUTHInitPreShared), then Xauth, which is the next milestone. What this checks is phase 1.
#
# charon logs nothing when the responder's HASH_R verifies under an Xauth method (the IKE_SA is only
# "established" after Xauth). So phase 1 is proven by: main mode message 6 parsed
# ("parsed ID_PROT response 0 [ ID HASH ...]"), and then none of what charon does on a bad HASH_R
# or a refusal ("calculated HASH does not match HASH payload", a DELETE, an AUTH_FAILED notify,
# CONNECTING => DESTROYING) while it waits for the Xauth request; plus ravpnd's own log line.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

PHASE1_RE='phase 1 established'
PEER_RE='peer 192\.0\.2\.5'
CHARON_BAD_RE='calculated HASH does not match|decryption failed|could not decrypt|\[ HASH D \]|N\(AUTH_FAILED\)|N\(NO_PROP\)|N\(INVAL_|CONNECTING => DESTROYING|no proposal found|establishing connection .* failed'

main_mode_args() {
    mapfile -t CHARON_ARGS < <(tt_charon_main_mode_args)
}

check_good_psk() {
    main_mode_args
    tt_start_charon_cmd charon cisco1234 doe "${CHARON_ARGS[@]}"
    tt_wait_log "$TT_CHARON_LOG" 'initiating Main Mode IKE_SA' 20 "charon-cmd start" "$TT_CHARON_PID"
    tt_wait_log "$TT_CHARON_LOG" 'parsed ID_PROT response 0 \[ ID HASH' 30 \
        "charon-cmd receiving main mode message 6 (IDr, HASH_R)" "$TT_CHARON_PID"
    # Give a failed HASH_R check time to show (it is logged at once, a DELETE follows).
    sleep 3
    tt_expect_no_grep "$TT_CHARON_LOG" "$CHARON_BAD_RE" "charon-cmd after main mode message 6"
    kill -0 "$TT_CHARON_PID" 2>/dev/null ||
        tt_fail "charon-cmd: expected it to wait for Xauth after main mode, it exited: $(tail -n 3 "$TT_CHARON_LOG" | tr '\n' '|')"
    tt_wait_log "$TT_RAVPND_LOG" "$PHASE1_RE.*$PEER_RE|$PEER_RE.*$PHASE1_RE" 10 "ravpnd phase 1 with charon-cmd"
    grep -E "$PHASE1_RE" "$TT_RAVPND_LOG" | grep -E "$PEER_RE" | grep -q 'main mode' ||
        tt_fail "ravpnd: expected the phase 1 line for 192.0.2.5 to say 'main mode', saw: $(grep -E "$PHASE1_RE" "$TT_RAVPND_LOG" | tail -n1)"
    tt_stop_pid "$TT_CHARON_PID" 5
    tt_pass "charon-cmd: main mode DES/MD5/modp768 authenticated the responder; ravpnd logged phase 1 established"
}

check_wrong_psk() {
    main_mode_args
    tt_start_charon_cmd charon-badpsk not-the-key doe "${CHARON_ARGS[@]}"
    # In main mode the initiator's HASH_I (message 5) comes first: ravpnd is the side that notices.
    tt_wait_log "$TT_RAVPND_LOG" 'authentication failed' 30 "ravpnd with a wrong PSK from 192.0.2.5"
    tt_expect_no_grep "$TT_CHARON_LOG" 'parsed ID_PROT response 0 \[ ID HASH|IKE_SA cmd\[1\] established' \
        "charon-cmd with a wrong PSK"
    tt_stop_pid "$TT_CHARON_PID" 5
    tt_pass "wrong PSK: ravpnd logged authentication failed, no main mode message 6"
}

main() {
    tt_init
    tt_require_tools charon-cmd
    tt_require_ravpnd
    tt_topology
    tt_start_ravpnd
    check_good_psk
    check_wrong_psk
    tt_expect_ravpnd_alive
    tt_log "all checks passed"
}

main "$@"
