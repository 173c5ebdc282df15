// build_firewall on configs built in code (tests/firewall/configs.hpp): the PIX seed, the IOS seed, and one
// construct at a time. The whole rulesets of the two seeds are also compared with tests/firewall/golden/*.nft
// (regenerate: fw_apply --builtin pix-seed --if outside=eth0 --if inside=eth1 --print, without the trailing
// `# proxy_arp` / `# mapped` lines).
#include <doctest/doctest.h>

#include <fstream>
#include <sstream>

#include "daemon/config/parse.hpp"
#include "daemon/firewall/ruleset.hpp"
#include "tests/firewall/configs.hpp"
#include "tests/firewall/ruleset_helpers.hpp"

using namespace ravpn;
using namespace ravpn::firewall::test;
using firewall::build_firewall;

namespace {

const firewall::InterfaceNames kPixNames{{"outside", "eth0"}, {"inside", "eth1"}};
const firewall::InterfaceNames kIosNames{{"FastEthernet0/1", "eth0"}, {"FastEthernet0/0", "eth1"}};

std::string golden(const std::string& name) {
  std::ifstream in(std::string(RAVPN_FIREWALL_GOLDEN) + "/" + name, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// Every snat / masquerade rule of the ruleset carries `rt ipsec missing`.
void check_snat_skips_ipsec(const std::string& ruleset) {
  std::istringstream in(ruleset);
  std::string line;
  while (std::getline(in, line)) {
    const std::string t = trim(line);
    if (t.starts_with("#")) continue;
    if (t.find("snat ") != std::string::npos || t.find("masquerade") != std::string::npos) {
      INFO(t);
      CHECK(t.find("rt ipsec missing") != std::string::npos);
    }
  }
}

config::Config two_interfaces() {
  config::Config c;
  c.source = "/etc/ravpn/test.cfg";
  c.dialect = config::Dialect::Pix;
  config::Interface outside;
  outside.name = "outside";
  outside.address = net("192.0.2.1", 24);
  outside.security_level = 0;
  config::Interface inside;
  inside.name = "inside";
  inside.address = net("10.1.1.1", 24);
  inside.security_level = 100;
  c.interfaces = {outside, inside};
  c.isakmp_enabled_interfaces = {"outside"};
  return c;
}

}  // namespace

TEST_CASE("PIX seed: the whole ruleset") {
  auto state = build_firewall(pix_seed_like(), kPixNames);
  CHECK(state.ruleset == golden("pix-seed.nft"));
  // Deterministic.
  CHECK(build_firewall(pix_seed_like(), kPixNames).ruleset == state.ruleset);
  check_snat_skips_ipsec(state.ruleset);
}

// The readers and the hand-built configs agree: the seed fixtures give the same rulesets. Skipped (with a message)
// while a reader does not take its fixture without errors.
TEST_CASE("the seed fixtures, read by the config readers, give the same rulesets") {
  const std::string dir = RAVPN_CONFIG_FIXTURES;
  auto pix = config::load(dir + "/pix-seed.cfg", dir + "/pix-seed.secrets");
  if (pix.has_errors()) {
    std::string errors;
    for (const auto& d : pix.diagnostics)
      if (d.kind == config::Diagnostic::Kind::Error) errors += " " + std::to_string(d.origin.line) + ": " + d.message;
    MESSAGE("PIX reader: the fixture has errors, not compared:" << errors);
  } else {
    CHECK(build_firewall(pix, kPixNames).ruleset == golden("pix-seed.nft"));
  }
  auto ios = config::load(dir + "/ios-seed.cfg");
  if (ios.has_errors() || ios.dynamic_nats.empty()) {
    MESSAGE("IOS reader: no NAT read from the fixture yet, not compared");
  } else {
    CHECK(build_firewall(ios, kIosNames).ruleset == golden("ios-seed.nft"));
  }
}

TEST_CASE("PIX seed: table replacement, input, NAT order") {
  const auto state = build_firewall(pix_seed_like(), kPixNames);
  const std::string& r = state.ruleset;
  // The script replaces the table in one transaction: create (so delete cannot fail), delete, create.
  const auto table = r.find("table ip ravpn\ndelete table ip ravpn\ntable ip ravpn {\n");
  REQUIRE(table != std::string::npos);
  CHECK(r.substr(0, table).find("\ntable") == std::string::npos);

  const auto input = chain_lines(r, "input");
  CHECK(input.at(0) == "type filter hook input priority filter; policy accept;");
  CHECK(contains(input, "ip daddr @mapped drop comment \"static/global address, not translated\""));
  CHECK(contains(input, "iifname \"eth0\" udp dport { 500, 4500 } accept comment \"IKE, NAT-T\""));
  CHECK(contains(input, "iifname \"eth0\" ip protocol esp accept comment \"ESP\""));
  CHECK(r.find("elements = { 192.0.2.6-192.0.2.11 }") != std::string::npos);  // global range + static, merged

  CHECK(rules(r, "prerouting") ==
        std::vector<std::string>{
            "iifname \"eth0\" ip daddr 192.0.2.11 dnat to 10.89.129.131 comment \"pix-seed.cfg:56\""});

  // PIX order: exemption, static, dynamic.
  const auto post = rules(r, "postrouting");
  REQUIRE(post.size() == 3);
  CHECK(post[0] == "iifname \"eth1\" jump nonat_101 comment \"pix-seed.cfg:53\"");
  CHECK(post[1] ==
        "iifname \"eth1\" oifname \"eth0\" ip saddr 10.89.129.131 rt ipsec missing snat to 192.0.2.11 "
        "comment \"pix-seed.cfg:56\"");
  CHECK(post[2] ==
        "iifname \"eth1\" oifname \"eth0\" rt ipsec missing snat to 192.0.2.6-192.0.2.10 persistent "
        "comment \"pix-seed.cfg:54\"");
  CHECK(rules(r, "nonat_101") == std::vector<std::string>{"ip saddr 10.89.129.128/28 ip daddr 10.89.129.192/28 "
                                                          "accept comment \"pix-seed.cfg:27\""});
}

TEST_CASE("PIX seed: forward filter") {
  const std::string r = build_firewall(pix_seed_like(), kPixNames).ruleset;
  const auto fwd = chain_lines(r, "forward");
  CHECK(fwd.at(0) == "type filter hook forward priority filter; policy drop;");
  const auto f = rules(r, "forward");
  REQUIRE(f.size() == 5);
  CHECK(f[0] == "ct state established,related accept");
  CHECK(f[1] == "ct state invalid drop");
  CHECK(f[2] == "meta ipsec exists accept comment \"sysopt connection permit-ipsec\"");
  CHECK(f[3] == "iifname \"eth0\" jump acl_120 comment \"pix-seed.cfg:58\"");
  CHECK(f[4] == "iifname \"eth1\" oifname \"eth0\" accept comment \"security inside 100 to outside\"");

  const auto acl = rules(r, "acl_120");
  REQUIRE(acl.size() == 7);
  CHECK(acl[0] == "ip protocol icmp ip daddr 10.89.129.131 accept comment \"pix-seed.cfg:31\"");
  CHECK(acl[1] == "ip protocol icmp ct original ip daddr 10.89.129.131 accept comment \"pix-seed.cfg:31\"");
  CHECK(acl[2] == "ip protocol tcp ip daddr 10.89.129.131 accept comment \"pix-seed.cfg:32\"");
  CHECK(acl[4] == "ip protocol udp ip daddr 10.89.129.131 accept comment \"pix-seed.cfg:33\"");
  CHECK(acl[6] == "drop comment \"access-list 120: implicit deny\"");
  CHECK(contains(chain_lines(r, "acl_120"), "# pix-seed.cfg:31 access-list 120 permit icmp any host 10.89.129.131"));

  const std::string www = build_firewall(pix_seed_like(true), kPixNames).ruleset;
  CHECK(contains(rules(www, "acl_120"),
                 "ip protocol tcp ip daddr 10.89.129.131 tcp dport 80 accept comment \"pix-seed.cfg:32\""));
  CHECK(find_containing(rules(www, "acl_120"), "ip protocol udp") == -1);
}

TEST_CASE("PIX seed: proxy ARP for the pool inside the inside subnet, mapped addresses") {
  const auto state = build_firewall(pix_seed_like(), kPixNames);
  REQUIRE(state.proxy_arp.size() == 5);
  for (size_t k = 0; k < 5; ++k) {
    CHECK(state.proxy_arp[k].interface == "eth1");
    CHECK(state.proxy_arp[k].address == Ipv4{ip("10.89.129.200").value + uint32_t(k)});
  }
  CHECK(
      state.ruleset.find("# Proxy ARP on eth1 (inside) for pool VPNpool: 10.89.129.200-10.89.129.204 (5 addresses)") !=
      std::string::npos);
  std::vector<Ipv4> mapped;
  for (const char* a : {"192.0.2.6", "192.0.2.7", "192.0.2.8", "192.0.2.9", "192.0.2.10", "192.0.2.11"})
    mapped.push_back(ip(a));
  CHECK(state.mapped_addresses == mapped);

  SUBCASE("sysopt noproxyarp inside") {
    auto c = pix_seed_like();
    c.noproxyarp_interfaces = {"inside"};
    CHECK(build_firewall(c, kPixNames).proxy_arp.empty());
  }
  SUBCASE("a pool outside every inside subnet") {
    auto c = pix_seed_like();
    c.pools["VPNpool"].ranges = {{ip("10.99.0.1"), ip("10.99.0.9")}};
    CHECK(build_firewall(c, kPixNames).proxy_arp.empty());
  }
  SUBCASE("never on an IKE interface") {
    auto c = pix_seed_like();
    c.pools["VPNpool"].ranges = {{ip("192.0.2.100"), ip("192.0.2.101")}};
    CHECK(build_firewall(c, kPixNames).proxy_arp.empty());
  }
  SUBCASE("capped at 4096 per pool, with a comment") {
    auto c = pix_seed_like();
    c.interfaces[1].address = net("10.64.0.1", 10);
    c.pools["VPNpool"].ranges = {{ip("10.64.0.0"), ip("10.64.255.255")}};
    auto s = build_firewall(c, kPixNames);
    CHECK(s.proxy_arp.size() == 4096);
    CHECK(s.proxy_arp.front().address == ip("10.64.0.0"));
    CHECK(s.proxy_arp.back().address == ip("10.64.16.0"));  // 10.64.0.1 is the interface's own address
    CHECK(s.ruleset.find("# Pool VPNpool: more than 4096 addresses") != std::string::npos);
  }
}

TEST_CASE("PIX seed: a config interface with no Linux name gets a comment and no rules") {
  const auto state = build_firewall(pix_seed_like(), {{"outside", "eth0"}});
  const std::string& r = state.ruleset;
  CHECK(r.find("# Interface inside has no Linux interface: no rules for it.") != std::string::npos);
  CHECK(r.find("\"eth1\"") == std::string::npos);
  CHECK(r.find("jump nonat_101") == std::string::npos);
  CHECK(state.proxy_arp.empty());
  CHECK(contains(chain_lines(r, "postrouting"), "# pix-seed.cfg:53 left out for inside: no Linux interface"));
  // Still dnat on outside: the static's mapped side is there.
  CHECK(rules(r, "prerouting").size() == 1);

  // A Linux name nft cannot quote counts as none.
  const auto odd = build_firewall(pix_seed_like(), {{"outside", "eth0"}, {"inside", "ev\"il"}});
  CHECK(odd.ruleset.find("ev\"il") == std::string::npos);
  CHECK(odd.ruleset.find("# Interface inside has no Linux interface") != std::string::npos);
}

TEST_CASE("IOS seed: route-map nonat to a NAT pool, no security levels") {
  const auto state = build_firewall(ios_seed_like(), kIosNames);
  const std::string& r = state.ruleset;
  CHECK(r == golden("ios-seed.nft"));
  check_snat_skips_ipsec(r);
  CHECK(chain_lines(r, "forward").at(0) == "type filter hook forward priority filter; policy accept;");
  CHECK(rules(r, "forward") ==
        std::vector<std::string>{"ct state established,related accept", "ct state invalid drop"});
  CHECK(rules(r, "postrouting") ==
        std::vector<std::string>{
            "iifname \"eth1\" oifname \"eth0\" jump snat1_nonat_10_101 comment \"ios-seed.cfg:73\""});
  CHECK(rules(r, "snat1_nonat_10_101") ==
        std::vector<std::string>{"ip saddr 10.21.1.0/24 ip daddr 10.2.1.0/24 return comment \"ios-seed.cfg:71\"",
                                 "ip saddr 10.21.1.0/24 rt ipsec missing snat to 192.0.2.50-192.0.2.60 persistent "
                                 "comment \"ios-seed.cfg:72\""});
  CHECK(state.proxy_arp.empty());  // ourpool 10.2.1.0/24 is no interface's subnet
  REQUIRE(state.mapped_addresses.size() == 11);
  CHECK(state.mapped_addresses.front() == ip("192.0.2.50"));
  CHECK(state.mapped_addresses.back() == ip("192.0.2.60"));
  CHECK(r.find("# Interface Ethernet2/0 (no address) has no Linux interface") != std::string::npos);
}

TEST_CASE("IOS: route-map entries in sequence order; deny entries; several nat inside interfaces") {
  auto c = ios_seed_like();
  config::Interface second;
  second.name = "FastEthernet0/2";
  second.address = net("10.22.1.1", 24);
  second.nat_inside = true;
  c.interfaces.push_back(second);
  config::RouteMapEntry deny;
  deny.name = "nonat";
  deny.permit = false;
  deny.sequence = 5;
  deny.match_acls = {"102"};
  deny.origin = {"ios.cfg", 80};
  config::RouteMapEntry all;
  all.name = "nonat";
  all.sequence = 20;
  all.other_lines = {"set ip next-hop 10.0.0.1"};
  all.origin = {"ios.cfg", 90};
  c.route_maps = {deny, c.route_maps[0], all};
  c.access_lists["102"] = {"102",
                           {entry(true, "ip any host 10.9.9.9", match(-1, any(), host("10.9.9.9")), {"ios.cfg", 70})}};
  auto names = kIosNames;
  names["FastEthernet0/2"] = "eth2";
  const std::string r = build_firewall(c, names).ruleset;
  const auto post = rules(r, "postrouting");
  REQUIRE(post.size() == 3);
  CHECK(post[0] == "iifname { \"eth1\", \"eth2\" } oifname \"eth0\" jump snat1_nonat_5_102 comment \"ios.cfg:80\"");
  CHECK(post[1].find("jump snat1_nonat_10_101") != std::string::npos);
  CHECK(post[2] ==
        "iifname { \"eth1\", \"eth2\" } oifname \"eth0\" rt ipsec missing snat to 192.0.2.50-192.0.2.60 "
        "persistent comment \"ios.cfg:90\"");
  CHECK(rules(r, "snat1_nonat_5_102") ==
        std::vector<std::string>{"ip daddr 10.9.9.9 accept comment \"ios.cfg:70\""});  // deny entry: untranslated
  CHECK(r.find("# ios.cfg:90 not used: set ip next-hop 10.0.0.1") != std::string::npos);

  SUBCASE("no `ip nat outside` interface: nothing to translate to") {
    for (auto& i : c.interfaces) i.nat_outside = false;
    const std::string r2 = build_firewall(c, names).ruleset;
    CHECK(rules(r2, "postrouting").empty());
    CHECK(r2.find("left out: no interface has `ip nat outside`") != std::string::npos);
  }
  SUBCASE("a missing route-map") {
    c.route_maps.clear();
    const std::string r2 = build_firewall(c, names).ruleset;
    CHECK(rules(r2, "postrouting").empty());
    CHECK(r2.find("left out: route-map nonat does not exist") != std::string::npos);
  }
}

TEST_CASE("dynamic NAT: ranges, PAT address, interface PAT, ACL selector") {
  auto c = two_interfaces();
  config::DynamicNat d;
  d.id = 1;
  d.real_interface = "inside";
  d.mapped_interface = "outside";
  d.network = net("10.1.1.0", 24);
  d.origin = {"t.cfg", 10};
  const firewall::InterfaceNames names{{"outside", "eth0"}, {"inside", "eth1"}};

  SUBCASE("a range and a PAT address: the range") {
    d.mapped_ranges = {{ip("192.0.2.20"), ip("192.0.2.20")}, {ip("192.0.2.30"), ip("192.0.2.40")}};
    c.dynamic_nats = {d};
    auto s = build_firewall(c, names);
    CHECK(rules(s.ruleset, "postrouting") ==
          std::vector<std::string>{"iifname \"eth1\" oifname \"eth0\" ip saddr 10.1.1.0/24 rt ipsec missing snat to "
                                   "192.0.2.30-192.0.2.40 persistent comment \"t.cfg:10\""});
    CHECK(s.ruleset.find("# t.cfg:10 global 192.0.2.20 not used") != std::string::npos);
    CHECK(s.mapped_addresses.size() == 11);
  }
  SUBCASE("single addresses only: PAT to the first") {
    d.mapped_ranges = {{ip("192.0.2.20"), ip("192.0.2.20")}, {ip("192.0.2.21"), ip("192.0.2.21")}};
    c.dynamic_nats = {d};
    auto s = build_firewall(c, names);
    CHECK(rules(s.ruleset, "postrouting").at(0).find("rt ipsec missing snat to 192.0.2.20 comment") !=
          std::string::npos);
    CHECK(s.mapped_addresses == std::vector<Ipv4>{ip("192.0.2.20")});
  }
  SUBCASE("interface PAT: masquerade, no mapped address") {
    d.interface_pat = true;
    d.network = any();
    c.dynamic_nats = {d};
    auto s = build_firewall(c, names);
    CHECK(
        rules(s.ruleset, "postrouting") ==
        std::vector<std::string>{"iifname \"eth1\" oifname \"eth0\" rt ipsec missing masquerade comment \"t.cfg:10\""});
    CHECK(s.mapped_addresses.empty());
    CHECK(s.ruleset.find("set mapped") == std::string::npos);
    CHECK(s.ruleset.find("@mapped") == std::string::npos);
  }
  SUBCASE("no global: left out") {
    c.dynamic_nats = {d};
    auto s = build_firewall(c, names);
    CHECK(rules(s.ruleset, "postrouting").empty());
    CHECK(s.ruleset.find("# t.cfg:10 left out: no global address for it") != std::string::npos);
  }
  SUBCASE("ACL selector: permit translates, deny returns") {
    d.network.reset();
    d.acl = "nat-1";
    d.mapped_ranges = {{ip("192.0.2.30"), ip("192.0.2.40")}};
    c.dynamic_nats = {d};
    c.access_lists["nat-1"] = {
        "nat-1",
        {entry(false, "ip 10.1.1.0 255.255.255.0 10.8.0.0 255.255.0.0",
               match(-1, net("10.1.1.0", 24), net("10.8.0.0", 16)), {"t.cfg", 3}),
         entry(true, "ip 10.1.1.0 255.255.255.0 any", match(-1, net("10.1.1.0", 24), any()), {"t.cfg", 4})}};
    auto s = build_firewall(c, names);
    CHECK(rules(s.ruleset, "postrouting") ==
          std::vector<std::string>{"iifname \"eth1\" oifname \"eth0\" jump snat1_nat_1 comment \"t.cfg:10\""});
    CHECK(rules(s.ruleset, "snat1_nat_1") ==
          std::vector<std::string>{
              "ip saddr 10.1.1.0/24 ip daddr 10.8.0.0/16 return comment \"t.cfg:3\"",
              "ip saddr 10.1.1.0/24 rt ipsec missing snat to 192.0.2.30-192.0.2.40 persistent comment \"t.cfg:4\""});
  }
}

TEST_CASE("NAT exemption: deny lines fall through, one chain per ACL") {
  auto c = two_interfaces();
  config::Interface dmz;
  dmz.name = "dmz";
  dmz.address = net("10.2.2.1", 24);
  dmz.security_level = 50;
  c.interfaces.push_back(dmz);
  c.access_lists["nonat"] = {
      "nonat",
      {entry(false, "ip any host 10.5.5.5", match(-1, any(), host("10.5.5.5")), {"t.cfg", 1}),
       entry(true, "ip any 10.5.5.0 255.255.255.0", match(-1, any(), net("10.5.5.0", 24)), {"t.cfg", 2})}};
  c.nat_exemptions = {{"inside", "nonat", {"t.cfg", 5}}, {"dmz", "nonat", {"t.cfg", 6}}};
  const std::string r = build_firewall(c, {{"outside", "eth0"}, {"inside", "eth1"}, {"dmz", "eth2"}}).ruleset;
  CHECK(rules(r, "postrouting") == std::vector<std::string>{"iifname \"eth1\" jump nonat_nonat comment \"t.cfg:5\"",
                                                            "iifname \"eth2\" jump nonat_nonat comment \"t.cfg:6\""});
  CHECK(rules(r, "nonat_nonat") == std::vector<std::string>{"ip daddr 10.5.5.5 return comment \"t.cfg:1\"",
                                                            "ip daddr 10.5.5.0/24 accept comment \"t.cfg:2\""});
  CHECK(count_containing(r, "chain nonat_nonat {") == 1);
}

TEST_CASE("static NAT: netmask block, static PAT, interface address, caps") {
  auto c = two_interfaces();
  const firewall::InterfaceNames names{{"outside", "eth0"}, {"inside", "eth1"}};
  config::StaticNat block;
  block.real_interface = "inside";
  block.mapped_interface = "outside";
  block.real = net("10.1.1.32", 27);
  block.mapped = ip("192.0.2.32");
  block.origin = {"t.cfg", 20};
  config::StaticNat pat;
  pat.real_interface = "inside";
  pat.mapped_interface = "outside";
  pat.real = host("10.1.1.5");
  pat.mapped = ip("192.0.2.1");  // the outside interface's own address (`static (inside,outside) tcp interface 80 ...`)
  pat.protocol = 6;
  pat.mapped_port = 80;
  pat.real_port = 8080;
  pat.origin = {"t.cfg", 21};
  c.static_nats = {block, pat};
  auto s = build_firewall(c, names);
  CHECK(rules(s.ruleset, "prerouting") ==
        std::vector<std::string>{
            "iifname \"eth0\" ip daddr 192.0.2.32/27 dnat ip prefix to ip daddr map { 192.0.2.32/27 : 10.1.1.32/27 } "
            "comment \"t.cfg:20\"",
            "iifname \"eth0\" ip daddr 192.0.2.1 tcp dport 80 dnat to 10.1.1.5:8080 comment \"t.cfg:21\""});
  CHECK(rules(s.ruleset, "postrouting") ==
        std::vector<std::string>{
            "iifname \"eth1\" oifname \"eth0\" ip saddr 10.1.1.32/27 rt ipsec missing snat ip prefix to ip saddr map "
            "{ 10.1.1.32/27 : 192.0.2.32/27 } comment \"t.cfg:20\"",
            "iifname \"eth1\" oifname \"eth0\" ip saddr 10.1.1.5 tcp sport 8080 rt ipsec missing snat to 192.0.2.1:80 "
            "comment \"t.cfg:21\""});
  // The block's 32 addresses; never the interface's own address (the box has it; dropping it would cut IKE).
  CHECK(s.mapped_addresses.size() == 32);
  CHECK(s.mapped_addresses.front() == ip("192.0.2.32"));
  CHECK(s.mapped_addresses.back() == ip("192.0.2.63"));
  CHECK(s.ruleset.find("elements = { 192.0.2.32-192.0.2.63 }") != std::string::npos);

  SUBCASE("a /16 block: the set holds it all, local routes for 4096") {
    c.static_nats[0].real = net("10.8.0.0", 16);
    c.static_nats[0].mapped = ip("198.51.0.0");
    auto big = build_firewall(c, names);
    CHECK(big.mapped_addresses.size() == 4096);
    CHECK(big.ruleset.find("elements = { 198.51.0.0-198.51.255.255 }") != std::string::npos);
    CHECK(big.ruleset.find("has 65536 addresses; local routes (ARP answers) for the first 4096 only") !=
          std::string::npos);
  }
  SUBCASE("a non-contiguous mask is not understood") {
    c.static_nats[0].real = {ip("10.1.0.1"), ip("255.0.255.255")};
    auto odd = build_firewall(c, names);
    CHECK(rules(odd.ruleset, "prerouting").size() == 1);
    CHECK(odd.ruleset.find("# t.cfg:20 not understood: static") != std::string::npos);
  }
}

TEST_CASE("security levels: higher to lower, access-group interfaces follow their ACL") {
  auto c = two_interfaces();
  config::Interface dmz;
  dmz.name = "dmz";
  dmz.address = net("10.2.2.1", 24);
  dmz.security_level = 50;
  c.interfaces.push_back(dmz);
  const firewall::InterfaceNames names{{"outside", "eth0"}, {"inside", "eth1"}, {"dmz", "eth2"}};
  auto f = rules(build_firewall(c, names).ruleset, "forward");
  CHECK(f ==
        std::vector<std::string>{
            "ct state established,related accept", "ct state invalid drop",
            "iifname \"eth1\" oifname { \"eth0\", \"eth2\" } accept comment \"security inside 100 to outside, dmz\"",
            "iifname \"eth2\" oifname \"eth0\" accept comment \"security dmz 50 to outside\""});

  c.access_lists["dmz_in"] = {"dmz_in",
                              {entry(true, "tcp any any eq 25",
                                     [] {
                                       auto m = match(6, any(), any());
                                       m.destination_ports = {config::PortMatch::Op::Eq, 25, 0};
                                       return m;
                                     }(),
                                     {"t.cfg", 30})}};
  c.access_groups = {{"dmz_in", "dmz", true, {"t.cfg", 31}}, {"dmz_in", "outside", false, {"t.cfg", 32}}};
  const std::string r = build_firewall(c, names).ruleset;
  f = rules(r, "forward");
  CHECK(contains(f, "iifname \"eth2\" jump acl_dmz_in comment \"t.cfg:31\""));
  CHECK(find_containing(f, "security dmz") == -1);
  CHECK(r.find("# t.cfg:32 not used: access-group dmz_in out interface outside") != std::string::npos);
  // `any` destination: one rule, no `ct original` twin.
  CHECK(rules(r, "acl_dmz_in") == std::vector<std::string>{"ip protocol tcp tcp dport 25 accept comment \"t.cfg:30\"",
                                                           "drop comment \"access-list dmz_in: implicit deny\""});
}

TEST_CASE("ACL chains: deny lines drop, lines not understood are skipped with a comment, names made safe") {
  auto c = two_interfaces();
  config::AccessList acl{"outside-in.v2", {}};
  acl.entries.push_back(entry(false, "tcp any host 10.1.1.9 eq 23",
                              [] {
                                auto m = match(6, any(), host("10.1.1.9"));
                                m.destination_ports = {config::PortMatch::Op::Eq, 23, 0};
                                return m;
                              }(),
                              {"t.cfg", 40}));
  config::AclEntry odd{true, "object-group web any any", std::nullopt, {"t.cfg", 41}};
  acl.entries.push_back(odd);
  config::AclEntry icmp_ports{true, "icmp any any eq 5", match(1, any(), any()), {"t.cfg", 42}};
  icmp_ports.match->destination_ports = {config::PortMatch::Op::Eq, 5, 0};
  acl.entries.push_back(icmp_ports);
  c.access_lists[acl.name] = acl;
  c.access_lists["outside_in_v2"] = {"outside_in_v2", {}};
  c.access_groups = {{"outside-in.v2", "outside", true, {"t.cfg", 43}},
                     {"outside_in_v2", "inside", true, {"t.cfg", 44}}};
  const std::string r = build_firewall(c, {{"outside", "eth0"}, {"inside", "eth1"}}).ruleset;
  const auto lines = chain_lines(r, "acl_outside_in_v2");
  CHECK(rules(r, "acl_outside_in_v2") ==
        std::vector<std::string>{"ip protocol tcp ip daddr 10.1.1.9 tcp dport 23 drop comment \"t.cfg:40\"",
                                 "ip protocol tcp ct original ip daddr 10.1.1.9 tcp dport 23 drop comment \"t.cfg:40\"",
                                 "drop comment \"access-list outside_in_v2: implicit deny\""});
  CHECK(contains(lines, "# t.cfg:41 not understood: access-list outside-in.v2 permit object-group web any any"));
  CHECK(contains(lines, "# t.cfg:42 not understood: access-list outside-in.v2 permit icmp any any eq 5"));
  // The second ACL's name sanitises to the same identifier: it gets its own chain.
  CHECK(rules(r, "acl_outside_in_v2_2") ==
        std::vector<std::string>{"drop comment \"access-list outside_in_v2: implicit deny\""});
  CHECK(contains(rules(r, "forward"), "iifname \"eth1\" jump acl_outside_in_v2_2 comment \"t.cfg:44\""));
}

TEST_CASE("comments cannot break out of their line or string") {
  auto c = two_interfaces();
  c.source = "/tmp/we\"ird\nname.cfg";
  c.access_lists["x"] = {"x", {config::AclEntry{true, "evil\n}\ntable ip other {", std::nullopt, {c.source, 3}}}};
  c.access_groups = {{"x", "outside", true, {c.source, 4}}};
  const std::string r = build_firewall(c, {{"outside", "eth0"}, {"inside", "eth1"}}).ruleset;
  CHECK(r.find("\ntable ip other") == std::string::npos);
  CHECK(r.find("comment \"we'ird name.cfg:4\"") != std::string::npos);
}
