#include "daemon/firewall/nft_text.hpp"

namespace ravpn::firewall::nft {

std::optional<std::string> prefix_text(const Ipv4Net& net) {
  const auto prefix = mask_to_prefix(net.mask);
  if (!prefix) return std::nullopt;
  const Ipv4 first{net.address.value & net.mask.value};
  if (*prefix == 32) return first.str();
  return first.str() + "/" + std::to_string(*prefix);
}

std::string address_match(std::string_view field, const Ipv4Net& net) {
  if (net.mask.value == 0) return "";  // any
  if (auto text = prefix_text(net)) return std::string(field) + " " + *text;
  // nft compares a masked field: `ip saddr & 255.0.255.0 == 10.0.1.0` (man nft, "bitwise" expressions).
  const Ipv4 masked{net.address.value & net.mask.value};
  return std::string(field) + " & " + net.mask.str() + " == " + masked.str();
}

std::string protocol_name(int protocol) {
  switch (protocol) {
    case 1: return "icmp";
    case 6: return "tcp";
    case 17: return "udp";
    case 47: return "gre";
    case 50: return "esp";
    case 51: return "ah";
    default: return std::to_string(protocol);
  }
}

std::string port_match(std::string_view proto, std::string_view direction, const config::PortMatch& ports) {
  using Op = config::PortMatch::Op;
  std::string lead = std::string(proto) + " " + std::string(direction) + " ";
  switch (ports.op) {
    case Op::Any: return "";
    case Op::Eq: return lead + std::to_string(ports.low);
    case Op::Neq: return lead + "!= " + std::to_string(ports.low);
    case Op::Lt: return lead + "< " + std::to_string(ports.low);
    case Op::Gt: return lead + "> " + std::to_string(ports.low);
    case Op::Range: return lead + std::to_string(ports.low) + "-" + std::to_string(ports.high);
  }
  return "";
}

namespace {

void append(std::string& out, const std::string& part) {
  if (part.empty()) return;
  if (!out.empty()) out += ' ';
  out += part;
}

}  // namespace

std::optional<std::string> acl_match(const config::AclMatch& match, Destination destination) {
  using Op = config::PortMatch::Op;
  const bool has_ports = match.source_ports.op != Op::Any || match.destination_ports.op != Op::Any;
  const bool tcp_or_udp = match.protocol == 6 || match.protocol == 17;
  if (has_ports && !tcp_or_udp) return std::nullopt;
  for (const auto* p : {&match.source_ports, &match.destination_ports})
    if (p->op == Op::Range && p->low > p->high) return std::nullopt;
  if (match.icmp_type && (match.protocol != 1 || *match.icmp_type < 0 || *match.icmp_type > 255)) return std::nullopt;
  if (match.protocol < -1 || match.protocol > 255) return std::nullopt;

  std::string out;
  if (match.protocol >= 0) append(out, "ip protocol " + protocol_name(match.protocol));
  append(out, address_match("ip saddr", match.source));
  append(out,
         address_match(destination == Destination::Packet ? "ip daddr" : "ct original ip daddr", match.destination));
  if (tcp_or_udp) {
    const std::string proto = protocol_name(match.protocol);
    append(out, port_match(proto, "sport", match.source_ports));
    append(out, port_match(proto, "dport", match.destination_ports));
  }
  if (match.icmp_type) append(out, "icmp type " + std::to_string(*match.icmp_type));
  return out;
}

bool usable_interface_name(std::string_view name) {
  if (name.empty() || name.size() > 15) return false;  // IFNAMSIZ - 1
  for (unsigned char ch : name)
    if (ch <= ' ' || ch == '"' || ch == '\\' || ch == 0x7f) return false;
  return true;
}

std::string interface_match(std::string_view keyword, const std::vector<std::string>& linux_names) {
  if (linux_names.empty()) return "";
  std::string out = std::string(keyword) + " ";
  if (linux_names.size() == 1) return out + "\"" + linux_names[0] + "\"";
  out += "{ ";
  for (size_t i = 0; i < linux_names.size(); ++i) out += (i ? ", \"" : "\"") + linux_names[i] + "\"";
  return out + " }";
}

std::string comment_text(std::string_view text) {
  std::string out(text);
  for (char& ch : out)
    if (static_cast<unsigned char>(ch) < ' ' || ch == 0x7f) ch = ' ';
  return out;
}

std::string rule_comment(std::string_view text) {
  std::string clean = comment_text(text);
  for (char& ch : clean)
    if (ch == '"' || ch == '\\') ch = '\'';
  if (clean.size() > 127) clean.resize(127);  // nft refuses comments longer than 128 bytes
  if (clean.empty()) return "";
  return " comment \"" + clean + "\"";
}

std::string origin_tag(const config::Origin& origin) {
  if (origin.file.empty()) return "";
  const auto slash = origin.file.find_last_of('/');
  std::string base = slash == std::string::npos ? origin.file : origin.file.substr(slash + 1);
  if (base.size() > 80) base.resize(80);
  if (origin.line > 0) base += ":" + std::to_string(origin.line);
  return base;
}

std::string identifier(std::string_view text) {
  std::string out(text);
  for (char& ch : out) {
    const bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '_';
    if (!ok) ch = '_';
  }
  if (out.size() > 64) out.resize(64);
  return out;
}

}  // namespace ravpn::firewall::nft
