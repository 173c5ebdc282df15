#!/usr/bin/env bash
# Side-by-side benchmark in the kernel lab: ravpnd and strongSwan's charon (kernel-netlink) as the responder, one
# after the other in the same boot, driven by the same ravpn-loadgen run (main mode PSK by address, Xauth,
# mode-config push, quick mode, delete; AES-256/SHA-1 phase 1 and ESP; one source address and one Xauth user per
# concurrent client), several rounds per MODP group. Both install real XFRM state in the gateway namespace.
#
#   flock /work/lab.lock tests/lab/run-in-lab.sh tests/bench/compare.sh [--short] [options]
#
#   --short            CI: MODP group 2 only, one round, 100 handshakes per responder, 8 at once
#   --groups "2 14"    MODP groups (default: 2 and 14)
#   --rounds N         rounds per group (2); each round runs ravpnd, then charon
#   --clients N        handshakes per run (120)
#   --concurrency C    clients at once, = source addresses and Xauth users (16)
#   --mode main|aggressive  (main: mode-config push; aggressive: group vpn3000, pull)
#   --out FILE         also write the per-run results (TSV) there
#   --pin              the responder's processes and threads on CPU 1, the generator on CPU 0: each responder's
#                      rate is then its own one core's capacity, not the two CPUs' shared between it and the
#                      generator (whose own cost otherwise sets much of both rates)
#   --perf DIR         profile ravpnd's two processes during each of its runs (perf record -e cpu-clock: the lab's
#                      emulated CPUs have no hardware counters) and write DIR/ravpnd-GROUP-ROUND.txt, the
#                      flat profile by process and object, then by symbol (and the perf.data beside it, and
#                      DIR/loadgen-GROUP-ROUND.data, the generator's own profile in the same runs, whose gen ms/hs
#                      then includes perf's cost);
#                      RAVPN_PERF_CALLGRAPH=dwarf records call stacks too
#
# Prints, per responder and group: handshakes/s, responder CPU ms per handshake (utime+stime from /proc/PID/stat
# over the run), peak RSS (VmHWM), failures; ravpnd's rate and CPU relative to charon's; and the crypto floor
# (build/tests/bench/bench_handshake_crypto: a responder's phase 1 DH + PRF + hashes on one core, the fastest of
# five rounds) as a share of each responder's CPU per handshake; the generator's own CPU per handshake (it shares
# the CPUs). Exit 0 when every run completed all its handshakes and ravpnd installed every completed tunnel
# (ravpn_tunnels_up_total in `ravpnctl metrics`); charon's count ("CHILD_SA ... established" in its log) is
# reported when short.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../tools/lib.sh"
. "$HERE/../lab/lib-lab.sh"
BUILD=${RAVPN_BUILD:-$SRCDIR/build}
LOADGEN=$BUILD/tests/bench/ravpn-loadgen
FLOOR_BENCH=$BUILD/tests/bench/bench_handshake_crypto

groups="2 14" rounds=2 clients=120 concurrency=16 mode=main out="" floor_seconds=1 perf_dir="" pin=""
while [ $# -gt 0 ]; do
    case $1 in
        --short) groups=2 rounds=1 clients=100 concurrency=8 floor_seconds=0.05 ;;
        --groups) groups=$2; shift ;;
        --rounds) rounds=$2; shift ;;
        --clients) clients=$2; shift ;;
        --concurrency) concurrency=$2; shift ;;
        --mode) mode=$2; shift ;;
        --out) out=$2; shift ;;
        --perf) perf_dir=$2; shift ;;
        --pin) pin=1 ;;
        *) echo "usage: $0 [--short] [--groups G] [--rounds N] [--clients N] [--concurrency C] [--mode M] [--out F]" \
                "[--perf DIR] [--pin]" >&2
           exit 2 ;;
    esac
    shift
done

lab_require_esp
tt_init
tt_require_tools python3 swanctl setsid stdbuf getconf taskset
tt_require_ravpnd
[ -x "$LOADGEN" ] || tt_fail "no $LOADGEN (ninja -C build tests/bench/ravpn-loadgen)"
[ -x "$CHARON" ] || skip "strongSwan's charon is not installed at $CHARON"
for plugin in openssl kernel-netlink vici xauth-generic; do
    [ -e "/usr/lib/ipsec/plugins/libstrongswan-$plugin.so" ] || skip "strongSwan plugin $plugin is not installed"
done
tt_topology
FIRST_SOURCE=198.51.100.1
"$HERE/add-addresses.sh" "$TT_CLIENT_NS" "$TT_CLIENT_IF" "$FIRST_SOURCE" "$concurrency"
ip -n "$TT_GW_NS" route add 198.51.100.0/24 via "$TT_CLIENT_ADDR"
TICK=$(getconf CLK_TCK)
RESULTS=$TT_TMP/results.tsv
printf 'responder\tgroup\tround\tcompleted\tfailed\tseconds\trate\tcpu_s\thwm_kib\tinstalled\tp50_ms\tp99_ms\tretransmits\tgenerator_cpu_s\n' >"$RESULTS"

# The Xauth users of both responders: user0..user(C-1), password pass0..
users_ios() { local i; for ((i = 0; i < concurrency; i++)); do echo "username user$i password 0 pass$i"; done; }
users_swanctl() {
    local i
    for ((i = 0; i < concurrency; i++)); do printf '    xauth-%d {\n        id = user%d\n        secret = pass%d\n    }\n' $i $i $i; done
}
modp_name() { case $1 in 1) echo modp768 ;; 2) echo modp1024 ;; 5) echo modp1536 ;; 14) echo modp2048 ;; 15) echo modp3072 ;; esac; }

# hwm_kib PID...: the processes' peak RSS summed (cpu_ticks: tests/lab/lib-lab.sh).
hwm_kib() { local pid; for pid in "$@"; do awk '/^VmHWM:/ { print $2 }' "/proc/$pid/status"; done | awk '{ s += $1 } END { print s }'; }

start_ravpnd() {  # GROUP -> RESPONDER_PID, RESPONDER_LOG
    local cfg=$TT_TMP/ravpnd-$1.cfg
    tt_fill_template "$HERE/ravpnd-bench.cfg.in" "$cfg" GROUP="$1" USERS="$(users_ios)"
    # Main mode clients (VPN Client 1.1) are pushed their address: with `respond` configured too, ravpnd would first
    # give them 2 s to pull (ResponderSettings::pull_window), which would measure that wait, not the responder.
    if [ "$mode" = main ]; then sed -i '/client configuration address respond/d' "$cfg"; fi
    "$RAVPND" --check-config "$cfg" --quiet >"$TT_TMP/check-config.log" 2>&1 ||
        { cat "$TT_TMP/check-config.log" >&2; tt_fail "ravpnd --check-config refused the bench config"; }
    RESPONDER_LOG=$TT_TMP/ravpnd-run.log
    tt_bg "$RESPONDER_LOG" ip netns exec "$TT_GW_NS" "$RAVPND" --config "$cfg" --foreground --socket "$TT_TMP/ravpnd.sock"
    RESPONDER_PID=$TT_LAST_PID
    tt_wait_log "$RESPONDER_LOG" "ravpnd started" 30 "ravpnd start" "$RESPONDER_PID"
    # Privilege separation: the IKE process does the IKE work, the privileged process (RESPONDER_PID) the kernel's;
    # both count.
    RESPONDER_PIDS="$RESPONDER_PID $(TT_RAVPND_LOG=$RESPONDER_LOG TT_RAVPND_PID=$RESPONDER_PID tt_ike_pid)"
}

start_charon() {  # GROUP -> RESPONDER_PID, RESPONDER_LOG
    local run=$TT_TMP/charon-run dir=$TT_TMP/swanctl i aggressive=no pull=no local_id=192.0.2.1 psk=cisco1234
    if [ "$mode" = aggressive ]; then aggressive=yes pull=yes local_id=192.0.2.1 psk=grouppass123; fi
    rm -rf "$run" "$dir"
    mkdir -p "$run" "$dir"/{x509,x509ca,x509ocsp,x509aa,x509ac,x509crl,pubkey,private,rsa,ecdsa,bliss,pkcs8,pkcs12}
    export STRONGSWAN_CONF=$TT_TMP/strongswan.conf SWANCTL_DIR=$dir
    RESPONDER_LOG=$TT_TMP/charon-run.log
    tt_fill_template "$HERE/strongswan-bench.conf.in" "$STRONGSWAN_CONF" RUNDIR="$run" LOGFILE="$RESPONDER_LOG"
    tt_fill_template "$HERE/swanctl-bench.conf.in" "$dir/swanctl.conf" MODP="$(modp_name "$1")" \
        AGGRESSIVE=$aggressive PULL=$pull LOCAL_ID=$local_id PSK=$psk XAUTH_SECRETS="$(users_swanctl)"
    # shellcheck disable=SC2016  # $1/$@ belong to the inner bash
    tt_bg "$TT_TMP/charon-stdout.log" ip netns exec "$TT_GW_NS" setsid bash -c \
        'mount --bind "$1" /run && shift && exec stdbuf -oL -eL "$@"' _ "$run" "$CHARON"
    RESPONDER_PID=$TT_LAST_PID
    for ((i = 0; i < 150; i++)); do
        [ -S "$run/charon.vici" ] && break
        kill -0 "$RESPONDER_PID" 2>/dev/null || tt_fail "charon exited before its vici socket appeared"
        sleep 0.2
    done
    swanctl --load-all --noprompt >"$TT_TMP/swanctl-load.log" 2>&1 ||
        { cat "$TT_TMP/swanctl-load.log" >&2; tt_fail "swanctl --load-all"; }
    grep -q "loaded connection 'bench'" "$TT_TMP/swanctl-load.log" ||
        { cat "$TT_TMP/swanctl-load.log" >&2; tt_fail "swanctl did not load the connection 'bench'"; }
    [ "$(cat "/proc/$RESPONDER_PID/comm")" = charon ] || tt_fail "pid $RESPONDER_PID is not charon"
    RESPONDER_PIDS=$RESPONDER_PID
}

# run_one RESPONDER GROUP ROUND: one generator run against a fresh responder; appends a line to $RESULTS.
run_one() {
    local responder=$1 group=$2 round=$3 json=$TT_TMP/loadgen-$1-$2-$3.json cpu0 cpu1 hwm installed
    "start_$responder" "$group"
    if [ -n "$pin" ]; then
        local pid
        for pid in $RESPONDER_PIDS; do taskset -a -p -c 1 "$pid" >/dev/null || tt_fail "taskset $pid"; done
    fi
    sleep 0.5
    # shellcheck disable=SC2086  # a list of pids
    cpu0=$(cpu_ticks $RESPONDER_PIDS)
    local args=(--responder 192.0.2.1 --source "$FIRST_SOURCE" --addresses "$concurrency" --clients "$clients"
                --concurrency "$concurrency" --mode "$mode" --dh "$group" --suite aes256-sha1
                --rto 2 --retries 5 --max-seconds 600 --json)
    if [ "$mode" = aggressive ]; then args+=(--psk grouppass123 --group vpn3000); else args+=(--psk cisco1234); fi
    # The generator's own CPU (bash's time: user and system seconds of the command) shows whether it, and not
    # the responder, set the pace: both share the lab's CPUs.
    local TIMEFORMAT='%U %S' perf_pid="" perf_data=""
    if [ -n "$perf_dir" ] && [ "$responder" = ravpnd ]; then
        mkdir -p "$perf_dir"
        perf_data=$perf_dir/ravpnd-$group-$round.data
        # perf takes seconds to start in the lab (it reads every mapped object over 9p): it starts disabled
        # (-D -1) and the run waits for its acknowledgement of "enable" on the control fifos.
        rm -f "$TT_TMP/perf-ctl" "$TT_TMP/perf-ack"
        mkfifo "$TT_TMP/perf-ctl" "$TT_TMP/perf-ack"
        perf record -q -e cpu-clock -c 1000000 ${RAVPN_PERF_CALLGRAPH:+--call-graph "$RAVPN_PERF_CALLGRAPH"} -D -1 \
            --control "fifo:$TT_TMP/perf-ctl,$TT_TMP/perf-ack" -o "$perf_data" -p "$(echo $RESPONDER_PIDS | tr ' ' ,)" \
            >"$TT_TMP/perf-record.log" 2>&1 &
        perf_pid=$!
        echo enable >"$TT_TMP/perf-ctl"
        timeout 120 head -c 3 "$TT_TMP/perf-ack" >/dev/null || tt_fail "perf did not acknowledge enable"
    fi
    local wrap=()
    [ -n "$pin" ] && wrap=(taskset -c 0)
    # The generator too, in the ravpnd runs: it shares the CPUs, so its cost is in every rate.
    [ -n "$perf_pid" ] && wrap+=(perf record -q -e cpu-clock -c 1000000 -o "$perf_dir/loadgen-$group-$round.data" --)
    { time ip netns exec "$TT_CLIENT_NS" "${wrap[@]}" "$LOADGEN" "${args[@]}" >"$json" \
        2>"$TT_TMP/loadgen-progress.log" || true; } \
        2>"$TT_TMP/loadgen-time"
    sleep 1  # the last deletes
    if [ -n "$perf_pid" ]; then
        kill -INT "$perf_pid"
        wait "$perf_pid" || true
        { perf report -i "$perf_data" --stdio --no-children -g none --sort pid,dso
          perf report -i "$perf_data" --stdio --no-children -g none --sort pid,dso,sym --percent-limit 0.3
        } >"$perf_dir/ravpnd-$group-$round.txt" 2>&1 || cat "$TT_TMP/perf-record.log" >&2
    fi
    kill -0 "$RESPONDER_PID" 2>/dev/null || tt_fail "$responder exited during the run"
    # shellcheck disable=SC2086
    cpu1=$(cpu_ticks $RESPONDER_PIDS)
    # shellcheck disable=SC2086
    hwm=$(hwm_kib $RESPONDER_PIDS)
    if [ "$responder" = ravpnd ]; then
        # From the daemon's counter: its log rate-limits repeated lines (10 per cause per 10 s).
        installed=$("$(dirname "$RAVPND")/ravpnctl" --socket "$TT_TMP/ravpnd.sock" metrics |
            awk '$1 == "ravpn_tunnels_up_total" {print $2}')
    else
        installed=$(grep -Ec 'CHILD_SA bench\{[0-9]+\} established' "$RESPONDER_LOG" || true)
    fi
    tt_stop_pid "$RESPONDER_PID" 10
    ip -n "$TT_GW_NS" xfrm state flush
    ip -n "$TT_GW_NS" xfrm policy flush
    [ -s "$json" ] || { tail -5 "$TT_TMP/loadgen-progress.log" >&2; tt_fail "ravpn-loadgen printed no report"; }
    python3 - "$json" "$responder" "$group" "$round" "$(( cpu1 - cpu0 ))" "$TICK" "$hwm" "$installed" \
        "$TT_TMP/loadgen-time" >>"$RESULTS" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
responder, group, rnd, ticks, tick, hwm, installed = sys.argv[2:9]
generator = sum(float(x) for x in open(sys.argv[9]).read().split()[-2:])
cpu = int(ticks) / int(tick)
print("\t".join(map(str, [responder, group, rnd, r["completed"], r["failed"], round(r["seconds"], 3),
      round(r["handshakes_per_s"], 2), round(cpu, 2), hwm, installed,
      round(r["latency_ms"]["total"]["p50"], 1), round(r["latency_ms"]["total"]["p99"], 1), r["retransmits"],
      round(generator, 2)])))
for reason, n in r["failures"].items():
    print(f"# {responder} group {group} round {rnd}: {n} failed: {reason}", file=sys.stderr)
PY
    tt_log "$(tail -1 "$RESULTS" | tr '\t' ' ')"
}

t_start=$SECONDS
for group in $groups; do
    for ((round = 1; round <= rounds; round++)); do
        run_one ravpnd "$group" "$round"
        run_one charon "$group" "$round"
    done
done
tt_log "runs took $((SECONDS - t_start)) s"
if [ -n "$pin" ]; then tt_log "CPUs: each responder on CPU 1, the generator on CPU 0 (--pin)"
else tt_log "CPUs: both shared by the responder and the generator"; fi
[ -z "$out" ] || cp "$RESULTS" "$out"

"$FLOOR_BENCH" "$floor_seconds" >"$TT_TMP/floor.txt" 2>&1 || tt_fail "bench_handshake_crypto failed"
rc=0
python3 - "$RESULTS" "$TT_TMP/floor.txt" "$clients" <<'PY' || rc=$?
import sys
from collections import defaultdict
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1]) if not l.startswith("#")][1:]
floor = {}
for line in open(sys.argv[2]):
    f = line.split()
    if len(f) >= 3 and f[1] == "AES-256/SHA1" and f[0].isdigit():
        floor.setdefault(f[0], float(f[2]) / 1000.0)  # ms per handshake on one core
agg = defaultdict(lambda: dict(completed=0, failed=0, seconds=0.0, cpu=0.0, hwm=0, installed=0, runs=0, rexmit=0, gen=0.0))
for r in rows:
    a = agg[(r[0], r[1])]
    a["completed"] += int(r[3]); a["failed"] += int(r[4]); a["seconds"] += float(r[5]); a["cpu"] += float(r[7])
    a["hwm"] = max(a["hwm"], int(r[8])); a["installed"] += int(r[9]); a["runs"] += 1
    a["rexmit"] += int(r[12]); a["gen"] += float(r[13])
print()
print(f"{'responder':<9} {'group':>5} {'runs':>4} {'done':>6} {'failed':>6} {'hs/s':>7} {'cpu ms/hs':>9} "
      f"{'peak RSS':>9} {'floor ms':>8} {'floor/cpu':>9} {'rexmit':>6} {'gen ms/hs':>9}")
bad = False
for (resp, group), a in sorted(agg.items(), key=lambda kv: (int(kv[0][1]), kv[0][0] != "ravpnd")):
    rate = a["completed"] / a["seconds"] if a["seconds"] else 0
    cpu = 1000 * a["cpu"] / a["completed"] if a["completed"] else 0
    fl = floor.get(group, 0)
    share = f"{100 * fl / cpu:.0f}%" if cpu else "-"
    gen = 1000 * a["gen"] / a["completed"] if a["completed"] else 0
    a["rate"], a["cpu_ms"] = rate, cpu
    print(f"{resp:<9} {group:>5} {a['runs']:>4} {a['completed']:>6} {a['failed']:>6} {rate:>7.1f} {cpu:>9.1f} "
          f"{a['hwm'] / 1024:>7.1f}MiB {fl:>8.2f} {share:>9} {a['rexmit']:>6} {gen:>9.1f}")
    expected = a["runs"] * int(sys.argv[3])
    if a["completed"] != expected or a["failed"]:
        bad = True
    # The generator counts a handshake done when it has sent quick mode's third message; a responder that never
    # got it installs nothing. ravpnd must have installed every one; charon's count comes from its log and a
    # shortfall is reported, not failed (with --pin, on one CPU under this load, it has missed one in 400).
    if a["installed"] < a["completed"]:
        print(f"# {resp} group {group}: installed {a['installed']} of {a['completed']} completed handshakes",
              file=sys.stderr)
        bad = bad or resp == "ravpnd"
print()
for group in sorted({g for _, g in agg}, key=int):
    rv, ch = agg.get(("ravpnd", group)), agg.get(("charon", group))
    if rv and ch and ch["rate"] and rv["cpu_ms"]:
        print(f"MODP group {group}: ravpnd/charon handshakes/s {rv['rate'] / ch['rate']:.2f}x, "
              f"charon/ravpnd CPU per handshake {ch['cpu_ms'] / rv['cpu_ms']:.2f}x")
    else:
        print(f"MODP group {group}: no ratio (a responder completed nothing)")
        bad = True
sys.exit(1 if bad else 0)
PY
[ $rc -eq 0 ] || tt_fail "a run failed handshakes, or a responder did not install every tunnel (see above)"
tt_pass "side-by-side benchmark: groups $groups, $rounds round(s), $clients handshakes per run"
