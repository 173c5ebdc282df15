#include "daemon/config/native_values.hpp"

#include <array>
#include <charconv>
#include <utility>
#include <vector>

namespace ravpn::config::native {
namespace {

template <class T, size_t N>
std::string_view name_of(const std::array<std::pair<T, std::string_view>, N>& names, T value) {
  for (const auto& [v, n] : names)
    if (v == value) return n;
  return "";
}

template <class T, size_t N>
std::optional<T> value_of(const std::array<std::pair<T, std::string_view>, N>& names, std::string_view text) {
  for (const auto& [v, n] : names)
    if (n == text) return v;
  return std::nullopt;
}

constexpr std::array<std::pair<Cipher, std::string_view>, 5> kCiphers = {{{Cipher::Des, "des"},
                                                                          {Cipher::TripleDes, "3des"},
                                                                          {Cipher::Aes128, "aes-128"},
                                                                          {Cipher::Aes192, "aes-192"},
                                                                          {Cipher::Aes256, "aes-256"}}};
constexpr std::array<std::pair<Hash, std::string_view>, 5> kHashes = {{{Hash::Md5, "md5"},
                                                                      {Hash::Sha1, "sha1"},
                                                                      {Hash::Sha256, "sha256"},
                                                                      {Hash::Sha384, "sha384"},
                                                                      {Hash::Sha512, "sha512"}}};
constexpr std::array<std::pair<AuthMethod, std::string_view>, 3> kAuths = {
    {{AuthMethod::PreShare, "pre-share"}, {AuthMethod::RsaSig, "rsa-sig"}, {AuthMethod::RsaEncr, "rsa-encr"}}};
constexpr std::array<std::pair<LocalUser::HashKind, std::string_view>, 2> kHashKinds = {
    {{LocalUser::HashKind::Md5Crypt, "md5-crypt"}, {LocalUser::HashKind::PixMd5, "pix-md5"}}};
constexpr std::array<std::pair<int, std::string_view>, 8> kProtocols = {
    {{-1, "ip"}, {1, "icmp"}, {2, "igmp"}, {6, "tcp"}, {17, "udp"}, {47, "gre"}, {50, "esp"}, {51, "ah"}}};
constexpr std::array<std::pair<PortMatch::Op, std::string_view>, 5> kPortOps = {{{PortMatch::Op::Eq, "eq"},
                                                                                 {PortMatch::Op::Neq, "neq"},
                                                                                 {PortMatch::Op::Lt, "lt"},
                                                                                 {PortMatch::Op::Gt, "gt"},
                                                                                 {PortMatch::Op::Range, "range"}}};

std::optional<uint32_t> parse_uint(std::string_view s, uint32_t max) {
  uint32_t v = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || ptr != s.data() + s.size() || s.empty() || v > max) return std::nullopt;
  return v;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}

// Blank-separated words of S.
std::vector<std::string_view> words(std::string_view s) {
  std::vector<std::string_view> out;
  for (size_t i = 0; i < s.size();) {
    if (s[i] == ' ') {
      ++i;
      continue;
    }
    size_t j = s.find(' ', i);
    if (j == std::string_view::npos) j = s.size();
    out.push_back(s.substr(i, j - i));
    i = j;
  }
  return out;
}

// IOS form of one ACL operand: "any", "host A", "A WILDCARD".
std::string ios_operand(const Ipv4Net& n) {
  if (n.address.value == 0 && n.mask.value == 0) return "any";
  if (n.mask.value == 0xffffffffu) return "host " + n.address.str();
  return n.address.str() + " " + Ipv4{~n.mask.value}.str();
}

}  // namespace

std::string_view cipher_text(Cipher c) { return name_of(kCiphers, c); }
std::optional<Cipher> parse_cipher(std::string_view s) { return value_of(kCiphers, s); }
std::string_view hash_text(Hash h) { return name_of(kHashes, h); }
std::optional<Hash> parse_hash(std::string_view s) { return value_of(kHashes, s); }
std::string_view auth_text(AuthMethod a) { return name_of(kAuths, a); }
std::optional<AuthMethod> parse_auth(std::string_view s) { return value_of(kAuths, s); }
std::string_view hash_kind_text(LocalUser::HashKind k) { return name_of(kHashKinds, k); }
std::optional<LocalUser::HashKind> parse_hash_kind(std::string_view s) { return value_of(kHashKinds, s); }
std::string_view protocol_name(int protocol) { return name_of(kProtocols, protocol); }
std::optional<int> parse_protocol_name(std::string_view s) { return value_of(kProtocols, s); }

std::string net_text(const Ipv4Net& n) {
  auto prefix = mask_to_prefix(n.mask);
  return n.address.str() + "/" + (prefix ? std::to_string(*prefix) : n.mask.str());
}

std::optional<Ipv4Net> parse_net(std::string_view s) {
  s = trim(s);
  size_t slash = s.find('/');
  auto address = Ipv4::parse(s.substr(0, slash));
  if (!address) return std::nullopt;
  if (slash == std::string_view::npos) return Ipv4Net{*address, Ipv4{0xffffffffu}};
  auto mask_text = s.substr(slash + 1);
  if (mask_text.find('.') != std::string_view::npos) {
    auto mask = Ipv4::parse(mask_text);
    if (!mask) return std::nullopt;
    return Ipv4Net{*address, *mask};
  }
  auto prefix = parse_uint(mask_text, 32);
  if (!prefix) return std::nullopt;
  return Ipv4Net{*address, prefix_to_mask(int(*prefix))};
}

std::string acl_net_text(const Ipv4Net& n) {
  if (n.address.value == 0 && n.mask.value == 0) return "any";
  if (n.mask.value == 0xffffffffu) return n.address.str();
  return net_text(n);
}

std::optional<Ipv4Net> parse_acl_net(std::string_view s) {
  if (trim(s) == "any") return Ipv4Net{Ipv4{0}, Ipv4{0}};
  return parse_net(s);
}

std::string range_text(const Ipv4Range& r) {
  if (r.first == r.last) return r.first.str();
  return r.first.str() + "-" + r.last.str();
}

std::optional<Ipv4Range> parse_range(std::string_view s) {
  size_t dash = s.find('-');
  auto first = Ipv4::parse(trim(s.substr(0, dash)));
  if (!first) return std::nullopt;
  if (dash == std::string_view::npos) return Ipv4Range{*first, *first};
  auto last = Ipv4::parse(trim(s.substr(dash + 1)));
  if (!last || *last < *first) return std::nullopt;
  return Ipv4Range{*first, *last};
}

std::string port_text(const PortMatch& p) {
  if (p.op == PortMatch::Op::Any) return "";
  std::string out = std::string(name_of(kPortOps, p.op)) + " " + std::to_string(p.low);
  if (p.op == PortMatch::Op::Range) out += " " + std::to_string(p.high);
  return out;
}

std::optional<PortMatch> parse_ports(std::string_view s) {
  auto w = words(s);
  if (w.empty()) return std::nullopt;
  auto op = value_of(kPortOps, w[0]);
  if (!op) return std::nullopt;
  size_t expected = *op == PortMatch::Op::Range ? 3 : 2;
  if (w.size() != expected) return std::nullopt;
  PortMatch p;
  p.op = *op;
  auto low = parse_uint(w[1], 65535);
  if (!low) return std::nullopt;
  p.low = uint16_t(*low);
  if (*op == PortMatch::Op::Range) {
    auto high = parse_uint(w[2], 65535);
    if (!high || *high < *low) return std::nullopt;
    p.high = uint16_t(*high);
  }
  return p;
}

std::string acl_ios_text(const AclMatch& m) {
  std::string protocol(protocol_name(m.protocol));
  if (protocol.empty()) protocol = std::to_string(m.protocol);
  std::string out = protocol + " " + ios_operand(m.source);
  if (m.source_ports.op != PortMatch::Op::Any) out += " " + port_text(m.source_ports);
  out += " " + ios_operand(m.destination);
  if (m.destination_ports.op != PortMatch::Op::Any) out += " " + port_text(m.destination_ports);
  if (m.icmp_type) out += " " + std::to_string(*m.icmp_type);
  return out;
}

}  // namespace ravpn::config::native
