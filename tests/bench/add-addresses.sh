#!/usr/bin/env bash
# add-addresses.sh NAMESPACE INTERFACE FIRST COUNT: puts FIRST, FIRST+1, ... (COUNT addresses, /32) on INTERFACE
# in NAMESPACE for ravpn-loadgen's --source/--addresses (one ip -batch call). Only the documentation ranges
# 192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24 and private ranges are accepted; the range may not wrap.
set -euo pipefail
[ $# -eq 4 ] || { echo "usage: $0 NAMESPACE INTERFACE FIRST COUNT" >&2; exit 2; }
ns=$1 dev=$2 first=$3 count=$4
IFS=. read -r a b c d <<<"$first"
start=$(( (a << 24) | (b << 16) | (c << 8) | d ))
last=$(( start + count - 1 ))
allowed() {  # allowed FIRST LAST (numbers): both in one allowed network
    local net bits lo hi
    for net in 192.0.2.0/24 198.51.100.0/24 203.0.113.0/24 10.0.0.0/8 172.16.0.0/12 192.168.0.0/16; do
        IFS=./ read -r a b c d bits <<<"$net"
        lo=$(( (a << 24) | (b << 16) | (c << 8) | d ))
        hi=$(( lo + (1 << (32 - bits)) - 1 ))
        (( $1 >= lo && $2 <= hi )) && return 0
    done
    return 1
}
allowed "$start" "$last" || { echo "$0: $first + $count leaves the test address ranges" >&2; exit 2; }
for ((n = start; n <= last; n++)); do
    echo "address add $((n >> 24 & 255)).$((n >> 16 & 255)).$((n >> 8 & 255)).$((n & 255))/32 dev $dev"
done | ip -n "$ns" -batch -
