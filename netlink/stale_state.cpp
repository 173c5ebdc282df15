#include "netlink/stale_state.hpp"

#include <arpa/inet.h>
#include <linux/rtnetlink.h>
#include <linux/xfrm.h>

#include <algorithm>
#include <cstring>

#include <fmt/format.h>

#include "netlink/attributes.hpp"
#include "netlink/netlink_socket.hpp"
#include "netlink/xfrm_messages.hpp"

namespace ravpn::netlink {
namespace {

Ipv4 v4(const xfrm_address_t& a) { return Ipv4{ntohl(a.a4)}; }

const char* direction_name(uint8_t dir) {
  switch (dir) {
    case XFRM_POLICY_IN: return "in";
    case XFRM_POLICY_OUT: return "out";
    case XFRM_POLICY_FWD: return "fwd";
  }
  return "?";
}

struct Sweeper {
  std::span<const Ipv4> ours;
  StaleSweep out;

  bool is_ours(Ipv4 a) const { return std::find(ours.begin(), ours.end(), a) != ours.end(); }

  void sweep_sas(NetlinkSocket& xfrm) {
    std::vector<xfrm_usersa_info> stale;
    Message dump(XFRM_MSG_GETSA, NLM_F_DUMP);
    auto done = xfrm.request(dump, "XFRM_MSG_GETSA (dump)", [&](const nlmsghdr& reply) -> Result<> {
      if (reply.nlmsg_type != XFRM_MSG_NEWSA || mnl_nlmsg_get_payload_len(&reply) < sizeof(xfrm_usersa_info))
        return {};
      xfrm_usersa_info info;  // only the fixed part: the keys in the attributes are never read
      std::memcpy(&info, mnl_nlmsg_get_payload(&reply), sizeof(info));
      if (info.family == AF_INET && info.id.proto == IPPROTO_ESP && (is_ours(v4(info.saddr)) || is_ours(v4(info.id.daddr))))
        stale.push_back(info);
      return {};
    });
    if (!done) return out.failed.push_back(done.error());
    for (const auto& info : stale) {
      const std::string what = fmt::format("ESP SA {}->{} spi 0x{:08x} reqid {}", v4(info.saddr).str(),
                                           v4(info.id.daddr).str(), ntohl(info.id.spi), info.reqid);
      Message del(XFRM_MSG_DELSA, 0);
      auto r = build_sa_id(del, v4(info.id.daddr), kernel::Spi{ntohl(info.id.spi)});
      if (r) r = xfrm.request(del, "XFRM_MSG_DELSA");
      if (r) out.removed.push_back(what);
      else out.failed.push_back(what + ": " + r.error());
    }
  }

  void sweep_policies(NetlinkSocket& xfrm) {
    std::vector<xfrm_userpolicy_info> stale;
    Message dump(XFRM_MSG_GETPOLICY, NLM_F_DUMP);
    auto done = xfrm.request(dump, "XFRM_MSG_GETPOLICY (dump)", [&](const nlmsghdr& reply) -> Result<> {
      if (reply.nlmsg_type != XFRM_MSG_NEWPOLICY || mnl_nlmsg_get_payload_len(&reply) < sizeof(xfrm_userpolicy_info))
        return {};
      xfrm_userpolicy_info info;
      std::memcpy(&info, mnl_nlmsg_get_payload(&reply), sizeof(info));
      if (info.sel.family != AF_INET || info.dir >= XFRM_POLICY_MAX) return {};  // socket policies are not ours
      AttributeTable table;
      table.max = XFRMA_MAX;
      mnl_attr_parse(&reply, sizeof(xfrm_userpolicy_info), collect_attribute, &table);
      const nlattr* tmpls = table.attr[XFRMA_TMPL];
      if (!tmpls) return {};
      const size_t n = mnl_attr_get_payload_len(tmpls) / sizeof(xfrm_user_tmpl);
      const auto* base = static_cast<const uint8_t*>(mnl_attr_get_payload(tmpls));
      for (size_t i = 0; i < n; ++i) {
        xfrm_user_tmpl t;
        std::memcpy(&t, base + i * sizeof(t), sizeof(t));
        if (t.family == AF_INET && (is_ours(v4(t.saddr)) || is_ours(v4(t.id.daddr)))) {
          stale.push_back(info);
          break;
        }
      }
      return {};
    });
    if (!done) return out.failed.push_back(done.error());
    for (const auto& info : stale) {
      const std::string what =
          fmt::format("policy {}/{} -> {}/{} dir {}", v4(info.sel.saddr).str(), info.sel.prefixlen_s,
                      v4(info.sel.daddr).str(), info.sel.prefixlen_d, direction_name(info.dir));
      Message del(XFRM_MSG_DELPOLICY, 0);
      auto* id = del.put_fixed_header<xfrm_userpolicy_id>();
      if (!id) return out.failed.push_back(what + ": request does not fit");
      id->sel = info.sel;  // the exact selector the kernel showed, ports and protocol included
      id->dir = info.dir;
      if (auto r = xfrm.request(del, "XFRM_MSG_DELPOLICY"); r) out.removed.push_back(what);
      else out.failed.push_back(what + ": " + r.error());
    }
  }

  void sweep_routes(NetlinkSocket& route) {
    struct Stale {
      Ipv4 destination;
      uint8_t prefix;
      uint32_t table;
    };
    std::vector<Stale> stale;
    Message dump(RTM_GETROUTE, NLM_F_DUMP);
    auto* rtm = dump.put_fixed_header<rtmsg>();
    if (!rtm) return out.failed.push_back("RTM_GETROUTE: request does not fit");
    rtm->rtm_family = AF_INET;
    auto done = route.request(dump, "RTM_GETROUTE (dump)", [&](const nlmsghdr& reply) -> Result<> {
      auto route = parse_route(reply);
      if (!route || route->header.rtm_family != AF_INET || route->header.rtm_protocol != kRouteProtocol) return {};
      const uint32_t route_table = route->table;
      if (route_table == RT_TABLE_LOCAL) return {};  // the firewall's mapped addresses
      stale.push_back({ipv4_attribute(route->attributes.attr[RTA_DST]).value_or(Ipv4{}), route->header.rtm_dst_len, route_table});
      return {};
    });
    if (!done) return out.failed.push_back(done.error());
    for (const auto& s : stale) {
      const std::string what = fmt::format("route {}/{} table {}", s.destination.str(), s.prefix, s.table);
      Message del(RTM_DELROUTE, 0);
      auto* d = del.put_fixed_header<rtmsg>();
      if (!d) return out.failed.push_back(what + ": request does not fit");
      d->rtm_family = AF_INET;
      d->rtm_dst_len = s.prefix;
      d->rtm_table = s.table < 256 ? uint8_t(s.table) : uint8_t(RT_TABLE_UNSPEC);
      d->rtm_protocol = kRouteProtocol;  // only a route with our mark matches (fib_table_delete)
      d->rtm_scope = RT_SCOPE_NOWHERE;   // any scope
      uint32_t dst = htonl(s.destination.value);
      bool fits = del.put_struct(RTA_DST, dst) && del.put_u32(RTA_TABLE, s.table);
      if (!fits) return out.failed.push_back(what + ": request does not fit");
      if (auto r = route.request(del, "RTM_DELROUTE"); r) out.removed.push_back(what);
      else out.failed.push_back(what + ": " + r.error());
    }
  }
};

}  // namespace

StaleSweep remove_stale_ipsec(std::span<const Ipv4> ike_addresses) {
  Sweeper sweeper{ike_addresses, {}};
  if (ike_addresses.empty()) return {};
  if (auto xfrm = NetlinkSocket::open(NETLINK_XFRM); xfrm) {
    sweeper.sweep_policies(*xfrm);  // policies first: no packet is sent into a tunnel whose SA is gone meanwhile
    sweeper.sweep_sas(*xfrm);
  } else {
    sweeper.out.failed.push_back(xfrm.error());
  }
  if (auto route = NetlinkSocket::open(NETLINK_ROUTE); route) sweeper.sweep_routes(*route);
  else sweeper.out.failed.push_back(route.error());
  return std::move(sweeper.out);
}

}  // namespace ravpn::netlink
