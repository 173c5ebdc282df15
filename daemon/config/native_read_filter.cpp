// Native format, filtering: [[access_list.NAME]], [[access_group]], [[route_map.NAME]], [sysopt].
#include <algorithm>

#include "daemon/config/native_reader.hpp"
#include "daemon/config/native_values.hpp"

namespace ravpn::config::native {
namespace {

constexpr const char* kMatchKeys[] = {"protocol", "source", "source_port", "destination", "destination_port",
                                      "icmp_type"};

bool is_tcp_or_udp(int protocol) { return protocol == 6 || protocol == 17; }

// source_port / destination_port = "eq 80" | "range 1000 2000" ...
std::optional<PortMatch> read_ports(Fields& f, std::string_view key) {
  auto s = f.text(key);
  if (!s) return std::nullopt;
  if (auto p = parse_ports(*s)) return p;
  f.error(f.line_of(key), f.path() + "." + std::string(key) + ": '" + *s +
                              "' is not a port match (eq N, neq N, lt N, gt N, range N M)");
  return std::nullopt;
}

// The structured form: protocol, source, destination and what goes with them. nullopt after an error.
std::optional<AclMatch> read_match(Fields& f) {
  bool ok = f.require("protocol") & f.require("source") & f.require("destination");
  AclMatch m;
  if (auto p = f.protocol("protocol")) m.protocol = *p;
  else ok = false;
  for (auto [key, net] : {std::pair{"source", &m.source}, std::pair{"destination", &m.destination}}) {
    auto s = f.text(key);
    if (!s) {
      ok = false;
      continue;
    }
    if (auto n = parse_acl_net(*s)) *net = *n;
    else {
      f.error(f.line_of(key), f.path() + "." + key + ": '" + *s + "' is not any, A.B.C.D or A.B.C.D/N");
      ok = false;
    }
  }
  for (auto [key, ports] :
       {std::pair{"source_port", &m.source_ports}, std::pair{"destination_port", &m.destination_ports}}) {
    if (!f.has(key)) continue;
    if (auto p = read_ports(f, key)) *ports = *p;
    else ok = false;
    if (ok && !is_tcp_or_udp(m.protocol)) {
      f.error(f.line_of(key), f.path() + "." + key + ": ports need protocol tcp or udp");
      ok = false;
    }
  }
  if (auto t = f.number("icmp_type", 0, 255)) {
    m.icmp_type = int(*t);
    if (m.protocol != 1) {
      f.error(f.line_of("icmp_type"), f.path() + ".icmp_type: needs protocol icmp");
      ok = false;
    }
  } else if (f.has("icmp_type")) {
    ok = false;
  }
  if (!ok) return std::nullopt;
  return m;
}

void read_acl_entry(Fields f, AccessList& acl) {
  AclEntry e;
  e.origin = f.origin();
  bool ok = f.require("action");
  if (auto a = f.one_of("action", {"permit", "deny"})) e.permit = *a == "permit";
  else ok = false;
  if (f.has("text")) {
    // A line the Cisco importer did not understand, kept as written: it never matches.
    for (const char* key : kMatchKeys)
      if (f.has(key)) {
        f.error(f.line_of(key), f.path() + ": '" + key + "' does not go with 'text' (text is for lines ravpn did " +
                                    "not understand; describe the entry with protocol, source, destination)");
        f.skip(key);
        ok = false;
      }
    f.read("text", e.text);
    if (e.text.empty()) {
      f.error(f.line_of("text"), f.path() + ".text: empty");
      ok = false;
    }
    f.finish();
    if (!ok) return;
    f.partial(e.origin.line, "access list " + acl.name + ": entry kept as text, not understood: it never matches");
    acl.entries.push_back(std::move(e));
    return;
  }
  auto m = read_match(f);
  f.finish();
  if (!ok || !m) return;
  e.text = acl_ios_text(*m);
  e.match = std::move(m);
  acl.entries.push_back(std::move(e));
}

void read_access_group(Fields f, Config& cfg) {
  AccessGroup g;
  g.origin = f.origin();
  bool ok = f.require("acl") & f.require("interface");
  if (auto v = f.name("acl")) g.acl = *v;
  else ok = false;
  if (auto v = f.name("interface")) g.interface = *v;
  else ok = false;
  if (auto v = f.one_of("direction", {"in", "out"})) g.inbound = *v == "in";
  f.finish();
  if (ok) cfg.access_groups.push_back(std::move(g));
}

void read_route_map(Fields f, const std::string& name, Config& cfg) {
  RouteMapEntry r;
  r.name = name;
  r.origin = f.origin();
  if (auto v = f.one_of("action", {"permit", "deny"})) r.permit = *v == "permit";
  bool ok = true;
  if (auto v = f.number("sequence", 0, 65535)) r.sequence = int(*v);
  else ok = !f.has("sequence");
  f.read("match_acls", r.match_acls);
  if (auto v = f.texts("other_lines")) r.other_lines = std::move(*v);
  f.finish();
  if (!ok) return;
  for (const auto& o : cfg.route_maps)
    if (o.name == name && o.sequence == r.sequence) {
      f.error(r.origin.line, "route map " + name + " " + std::to_string(r.sequence) + " is also at line " +
                                 std::to_string(o.origin.line));
      return;
    }
  cfg.route_maps.push_back(std::move(r));
}

}  // namespace

void read_filter(Fields& root, Config& cfg) {
  for (const auto& a : root.named_arrays("access_list")) {
    AccessList& acl = cfg.access_lists[a.name];
    acl.name = a.name;
    for (const toml::table* e : a.tables) read_acl_entry(root.sub(*e, "access_list", "access_list." + a.name), acl);
  }
  for (const toml::table* g : root.tables("access_group"))
    read_access_group(root.sub(*g, "access_group", "access_group"), cfg);
  for (const auto& r : root.named_arrays("route_map"))
    for (const toml::table* e : r.tables) read_route_map(root.sub(*e, "route_map", "route_map." + r.name), r.name, cfg);
  std::sort(cfg.route_maps.begin(), cfg.route_maps.end(), [](const RouteMapEntry& a, const RouteMapEntry& b) {
    return a.name != b.name ? a.name < b.name : a.sequence < b.sequence;
  });
  if (const toml::table* t = root.table("sysopt")) {
    Fields f = root.sub(*t, "sysopt", "sysopt");
    f.read("connection_permit_ipsec", cfg.sysopt_permit_ipsec);
    f.read("noproxyarp", cfg.noproxyarp_interfaces);
    f.finish();
  }
  read_nat(root, cfg);
}

}  // namespace ravpn::config::native
