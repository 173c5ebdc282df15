// read_acl_match and the literal tables it needs. Syntax (PIX 6.3 `access-list`, IOS 12.x numbered and named ACLs):
//   standard (IOS):  {any | host A | A [WILDCARD]} [log]
//   extended:        PROTO SRC [PORTS] DST [PORTS] [ICMP-TYPE] [OPTIONS]
//   SRC/DST:         any | host A | A MASK          (MASK: netmask on PIX, wildcard on IOS)
//   PORTS (tcp/udp): eq P | neq P | lt P | gt P | range P1 P2
#include "daemon/config/acl_match.hpp"

#include <algorithm>
#include <array>
#include <utility>

#include "daemon/config/text.hpp"

namespace ravpn::config::detail {
namespace {

constexpr int kIcmp = 1;
constexpr int kTcp = 6;
constexpr int kUdp = 17;

constexpr std::pair<std::string_view, int> kProtocols[] = {
    {"icmp", 1}, {"igmp", 2},   {"ipinip", 4}, {"tcp", 6},    {"igrp", 9},  {"udp", 17}, {"gre", 47}, {"esp", 50},
    {"ah", 51},  {"ahp", 51},   {"eigrp", 88}, {"ospf", 89},  {"nos", 94},  {"pim", 103}, {"pcp", 108}, {"snp", 109},
};

// The port literals of the PIX 6.3 / FWSM "Port and Protocol Values" appendix and IOS 12.x, one number each (the
// same number can have a TCP and a UDP name: exec/biff 512, login/who 513, cmd/rsh/syslog 514).
constexpr std::pair<std::string_view, uint16_t> kPorts[] = {
    {"aol", 5190},         {"bgp", 179},           {"biff", 512},          {"bootpc", 68},
    {"bootps", 67},        {"chargen", 19},        {"citrix-ica", 1494},   {"cmd", 514},
    {"ctiqbe", 2748},      {"daytime", 13},        {"discard", 9},         {"dnsix", 195},
    {"domain", 53},        {"echo", 7},            {"exec", 512},          {"finger", 79},
    {"ftp", 21},           {"ftp-data", 20},       {"gopher", 70},         {"h323", 1720},
    {"hostname", 101},     {"http", 80},           {"https", 443},         {"ident", 113},
    {"imap4", 143},        {"irc", 194},           {"isakmp", 500},        {"kerberos", 750},
    {"klogin", 543},       {"kshell", 544},        {"ldap", 389},          {"ldaps", 636},
    {"login", 513},        {"lotusnotes", 1352},   {"lpd", 515},           {"mobile-ip", 434},
    {"nameserver", 42},    {"netbios-dgm", 138},   {"netbios-ns", 137},    {"netbios-ssn", 139},
    {"netbios-ss", 139},   {"nntp", 119},          {"non500-isakmp", 4500}, {"ntp", 123},
    {"pcanywhere-data", 5631}, {"pcanywhere-status", 5632}, {"pim-auto-rp", 496}, {"pop2", 109},
    {"pop3", 110},         {"pptp", 1723},         {"radius", 1645},       {"radius-acct", 1646},
    {"rip", 520},          {"rpc", 111},           {"rsh", 514},           {"rtsp", 554},
    {"secureid-udp", 5510}, {"sip", 5060},         {"smtp", 25},           {"snmp", 161},
    {"snmptrap", 162},     {"sqlnet", 1521},       {"ssh", 22},            {"sunrpc", 111},
    {"syslog", 514},       {"tacacs", 49},         {"talk", 517},          {"telnet", 23},
    {"tftp", 69},          {"time", 37},           {"uucp", 540},          {"who", 513},
    {"whois", 43},         {"www", 80},            {"xdmcp", 177},
};

// ICMP type names (PIX 6.3 `icmp_type`, IOS message names that name a whole type).
constexpr std::pair<std::string_view, int> kIcmpTypes[] = {
    {"echo-reply", 0},          {"unreachable", 3},           {"source-quench", 4},      {"redirect", 5},
    {"alternate-address", 6},   {"echo", 8},                  {"router-advertisement", 9}, {"router-solicitation", 10},
    {"time-exceeded", 11},      {"ttl-exceeded", 11},         {"parameter-problem", 12}, {"timestamp-request", 13},
    {"timestamp-reply", 14},    {"information-request", 15},  {"information-reply", 16}, {"mask-request", 17},
    {"mask-reply", 18},         {"traceroute", 30},           {"conversion-error", 31},  {"mobile-redirect", 32},
};

// IOS ICMP message names that fix a code as well as a type: valid, but the model keeps a type only.
constexpr std::array<std::string_view, 22> kIcmpCodeNames = {
    "administratively-prohibited", "dod-host-prohibited", "dod-net-prohibited", "general-parameter-problem",
    "host-isolated", "host-precedence-unreachable", "host-redirect", "host-tos-redirect", "host-tos-unreachable",
    "host-unknown", "host-unreachable", "net-redirect", "net-tos-redirect", "net-tos-unreachable", "net-unreachable",
    "network-unknown", "no-room-for-option", "option-missing", "packet-too-big", "port-unreachable",
    "precedence-unreachable", "protocol-unreachable"};

template <class V, size_t N>
std::optional<V> lookup(const std::pair<std::string_view, V> (&table)[N], std::string_view key) {
  for (const auto& [name, value] : table)
    if (name == key) return value;
  return std::nullopt;
}

std::optional<uint32_t> small_number(std::string_view w, uint32_t max) {
  if (w.empty() || w.size() > 5) return std::nullopt;
  uint32_t v = 0;
  for (char c : w) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + uint32_t(c - '0');
  }
  return v <= max ? std::optional<uint32_t>(v) : std::nullopt;
}

// Remembers the first reason a valid line cannot be represented.
struct Unsupported {
  std::string why;
  void note(std::string reason) {
    if (why.empty()) why = std::move(reason);
  }
};

Ipv4 to_netmask(Ipv4 mask, const AclSyntax& s, Unsupported& u) {
  Ipv4 netmask = s.masks == AclMasks::Wildcard ? Ipv4{~mask.value} : mask;
  if (!mask_to_prefix(netmask))
    u.note(s.masks == AclMasks::Wildcard ? "non-contiguous wildcard mask " + mask.str() + " cannot be represented"
                                         : "non-contiguous netmask " + mask.str() + " cannot be represented");
  return netmask;
}

Ipv4Net net(Ipv4 address, Ipv4 netmask) { return Ipv4Net{Ipv4{address.value & netmask.value}, netmask}; }

// any | host A | A MASK | object-group G | interface IF; in a standard ACL the mask may be absent (a host).
Ipv4Net read_endpoint(Args& a, const AclSyntax& s, Unsupported& u, std::string_view what) {
  std::string side(what);
  if (a.accept("any")) return net(Ipv4{0}, Ipv4{0});
  if (a.accept("host")) return net(read_address(a, side + " host", s.names), Ipv4{0xffffffffu});
  if (a.accept("object-group")) {
    a.word(side + " object-group name");
    u.note("object-group " + side + " is not supported");
    return net(Ipv4{0}, Ipv4{0});
  }
  if (s.masks == AclMasks::Netmask && a.accept("interface")) {
    a.word(side + " interface name");
    u.note("interface " + side + " is not supported");
    return net(Ipv4{0}, Ipv4{0});
  }
  Ipv4 address = read_address(a, side + " address", s.names);
  if (s.standard && (a.done() || !Ipv4::parse(a.peek()))) return net(address, Ipv4{0xffffffffu});
  Ipv4 mask = a.address(s.masks == AclMasks::Wildcard ? side + " wildcard" : side + " netmask");
  Ipv4 netmask = to_netmask(mask, s, u);
  if (!mask_to_prefix(netmask)) return net(address, Ipv4{0xffffffffu});
  return net(address, netmask);
}

bool is_port_operator(std::string_view w) { return w == "eq" || w == "neq" || w == "lt" || w == "gt" || w == "range"; }

PortMatch read_ports(Args& a, Unsupported& u, std::string_view what) {
  PortMatch p;
  std::string side(what);
  if (a.peek() == "object-group") {
    a.word("object-group");
    a.word(side + " service object-group name");
    u.note("service object-group is not supported");
    return p;
  }
  auto op = a.keyword(side + " port operator", {"eq", "neq", "lt", "gt", "range"});
  p.low = read_port(a, side + " port");
  if (op == "range") {
    p.op = PortMatch::Op::Range;
    p.high = read_port(a, side + " last port");
    if (p.high < p.low) a.fail(side + " port range " + std::to_string(p.low) + "-" + std::to_string(p.high) +
                               " ends below its start");
  } else {
    p.op = op == "eq" ? PortMatch::Op::Eq : op == "neq" ? PortMatch::Op::Neq : op == "lt" ? PortMatch::Op::Lt
                                                                                           : PortMatch::Op::Gt;
  }
  return p;
}

std::optional<int> read_icmp_type(Args& a, Unsupported& u) {
  if (a.done()) return std::nullopt;
  std::string w(a.peek());
  if (auto n = small_number(w, 255)) {
    a.word("ICMP type");
    if (!a.done() && small_number(a.peek(), 255)) {
      a.word("ICMP code");
      u.note("ICMP codes are not supported");
    }
    return int(*n);
  }
  if (auto t = lookup(kIcmpTypes, w)) {
    a.word("ICMP type");
    return *t;
  }
  if (std::find(kIcmpCodeNames.begin(), kIcmpCodeNames.end(), w) != kIcmpCodeNames.end()) {
    a.word("ICMP message");
    u.note("ICMP message " + w + " names a code; codes are not supported");
  }
  return std::nullopt;
}

// Trailing options. Logging changes nothing the model keeps; options that narrow the match cannot be kept.
void read_options(Args& a, Unsupported& u) {
  while (!a.done()) {
    std::string w(a.peek());
    if (w == "log" || w == "log-input") {
      a.word("log");
      if (!a.done() && (small_number(a.peek(), 7) || a.peek() == "disable" || a.peek() == "default"))
        a.word("log level");
      if (a.accept("interval")) a.number("log interval", 1, 600);
    } else if (w == "established" || w == "fragments" || w == "inactive") {
      a.word(w);
      u.note("'" + w + "' is not supported");
    } else if (w == "precedence" || w == "tos" || w == "dscp" || w == "time-range" || w == "option" ||
               w == "reflect") {
      a.word(w);
      a.word(w + " value");
      u.note("'" + w + "' is not supported");
    } else if (w == "ttl") {
      a.remaining();
      u.note("'ttl' is not supported");
    } else {
      a.fail("unexpected '" + w + "'");
    }
  }
}

int read_protocol(Args& a, Unsupported& u) {
  std::string w = to_lower(a.word("protocol"));
  if (w == "object-group") {
    a.word("protocol object-group name");
    u.note("protocol object-group is not supported");
    return -1;
  }
  auto p = protocol_number(w);
  if (!p) a.fail("unknown protocol '" + w.substr(0, 40) + "'");
  return *p;
}

}  // namespace

std::optional<int> protocol_number(std::string_view word) {
  std::string w = to_lower(word);
  if (w == "ip") return -1;
  if (auto n = small_number(w, 255)) return int(*n);
  return lookup(kProtocols, w);
}

std::optional<uint16_t> port_number(std::string_view word) {
  std::string w = to_lower(word);
  if (auto n = small_number(w, 65535)) return uint16_t(*n);
  return lookup(kPorts, w);
}

uint16_t read_port(Args& a, std::string_view what) {
  std::string w = a.word(what);
  auto p = port_number(w);
  if (!p) a.fail("bad " + std::string(what) + " '" + w.substr(0, 40) + "': not a port number or name");
  return *p;
}

std::optional<Ipv4> resolve_address(std::string_view word, const std::map<std::string, Ipv4>* names) {
  if (auto a = Ipv4::parse(word)) return a;
  if (!names) return std::nullopt;
  if (auto it = names->find(std::string(word)); it != names->end()) return it->second;
  return std::nullopt;
}

Ipv4 read_address(Args& a, std::string_view what, const std::map<std::string, Ipv4>* names) {
  if (!names) return a.address(what);
  std::string w = a.word(what);
  auto address = resolve_address(w, names);
  if (!address)
    a.fail("bad " + std::string(what) + " '" + w.substr(0, 40) + "': not an IPv4 address or a defined name");
  return *address;
}

Ipv4Range read_range(Args& a, std::string_view what, const std::map<std::string, Ipv4>* names) {
  std::string w = a.word(what);
  if (auto single = resolve_address(w, names)) return Ipv4Range{*single, *single};
  for (size_t dash = w.find('-'); dash != std::string::npos; dash = w.find('-', dash + 1)) {
    auto first = resolve_address(std::string_view(w).substr(0, dash), names);
    auto last = resolve_address(std::string_view(w).substr(dash + 1), names);
    if (!first || !last) continue;
    if (*last < *first)
      a.fail("bad " + std::string(what) + ": last address " + last->str() + " is below first address " + first->str());
    return Ipv4Range{*first, *last};
  }
  a.fail("bad " + std::string(what) + " '" + w.substr(0, 40) + "': expected A-B or a single address");
}

AclLine read_acl_match(Args& a, const AclSyntax& s) {
  Unsupported u;
  AclMatch m;
  if (s.standard) {
    if (a.done()) a.fail("missing source");
    m.source = read_endpoint(a, s, u, "source");
  } else {
    m.protocol = read_protocol(a, u);
    bool ports = m.protocol == kTcp || m.protocol == kUdp;
    m.source = read_endpoint(a, s, u, "source");
    if (ports && !a.done() && is_port_operator(a.peek())) m.source_ports = read_ports(a, u, "source");
    if (a.done()) a.fail("missing destination");
    m.destination = read_endpoint(a, s, u, "destination");
    if (ports && !a.done() && (is_port_operator(a.peek()) || a.peek() == "object-group"))
      m.destination_ports = read_ports(a, u, "destination");
    if (m.protocol == kIcmp) m.icmp_type = read_icmp_type(a, u);
  }
  read_options(a, u);
  AclLine out;
  if (u.why.empty()) out.match = m;
  else out.unsupported = u.why;
  return out;
}

}  // namespace ravpn::config::detail
