// The requests NetlinkKernel sends, read back field by field (no kernel needed): include/uapi/linux/xfrm.h
// layouts, algorithm names, ICV truncation, lifetimes, selectors, templates, route attributes.
#include <doctest/doctest.h>

#include <cstring>

#include <arpa/inet.h>
#include <linux/rtnetlink.h>
#include <linux/udp.h>
#include <netinet/in.h>

#include <map>
#include <string>
#include <vector>

#include "netlink/xfrm_messages.hpp"

using namespace ravpn;
using namespace ravpn::netlink;
using kernel::Direction;
using kernel::EspAuth;
using kernel::EspCipher;
using kernel::Spi;

namespace {

Ipv4 ip(const char* s) { return *Ipv4::parse(s); }
Ipv4Net net(const char* a, int prefix) { return {ip(a), prefix_to_mask(prefix)}; }

template <class Fixed>
Fixed fixed(const Message& m) {
  REQUIRE(mnl_nlmsg_get_payload_len(m.header()) >= sizeof(Fixed));
  Fixed f;
  std::memcpy(&f, mnl_nlmsg_get_payload(m.header()), sizeof(f));
  return f;
}

// attribute type -> payload bytes, after the fixed header
template <class Fixed>
std::map<int, std::vector<uint8_t>> attributes(const Message& m) {
  std::map<int, std::vector<uint8_t>> out;
  mnl_attr_parse(
      m.header(), sizeof(Fixed),
      [](const nlattr* a, void* data) {
        auto* o = static_cast<std::map<int, std::vector<uint8_t>>*>(data);
        auto* p = static_cast<const uint8_t*>(mnl_attr_get_payload(a));
        (*o)[mnl_attr_get_type(a)] = std::vector<uint8_t>(p, p + mnl_attr_get_payload_len(a));
        return int(MNL_CB_OK);
      },
      &out);
  return out;
}

kernel::SaSpec des_md5_sa() {
  kernel::SaSpec s;
  s.source = ip("192.0.2.1");
  s.destination = ip("198.51.100.7");
  s.spi = Spi{0xc0de0001};
  s.reqid = 42;
  s.cipher = EspCipher::Des;
  s.cipher_key.assign(8, 0xa5);
  s.auth = EspAuth::HmacMd5;
  s.auth_key.assign(16, 0x5a);
  s.selector_source = net("10.21.1.9", 24);  // host bits set on purpose
  s.selector_destination = net("10.2.1.5", 32);
  s.lifetime.soft_seconds = 27000;
  s.lifetime.hard_seconds = 28800;
  s.lifetime.hard_bytes = 4608000ull * 1024;
  return s;
}

}  // namespace

TEST_CASE("algorithm names and ICV lengths") {
  CHECK(cipher_name(EspCipher::Null) == "ecb(cipher_null)");
  CHECK(cipher_name(EspCipher::Des) == "cbc(des)");
  CHECK(cipher_name(EspCipher::TripleDes) == "cbc(des3_ede)");
  CHECK(cipher_name(EspCipher::Aes) == "cbc(aes)");
  CHECK(auth_name(EspAuth::HmacMd5) == "hmac(md5)");
  CHECK(auth_name(EspAuth::HmacSha512) == "hmac(sha512)");
  CHECK(auth_truncation_bits(EspAuth::HmacMd5) == 96);
  CHECK(auth_truncation_bits(EspAuth::HmacSha1) == 96);
  CHECK(auth_truncation_bits(EspAuth::HmacSha256) == 128);
  CHECK(auth_truncation_bits(EspAuth::HmacSha384) == 192);
  CHECK(auth_truncation_bits(EspAuth::HmacSha512) == 256);
  CHECK(cipher_key_length_ok(EspCipher::Aes, 32));
  CHECK_FALSE(cipher_key_length_ok(EspCipher::Aes, 20));
  CHECK(auth_key_length(EspAuth::HmacSha1) == 20);
}

TEST_CASE("NEWSA: usersa_info, ALG_CRYPT, ALG_AUTH_TRUNC, no ENCAP") {
  Message m(XFRM_MSG_NEWSA, NLM_F_CREATE | NLM_F_EXCL);
  REQUIRE(build_add_sa(m, des_md5_sa(), false));
  CHECK(m.header()->nlmsg_type == XFRM_MSG_NEWSA);
  auto info = fixed<xfrm_usersa_info>(m);
  CHECK(ntohl(info.id.daddr.a4) == ip("198.51.100.7").value);
  CHECK(ntohl(info.saddr.a4) == ip("192.0.2.1").value);
  CHECK(ntohl(info.id.spi) == 0xc0de0001u);
  CHECK(info.id.proto == IPPROTO_ESP);
  CHECK(info.family == AF_INET);
  CHECK(info.mode == XFRM_MODE_TUNNEL);
  CHECK(info.reqid == 42);
  CHECK(info.replay_window == 32);
  CHECK(info.flags == 0);
  CHECK(info.sel.family == AF_INET);
  CHECK(ntohl(info.sel.saddr.a4) == ip("10.21.1.0").value);  // masked
  CHECK(info.sel.prefixlen_s == 24);
  CHECK(ntohl(info.sel.daddr.a4) == ip("10.2.1.5").value);
  CHECK(info.sel.prefixlen_d == 32);
  CHECK(info.lft.soft_add_expires_seconds == 27000);
  CHECK(info.lft.hard_add_expires_seconds == 28800);
  CHECK(info.lft.hard_byte_limit == 4608000ull * 1024);
  CHECK(info.lft.soft_byte_limit == XFRM_INF);
  CHECK(info.lft.soft_packet_limit == XFRM_INF);
  CHECK(info.lft.hard_packet_limit == XFRM_INF);

  auto attrs = attributes<xfrm_usersa_info>(m);
  REQUIRE(attrs.contains(XFRMA_ALG_CRYPT));
  REQUIRE(attrs.contains(XFRMA_ALG_AUTH_TRUNC));
  CHECK_FALSE(attrs.contains(XFRMA_ALG_AUTH));
  CHECK_FALSE(attrs.contains(XFRMA_ENCAP));

  const auto& crypt = attrs[XFRMA_ALG_CRYPT];
  REQUIRE(crypt.size() == sizeof(xfrm_algo) + 8);
  xfrm_algo algo;
  std::memcpy(&algo, crypt.data(), sizeof(algo));
  CHECK(std::string(algo.alg_name) == "cbc(des)");
  CHECK(algo.alg_key_len == 64);
  CHECK(crypt[sizeof(xfrm_algo)] == 0xa5);

  const auto& auth = attrs[XFRMA_ALG_AUTH_TRUNC];
  REQUIRE(auth.size() == sizeof(xfrm_algo_auth) + 16);
  xfrm_algo_auth a;
  std::memcpy(&a, auth.data(), sizeof(a));
  CHECK(std::string(a.alg_name) == "hmac(md5)");
  CHECK(a.alg_key_len == 128);
  CHECK(a.alg_trunc_len == 96);
}

TEST_CASE("UPDSA with AES-256/SHA1 and UDP encapsulation") {
  auto s = des_md5_sa();
  s.cipher = EspCipher::Aes;
  s.cipher_key.assign(32, 1);
  s.auth = EspAuth::HmacSha1;
  s.auth_key.assign(20, 2);
  s.lifetime = {};
  s.encap = kernel::UdpEncap{4500, 1025};
  Message m(XFRM_MSG_UPDSA, 0);
  REQUIRE(build_add_sa(m, s, true));
  auto info = fixed<xfrm_usersa_info>(m);
  CHECK(info.lft.soft_add_expires_seconds == 0);  // 0 = no time limit
  CHECK(info.lft.hard_byte_limit == XFRM_INF);
  auto attrs = attributes<xfrm_usersa_info>(m);
  REQUIRE(attrs[XFRMA_ENCAP].size() == sizeof(xfrm_encap_tmpl));
  xfrm_encap_tmpl e;
  std::memcpy(&e, attrs[XFRMA_ENCAP].data(), sizeof(e));
  CHECK(e.encap_type == UDP_ENCAP_ESPINUDP);
  CHECK(ntohs(e.encap_sport) == 4500);
  CHECK(ntohs(e.encap_dport) == 1025);
  xfrm_algo_auth a;
  std::memcpy(&a, attrs[XFRMA_ALG_AUTH_TRUNC].data(), sizeof(a));
  CHECK(std::string(a.alg_name) == "hmac(sha1)");
  CHECK(a.alg_key_len == 160);
}

TEST_CASE("SA specs the kernel would reject are refused before sending, naming the request") {
  auto s = des_md5_sa();
  s.cipher_key.assign(7, 0);
  Message m1(XFRM_MSG_NEWSA, 0);
  auto r = build_add_sa(m1, s, false);
  REQUIRE_FALSE(r);
  CHECK(r.error() == "XFRM_MSG_NEWSA: a 7-byte key does not fit cbc(des)");

  s = des_md5_sa();
  s.auth_key.assign(20, 0);
  Message m2(XFRM_MSG_UPDSA, 0);
  CHECK(build_add_sa(m2, s, true).error() == "XFRM_MSG_UPDSA: a 20-byte key does not fit hmac(md5)");

  s = des_md5_sa();
  s.selector_source.mask = ip("255.0.255.0");
  Message m3(XFRM_MSG_NEWSA, 0);
  CHECK(build_add_sa(m3, s, false).error().starts_with("XFRM_MSG_NEWSA: selector mask is not contiguous"));

  s = des_md5_sa();
  s.spi = Spi{255};
  Message m4(XFRM_MSG_NEWSA, 0);
  CHECK_FALSE(build_add_sa(m4, s, false));
}

TEST_CASE("ALLOCSPI asks for an ESP SPI in [0x100, 0xffffffff]") {
  Message m(XFRM_MSG_ALLOCSPI, 0);
  REQUIRE(build_allocate_spi(m, ip("198.51.100.7"), ip("192.0.2.1"), 5));
  auto spi = fixed<xfrm_userspi_info>(m);
  CHECK(spi.min == 0x100);
  CHECK(spi.max == 0xffffffffu);
  CHECK(ntohl(spi.info.id.daddr.a4) == ip("192.0.2.1").value);
  CHECK(ntohl(spi.info.saddr.a4) == ip("198.51.100.7").value);
  CHECK(spi.info.id.proto == IPPROTO_ESP);
  CHECK(spi.info.reqid == 5);
  CHECK(spi.info.mode == XFRM_MODE_TUNNEL);
}

TEST_CASE("DELSA/GETSA id") {
  Message m(XFRM_MSG_DELSA, 0);
  REQUIRE(build_sa_id(m, ip("198.51.100.7"), Spi{0x1001}));
  auto id = fixed<xfrm_usersa_id>(m);
  CHECK(ntohl(id.daddr.a4) == ip("198.51.100.7").value);
  CHECK(ntohl(id.spi) == 0x1001u);
  CHECK(id.family == AF_INET);
  CHECK(id.proto == IPPROTO_ESP);
}

TEST_CASE("NEWSPDINFO: policy hash thresholds, local 0 and remote 32 bits, as `ip xfrm policy set hthresh4 0 32`") {
  Message m(XFRM_MSG_NEWSPDINFO, 0);
  REQUIRE(build_policy_hash_thresholds(m, 0, 32));
  CHECK(fixed<uint32_t>(m) == 0xffffffffu);
  auto attrs = attributes<uint32_t>(m);
  REQUIRE(attrs.count(XFRMA_SPD_IPV4_HTHRESH));
  REQUIRE(attrs[XFRMA_SPD_IPV4_HTHRESH].size() == sizeof(xfrmu_spdhthresh));
  xfrmu_spdhthresh t{};
  std::memcpy(&t, attrs[XFRMA_SPD_IPV4_HTHRESH].data(), sizeof t);
  CHECK(t.lbits == 0);
  CHECK(t.rbits == 32);
}

TEST_CASE("NEWPOLICY: selector, direction, priority, tunnel template") {
  kernel::PolicySpec p;
  p.source = net("0.0.0.0", 0);
  p.destination = net("10.2.1.5", 32);
  p.direction = Direction::Forward;
  p.tunnel_source = ip("198.51.100.7");
  p.tunnel_destination = ip("192.0.2.1");
  p.reqid = 9;
  Message m(XFRM_MSG_NEWPOLICY, NLM_F_CREATE | NLM_F_EXCL);
  REQUIRE(build_add_policy(m, p));
  auto info = fixed<xfrm_userpolicy_info>(m);
  CHECK(info.dir == XFRM_POLICY_FWD);
  CHECK(info.action == XFRM_POLICY_ALLOW);
  CHECK(info.share == XFRM_SHARE_ANY);
  CHECK(info.index == 0);
  CHECK(info.priority == 2000 - 32);
  CHECK(info.sel.prefixlen_s == 0);
  CHECK(info.sel.prefixlen_d == 32);
  CHECK(info.lft.hard_byte_limit == XFRM_INF);
  auto attrs = attributes<xfrm_userpolicy_info>(m);
  REQUIRE(attrs[XFRMA_TMPL].size() == sizeof(xfrm_user_tmpl));
  xfrm_user_tmpl t;
  std::memcpy(&t, attrs[XFRMA_TMPL].data(), sizeof(t));
  CHECK(ntohl(t.saddr.a4) == ip("198.51.100.7").value);
  CHECK(ntohl(t.id.daddr.a4) == ip("192.0.2.1").value);
  CHECK(t.id.proto == IPPROTO_ESP);
  CHECK(t.id.spi == 0);
  CHECK(t.family == AF_INET);
  CHECK(t.mode == XFRM_MODE_TUNNEL);
  CHECK(t.reqid == 9);
  CHECK(t.aalgos == ~0u);
  CHECK(t.ealgos == ~0u);
  CHECK(t.calgos == ~0u);

  p.priority = 77;
  p.direction = Direction::In;
  Message m2(XFRM_MSG_NEWPOLICY, 0);
  REQUIRE(build_add_policy(m2, p));
  CHECK(fixed<xfrm_userpolicy_info>(m2).priority == 77);
  CHECK(fixed<xfrm_userpolicy_info>(m2).dir == XFRM_POLICY_IN);
  CHECK(default_policy_priority(24, 32) < default_policy_priority(0, 32));  // more specific wins
}

TEST_CASE("DELPOLICY id uses the same masked selector as NEWPOLICY") {
  Message m(XFRM_MSG_DELPOLICY, 0);
  REQUIRE(build_delete_policy(m, net("10.21.1.200", 24), net("10.2.1.5", 32), Direction::Out));
  auto id = fixed<xfrm_userpolicy_id>(m);
  CHECK(ntohl(id.sel.saddr.a4) == ip("10.21.1.0").value);
  CHECK(id.dir == XFRM_POLICY_OUT);
  CHECK(id.index == 0);
}

TEST_CASE("route: main table, scope link, ravpn protocol, DST/OIF/PREFSRC") {
  kernel::RouteSpec r{net("10.2.1.5", 32), "eth1", ip("10.21.1.1")};
  Message m(RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL);
  REQUIRE(build_route(m, r, 3, true));
  auto rtm = fixed<rtmsg>(m);
  CHECK(rtm.rtm_family == AF_INET);
  CHECK(rtm.rtm_dst_len == 32);
  CHECK(rtm.rtm_table == RT_TABLE_MAIN);
  CHECK(rtm.rtm_scope == RT_SCOPE_LINK);
  CHECK(rtm.rtm_protocol == kRouteProtocol);
  CHECK(rtm.rtm_type == RTN_UNICAST);
  auto attrs = attributes<rtmsg>(m);
  uint32_t v;
  std::memcpy(&v, attrs[RTA_DST].data(), 4);
  CHECK(ntohl(v) == ip("10.2.1.5").value);
  std::memcpy(&v, attrs[RTA_OIF].data(), 4);
  CHECK(v == 3);
  std::memcpy(&v, attrs[RTA_PREFSRC].data(), 4);
  CHECK(ntohl(v) == ip("10.21.1.1").value);

  Message del(RTM_DELROUTE, 0);
  REQUIRE(build_route(del, {net("10.2.1.5", 32), "eth1", std::nullopt}, 3, false));
  CHECK(fixed<rtmsg>(del).rtm_scope == RT_SCOPE_NOWHERE);
  CHECK_FALSE(attributes<rtmsg>(del).contains(RTA_PREFSRC));
}

TEST_CASE("attribute writers refuse to overflow the buffer") {
  Message m(XFRM_MSG_NEWSA, 0);
  std::vector<uint8_t> big(1000, 0);
  int written = 0;
  while (m.put(XFRMA_PAD, big)) ++written;
  CHECK(written == int(Message::kCapacity / 1004));
  CHECK(m.overflowed());
  CHECK(m.header()->nlmsg_len <= Message::kCapacity);
  CHECK_FALSE(m.put_u32(XFRMA_PAD, 1));  // stays refused
  CHECK(m.put_fixed_header<xfrm_usersa_info>() == nullptr);
}
