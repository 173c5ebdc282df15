// apply_secrets: a secrets file is a fragment of the config in its own dialect holding the unmasked lines; each
// secret it carries replaces the matching (masked) value of the config. PIX forms: `isakmp key K address A
// [netmask M]`, `vpngroup G password K`, `aaa-server TAG [(IF)] host A KEY`, `username U password P`.
#include <algorithm>

#include "daemon/config/dialect.hpp"
#include "daemon/config/diagnostics.hpp"
#include "daemon/config/parse.hpp"

namespace ravpn::config {
namespace {

bool same_peer(const Ipv4Net& a, const Ipv4Net& b) {
  return a.mask == b.mask && (a.address.value & a.mask.value) == (b.address.value & b.mask.value);
}

void report_non_secrets(const Config& s, detail::Reporter& rep) {
  for (const auto& d : s.diagnostics) {
    if (d.kind == Diagnostic::Kind::Error) rep.error(d.origin.line, d.command, d.message);
    else rep.error(d.origin.line, d.command, "not a secret line (" + d.command + ")");
  }
  auto other = [&](const Origin& o, const std::string& what) { rep.error(o.line, what, "not a secret line (" + what + ")"); };
  for (const auto& p : s.isakmp_policies) other(p.origin, "crypto isakmp policy");
  for (const auto& [n, t] : s.transform_sets) other(t.origin, "crypto ipsec transform-set");
  for (const auto& d : s.dynamic_maps) other(d.origin, "crypto dynamic-map");
  for (const auto& [n, m] : s.crypto_maps) other(m.origin, "crypto map");
  for (const auto& i : s.interfaces) other(i.origin, "interface");
  for (const auto& [n, p] : s.pools) other(p.origin, "ip local pool");
  for (const auto& r : s.routes) other(r.origin, "ip route");
  for (const auto& [n, a] : s.access_lists)
    for (const auto& e : a.entries) other(e.origin, "access-list");
  for (const auto& [n, l] : s.aaa_authentication_login) other(l.origin, "aaa authentication login");
  for (const auto& [n, l] : s.aaa_authorization_network) other(l.origin, "aaa authorization network");
  for (const auto& e : s.nat_exemptions) other(e.origin, "nat");
  for (const auto& d : s.dynamic_nats) other(d.origin, "nat");
  for (const auto& n : s.static_nats) other(n.origin, "static");
  for (const auto& g : s.access_groups) other(g.origin, "access-group");
  for (const auto& [n, p] : s.nat_pools) other(p.origin, "ip nat pool");
  for (const auto& r : s.route_maps) other(r.origin, "route-map");
}

// The config's server a secrets line names: PIX by tag and host (the secrets file has no `aaa-server TAG protocol`
// line, so its servers have no protocol), IOS by protocol and host.
std::vector<AaaServer>::iterator server_for(Config& config, const AaaServer& secret) {
  return std::find_if(config.aaa_servers.begin(), config.aaa_servers.end(), [&](const AaaServer& c) {
    if (config.dialect == Dialect::Pix) return c.tag == secret.tag && c.host == secret.host;
    return c.protocol == secret.protocol && c.host == secret.host;
  });
}

std::string server_name(const Config& config, const AaaServer& s) {
  return config.dialect == Dialect::Pix ? "aaa-server " + s.tag + " host " + s.host.str()
                                        : s.protocol + " server " + s.host.str();
}

}  // namespace

void apply_secrets(Config& config, std::string_view secrets_text, const std::string& filename) {
  if (config.dialect == Dialect::Native) return apply_native_secrets(config, secrets_text, filename);
  Config s = detail::parse_dialect(config.dialect, secrets_text, filename);
  detail::Reporter rep(config.diagnostics, filename);
  report_non_secrets(s, rep);

  for (const auto& k : s.isakmp_keys) {
    std::string key_command = config.dialect == Dialect::Pix ? "isakmp key" : "crypto isakmp key";
    if (k.masked) {
      rep.error(k.origin.line, key_command, "the secrets file must hold the clear key");
      continue;
    }
    auto it = std::find_if(config.isakmp_keys.begin(), config.isakmp_keys.end(),
                           [&](const PresharedKey& c) { return same_peer(c.peer, k.peer); });
    if (it == config.isakmp_keys.end()) {
      rep.error(k.origin.line, key_command, "no key for " + k.peer.str() + " in " + config.source);
      continue;
    }
    it->key = k.key;
    it->masked = false;
  }

  for (const auto& [name, g] : s.client_groups) {
    auto it = config.client_groups.find(name);
    if (it == config.client_groups.end()) {
      rep.error(g.origin.line, config.dialect == Dialect::Pix ? "vpngroup" : "crypto isakmp client configuration group",
                "no group " + name + " in " + config.source);
      continue;
    }
    if (!g.key) continue;
    if (g.key_masked) {
      rep.error(g.key_origin.line, config.dialect == Dialect::Pix ? "vpngroup" : "key",
                "the secrets file must hold the clear key");
      continue;
    }
    it->second.key = g.key;
    it->second.key_masked = false;
  }

  for (const auto& sv : s.aaa_servers) {
    std::string command = config.dialect == Dialect::Pix ? "aaa-server" : sv.protocol + " server";
    auto it = server_for(config, sv);
    if (it == config.aaa_servers.end()) {
      rep.error(sv.origin.line, command, "no " + server_name(config, sv) + " in " + config.source);
      continue;
    }
    if (sv.key.empty() || sv.key_masked) {
      rep.error(sv.origin.line, command, "no clear key on this line");
      continue;
    }
    it->key = sv.key;
    it->key_masked = false;
  }

  for (const auto& [name, u] : s.users) {
    auto it = config.users.find(name);
    if (it == config.users.end()) {
      rep.error(u.origin.line, "username", "no user " + name + " in " + config.source);
      continue;
    }
    if (!u.password.empty()) it->second.password = u.password;
    if (u.hash_kind != LocalUser::HashKind::None) {
      it->second.password_hash = u.password_hash;
      it->second.hash_kind = u.hash_kind;
    }
  }
}

}  // namespace ravpn::config
