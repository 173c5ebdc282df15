#!/bin/sh
# Cross-check our ISAKMP bytes with an independent dissector: emit_pcap writes the sample messages, tshark
# decodes them, and we grep for the fields it must have understood. Exit 77 (meson: skipped) without tshark.
# Usage: tshark_check.sh PATH/TO/emit_pcap
set -u
emit=${1:?usage: tshark_check.sh emit_pcap}
command -v tshark >/dev/null 2>&1 || { echo "tshark not installed: skipping"; exit 77; }
dir=$(mktemp -d) || exit 1
trap 'rm -rf "$dir"' EXIT
"$emit" "$dir/samples.pcap" || { echo "emit_pcap failed"; exit 1; }
# -o ip.check_checksum: also verifies emit_pcap's IPv4 header checksum.
tshark -r "$dir/samples.pcap" -V -o ip.check_checksum:TRUE >"$dir/decoded.txt" 2>"$dir/stderr.txt" ||
  { cat "$dir/stderr.txt"; echo "tshark failed"; exit 1; }

fail=0
expect() {  # expect COUNT TEXT: TEXT (fixed string) occurs on exactly COUNT lines; COUNT "+" means at least one
  n=$(grep -cF -- "$2" "$dir/decoded.txt")
  if [ "$1" = "+" ]; then [ "$n" -ge 1 ] && return 0; elif [ "$n" -eq "$1" ]; then return 0; fi
  echo "FAIL: expected $1 line(s) with: $2 (found $n)"
  fail=1
}

expect 7 "Internet Security Association and Key Management Protocol"
expect 7 "[Header checksum status: Good]"
expect 0 "Malformed"
expect 0 "Expert Info"
# Exchange types (RFC 2408 §3.1, mode-config transaction 6).
expect 1 "Exchange type: Identity Protection (Main Mode) (2)"
expect 3 "Exchange type: Aggressive (4)"
expect 2 "Exchange type: Informational (5)"
expect 1 "Exchange type: Transaction (Config Mode) (6)"
# SA: proposals/transforms and TV/TLV attributes (RFC 2408 §3.4-3.6, RFC 2409 appendix A).
expect 3 "Proposal transforms: "
expect 1 "Proposal transforms: 1"
expect 1 "Proposal transforms: 2"
expect 1 "Proposal transforms: 3"
expect 3 "Authentication Method: XAUTHInitPreShared (65001)"
expect 3 "Authentication Method: Pre-shared key (1)"
expect + "Encryption Algorithm: AES-CBC (7)"
expect + "Encryption Algorithm: 3DES-CBC (5)"
expect 2 "Key Length: 256"
expect 1 "Key Length: 128"
expect + "Group Description: Alternate 1024-bit MODP group (2)"
expect 6 "IKE Attribute (t=12,l=4): Life-Duration: 2147483"
expect 9 "Format: Type/Length/Value (TLV)"  # 6 life durations + 3 Xauth attributes
# ID: KEY_ID "vpn3000" (tshark prints KEY_ID data as hex: 76706e33303030 = "vpn3000") and an IPv4 address.
expect 1 "ID type: KEY_ID (11)"
expect 1 "ID_KEY_ID: 76706e33303030"
expect 1 "ID_IPV4_ADDR: 192.0.2.1"
expect 2 "Protocol ID: UDP (17)"
# Vendor IDs.
expect 2 "Vendor ID: XAUTH"
expect 2 "Vendor ID: CISCO-UNITY"
expect 3 "Vendor ID: RFC 3706 DPD (Dead Peer Detection)"
expect 3 "Vendor ID: RFC 3947 Negotiation of NAT-Traversal in the IKE"
expect 1 'Vendor ID: draft-ietf-ipsec-nat-t-ike-02\n'
# NAT-D, RFC 3947 (20) and the draft number (130).
expect 2 "Payload: NAT-D (RFC 3947) (20)"
expect 2 "Payload: NAT-D (draft-ietf-ipsec-nat-t-ike-01 to 03) (130)"
# Informational: NOTIFY, DELETE, DPD.
expect 1 "Notify Message Type: NO-PROPOSAL-CHOSEN (14)"
expect 2 "    SPI: a1b2c3d4e5f607185e6f708192a3b4c5"
expect 1 "Delete SPI: a1b2c3d4e5f607185e6f708192a3b4c5"
expect 1 "Notify Message Type: R-U-THERE (36136)"
expect 1 "DPD ARE-YOU-THERE sequence: 66"
# Attribute payload (draft-dukes-ike-mode-cfg-02 §3.2) with Xauth attributes (draft-beaulieu-ike-xauth-02).
expect 1 "Payload: Attributes (14)"
expect 1 "Type: ISAKMP_CFG_REQUEST (1)"
expect 1 "Identifier: 7982"
expect 1 "Type: XAUTH_TYPE (16520)"
expect 1 "Type: XAUTH_USER_NAME (16521)"
expect 1 "Type: XAUTH_USER_PASSWORD (16522)"
expect 1 "XAUTH MESSAGE: Enter Username and Password."

if [ "$fail" -ne 0 ]; then
  echo "--- tshark output: $dir/decoded.txt (kept)"
  trap - EXIT
  exit 1
fi
echo "tshark decoded all $(grep -cF 'Internet Security Association' "$dir/decoded.txt") messages as expected"
