// The NAT and filtering policy of a PIX / IOS config as one nftables table (cisco-config.md "NAT and filtering",
// "Linux equivalents"). Pure: model in, text out; netlink/firewall.hpp applies it.
#pragma once
#include <map>
#include <string>
#include <vector>

#include "daemon/config/model.hpp"
#include "netlink/firewall.hpp"
#include "netlink/interfaces.hpp"

namespace ravpn::firewall {

inline constexpr const char* kTableFamily = "ip";
inline constexpr const char* kTableName = "ravpn";

// Config interface name ("outside", "FastEthernet0/1") -> Linux interface name ("eth0").
using InterfaceNames = std::map<std::string, std::string>;

// The whole state for the config: the ruleset script (comment lines, then `table ip ravpn`, `delete table ip ravpn`,
// `table ip ravpn { ... }`, so one `nft -f` replaces the previous table atomically), proxy ARP entries and mapped
// addresses. Interfaces with no Linux name are left out of the rules, with a comment line saying so.
kernel::FirewallState build_firewall(const config::Config& config, const InterfaceNames& names);

// Config interfaces to Linux interfaces by the address configured on them (ADDRESSES: the host's, from
// netlink::list_ipv4_addresses()); the prefix need not agree. Config interfaces without an address, or whose
// address no Linux interface holds, are left out (build_firewall then writes a comment and no rules for them).
// Two Linux interfaces with the address: the first in ADDRESSES. (interface_map.cpp)
InterfaceNames map_interfaces(const config::Config& config, const std::vector<netlink::InterfaceAddress>& addresses);

}  // namespace ravpn::firewall
