// kernel::Firewall on this host: the ruleset through libnftables (one script = one netlink batch, so the
// `table` / `delete table` / `table { ... }` script replaces the old table atomically, and a script the kernel
// refuses leaves the old table as it was; nft's error text is returned), proxy ARP entries and local routes over
// rtnetlink (libmnl, NetlinkSocket).
//
// What ravpn adds carries its mark, so a restarted daemon (or remove() in another process) finds it again:
//   - proxy ARP entries: NDA_PROTOCOL 76 (`ip neigh show proxy` prints "proto 76");
//   - mapped addresses: `local` routes in table local, proto 76, dev lo, scope host
//     (`ip route show table local proto 76`).
// apply() compares the entries so marked with the new state and removes the stale ones, adds the new ones.
//
// No `net.ipv4.conf.<if>.proxy_arp` is needed: the kernel answers an ARP request for an address with a proxy entry
// on the receiving device when forwarding is on there and the route to the address leaves by another device
// (net/ipv4/arp.c, arp_process: pneigh_lookup after `rt->dst.dev != dev`). A pool address is answered while its
// client's route points to the tunnel side, and not while it is free (its route is the inside subnet itself).
// The proxy_arp sysctl would instead answer for every address routed elsewhere.
// A `local` route is answered like an interface address (arp_ignore 0, the default).
#pragma once
#include <memory>

#include "netlink/firewall.hpp"

namespace ravpn::netlink {

// Works in the caller's network namespace; needs CAP_NET_ADMIN. Never touches other nftables tables, other routes
// or other neighbour entries.
std::unique_ptr<kernel::Firewall> make_nft_firewall();

}  // namespace ravpn::netlink
