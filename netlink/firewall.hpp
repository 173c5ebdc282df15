// The kernel side of the NAT and filtering policy: one ravpn-owned nftables table, replaced atomically, plus the
// ARP answers a PIX gave for addresses it owned (proxy ARP). The ruleset text comes from daemon/firewall/.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "pool/ipv4.hpp"

namespace ravpn::kernel {

// An address the box answers ARP for on a Linux interface without holding it (`ip neigh add proxy A dev IF`):
// pool addresses inside an inside subnet. The kernel answers only while the route to A leaves by another
// interface (a leased address's tunnel route), so a free pool address stays silent.
struct ProxyNeighbour {
  std::string interface;  // Linux name
  Ipv4 address;
  bool operator==(const ProxyNeighbour&) const = default;
};

struct FirewallState {
  std::string ruleset;  // an nft script that creates the table (see daemon/firewall/ruleset.hpp)
  std::vector<ProxyNeighbour> proxy_arp;
  // Static and global (NAT) addresses: `local` routes (table local, proto ravpn) so the box answers ARP for them
  // on the outside link; the ruleset drops what is addressed to them and not translated.
  std::vector<Ipv4> mapped_addresses;
};

class Firewall {
 public:
  virtual ~Firewall() = default;
  // Replaces the previous state in one nftables transaction (the old table stays if the new one is refused), then
  // brings the proxy ARP entries and local routes in line. Returns an error text, nullopt on success.
  virtual std::optional<std::string> apply(const FirewallState& state) = 0;
  // Removes the table, the proxy ARP entries and the routes ravpn added. Never touches other tables.
  virtual void remove() = 0;
};

}  // namespace ravpn::kernel
