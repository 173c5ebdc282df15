#include "netlink/xfrm_messages.hpp"

#include <arpa/inet.h>
#include <linux/rtnetlink.h>
#include <linux/udp.h>
#include <netinet/in.h>

#include <botan/secmem.h>

namespace ravpn::netlink {

using kernel::Direction;
using kernel::EspAuth;
using kernel::EspCipher;

std::string_view cipher_name(EspCipher cipher) {
  switch (cipher) {
    case EspCipher::Null: return "ecb(cipher_null)";
    case EspCipher::Des: return "cbc(des)";
    case EspCipher::TripleDes: return "cbc(des3_ede)";
    case EspCipher::Aes: return "cbc(aes)";
  }
  return "";
}

std::string_view auth_name(EspAuth auth) {
  switch (auth) {
    case EspAuth::HmacMd5: return "hmac(md5)";
    case EspAuth::HmacSha1: return "hmac(sha1)";
    case EspAuth::HmacSha256: return "hmac(sha256)";
    case EspAuth::HmacSha384: return "hmac(sha384)";
    case EspAuth::HmacSha512: return "hmac(sha512)";
  }
  return "";
}

unsigned auth_truncation_bits(EspAuth auth) {
  switch (auth) {
    case EspAuth::HmacMd5:
    case EspAuth::HmacSha1: return 96;      // RFC 2403, RFC 2404
    case EspAuth::HmacSha256: return 128;   // RFC 4868 section 2.3
    case EspAuth::HmacSha384: return 192;
    case EspAuth::HmacSha512: return 256;
  }
  return 0;
}

bool cipher_key_length_ok(EspCipher cipher, size_t bytes) {
  switch (cipher) {
    case EspCipher::Null: return bytes == 0;
    case EspCipher::Des: return bytes == 8;
    case EspCipher::TripleDes: return bytes == 24;
    case EspCipher::Aes: return bytes == 16 || bytes == 24 || bytes == 32;
  }
  return false;
}

size_t auth_key_length(EspAuth auth) {
  switch (auth) {  // RFC 2403/2404/4868: the key is as long as the hash output
    case EspAuth::HmacMd5: return 16;
    case EspAuth::HmacSha1: return 20;
    case EspAuth::HmacSha256: return 32;
    case EspAuth::HmacSha384: return 48;
    case EspAuth::HmacSha512: return 64;
  }
  return 0;
}

uint32_t default_policy_priority(int source_prefix, int destination_prefix) {
  return kPolicyPriorityBase - uint32_t(source_prefix + destination_prefix);
}

uint8_t xfrm_direction(Direction direction) {
  switch (direction) {
    case Direction::In: return XFRM_POLICY_IN;
    case Direction::Out: return XFRM_POLICY_OUT;
    case Direction::Forward: return XFRM_POLICY_FWD;
  }
  return XFRM_POLICY_OUT;
}

namespace {

xfrm_address_t address(Ipv4 a) {
  xfrm_address_t out{};
  out.a4 = htonl(a.value);
  return out;
}

// Selectors are stored with the host bits cleared: the kernel compares them byte for byte when a policy is
// deleted (xfrm_policy_bysel_ctx), so add and delete must agree on one form.
Result<xfrm_selector> selector(std::string_view what, const Ipv4Net& source, const Ipv4Net& destination) {
  const int ps = source.prefix(), pd = destination.prefix();
  if (ps < 0 || pd < 0)
    return std::unexpected(std::string(what) + ": selector mask is not contiguous: " + source.str() + " -> " +
                           destination.str());
  xfrm_selector sel{};
  sel.family = AF_INET;
  sel.saddr = address(Ipv4{source.address.value & source.mask.value});
  sel.daddr = address(Ipv4{destination.address.value & destination.mask.value});
  sel.prefixlen_s = uint8_t(ps);
  sel.prefixlen_d = uint8_t(pd);
  return sel;  // proto 0, ports 0: all traffic between the two nets (IKEv1 IDs ID_IPV4_ADDR_SUBNET)
}

// 0 means "no limit" in Lifetime. Byte and packet limits use XFRM_INF for that; time limits use 0, which the
// kernel's xfrm_timer_handler reads as "not set" (what `ip xfrm state` and strongSwan do).
xfrm_lifetime_cfg lifetime(const kernel::Lifetime& l) {
  xfrm_lifetime_cfg cfg{};
  cfg.soft_byte_limit = l.soft_bytes ? l.soft_bytes : XFRM_INF;
  cfg.hard_byte_limit = l.hard_bytes ? l.hard_bytes : XFRM_INF;
  cfg.soft_packet_limit = XFRM_INF;
  cfg.hard_packet_limit = XFRM_INF;
  cfg.soft_add_expires_seconds = l.soft_seconds;
  cfg.hard_add_expires_seconds = l.hard_seconds;
  return cfg;
}

xfrm_lifetime_cfg infinite_lifetime() { return lifetime(kernel::Lifetime{}); }

// xfrm_algo / xfrm_algo_auth followed by the key, assembled in wiped memory.
template <class Header>
bool put_algorithm(Message& message, uint16_t attr_type, Header header, std::span<const uint8_t> key) {
  Botan::secure_vector<uint8_t> bytes(sizeof(Header) + key.size());
  std::memcpy(bytes.data(), &header, sizeof(Header));
  if (!key.empty()) std::memcpy(bytes.data() + sizeof(Header), key.data(), key.size());
  return message.put(attr_type, bytes);
}

Result<> fits(const Message& message, std::string_view what) {
  if (message.overflowed()) return std::unexpected(std::string(what) + ": request does not fit the netlink buffer");
  return {};
}

}  // namespace

Result<> build_allocate_spi(Message& message, Ipv4 source, Ipv4 destination, uint32_t reqid) {
  auto* spi = message.put_fixed_header<xfrm_userspi_info>();
  if (!spi) return fits(message, "XFRM_MSG_ALLOCSPI");
  // The kernel keeps a larval SA (daddr, saddr, ESP, mode, reqid) holding the SPI until UPDSA replaces it.
  spi->info.family = AF_INET;
  spi->info.id.daddr = address(destination);
  spi->info.id.proto = IPPROTO_ESP;
  spi->info.saddr = address(source);
  spi->info.mode = XFRM_MODE_TUNNEL;
  spi->info.reqid = reqid;
  spi->min = 0x100;  // SPIs 1..255 are reserved by IANA (RFC 4303 section 2.1)
  spi->max = 0xffffffff;
  return {};
}

Result<> build_add_sa(Message& message, const kernel::SaSpec& sa, bool update) {
  const std::string_view what = update ? "XFRM_MSG_UPDSA" : "XFRM_MSG_NEWSA";
  if (sa.spi.value < 0x100) return std::unexpected(std::string(what) + ": SPI below 256 is reserved (RFC 4303)");
  if (!cipher_key_length_ok(sa.cipher, sa.cipher_key.size()))
    return std::unexpected(std::string(what) + ": a " + std::to_string(sa.cipher_key.size()) +
                           "-byte key does not fit " + std::string(cipher_name(sa.cipher)));
  if (sa.auth_key.size() != auth_key_length(sa.auth))
    return std::unexpected(std::string(what) + ": a " + std::to_string(sa.auth_key.size()) +
                           "-byte key does not fit " + std::string(auth_name(sa.auth)));
  auto sel = selector(what, sa.selector_source, sa.selector_destination);
  if (!sel) return std::unexpected(sel.error());

  auto* info = message.put_fixed_header<xfrm_usersa_info>();
  if (!info) return fits(message, what);
  info->sel = *sel;
  info->id.daddr = address(sa.destination);
  info->id.spi = htonl(sa.spi.value);
  info->id.proto = IPPROTO_ESP;
  info->saddr = address(sa.source);
  info->lft = lifetime(sa.lifetime);
  info->reqid = sa.reqid;
  info->family = AF_INET;
  info->mode = XFRM_MODE_TUNNEL;
  info->replay_window = 32;  // RFC 4303 section 3.4.3: a window of at least 32 packets
  info->flags = 0;

  xfrm_algo crypt{};
  std::memcpy(crypt.alg_name, cipher_name(sa.cipher).data(), cipher_name(sa.cipher).size());
  crypt.alg_key_len = unsigned(sa.cipher_key.size() * 8);
  put_algorithm(message, XFRMA_ALG_CRYPT, crypt, sa.cipher_key);

  // XFRMA_ALG_AUTH_TRUNC (not XFRMA_ALG_AUTH) so the ICV length is explicit, not the kernel's default.
  xfrm_algo_auth auth{};
  std::memcpy(auth.alg_name, auth_name(sa.auth).data(), auth_name(sa.auth).size());
  auth.alg_key_len = unsigned(sa.auth_key.size() * 8);
  auth.alg_trunc_len = auth_truncation_bits(sa.auth);
  put_algorithm(message, XFRMA_ALG_AUTH_TRUNC, auth, sa.auth_key);

  if (sa.encap) {
    xfrm_encap_tmpl encap{};
    encap.encap_type = UDP_ENCAP_ESPINUDP;  // RFC 3948: non-IKE marker-less ESP in UDP
    encap.encap_sport = htons(sa.encap->source_port);
    encap.encap_dport = htons(sa.encap->destination_port);
    message.put_struct(XFRMA_ENCAP, encap);  // encap_oa zero: no NAT-OA (tunnel mode needs no checksum fixup)
  }
  return fits(message, what);
}

Result<> build_sa_id(Message& message, Ipv4 destination, kernel::Spi spi) {
  auto* id = message.put_fixed_header<xfrm_usersa_id>();
  if (!id) return fits(message, "XFRM_MSG_GETSA");
  id->daddr = address(destination);
  id->spi = htonl(spi.value);
  id->family = AF_INET;
  id->proto = IPPROTO_ESP;
  return {};
}

Result<> build_add_policy(Message& message, const kernel::PolicySpec& policy) {
  constexpr std::string_view what = "XFRM_MSG_NEWPOLICY";
  auto sel = selector(what, policy.source, policy.destination);
  if (!sel) return std::unexpected(sel.error());
  auto* info = message.put_fixed_header<xfrm_userpolicy_info>();
  if (!info) return fits(message, what);
  info->sel = *sel;
  info->lft = infinite_lifetime();
  info->priority = policy.priority ? policy.priority
                                   : default_policy_priority(sel->prefixlen_s, sel->prefixlen_d);
  info->index = 0;  // the kernel picks one
  info->dir = xfrm_direction(policy.direction);
  info->action = XFRM_POLICY_ALLOW;
  info->share = XFRM_SHARE_ANY;

  // One ESP tunnel template; any algorithm the SA has is acceptable (ealgos/aalgos/calgos all ones).
  xfrm_user_tmpl tmpl{};
  tmpl.id.daddr = address(policy.tunnel_destination);
  tmpl.id.proto = IPPROTO_ESP;
  tmpl.family = AF_INET;
  tmpl.saddr = address(policy.tunnel_source);
  tmpl.reqid = policy.reqid;
  tmpl.mode = XFRM_MODE_TUNNEL;
  tmpl.aalgos = tmpl.ealgos = tmpl.calgos = ~0u;
  message.put_struct(XFRMA_TMPL, tmpl);
  return fits(message, what);
}

Result<> build_policy_hash_thresholds(Message& message, uint8_t local_bits, uint8_t remote_bits) {
  // The fixed part is a u32 of flags, all ones as iproute2's `ip xfrm policy set` sends it (the kernel ignores it).
  auto* flags = message.put_fixed_header<uint32_t>();
  if (!flags) return fits(message, "XFRM_MSG_NEWSPDINFO");
  *flags = 0xffffffff;
  xfrmu_spdhthresh thresholds{};
  thresholds.lbits = local_bits;
  thresholds.rbits = remote_bits;
  if (!message.put_struct(XFRMA_SPD_IPV4_HTHRESH, thresholds)) return fits(message, "XFRM_MSG_NEWSPDINFO");
  return {};
}

Result<> build_delete_policy(Message& message, const Ipv4Net& source, const Ipv4Net& destination,
                             Direction direction) {
  constexpr std::string_view what = "XFRM_MSG_DELPOLICY";
  auto sel = selector(what, source, destination);
  if (!sel) return std::unexpected(sel.error());
  auto* id = message.put_fixed_header<xfrm_userpolicy_id>();
  if (!id) return fits(message, what);
  id->sel = *sel;
  id->index = 0;  // look up by selector and direction
  id->dir = xfrm_direction(direction);
  return {};
}

Result<> build_route(Message& message, const kernel::RouteSpec& route, int interface_index, bool add) {
  const std::string_view what = add ? "RTM_NEWROUTE" : "RTM_DELROUTE";
  const int prefix = route.destination.prefix();
  if (prefix < 0) return std::unexpected(std::string(what) + ": mask is not contiguous: " + route.destination.str());
  auto* rtm = message.put_fixed_header<rtmsg>();
  if (!rtm) return fits(message, what);
  rtm->rtm_family = AF_INET;
  rtm->rtm_dst_len = uint8_t(prefix);
  rtm->rtm_table = RT_TABLE_MAIN;
  rtm->rtm_protocol = kRouteProtocol;
  // A connected route: the client's address is reached on the outside link, no gateway. On delete
  // RT_SCOPE_NOWHERE matches any scope (what `ip route del` sends).
  rtm->rtm_scope = add ? RT_SCOPE_LINK : RT_SCOPE_NOWHERE;
  rtm->rtm_type = RTN_UNICAST;
  message.put_u32(RTA_DST, htonl(route.destination.address.value & route.destination.mask.value));
  message.put_u32(RTA_OIF, uint32_t(interface_index));
  if (route.preferred_source) message.put_u32(RTA_PREFSRC, htonl(route.preferred_source->value));
  return fits(message, what);
}

}  // namespace ravpn::netlink
