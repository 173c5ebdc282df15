// Crypto map and dynamic map entries -> Phase2Entry list in sequence order, each with the transforms ESP can do and
// its `match address` ACL as selectors.
#include <fmt/format.h>

#include <algorithm>

#include "ike/policy/policy.hpp"

namespace ravpn::ike::compiled {
namespace {

bool covers(const Ipv4Net& outer, const Ipv4Net& inner) {
  return (inner.mask.value & outer.mask.value) == outer.mask.value && outer.contains(inner.address);
}

Phase2Entry entry_for(const config::Config& config, const config::DynamicMapEntry& d) {
  Phase2Entry e;
  e.dynamic_map = d.name;
  e.dynamic_sequence = d.sequence;
  for (const auto& set_name : d.transform_sets) {
    auto it = config.transform_sets.find(set_name);
    if (it == config.transform_sets.end()) continue;
    auto t = esp_from_transform_set(it->second);
    if (t && std::find(e.transforms.begin(), e.transforms.end(), *t) == e.transforms.end()) e.transforms.push_back(*t);
  }
  e.pfs_group = d.pfs_group;
  // The entry's own lifetime, else the global one, else the defaults (IOS `crypto dynamic-map ... set
  // security-association lifetime` overrides `crypto ipsec security-association lifetime`).
  e.lifetime_seconds = d.lifetime_seconds.value_or(config.ipsec_lifetime_seconds.value_or(e.lifetime_seconds));
  e.lifetime_kilobytes = d.lifetime_kilobytes.value_or(config.ipsec_lifetime_kilobytes.value_or(e.lifetime_kilobytes));
  e.match_acl = d.match_acl;
  if (auto acl = config.access_lists.find(d.match_acl); !d.match_acl.empty() && acl != config.access_lists.end()) {
    for (const auto& line : acl->second.entries)
      if (line.match)  // a line the importer did not understand never matches (reported Partial at load)
        e.selectors.push_back({line.permit, line.match->protocol, line.match->source, line.match->destination});
  }
  return e;
}

}  // namespace

std::string Phase2Entry::label() const {
  std::string dyn = fmt::format("dynamic-map {} {}", dynamic_map, dynamic_sequence);
  return crypto_map.empty() ? dyn : fmt::format("crypto map {} {} -> {}", crypto_map, map_sequence, dyn);
}

std::vector<Phase2Entry> compile_phase2(const config::Config& config) {
  // config.dynamic_maps is sorted by (name, sequence); crypto maps by name, and their entries get sorted here.
  std::vector<Phase2Entry> out;
  std::vector<std::string> used;
  for (const auto& [name, map] : config.crypto_maps) {
    auto entries = map.entries;
    std::stable_sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) { return a.sequence < b.sequence; });
    for (const auto& me : entries) {
      for (const auto& d : config.dynamic_maps) {
        if (d.name != me.dynamic_map) continue;
        Phase2Entry e = entry_for(config, d);
        e.crypto_map = name;
        e.map_sequence = me.sequence;
        out.push_back(std::move(e));
      }
      used.push_back(me.dynamic_map);
    }
  }
  // Dynamic maps no crypto map names (a config without `crypto map`, as the tests write): their entries follow.
  for (const auto& d : config.dynamic_maps)
    if (std::find(used.begin(), used.end(), d.name) == used.end()) out.push_back(entry_for(config, d));
  return out;
}

bool allows(const Phase2Entry& e, const Ipv4Net& client, const Ipv4Net& protected_net, int protocol) {
  if (e.match_acl.empty()) return true;
  for (const auto& s : e.selectors) {
    if (s.protocol != -1 && s.protocol != protocol) continue;
    if (covers(s.local, protected_net) && covers(s.remote, client)) return s.permit;
  }
  return false;
}

}  // namespace ravpn::ike::compiled
