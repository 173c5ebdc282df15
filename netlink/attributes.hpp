// Reading netlink attributes out of a kernel answer: one slot per attribute type, bounds-checked copies.
#pragma once
#include <libmnl/libmnl.h>
#include <linux/rtnetlink.h>

#include <optional>

#include "pool/ipv4.hpp"

namespace ravpn::netlink {

// The attributes of one message by type (types 1..max, max < 64); the last one of a type wins.
struct AttributeTable {
  const nlattr* attr[64] = {};
  int max = 0;
};

// mnl_attr_parse callback filling an AttributeTable.
int collect_attribute(const nlattr* attr, void* data);

// A 4-byte IPv4 address attribute (network byte order), or nullopt when absent or of another size.
std::optional<Ipv4> ipv4_attribute(const nlattr* attr);

// A route message (RTM_NEWROUTE) as the dump gives it: the fixed rtmsg copied out, its attributes, and the table
// (RTA_TABLE when present: rtm_table holds only tables below 256). nullopt for other messages or short ones.
struct RouteMessage {
  rtmsg header;
  AttributeTable attributes;
  uint32_t table = 0;
};
std::optional<RouteMessage> parse_route(const nlmsghdr& reply);

}  // namespace ravpn::netlink
