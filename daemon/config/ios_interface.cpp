// IOS interfaces, routes, address pools, access lists and (stored, not yet applied) NAT.
#include <algorithm>

#include "daemon/config/ios_reader.hpp"

namespace ravpn::config::detail {
namespace {

using Table = CommandTable<IosState>;
constexpr auto Ignored = Diagnostic::Kind::Ignored;
constexpr auto Partial = Diagnostic::Kind::Partial;
constexpr std::string_view kNatNotYet = "parsed, NAT not applied yet";

// ---- interface X ----------------------------------------------------------------------------------------------

Interface& current_interface(IosState& st) { return st.cfg.interfaces.at(st.interface); }

void if_address(IosState& st, Args& a) {
  if (a.accept("dhcp")) {
    st.rep.partial(a.number(), "ip address", "DHCP-assigned addresses are not supported");
    a.remaining();
    return;
  }
  Ipv4Net net;
  net.address = a.address("interface address");
  net.mask = a.netmask("interface mask");
  if (a.accept("secondary")) {
    a.end();
    st.rep.partial(a.number(), "ip address", "secondary address not used");
    return;
  }
  a.end();
  current_interface(st).address = net;
}

void if_no_address(IosState& st, Args& a) {
  a.remaining();
  current_interface(st).address.reset();
}

void if_shutdown(IosState& st, Args& a) {
  a.end();
  current_interface(st).shutdown = true;
}

void if_no_shutdown(IosState& st, Args& a) {
  a.end();
  current_interface(st).shutdown = false;
}

void if_nat(IosState& st, Args& a) {
  auto side = a.keyword("NAT side", {"inside", "outside"});
  a.end();
  (side == "inside" ? current_interface(st).nat_inside : current_interface(st).nat_outside) = true;
}

void if_crypto_map(IosState& st, Args& a) {
  std::string name = a.word("crypto map name");
  a.accept("redundancy");
  a.remaining();
  auto& maps = current_interface(st).crypto_maps;
  if (std::find(maps.begin(), maps.end(), name) == maps.end()) maps.push_back(name);
}

const Table& interface_table() {
  static const Table t = Table()
                             .handle("ip address", if_address)
                             .handle("no ip address", if_no_address)
                             .handle("shutdown", if_shutdown)
                             .handle("no shutdown", if_no_shutdown)
                             .handle("ip nat", if_nat)
                             .handle("crypto map", if_crypto_map)
                             .partial("ip access-group", "interface ACLs are not applied yet")
                             .ignore("description")
                             .ignore("duplex")
                             .ignore("speed")
                             .ignore("half-duplex")
                             .ignore("full-duplex")
                             .ignore("media-type")
                             .ignore("keepalive")
                             .ignore("bandwidth")
                             .ignore("cdp")
                             .ignore("ip route-cache")
                             .ignore("ip mroute-cache")
                             .ignore("ip redirects")
                             .ignore("ip unreachables")
                             .ignore("ip proxy-arp")
                             .ignore("ip directed-broadcast")
                             .ignore("ip mtu")
                             .ignore("mtu");
  return t;
}

void interface(IosState& st, Args& a) {
  std::string name = a.word("interface name");
  // `interface FastEthernet 0/1` is the same interface as `interface FastEthernet0/1`.
  if (!a.done() && !a.peek().empty() && a.peek()[0] >= '0' && a.peek()[0] <= '9') name += a.word("interface");
  if (!a.done()) {
    st.rep.partial(a.number(), "interface", "interface options after the name not used");
    a.remaining();
  }
  auto& ifs = st.cfg.interfaces;
  auto it = std::find_if(ifs.begin(), ifs.end(), [&](const Interface& i) { return i.name == name; });
  if (it == ifs.end()) {
    Interface i;
    i.name = name;
    i.origin = st.origin(a);
    ifs.push_back(std::move(i));
    it = ifs.end() - 1;
  }
  st.interface = size_t(it - ifs.begin());
  st.block = {"interface", &interface_table(), Ignored, "interface setting not used by ravpn"};
}

// ---- ip route, ip local pool ----------------------------------------------------------------------------------

// ip route NET MASK {GATEWAY | INTERFACE [GATEWAY]} [DISTANCE] [name N] [permanent] [tag T]
void ip_route(IosState& st, Args& a) {
  Route r;
  r.destination.address = a.address("destination");
  r.destination.mask = a.netmask("destination mask");
  if ((r.destination.address.value & ~r.destination.mask.value) != 0)
    a.fail("destination " + r.destination.address.str() + " has bits outside mask " + r.destination.mask.str());
  if (a.done()) a.fail("missing gateway or interface");
  if (Ipv4::parse(a.peek())) {
    r.gateway = a.address("gateway");
  } else {
    r.interface_name = a.word("interface");
    if (!a.done() && Ipv4::parse(a.peek())) r.gateway = a.address("gateway");
  }
  if (!a.done() && a.peek()[0] >= '0' && a.peek()[0] <= '9') a.number("distance", 1, 255);
  while (!a.done()) {
    if (a.accept("name") || a.accept("tag")) a.word("value");
    else if (!a.accept("permanent")) a.fail("unknown keyword '" + std::string(a.peek()) + "'");
  }
  r.origin = st.origin(a);
  st.cfg.routes.push_back(std::move(r));
}

// ip local pool NAME FIRST [LAST] [group G]
void ip_local_pool(IosState& st, Args& a) {
  std::string name = a.word("pool name");
  Ipv4Range r;
  r.first = a.address("first address");
  r.last = r.first;
  if (!a.done() && Ipv4::parse(a.peek())) r.last = a.address("last address");
  if (r.last < r.first) a.fail("last address " + r.last.str() + " is below first address " + r.first.str());
  if (a.accept("group")) {
    a.word("group name");
    st.rep.partial(a.number(), "ip local pool", "pool groups not used");
  }
  a.end();
  auto& pool = st.cfg.pools[name];
  if (pool.name.empty()) {
    pool.name = name;
    pool.origin = st.origin(a);
  }
  for (const auto& o : pool.ranges)
    if (r.first <= o.last && o.first <= r.last) a.fail("range overlaps an earlier range of pool " + name);
  pool.ranges.push_back(r);
}

// ---- access lists ---------------------------------------------------------------------------------------------

void add_acl_entry(IosState& st, Args& a, AccessList& acl) {
  auto action = a.keyword("ACL action", {"permit", "deny", "remark", "dynamic", "evaluate"});
  if (action == "remark") {
    a.remaining();
    return;
  }
  if (action != "permit" && action != "deny") {
    a.remaining();
    st.rep.partial(a.number(), "access-list", action + " entries are not supported");
    return;
  }
  AclEntry e;
  e.permit = action == "permit";
  auto words = a.remaining();
  if (words.empty()) a.fail("missing ACL entry after " + action);
  for (const auto& w : words) e.text += (e.text.empty() ? "" : " ") + w;
  e.origin = st.origin(a);
  acl.entries.push_back(std::move(e));
}

AccessList& acl_named(IosState& st, const std::string& name) {
  auto& acl = st.cfg.access_lists[name];
  acl.name = name;
  return acl;
}

void access_list(IosState& st, Args& a) {
  std::string name = std::to_string(a.number("access-list number", 1, 2699));
  add_acl_entry(st, a, acl_named(st, name));
}

void named_acl_entry(IosState& st, Args& a) { add_acl_entry(st, a, *st.access_list); }

const Table& named_acl_table() {
  static const Table t = Table()
                             .handle("permit", named_acl_entry)
                             .handle("deny", named_acl_entry)
                             .handle("remark", named_acl_entry);
  return t;
}

void ip_access_list(IosState& st, Args& a) {
  a.keyword("ACL type", {"standard", "extended"});
  std::string name = a.word("ACL name");
  a.end();
  st.access_list = &acl_named(st, name);
  st.block = {"ip access-list", &named_acl_table(), Partial, "ACL line not understood"};
}

// ---- NAT, route maps: stored for the NAT issue ----------------------------------------------------------------

// ip nat pool NAME FIRST LAST {netmask M | prefix-length N}
void ip_nat_pool(IosState& st, Args& a) {
  NatPool p;
  p.name = a.word("NAT pool name");
  p.range.first = a.address("first address");
  p.range.last = a.address("last address");
  if (p.range.last < p.range.first) a.fail("last address is below first address");
  auto how = a.keyword("mask keyword", {"netmask", "prefix-length"});
  p.netmask = how == "netmask" ? a.netmask("NAT pool netmask") : prefix_to_mask(int(a.number("prefix length", 1, 32)));
  if (a.accept("type")) a.word("pool type");
  a.end();
  p.origin = st.origin(a);
  st.rep.partial(a.number(), "ip nat pool", std::string(kNatNotYet), a.line().text);
  st.cfg.nat_pools[p.name] = std::move(p);
}

void ip_nat_source(IosState& st, Args& a) {
  NatStatement n;
  // words after `ip nat`
  n.words.assign(a.line().words.begin() + 2, a.line().words.end());
  a.remaining();
  n.origin = st.origin(a);
  std::string group = "ip nat " + to_lower(n.words.at(0)) + " source";
  st.rep.partial(a.number(), group, std::string(kNatNotYet), a.line().text);
  st.cfg.nat_statements.push_back(std::move(n));
}

void route_map_match(IosState& st, Args& a) {
  if (a.done()) a.fail("missing ACL");
  while (!a.done()) st.route_map->match_acls.push_back(a.word("ACL"));
}

void route_map_other(IosState& st, Args& a) {
  st.route_map->other_lines.push_back(a.line().text.substr(a.line().offsets[0]));
  a.remaining();
  st.rep.partial(a.number(), "route-map", std::string(kNatNotYet), a.line().text);
}

const Table& route_map_table() {
  static const Table t = Table()
                             .handle("match ip address", route_map_match)
                             .handle("match", route_map_other)
                             .handle("set", route_map_other)
                             .ignore("description");
  return t;
}

void route_map(IosState& st, Args& a) {
  std::string name = a.word("route-map name");
  bool permit = true;
  if (!a.done() && (a.peek() == "permit" || a.peek() == "deny")) permit = a.word("action") == "permit";
  int seq = a.done() ? 10 : int(a.number("sequence number", 0, 65535));
  a.end();
  auto& e = st.route_maps[{name, seq}];
  e.name = name;
  e.permit = permit;
  e.sequence = seq;
  e.origin = st.origin(a);
  st.route_map = &e;
  st.rep.partial(a.number(), "route-map", std::string(kNatNotYet), a.line().text);
  st.block = {"route-map", &route_map_table(), Partial, std::string(kNatNotYet)};
}

}  // namespace

void add_ios_interface_commands(Table& top) {
  top.handle("interface", interface)
      .handle("ip route", ip_route)
      .handle("ip local pool", ip_local_pool)
      .handle("access-list", access_list)
      .handle("ip access-list", ip_access_list)
      .handle("ip nat pool", ip_nat_pool)
      .handle("ip nat inside source", ip_nat_source)
      .handle("ip nat outside source", ip_nat_source)
      .handle("route-map", route_map);
}

}  // namespace ravpn::config::detail
