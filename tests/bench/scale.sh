#!/usr/bin/env bash
# Scale in the kernel lab: ravpnd holding N tunnels at once (default 10,000: 2N kernel SAs, 3N policies, N routes),
# each from its own source address (172.16.0.0/12 in the client namespace) with its own Xauth user, driven by
# ravpn-loadgen (main mode PSK, Xauth, mode-config push, quick mode; MODP group 2, AES-256/SHA-1), held, then
# deleted by the clients. Then bench_kernel_install: the kernel side alone, N pairs in and out through the
# privilege-separation channel, directly, and as the kernel's own rate (--floor: the same requests many to a
# sendmsg).
#
#   flock /work/lab.lock tests/lab/run-in-lab.sh tests/bench/scale.sh [--short] [--tunnels N] [--concurrency C]
#
#   --short           CI: 300 tunnels, 2,000 pairs for the kernel bench
#
# Prints: handshakes/s to bring them up; the IKE process's RSS before and with N tunnels up, and per tunnel
# (userspace only; the kernel's share is not in it); the privileged process's RSS; `ravpnctl users` and `sas`
# (text and JSON) answer times at N; CPU of both processes over 10 s with every tunnel idle; how long the clients'
# deletes took to empty the kernel; the install and removal rates of bench_kernel_install.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../tools/lib.sh"
. "$HERE/../lab/lib-lab.sh"
BUILD=${RAVPN_BUILD:-$SRCDIR/build}
LOADGEN=$BUILD/tests/bench/ravpn-loadgen
INSTALL_BENCH=$BUILD/tests/bench/bench_kernel_install
RAVPNCTL=$(dirname "$RAVPND")/ravpnctl

tunnels=10000 concurrency=48 pairs=10000
while [ $# -gt 0 ]; do
    case $1 in
        --short) tunnels=300 concurrency=16 pairs=2000 ;;
        --tunnels) tunnels=$2; pairs=$2; shift ;;
        --concurrency) concurrency=$2; shift ;;
        *) echo "usage: $0 [--short] [--tunnels N] [--concurrency C]" >&2; exit 2 ;;
    esac
    shift
done
((tunnels >= 1 && tunnels <= 60000)) || { echo "$0: --tunnels 1..60000" >&2; exit 2; }

lab_require_esp
tt_init
tt_require_ravpnd
[ -x "$LOADGEN" ] || tt_fail "no $LOADGEN (ninja -C build tests/bench/ravpn-loadgen)"
[ -x "$INSTALL_BENCH" ] || tt_fail "no $INSTALL_BENCH"
tt_topology
FIRST_SOURCE=172.16.0.1
"$HERE/add-addresses.sh" "$TT_CLIENT_NS" "$TT_CLIENT_IF" "$FIRST_SOURCE" "$tunnels"
ip -n "$TT_GW_NS" route add 172.16.0.0/12 via "$TT_CLIENT_ADDR"
TICK=$(getconf CLK_TCK)
rss_kib() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }
# The IKE process's heap from `ravpnctl status` (glibc's count, all arenas): live data against free space held
# inside the heap, which tells new allocations from fragmentation when RSS moves.
heap_text() {
    "$RAVPNCTL" --socket "$SOCK" --json status | python3 -c 'import json,sys
h = json.load(sys.stdin).get("heap")
print("heap not counted (another allocator)" if not h else
      "heap %d KiB in use, %d KiB free (%d at the top)" % (h["in_use"] // 1024, h["free"] // 1024, h["free_at_top"] // 1024))'
}
sa_count() { ip -n "$TT_GW_NS" xfrm state count | awk '{ print $NF }'; }
ms_of() {  # ms_of COMMAND...: wall milliseconds of the command (output discarded)
    local t0 t1
    t0=$(date +%s%N)
    "$@" >/dev/null 2>&1 || tt_fail "$* failed"
    t1=$(date +%s%N)
    echo $(( (t1 - t0) / 1000000 ))
}

# The bench config with N users and a pool of N+ addresses (10.64.0.0/16 inside the gateway).
cfg=$TT_TMP/ravpnd-scale.cfg
users=$TT_TMP/users.txt
for ((i = 0; i < tunnels; i++)); do echo "username user$i password 0 pass$i"; done >"$users"
tt_fill_template "$HERE/ravpnd-bench.cfg.in" "$cfg" GROUP=2 USERS="! users below"
# The held tunnels do not answer R-U-THERE: DPD at its longest (IOS 3600 s) so it does not end them mid-run.
sed -i '/client configuration address respond/d; s/^ip local pool benchpool .*/ip local pool benchpool 10.64.0.1 10.64.255.254/
        s/^crypto isakmp key /crypto isakmp keepalive 3600 10\ncrypto isakmp key /' "$cfg"
sed -i "/^! users below/r $users" "$cfg"
"$RAVPND" --check-config "$cfg" --quiet >"$TT_TMP/check-config.log" 2>&1 ||
    { cat "$TT_TMP/check-config.log" >&2; tt_fail "ravpnd --check-config refused the scale config"; }

SOCK=$TT_TMP/ravpnd.sock
TT_RAVPND_LOG=$TT_TMP/ravpnd.log
tt_bg "$TT_RAVPND_LOG" ip netns exec "$TT_GW_NS" "$RAVPND" --config "$cfg" --foreground --socket "$SOCK"
TT_RAVPND_PID=$TT_LAST_PID
tt_wait_log "$TT_RAVPND_LOG" "ravpnd started" 60 "ravpnd start" "$TT_RAVPND_PID"
IKE=$(tt_ike_pid)
rss0=$(rss_kib "$IKE")
priv0=$(rss_kib "$TT_RAVPND_PID")
tt_log "ravpnd up: IKE process $IKE RSS $rss0 KiB ($(heap_text)), privileged process $TT_RAVPND_PID RSS $priv0 KiB"

# Hold long enough for the measurements below; the generator deletes everything afterwards.
hold=$(( 100 + tunnels / 500 ))
# The starts and, after the hold, the deletes at this rate (the lab brings up far fewer a second anyway).
delete_rate=200
# The generator keeps one socket per held tunnel's source address.
need_files=$(( tunnels + 1024 ))
hard=$(ulimit -Hn)
if [ "$hard" != unlimited ] && ((hard < need_files)); then ulimit -Hn "$need_files"; fi
ulimit -n "$need_files" || tt_fail "cannot raise the file limit to $need_files"
json=$TT_TMP/loadgen.log  # --json --no-progress: the report is the one line it prints
t_start=$(date +%s%N)
tt_bg "$json" ip netns exec "$TT_CLIENT_NS" "$LOADGEN" --responder 192.0.2.1 --source "$FIRST_SOURCE" \
    --addresses "$tunnels" --clients "$tunnels" --concurrency "$concurrency" --mode main --dh 2 --suite aes256-sha1 \
    --psk cisco1234 --hold="$hold" --rate "$delete_rate" --rto 3 --retries 6 --max-seconds $(( 600 + tunnels / 5 )) --json --no-progress
LOADGEN_PID=$TT_LAST_PID
want=$(( 2 * tunnels ))
last_progress=$SECONDS
while :; do
    n=$(sa_count)
    ((n >= want)) && break
    kill -0 "$LOADGEN_PID" 2>/dev/null || tt_fail "the generator ended with $n of $want SAs installed"
    if ((SECONDS - last_progress >= 30)); then
        tt_log "progress: $((n / 2)) of $tunnels tunnels up"
        last_progress=$SECONDS
    fi
    sleep 0.5
done
t_up=$(date +%s%N)
up_s=$(echo "scale=2; ($t_up - $t_start) / 1000000000" | bc)
rate=$(echo "scale=1; $tunnels / $up_s" | bc)
sleep 2
rss1=$(rss_kib "$IKE")
priv1=$(rss_kib "$TT_RAVPND_PID")
per_tunnel=$(echo "scale=2; ($rss1 - $rss0) / $tunnels" | bc)
heap1=$(heap_text)
users_ms=$(ms_of "$RAVPNCTL" --socket "$SOCK" users)
sas_ms=$(ms_of "$RAVPNCTL" --socket "$SOCK" sas)
sas_json_ms=$(ms_of "$RAVPNCTL" --socket "$SOCK" --json sas)
"$RAVPNCTL" --socket "$SOCK" status >"$TT_TMP/status.txt"
rss_views=$(rss_kib "$IKE")
tt_log "all $tunnels up after $up_s s ($rate/s); RSS $rss1 KiB ($per_tunnel KiB per tunnel, $heap1); ravpnctl users $users_ms ms, sas $sas_ms ms, --json sas $sas_json_ms ms; RSS after these views $rss_views KiB ($(heap_text))"
listed=$("$RAVPNCTL" --socket "$SOCK" --json users | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["users"]))')
((listed == tunnels)) || tt_fail "ravpnctl users lists $listed users, expected $tunnels"
# Idle: every tunnel up, no traffic, no negotiation.
c0=$(cpu_ticks "$IKE" "$TT_RAVPND_PID")
sleep 10
c1=$(cpu_ticks "$IKE" "$TT_RAVPND_PID")
idle_ms=$(( (c1 - c0) * 1000 / TICK ))
tt_log "holding $tunnels tunnels: RSS $rss1 KiB, idle CPU $idle_ms ms in 10 s"
# A minute after the handshakes the sessions let go of their handshake inputs (ike/session_pruning.hpp): the
# steady state of a tunnel that lives for days.
next_sample=30
while :; do
    el=$(( ($(date +%s%N) - t_up) / 1000000000 ))
    ((el >= 75)) && break
    if ((el >= next_sample)); then
        tt_log "$el s after the last tunnel came up: RSS $(rss_kib "$IKE") KiB ($(heap_text))"
        next_sample=$((next_sample + 15))
    fi
    sleep 1
done
rss2=$(rss_kib "$IKE")
heap2=$(heap_text)
settled=$(echo "scale=2; ($rss2 - $rss0) / $tunnels" | bc)
c0=$(cpu_ticks "$IKE" "$TT_RAVPND_PID")
sleep 10
c1=$(cpu_ticks "$IKE" "$TT_RAVPND_PID")
steady_ms=$(( (c1 - c0) * 1000 / TICK ))
tt_log "75 s after the last tunnel came up: RSS $rss2 KiB ($heap2); idle CPU $steady_ms ms in the next 10 s"

# The clients delete everything after the hold: from the first missing SA to none left.
while (( $(sa_count) >= want )); do
    kill -0 "$LOADGEN_PID" 2>/dev/null || break
    sleep 0.2
done
t_del=$(date +%s%N)
while (( $(sa_count) > 0 )); do
    kill -0 "$TT_RAVPND_PID" 2>/dev/null || tt_fail "ravpnd exited during the deletes"
    (( ($(date +%s%N) - t_del) / 1000000000 < 600 )) || tt_fail "SAs left 600 s after the deletes began: $(sa_count)"
    sleep 0.2
done
del_s=$(echo "scale=2; ($(date +%s%N) - $t_del) / 1000000000" | bc)
tt_log "the clients' deletes emptied the kernel in $del_s s"
wait "$LOADGEN_PID" 2>/dev/null || true
tt_log "the generator has ended"
rcvbuf_errors=$(ip netns exec "$TT_GW_NS" nstat -az UdpRcvbufErrors 2>/dev/null | awk '$1 == "UdpRcvbufErrors" {print $2}')
python3 - "$json" <<'PY' >"$TT_TMP/loadgen-summary.txt" || tt_fail "no loadgen report"
import json, sys
r = json.loads([l for l in open(sys.argv[1]) if l.startswith("{")][-1])
print(f'{r["completed"]} completed, {r["failed"]} failed {dict(r["failures"])}, retransmits {r["retransmits"]}')
PY
tt_stop_ravpnd
tt_log "ravpnd stopped"
[ "$(ip -n "$TT_GW_NS" xfrm policy | grep -c '^src' || true)" = 0 ] || tt_fail "policies left after stop"

# The kernel side alone: install and remove N pairs (two SAs, three policies, a route each).
ip netns add "ravpn-kb-$TT_ID"
ip -n "ravpn-kb-$TT_ID" link set lo up
ip netns exec "ravpn-kb-$TT_ID" "$INSTALL_BENCH" --pairs "$pairs" >"$TT_TMP/install.txt" 2>&1 ||
    { cat "$TT_TMP/install.txt" >&2; ip netns del "ravpn-kb-$TT_ID"; tt_fail "bench_kernel_install (privsep)"; }
ip netns exec "ravpn-kb-$TT_ID" "$INSTALL_BENCH" --pairs "$pairs" --direct >>"$TT_TMP/install.txt" 2>&1 ||
    { cat "$TT_TMP/install.txt" >&2; ip netns del "ravpn-kb-$TT_ID"; tt_fail "bench_kernel_install (direct)"; }
# The kernel's own rate for the same requests (many to a sendmsg): what the two paths above are measured against.
ip netns exec "ravpn-kb-$TT_ID" "$INSTALL_BENCH" --pairs "$pairs" --floor >>"$TT_TMP/install.txt" 2>&1 ||
    { cat "$TT_TMP/install.txt" >&2; ip netns del "ravpn-kb-$TT_ID"; tt_fail "bench_kernel_install (floor)"; }
ip netns del "ravpn-kb-$TT_ID"
tt_log "kernel bench done: $(tr '\n' ';' <"$TT_TMP/install.txt" | tr -s ' ')"

echo
echo "scale: $tunnels tunnels, $concurrency handshakes at once, MODP group 2, main mode + Xauth + mode-config push"
echo "  generator:             $(cat "$TT_TMP/loadgen-summary.txt")"
echo "  all up after:          $up_s s ($rate handshakes/s, $((2 * tunnels)) SAs installed)"
echo "  IKE process RSS:       $rss0 KiB idle -> $rss1 KiB with $tunnels tunnels: $per_tunnel KiB per tunnel"
echo "                         75 s later (handshake inputs released): $rss2 KiB, $settled KiB per tunnel"
echo "  IKE process heap:      $heap1 with $tunnels tunnels; 75 s later $heap2"
echo "  privileged RSS:        $priv0 KiB -> $priv1 KiB"
echo "  ravpnctl at $tunnels:  users $users_ms ms, sas $sas_ms ms, --json sas $sas_json_ms ms"
echo "  idle CPU:              $idle_ms ms in 10 s just after (both processes, every tunnel up and silent),"
echo "                         $steady_ms ms in 10 s from 75 s after (handshakes released, quiet sessions)"
echo "  clients' deletes:      at ${delete_rate}/s: kernel empty $del_s s after the first (UDP receive buffer drops in the gateway: ${rcvbuf_errors:-?})"
sed 's/^/  kernel: /' "$TT_TMP/install.txt"
tt_pass "scale run complete"
