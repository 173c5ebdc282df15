// The native (TOML) format's spelling of model values, shared by its reader, writer and secrets file: names of
// ciphers, hashes and protocols, and the text forms of networks, ranges and port matches. Each `*_text` has a
// `parse_*` that reads it back to the same value.
#pragma once
#include <optional>
#include <string>
#include <string_view>

#include "daemon/config/model.hpp"

namespace ravpn::config::native {

// A secret the file does not carry (a secrets file must supply it), as the Cisco readers print it.
inline constexpr std::string_view kMasked = "********";

std::string_view cipher_text(Cipher);  // des 3des aes-128 aes-192 aes-256
std::optional<Cipher> parse_cipher(std::string_view);
std::string_view hash_text(Hash);  // md5 sha1 sha256 sha384 sha512
std::optional<Hash> parse_hash(std::string_view);
std::string_view auth_text(AuthMethod);  // pre-share rsa-sig rsa-encr
std::optional<AuthMethod> parse_auth(std::string_view);
std::string_view hash_kind_text(LocalUser::HashKind);  // "" (none) md5-crypt pix-md5
std::optional<LocalUser::HashKind> parse_hash_kind(std::string_view);

// IP protocols by name: ip (-1, any), icmp, igmp, tcp, udp, gre, esp, ah; "" for a number without a name.
std::string_view protocol_name(int protocol);
std::optional<int> parse_protocol_name(std::string_view);

// "10.1.0.0/16"; a non-contiguous mask (IOS wildcards allow them) as "10.0.0.0/255.0.255.0". The address is kept as
// written, host bits and all.
std::string net_text(const Ipv4Net&);
// "A/N", "A/M.M.M.M" or a bare "A" (a host, /32).
std::optional<Ipv4Net> parse_net(std::string_view);
// ACL operands: "any" for 0.0.0.0/0, a bare address for a host, else net_text. parse_acl_net takes "any" too.
std::string acl_net_text(const Ipv4Net&);
std::optional<Ipv4Net> parse_acl_net(std::string_view);

// "10.2.1.1-10.2.1.254", or "10.2.1.1" for a range of one.
std::string range_text(const Ipv4Range&);
std::optional<Ipv4Range> parse_range(std::string_view);

// "eq 80", "neq 80", "lt 1024", "gt 1023", "range 1000 2000"; Op::Any has no text ("").
std::string port_text(const PortMatch&);
std::optional<PortMatch> parse_ports(std::string_view);

// The IOS-style line (after permit/deny) an ACL match stands for: "tcp 10.1.0.0 0.0.255.255 host 10.2.1.1 eq 80".
// A native file has no `text` for the entries it describes; this becomes their AclEntry::text.
std::string acl_ios_text(const AclMatch&);

}  // namespace ravpn::config::native
