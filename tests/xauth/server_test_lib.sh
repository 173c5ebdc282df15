# Sourced by the xauth server tests (test_tacacs_server.sh, test_accounting_servers.sh) after `set -euo pipefail`:
#   server_test_init NAME   a scratch directory $DIR (/tmp/ravpn-NAME.XXXXXX), removed at exit with every process
#                           whose pid the test appends to PIDS; fail MESSAGE prints it and the last 30 lines of each
#                           $DIR/*.log, then exits 1.
server_test_init() {
    DIR=$(mktemp -d "/tmp/ravpn-$1.XXXXXX")
    PIDS=()
    trap server_test_cleanup EXIT
}
server_test_cleanup() {
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
    rm -rf "$DIR"
}
fail() {
    echo "FAIL: $*"
    for log in "$DIR"/*.log; do echo "---- $log (last 30 lines) ----"; tail -n 30 "$log"; done
    exit 1
}
