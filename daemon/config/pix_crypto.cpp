// PIX `crypto ...` lines (cisco-config.md "Phase 2"): transform sets, SA lifetimes, dynamic maps, crypto maps with
// their Xauth and mode-config settings and interfaces.
#include <algorithm>

#include "daemon/config/pix_reader.hpp"
#include "daemon/config/transforms.hpp"

namespace ravpn::config::detail {
namespace {

using Table = CommandTable<PixState>;

// ---- crypto ipsec ----------------------------------------------------------------------------------------------

// crypto ipsec transform-set NAME T1 [T2 [T3]] | crypto ipsec transform-set NAME mode transport|tunnel
void transform_set(PixState& st, Args& a) {
  std::string name = a.word("transform-set name");
  if (a.accept("mode")) {
    auto mode = a.keyword("mode", {"tunnel", "transport"});
    a.end();
    auto it = st.cfg.transform_sets.find(name);
    if (it == st.cfg.transform_sets.end()) a.fail("no transform set " + name + " to set the mode of");
    it->second.mode = mode;
    return;
  }
  TransformSet ts;
  ts.name = name;
  ts.origin = st.origin(a);
  while (!a.done()) ts.transforms.push_back(canonical_transform(to_lower(a.word("transform"))));  // the model spells IOS
  if (ts.transforms.empty()) a.fail("missing transform");
  if (ts.transforms.size() > 3) a.fail("more than 3 transforms");
  auto& slot = st.cfg.transform_sets[name];
  if (!slot.name.empty()) ts.mode = slot.mode;
  slot = std::move(ts);
}

void read_lifetime(Args& a, std::optional<uint32_t>& seconds, std::optional<uint32_t>& kilobytes) {
  auto unit = a.keyword("lifetime unit", {"seconds", "kilobytes"});
  uint32_t value = unit == "seconds" ? a.number("lifetime seconds", 120, 86400)
                                     : a.number("lifetime kilobytes", 2560, 536870912);
  a.end();
  (unit == "seconds" ? seconds : kilobytes) = value;
}

void ipsec_lifetime(PixState& st, Args& a) {
  read_lifetime(a, st.cfg.ipsec_lifetime_seconds, st.cfg.ipsec_lifetime_kilobytes);
}

// ---- crypto dynamic-map NAME SEQ ... ---------------------------------------------------------------------------

// crypto dynamic-map NAME SEQ set transform-set T... | set pfs [groupN] | set security-association lifetime U N |
// match address ACL. The line is read into a copy of the entry, stored only when the whole line is good.
void dynamic_map(PixState& st, Args& a) {
  std::string name = a.word("dynamic map name");
  int seq = int(a.number("sequence number", 1, 65535));
  DynamicMapEntry d;
  d.name = name;
  d.sequence = seq;
  d.origin = st.origin(a);
  if (auto it = st.dynamic_maps.find({name, seq}); it != st.dynamic_maps.end()) d = it->second;
  auto what = a.keyword("dynamic map setting", {"set", "match"});
  if (what == "match") {
    if (!a.accept("address")) a.fail("expected 'address'");
    d.match_acl = a.word("access-list");
    a.end();
  } else {
    auto setting = a.keyword("dynamic map setting", {"transform-set", "pfs", "security-association", "peer"});
    if (setting == "transform-set") {
      d.transform_sets.clear();
      d.transform_sets.push_back(a.word("transform-set name"));
      while (!a.done()) d.transform_sets.push_back(a.word("transform-set name"));
      if (d.transform_sets.size() > 9) a.fail("more than 9 transform sets");
    } else if (setting == "pfs") {
      auto g = a.done() ? std::string("group1") : a.keyword("PFS group", {"group1", "group2", "group5"});
      a.end();
      d.pfs_group = std::stoi(g.substr(5));
    } else if (setting == "security-association") {
      if (!a.accept("lifetime")) a.fail("expected 'lifetime'");
      read_lifetime(a, d.lifetime_seconds, d.lifetime_kilobytes);
    } else {
      a.remaining();
      st.rep.partial(a.number(), "crypto dynamic-map", "'set peer' on a dynamic map is not used; any peer may connect",
                     redact(a.line()));
      return;
    }
  }
  st.dynamic_maps[{name, seq}] = std::move(d);
}

// ---- crypto map NAME ... -----------------------------------------------------------------------------------------

CryptoMap& crypto_map_named(PixState& st, const std::string& name, const Args& a) {
  auto& m = st.cfg.crypto_maps[name];
  if (m.name.empty()) {
    m.name = name;
    m.origin = st.origin(a);
  }
  return m;
}

// crypto map M client authentication TAG [LOCAL] | client configuration address initiate|respond
void map_client(PixState& st, Args& a, const std::string& name) {
  if (a.accept("token")) {
    a.remaining();
    st.rep.partial(a.number(), "crypto map", "token authentication is not supported");
    return;
  }
  if (a.accept("authentication")) {
    std::string tag = a.word("AAA server tag");
    bool local_fallback = a.accept("local");
    a.end();
    crypto_map_named(st, name, a).client_authentication = tag;
    if (local_fallback)
      st.rep.partial(a.number(), "crypto map", "the LOCAL fallback when the servers are down is not used");
    return;
  }
  if (!a.accept("configuration")) a.fail(a.done() ? "missing 'authentication' or 'configuration'"
                                                  : "unknown keyword '" + std::string(a.peek()) + "' after 'client'");
  if (!a.accept("address")) a.fail("expected 'address'");
  auto how = a.keyword("address mode", {"initiate", "respond"});
  a.end();
  auto& m = crypto_map_named(st, name, a);
  (how == "initiate" ? m.config_initiate : m.config_respond) = true;
}

// crypto map M interface IF: the map (and so Xauth and mode-config) applies to IKE on that interface.
void map_interface(PixState& st, Args& a, const std::string& name) {
  std::string ifname = pix_interface(st, a, "interface name");
  a.end();
  auto& m = crypto_map_named(st, name, a);
  if (std::find(m.interfaces.begin(), m.interfaces.end(), ifname) == m.interfaces.end()) m.interfaces.push_back(ifname);
  for (auto& i : st.cfg.interfaces)
    if (i.name == ifname && std::find(i.crypto_maps.begin(), i.crypto_maps.end(), name) == i.crypto_maps.end())
      i.crypto_maps.push_back(name);
}

// crypto map M SEQ ipsec-isakmp [dynamic D] | crypto map M SEQ ipsec-manual | crypto map M SEQ set|match ...
void map_entry(PixState& st, Args& a, const std::string& name) {
  int seq = int(a.number("sequence number", 1, 65535));
  auto kind = a.keyword("crypto map entry", {"ipsec-isakmp", "ipsec-manual", "set", "match"});
  if (kind == "ipsec-manual") {
    a.remaining();
    a.fail("ipsec-manual crypto map entries are not supported");
  }
  if (kind == "set" && a.peek() == "session-key") {
    a.remaining();  // never quoted: the line carries keys
    a.fail("manual session keys (ipsec-manual) are not supported");
  }
  if (kind != "ipsec-isakmp" || !a.accept("dynamic")) {
    a.remaining();
    crypto_map_named(st, name, a);
    st.rep.partial(a.number(), "crypto map",
                   "static (site-to-site) crypto map entries are not supported; crypto map " + name + " " +
                       std::to_string(seq) + " is not used");
    return;
  }
  CryptoMapEntry e;
  e.sequence = seq;
  e.dynamic_map = a.word("dynamic map name");
  e.origin = st.origin(a);
  a.end();
  auto& entries = crypto_map_named(st, name, a).entries;
  auto same = std::find_if(entries.begin(), entries.end(), [&](const CryptoMapEntry& o) { return o.sequence == seq; });
  if (same != entries.end()) *same = std::move(e);
  else entries.push_back(std::move(e));
}

void crypto_map(PixState& st, Args& a) {
  std::string name = a.word("crypto map name");
  if (a.accept("client")) return map_client(st, a, name);
  if (a.accept("interface")) return map_interface(st, a, name);
  if (a.done()) a.fail("missing sequence number or keyword");
  if (a.peek()[0] < '0' || a.peek()[0] > '9') a.fail("unknown keyword '" + std::string(a.peek()) + "'");
  map_entry(st, a, name);
}

// `crypto isakmp ...`, `crypto ca ...`, `crypto ipsec ikev1 ...`: PIX 7.x / ASA spellings.
void crypto_asa_syntax(PixState&, Args& a) {
  a.remaining();
  a.fail("PIX 7.x / ASA syntax; PIX 6.x writes `isakmp ...` and `ca ...` without `crypto`");
}

}  // namespace

void add_pix_crypto_commands(Table& top) {
  top.handle("crypto ipsec transform-set", transform_set)
      .handle("crypto ipsec security-association lifetime", ipsec_lifetime)
      .handle("crypto dynamic-map", dynamic_map)
      .handle("crypto map", crypto_map)
      .handle("crypto isakmp", crypto_asa_syntax)
      .handle("crypto ca", crypto_asa_syntax)
      .handle("crypto ipsec ikev1", crypto_asa_syntax)
      .handle("crypto ikev1", crypto_asa_syntax)
      .handle("crypto ikev2", crypto_asa_syntax);
}

}  // namespace ravpn::config::detail
