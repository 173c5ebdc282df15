# shellcheck shell=bash
# FreeRADIUS 3.2 for the tests: a minimal configuration in a private directory (PAP against a users file), one
# client, one auth listener. Used by tests/xauth/test_freeradius.sh (loopback) and the lab's PIX test (the seed's
# AuthInbound server).
#   fr_write_config DIR LISTEN_ADDRESS PORT CLIENT_ADDRESS SECRET [ACCT_PORT]
#   With ACCT_PORT also an accounting listener whose records the detail module writes to DIR/detail (the file the
#   lab's accounting test reads). Then write DIR/users (`john Cleartext-Password := "doe"`), start `freeradius -X -n radiusd -d DIR`, and
#   fr_wait_ready LOGFILE PID
fr_write_config() {
    local dir=$1 listen=$2 port=$3 client=$4 secret=$5 acct_port=${6:-}
    local acct_listen="" acct_section=""
    if [ -n "$acct_port" ]; then
        acct_listen="listen {
        type = acct
        ipaddr = $listen
        port = $acct_port
    }"
        acct_section="accounting {
        detail
    }"
    fi
    # FreeRADIUS refuses configuration files others can write; mktemp -d gives 0700.
    cat >"$dir/radiusd.conf" <<EOF
prefix = /usr
exec_prefix = /usr
sysconfdir = /etc
localstatedir = /var
sbindir = /usr/sbin
libdir = /usr/lib/freeradius
raddbdir = $dir
confdir = $dir
modconfdir = $dir
logdir = $dir
radacctdir = $dir
run_dir = $dir
pidfile = $dir/radiusd.pid
max_request_time = 10
cleanup_delay = 0
max_requests = 256
hostname_lookups = no

log {
    destination = stdout
}

security {
    allow_core_dumps = no
    max_attributes = 200
    reject_delay = 0
    status_server = no
}

client ravpn {
    ipaddr = $client
    secret = $secret
    # ravpn puts a Message-Authenticator in every Access-Request (BLAST-RADIUS): insist on it.
    require_message_authenticator = yes
}

thread pool {
    start_servers = 4
    max_servers = 8
    min_spare_servers = 1
    max_spare_servers = 4
}

modules {
    pap {
    }
    files {
        filename = $dir/users
    }
    detail {
        filename = $dir/detail
        permissions = 0600
        header = "%t"
    }
}

server default {
    listen {
        type = auth
        ipaddr = $listen
        port = $port
    }
    authorize {
        files
        pap
    }
    $acct_listen
    authenticate {
        Auth-Type PAP {
            pap
        }
    }
    $acct_section
}
EOF
}

# fr_wait_ready LOGFILE PID: 0 once FreeRADIUS says it is ready (10 s), 1 when it exits or does not.
fr_wait_ready() {
    local log=$1 pid=$2 i
    for ((i = 0; i < 100; i++)); do
        grep -q "Ready to process requests" "$log" 2>/dev/null && return 0
        kill -0 "$pid" 2>/dev/null || return 1
        sleep 0.1
    done
    return 1
}
