// Small pieces of nft syntax (nftables 1.0.6, `man nft`) that ruleset.cpp puts together: addresses, ACL matches,
// interface matches, comments. Pure text; kept apart so every form can be tested on its own.
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/config/model.hpp"

namespace ravpn::firewall::nft {

// "10.1.1.5" for a host, "10.1.1.0/24" for a contiguous mask (the address masked first).
// nullopt for a non-contiguous mask (an IOS wildcard such as 0.0.255.0).
std::optional<std::string> prefix_text(const Ipv4Net& net);

// `FIELD 10.1.1.0/24`, or `FIELD & 255.0.255.0 == 10.0.1.0` for a non-contiguous mask; "" for any (0.0.0.0/0).
// FIELD is e.g. "ip saddr", "ip daddr", "ct original ip daddr".
std::string address_match(std::string_view field, const Ipv4Net& net);

// "tcp", "udp", "icmp", "esp", "ah", "gre", or the number.
std::string protocol_name(int protocol);

// `tcp dport 80`, `tcp dport != 80`, `tcp dport < 80`, `tcp dport > 80`, `tcp dport 1-1023`; "" for any.
// PROTO is "tcp" or "udp", DIRECTION "sport" or "dport".
std::string port_match(std::string_view proto, std::string_view direction, const config::PortMatch& ports);

// Which destination an ACL line is compared with in the forward chain: the packet's (after DNAT: the real
// address) or the connection's original one (before DNAT: the mapped address). PIX 6.x ACLs name the mapped
// address, later Cisco software the real one; the ruleset accepts both.
enum class Destination { Packet, Original };

// The match part of one ACL line, e.g. `ip protocol tcp ip saddr 10.0.0.0/8 ip daddr 10.89.129.131 tcp dport 80`.
// "" matches everything (`permit ip any any`). nullopt: the line cannot be said in nft (ports on a protocol other
// than tcp/udp, an ICMP type on a protocol other than icmp, a port range upside down).
std::optional<std::string> acl_match(const config::AclMatch& match, Destination destination = Destination::Packet);

// `iifname "eth0"` or `iifname { "eth0", "eth1" }`; "" for an empty list. KEYWORD is "iifname" or "oifname".
std::string interface_match(std::string_view keyword, const std::vector<std::string>& linux_names);

// A Linux interface name that can stand in an nft string: 1-15 bytes, none of `"`, `\`, blanks, controls.
bool usable_interface_name(std::string_view name);

// Text safe inside a `# ...` comment line: control characters become blanks.
std::string comment_text(std::string_view text);

// ` comment "TEXT"` (a rule comment, shown by `nft list`); `"` and `\` replaced, cut to nft's 128 bytes.
std::string rule_comment(std::string_view text);

// "pix-seed.cfg:57" (the file's base name), "" for an empty origin.
std::string origin_tag(const config::Origin& origin);

// An identifier usable as a chain name: letters, digits and `_`; anything else becomes `_`.
std::string identifier(std::string_view text);

}  // namespace ravpn::firewall::nft
