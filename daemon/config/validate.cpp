// Reference checks over the resolved model (after parsing and secrets).
#include <algorithm>
#include <array>

#include "daemon/config/diagnostics.hpp"
#include "daemon/config/parse.hpp"

namespace ravpn::config {
namespace {

// IOS 12.x transform tokens (cisco-config.md "Phase 2").
constexpr std::array<std::string_view, 16> kTransforms = {
    "esp-des",         "esp-3des",        "esp-aes",         "esp-aes 128",     "esp-aes 192",   "esp-aes 256",
    "esp-null",        "esp-md5-hmac",    "esp-sha-hmac",    "esp-sha256-hmac", "esp-sha384-hmac",
    "esp-sha512-hmac", "ah-md5-hmac",     "ah-sha-hmac",     "comp-lzs",        "esp-seal"};

void error(Config& c, const Origin& o, std::string command, std::string message) {
  c.diagnostics.push_back({Diagnostic::Kind::Error, o, std::move(command), std::move(message), ""});
}

void check_transform_sets(Config& c) {
  for (const auto& [name, ts] : c.transform_sets)
    for (const auto& t : ts.transforms)
      if (std::find(kTransforms.begin(), kTransforms.end(), t) == kTransforms.end())
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
    if (c.aaa_new_model && m.client_authentication &&
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

void check_pools_and_acls(Config& c) {
  if (!c.client_config_pool.empty() && !c.pools.contains(c.client_config_pool)) {
    error(c, c.client_config_pool_origin, "crypto isakmp client configuration address-pool",
          "client configuration address-pool names missing ip local pool " + c.client_config_pool);
  }
  for (const auto& [name, g] : c.client_groups) {
    if (!g.pool.empty() && !c.pools.contains(g.pool))
      error(c, g.origin, "crypto isakmp client configuration group",
            "group " + name + " names missing ip local pool " + g.pool);
    if (!g.split_tunnel_acl.empty() && !c.access_lists.contains(g.split_tunnel_acl))
      error(c, g.origin, "crypto isakmp client configuration group",
            "group " + name + " names missing access-list " + g.split_tunnel_acl);
  }
}

void check_secrets(Config& c) {
  for (const auto& k : c.isakmp_keys)
    if (k.masked)
      error(c, k.origin, "crypto isakmp key",
            "pre-shared key for " + k.peer.str() + " is masked and no secrets file supplied it");
  for (const auto& [name, g] : c.client_groups)
    if (g.key_masked)
      error(c, g.key_origin, "key",
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
  check_secrets(config);
}

}  // namespace ravpn::config
