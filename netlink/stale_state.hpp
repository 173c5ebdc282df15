// After a crash (kill -9, power loss) the kernel still holds what the previous ravpnd installed: ESP SAs, their
// policies and the routes to clients. A starting ravpnd removes them before it listens, so a returning client never
// meets a half-dead tunnel of its former self and selectors are free to be installed again.
#pragma once
#include <span>
#include <string>
#include <vector>

#include "netlink/kernel.hpp"

namespace ravpn::netlink {

struct StaleSweep {
  std::vector<std::string> removed;  // one line per item: "ESP SA 192.0.2.5->192.0.2.1 spi 0xc0000001"
  std::vector<std::string> failed;   // what could not be read or removed, with the kernel's reason
};

// Removes, in the caller's network namespace:
//   - ESP SAs with an outer address among `ike_addresses`: while ravpnd holds UDP 500 there, no other IKE daemon
//     can have negotiated them;
//   - XFRM policies whose tunnel template has an outer address among `ike_addresses`;
//   - routes outside the local table carrying ravpn's protocol mark (kRouteProtocol), the routes to clients.
// The local-table routes and proxy ARP entries of the firewall are the firewall's own (nft_firewall.cpp).
StaleSweep remove_stale_ipsec(std::span<const Ipv4> ike_addresses);

}  // namespace ravpn::netlink
