#!/bin/bash
# Runs INSIDE the booted package root (tests/packaging/test_package.sh, systemd-nspawn -b): the seed PIX config as
# an admin would enable it. Writes "ok: ..." / "FAIL: ..." lines to /var/log/ravpn-boot-check.log and powers off.
# Environment (from the unit's Environment=): EXPECT_ESP=available|not available (what the host kernel can do).
log=/var/log/ravpn-boot-check.log
exec >"$log" 2>&1
ok() { echo "ok: $*"; }
fail() { echo "FAIL: $*"; }
mark() { date +%s; }  # whole seconds: journalctl --since/--until @EPOCH; a sleep 1 separates the windows
errors_between() {  # error-priority journal lines (any unit) between two marks
    journalctl -q --no-pager -p err --since "@$1" --until "@$2" -o short-monotonic
}

# The seed's outside and inside interfaces (documentation addresses outside): veth pairs in the container's own
# network namespace (--private-network).
ip link add outside type veth peer name outside-peer
ip link add inside type veth peer name inside-peer
for l in outside outside-peer inside inside-peer; do ip link set "$l" up; done
ip addr add 192.0.2.1/24 dev outside
ip addr add 10.89.129.194/28 dev inside

[ "$(cat /proc/sys/net/ipv4/ip_forward)" = 1 ] && ok "net.ipv4.ip_forward = 1 at boot (/usr/lib/sysctl.d/ravpn.conf)" ||
    fail "net.ipv4.ip_forward is $(cat /proc/sys/net/ipv4/ip_forward) after boot"

t0=$(mark)
if systemctl enable --now ravpnd.service; then ok "systemctl enable --now ravpnd"; else fail "enable --now ravpnd"; fi
systemctl is-active -q ravpnd.service && ok "ravpnd active" || fail "ravpnd not active"
systemctl status --no-pager ravpnd.service | sed 's/^/   /'
ravpnctl status >/tmp/status.txt 2>&1 || fail "ravpnctl status: $(cat /tmp/status.txt)"
sed 's/^/   /' /tmp/status.txt
grep -q "^kernel IPsec:  ESP states $EXPECT_ESP" /tmp/status.txt && ok "ravpnctl status: ESP states $EXPECT_ESP (as the host kernel)" ||
    fail "ravpnctl status does not say 'ESP states $EXPECT_ESP'"
grep -q "^forwarding: *on" /tmp/status.txt && ok "ravpnctl status: forwarding on" || fail "ravpnctl status: forwarding not on"
ravpnctl metrics | grep -q "^ravpn_ip_forward 1$" && ok "ravpnctl metrics" || fail "ravpnctl metrics: no ravpn_ip_forward 1"

# Privilege separation under the unit: UDP 500 is held by the IKE process, user _ravpn, no capabilities; the unit's
# main process (root) is its parent.
ike=$(ss -H -ulpn 'sport = :500' | sed -n 's/.*pid=\([0-9]*\).*/\1/p' | sort -u)
main=$(systemctl show -p MainPID --value ravpnd.service)
if [ -n "$ike" ] && [ "$ike" != "$main" ] && [ "$(stat -c %U "/proc/$ike")" = _ravpn ] &&
    [ "$(awk '/^CapEff:/ {print $2}' "/proc/$ike/status")" = 0000000000000000 ] &&
    [ "$(awk '/^PPid:/ {print $2}' "/proc/$ike/status")" = "$main" ]; then
    ok "UDP 500 held by pid $ike (user _ravpn, CapEff 0), child of the main process $main ($(stat -c %U "/proc/$main"))"
else
    fail "privilege separation: UDP 500 held by '$ike' ($(stat -c %U "/proc/$ike" 2>/dev/null), $(awk '/^CapEff:/ {print $2}' "/proc/$ike/status" 2>/dev/null)), main $main"
fi

# A good reload: one human line from ExecReload, still running.
if systemctl reload ravpnd.service; then ok "systemctl reload (unchanged config)"; else fail "systemctl reload"; fi
t1=$(mark)
sleep 1
journalctl -q --no-pager -u ravpnd.service --since "@$t0" -o cat | sed 's/^/   journal: /'
if journalctl -q --no-pager -u ravpnd.service --since "@$t0" -o cat | grep -q '^{"'; then fail "JSON in the journal"
else ok "no JSON dump in the journal"; fi
errs=$(errors_between "$t0" "$t1")
[ -z "$errs" ] && ok "no error-priority journal line on start and reload" || { fail "error lines on start/reload:"; echo "$errs"; }

# A bad reload: refused, the daemon keeps running on the old config.
cp /etc/ravpn/ravpn.cfg /root/ravpn.cfg.good
sed -i 's/^crypto dynamic-map dynmap 10 set transform-set myset$/crypto dynamic-map dynmap 10 set transform-set nosuchset/' /etc/ravpn/ravpn.cfg
if systemctl reload ravpnd.service; then fail "systemctl reload of a broken config succeeded"; else ok "systemctl reload of a broken config fails"; fi
systemctl is-active -q ravpnd.service && ok "ravpnd still active after the bad reload" || fail "ravpnd stopped after the bad reload"
cp /root/ravpn.cfg.good /etc/ravpn/ravpn.cfg
systemctl reload ravpnd.service && ok "reload after the fix" || fail "reload after the fix"
sleep 1

# A clean stop: no error line, no nft noise from ExecStopPost, the table gone.
t2=$(mark)
systemctl stop ravpnd.service && ok "systemctl stop" || fail "systemctl stop"
sleep 1
t3=$(mark)
errs=$(errors_between "$t2" "$t3")
[ -z "$errs" ] && ok "no error-priority journal line on stop" || { fail "error lines on stop:"; echo "$errs"; }
if journalctl -q --no-pager -u ravpnd.service --since "@$t2" -o cat | grep -q "Could not process rule"; then
    fail "ExecStopPost printed nft errors"
else ok "no nft errors on stop"; fi
nft list tables 2>/dev/null | grep -q "table ip ravpn" && fail "table ip ravpn left after stop" || ok "table ip ravpn removed"
journalctl -q --no-pager -u ravpnd.service --since "@$t2" -o cat | sed 's/^/   journal: /'
echo "done"
systemctl poweroff --no-block
