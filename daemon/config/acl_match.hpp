// The words of one access-list line after permit|deny, read into an AclMatch. Shared by the IOS reader (wildcard
// masks) and the PIX reader (netmasks, `name` substitution); also the protocol, port and address helpers the NAT
// lines of both dialects need (static PAT ports, ranges).
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "daemon/config/args.hpp"
#include "daemon/config/model.hpp"

namespace ravpn::config::detail {

enum class AclMasks { Netmask, Wildcard };  // PIX writes netmasks, IOS wildcard masks (cisco-config.md)

struct AclSyntax {
  AclMasks masks = AclMasks::Wildcard;
  bool standard = false;  // IOS standard ACL (1-99, 1300-1999, `ip access-list standard`): a source only
  const std::map<std::string, Ipv4>* names = nullptr;  // PIX `name A NAME`, substituted for addresses
};

// What a line matches. `match` is empty when the line is valid but holds something the model cannot represent
// (a non-contiguous wildcard, an object-group, `established`, ...); `unsupported` then says what, for a Partial
// diagnostic. A malformed line throws LineError (an Error diagnostic through the dispatcher).
struct AclLine {
  std::optional<AclMatch> match;
  std::string unsupported;
};
AclLine read_acl_match(Args& a, const AclSyntax& syntax);

// `ip` -> -1, `tcp` -> 6, "50" -> 50, ... ; nullopt for an unknown name.
std::optional<int> protocol_number(std::string_view word);
// A port as a number or one of the literal names PIX 6.3 and IOS accept (`www`, `smtp`, `domain`, ...).
std::optional<uint16_t> port_number(std::string_view word);
uint16_t read_port(Args& a, std::string_view what);

// An address as dotted quad or, with NAMES, a `name` defined earlier.
std::optional<Ipv4> resolve_address(std::string_view word, const std::map<std::string, Ipv4>* names);
Ipv4 read_address(Args& a, std::string_view what, const std::map<std::string, Ipv4>* names);
// "A-B" or "A" (PIX `ip local pool`, `global`): addresses or names on each side.
Ipv4Range read_range(Args& a, std::string_view what, const std::map<std::string, Ipv4>* names);

}  // namespace ravpn::config::detail
