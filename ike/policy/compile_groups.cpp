// Client groups -> GroupPolicy; the split-tunnel ACL -> networks from its parsed lines (never its text).
#include <algorithm>

#include "ike/policy/policy.hpp"

namespace ravpn::ike::compiled {

std::vector<Ipv4Net> compile_split_include(const config::Config& config, const std::string& acl) {
  std::vector<Ipv4Net> out;
  auto it = config.access_lists.find(acl);
  if (it == config.access_lists.end()) return out;
  // Cisco head-ends send the source network of each permit line (the inside networks, as IOS `acl` and PIX
  // `vpngroup split-tunnel` document); a standard ACL has only that source. Deny lines and lines the importer did
  // not understand (reported Partial at load) contribute nothing.
  for (const auto& e : it->second.entries) {
    if (!e.permit || !e.match || e.match->protocol != -1) continue;
    Ipv4Net n{Ipv4{e.match->source.address.value & e.match->source.mask.value}, e.match->source.mask};
    if (std::find(out.begin(), out.end(), n) == out.end()) out.push_back(n);
  }
  return out;
}

std::map<std::string, GroupPolicy> compile_groups(const config::Config& config) {
  std::map<std::string, GroupPolicy> out;
  for (const auto& [name, g] : config.client_groups) {
    GroupPolicy p;
    p.name = name;
    p.pool = g.pool;
    p.dns = g.dns;
    p.wins = g.wins;
    p.domain = g.domain;
    p.banner = g.banner;
    if (!g.split_tunnel_acl.empty()) p.split_include = compile_split_include(config, g.split_tunnel_acl);
    p.split_dns = g.split_dns;
    p.backup_servers = g.backup_servers;
    p.pfs = g.pfs;
    p.save_password = g.save_password;
    p.include_local_lan = g.include_local_lan;
    p.idle_time = g.idle_time;
    p.max_time = g.max_time;
    p.max_users = g.max_users;
    if (g.max_logins) p.max_logins = *g.max_logins;
    out.emplace(name, std::move(p));
  }
  return out;
}

}  // namespace ravpn::ike::compiled
