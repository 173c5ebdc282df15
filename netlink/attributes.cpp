#include "netlink/attributes.hpp"

#include <arpa/inet.h>

#include <cstdint>
#include <cstring>

namespace ravpn::netlink {

int collect_attribute(const nlattr* attr, void* data) {
  auto* table = static_cast<AttributeTable*>(data);
  const int type = mnl_attr_get_type(attr);
  if (type > 0 && type <= table->max && type < 64) table->attr[type] = attr;
  return MNL_CB_OK;
}

std::optional<Ipv4> ipv4_attribute(const nlattr* attr) {
  if (!attr || mnl_attr_get_payload_len(attr) != 4) return std::nullopt;
  uint32_t value;
  std::memcpy(&value, mnl_attr_get_payload(attr), 4);
  return Ipv4{ntohl(value)};
}

std::optional<RouteMessage> parse_route(const nlmsghdr& reply) {
  if (reply.nlmsg_type != RTM_NEWROUTE || mnl_nlmsg_get_payload_len(&reply) < sizeof(rtmsg)) return std::nullopt;
  RouteMessage m;
  std::memcpy(&m.header, mnl_nlmsg_get_payload(&reply), sizeof(m.header));
  m.attributes.max = RTA_MAX;
  mnl_attr_parse(&reply, sizeof(rtmsg), collect_attribute, &m.attributes);
  m.table = m.header.rtm_table;
  if (const nlattr* t = m.attributes.attr[RTA_TABLE]; t && mnl_attr_get_payload_len(t) == 4) m.table = mnl_attr_get_u32(t);
  return m;
}

}  // namespace ravpn::netlink
