// IOS interfaces (with `ip access-group`, `ip mtu`), routes, address pools and access lists. NAT is in ios_nat.cpp.
#include <algorithm>

#include "daemon/config/acl_match.hpp"
#include "daemon/config/ios_reader.hpp"

namespace ravpn::config::detail {
namespace {

using Table = CommandTable<IosState>;
constexpr auto Ignored = Diagnostic::Kind::Ignored;
constexpr auto Partial = Diagnostic::Kind::Partial;

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

// ip access-group ACL in|out: an interface filter (cisco-config.md "NAT and filtering"); only `in` is applied.
void if_access_group(IosState& st, Args& a) {
  AccessGroup g;
  g.acl = a.word("access-list");
  g.inbound = a.keyword("direction", {"in", "out"}) == "in";
  a.end();
  g.interface = current_interface(st).name;
  g.origin = st.origin(a);
  if (!g.inbound)
    st.rep.partial(a.number(), "ip access-group", "outbound interface ACLs are not applied; only `in` filters",
                   redact(a.line()));
  st.cfg.access_groups.push_back(std::move(g));
}

// `mtu N` (layer 2) and `ip mtu N`: IOS prints `mtu` first, so a later `ip mtu` wins.
void if_mtu(IosState& st, Args& a) {
  st.cfg.mtus[current_interface(st).name] = a.number("MTU", 64, 65535);
  a.end();
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
                             .handle("ip access-group", if_access_group)
                             .handle("ip mtu", if_mtu)
                             .handle("mtu", if_mtu)
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
                             .ignore("ip directed-broadcast");
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

// Numbered ACLs: 1-99 and 1300-1999 standard (source only), 100-199 and 2000-2699 extended; the other ranges are
// other protocols' lists (MAC, IPX, ...).
enum class AclKind { Standard, Extended, Other };

AclKind kind_of_number(uint32_t n) {
  if ((n >= 1 && n <= 99) || (n >= 1300 && n <= 1999)) return AclKind::Standard;
  if ((n >= 100 && n <= 199) || (n >= 2000 && n <= 2699)) return AclKind::Extended;
  return AclKind::Other;
}

AccessList& acl_named(IosState& st, const std::string& name) {
  auto& acl = st.cfg.access_lists[name];
  acl.name = name;
  return acl;
}

// The ACL is created by its first good line (a rejected line changes nothing).
void add_acl_entry(IosState& st, Args& a, const std::string& name, AclKind kind) {
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
  if (a.done()) a.fail("missing ACL entry after " + action);
  const auto& words = a.line().words;
  e.text = join(words, words.size() - a.left(), words.size());
  e.origin = st.origin(a);
  if (kind == AclKind::Other) {
    a.remaining();
    st.rep.partial(a.number(), "access-list",
                   "access-list " + name + " is not an IP access list (1-199, 1300-2699 or named); line never matches",
                   redact(a.line()));
  } else {
    auto parsed = read_acl_match(a, AclSyntax{AclMasks::Wildcard, kind == AclKind::Standard, nullptr});
    e.match = parsed.match;
    if (!parsed.match)
      st.rep.partial(a.number(), "access-list", parsed.unsupported + "; the line never matches", redact(a.line()));
  }
  acl_named(st, name).entries.push_back(std::move(e));
}

void access_list(IosState& st, Args& a) {
  uint32_t number = a.number("access-list number", 1, 2699);
  add_acl_entry(st, a, std::to_string(number), kind_of_number(number));
}

// The table matched the action word (permit|deny|remark); add_acl_entry reads it again from the start.
void named_acl_entry(IosState& st, Args& a) {
  Args from_action(a.line(), 0, nullptr);
  add_acl_entry(st, from_action, st.access_list->name,
                st.access_list_standard ? AclKind::Standard : AclKind::Extended);
}

const Table& named_acl_table() {
  static const Table t = Table()
                             .handle("permit", named_acl_entry)
                             .handle("deny", named_acl_entry)
                             .handle("remark", named_acl_entry);
  return t;
}

void ip_access_list(IosState& st, Args& a) {
  bool standard = a.keyword("ACL type", {"standard", "extended"}) == "standard";
  std::string name = a.word("ACL name");
  a.end();
  st.access_list = &acl_named(st, name);
  st.access_list_standard = standard;
  st.block = {"ip access-list", &named_acl_table(), Partial, "ACL line not understood"};
}

}  // namespace

void add_ios_interface_commands(Table& top) {
  top.handle("interface", interface)
      .handle("ip route", ip_route)
      .handle("ip local pool", ip_local_pool)
      .handle("access-list", access_list)
      .handle("ip access-list", ip_access_list);
}

}  // namespace ravpn::config::detail
