// What PIX gives VPN clients: `vpngroup NAME ...` (Cisco VPN Client 3.x/4.x groups, cisco-config.md "Clients")
// and `ip local pool NAME A-B`.
#include "daemon/config/acl_match.hpp"
#include "daemon/config/pix_reader.hpp"

namespace ravpn::config::detail {
namespace {

using Table = CommandTable<PixState>;

void read_servers(PixState& st, Args& a, std::vector<Ipv4>& out, std::string_view what) {
  out.clear();
  out.push_back(pix_address(st, a, what));
  if (!a.done()) out.push_back(pix_address(st, a, what));
  a.end();
}

// vpngroup G ATTRIBUTE ...: read into a copy of the group, stored only when the whole line is good.
void vpngroup(PixState& st, Args& a) {
  std::string name = a.word("group name");
  ClientGroup g;
  if (auto it = st.cfg.client_groups.find(name); it != st.cfg.client_groups.end()) {
    g = it->second;
  } else {
    g.name = name;
    g.origin = st.origin(a);
  }
  auto attribute = a.keyword("vpngroup attribute",
                             {"address-pool", "dns-server", "wins-server", "default-domain", "split-tunnel",
                              "split-dns", "pfs", "idle-time", "max-time", "password", "authentication-server",
                              "backup-server", "device-pass-through", "secure-unit-authentication",
                              "user-authentication", "user-idle-timeout"});
  if (attribute == "address-pool") {
    g.pool = a.word("pool name");
    a.end();
  } else if (attribute == "dns-server") {
    read_servers(st, a, g.dns, "DNS server");
  } else if (attribute == "wins-server") {
    read_servers(st, a, g.wins, "WINS server");
  } else if (attribute == "default-domain") {
    g.domain = a.word("domain");
    a.end();
  } else if (attribute == "split-tunnel") {
    g.split_tunnel_acl = a.word("split-tunnel access-list");
    a.end();
  } else if (attribute == "split-dns") {
    g.split_dns.clear();
    g.split_dns.push_back(a.word("split DNS domain"));
    while (!a.done()) g.split_dns.push_back(a.word("split DNS domain"));
    if (g.split_dns.size() > 8) a.fail("more than 8 split DNS domains");
  } else if (attribute == "pfs") {
    a.end();
    g.pfs = true;
  } else if (attribute == "idle-time") {
    g.idle_time = a.number("idle time", 60, 86400);
    a.end();
  } else if (attribute == "max-time") {
    g.max_time = a.number("max time", 60, 31536000);
    a.end();
  } else if (attribute == "password") {
    g.key = a.secret("group password");
    a.end();
    g.key_masked = is_masked(*g.key);
    g.key_origin = st.origin(a);
  } else if (attribute == "authentication-server") {
    g.authentication_server = a.word("AAA server tag");
    a.end();
  } else if (attribute == "backup-server") {
    if (a.accept("clear-client-cfg")) {
      a.end();
      g.backup_servers.clear();
      st.rep.partial(a.number(), "vpngroup", "clear-client-cfg is not sent to clients");
    } else {
      g.backup_servers.clear();
      g.backup_servers.push_back(pix_address(st, a, "backup server").str());
      while (!a.done()) g.backup_servers.push_back(pix_address(st, a, "backup server").str());
      if (g.backup_servers.size() > 10) a.fail("more than 10 backup servers");
    }
  } else {
    a.remaining();
    st.rep.partial(a.number(), "vpngroup", attribute + " (VPN 3002 hardware client) is not supported", redact(a.line()));
    return;
  }
  st.cfg.client_groups[name] = std::move(g);
}

// ip local pool NAME A-B | A [mask M]; several lines of one name add ranges.
void ip_local_pool(PixState& st, Args& a) {
  std::string name = a.word("pool name");
  Ipv4Range r = read_range(a, "pool range", &st.cfg.names);
  bool mask = a.accept("mask");
  if (mask) a.netmask("pool mask");
  a.end();
  auto it = st.cfg.pools.find(name);
  if (it != st.cfg.pools.end())
    for (const auto& o : it->second.ranges)
      if (r.first <= o.last && o.first <= r.last) a.fail("range overlaps an earlier range of pool " + name);
  auto& pool = st.cfg.pools[name];
  if (pool.name.empty()) {
    pool.name = name;
    pool.origin = st.origin(a);
  }
  pool.ranges.push_back(r);
  if (mask) st.rep.partial(a.number(), "ip local pool", "the pool mask is not sent to clients");
}

}  // namespace

void add_pix_client_commands(Table& top) { top.handle("vpngroup", vpngroup).handle("ip local pool", ip_local_pool); }

}  // namespace ravpn::config::detail
