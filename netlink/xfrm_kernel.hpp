// kernel::Kernel over netlink: XFRM SAs and policies (NETLINK_XFRM), routes (NETLINK_ROUTE), expire events
// (a third socket subscribed to XFRMNLGRP_EXPIRE). Requests are built in xfrm_messages.cpp and sent one at a
// time by NetlinkSocket (netlink_socket.hpp), which checks the reply's port id and sequence number.
// Every method returns the kernel's error text instead of throwing; keys are never printed or logged.
#pragma once
#include <map>
#include <memory>
#include <string>

#include "netlink/kernel.hpp"
#include "netlink/netlink_socket.hpp"

namespace ravpn::netlink {

class NetlinkKernel final : public kernel::Kernel {
 public:
  // Opens the sockets in the caller's network namespace. Needs CAP_NET_ADMIN for everything but reads.
  static Result<std::unique_ptr<NetlinkKernel>> open();

  Result<kernel::Spi> allocate_spi(Ipv4 source, Ipv4 destination, uint32_t reqid) override;
  Result<> add_sa(const kernel::SaSpec& sa, bool update) override;
  Result<> delete_sa(Ipv4 destination, kernel::Spi spi) override;
  Result<> add_policy(const kernel::PolicySpec& policy) override;
  Result<> delete_policy(const Ipv4Net& source, const Ipv4Net& destination, kernel::Direction direction) override;
  Result<kernel::SaCounters> counters(Ipv4 destination, kernel::Spi spi) override;
  Result<std::vector<kernel::SaCountersEntry>> all_counters() override;
  Result<> add_route(const kernel::RouteSpec& route) override;
  Result<> delete_route(const kernel::RouteSpec& route) override;
  int event_fd() const override;
  std::vector<kernel::ExpireEvent> read_events() override;
  // A remote-access client's policies pair its one address (/32, the remote side) with any local network (often
  // 0.0.0.0/0). With the kernel's default thresholds (32/32) all of them are "inexact": kept in lists that every
  // insert walks, so each tunnel's policies cost time in proportion to the tunnels up (10,000 tunnels: the lab's
  // installs and removals slowed many times over). Local 0, remote 32 hashes them by the client address, as
  // `ip xfrm policy set hthresh4 0 32` does; lookups keep their meaning (the kernel consults both and takes the
  // highest priority). Per network namespace; the privileged process sets it at start.
  Result<> hash_policies_by_remote_address();

 private:
  NetlinkKernel(NetlinkSocket xfrm, NetlinkSocket route, NetlinkSocket events);
  Result<> change_route(const kernel::RouteSpec& route, bool add);
  // The device's index, from interface_index_ unless `fresh`; `what` names the request in the error.
  Result<unsigned> interface_index(const std::string& device, bool fresh, const std::string& what);

  NetlinkSocket xfrm_;
  NetlinkSocket route_;
  NetlinkSocket events_;
  std::map<std::string, unsigned> interface_index_;  // change_route(): name -> index, dropped on ENODEV
};

}  // namespace ravpn::netlink
