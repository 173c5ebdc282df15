// IOS NAT lowered to the dialect-neutral model (cisco-config.md "NAT and filtering"): `ip nat pool`,
// `ip nat inside source list|route-map ... pool|interface` -> DynamicNat, `ip nat inside source static` ->
// StaticNat, `route-map` entries (only `match ip address` is used). Lines stay in NatStatement / RouteMapEntry too.
#include "daemon/config/acl_match.hpp"
#include "daemon/config/ios_reader.hpp"

namespace ravpn::config::detail {
namespace {

using Table = CommandTable<IosState>;
constexpr auto Partial = Diagnostic::Kind::Partial;

// ip nat pool NAME FIRST LAST {netmask M | prefix-length N} [type match-host|rotary] [add-route]
void ip_nat_pool(IosState& st, Args& a) {
  NatPool p;
  p.name = a.word("NAT pool name");
  p.range.first = a.address("first address");
  p.range.last = a.address("last address");
  if (p.range.last < p.range.first) a.fail("last address is below first address");
  auto how = a.keyword("mask keyword", {"netmask", "prefix-length"});
  p.netmask = how == "netmask" ? a.netmask("NAT pool netmask") : prefix_to_mask(int(a.number("prefix length", 1, 32)));
  std::string type;
  if (a.accept("type")) type = a.keyword("pool type", {"match-host", "rotary"});
  a.accept("add-route");
  a.end();
  p.origin = st.origin(a);
  if (type == "rotary")
    st.rep.partial(a.number(), "ip nat pool", "rotary pools (TCP load distribution) are not supported; used as a "
                                              "plain pool", redact(a.line()));
  st.cfg.nat_pools[p.name] = std::move(p);
}

NatStatement statement_of(IosState& st, const Args& a) {
  NatStatement n;
  n.words.assign(a.line().words.begin() + 2, a.line().words.end());  // the words after `ip nat`
  n.origin = st.origin(a);
  return n;
}

// Options after the translation target that ravpn reads past (`vrf` and friends keep the translation but are
// not applied).
void read_nat_options(IosState& st, Args& a, bool* overload) {
  while (!a.done()) {
    if (overload && a.accept("overload")) {
      *overload = true;
    } else if (a.accept("extendable")) {
      continue;  // lets one real address have several statics; nothing to do for a single rule
    } else if (a.peek() == "vrf" || a.peek() == "route-map" || a.peek() == "redundancy" || a.peek() == "mapping-id") {
      std::string option = a.word("option");
      a.word(option + " name");
      st.rep.partial(a.number(), "ip nat inside source", "'" + option + "' is not applied", redact(a.line()));
    } else if (a.peek() == "no-alias" || a.peek() == "no-payload" || a.peek() == "reversible" || a.peek() == "oer") {
      std::string option = a.word("option");
      st.rep.partial(a.number(), "ip nat inside source", "'" + option + "' is not applied", redact(a.line()));
    } else {
      a.fail("unexpected '" + std::string(a.peek()) + "'");
    }
  }
}

// ip nat inside source {list ACL | route-map RM} {pool P | interface IF} [overload]
void inside_dynamic(IosState& st, Args& a, const std::string& selector) {
  DynamicNat d;
  d.origin = st.origin(a);
  (selector == "list" ? d.acl : d.route_map) = a.word(selector == "list" ? "access-list" : "route-map name");
  if (a.keyword("translation target", {"pool", "interface"}) == "pool") {
    d.nat_pool = a.word("NAT pool name");  // validate resolves it into mapped_ranges
    read_nat_options(st, a, &d.overload);
  } else {
    d.mapped_interface = a.word("interface name");
    d.interface_pat = true;
    read_nat_options(st, a, &d.overload);
    if (!d.overload)
      st.rep.partial(a.number(), "ip nat inside source",
                     "interface translation without overload serves one inside host at a time on IOS; ravpn uses PAT",
                     redact(a.line()));
    d.overload = true;
  }
  st.cfg.dynamic_nats.push_back(std::move(d));
}

// "255.255.255.0" or "/24".
std::optional<Ipv4> network_mask(std::string_view word) {
  if (!word.starts_with("/")) {
    auto m = Ipv4::parse(word);
    return m && mask_to_prefix(*m) ? m : std::nullopt;
  }
  if (word.size() < 2 || word.size() > 3) return std::nullopt;
  int n = 0;
  for (char c : word.substr(1)) {
    if (c < '0' || c > '9') return std::nullopt;
    n = n * 10 + (c - '0');
  }
  return n <= 32 ? std::optional<Ipv4>(prefix_to_mask(n)) : std::nullopt;
}

// ip nat inside source static [tcp|udp] REAL [RPORT] {MAPPED | interface IF} [MPORT] [options]
// ip nat inside source static network REAL MAPPED {MASK | /N} [options]
void inside_static(IosState& st, Args& a) {
  StaticNat s;
  s.origin = st.origin(a);
  bool on_interface = false;
  if (a.accept("network")) {
    Ipv4 real = a.address("real network");
    s.mapped = a.address("mapped network");
    std::string mask = a.word("network mask");
    auto netmask = network_mask(mask);
    if (!netmask) a.fail("bad network mask '" + mask.substr(0, 40) + "' (expected a netmask or /N)");
    s.real = Ipv4Net{Ipv4{real.value & netmask->value}, *netmask};
    s.mapped = Ipv4{s.mapped.value & netmask->value};
  } else {
    if (a.peek() == "tcp" || a.peek() == "udp") s.protocol = a.word("protocol") == "tcp" ? 6 : 17;
    s.real.address = a.address("real address");
    if (s.protocol > 0) s.real_port = read_port(a, "real port");
    if (a.accept("interface")) {
      s.mapped_interface = a.word("interface name");
      on_interface = true;
    } else {
      s.mapped = a.address("mapped address");
    }
    if (s.protocol > 0) s.mapped_port = read_port(a, "mapped port");
  }
  read_nat_options(st, a, nullptr);
  if (on_interface) st.statics_on_interface.push_back(st.cfg.static_nats.size());
  st.cfg.static_nats.push_back(std::move(s));
}

void ip_nat_inside_source(IosState& st, Args& a) {
  NatStatement n = statement_of(st, a);
  auto kind = a.keyword("translation kind", {"list", "route-map", "static"});
  if (kind == "static") inside_static(st, a);
  else inside_dynamic(st, a, kind);
  st.cfg.nat_statements.push_back(std::move(n));
}

void ip_nat_outside_source(IosState& st, Args& a) {
  NatStatement n = statement_of(st, a);
  a.remaining();
  st.rep.partial(a.number(), "ip nat outside source",
                 "outside source translation is not supported; only `ip nat inside source` is applied",
                 redact(a.line()));
  st.cfg.nat_statements.push_back(std::move(n));
}

// ---- route-map NAME [permit|deny] [SEQ] ----------------------------------------------------------------------

void route_map_match(IosState& st, Args& a) {
  if (a.done()) a.fail("missing ACL");
  while (!a.done()) st.route_map->match_acls.push_back(a.word("ACL"));
}

void route_map_other(IosState& st, Args& a) {
  std::string what = join(a.line().words, a.line().words.size() - a.left() - 1, a.line().words.size() - a.left());
  st.route_map->other_lines.push_back(a.line().text.substr(a.line().offsets[0]));
  a.remaining();
  st.rep.partial(a.number(), "route-map",
                 "route-map " + st.route_map->name + " " + std::to_string(st.route_map->sequence) + ": '" + what +
                     "' lines are not applied; NAT uses only `match ip address`",
                 redact(a.line()));
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
  st.block = {"route-map", &route_map_table(), Partial, "route-map line not applied"};
}

}  // namespace

void add_ios_nat_commands(Table& top) {
  top.handle("ip nat pool", ip_nat_pool)
      .handle("ip nat inside source", ip_nat_inside_source)
      .handle("ip nat outside source", ip_nat_outside_source)
      .partial("ip nat inside destination", "destination translation is not supported")
      .partial("ip nat outside destination", "destination translation is not supported")
      .partial("ip nat service", "NAT application helpers are not configurable")
      .ignore("ip nat translation", "NAT timeouts and limits are not used by ravpn")
      .ignore("ip nat log", "not used by ravpn")
      .handle("route-map", route_map);
}

}  // namespace ravpn::config::detail
