// The seed IOS 12.1 local-Xauth config (Cisco tech note), cleaned up as a router prints it.
#include <doctest/doctest.h>

#include "tests/config/fixtures.hpp"

using namespace ravpn::config;
using namespace ravpn::config::test;
using K = Diagnostic::Kind;

namespace {
Config seed() {
  Config c = parse_ios(read_fixture("ios-seed.cfg"), "ios-seed.cfg");
  validate(c);
  return c;
}
}  // namespace

TEST_CASE("seed: no errors, hostname, dialect") {
  Config c = seed();
  for (const auto* d : of_kind(c, K::Error)) MESSAGE(d->origin.line << ": " << d->message);
  CHECK_FALSE(c.has_errors());
  CHECK(c.hostname == "goss-e4-3660");
  CHECK(c.dialect == Dialect::Ios);
  CHECK(c.source == "ios-seed.cfg");
}

TEST_CASE("seed: ISAKMP policy 10 with defaults for absent lines") {
  Config c = seed();
  REQUIRE(c.isakmp_policies.size() == 1);
  const auto& p = c.isakmp_policies[0];
  CHECK(p.priority == 10);
  CHECK(p.hash == Hash::Md5);
  CHECK(p.auth == AuthMethod::PreShare);
  CHECK(p.cipher == Cipher::Des);  // default
  CHECK(p.dh_group == 1);          // default
  CHECK(p.lifetime_seconds == 86400);
  CHECK(p.origin.line == 25);
  CHECK(p.origin.file == "ios-seed.cfg");
}

TEST_CASE("seed: wildcard key, identity and keepalive defaults") {
  Config c = seed();
  REQUIRE(c.isakmp_keys.size() == 1);
  const auto& k = c.isakmp_keys[0];
  CHECK(k.key == "cisco1234");
  CHECK_FALSE(k.masked);
  CHECK(k.peer.address == ip("0.0.0.0"));
  CHECK(k.peer.mask == ip("0.0.0.0"));
  CHECK_FALSE(k.no_xauth);
  CHECK(k.origin.line == 28);
  CHECK(c.key_for_peer(ip("203.0.113.5")) == &k);
  CHECK(c.isakmp_identity == "address");
  CHECK_FALSE(c.dpd_keepalive_seconds);
  CHECK_FALSE(c.natt_keepalive_seconds);
  CHECK(c.client_config_pool == "ourpool");
  CHECK(c.client_groups.empty());
}

TEST_CASE("seed: AAA and local user") {
  Config c = seed();
  CHECK(c.aaa_new_model);
  REQUIRE(c.aaa_authentication_login.size() == 2);
  CHECK(c.aaa_authentication_login.at("default").methods == std::vector<std::string>{"line"});
  CHECK(c.aaa_authentication_login.at("xauth_list").methods == std::vector<std::string>{"local"});
  CHECK(c.aaa_authorization_network.empty());
  REQUIRE(c.users.size() == 1);
  CHECK(c.users.at("john").password == "doe");
  CHECK(c.users.at("john").hash_kind == LocalUser::HashKind::None);
  CHECK(c.aaa_servers.empty());
}

TEST_CASE("seed: phase 2 and crypto map") {
  Config c = seed();
  REQUIRE(c.transform_sets.count("mypolicy") == 1);
  const auto& ts = c.transform_sets.at("mypolicy");
  CHECK(ts.transforms == std::vector<std::string>{"esp-des", "esp-md5-hmac"});
  CHECK(ts.mode == "tunnel");
  CHECK_FALSE(c.ipsec_lifetime_seconds);
  CHECK_FALSE(c.ipsec_lifetime_kilobytes);

  REQUIRE(c.dynamic_maps.size() == 1);
  const auto& d = c.dynamic_maps[0];
  CHECK(d.name == "dyna");
  CHECK(d.sequence == 10);
  CHECK(d.transform_sets == std::vector<std::string>{"mypolicy"});
  CHECK(d.match_acl.empty());
  CHECK_FALSE(d.pfs_group);

  REQUIRE(c.crypto_maps.size() == 1);
  const auto& m = c.crypto_maps.at("test");
  REQUIRE(m.entries.size() == 1);
  CHECK(m.entries[0].sequence == 5);
  CHECK(m.entries[0].dynamic_map == "dyna");
  CHECK(m.client_authentication == "xauth_list");
  CHECK(m.config_initiate);
  CHECK(m.config_respond);
  CHECK_FALSE(m.isakmp_authorization);
  CHECK(m.interfaces == std::vector<std::string>{"FastEthernet0/1"});
  CHECK(c.xauth_enabled());
}

TEST_CASE("seed: interfaces, routes, pools, ACLs") {
  Config c = seed();
  REQUIRE(c.interfaces.size() == 4);
  const auto& in = c.interfaces[0];
  CHECK(in.name == "FastEthernet0/0");
  CHECK(in.address->address == ip("10.21.1.48"));
  CHECK(in.address->mask == ip("255.255.255.0"));
  CHECK(in.nat_inside);
  CHECK_FALSE(in.nat_outside);
  CHECK_FALSE(in.shutdown);
  CHECK(in.crypto_maps.empty());
  const auto& out = c.interfaces[1];
  CHECK(out.name == "FastEthernet0/1");
  CHECK(out.address->address == ip("192.0.2.1"));
  CHECK(out.nat_outside);
  CHECK(out.crypto_maps == std::vector<std::string>{"test"});
  for (int i : {2, 3}) {
    CHECK(c.interfaces[size_t(i)].shutdown);
    CHECK_FALSE(c.interfaces[size_t(i)].address);
  }
  CHECK(c.interfaces[2].name == "Ethernet2/0");
  CHECK(c.isakmp_enabled_interfaces == std::vector<std::string>{"FastEthernet0/1"});
  CHECK(c.ike_addresses() == std::vector<ravpn::Ipv4>{ip("192.0.2.1")});

  REQUIRE(c.routes.size() == 1);
  CHECK(c.routes[0].destination.str() == "0.0.0.0/0");
  CHECK(c.routes[0].gateway == ip("10.21.1.1"));

  REQUIRE(c.pools.count("ourpool") == 1);
  REQUIRE(c.pools.at("ourpool").ranges.size() == 1);
  CHECK(c.pools.at("ourpool").ranges[0].first == ip("10.2.1.1"));
  CHECK(c.pools.at("ourpool").ranges[0].last == ip("10.2.1.254"));
  CHECK(c.pools.at("ourpool").ranges[0].size() == 254);

  REQUIRE(c.access_lists.count("101") == 1);
  const auto& acl = c.access_lists.at("101");
  REQUIRE(acl.entries.size() == 2);
  CHECK_FALSE(acl.entries[0].permit);
  CHECK(acl.entries[0].text == "ip 10.21.1.0 0.0.0.255 10.2.1.0 0.0.0.255");
  CHECK(acl.entries[1].permit);
  CHECK(acl.entries[1].text == "ip 10.21.1.0 0.0.0.255 any");
}

TEST_CASE("seed: NAT lowered to the model, nothing partial") {
  Config c = seed();
  REQUIRE(c.nat_pools.count("outsidepool") == 1);
  CHECK(c.nat_pools.at("outsidepool").range.first == ip("192.0.2.50"));
  CHECK(c.nat_pools.at("outsidepool").range.last == ip("192.0.2.60"));
  CHECK(c.nat_pools.at("outsidepool").netmask == ip("255.255.255.0"));
  REQUIRE(c.nat_statements.size() == 1);
  CHECK(c.nat_statements[0].words ==
        std::vector<std::string>{"inside", "source", "route-map", "nonat", "pool", "outsidepool"});
  REQUIRE(c.route_maps.size() == 1);
  CHECK(c.route_maps[0].name == "nonat");
  CHECK(c.route_maps[0].permit);
  CHECK(c.route_maps[0].sequence == 10);
  CHECK(c.route_maps[0].match_acls == std::vector<std::string>{"101"});
  CHECK(c.route_maps[0].other_lines.empty());

  // ip nat inside source route-map nonat pool outsidepool: inside interfaces to the outside ones, the pool's range
  // resolved by validate.
  REQUIRE(c.dynamic_nats.size() == 1);
  const auto& d = c.dynamic_nats[0];
  CHECK(d.id == 0);
  CHECK(d.real_interface.empty());
  CHECK(d.mapped_interface.empty());
  CHECK_FALSE(d.network);
  CHECK(d.acl.empty());
  CHECK(d.route_map == "nonat");
  CHECK(d.nat_pool == "outsidepool");
  CHECK(d.mapped_ranges == std::vector<ravpn::Ipv4Range>{{ip("192.0.2.50"), ip("192.0.2.60")}});
  CHECK_FALSE(d.overload);
  CHECK_FALSE(d.interface_pat);
  CHECK(d.origin.line == 66);
  CHECK(c.static_nats.empty());
  CHECK(c.nat_exemptions.empty());
  CHECK(c.access_groups.empty());

  CHECK(of_kind(c, K::Partial).empty());
}

TEST_CASE("seed: ACL 101 is structured (wildcards become netmasks)") {
  Config c = seed();
  const auto& acl = c.access_lists.at("101");
  REQUIRE(acl.entries.size() == 2);
  REQUIRE(acl.entries[0].match);
  const auto& deny = *acl.entries[0].match;
  CHECK(deny.protocol == -1);
  CHECK(deny.source.str() == "10.21.1.0/24");
  CHECK(deny.destination.str() == "10.2.1.0/24");
  CHECK(deny.source_ports.op == PortMatch::Op::Any);
  CHECK(deny.destination_ports.op == PortMatch::Op::Any);
  CHECK_FALSE(deny.icmp_type);
  REQUIRE(acl.entries[1].match);
  CHECK(acl.entries[1].match->source.str() == "10.21.1.0/24");
  CHECK(acl.entries[1].match->destination.str() == "0.0.0.0/0");
  CHECK(acl.entries[0].origin.line == 71);
}

TEST_CASE("seed: ignored lines grouped by command") {
  Config c = seed();
  std::map<std::string, std::vector<int>> groups;
  for (const auto* d : of_kind(c, K::Ignored)) groups[d->command].push_back(d->origin.line);
  std::map<std::string, std::vector<int>> expected = {
      {"version", {5}},          {"service", {6, 7, 8}},  {"memory-size", {18}},     {"ip subnet-zero", {19}},
      {"ip audit", {21, 22}},    {"cns", {23}},           {"duplex", {44, 52}},      {"speed", {45, 53}},
      {"ip route-cache", {50}},  {"ip mroute-cache", {51}}, {"ip classless", {67}},  {"ip http", {69}},
      {"line", {77, 78, 79, 80, 81}}};
  CHECK(groups == expected);
  // Quoted lines never carry a password.
  for (const auto* d : of_kind(c, K::Ignored)) CHECK(d->text.find("ww") == std::string::npos);
}
