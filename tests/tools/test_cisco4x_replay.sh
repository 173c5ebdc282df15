#!/usr/bin/env bash
# The Cisco VPN Client 4.0.5 login of the seed PIX trace, replayed over UDP by cisco4x-replay
# (tests/ike/cisco4x_client.hpp) against ravpnd running the seed PIX 6.3 config (pix-seed-radius.cfg with its
# secrets; Xauth against a local user instead of the RADIUS server). Host namespaces, no ESP: phase 1, Xauth and
# the mode-config pull. Checked: the head-end takes transform 6 (DES/MD5/group 2/XAUTHInitPreShared) of the eight,
# as the PIX did; john gets a VPNpool address; a wrong Xauth password ends the login.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

: "${CISCO4X_REPLAY:=$(dirname "$RAVPND")/../tests/tools/cisco4x-replay}"
FIXTURES=$SRCDIR/tests/config/fixtures

tt_init
[ -x "$CISCO4X_REPLAY" ] || skip "cisco4x-replay not built at $CISCO4X_REPLAY"
sed -e 's/^crypto map mymap client authentication AuthInbound$/crypto map mymap client authentication LOCAL/' \
  "$FIXTURES/pix-seed-radius.cfg" >"$TT_TMP/pix.cfg"
printf 'username john password doe\n' >>"$TT_TMP/pix.cfg"
grep -q 'client authentication LOCAL' "$TT_TMP/pix.cfg" || tt_fail "could not point Xauth at the local users"
export RAVPN_CONFIG=$TT_TMP/pix.cfg RAVPN_SECRETS=$FIXTURES/pix-seed.secrets
tt_require_ravpnd
tt_topology
# The seed's inside interface (10.89.129.194/28), so the config's interfaces map onto this namespace.
tt_in_gw ip link add in0 type veth peer name in1
tt_in_gw ip addr add 10.89.129.194/28 dev in0
tt_in_gw ip link set in1 up
tt_in_gw ip link set in0 up
tt_start_ravpnd

replay() {
  local password=$1 keys=$2
  tt_in_client "$CISCO4X_REPLAY" --local "$TT_CLIENT_ADDR" --gateway "$TT_GW_ADDR" --group vpn3000 \
    --key grouppass123 --user john --password "$password" --phase1-only --keys "$keys" --retransmits 1
}

# ---- the login
replay doe "$TT_TMP/keys" 2>"$TT_TMP/replay.log" || { cat "$TT_TMP/replay.log" >&2; tt_fail "cisco4x-replay failed"; }
cat "$TT_TMP/replay.log" >&2
# shellcheck source=/dev/null  # written by cisco4x-replay --keys
. "$TT_TMP/keys"
[ "$PHASE1_TRANSFORM" = 6 ] || tt_fail "the head-end chose transform $PHASE1_TRANSFORM, the PIX chose 6"
[[ ${ADDRESS:-} =~ ^10\.89\.129\.20[0-4]$ ]] || tt_fail "mode-config gave '${ADDRESS:-}', not a VPNpool address"
tt_expect_grep "$TT_RAVPND_LOG" 'peer 192\.0\.2\.5:500: phase 1 established \(aggressive mode.*policy 10' "ravpnd: phase 1 with the replay"
tt_expect_grep "$TT_RAVPND_LOG" "Xauth user 'john' authenticated" "ravpnd: Xauth"
tt_pass "4.x replay: aggressive mode transform 6 (DES/MD5/Xauth), Xauth john, mode-config address $ADDRESS"

# ---- a wrong Xauth password: the replay reports it and exits 1
if replay wrong "$TT_TMP/keys-wrong" 2>"$TT_TMP/replay-wrong.log"; then
  tt_fail "cisco4x-replay succeeded with a wrong Xauth password"
fi
tt_expect_grep "$TT_TMP/replay-wrong.log" 'FAILED: Xauth' "cisco4x-replay with a wrong password"
tt_expect_grep "$TT_RAVPND_LOG" "Xauth user 'john' refused" "ravpnd: the wrong password"
tt_expect_ravpnd_alive
tt_pass "a wrong Xauth password ends the replay's login"
