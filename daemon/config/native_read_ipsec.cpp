// Native format, phase 2: [ipsec], [transform_set.NAME], [[dynamic_map.NAME]], [crypto_map.NAME] with its
// [[crypto_map.NAME.entry]] lines. Which interfaces carry a crypto map is said on the interface (crypto_maps).
#include <algorithm>

#include "daemon/config/native_reader.hpp"

namespace ravpn::config::native {
namespace {

void read_transform_set(Fields f, const std::string& name, Config& cfg) {
  TransformSet t;
  t.name = name;
  t.origin = f.origin();
  f.require("transforms");
  if (auto v = f.texts("transforms")) {
    if (v->empty() || v->size() > 3) f.error(f.line_of("transforms"), "transform set " + name + ": 1 to 3 transforms");
    t.transforms = std::move(*v);
  }
  if (auto v = f.one_of("mode", {"tunnel", "transport"})) t.mode = *v;
  f.finish();
  cfg.transform_sets[name] = std::move(t);
}

void read_dynamic_map(Fields f, const std::string& name, Config& cfg) {
  DynamicMapEntry d;
  d.name = name;
  d.origin = f.origin();
  bool ok = f.require("sequence");
  if (auto v = f.number("sequence", 1, 65535)) d.sequence = int(*v);
  else ok = false;
  f.read("transform_sets", d.transform_sets);
  f.read_name("match_acl", d.match_acl);
  f.read("pfs_group", d.pfs_group, 1, 32);
  f.read("lifetime_seconds", d.lifetime_seconds, 1, UINT32_MAX);
  f.read("lifetime_kilobytes", d.lifetime_kilobytes, 1, UINT32_MAX);
  f.finish();
  if (!ok) return;
  for (const auto& o : cfg.dynamic_maps)
    if (o.name == name && o.sequence == d.sequence) {
      f.error(d.origin.line, "dynamic map " + name + " " + std::to_string(d.sequence) + " is also at line " +
                                 std::to_string(o.origin.line));
      return;
    }
  cfg.dynamic_maps.push_back(std::move(d));
}

void read_crypto_map_entry(Fields f, CryptoMap& m) {
  CryptoMapEntry e;
  e.origin = f.origin();
  bool ok = f.require("sequence") & f.require("dynamic_map");
  if (auto v = f.number("sequence", 1, 65535)) e.sequence = int(*v);
  else ok = false;
  if (auto v = f.name("dynamic_map")) e.dynamic_map = *v;
  else ok = false;
  f.finish();
  if (!ok) return;
  for (const auto& o : m.entries)
    if (o.sequence == e.sequence) {
      f.error(e.origin.line, "crypto map " + m.name + " " + std::to_string(e.sequence) + " is also at line " +
                                 std::to_string(o.origin.line));
      return;
    }
  m.entries.push_back(std::move(e));
}

void read_crypto_map(Fields f, const std::string& name, Config& cfg) {
  CryptoMap m;
  m.name = name;
  m.origin = f.origin();
  if (auto v = f.name("client_authentication")) m.client_authentication = *v;
  if (auto v = f.name("isakmp_authorization")) m.isakmp_authorization = *v;
  f.read("config_initiate", m.config_initiate);
  f.read("config_respond", m.config_respond);
  for (const toml::table* e : f.tables("entry"))
    read_crypto_map_entry(f.sub(*e, "crypto_map.entry", "crypto_map." + name + ".entry"), m);
  f.finish();
  std::sort(m.entries.begin(), m.entries.end(),
            [](const CryptoMapEntry& a, const CryptoMapEntry& b) { return a.sequence < b.sequence; });
  cfg.crypto_maps[name] = std::move(m);
}

}  // namespace

void read_ipsec(Fields& root, Config& cfg) {
  if (const toml::table* t = root.table("ipsec")) {
    Fields f = root.sub(*t, "ipsec", "ipsec");
    f.read("lifetime_seconds", cfg.ipsec_lifetime_seconds, 1, UINT32_MAX);
    f.read("lifetime_kilobytes", cfg.ipsec_lifetime_kilobytes, 1, UINT32_MAX);
    f.finish();
  }
  for (const auto& t : root.named_tables("transform_set"))
    read_transform_set(root.sub(*t.tables.front(), "transform_set", "transform_set." + t.name), t.name, cfg);
  for (const auto& d : root.named_arrays("dynamic_map"))
    for (const toml::table* e : d.tables)
      read_dynamic_map(root.sub(*e, "dynamic_map", "dynamic_map." + d.name), d.name, cfg);
  std::sort(cfg.dynamic_maps.begin(), cfg.dynamic_maps.end(), [](const DynamicMapEntry& a, const DynamicMapEntry& b) {
    return a.name != b.name ? a.name < b.name : a.sequence < b.sequence;
  });
  for (const auto& m : root.named_tables("crypto_map"))
    read_crypto_map(root.sub(*m.tables.front(), "crypto_map", "crypto_map." + m.name), m.name, cfg);
}

}  // namespace ravpn::config::native
