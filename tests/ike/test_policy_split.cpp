// The compiled policy on the wire: Unity SPLIT_INCLUDE from every ACL form the importers read (PIX netmask, IOS
// extended wildcard, IOS standard, IOS named), networks and masks as the client receives them, and LOCAL_LAN for
// IOS `include-local-lan`.
#include <doctest/doctest.h>

#include "daemon/config/parse.hpp"
#include "phase2_initiator.hpp"

using namespace ravpn;
using namespace ravpn::ike;
using namespace ravpn::ike::test;

namespace {

// ios-easyvpn.cfg with `extra` lines before `end` and `group_lines` inside group vpn3000.
std::string easyvpn_with(const std::string& group_lines, const std::string& extra) {
  std::string text = fixture("ios-easyvpn.cfg");
  const std::string group = " pool ourpool\n";
  auto at = text.find(group);
  REQUIRE(at != std::string::npos);
  text.insert(at + group.size(), group_lines);
  at = text.rfind("end");
  REQUIRE(at != std::string::npos);
  text.insert(at, extra);
  return text;
}

// The seed PIX's client setup (Xauth against the local users) with a split-tunnel ACL in PIX syntax (netmasks).
config::Config pix_with_split(const std::string& acl_lines) {
  std::string text = R"(hostname pix
nameif ethernet0 outside security0
nameif ethernet1 inside security100
ip address outside 192.0.2.1 255.255.255.0
ip address inside 10.21.1.48 255.255.255.0
ip local pool ourpool 10.2.1.1-10.2.1.254
username john password doe
)" + acl_lines + R"(crypto ipsec transform-set myset esp-des esp-md5-hmac
crypto dynamic-map dynmap 10 set transform-set myset
crypto map mymap 10 ipsec-isakmp dynamic dynmap
crypto map mymap client configuration address respond
crypto map mymap client authentication LOCAL
crypto map mymap interface outside
isakmp enable outside
isakmp key cisco1234 address 0.0.0.0 netmask 0.0.0.0
isakmp policy 10 authentication pre-share
isakmp policy 10 encryption 3des
isakmp policy 10 hash md5
isakmp policy 10 group 2
vpngroup vpn3000 address-pool ourpool
vpngroup vpn3000 split-tunnel 90
vpngroup vpn3000 password grouppass123
)";
  auto c = config::parse_pix(text, "pix-test.cfg");
  for (const auto& d : c.diagnostics) CHECK_MESSAGE(d.kind != config::Diagnostic::Kind::Error, d.message);
  return c;
}

// A Unity entry is address(4) mask(4) protocol(1) sport(2) dport(2) padding(1): "A/M" per entry.
std::vector<std::string> entries(const DataAttribute* a) {
  std::vector<std::string> out;
  if (!a) return out;
  REQUIRE(a->data.size() % 14 == 0);
  for (size_t i = 0; i < a->data.size(); i += 14) {
    out.push_back(Ipv4::from_bytes(a->data.data() + i).str() + "/" + Ipv4::from_bytes(a->data.data() + i + 4).str());
    for (size_t k = 8; k < 14; ++k) CHECK(a->data[i + k] == 0);
  }
  return out;
}

// Aggressive mode as vpnc (group vpn3000), Xauth john/doe, then a REQUEST for the address and the split networks.
AttributePayload request_split(Phase2Harness& h, std::vector<uint16_t> types = {}) {
  Client c(unity_options());
  auto r = run_aggressive_mode(h, c);
  REQUIRE_MESSAGE(r.size() == 1, "no Xauth REQUEST\nlog:\n" << h.log.text());
  CHECK(xauth_login(h, c, r[0], "john", "doe").empty());
  if (types.empty()) types = {cfg_attr::InternalIp4Address, cfg_attr::UnitySplitInclude};
  auto reply = mode_config_request(h, c, types);
  REQUIRE_MESSAGE(address_in(reply.attributes), "no address\nlog:\n" << h.log.text());
  return reply.attributes;
}

}  // namespace

TEST_CASE("split include, PIX ACL: `access-list 90 permit ip 10.21.1.0 255.255.255.0 any` -> 10.21.1.0/255.255.255.0") {
  Phase2Harness h(pix_with_split("access-list 90 permit ip 10.21.1.0 255.255.255.0 any\n"
                                 "access-list 90 permit ip host 10.30.0.7 any\n"
                                 "access-list 90 deny ip 10.40.0.0 255.255.0.0 any\n"));
  auto a = request_split(h);
  CHECK(entries(a.find(cfg_attr::UnitySplitInclude)) ==
        std::vector<std::string>{"10.21.1.0/255.255.255.0", "10.30.0.7/255.255.255.255"});
  CHECK_FALSE(a.find(cfg_attr::UnityLocalLan));  // no include-local-lan on PIX 6.3
}

TEST_CASE("split include, IOS extended ACL (wildcards): 10.21.1.0 0.0.0.255 -> mask 255.255.255.0") {
  Phase2Harness h(easyvpn_with(" acl 150\n", "access-list 150 permit ip 10.21.1.0 0.0.0.255 any\n"
                                             "access-list 150 permit ip 172.16.0.0 0.0.255.255 10.2.1.0 0.0.0.255\n"));
  auto a = request_split(h);
  CHECK(entries(a.find(cfg_attr::UnitySplitInclude)) ==
        std::vector<std::string>{"10.21.1.0/255.255.255.0", "172.16.0.0/255.255.0.0"});
}

TEST_CASE("split include, IOS standard ACL: `access-list 10 permit 10.21.1.0 0.0.0.255` (and a host) are sent") {
  Phase2Harness h(easyvpn_with(" acl 10\n", "access-list 10 permit 10.21.1.0 0.0.0.255\n"
                                            "access-list 10 permit 10.22.0.9\n"));
  auto a = request_split(h);
  CHECK(entries(a.find(cfg_attr::UnitySplitInclude)) ==
        std::vector<std::string>{"10.21.1.0/255.255.255.0", "10.22.0.9/255.255.255.255"});
}

TEST_CASE("split include, IOS named ACLs: extended and standard blocks") {
  SUBCASE("ip access-list extended") {
    Phase2Harness h(easyvpn_with(" acl SPLIT\n", "ip access-list extended SPLIT\n"
                                                 " permit ip 10.21.1.0 0.0.0.255 any\n"
                                                 " permit ip host 10.23.4.5 any\n"));
    CHECK(entries(request_split(h).find(cfg_attr::UnitySplitInclude)) ==
          std::vector<std::string>{"10.21.1.0/255.255.255.0", "10.23.4.5/255.255.255.255"});
  }
  SUBCASE("ip access-list standard") {
    Phase2Harness h(easyvpn_with(" acl SPLITSTD\n", "ip access-list standard SPLITSTD\n"
                                                    " permit 10.21.0.0 0.0.255.255\n"));
    CHECK(entries(request_split(h).find(cfg_attr::UnitySplitInclude)) ==
          std::vector<std::string>{"10.21.0.0/255.255.0.0"});
  }
}

TEST_CASE("LOCAL_LAN: include-local-lan answers a request for it with one 0.0.0.0/0.0.0.0 entry") {
  Phase2Harness h(easyvpn_with(" acl 10\n include-local-lan\n", "access-list 10 permit 10.21.1.0 0.0.0.255\n"));
  SUBCASE("asked for alone (Cisco VPN Client)") {
    auto a = request_split(h, {cfg_attr::InternalIp4Address, cfg_attr::UnityLocalLan});
    CHECK(entries(a.find(cfg_attr::UnityLocalLan)) == std::vector<std::string>{"0.0.0.0/0.0.0.0"});
    CHECK_FALSE(a.find(cfg_attr::UnitySplitInclude));
  }
  SUBCASE("asked for with the split networks") {
    auto a = request_split(h, {cfg_attr::InternalIp4Address, cfg_attr::UnitySplitInclude, cfg_attr::UnityLocalLan});
    CHECK(entries(a.find(cfg_attr::UnitySplitInclude)) == std::vector<std::string>{"10.21.1.0/255.255.255.0"});
    CHECK(entries(a.find(cfg_attr::UnityLocalLan)) == std::vector<std::string>{"0.0.0.0/0.0.0.0"});
  }
  SUBCASE("not asked for (vpnc 0.5.3 does not know 28678): not sent") {
    CHECK_FALSE(request_split(h).find(cfg_attr::UnityLocalLan));
  }
}

TEST_CASE("LOCAL_LAN: without include-local-lan it is never sent") {
  Phase2Harness h(easyvpn_with(" acl 10\n", "access-list 10 permit 10.21.1.0 0.0.0.255\n"));
  auto a = request_split(h, {cfg_attr::InternalIp4Address, cfg_attr::UnitySplitInclude, cfg_attr::UnityLocalLan});
  CHECK(a.find(cfg_attr::UnitySplitInclude));
  CHECK_FALSE(a.find(cfg_attr::UnityLocalLan));
}
