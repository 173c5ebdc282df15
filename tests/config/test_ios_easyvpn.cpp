// The seed config plus an Easy VPN group for vpnc / Cisco VPN Client 3.x.
#include <doctest/doctest.h>

#include "tests/config/fixtures.hpp"

using namespace ravpn::config;
using namespace ravpn::config::test;
using K = Diagnostic::Kind;

namespace {
Config easyvpn() { return load(fixture_path("ios-easyvpn.cfg")); }
}  // namespace

TEST_CASE("easyvpn: loads without errors") {
  Config c = easyvpn();
  for (const auto* d : of_kind(c, K::Error)) MESSAGE(d->origin.line << ": " << d->message);
  CHECK_FALSE(c.has_errors());
  CHECK(c.source == fixture_path("ios-easyvpn.cfg"));
  CHECK(c.hostname == "goss-e4-3660");
}

TEST_CASE("easyvpn: two policies, sorted, with 3DES / group 2 on 20") {
  Config c = easyvpn();
  REQUIRE(c.isakmp_policies.size() == 2);
  const auto& p10 = c.isakmp_policies[0];
  const auto& p20 = c.isakmp_policies[1];
  CHECK(p10.priority == 10);
  CHECK(p10.cipher == Cipher::Des);
  CHECK(p10.hash == Hash::Md5);
  CHECK(p10.dh_group == 1);
  CHECK(p20.priority == 20);
  CHECK(p20.cipher == Cipher::TripleDes);
  CHECK(p20.hash == Hash::Md5);
  CHECK(p20.auth == AuthMethod::PreShare);
  CHECK(p20.dh_group == 2);
  CHECK(p20.lifetime_seconds == 86400);
  CHECK(p20.origin.line == 31);
}

TEST_CASE("easyvpn: group vpn3000") {
  Config c = easyvpn();
  REQUIRE(c.client_groups.size() == 1);
  const auto& g = c.client_groups.at("vpn3000");
  CHECK(g.name == "vpn3000");
  CHECK(g.key == "grouppass123");
  CHECK_FALSE(g.key_masked);
  CHECK(g.key_origin.line == 40);
  CHECK(g.pool == "ourpool");
  CHECK(g.dns == std::vector<ravpn::Ipv4>{ip("10.21.1.10")});
  CHECK(g.wins.empty());
  CHECK(g.domain == "example.com");
  CHECK(g.split_tunnel_acl.empty());
  CHECK_FALSE(g.pfs);
  CHECK(g.banner.empty());
  CHECK(g.backup_servers.empty());
  CHECK_FALSE(g.max_users);
  CHECK(g.origin.line == 39);
}

TEST_CASE("easyvpn: authorization list and the rest of the seed") {
  Config c = easyvpn();
  REQUIRE(c.aaa_authorization_network.count("grouplist") == 1);
  CHECK(c.aaa_authorization_network.at("grouplist").methods == std::vector<std::string>{"local"});
  CHECK(c.aaa_authorization_network.at("grouplist").origin.line == 15);
  const auto& m = c.crypto_maps.at("test");
  CHECK(m.isakmp_authorization == "grouplist");
  CHECK(m.client_authentication == "xauth_list");
  CHECK(m.config_initiate);
  CHECK(m.config_respond);
  REQUIRE(m.entries.size() == 1);
  CHECK(m.entries[0].dynamic_map == "dyna");
  CHECK(c.isakmp_keys.size() == 1);
  CHECK(c.users.at("john").password == "doe");
  CHECK(c.interfaces.size() == 4);
  CHECK(c.ike_addresses() == std::vector<ravpn::Ipv4>{ip("192.0.2.1")});
  CHECK(of_kind(c, K::Partial).empty());  // NAT and the route-map are applied now
  CHECK(lines_of(c, K::Ignored, "line").size() == 5);
}

TEST_CASE("easyvpn: dynamic NAT through route-map nonat to pool outsidepool") {
  Config c = easyvpn();
  REQUIRE(c.dynamic_nats.size() == 1);
  const auto& d = c.dynamic_nats[0];
  CHECK(d.route_map == "nonat");
  CHECK(d.nat_pool == "outsidepool");
  CHECK(d.mapped_ranges == std::vector<ravpn::Ipv4Range>{{ip("192.0.2.50"), ip("192.0.2.60")}});
  CHECK(d.origin.line == 81);
  const auto& acl = c.access_lists.at("101");
  REQUIRE(acl.entries.size() == 2);
  REQUIRE(acl.entries[0].match);
  CHECK_FALSE(acl.entries[0].permit);
  CHECK(acl.entries[0].match->source.str() == "10.21.1.0/24");
  CHECK(acl.entries[0].match->destination.str() == "10.2.1.0/24");
  REQUIRE(acl.entries[1].match);
  CHECK(acl.entries[1].match->destination.str() == "0.0.0.0/0");
}
