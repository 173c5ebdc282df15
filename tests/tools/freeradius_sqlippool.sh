# shellcheck shell=bash
# FreeRADIUS's sqlippool on SQLite for the tests (one address space for several head-ends): sourced after
# freeradius.sh.
#   fr_add_sqlippool DIR POOL FIRST COUNT: turns the config fr_write_config wrote into DIR into one whose Access-Accepts
#   carry a Framed-IP-Address leased from the SQLite table DIR/ippool.sqlite (addresses FIRST.. in pool POOL, keyed
#   by NAS-IP-Address + User-Name) and whose accounting Stops free it again. Users need `Pool-Name := "POOL"`.
# Debian 12's FreeRADIUS 3.2.1 ships a broken SQLite allocate_find query (a missing AND before expiry_time); the
# queries are copied with that fixed.
fr_add_sqlippool() {
    local dir=$1 pool=$2 first=$3 count=$4 a b c d n
    local shipped=/etc/freeradius/3.0/mods-config/sql/ippool/sqlite
    sed 's/^\([[:space:]]*\)expiry_time < datetime/\1AND expiry_time < datetime/' "$shipped/queries.conf" \
        >"$dir/ippool-queries.conf"
    sqlite3 "$dir/ippool.sqlite" <"$shipped/schema.sql"
    IFS=. read -r a b c d <<<"$first"
    for ((n = 0; n < count; n++)); do
        echo "INSERT INTO radippool (id, pool_name, framedipaddress, expiry_time) VALUES ($((n + 1)), '$pool', '$a.$b.$c.$((d + n))', datetime('now', '-1 hour'));"
    done | sqlite3 "$dir/ippool.sqlite"
    python3 - "$dir/radiusd.conf" "$dir" <<'PY'
import sys
path, d = sys.argv[1], sys.argv[2]
s = open(path).read()
modules = f'''
    sql {{
        driver = "rlm_sql_sqlite"
        dialect = "sqlite"
        sqlite {{
            filename = "{d}/ippool.sqlite"
            busy_timeout = 5000
        }}
        read_clients = no
        pool {{
            start = 1
            min = 1
            max = 1
            spare = 0
            uses = 0
            lifetime = 0
            idle_timeout = 0
            retry_delay = 1
        }}
    }}
    sqlippool {{
        sql_module_instance = "sql"
        dialect = "sqlite"
        pool_name = "Pool-Name"
        ippool_table = "radippool"
        lease_duration = 3600
        allocate_clear_timeout = 1
        attribute_name = Framed-IP-Address
        req_attribute_name = Framed-IP-Address
        pool_key = "%{{User-Name}}"
        $INCLUDE {d}/ippool-queries.conf
    }}
'''
s = s.replace("modules {\n", "modules {\n" + modules, 1)
s = s.replace("    authenticate {", "    post-auth {\n        sqlippool\n    }\n    authenticate {", 1)
s = s.replace("accounting {\n        detail", "accounting {\n        sqlippool\n        detail", 1)
open(path, "w").write(s)
PY
}
