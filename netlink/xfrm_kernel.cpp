#include "netlink/xfrm_kernel.hpp"

#include <arpa/inet.h>
#include <cerrno>
#include <linux/rtnetlink.h>
#include <linux/xfrm.h>
#include <net/if.h>

#include "netlink/xfrm_messages.hpp"

namespace ravpn::netlink {

using kernel::ExpireEvent;
using kernel::SaCounters;
using kernel::Spi;

Result<std::unique_ptr<NetlinkKernel>> NetlinkKernel::open() {
  auto xfrm = NetlinkSocket::open(NETLINK_XFRM);
  if (!xfrm) return std::unexpected(xfrm.error());
  auto route = NetlinkSocket::open(NETLINK_ROUTE);
  if (!route) return std::unexpected(route.error());
  // mnl_socket_bind takes the groups as a bitmask: group n is bit n-1 (uapi/linux/xfrm.h XFRMNLGRP_EXPIRE).
  auto events = NetlinkSocket::open(NETLINK_XFRM, 1u << (XFRMNLGRP_EXPIRE - 1), /*nonblocking=*/true);
  if (!events) return std::unexpected(events.error());
  return std::unique_ptr<NetlinkKernel>(new NetlinkKernel(std::move(*xfrm), std::move(*route), std::move(*events)));
}

NetlinkKernel::NetlinkKernel(NetlinkSocket xfrm, NetlinkSocket route, NetlinkSocket events)
    : xfrm_(std::move(xfrm)), route_(std::move(route)), events_(std::move(events)) {}

namespace {

// The xfrm_usersa_info at the head of an XFRM_MSG_NEWSA reply (ALLOCSPI, GETSA), copied out after a length check.
Result<xfrm_usersa_info> sa_info(const nlmsghdr& reply, std::string_view what) {
  if (reply.nlmsg_type != XFRM_MSG_NEWSA || mnl_nlmsg_get_payload_len(&reply) < sizeof(xfrm_usersa_info))
    return std::unexpected(std::string(what) + ": unexpected reply type " + std::to_string(reply.nlmsg_type));
  xfrm_usersa_info info;
  std::memcpy(&info, mnl_nlmsg_get_payload(&reply), sizeof(info));
  return info;
}

}  // namespace

Result<Spi> NetlinkKernel::allocate_spi(Ipv4 source, Ipv4 destination, uint32_t reqid) {
  Message message(XFRM_MSG_ALLOCSPI, 0);
  if (auto built = build_allocate_spi(message, source, destination, reqid); !built)
    return std::unexpected(built.error());
  std::optional<Spi> spi;
  auto sent = xfrm_.request(message, "XFRM_MSG_ALLOCSPI", [&](const nlmsghdr& reply) -> Result<> {
    auto info = sa_info(reply, "XFRM_MSG_ALLOCSPI");
    if (!info) return std::unexpected(info.error());
    spi = Spi{ntohl(info->id.spi)};
    return {};
  });
  if (!sent) return std::unexpected(sent.error());
  if (!spi) return std::unexpected(std::string("XFRM_MSG_ALLOCSPI: the kernel answered without an SPI"));
  return *spi;
}

Result<> NetlinkKernel::add_sa(const kernel::SaSpec& sa, bool update) {
  // UPDSA replaces the larval SA ALLOCSPI left behind; NEWSA fails with EEXIST if the SPI is taken.
  Message message(update ? XFRM_MSG_UPDSA : XFRM_MSG_NEWSA, update ? 0 : NLM_F_CREATE | NLM_F_EXCL);
  if (auto built = build_add_sa(message, sa, update); !built) return built;
  auto sent = xfrm_.request(message, update ? "XFRM_MSG_UPDSA" : "XFRM_MSG_NEWSA");
  // The larval SA lives only until the kernel's acquire timeout (net.core.xfrm_acq_expires, 30 s by default); a
  // quick mode that took longer (a slow user, a loaded box) finds it gone (ESRCH). The SPI is still ours to use:
  // add the SA with NEWSA, which fails with EEXIST should someone else have taken it meanwhile.
  if (!sent && update && xfrm_.last_errno() == ESRCH) return add_sa(sa, false);
  return sent;
}

Result<> NetlinkKernel::delete_sa(Ipv4 destination, Spi spi) {
  Message message(XFRM_MSG_DELSA, 0);
  if (auto built = build_sa_id(message, destination, spi); !built) return built;
  return xfrm_.request(message, "XFRM_MSG_DELSA");
}

Result<SaCounters> NetlinkKernel::counters(Ipv4 destination, Spi spi) {
  Message message(XFRM_MSG_GETSA, 0);
  if (auto built = build_sa_id(message, destination, spi); !built) return std::unexpected(built.error());
  std::optional<SaCounters> out;
  auto sent = xfrm_.request(message, "XFRM_MSG_GETSA", [&](const nlmsghdr& reply) -> Result<> {
    auto info = sa_info(reply, "XFRM_MSG_GETSA");  // the reply also carries the keys: only curlft is read
    if (!info) return std::unexpected(info.error());
    out = SaCounters{.bytes = info->curlft.bytes, .packets = info->curlft.packets, .add_time = info->curlft.add_time};
    return {};
  });
  if (!sent) return std::unexpected(sent.error());
  if (!out) return std::unexpected(std::string("XFRM_MSG_GETSA: the kernel answered without the SA"));
  return *out;
}

Result<std::vector<kernel::SaCountersEntry>> NetlinkKernel::all_counters() {
  Message dump(XFRM_MSG_GETSA, NLM_F_DUMP);
  std::vector<kernel::SaCountersEntry> out;
  auto done = xfrm_.request(dump, "XFRM_MSG_GETSA (dump)", [&](const nlmsghdr& reply) -> Result<> {
    auto info = sa_info(reply, "XFRM_MSG_GETSA (dump)");  // the keys come along: only id and curlft are read
    if (!info) return std::unexpected(info.error());
    if (info->family != AF_INET || info->id.proto != IPPROTO_ESP) return {};
    out.push_back({Ipv4{ntohl(info->id.daddr.a4)}, Spi{ntohl(info->id.spi)},
                   SaCounters{.bytes = info->curlft.bytes, .packets = info->curlft.packets,
                              .add_time = info->curlft.add_time}});
    return {};
  });
  if (!done) return std::unexpected(done.error());
  return out;
}

Result<> NetlinkKernel::add_policy(const kernel::PolicySpec& policy) {
  Message message(XFRM_MSG_NEWPOLICY, NLM_F_CREATE | NLM_F_EXCL);
  if (auto built = build_add_policy(message, policy); !built) return built;
  return xfrm_.request(message, "XFRM_MSG_NEWPOLICY");
}

Result<> NetlinkKernel::delete_policy(const Ipv4Net& source, const Ipv4Net& destination, kernel::Direction direction) {
  Message message(XFRM_MSG_DELPOLICY, 0);
  if (auto built = build_delete_policy(message, source, destination, direction); !built) return built;
  return xfrm_.request(message, "XFRM_MSG_DELPOLICY");
}

Result<> NetlinkKernel::hash_policies_by_remote_address() {
  Message message(XFRM_MSG_NEWSPDINFO, 0);
  if (auto built = build_policy_hash_thresholds(message, 0, 32); !built) return built;
  return xfrm_.request(message, "XFRM_MSG_NEWSPDINFO");
}

Result<> NetlinkKernel::add_route(const kernel::RouteSpec& route) { return change_route(route, true); }
Result<> NetlinkKernel::delete_route(const kernel::RouteSpec& route) { return change_route(route, false); }

// Every tunnel adds and removes a route on the same few interfaces, and if_nametoindex opens and closes a socket
// each time (in the lab's profile a tenth of the privileged process's time), so the index is kept until a request
// with it answers ENODEV (change_route).
Result<unsigned> NetlinkKernel::interface_index(const std::string& device, bool fresh, const std::string& what) {
  if (auto kept = interface_index_.find(device); !fresh && kept != interface_index_.end()) return kept->second;
  const unsigned index = if_nametoindex(device.c_str());
  if (index == 0) {
    interface_index_.erase(device);
    return std::unexpected(what + ": interface " + device + ": " + std::strerror(errno));
  }
  interface_index_.insert_or_assign(device, index);
  return index;
}

Result<> NetlinkKernel::change_route(const kernel::RouteSpec& route, bool add) {
  const std::string what = add ? "RTM_NEWROUTE" : "RTM_DELROUTE";
  if (route.device.empty() || route.device.size() >= IF_NAMESIZE)
    return std::unexpected(what + ": bad interface name '" + route.device + "'");
  const auto send = [&](unsigned index) -> Result<> {
    Message message(add ? RTM_NEWROUTE : RTM_DELROUTE, add ? NLM_F_CREATE | NLM_F_EXCL : 0);
    if (auto built = build_route(message, route, int(index), add); !built) return built;
    return route_.request(message, what);
  };
  auto index = interface_index(route.device, false, what);
  if (!index) return std::unexpected(index.error());
  auto done = send(*index);
  if (done || route_.last_errno() != ENODEV) return done;
  // The interface was removed, or removed and made again under the same name with a new index: look it up again.
  index = interface_index(route.device, true, what);
  if (!index) return std::unexpected(index.error());
  return send(*index);
}

int NetlinkKernel::event_fd() const { return events_.fd(); }

std::vector<ExpireEvent> NetlinkKernel::read_events() {
  std::vector<ExpireEvent> events;
  events_.drain([&](const nlmsghdr& msg) {
    // XFRM_MSG_EXPIRE carries xfrm_user_expire; policy expiries (XFRM_MSG_POLEXPIRE) share the group.
    if (msg.nlmsg_type != XFRM_MSG_EXPIRE || mnl_nlmsg_get_payload_len(&msg) < sizeof(xfrm_user_expire)) return;
    xfrm_user_expire expire;
    std::memcpy(&expire, mnl_nlmsg_get_payload(&msg), sizeof(expire));
    if (expire.state.family != AF_INET || expire.state.id.proto != IPPROTO_ESP) return;
    // A larval SA allocated ahead for a peer not yet known (source 0.0.0.0, daemon/privsep/spare_spis.hpp)
    // lapsing: no tunnel has it, and an installed SA that reused its SPI after it lapsed must not go with it.
    if (expire.state.saddr.a4 == 0) return;
    events.push_back(ExpireEvent{.destination = Ipv4{ntohl(expire.state.id.daddr.a4)},
                                 .spi = Spi{ntohl(expire.state.id.spi)},
                                 .hard = expire.hard != 0,
                                 .refused = {}});
  });
  return events;
}

}  // namespace ravpn::netlink
