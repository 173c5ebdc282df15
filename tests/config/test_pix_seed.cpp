// The seed PIX 6.3(3) config (Cisco tech note: VPN Client 1.x and 3.x/4.x, wildcard key, Xauth, mode-config),
// as the PIX prints it, with its masked secrets in pix-seed.secrets.
#include <doctest/doctest.h>

#include <map>
#include <nlohmann/json.hpp>

#include "tests/config/fixtures.hpp"

using namespace ravpn::config;
using namespace ravpn::config::test;
using K = Diagnostic::Kind;

namespace {

Config seed(const char* cfg = "pix-seed.cfg") { return load(fixture_path(cfg), fixture_path("pix-seed.secrets")); }

void dump_errors(const Config& c) {
  for (const auto* d : of_kind(c, K::Error)) MESSAGE(d->origin.file << ":" << d->origin.line << ": " << d->message);
}

}  // namespace

TEST_CASE("pix seed: loads with the secrets and no errors") {
  for (const char* cfg : {"pix-seed.cfg", "pix-seed-radius.cfg"}) {
    CAPTURE(cfg);
    Config c = seed(cfg);
    dump_errors(c);
    CHECK_FALSE(c.has_errors());
    CHECK(c.dialect == Dialect::Pix);
    CHECK(c.hostname == "pixfirewall");
    CHECK(c.source == fixture_path(cfg));
  }
}

TEST_CASE("pix seed: without the secrets exactly the two masked values are errors") {
  Config c = load(fixture_path("pix-seed.cfg"));
  CHECK(count_errors(c) == 2);
  CHECK(has_error(c, 105, "pre-shared key for 0.0.0.0/0 is masked and no secrets file supplied it"));
  CHECK(has_error(c, 125, "key of group vpn3000 is masked and no secrets file supplied it"));
  for (const auto* d : of_kind(c, K::Error)) CHECK(d->origin.file == fixture_path("pix-seed.cfg"));
  CHECK(c.isakmp_keys.at(0).masked);
  CHECK(c.client_groups.at("vpn3000").key_masked);
}

TEST_CASE("pix seed: interfaces from nameif, ip address, mtu") {
  Config c = seed();
  REQUIRE(c.interfaces.size() == 2);
  const auto& out = c.interfaces[0];
  CHECK(out.name == "outside");
  CHECK(out.hardware == "ethernet0");
  CHECK(out.security_level == 0);
  REQUIRE(out.address);
  CHECK(out.address->address == ip("192.0.2.1"));
  CHECK(out.address->mask == ip("255.255.255.0"));
  CHECK_FALSE(out.shutdown);
  CHECK(out.crypto_maps == std::vector<std::string>{"mymap"});
  CHECK(out.origin.line == 6);
  const auto& in = c.interfaces[1];
  CHECK(in.name == "inside");
  CHECK(in.hardware == "ethernet1");
  CHECK(in.security_level == 100);
  REQUIRE(in.address);
  CHECK(in.address->address == ip("10.89.129.194"));
  CHECK(in.address->mask == ip("255.255.255.240"));
  CHECK(in.crypto_maps.empty());
  CHECK(in.origin.line == 7);
  CHECK(c.mtus == std::map<std::string, uint32_t>{{"inside", 1500}, {"outside", 1500}});
  CHECK(c.isakmp_enabled_interfaces == std::vector<std::string>{"outside"});
  CHECK(c.ike_addresses() == std::vector<ravpn::Ipv4>{ip("192.0.2.1")});
  CHECK(c.names.empty());
  CHECK(c.noproxyarp_interfaces.empty());
}

TEST_CASE("pix seed: ISAKMP policies 10 (3.x/4.x, group 2) and 20 (1.x, group 1)") {
  Config c = seed();
  REQUIRE(c.isakmp_policies.size() == 2);
  const auto& p10 = c.isakmp_policies[0];
  const auto& p20 = c.isakmp_policies[1];
  CHECK(p10.priority == 10);
  CHECK(p20.priority == 20);
  for (const auto* p : {&p10, &p20}) {
    CHECK(p->auth == AuthMethod::PreShare);
    CHECK(p->cipher == Cipher::Des);
    CHECK(p->hash == Hash::Md5);
    CHECK(p->lifetime_seconds == 86400);
  }
  CHECK(p10.dh_group == 2);
  CHECK(p20.dh_group == 1);
  CHECK(p10.origin.line == 110);
  CHECK(p20.origin.line == 116);
}

TEST_CASE("pix seed: the wildcard key, identity, address pool") {
  Config c = seed();
  REQUIRE(c.isakmp_keys.size() == 1);
  const auto& k = c.isakmp_keys[0];
  CHECK(k.key == "cisco1234");
  CHECK_FALSE(k.masked);
  CHECK(k.peer.address == ip("0.0.0.0"));
  CHECK(k.peer.mask == ip("0.0.0.0"));
  CHECK_FALSE(k.no_xauth);
  CHECK_FALSE(k.no_config_mode);
  CHECK(k.origin.line == 105);
  CHECK(c.key_for_peer(ip("203.0.113.5")) == &k);
  CHECK(c.isakmp_identity == "address");
  CHECK(c.client_config_pool == "VPNpool");
  CHECK(c.client_config_pool_origin.line == 108);
  CHECK_FALSE(c.dpd_keepalive_seconds);
  CHECK_FALSE(c.natt_keepalive_seconds);

  REQUIRE(c.pools.count("VPNpool") == 1);
  const auto& pool = c.pools.at("VPNpool");
  REQUIRE(pool.ranges.size() == 1);
  CHECK(pool.ranges[0].first == ip("10.89.129.200"));
  CHECK(pool.ranges[0].last == ip("10.89.129.204"));
  CHECK(pool.origin.line == 43);
}

TEST_CASE("pix seed: group vpn3000") {
  Config c = seed();
  REQUIRE(c.client_groups.size() == 1);
  const auto& g = c.client_groups.at("vpn3000");
  CHECK(g.name == "vpn3000");
  CHECK(g.pool == "VPNpool");
  CHECK(g.idle_time == 1800u);
  CHECK_FALSE(g.max_time);
  CHECK(g.key == "grouppass123");
  CHECK_FALSE(g.key_masked);
  CHECK(g.key_origin.line == 125);
  CHECK(g.origin.line == 122);
  CHECK(g.dns.empty());
  CHECK(g.split_tunnel_acl.empty());
  CHECK_FALSE(g.pfs);
}

TEST_CASE("pix seed: transform set, dynamic map, crypto map with Xauth and mode-config") {
  Config c = seed();
  REQUIRE(c.transform_sets.count("myset") == 1);
  CHECK(c.transform_sets.at("myset").transforms == std::vector<std::string>{"esp-des", "esp-md5-hmac"});
  CHECK(c.transform_sets.at("myset").mode == "tunnel");
  CHECK(c.transform_sets.at("myset").origin.line == 93);
  CHECK_FALSE(c.ipsec_lifetime_seconds);

  REQUIRE(c.dynamic_maps.size() == 1);
  const auto& d = c.dynamic_maps[0];
  CHECK(d.name == "dynmap");
  CHECK(d.sequence == 10);
  CHECK(d.transform_sets == std::vector<std::string>{"myset"});
  CHECK(d.match_acl.empty());
  CHECK_FALSE(d.pfs_group);
  CHECK(d.origin.line == 94);

  REQUIRE(c.crypto_maps.size() == 1);
  const auto& m = c.crypto_maps.at("mymap");
  REQUIRE(m.entries.size() == 1);
  CHECK(m.entries[0].sequence == 10);
  CHECK(m.entries[0].dynamic_map == "dynmap");
  CHECK(m.entries[0].origin.line == 95);
  CHECK(m.config_initiate);
  CHECK(m.config_respond);
  CHECK(m.client_authentication == "AuthInbound");
  CHECK(m.interfaces == std::vector<std::string>{"outside"});
  CHECK(c.xauth_enabled());
}

TEST_CASE("pix seed: AAA server AuthInbound (TACACS+, and RADIUS in the variant)") {
  for (auto [cfg, protocol] : {std::pair{"pix-seed.cfg", "tacacs+"}, std::pair{"pix-seed-radius.cfg", "radius"}}) {
    CAPTURE(cfg);
    Config c = seed(cfg);
    REQUIRE(c.aaa_servers.size() == 1);
    const auto& s = c.aaa_servers[0];
    CHECK(s.tag == "AuthInbound");
    CHECK(s.protocol == protocol);
    CHECK(s.interface_name == "inside");
    CHECK(s.host == ip("10.89.129.134"));
    CHECK(s.key == "secretkey");
    CHECK_FALSE(s.key_masked);
    CHECK(s.timeout_seconds == 10u);
    CHECK_FALSE(s.auth_port);
    CHECK(s.origin.line == 80);
    CHECK(c.users.empty());
    CHECK_FALSE(c.aaa_new_model);
  }
}

TEST_CASE("pix seed: access lists 101 and 120, structured") {
  Config c = seed();
  REQUIRE(c.access_lists.size() == 2);
  const auto& nonat = c.access_lists.at("101");
  REQUIRE(nonat.entries.size() == 1);
  CHECK(nonat.entries[0].permit);
  CHECK(nonat.entries[0].text == "ip 10.89.129.128 255.255.255.240 10.89.129.192 255.255.255.240");
  REQUIRE(nonat.entries[0].match);
  CHECK(nonat.entries[0].match->protocol == -1);
  CHECK(nonat.entries[0].match->source.str() == "10.89.129.128/28");
  CHECK(nonat.entries[0].match->destination.str() == "10.89.129.192/28");
  CHECK(nonat.entries[0].origin.line == 27);

  const auto& inbound = c.access_lists.at("120");
  REQUIRE(inbound.entries.size() == 3);
  const int protocols[] = {1, 6, 17};
  for (size_t i = 0; i < 3; ++i) {
    const auto& e = inbound.entries[i];
    CAPTURE(i);
    CHECK(e.permit);
    REQUIRE(e.match);
    CHECK(e.match->protocol == protocols[i]);
    CHECK(e.match->source.str() == "0.0.0.0/0");
    CHECK(e.match->destination.str() == "10.89.129.131/32");
    CHECK(e.match->source_ports.op == PortMatch::Op::Any);
    CHECK(e.match->destination_ports.op == PortMatch::Op::Any);
    CHECK_FALSE(e.match->icmp_type);
    CHECK(e.origin.line == int(31 + i));
  }
}

TEST_CASE("pix seed: NAT exemption, dynamic NAT, static NAT, access-group, permit-ipsec") {
  Config c = seed();
  REQUIRE(c.nat_exemptions.size() == 1);
  CHECK(c.nat_exemptions[0].real_interface == "inside");
  CHECK(c.nat_exemptions[0].acl == "101");
  CHECK(c.nat_exemptions[0].origin.line == 53);

  // global (outside) 1 192.0.2.6-192.0.2.10 (line 52) comes before nat (inside) 1 0.0.0.0 0.0.0.0 0 0 (line 54).
  REQUIRE(c.dynamic_nats.size() == 1);
  const auto& d = c.dynamic_nats[0];
  CHECK(d.id == 1);
  CHECK(d.real_interface == "inside");
  CHECK(d.mapped_interface == "outside");
  REQUIRE(d.network);
  CHECK(d.network->str() == "0.0.0.0/0");
  CHECK(d.acl.empty());
  CHECK(d.route_map.empty());
  CHECK(d.mapped_ranges == std::vector<ravpn::Ipv4Range>{{ip("192.0.2.6"), ip("192.0.2.10")}});
  CHECK_FALSE(d.overload);
  CHECK_FALSE(d.interface_pat);
  CHECK(d.nat_pool.empty());
  CHECK(d.origin.line == 54);

  REQUIRE(c.static_nats.size() == 1);
  const auto& s = c.static_nats[0];
  CHECK(s.real_interface == "inside");
  CHECK(s.mapped_interface == "outside");
  CHECK(s.real.address == ip("10.89.129.131"));
  CHECK(s.real.mask == ip("255.255.255.255"));
  CHECK(s.mapped == ip("192.0.2.11"));
  CHECK(s.protocol == -1);
  CHECK(s.origin.line == 56);

  REQUIRE(c.access_groups.size() == 1);
  CHECK(c.access_groups[0].acl == "120");
  CHECK(c.access_groups[0].interface == "outside");
  CHECK(c.access_groups[0].inbound);
  CHECK(c.access_groups[0].origin.line == 58);
  CHECK(c.sysopt_permit_ipsec);
}

TEST_CASE("pix seed: routes") {
  Config c = seed();
  REQUIRE(c.routes.size() == 2);
  CHECK(c.routes[0].interface_name == "outside");
  CHECK(c.routes[0].destination.str() == "0.0.0.0/0");
  CHECK(c.routes[0].gateway == ip("192.0.2.3"));
  CHECK(c.routes[0].origin.line == 60);
  CHECK(c.routes[1].interface_name == "inside");
  CHECK(c.routes[1].destination.str() == "10.89.129.128/25");
  CHECK(c.routes[1].gateway == ip("10.89.129.193"));
  CHECK(c.routes[1].origin.line == 63);
}

TEST_CASE("pix seed: partial lines are the cut-through aaa authentication include lines") {
  Config c = seed();
  auto partial = of_kind(c, K::Partial);
  REQUIRE(partial.size() == 3);
  for (size_t i = 0; i < 3; ++i) {
    CHECK(partial[i]->origin.line == int(82 + i));
    CHECK(partial[i]->command == "aaa authentication include");
    CHECK(partial[i]->message.find("cut-through") != std::string::npos);
  }
  CHECK(partial[0]->text ==
        "aaa authentication include http outside 10.89.129.131 255.255.255.255 0.0.0.0 0.0.0.0 AuthInbound");
}

TEST_CASE("pix seed: ignored lines grouped by command, no secret quoted") {
  Config c = seed();
  std::map<std::string, std::vector<int>> groups;
  for (const auto* d : of_kind(c, K::Ignored)) groups[d->command].push_back(d->origin.line);
  std::map<std::string, std::vector<int>> expected = {
      {": saved", {1}},
      {":", {2}},
      {"pix version", {3}},
      {"interface", {4, 5}},
      {"enable password", {8}},
      {"passwd", {9}},
      {"fixup", {11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23}},
      {"pager", {34}},
      {"ip audit", {39, 40}},
      {"failover", {44, 45, 46, 47, 48}},
      {"pdm", {49}},
      {"arp", {50}},
      {"timeout", {64, 65, 66, 67}},
      {"snmp-server", {85, 86, 87, 88}},
      {"floodguard", {89}},
      {"telnet", {126}},
      {"ssh", {127}},
      {"console", {128}},
      {"terminal", {129}},
      {"cryptochecksum:", {130}},
      {": end", {131}},
  };
  CHECK(groups == expected);
  for (const auto& d : c.diagnostics)
    for (const char* secret : {"8Ry2YjIyt7RRXU24", "2KFQnbNIdI.2KYOU", "secretkey", "public", "cisco1234"})
      CHECK_MESSAGE(d.text.find(secret) == std::string::npos, d.text);
  CHECK(lines_of(c, K::Ignored, "passwd").size() == 1);
  for (const auto* d : of_kind(c, K::Ignored))
    if (d->command == "passwd") CHECK(d->text == "passwd <redacted>");
}

TEST_CASE("pix seed: JSON carries the NAT and filtering model and no secret") {
  Config c = seed();
  auto j = to_json(c);
  std::string dump = j.dump();
  for (const char* secret : {"cisco1234", "grouppass123", "secretkey", "8Ry2YjIyt7RRXU24", "2KFQnbNIdI"})
    CHECK_MESSAGE(dump.find(secret) == std::string::npos, secret);
  CHECK(j["dialect"] == "pix");
  CHECK(j["isakmp"]["keys"][0]["key"] == "<set>");
  CHECK(j["isakmp"]["client_groups"]["vpn3000"]["key"] == "<set>");
  CHECK(j["aaa"]["servers"][0]["key"] == "<set>");
  CHECK(j["aaa"]["servers"][0]["tag"] == "AuthInbound");
  const auto& f = j["filtering"];
  CHECK(f["nat_exemptions"][0]["acl"] == "101");
  CHECK(f["dynamic_nats"][0]["network"] == "0.0.0.0/0");
  CHECK(f["dynamic_nats"][0]["mapped_ranges"][0][0] == "192.0.2.6");
  CHECK(f["dynamic_nats"][0]["mapped_ranges"][0][1] == "192.0.2.10");
  CHECK(f["static_nats"][0]["real"] == "10.89.129.131/32");
  CHECK(f["static_nats"][0]["mapped"] == "192.0.2.11");
  CHECK(f["static_nats"][0]["protocol"].is_null());
  CHECK(f["access_groups"][0]["interface"] == "outside");
  CHECK(f["sysopt_permit_ipsec"] == true);
  CHECK(f["mtus"]["inside"] == 1500);
  CHECK(j["network"]["access_lists"]["120"][1]["match"]["protocol"] == 6);
  CHECK(j["network"]["interfaces"][1]["security_level"] == 100);

  Config masked = load(fixture_path("pix-seed.cfg"));
  auto m = to_json(masked);
  CHECK(m["isakmp"]["keys"][0]["key"] == "<masked, no value>");
  CHECK(m["isakmp"]["client_groups"]["vpn3000"]["key"] == "<masked, no value>");
  CHECK(m["diagnostics"]["errors"].size() == 2);
}
