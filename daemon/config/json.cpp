// to_json: the resolved model for `ravpn --check-config` style output. Secrets never appear: every key and
// password is replaced by "<set>" or "<masked, no value>".
#include <cstdint>

#include <nlohmann/json.hpp>

#include "daemon/config/model.hpp"

namespace ravpn::config {
namespace {

using nlohmann::json;

// Config files are not always UTF-8 (a Latin-1 banner or description); JSON must be. Invalid bytes become '?'.
std::string utf8(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    auto b = uint8_t(s[i]);
    size_t n = b < 0x80 ? 1 : (b >> 5) == 6 ? 2 : (b >> 4) == 14 ? 3 : (b >> 3) == 30 ? 4 : 0;
    bool ok = n > 0 && i + n <= s.size();
    for (size_t k = 1; ok && k < n; ++k) ok = (uint8_t(s[i + k]) & 0xC0) == 0x80;
    if (ok && n == 2) ok = b >= 0xC2;  // overlong
    if (ok && n == 3) {
      uint32_t cp = (b & 0x0Fu) << 12 | (uint8_t(s[i + 1]) & 0x3Fu) << 6 | (uint8_t(s[i + 2]) & 0x3Fu);
      ok = cp >= 0x800 && (cp < 0xD800 || cp > 0xDFFF);
    }
    if (ok && n == 4) {
      uint32_t cp = (b & 0x07u) << 18 | (uint8_t(s[i + 1]) & 0x3Fu) << 12 | (uint8_t(s[i + 2]) & 0x3Fu) << 6 |
                    (uint8_t(s[i + 3]) & 0x3Fu);
      ok = cp >= 0x10000 && cp <= 0x10FFFF;
    }
    if (!ok) {
      out += '?';
      ++i;
      continue;
    }
    out.append(s, i, n);
    i += n;
  }
  return out;
}

json sanitized(const json& j) {
  if (j.is_string()) return utf8(j.get_ref<const std::string&>());
  if (j.is_array()) {
    json out = json::array();
    for (const auto& e : j) out.push_back(sanitized(e));
    return out;
  }
  if (j.is_object()) {
    json out = json::object();
    for (const auto& [k, v] : j.items()) out[utf8(k)] = sanitized(v);
    return out;
  }
  return j;
}

std::string at(const Origin& o) { return o.file + ":" + std::to_string(o.line); }

json secret(bool has_value, bool masked) {
  if (masked) return "<masked, no value>";
  return has_value ? json("<set>") : json(nullptr);
}

template <class T>
json optional(const std::optional<T>& v) {
  return v ? json(*v) : json(nullptr);
}

json addresses(const std::vector<Ipv4>& v) {
  json out = json::array();
  for (auto a : v) out.push_back(a.str());
  return out;
}

const char* cipher_name(Cipher c) {
  switch (c) {
    case Cipher::Des: return "des";
    case Cipher::TripleDes: return "3des";
    case Cipher::Aes128: return "aes-128";
    case Cipher::Aes192: return "aes-192";
    case Cipher::Aes256: return "aes-256";
  }
  return "?";
}

const char* hash_name(Hash h) {
  switch (h) {
    case Hash::Md5: return "md5";
    case Hash::Sha1: return "sha1";
    case Hash::Sha256: return "sha256";
    case Hash::Sha384: return "sha384";
    case Hash::Sha512: return "sha512";
  }
  return "?";
}

const char* auth_name(AuthMethod a) {
  switch (a) {
    case AuthMethod::PreShare: return "pre-share";
    case AuthMethod::RsaSig: return "rsa-sig";
    case AuthMethod::RsaEncr: return "rsa-encr";
  }
  return "?";
}

const char* dialect_name(Dialect d) {
  switch (d) {
    case Dialect::Ios: return "ios";
    case Dialect::Pix: return "pix";
    case Dialect::Native: return "native";
  }
  return "?";
}

json phase1(const Config& c) {
  json policies = json::array();
  for (const auto& p : c.isakmp_policies)
    policies.push_back({{"priority", p.priority},
                        {"encryption", cipher_name(p.cipher)},
                        {"hash", hash_name(p.hash)},
                        {"authentication", auth_name(p.auth)},
                        {"group", p.dh_group},
                        {"lifetime", p.lifetime_seconds},
                        {"origin", at(p.origin)}});
  json keys = json::array();
  for (const auto& k : c.isakmp_keys)
    keys.push_back({{"peer", k.peer.str()},
                    {"key", secret(!k.key.empty(), k.masked)},
                    {"no_xauth", k.no_xauth},
                    {"no_config_mode", k.no_config_mode},
                    {"origin", at(k.origin)}});
  json groups = json::object();
  for (const auto& [name, g] : c.client_groups)
    groups[name] = {{"key", secret(g.key.has_value(), g.key_masked)},
                    {"pool", g.pool},
                    {"dns", addresses(g.dns)},
                    {"wins", addresses(g.wins)},
                    {"domain", g.domain},
                    {"split_tunnel_acl", g.split_tunnel_acl},
                    {"split_dns", g.split_dns},
                    {"pfs", g.pfs},
                    {"idle_time", optional(g.idle_time)},
                    {"max_time", optional(g.max_time)},
                    {"banner", g.banner},
                    {"backup_servers", g.backup_servers},
                    {"authentication_server", g.authentication_server},
                    {"max_users", optional(g.max_users)},
                    {"max_logins", optional(g.max_logins)},
                    {"include_local_lan", g.include_local_lan},
                    {"save_password", g.save_password},
                    {"origin", at(g.origin)}};
  return {{"policies", policies},
          {"keys", keys},
          {"client_groups", groups},
          {"identity", c.isakmp_identity},
          {"enabled_interfaces", c.isakmp_enabled_interfaces},
          {"dpd_keepalive_seconds", optional(c.dpd_keepalive_seconds)},
          {"dpd_retry_seconds", optional(c.dpd_retry_seconds)},
          {"natt_keepalive_seconds", optional(c.natt_keepalive_seconds)},
          {"client_config_pool", c.client_config_pool},
          {"aggressive_mode", !c.aggressive_mode_disabled},
          {"admission", {{"half_open_per_source", c.admission.half_open_per_source},
                         {"half_open_max", c.admission.half_open_max},
                         {"dh_queue_new", c.admission.dh_queue_new},
                         {"dh_queue_proven", c.admission.dh_queue_proven},
                         {"fragment_sets_per_source", c.admission.fragment_sets_per_source},
                         {"fragment_bytes_per_source", c.admission.fragment_bytes_per_source},
                         {"fragment_sets_max", c.admission.fragment_sets_max}}}};
}

json aaa(const Config& c) {
  json users = json::object();
  for (const auto& [name, u] : c.users)
    users[name] = {{"password", secret(!u.password.empty(), false)},
                   {"password_hash", secret(!u.password_hash.empty(), false)},
                   {"hash_kind", u.hash_kind == LocalUser::HashKind::Md5Crypt ? "md5-crypt"
                                 : u.hash_kind == LocalUser::HashKind::PixMd5 ? "pix-md5"
                                                                                : "none"},
                   {"origin", at(u.origin)}};
  auto lists = [](const std::map<std::string, AaaList>& m) {
    json out = json::object();
    for (const auto& [name, l] : m) out[name] = {{"methods", l.methods}, {"origin", at(l.origin)}};
    return out;
  };
  json servers = json::array();
  for (const auto& s : c.aaa_servers)
    servers.push_back({{"tag", s.tag},
                       {"protocol", s.protocol},
                       {"interface", s.interface_name},
                       {"host", s.host.str()},
                       {"key", secret(!s.key.empty(), s.key_masked)},
                       {"auth_port", optional(s.auth_port)},
                       {"acct_port", optional(s.acct_port)},
                       {"timeout_seconds", optional(s.timeout_seconds)},
                       {"origin", at(s.origin)}});
  return {{"new_model", c.aaa_new_model},
          {"users", users},
          {"authentication_login", lists(c.aaa_authentication_login)},
          {"authorization_network", lists(c.aaa_authorization_network)},
          {"servers", servers},
          {"accounting", c.aaa_accounting.servers.empty()
                             ? json(nullptr)
                             : json{{"servers", c.aaa_accounting.servers},
                                    {"interim_seconds", optional(c.aaa_accounting.interim_seconds)},
                                    {"origin", at(c.aaa_accounting.origin)}}},
          {"xauth_throttle", {{"enabled", c.xauth_throttle.enabled},
                              {"max_delay_seconds", c.xauth_throttle.max_delay_seconds},
                              {"lockout_failures", c.xauth_throttle.lockout_failures},
                              {"lockout_seconds", c.xauth_throttle.lockout_seconds}}}};
}

json phase2(const Config& c) {
  json sets = json::object();
  for (const auto& [name, t] : c.transform_sets)
    sets[name] = {{"transforms", t.transforms}, {"mode", t.mode}, {"origin", at(t.origin)}};
  json dyn = json::array();
  for (const auto& d : c.dynamic_maps)
    dyn.push_back({{"name", d.name},
                   {"sequence", d.sequence},
                   {"transform_sets", d.transform_sets},
                   {"match_acl", d.match_acl},
                   {"pfs_group", optional(d.pfs_group)},
                   {"lifetime_seconds", optional(d.lifetime_seconds)},
                   {"lifetime_kilobytes", optional(d.lifetime_kilobytes)},
                   {"origin", at(d.origin)}});
  json maps = json::object();
  for (const auto& [name, m] : c.crypto_maps) {
    json entries = json::array();
    for (const auto& e : m.entries)
      entries.push_back({{"sequence", e.sequence}, {"dynamic_map", e.dynamic_map}, {"origin", at(e.origin)}});
    maps[name] = {{"entries", entries},
                  {"client_authentication", optional(m.client_authentication)},
                  {"config_initiate", m.config_initiate},
                  {"config_respond", m.config_respond},
                  {"isakmp_authorization", optional(m.isakmp_authorization)},
                  {"interfaces", m.interfaces},
                  {"origin", at(m.origin)}};
  }
  return {{"transform_sets", sets},
          {"lifetime_seconds", optional(c.ipsec_lifetime_seconds)},
          {"lifetime_kilobytes", optional(c.ipsec_lifetime_kilobytes)},
          {"dynamic_maps", dyn},
          {"crypto_maps", maps}};
}

json ports(const PortMatch& p) {
  switch (p.op) {
    case PortMatch::Op::Any: return nullptr;
    case PortMatch::Op::Eq: return {{"op", "eq"}, {"port", p.low}};
    case PortMatch::Op::Neq: return {{"op", "neq"}, {"port", p.low}};
    case PortMatch::Op::Lt: return {{"op", "lt"}, {"port", p.low}};
    case PortMatch::Op::Gt: return {{"op", "gt"}, {"port", p.low}};
    case PortMatch::Op::Range: return {{"op", "range"}, {"first", p.low}, {"last", p.high}};
  }
  return nullptr;
}

json acl_match(const std::optional<AclMatch>& m) {
  if (!m) return nullptr;
  return {{"protocol", m->protocol < 0 ? json("ip") : json(m->protocol)},
          {"source", m->source.str()},
          {"destination", m->destination.str()},
          {"source_ports", ports(m->source_ports)},
          {"destination_ports", ports(m->destination_ports)},
          {"icmp_type", optional(m->icmp_type)}};
}

json range_list(const std::vector<Ipv4Range>& v) {
  json out = json::array();
  for (const auto& r : v) out.push_back({r.first.str(), r.last.str()});
  return out;
}

// NAT and filtering, one form for both dialects (model.hpp).
json filtering(const Config& c) {
  json exemptions = json::array();
  for (const auto& e : c.nat_exemptions)
    exemptions.push_back({{"real_interface", e.real_interface}, {"acl", e.acl}, {"origin", at(e.origin)}});
  json dynamic = json::array();
  for (const auto& d : c.dynamic_nats)
    dynamic.push_back({{"id", d.id},
                       {"real_interface", d.real_interface},
                       {"mapped_interface", d.mapped_interface},
                       {"network", d.network ? json(d.network->str()) : json(nullptr)},
                       {"acl", d.acl},
                       {"route_map", d.route_map},
                       {"mapped_ranges", range_list(d.mapped_ranges)},
                       {"interface_pat", d.interface_pat},
                       {"overload", d.overload},
                       {"nat_pool", d.nat_pool},
                       {"origin", at(d.origin)}});
  json statics = json::array();
  for (const auto& s : c.static_nats)
    statics.push_back({{"real_interface", s.real_interface},
                       {"mapped_interface", s.mapped_interface},
                       {"real", s.real.str()},
                       {"mapped", s.mapped.str()},
                       {"protocol", s.protocol < 0 ? json(nullptr) : json(s.protocol)},
                       {"real_port", s.real_port},
                       {"mapped_port", s.mapped_port},
                       {"origin", at(s.origin)}});
  json groups = json::array();
  for (const auto& g : c.access_groups)
    groups.push_back({{"acl", g.acl}, {"interface", g.interface}, {"inbound", g.inbound}, {"origin", at(g.origin)}});
  json names = json::object();
  for (const auto& [name, address] : c.names) names[name] = address.str();
  json mtus = json::object();
  for (const auto& [name, bytes] : c.mtus) mtus[name] = bytes;
  return {{"nat_exemptions", exemptions},
          {"dynamic_nats", dynamic},
          {"static_nats", statics},
          {"access_groups", groups},
          {"sysopt_permit_ipsec", c.sysopt_permit_ipsec},
          {"noproxyarp_interfaces", c.noproxyarp_interfaces},
          {"names", names},
          {"mtus", mtus}};
}

json network(const Config& c) {
  json pools = json::object();
  for (const auto& [name, p] : c.pools) {
    json ranges = json::array();
    for (const auto& r : p.ranges) ranges.push_back({r.first.str(), r.last.str()});
    pools[name] = {{"ranges", ranges}, {"origin", at(p.origin)}};
  }
  json ifs = json::array();
  for (const auto& i : c.interfaces)
    ifs.push_back({{"name", i.name},
                   {"hardware", i.hardware},
                   {"address", i.address ? json(i.address->address.str()) : json(nullptr)},
                   {"mask", i.address ? json(i.address->mask.str()) : json(nullptr)},
                   {"security_level", optional(i.security_level)},
                   {"shutdown", i.shutdown},
                   {"nat_inside", i.nat_inside},
                   {"nat_outside", i.nat_outside},
                   {"crypto_maps", i.crypto_maps},
                   {"origin", at(i.origin)}});
  json routes = json::array();
  for (const auto& r : c.routes)
    routes.push_back({{"interface", r.interface_name},
                      {"destination", r.destination.str()},
                      {"gateway", r.gateway.str()},
                      {"origin", at(r.origin)}});
  json acls = json::object();
  for (const auto& [name, a] : c.access_lists) {
    json entries = json::array();
    for (const auto& e : a.entries)
      entries.push_back({{"action", e.permit ? "permit" : "deny"},
                         {"text", e.text},
                         {"match", acl_match(e.match)},
                         {"origin", at(e.origin)}});
    acls[name] = entries;
  }
  json nat_pools = json::object();
  for (const auto& [name, p] : c.nat_pools)
    nat_pools[name] = {{"first", p.range.first.str()},
                       {"last", p.range.last.str()},
                       {"netmask", p.netmask.str()},
                       {"origin", at(p.origin)}};
  json nat = json::array();
  for (const auto& n : c.nat_statements) nat.push_back({{"words", n.words}, {"origin", at(n.origin)}});
  json route_maps = json::array();
  for (const auto& r : c.route_maps)
    route_maps.push_back({{"name", r.name},
                          {"action", r.permit ? "permit" : "deny"},
                          {"sequence", r.sequence},
                          {"match_acls", r.match_acls},
                          {"other_lines", r.other_lines},
                          {"origin", at(r.origin)}});
  return {{"pools", pools},       {"interfaces", ifs},     {"routes", routes},          {"access_lists", acls},
          {"nat_pools", nat_pools}, {"nat_statements", nat}, {"route_maps", route_maps}};
}

json diagnostics(const Config& c) {
  json ignored = json::object();
  json partial = json::array();
  json errors = json::array();
  for (const auto& d : c.diagnostics) {
    std::string where = at(d.origin) + ": ";
    switch (d.kind) {
      case Diagnostic::Kind::Ignored:
        ignored[d.command.empty() ? "?" : d.command].push_back(where + d.text);
        break;
      case Diagnostic::Kind::Partial:
        partial.push_back(where + (d.command.empty() ? "" : d.command + ": ") + d.message);
        break;
      case Diagnostic::Kind::Error:
        errors.push_back(where + d.message);
        break;
    }
  }
  return {{"ignored", ignored}, {"partial", partial}, {"errors", errors}};
}

}  // namespace

nlohmann::json to_json(const Config& c) {
  return sanitized({{"source", c.source},
          {"dialect", dialect_name(c.dialect)},
          {"hostname", c.hostname},
          {"isakmp", phase1(c)},
          {"aaa", aaa(c)},
          {"ipsec", phase2(c)},
          {"network", network(c)},
          {"filtering", filtering(c)},
          {"xauth_enabled", c.xauth_enabled()},
          {"ike_addresses", addresses(c.ike_addresses())},
          {"diagnostics", diagnostics(c)}});
}

}  // namespace ravpn::config
