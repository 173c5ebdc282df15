#!/bin/bash
# Kernel lab smoke test (runs INSIDE the lab guest: tests/lab/run-in-lab.sh tests/lab/smoke_esp.sh).
# Checks what the ravpn end-to-end tests rely on:
#   - tunnel-mode ESP with static SAs and out/in/fwd policies (`ip xfrm`): DES/MD5 (cbc(des), hmac(md5))
#     and AES/SHA1 (cbc(aes), hmac(sha1)), traffic forwarded by the gateway and traffic to the gateway's own
#     subnet address; the kernel's byte counters of all four SAs must rise;
#   - nftables in a namespace: an inet table with `meta ipsec exists` (nft_xfrm) counting the decapsulated
#     packets, a nat chain with masquerade, listing the table;
#   - unix domain sockets under /tmp and /run (tmpfs in the guest; they cannot live on the 9p root).
# Topology (all inside the guest, no network card):
#   smk-h 10.21.1.48/24 10.21.2.48/24 --veth-- 10.21.1.1 10.21.2.1 smk-a 192.0.2.1 --veth-- 192.0.2.5 smk-b
#   smk-b has 10.2.1.2/24 and 10.2.2.2/24 on a dummy interface (its protected subnets).
#   SA pair 1 (reqid 1, DES/MD5):  10.21.1.0/24 <-> 10.2.1.0/24
#   SA pair 2 (reqid 2, AES/SHA1): 10.21.2.0/24 <-> 10.2.2.0/24
# Exit 0 only when every check passed; 77 (skip) outside the lab.
set -uo pipefail

if [ "${RAVPN_LAB:-}" != 1 ]; then
  echo "smoke_esp: not inside the kernel lab; run: tests/lab/run-in-lab.sh $0"
  exit 77
fi

failures=0
ok()   { echo "ok   - $*"; }
bad()  { echo "FAIL - $*"; failures=$((failures + 1)); }
check() { local what=$1; shift; if "$@"; then ok "$what"; else bad "$what"; fi; }

A=smk-a B=smk-b H=smk-h
cleanup() { for n in $H $A $B; do ip netns del "$n" 2>/dev/null; done; }
trap cleanup EXIT
cleanup

[ -n "${RAVPN_LAB_MISSING_MODULES:-}" ] && echo "note: modules missing in this kernel: $RAVPN_LAB_MISSING_MODULES"

# ---- topology (ip -batch: one process per namespace, execs are slow under emulation) -------------------
for n in $A $B $H; do ip netns add "$n" || { bad "netns add $n"; exit 1; }; done
ip link add a-b netns $A type veth peer name b-a netns $B
ip link add a-h netns $A type veth peer name h-a netns $H
ip -n $H -batch - <<EOF || bad "setup $H"
link set lo up
link set h-a up
address add 10.21.1.48/24 dev h-a
address add 10.21.2.48/24 dev h-a
route add default via 10.21.1.1
EOF
ip -n $A -batch - <<EOF || bad "setup $A"
link set lo up
link set a-b up
link set a-h up
address add 192.0.2.1/24 dev a-b
address add 10.21.1.1/24 dev a-h
address add 10.21.2.1/24 dev a-h
route add 10.2.0.0/16 via 192.0.2.5
EOF
ip -n $B -batch - <<EOF || bad "setup $B"
link set lo up
link set b-a up
address add 192.0.2.5/24 dev b-a
link add lan0 type dummy
link set lan0 up
address add 10.2.1.2/24 dev lan0
address add 10.2.2.2/24 dev lan0
route add 10.21.0.0/16 via 192.0.2.1
EOF
ip netns exec $A sh -c 'echo 1 > /proc/sys/net/ipv4/ip_forward' || bad "ip_forward in $A"

# ---- SAs and policies ------------------------------------------------------------------------------------
DES_KEY_AB=0x0123456789abcdef;                  MD5_KEY_AB=0x00112233445566778899aabbccddeeff
DES_KEY_BA=0xfedcba9876543210;                  MD5_KEY_BA=0xffeeddccbbaa99887766554433221100
AES_KEY_AB=0x000102030405060708090a0b0c0d0e0f;  SHA1_KEY_AB=0x101112131415161718191a1b1c1d1e1f20212223
AES_KEY_BA=0x0f0e0d0c0b0a09080706050403020100;  SHA1_KEY_BA=0x232221201f1e1d1c1b1a19181716151413121110
states() {
  cat <<EOF
xfrm state add src 192.0.2.1 dst 192.0.2.5 proto esp spi 0x1001 reqid 1 mode tunnel enc cbc(des) $DES_KEY_AB auth hmac(md5) $MD5_KEY_AB
xfrm state add src 192.0.2.5 dst 192.0.2.1 proto esp spi 0x1002 reqid 1 mode tunnel enc cbc(des) $DES_KEY_BA auth hmac(md5) $MD5_KEY_BA
xfrm state add src 192.0.2.1 dst 192.0.2.5 proto esp spi 0x2001 reqid 2 mode tunnel enc cbc(aes) $AES_KEY_AB auth hmac(sha1) $SHA1_KEY_AB
xfrm state add src 192.0.2.5 dst 192.0.2.1 proto esp spi 0x2002 reqid 2 mode tunnel enc cbc(aes) $AES_KEY_BA auth hmac(sha1) $SHA1_KEY_BA
EOF
}
# policies LOCAL_NET REMOTE_NET LOCAL_GW REMOTE_GW REQID
policies() {
  cat <<EOF
xfrm policy add src $1 dst $2 dir out tmpl src $3 dst $4 proto esp reqid $5 mode tunnel
xfrm policy add src $2 dst $1 dir in  tmpl src $4 dst $3 proto esp reqid $5 mode tunnel
xfrm policy add src $2 dst $1 dir fwd tmpl src $4 dst $3 proto esp reqid $5 mode tunnel
EOF
}
{ states; policies 10.21.1.0/24 10.2.1.0/24 192.0.2.1 192.0.2.5 1; policies 10.21.2.0/24 10.2.2.0/24 192.0.2.1 192.0.2.5 2; } \
  | ip -n $A -batch - && ok "ESP states + policies in $A" || bad "ESP states + policies in $A"
{ states; policies 10.2.1.0/24 10.21.1.0/24 192.0.2.5 192.0.2.1 1; policies 10.2.2.0/24 10.21.2.0/24 192.0.2.5 192.0.2.1 2; } \
  | ip -n $B -batch - && ok "ESP states + policies in $B" || bad "ESP states + policies in $B"

# ---- nftables: count decapsulated packets (nft_xfrm), NAT chain with masquerade ------------------------
nft_a=$(cat <<'EOF'
table inet ravpn_smoke {
  chain transit {
    type filter hook forward priority 0; policy accept;
    meta ipsec exists counter
  }
  chain post {
    type nat hook postrouting priority srcnat; policy accept;
    oifname "a-h" rt ipsec missing ip saddr 192.0.2.0/24 masquerade
  }
}
EOF
)
nft_b=$(cat <<'EOF'
table inet ravpn_smoke {
  chain in {
    type filter hook input priority 0; policy accept;
    meta ipsec exists counter
  }
}
EOF
)
check "nft inet table (forward + nat/masquerade) in $A" ip netns exec $A nft -f - <<< "$nft_a"
check "nft inet table (input) in $B" ip netns exec $B nft -f - <<< "$nft_b"

# ---- traffic -------------------------------------------------------------------------------------------
if command -v ping >/dev/null; then PING=(ping -i 0.2); else PING=(/bin/busybox ping); fi
ping_ok() { # NS SRC DST
  ip netns exec "$1" "${PING[@]}" -c 3 -W 5 -I "$2" "$3" >/dev/null 2>&1 ||
    ip netns exec "$1" "${PING[@]}" -c 3 -W 5 -I "$2" "$3"  # once more, showing the output
}
check "ping 10.21.1.48 -> 10.2.1.2 through DES/MD5 tunnel (forwarded by $A)" ping_ok $H 10.21.1.48 10.2.1.2
check "ping 10.21.2.48 -> 10.2.2.2 through AES/SHA1 tunnel (forwarded by $A)" ping_ok $H 10.21.2.48 10.2.2.2
check "ping 10.2.1.2 -> 10.21.1.48 from $B's subnet address" ping_ok $B 10.2.1.2 10.21.1.48

# bytes NS SRC DST SPI -> current byte count of that SA
bytes() {
  ip -n "$1" -s xfrm state get src "$2" dst "$3" proto esp spi "$4" 2>/dev/null |
    awk '/lifetime current:/ { getline; sub(/\(bytes\).*/, ""); gsub(/[ \t]/, ""); print; exit }'
}
for spec in "$A 192.0.2.1 192.0.2.5 0x1001 des/md5 out" "$A 192.0.2.5 192.0.2.1 0x1002 des/md5 in" \
            "$B 192.0.2.5 192.0.2.1 0x1002 des/md5 out" "$B 192.0.2.1 192.0.2.5 0x1001 des/md5 in" \
            "$A 192.0.2.1 192.0.2.5 0x2001 aes/sha1 out" "$A 192.0.2.5 192.0.2.1 0x2002 aes/sha1 in" \
            "$B 192.0.2.5 192.0.2.1 0x2002 aes/sha1 out" "$B 192.0.2.1 192.0.2.5 0x2001 aes/sha1 in"; do
  set -- $spec
  n=$(bytes "$1" "$2" "$3" "$4")
  if [ -n "$n" ] && [ "$n" -gt 0 ] 2>/dev/null; then ok "SA $4 ($5, $6 in $1) counted $n bytes"
  else bad "SA $4 ($5, $6 in $1) byte counter did not rise (got '${n}')"; fi
done

# nft counters: decapsulated packets seen with a secpath
nft_count() { ip netns exec "$1" nft list chain inet ravpn_smoke "$2" 2>/dev/null | awk '/ipsec exists counter/ { for (i = 1; i < NF; i++) if ($i == "packets") { print $(i + 1); exit } }'; }
n=$(nft_count $A transit); [ "${n:-0}" -gt 0 ] && ok "nft 'meta ipsec exists' counted $n forwarded packets in $A" || bad "nft ipsec counter in $A is '${n}'"
n=$(nft_count $B in);  [ "${n:-0}" -gt 0 ] && ok "nft 'meta ipsec exists' counted $n input packets in $B" || bad "nft ipsec counter in $B is '${n}'"
check "nft list table inet ravpn_smoke in $A" sh -c "ip netns exec $A nft list table inet ravpn_smoke | grep -q masquerade"

# ---- unix domain sockets on the guest's tmpfs mounts --------------------------------------------------
# one python3 run for all paths (each start costs seconds under emulation); prints "PATH ok|error"
unix_socks() {
  python3 - "$@" <<'EOF'
import os, socket, sys
for p in sys.argv[1:]:
    try:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.bind(p); s.listen(1)
        c = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM); c.connect(p)
        c.close(); s.close()
        print(p, "ok")
    except OSError as e:
        print(p, "error:", e)
    finally:
        try: os.unlink(p)
        except OSError: pass
EOF
}
if command -v python3 >/dev/null; then
  mkdir -p /run/smoke-esp
  ninep=${RAVPN_LAB_JOB:-/var/tmp}/smoke-esp-9p.sock   # on the 9p root (informational)
  res=$(unix_socks /tmp/smoke-esp.sock /run/smoke-esp/test.sock "$ninep")
  rmdir /run/smoke-esp
  grep -q '^/tmp/smoke-esp.sock ok' <<< "$res" && ok "unix socket under /tmp" || bad "unix socket under /tmp: $res"
  grep -q '^/run/smoke-esp/test.sock ok' <<< "$res" && ok "unix socket under /run" || bad "unix socket under /run: $res"
  if grep -q "^$ninep ok" <<< "$res"; then echo "note: a unix socket could be used on the 9p root too"
  else echo "note: as expected, no unix socket on the 9p root ($(grep "^$ninep" <<< "$res" | cut -d' ' -f2-))"; fi
else
  bad "python3 missing: cannot test unix sockets"
fi

echo
if [ $failures -eq 0 ]; then echo "smoke_esp: all checks passed"; exit 0; fi
echo "smoke_esp: $failures check(s) failed"
ip -n $A -s xfrm state 2>&1 | head -40
exit 1
