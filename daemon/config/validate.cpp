// Reference checks over the resolved model (after parsing and secrets).
#include <algorithm>

#include "daemon/config/diagnostics.hpp"
#include "daemon/config/parse.hpp"
#include "daemon/config/transforms.hpp"

namespace ravpn::config {
namespace {

void error(Config& c, const Origin& o, std::string command, std::string message) {
  c.diagnostics.push_back({Diagnostic::Kind::Error, o, std::move(command), std::move(message), ""});
}

void check_transform_sets(Config& c) {
  for (const auto& [name, ts] : c.transform_sets)
    for (const auto& t : ts.transforms)
      if (!find_transform(t))
        error(c, ts.origin, "crypto ipsec transform-set",
              "transform set " + name + ": unknown transform '" + t + "'");
}

void check_maps(Config& c) {
  for (const auto& d : c.dynamic_maps) {
    std::string what = "dynamic map " + d.name + " " + std::to_string(d.sequence);
    if (d.transform_sets.empty()) error(c, d.origin, "crypto dynamic-map", what + " has no set transform-set");
    for (const auto& t : d.transform_sets)
      if (!c.transform_sets.contains(t))
        error(c, d.origin, "crypto dynamic-map", what + " names missing transform set " + t);
    if (!d.match_acl.empty() && !c.access_lists.contains(d.match_acl))
      error(c, d.origin, "crypto dynamic-map", what + " matches missing access-list " + d.match_acl);
  }
  for (const auto& [name, m] : c.crypto_maps) {
    for (const auto& e : m.entries) {
      bool found = std::any_of(c.dynamic_maps.begin(), c.dynamic_maps.end(),
                               [&](const DynamicMapEntry& d) { return d.name == e.dynamic_map; });
      if (!found)
        error(c, e.origin, "crypto map",
              "crypto map " + name + " " + std::to_string(e.sequence) + " names missing dynamic map " + e.dynamic_map);
    }
    if (c.dialect != Dialect::Pix && c.aaa_new_model && m.client_authentication &&
        !c.aaa_authentication_login.contains(*m.client_authentication))
      error(c, m.origin, "crypto map",
            "crypto map " + name + " client authentication names missing aaa authentication login list " +
                *m.client_authentication);
    if (c.aaa_new_model && m.isakmp_authorization && !c.aaa_authorization_network.contains(*m.isakmp_authorization))
      error(c, m.origin, "crypto map",
            "crypto map " + name + " isakmp authorization names missing aaa authorization network list " +
                *m.isakmp_authorization);
  }
  for (const auto& i : c.interfaces)
    for (const auto& m : i.crypto_maps)
      if (!c.crypto_maps.contains(m))
        error(c, i.origin, "interface", "interface " + i.name + " applies missing crypto map " + m);
}

// The command a diagnostic is grouped under: IOS and PIX spell the same setting differently.
std::string spelled(const Config& c, std::string ios, std::string pix) { return c.dialect == Dialect::Pix ? pix : ios; }

void check_pools_and_acls(Config& c) {
  if (!c.client_config_pool.empty() && !c.pools.contains(c.client_config_pool)) {
    error(c, c.client_config_pool_origin,
          spelled(c, "crypto isakmp client configuration address-pool", "isakmp client configuration address-pool"),
          "client configuration address-pool names missing ip local pool " + c.client_config_pool);
  }
  std::string group_command = spelled(c, "crypto isakmp client configuration group", "vpngroup");
  for (const auto& [name, g] : c.client_groups) {
    if (!g.pool.empty() && !c.pools.contains(g.pool))
      error(c, g.origin, group_command, "group " + name + " names missing ip local pool " + g.pool);
    if (!g.split_tunnel_acl.empty() && !c.access_lists.contains(g.split_tunnel_acl))
      error(c, g.origin, group_command, "group " + name + " names missing access-list " + g.split_tunnel_acl);
  }
}

// PIX `crypto map M client authentication TAG` and `vpngroup G authentication-server TAG` name `aaa-server` tags;
// TACACS+, RADIUS and LOCAL are predefined (a tag with no host other than LOCAL authenticates nobody).
void check_aaa_tags(Config& c) {
  if (c.dialect != Dialect::Pix) return;
  auto has_hosts = [&](const std::string& tag) {
    return std::any_of(c.aaa_servers.begin(), c.aaa_servers.end(), [&](const AaaServer& s) { return s.tag == tag; });
  };
  auto known = [&](const std::string& tag) {
    return tag == "LOCAL" || tag == "RADIUS" || tag == "TACACS+" || has_hosts(tag);
  };
  for (const auto& [name, m] : c.crypto_maps)
    if (m.client_authentication && !known(*m.client_authentication))
      error(c, m.origin, "crypto map",
            "crypto map " + name + " client authentication names aaa-server tag " + *m.client_authentication +
                ", which has no host");
  for (const auto& [name, g] : c.client_groups)
    if (!g.authentication_server.empty() && !known(g.authentication_server))
      error(c, g.origin, "vpngroup",
            "group " + name + " authentication-server names aaa-server tag " + g.authentication_server +
                ", which has no host");
  for (const auto& s : c.aaa_servers)
    if (s.protocol.empty())
      error(c, s.origin, "aaa-server",
            "aaa-server " + s.tag + " host " + s.host.str() + ": tag " + s.tag +
                " has no `aaa-server " + s.tag + " protocol radius|tacacs+|local` line");
}

bool has_interface(const Config& c, const std::string& name) {
  return std::any_of(c.interfaces.begin(), c.interfaces.end(), [&](const Interface& i) { return i.name == name; });
}

// Interface names the model keeps without a line of their own (a PIX reader already refuses these lines; this
// catches other sources, e.g. the native format).
void check_interface_names(Config& c) {
  Origin file{c.source, 0};
  for (const auto& name : c.isakmp_enabled_interfaces)
    if (!has_interface(c, name))
      error(c, file, spelled(c, "interface", "isakmp enable"), "isakmp is enabled on unknown interface " + name);
  for (const auto& [name, m] : c.crypto_maps)
    for (const auto& i : m.interfaces)
      if (!has_interface(c, i))
        error(c, m.origin, "crypto map", "crypto map " + name + " is applied to unknown interface " + i);
  for (const auto& name : c.noproxyarp_interfaces)
    if (!has_interface(c, name)) error(c, file, "sysopt noproxyarp", "noproxyarp names unknown interface " + name);
  for (const auto& [name, bytes] : c.mtus)
    if (!has_interface(c, name)) error(c, file, "mtu", "mtu names unknown interface " + name);
  if (c.dialect == Dialect::Ios) return;  // IOS routes may name interfaces the config has no block for (Null0)
  for (const auto& s : c.aaa_servers)
    if (!s.interface_name.empty() && !has_interface(c, s.interface_name))
      error(c, s.origin, "aaa-server",
            "aaa-server " + s.tag + " host " + s.host.str() + " names unknown interface " + s.interface_name);
  for (const auto& r : c.routes)
    if (!r.interface_name.empty() && !has_interface(c, r.interface_name))
      error(c, r.origin, "route", "route to " + r.destination.str() + " names unknown interface " + r.interface_name);
}

void check_acl(Config& c, const Origin& o, const std::string& command, const std::string& what, const std::string& acl) {
  if (!acl.empty() && !c.access_lists.contains(acl)) error(c, o, command, what + " names missing access-list " + acl);
}

void check_interface(Config& c, const Origin& o, const std::string& command, const std::string& what,
                     const std::string& name) {
  if (!name.empty() && !has_interface(c, name)) error(c, o, command, what + " names unknown interface " + name);
}

void check_filtering(Config& c) {
  std::string command = spelled(c, "ip access-group", "access-group");
  for (const auto& g : c.access_groups) {
    check_acl(c, g.origin, command, "access-group", g.acl);
    check_interface(c, g.origin, command, "access-group", g.interface);
  }
  for (const auto& r : c.route_maps)
    for (const auto& acl : r.match_acls)
      check_acl(c, r.origin, "route-map", "route-map " + r.name + " " + std::to_string(r.sequence), acl);
}

// NAT references; IOS dynamic NAT takes its addresses from the `ip nat pool` it names.
void check_nat(Config& c) {
  for (const auto& e : c.nat_exemptions) {
    check_acl(c, e.origin, "nat", "nat 0", e.acl);
    check_interface(c, e.origin, "nat", "nat 0", e.real_interface);
  }
  std::string nat_command = spelled(c, "ip nat inside source", "nat");
  for (auto& d : c.dynamic_nats) {
    std::string what = c.dialect == Dialect::Pix ? "nat " + std::to_string(d.id) : "ip nat inside source";
    check_acl(c, d.origin, nat_command, what, d.acl);
    if (!d.route_map.empty() && std::none_of(c.route_maps.begin(), c.route_maps.end(),
                                             [&](const RouteMapEntry& r) { return r.name == d.route_map; }))
      error(c, d.origin, nat_command, what + " names missing route-map " + d.route_map);
    check_interface(c, d.origin, nat_command, what, d.real_interface);
    check_interface(c, d.origin, nat_command, what, d.mapped_interface);
    if (d.nat_pool.empty()) continue;
    auto pool = c.nat_pools.find(d.nat_pool);
    if (pool == c.nat_pools.end()) error(c, d.origin, nat_command, what + " names missing ip nat pool " + d.nat_pool);
    else if (d.mapped_ranges.empty()) d.mapped_ranges.push_back(pool->second.range);
  }
  std::string static_command = spelled(c, "ip nat inside source", "static");
  for (const auto& s : c.static_nats) {
    check_interface(c, s.origin, static_command, "static", s.real_interface);
    check_interface(c, s.origin, static_command, "static", s.mapped_interface);
  }
}

void check_secrets(Config& c) {
  for (const auto& k : c.isakmp_keys)
    if (k.masked)
      error(c, k.origin, spelled(c, "crypto isakmp key", "isakmp key"),
            "pre-shared key for " + k.peer.str() + " is masked and no secrets file supplied it");
  for (const auto& [name, g] : c.client_groups)
    if (g.key_masked)
      error(c, g.key_origin, spelled(c, "key", "vpngroup"),
            "key of group " + name + " is masked and no secrets file supplied it");
  for (const auto& s : c.aaa_servers)
    if (s.key_masked)
      error(c, s.origin, s.protocol + " server",
            "key of " + s.protocol + " server " + s.host.str() + " is masked and no secrets file supplied it");
}

}  // namespace

void validate(Config& config) {
  check_transform_sets(config);
  check_maps(config);
  check_pools_and_acls(config);
  check_aaa_tags(config);
  check_interface_names(config);
  check_filtering(config);
  check_nat(config);
  check_secrets(config);
}

}  // namespace ravpn::config
