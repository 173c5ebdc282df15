// The XFRM and rtnetlink requests NetlinkKernel sends, built without touching the kernel (so tests can read
// them back). Field choices follow include/uapi/linux/xfrm.h and what iproute2's `ip xfrm` and strongSwan's
// kernel_netlink_ipsec.c fill in; every decision carries its reason next to it in xfrm_messages.cpp.
#pragma once
#include <linux/xfrm.h>

#include <cstdint>
#include <string_view>

#include "netlink/kernel.hpp"
#include "netlink/netlink_socket.hpp"

namespace ravpn::netlink {

// Crypto API names the kernel's ESP uses, and the ICV lengths (RFC 2403/2404: 96 bits; RFC 4868: half the hash).
std::string_view cipher_name(kernel::EspCipher cipher);
std::string_view auth_name(kernel::EspAuth auth);
unsigned auth_truncation_bits(kernel::EspAuth auth);
// Key lengths in bytes the kernel accepts (AES: 16, 24 or 32).
bool cipher_key_length_ok(kernel::EspCipher cipher, size_t bytes);
size_t auth_key_length(kernel::EspAuth auth);

// Base priority of a policy whose PolicySpec says 0. Like strongSwan's get_priority(), more specific
// selectors get a lower number (= preferred by the kernel): 2000 - (source prefix + destination prefix).
constexpr uint32_t kPolicyPriorityBase = 2000;
uint32_t default_policy_priority(int source_prefix, int destination_prefix);

// Routes ravpn installs carry this rtm_protocol, so `ip route show proto 76` lists them and a restart can flush
// them. linux/rtnetlink.h: values above RTPROT_STATIC are not interpreted by the kernel; 76 is assigned neither
// there nor in iproute2's rt_protos.
constexpr uint8_t kRouteProtocol = 76;

uint8_t xfrm_direction(kernel::Direction direction);  // XFRM_POLICY_IN / OUT / FWD

// Each fills `message` (created with the right type) or returns why the spec cannot be sent.
Result<> build_allocate_spi(Message& message, Ipv4 source, Ipv4 destination, uint32_t reqid);
Result<> build_add_sa(Message& message, const kernel::SaSpec& sa, bool update);  // UPDSA or NEWSA
Result<> build_sa_id(Message& message, Ipv4 destination, kernel::Spi spi);  // DELSA, GETSA
Result<> build_add_policy(Message& message, const kernel::PolicySpec& policy);
Result<> build_delete_policy(Message& message, const Ipv4Net& source, const Ipv4Net& destination,
                             kernel::Direction direction);
Result<> build_route(Message& message, const kernel::RouteSpec& route, int interface_index, bool add);
// XFRM_MSG_NEWSPDINFO: IPv4 policies whose local prefix is at least `local_bits` and remote prefix at least
// `remote_bits` go into the policy hash table; the rest into the kernel's "inexact" lists.
Result<> build_policy_hash_thresholds(Message& message, uint8_t local_bits, uint8_t remote_bits);

}  // namespace ravpn::netlink
