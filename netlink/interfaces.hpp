// The host's IPv4 addresses and the interfaces that carry them (RTM_GETADDR dump over rtnetlink with libmnl).
// Config interfaces ("FastEthernet0/1", PIX "outside") map to Linux interfaces by the address configured on them.
#pragma once
#include <string>
#include <vector>

#include "pool/ipv4.hpp"

namespace ravpn::netlink {

struct InterfaceAddress {
  int index = 0;
  std::string name;
  Ipv4 address;
  int prefix = 0;
};

// Throws std::runtime_error with the netlink error text on failure.
std::vector<InterfaceAddress> list_ipv4_addresses();

}  // namespace ravpn::netlink
