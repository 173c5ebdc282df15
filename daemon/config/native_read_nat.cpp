// Native format, NAT: [nat] ios_lines, [nat.pool.NAME], [[nat.exemption]], [[nat.dynamic]], [[nat.static]].
#include "daemon/config/native_reader.hpp"

namespace ravpn::config::native {
namespace {

// An IOS `ip nat ...` line as written, without `ip nat`: kept for the report; nat.dynamic / nat.static say what
// ravpn does.
void read_ios_lines(Fields& f, Config& cfg) {
  auto lines = f.texts("ios_lines");
  if (!lines) return;
  for (const auto& l : *lines) {
    NatStatement n;
    n.origin = f.origin_of("ios_lines");
    for (size_t i = 0; i < l.size();) {
      size_t j = l.find(' ', i);
      if (j == std::string::npos) j = l.size();
      if (j > i) n.words.push_back(l.substr(i, j - i));
      i = j + 1;
    }
    if (n.words.empty()) f.error(n.origin.line, "nat.ios_lines: empty line");
    else cfg.nat_statements.push_back(std::move(n));
  }
}

void read_pool(Fields f, const std::string& name, Config& cfg) {
  NatPool p;
  p.name = name;
  p.origin = f.origin();
  bool ok = f.require("first") & f.require("last") & f.require("netmask");
  if (auto v = f.address("first")) p.range.first = *v;
  else ok = false;
  if (auto v = f.address("last")) p.range.last = *v;
  else ok = false;
  if (auto v = f.address("netmask")) p.netmask = *v;
  else ok = false;
  f.finish();
  if (!ok) return;
  if (p.range.last < p.range.first) f.error(f.line_of("last"), "nat.pool." + name + ": last is below first");
  else if (!mask_to_prefix(p.netmask))
    f.error(f.line_of("netmask"), "nat.pool." + name + ": netmask is not contiguous");
  else cfg.nat_pools[name] = std::move(p);
}

void read_exemption(Fields f, Config& cfg) {
  NatExemption x;
  x.origin = f.origin();
  bool ok = f.require("acl");
  f.read_name("real_interface", x.real_interface);
  if (auto v = f.name("acl")) x.acl = *v;
  else ok = false;
  f.finish();
  if (ok) cfg.nat_exemptions.push_back(std::move(x));
}

void read_dynamic(Fields f, Config& cfg) {
  DynamicNat d;
  d.origin = f.origin();
  if (auto v = f.number("id", 0, 65535)) d.id = int(*v);
  f.read_name("real_interface", d.real_interface);
  f.read_name("mapped_interface", d.mapped_interface);
  if (auto v = f.network("network")) d.network = *v;
  f.read_name("acl", d.acl);
  f.read_name("route_map", d.route_map);
  if (auto v = f.ranges("mapped")) d.mapped_ranges = std::move(*v);
  f.read("interface_pat", d.interface_pat);
  f.read("overload", d.overload);
  f.read_name("pool", d.nat_pool);
  f.finish();
  int selectors = int(d.network.has_value()) + int(!d.acl.empty()) + int(!d.route_map.empty());
  if (selectors > 1) {
    f.error(d.origin.line, "nat.dynamic: give one of network, acl, route_map");
    return;
  }
  cfg.dynamic_nats.push_back(std::move(d));
}

void read_static(Fields f, Config& cfg) {
  StaticNat s;
  s.origin = f.origin();
  bool ok = f.require("real") & f.require("mapped");
  f.read_name("real_interface", s.real_interface);
  f.read_name("mapped_interface", s.mapped_interface);
  if (auto v = f.network("real")) s.real = *v;
  else ok = false;
  if (auto v = f.address("mapped")) s.mapped = *v;
  else ok = false;
  if (f.has("protocol")) {
    auto p = f.protocol("protocol");
    if (p && (*p == 6 || *p == 17)) s.protocol = *p;
    else {
      if (p) f.error(f.line_of("protocol"), "nat.static.protocol: static PAT is tcp or udp");
      ok = false;
    }
  }
  bool pat = s.protocol != -1;
  for (auto [key, port] : {std::pair{"real_port", &s.real_port}, std::pair{"mapped_port", &s.mapped_port}}) {
    if (pat && !f.require(key)) ok = false;
    if (auto v = f.number(key, 1, 65535)) {
      *port = uint16_t(*v);
      if (!pat) {
        f.error(f.line_of(key), std::string("nat.static.") + key + ": ports need protocol tcp or udp");
        ok = false;
      }
    } else if (f.has(key)) {
      ok = false;
    }
  }
  f.finish();
  if (ok) cfg.static_nats.push_back(std::move(s));
}

}  // namespace

void read_nat(Fields& root, Config& cfg) {
  const toml::table* t = root.table("nat");
  if (!t) return;
  Fields f = root.sub(*t, "nat", "nat");
  read_ios_lines(f, cfg);
  for (const auto& p : f.named_tables("pool"))
    read_pool(f.sub(*p.tables.front(), "nat.pool", "nat.pool." + p.name), p.name, cfg);
  for (const toml::table* x : f.tables("exemption")) read_exemption(f.sub(*x, "nat.exemption", "nat.exemption"), cfg);
  for (const toml::table* d : f.tables("dynamic")) read_dynamic(f.sub(*d, "nat.dynamic", "nat.dynamic"), cfg);
  for (const toml::table* s : f.tables("static")) read_static(f.sub(*s, "nat.static", "nat.static"), cfg);
  f.finish();
}

}  // namespace ravpn::config::native
