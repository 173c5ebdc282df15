#!/usr/bin/env bash
# In the kernel lab: a quick mode that outlives its larval SA still installs. ALLOCSPI leaves a larval SA that the
# kernel drops after net.core.xfrm_acq_expires seconds (30 by default); a user typing slowly or a loaded box makes
# quick mode end later. NetlinkKernel's add_sa(update) then gets ESRCH from UPDSA and adds the SA with NEWSA under
# the same SPI (tests/netlink/xfrm_probe drives NetlinkKernel; acq_expires is set to 1 s in a namespace of ours).
# The spare SPIs the IKE process keeps (daemon/privsep/remote_kernel.hpp) are larval SAs for the placeholder peer
# 0.0.0.0: their lapse is not reported as an expiry (a tunnel installed under a reused SPI must not go with it),
# while a larval SA for a real peer's is.
set -euo pipefail
. "$(dirname "$0")/../tools/lib.sh"
. "$(dirname "$0")/lib-lab.sh"
lab_require_esp
probe=${XFRM_PROBE:-$(dirname "$RAVPND")/../tests/netlink/xfrm_probe}
[ -x "$probe" ] || tt_fail "no xfrm_probe at $probe"

tt_init
ns=ravpn-larval-$TT_ID
tt_netns_add "$ns"
ip netns exec "$ns" sysctl -qw net.core.xfrm_acq_expires=1
ip -n "$ns" link add d0 type dummy
ip -n "$ns" addr add 192.0.2.1/24 dev d0
ip -n "$ns" link set d0 up

spi=$(ip netns exec "$ns" "$probe" allocate 192.0.2.5 192.0.2.1 7 | sed -n 's/^spi \(0x[0-9a-f]*\)$/\1/p')
[ -n "$spi" ] || tt_fail "ALLOCSPI gave no SPI"
# (the larval SA may already be gone by the time we look: the lab is slow and 1 s is short)
for _ in $(seq 40); do ip -n "$ns" xfrm state | grep -q "spi $spi" || break; sleep 0.25; done
ip -n "$ns" xfrm state | grep -q "spi $spi" && tt_fail "the larval SA did not expire"
tt_pass "the larval SA of $spi expired (xfrm_acq_expires 1 s)"

ip netns exec "$ns" "$probe" sa-add 192.0.2.5 192.0.2.1 "$spi" 7 aes128 sha1 10.2.1.1/32 10.21.1.0/24 update \
    || tt_fail "installing the SA after its larval state expired"
ip -n "$ns" xfrm state | grep -A3 "spi $spi" | grep -q "cbc(aes)" || { ip -n "$ns" xfrm state >&2; tt_fail "SA $spi not installed"; }
tt_pass "UPDSA found no larval SA; the SA was added with NEWSA under the same SPI $spi"

out=$(printf 'allocate 0.0.0.0 192.0.2.1 0\nallocate 192.0.2.6 192.0.2.1 0\nevents 6\n' |
      ip netns exec "$ns" "$probe" -) || tt_fail "xfrm_probe: $out"
spare=$(echo "$out" | sed -n 's/^spi \(0x[0-9a-f]*\)$/\1/p' | sed -n 1p)
peer=$(echo "$out" | sed -n 's/^spi \(0x[0-9a-f]*\)$/\1/p' | sed -n 2p)
[ -n "$spare" ] && [ -n "$peer" ] || tt_fail "ALLOCSPI gave no SPIs: $out"
echo "$out" | grep -q "^expire dst=192.0.2.1 spi=$peer hard" ||
    tt_fail "no expiry reported for the peer's larval SA $peer: $out"
echo "$out" | grep -q "spi=$spare" && tt_fail "the spare larval SA's lapse was reported: $out"
ip -n "$ns" xfrm state | grep -q "spi $spare" && tt_fail "the spare larval SA $spare did not lapse"
tt_pass "a spare larval SA ($spare, source 0.0.0.0) lapsed unreported; a peer's ($peer) was reported"
