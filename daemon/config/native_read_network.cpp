// Native format, addressing: [[interface]], [pool.NAME], [[route]], [mtu], [names].
#include "daemon/config/native_reader.hpp"

namespace ravpn::config::native {
namespace {

void read_interface(Fields f, Config& cfg) {
  Interface i;
  i.origin = f.origin();
  bool ok = f.require("name");
  if (auto v = f.name("name")) i.name = *v;
  else ok = false;
  f.read_name("hardware", i.hardware);
  if (auto v = f.network("address")) i.address = *v;
  f.read("security_level", i.security_level, 0, 100);
  f.read("shutdown", i.shutdown);
  f.read("nat_inside", i.nat_inside);
  f.read("nat_outside", i.nat_outside);
  f.read("crypto_maps", i.crypto_maps);
  f.finish();
  if (!ok) return;
  for (const auto& o : cfg.interfaces)
    if (o.name == i.name) {
      f.error(i.origin.line, "interface " + i.name + " is also at line " + std::to_string(o.origin.line));
      return;
    }
  cfg.interfaces.push_back(std::move(i));
}

void read_pool(Fields f, const std::string& name, Config& cfg) {
  AddressPool p;
  p.name = name;
  p.origin = f.origin();
  f.require("ranges");
  if (auto v = f.ranges("ranges")) {
    for (size_t a = 0; a < v->size(); ++a)
      for (size_t b = 0; b < a; ++b)
        if ((*v)[a].first <= (*v)[b].last && (*v)[b].first <= (*v)[a].last)
          f.error(f.line_of("ranges"), "pool " + name + ": ranges overlap");
    p.ranges = std::move(*v);
  }
  f.finish();
  cfg.pools[name] = std::move(p);
}

void read_route(Fields f, Config& cfg) {
  Route r;
  r.origin = f.origin();
  bool ok = f.require("destination") & f.require("gateway");
  f.read_name("interface", r.interface_name);
  if (auto v = f.network("destination")) r.destination = *v;
  else ok = false;
  if (auto v = f.address("gateway")) r.gateway = *v;
  else ok = false;
  f.finish();
  if (ok) cfg.routes.push_back(std::move(r));
}

// [mtu] IF = N
void read_mtus(Fields& root, Config& cfg) {
  const toml::table* t = root.table("mtu");
  if (!t) return;
  Fields f = root.sub(*t, "mtu", "mtu");
  for (const auto& [k, v] : *t) {
    std::string name(k.str());
    if (!valid_name(name)) f.error(int(k.source().begin.line), "mtu: '" + name + "' is not an interface name");
    else if (auto n = f.number(name, 64, 65535)) cfg.mtus[name] = uint32_t(*n);
    f.skip(name);
  }
  f.finish();
}

// [names] NAME = "A.B.C.D"
void read_names(Fields& root, Config& cfg) {
  const toml::table* t = root.table("names");
  if (!t) return;
  Fields f = root.sub(*t, "names", "names");
  for (const auto& [k, v] : *t) {
    std::string name(k.str());
    if (!valid_name(name)) f.error(int(k.source().begin.line), "names: '" + name + "' is not a name");
    else if (auto a = f.address(name)) cfg.names[name] = *a;
    f.skip(name);
  }
  f.finish();
}

}  // namespace

void read_network(Fields& root, Config& cfg) {
  for (const toml::table* i : root.tables("interface")) read_interface(root.sub(*i, "interface", "interface"), cfg);
  for (const auto& p : root.named_tables("pool"))
    read_pool(root.sub(*p.tables.front(), "pool", "pool." + p.name), p.name, cfg);
  for (const toml::table* r : root.tables("route")) read_route(root.sub(*r, "route", "route"), cfg);
  read_mtus(root, cfg);
  read_names(root, cfg);
}

}  // namespace ravpn::config::native
