// Comparing two models field by field, for the native format's round trips: everything but where things came from
// (source, dialect, origins, diagnostics). to_json covers most fields (with the secrets hidden); the secrets and the
// ACL / NAT vectors are compared directly as well. ACL entries the native file describes get their text rebuilt,
// so text is compared only where there is no match.
#pragma once
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "daemon/config/model.hpp"

namespace ravpn::config::test {

inline nlohmann::json without_origins(const nlohmann::json& j) {
  if (j.is_array()) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& e : j) out.push_back(without_origins(e));
    return out;
  }
  if (!j.is_object()) return j;
  nlohmann::json out = nlohmann::json::object();
  for (const auto& [k, v] : j.items())
    if (k != "origin" && k != "text") out[k] = without_origins(v);
  return out;
}

inline nlohmann::json comparable_json(const Config& c) {
  nlohmann::json j = to_json(c);
  j.erase("source");
  j.erase("dialect");
  j.erase("diagnostics");
  return without_origins(j);
}

inline bool same(const AclMatch& a, const AclMatch& b) {
  return a.protocol == b.protocol && a.source == b.source && a.destination == b.destination &&
         a.source_ports == b.source_ports && a.destination_ports == b.destination_ports && a.icmp_type == b.icmp_type;
}

inline bool same(const AclEntry& a, const AclEntry& b) {
  if (a.permit != b.permit || a.match.has_value() != b.match.has_value()) return false;
  return a.match ? same(*a.match, *b.match) : a.text == b.text;
}

inline bool same(const DynamicNat& a, const DynamicNat& b) {
  return a.id == b.id && a.real_interface == b.real_interface && a.mapped_interface == b.mapped_interface &&
         a.network == b.network && a.acl == b.acl && a.route_map == b.route_map && a.mapped_ranges == b.mapped_ranges &&
         a.interface_pat == b.interface_pat && a.overload == b.overload && a.nat_pool == b.nat_pool;
}

inline bool same(const StaticNat& a, const StaticNat& b) {
  return a.real_interface == b.real_interface && a.mapped_interface == b.mapped_interface && a.real == b.real &&
         a.mapped == b.mapped && a.protocol == b.protocol && a.real_port == b.real_port &&
         a.mapped_port == b.mapped_port;
}

inline bool same(const NatExemption& a, const NatExemption& b) {
  return a.real_interface == b.real_interface && a.acl == b.acl;
}

inline bool same(const AccessGroup& a, const AccessGroup& b) {
  return a.acl == b.acl && a.interface == b.interface && a.inbound == b.inbound;
}

inline bool same(const RouteMapEntry& a, const RouteMapEntry& b) {
  return a.name == b.name && a.permit == b.permit && a.sequence == b.sequence && a.match_acls == b.match_acls &&
         a.other_lines == b.other_lines;
}

template <class T>
void check_same_list(const std::vector<T>& a, const std::vector<T>& b, const char* what) {
  INFO(what);
  REQUIRE(a.size() == b.size());
  for (size_t i = 0; i < a.size(); ++i) CHECK_MESSAGE(same(a[i], b[i]), what << " #" << i);
}

inline void check_same_secrets(const Config& a, const Config& b) {
  REQUIRE(a.isakmp_keys.size() == b.isakmp_keys.size());
  for (size_t i = 0; i < a.isakmp_keys.size(); ++i) {
    CHECK(a.isakmp_keys[i].key == b.isakmp_keys[i].key);
    CHECK(a.isakmp_keys[i].masked == b.isakmp_keys[i].masked);
  }
  for (const auto& [name, g] : a.client_groups) {
    REQUIRE(b.client_groups.contains(name));
    CHECK(g.key == b.client_groups.at(name).key);
    CHECK(g.key_masked == b.client_groups.at(name).key_masked);
  }
  for (const auto& [name, u] : a.users) {
    REQUIRE(b.users.contains(name));
    CHECK(u.password == b.users.at(name).password);
    CHECK(u.password_hash == b.users.at(name).password_hash);
    CHECK(u.hash_kind == b.users.at(name).hash_kind);
  }
  REQUIRE(a.aaa_servers.size() == b.aaa_servers.size());
  for (size_t i = 0; i < a.aaa_servers.size(); ++i) {
    CHECK(a.aaa_servers[i].key == b.aaa_servers[i].key);
    CHECK(a.aaa_servers[i].key_masked == b.aaa_servers[i].key_masked);
  }
}

// Every field of A and B but their origins, source, dialect and diagnostics.
inline void check_same_model(const Config& a, const Config& b) {
  CHECK(comparable_json(a).dump(1) == comparable_json(b).dump(1));
  check_same_secrets(a, b);
  REQUIRE(a.access_lists.size() == b.access_lists.size());
  for (const auto& [name, acl] : a.access_lists) {
    REQUIRE(b.access_lists.contains(name));
    CHECK(b.access_lists.at(name).name == acl.name);
    check_same_list(acl.entries, b.access_lists.at(name).entries, ("access-list " + name).c_str());
  }
  check_same_list(a.nat_exemptions, b.nat_exemptions, "nat exemptions");
  check_same_list(a.dynamic_nats, b.dynamic_nats, "dynamic nat");
  check_same_list(a.static_nats, b.static_nats, "static nat");
  check_same_list(a.access_groups, b.access_groups, "access groups");
  check_same_list(a.route_maps, b.route_maps, "route maps");
  REQUIRE(a.nat_statements.size() == b.nat_statements.size());
  for (size_t i = 0; i < a.nat_statements.size(); ++i) CHECK(a.nat_statements[i].words == b.nat_statements[i].words);
  REQUIRE(a.nat_pools.size() == b.nat_pools.size());
  for (const auto& [name, p] : a.nat_pools) {
    REQUIRE(b.nat_pools.contains(name));
    CHECK(p.range == b.nat_pools.at(name).range);
    CHECK(p.netmask == b.nat_pools.at(name).netmask);
  }
  CHECK(a.sysopt_permit_ipsec == b.sysopt_permit_ipsec);
  CHECK(a.noproxyarp_interfaces == b.noproxyarp_interfaces);
  CHECK(a.names == b.names);
  CHECK(a.mtus == b.mtus);
  CHECK(a.hostname == b.hostname);
  CHECK(a.isakmp_enabled_interfaces == b.isakmp_enabled_interfaces);
  REQUIRE(a.crypto_maps.size() == b.crypto_maps.size());
  for (const auto& [name, m] : a.crypto_maps) CHECK(m.interfaces == b.crypto_maps.at(name).interfaces);
  REQUIRE(a.interfaces.size() == b.interfaces.size());
  for (size_t i = 0; i < a.interfaces.size(); ++i) CHECK(a.interfaces[i].crypto_maps == b.interfaces[i].crypto_maps);
}

}  // namespace ravpn::config::test
