// PIX NAT (cisco-config.md "NAT and filtering"): `nat (IF) 0 access-list ACL` is NAT exemption; `nat (IF) N ...`
// with every `global (IF2) N ...` of the same N is dynamic NAT/PAT; `static (R,M) ...` is static NAT or static PAT.
// nat and global lines pair up by id once the whole file is read (they come in any order).
#include <algorithm>
#include <tuple>

#include "daemon/config/acl_match.hpp"
#include "daemon/config/pix_reader.hpp"

namespace ravpn::config::detail {
namespace {

using Table = CommandTable<PixState>;

// Trailing words of nat / static lines: [outside] [dns] [norandomseq] [max_conns [emb_limit]].
struct NatOptions {
  bool outside = false;
  bool dns = false;
  uint32_t max_conns = 0;
  uint32_t emb_limit = 0;
};

NatOptions read_options(Args& a) {
  NatOptions o;
  int numbers = 0;
  while (!a.done()) {
    if (a.accept("outside")) {
      o.outside = true;
    } else if (a.accept("dns")) {
      o.dns = true;
    } else if (a.accept("norandomseq")) {
      continue;  // TCP sequence randomisation is the PIX's own; nothing to apply
    } else if (numbers == 0 && a.peek()[0] >= '0' && a.peek()[0] <= '9') {
      o.max_conns = a.number("max_conns", 0, 65535);
      ++numbers;
    } else if (numbers == 1 && a.peek()[0] >= '0' && a.peek()[0] <= '9') {
      o.emb_limit = a.number("emb_limit", 0, 65535);
      ++numbers;
    } else {
      a.fail("unexpected '" + std::string(a.peek()) + "'");
    }
  }
  return o;
}

void report(PixState& st, const Args& a, const NatOptions& o, const std::string& command) {
  if (o.dns) st.rep.partial(a.number(), command, "DNS reply rewriting (dns) is not supported", redact(a.line()));
  if (o.max_conns || o.emb_limit)
    st.rep.partial(a.number(), command, "connection limits (max_conns, emb_limit) are not applied", redact(a.line()));
  if (o.outside)
    st.rep.partial(a.number(), command, "outside NAT is translated like inside NAT (no DNS or ordering special cases)",
                   redact(a.line()));
}

// `nat 1 ...` with no interface means the inside interface, `global 1 ...` the outside one.
std::string interface_or(PixState& st, Args& a, const std::string& fallback) {
  if (a.peek().starts_with("(")) return parenthesized_interface(st, a);
  for (const auto& i : st.cfg.interfaces)
    if (i.name == fallback) return i.name;
  a.fail("missing (interface), and there is no " + fallback + " interface");
}

// nat [(IF)] 0 access-list ACL | nat [(IF)] N access-list ACL [...] | nat [(IF)] N NET MASK [...]
void nat(PixState& st, Args& a) {
  std::string ifname = interface_or(st, a, "inside");
  int id = int(a.number("nat id", 0, 2147483647));
  PixState::NatLine n;
  n.id = id;
  n.interface = ifname;
  n.origin = st.origin(a);
  if (a.accept("access-list")) {
    n.acl = a.word("access-list id");
  } else {
    Ipv4Net net;
    net.address = pix_address(st, a, "real address");
    net.mask = pix_netmask(a, "real netmask");
    n.network = Ipv4Net{Ipv4{net.address.value & net.mask.value}, net.mask};
  }
  NatOptions o = read_options(a);
  report(st, a, o, "nat");
  if (id != 0) {
    st.nat_lines.push_back(std::move(n));
    return;
  }
  if (n.network) {
    st.rep.partial(a.number(), "nat",
                   "identity NAT (nat 0 NET MASK) is not supported; write NAT exemption as nat 0 access-list ACL",
                   redact(a.line()));
    return;
  }
  st.cfg.nat_exemptions.push_back(NatExemption{n.interface, n.acl, n.origin});
}

// A netmask on a global range keeps its network and broadcast addresses out of the pool.
Ipv4Range without_network_and_broadcast(Ipv4Range r, Ipv4 mask) {
  if (mask_to_prefix(mask).value_or(32) >= 31 || r.first == r.last) return r;
  if (r.first.value == (r.first.value & mask.value)) r.first.value++;
  if (r.last.value == (r.last.value | ~mask.value) && r.last > r.first) r.last.value--;
  return r;
}

// global [(IF)] N A-B [netmask M] | global [(IF)] N A [netmask M] | global [(IF)] N interface
void global(PixState& st, Args& a) {
  PixState::GlobalLine g;
  g.interface = interface_or(st, a, "outside");
  g.id = int(a.number("nat id", 0, 2147483647));
  if (g.id == 0) a.fail("nat id 0 is NAT exemption; it has no global addresses");
  if (!a.accept("interface")) {
    g.range = read_range(a, "global addresses", &st.cfg.names);
    if (a.accept("netmask")) g.range = without_network_and_broadcast(*g.range, a.netmask("global netmask"));
  }
  a.end();
  g.origin = st.origin(a);
  st.global_lines.push_back(std::move(g));
}

// static (R,M) [tcp|udp] {MAPPED | interface} [MPORT] REAL [RPORT] [netmask M] [max_conns [emb_limit]] [...]
void static_nat(PixState& st, Args& a) {
  StaticNat s;
  std::tie(s.real_interface, s.mapped_interface) = interface_pair(st, a);
  s.origin = st.origin(a);
  if (a.peek() == "tcp" || a.peek() == "udp") s.protocol = a.word("protocol") == "tcp" ? 6 : 17;
  bool on_interface = a.accept("interface");
  if (!on_interface) s.mapped = pix_address(st, a, "mapped address");
  if (s.protocol > 0) s.mapped_port = read_port(a, "mapped port");
  if (a.accept("access-list")) {
    a.word("access-list id");
    report(st, a, read_options(a), "static");
    st.rep.partial(a.number(), "static", "policy static NAT (static ... access-list) is not supported",
                   redact(a.line()));
    return;
  }
  Ipv4 real = pix_address(st, a, "real address");
  if (s.protocol > 0) s.real_port = read_port(a, "real port");
  Ipv4 mask{0xffffffffu};
  if (a.accept("netmask")) mask = pix_netmask(a, "netmask");
  if (on_interface && mask.value != 0xffffffffu) a.fail("a static to the interface address needs netmask 255.255.255.255");
  NatOptions o = read_options(a);
  s.real = Ipv4Net{Ipv4{real.value & mask.value}, mask};
  s.mapped = Ipv4{s.mapped.value & mask.value};
  report(st, a, o, "static");
  if (on_interface) st.statics_on_interface.push_back(st.cfg.static_nats.size());
  st.cfg.static_nats.push_back(std::move(s));
}

// The DynamicNat of one nat line and the globals of its id on one interface: ranges one-to-one first, then PAT to
// a single address (the last range) or to the interface (cisco-config.md "NAT and filtering").
DynamicNat pair_up(PixState& st, const PixState::NatLine& n, const std::string& mapped_interface) {
  DynamicNat d;
  d.id = n.id;
  d.real_interface = n.interface;
  d.mapped_interface = mapped_interface;
  d.network = n.network;
  d.acl = n.acl;
  d.origin = n.origin;
  std::vector<const PixState::GlobalLine*> pat;
  for (const auto& g : st.global_lines) {
    if (g.id != n.id || g.interface != mapped_interface) continue;
    if (!g.range) d.interface_pat = true;
    else if (g.range->first == g.range->last) pat.push_back(&g);
    else d.mapped_ranges.push_back(*g.range);
  }
  for (const auto* g : pat) d.mapped_ranges.push_back(*g->range);
  d.overload = !pat.empty() || d.interface_pat;
  if (pat.size() > 1)
    st.rep.partial(pat.back()->origin.line, "global",
                   "several PAT addresses for nat id " + std::to_string(n.id) + " on " + mapped_interface +
                       ": only the last one is used for PAT");
  return d;
}

}  // namespace

void resolve_pix_nat(PixState& st) {
  for (const auto& n : st.nat_lines) {
    std::vector<std::string> interfaces;
    for (const auto& g : st.global_lines)
      if (g.id == n.id && std::find(interfaces.begin(), interfaces.end(), g.interface) == interfaces.end())
        interfaces.push_back(g.interface);
    if (interfaces.empty())
      st.rep.partial(n.origin.line, "nat",
                     "nat id " + std::to_string(n.id) + " has no global line: a PIX does not translate these flows");
    for (const auto& i : interfaces) st.cfg.dynamic_nats.push_back(pair_up(st, n, i));
  }
  for (const auto& g : st.global_lines)
    if (std::none_of(st.nat_lines.begin(), st.nat_lines.end(), [&](const auto& n) { return n.id == g.id; }))
      st.rep.partial(g.origin.line, "global",
                     "global id " + std::to_string(g.id) + " has no nat line: nothing is translated to it");
}

void add_pix_nat_commands(Table& top) {
  top.handle("nat", nat).handle("global", global).handle("static", static_nat);
}

}  // namespace ravpn::config::detail
