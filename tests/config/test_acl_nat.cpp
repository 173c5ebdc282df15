// Structured ACL lines (IOS wildcards, PIX netmasks) and NAT lowered to the model in both dialects, with the
// reference checks validate makes on them.
#include <doctest/doctest.h>

#include "daemon/config/acl_match.hpp"
#include "tests/config/fixtures.hpp"

using namespace ravpn::config;
using namespace ravpn::config::test;
using K = Diagnostic::Kind;
using Op = PortMatch::Op;

namespace {

const std::string kPixHeader =
    "nameif ethernet0 outside security0\n"
    "nameif ethernet1 inside security100\n"
    "nameif ethernet2 dmz security50\n"
    "ip address outside 192.0.2.1 255.255.255.0\n"
    "ip address inside 10.0.0.1 255.255.255.0\n";
constexpr int kPixFirst = 6;
int at(int n) { return kPixFirst + n - 1; }

Config pix(const std::string& body) {
  Config c = parse_pix(kPixHeader + body, "t.cfg");
  validate(c);
  return c;
}

Config ios(const std::string& text) {
  Config c = parse_ios(text, "t.cfg");
  validate(c);
  return c;
}

const AclMatch& match_of(const Config& c, const std::string& acl, size_t i) {
  const auto& e = c.access_lists.at(acl).entries.at(i);
  REQUIRE(e.match);
  return *e.match;
}

}  // namespace

TEST_CASE("acl: the port, protocol and address helpers") {
  using namespace ravpn::config::detail;
  CHECK(port_number("www") == 80);
  CHECK(port_number("http") == 80);
  CHECK(port_number("https") == 443);
  CHECK(port_number("ftp") == 21);
  CHECK(port_number("ftp-data") == 20);
  CHECK(port_number("telnet") == 23);
  CHECK(port_number("smtp") == 25);
  CHECK(port_number("domain") == 53);
  CHECK(port_number("sqlnet") == 1521);
  CHECK(port_number("isakmp") == 500);
  CHECK(port_number("DOMAIN") == 53);
  CHECK(port_number("65535") == 65535);
  CHECK_FALSE(port_number("65536"));
  CHECK_FALSE(port_number("dns"));  // PIX: DNS is `domain`
  CHECK(protocol_number("ip") == -1);
  CHECK(protocol_number("icmp") == 1);
  CHECK(protocol_number("tcp") == 6);
  CHECK(protocol_number("udp") == 17);
  CHECK(protocol_number("esp") == 50);
  CHECK(protocol_number("ahp") == 51);
  CHECK(protocol_number("gre") == 47);
  CHECK(protocol_number("255") == 255);
  CHECK_FALSE(protocol_number("256"));
  CHECK_FALSE(protocol_number("ipx"));
  std::map<std::string, ravpn::Ipv4> names{{"web", ip("10.0.0.5")}};
  CHECK(resolve_address("web", &names) == ip("10.0.0.5"));
  CHECK_FALSE(resolve_address("web", nullptr));
  CHECK(resolve_address("10.0.0.6", &names) == ip("10.0.0.6"));
}

TEST_CASE("acl: IOS standard lists take a source only") {
  Config c = ios(
      "access-list 10 permit 10.0.0.0 0.0.0.255\n"     // 1
      "access-list 10 deny host 10.0.0.5\n"            // 2
      "access-list 10 permit 10.0.0.7\n"               // 3: no wildcard = a host
      "access-list 10 permit any log\n"                // 4
      "access-list 1300 permit 10.1.0.0 0.0.255.255\n" // 5
      "access-list 11 permit 10.0.0.0 0.255.0.255\n"   // 6: non-contiguous
      "access-list 12 permit ip any any\n"             // 7: extended syntax in a standard list
      "ip access-list standard split\n"                // 8
      " permit 10.2.0.0 0.0.255.255\n"                 // 9
      " deny any\n");                                  // 10
  CHECK(match_of(c, "10", 0).source.str() == "10.0.0.0/24");
  CHECK(match_of(c, "10", 0).destination.str() == "0.0.0.0/0");
  CHECK(match_of(c, "10", 0).protocol == -1);
  CHECK(match_of(c, "10", 1).source.str() == "10.0.0.5/32");
  CHECK_FALSE(c.access_lists.at("10").entries[1].permit);
  CHECK(match_of(c, "10", 2).source.str() == "10.0.0.7/32");
  CHECK(match_of(c, "10", 3).source.str() == "0.0.0.0/0");
  CHECK(match_of(c, "1300", 0).source.str() == "10.1.0.0/16");
  CHECK_FALSE(c.access_lists.at("11").entries.at(0).match);
  CHECK(lines_of(c, K::Partial, "access-list") == std::vector<int>{6});
  CHECK(has_error(c, 7, "bad source address 'ip'"));
  CHECK(count_errors(c) == 1);
  CHECK(c.access_lists.count("12") == 0);
  CHECK(match_of(c, "split", 0).source.str() == "10.2.0.0/16");
  CHECK(match_of(c, "split", 1).source.str() == "0.0.0.0/0");
}

TEST_CASE("acl: IOS extended lists: wildcards become netmasks, ports, ICMP, options") {
  Config c = ios(
      "access-list 101 permit tcp 10.0.0.0 0.0.0.255 host 192.0.2.10 eq www\n"     // 1
      "access-list 101 permit tcp any gt 1023 any range 6000 6010\n"               // 2
      "access-list 101 permit udp any any eq domain log-input\n"                   // 3
      "access-list 101 deny tcp any any neq 25\n"                                  // 4
      "access-list 101 permit tcp any lt 1024 any\n"                               // 5
      "access-list 101 permit icmp any any echo-reply\n"                           // 6
      "access-list 101 permit icmp any any 8\n"                                    // 7
      "access-list 101 permit esp any any\n"                                       // 8
      "access-list 101 permit 47 any any\n"                                        // 9
      "access-list 101 permit ip 10.0.0.5 0.0.0.255 any\n"                         // 10: host bits dropped
      "access-list 101 permit tcp any any established\n"                           // 11
      "access-list 101 permit icmp any any 3 1\n"                                  // 12
      "access-list 101 permit icmp any any host-unreachable\n"                     // 13
      "access-list 101 permit ip 10.0.0.0 0.0.255.0 any\n"                         // 14
      "access-list 101 permit ip any any precedence critical\n"                    // 15
      "access-list 101 permit bogus any any\n"                                     // 16
      "access-list 101 permit tcp any any eq nosuchport\n"                         // 17
      "access-list 101 permit tcp any any range 100 10\n"                          // 18
      "access-list 101 permit ip any\n"                                            // 19
      "access-list 101 permit ip any any frobnicate\n"                             // 20
      "access-list 101 permit tcp any eq\n"                                        // 21
      "access-list 700 permit 0000.0c00.0000 0000.00ff.ffff\n"                     // 22: MAC list
      "ip access-list extended named\n"                                            // 23
      " permit udp host 10.0.0.9 eq 500 any eq isakmp\n");                         // 24
  const auto& e = c.access_lists.at("101").entries;
  REQUIRE(e.size() == 15);  // 16-21 rejected
  CHECK(match_of(c, "101", 0).protocol == 6);
  CHECK(match_of(c, "101", 0).source.str() == "10.0.0.0/24");
  CHECK(match_of(c, "101", 0).destination.str() == "192.0.2.10/32");
  CHECK(match_of(c, "101", 0).destination_ports == PortMatch{Op::Eq, 80, 0});
  CHECK(match_of(c, "101", 0).source_ports == PortMatch{});
  CHECK(match_of(c, "101", 1).source_ports == PortMatch{Op::Gt, 1023, 0});
  CHECK(match_of(c, "101", 1).destination_ports == PortMatch{Op::Range, 6000, 6010});
  CHECK(match_of(c, "101", 2).protocol == 17);
  CHECK(match_of(c, "101", 2).destination_ports == PortMatch{Op::Eq, 53, 0});
  CHECK(match_of(c, "101", 3).destination_ports == PortMatch{Op::Neq, 25, 0});
  CHECK_FALSE(e[3].permit);
  CHECK(match_of(c, "101", 4).source_ports == PortMatch{Op::Lt, 1024, 0});
  CHECK(match_of(c, "101", 5).icmp_type == 0);
  CHECK(match_of(c, "101", 6).icmp_type == 8);
  CHECK(match_of(c, "101", 7).protocol == 50);
  CHECK(match_of(c, "101", 8).protocol == 47);
  CHECK(match_of(c, "101", 9).source.str() == "10.0.0.0/24");
  for (size_t i : {10, 11, 12, 13, 14}) CHECK_FALSE(e[i].match);
  CHECK(lines_of(c, K::Partial, "access-list") == std::vector<int>{11, 12, 13, 14, 15, 22});
  for (const auto* d : of_kind(c, K::Partial)) {
    CHECK(d->message.find("never matches") != std::string::npos);
    if (d->origin.line == 14) CHECK(d->message.find("non-contiguous wildcard mask 0.0.255.0") != std::string::npos);
    if (d->origin.line == 11) CHECK(d->message.find("'established'") != std::string::npos);
  }
  CHECK(has_error(c, 16, "unknown protocol 'bogus'"));
  CHECK(has_error(c, 17, "bad destination port 'nosuchport'"));
  CHECK(has_error(c, 18, "ends below its start"));
  CHECK(has_error(c, 19, "missing destination"));
  CHECK(has_error(c, 20, "unexpected 'frobnicate'"));
  CHECK(has_error(c, 21, "missing source port"));
  CHECK(count_errors(c) == 6);
  CHECK_FALSE(c.access_lists.at("700").entries.at(0).match);
  CHECK(match_of(c, "named", 0).source_ports == PortMatch{Op::Eq, 500, 0});
  CHECK(match_of(c, "named", 0).destination_ports == PortMatch{Op::Eq, 500, 0});
  CHECK(match_of(c, "named", 0).source.str() == "10.0.0.9/32");
}

TEST_CASE("acl: PIX lines use netmasks, names, ICMP type names and log options") {
  Config c = pix(
      "name 10.0.0.5 web\n"                                                            // 1
      "access-list 101 permit ip 10.0.0.0 255.255.255.0 10.8.0.0 255.255.255.0\n"      // 2
      "access-list 101 remark the pool\n"                                              // 3
      "access-list outside_in extended permit tcp any host web eq www log 6 interval 300\n"  // 4
      "access-list outside_in permit icmp any any unreachable\n"                      // 5
      "access-list outside_in permit icmp any any time-exceeded\n"                    // 6
      "access-list outside_in line 1 deny udp any any eq snmp log disable\n"           // 7
      "access-list outside_in permit ip 10.0.0.0 255.0.255.0 any\n"                    // 8
      "access-list outside_in permit ip interface outside any\n"                       // 9
      "access-list outside_in permit tcp any any eq www inactive\n"                    // 10
      "access-list outside_in permit ip 10.0.0.0 0.0.0.255 any\n"                      // 11: a wildcard on a PIX
      "access-list outside_in permit\n"                                                // 12
      "access-list outside_in allow ip any any\n"                                      // 13
      "access-list compiled\n");                                                       // 14
  CHECK(match_of(c, "101", 0).source.str() == "10.0.0.0/24");
  CHECK(match_of(c, "101", 0).destination.str() == "10.8.0.0/24");
  CHECK(c.access_lists.at("101").entries.size() == 1);
  CHECK(match_of(c, "outside_in", 0).destination.str() == "10.0.0.5/32");
  CHECK(match_of(c, "outside_in", 0).destination_ports == PortMatch{Op::Eq, 80, 0});
  CHECK(match_of(c, "outside_in", 1).icmp_type == 3);
  CHECK(match_of(c, "outside_in", 2).icmp_type == 11);
  CHECK(match_of(c, "outside_in", 3).destination_ports == PortMatch{Op::Eq, 161, 0});
  const auto& e = c.access_lists.at("outside_in").entries;
  REQUIRE(e.size() == 8);
  for (size_t i : {4, 5, 6, 7}) CHECK_FALSE(e[i].match);  // non-contiguous netmask, interface, inactive, wildcard
  CHECK(lines_of(c, K::Partial, "access-list") == std::vector<int>{at(8), at(9), at(10), at(11)});
  CHECK(has_error(c, at(12), "missing ACL entry"));
  CHECK(has_error(c, at(13), "unknown ACL action 'allow'"));
  CHECK(count_errors(c) == 2);
  CHECK(lines_of(c, K::Ignored, "access-list compiled") == std::vector<int>{at(14)});
}

TEST_CASE("nat: PIX nat and global pair up by id, in any order") {
  Config c = pix(
      "nat (inside) 1 10.0.0.0 255.255.255.0 0 0\n"                       // 1
      "global (outside) 1 192.0.2.20-192.0.2.29 netmask 255.255.255.0\n"  // 2
      "global (outside) 1 192.0.2.30\n"                                   // 3: PAT, the last range
      "global (outside) 1 192.0.2.10-192.0.2.15\n"                        // 4
      "global (dmz) 1 interface\n"                                        // 5
      "nat 2 10.0.1.0 255.255.255.0\n"                                    // 6: no (IF) = inside
      "global 2 interface\n"                                              // 7: no (IF) = outside
      "nat (inside) 3 access-list 150\n"                                  // 8
      "global (outside) 3 192.0.2.40\n"                                   // 9
      "global (outside) 3 192.0.2.41\n"                                   // 10: two PAT addresses
      "nat (dmz) 4 172.16.0.0 255.255.0.0\n"                              // 11: no global 4
      "global (outside) 5 192.0.2.50\n"                                   // 12: no nat 5
      "access-list 150 permit ip 10.0.2.0 255.255.255.0 any\n");          // 13
  REQUIRE(c.dynamic_nats.size() == 4);
  const auto& to_outside = c.dynamic_nats[0];
  CHECK(to_outside.id == 1);
  CHECK(to_outside.real_interface == "inside");
  CHECK(to_outside.mapped_interface == "outside");
  CHECK(to_outside.network->str() == "10.0.0.0/24");
  // Ranges in order (netmask 255.255.255.0 changes nothing here), the single PAT address last.
  CHECK(to_outside.mapped_ranges == std::vector<ravpn::Ipv4Range>{{ip("192.0.2.20"), ip("192.0.2.29")},
                                                                  {ip("192.0.2.10"), ip("192.0.2.15")},
                                                                  {ip("192.0.2.30"), ip("192.0.2.30")}});
  CHECK(to_outside.overload);
  CHECK_FALSE(to_outside.interface_pat);
  CHECK(to_outside.origin.line == at(1));
  const auto& to_dmz = c.dynamic_nats[1];
  CHECK(to_dmz.mapped_interface == "dmz");
  CHECK(to_dmz.interface_pat);
  CHECK(to_dmz.overload);
  CHECK(to_dmz.mapped_ranges.empty());
  CHECK(c.dynamic_nats[2].id == 2);
  CHECK(c.dynamic_nats[2].real_interface == "inside");
  CHECK(c.dynamic_nats[2].mapped_interface == "outside");
  CHECK(c.dynamic_nats[2].interface_pat);
  const auto& policy = c.dynamic_nats[3];
  CHECK(policy.acl == "150");
  CHECK_FALSE(policy.network);
  CHECK(policy.mapped_ranges.size() == 2);
  CHECK(policy.overload);
  CHECK(lines_of(c, K::Partial, "global") == std::vector<int>{at(10), at(12)});
  CHECK(lines_of(c, K::Partial, "nat") == std::vector<int>{at(11)});
  CHECK(count_errors(c) == 0);
}

TEST_CASE("nat: PIX exemption, identity NAT, options, global netmasks, malformed lines") {
  Config c = pix(
      "nat (inside) 0 access-list nonat\n"                                 // 1
      "nat (dmz) 0 access-list nosuchacl\n"                                // 2
      "nat (inside) 0 0 0\n"                                               // 3: identity NAT
      "nat (inside) 1 0 0 dns 100 50 norandomseq\n"                        // 4
      "global (outside) 1 192.0.2.0-192.0.2.255 netmask 255.255.255.0\n"  // 5: .0 and .255 left out
      "global (outside) 0 192.0.2.9\n"                                     // 6
      "nat (nowhere) 1 0 0\n"                                              // 7
      "nat (inside) 1 10.0.0.0\n"                                          // 8
      "nat (inside,outside) 1 0 0\n"                                       // 9: ASA 8.3 twice NAT
      "global (outside) 2 192.0.2.9-192.0.2.1\n"                           // 10
      "global (outside) 2 192.0.2.x\n"                                     // 11
      "nat (inside) 1 0 0 frobnicate\n"                                    // 12
      "access-list nonat permit ip 10.0.0.0 255.255.255.0 10.8.0.0 255.255.255.0\n");  // 13
  REQUIRE(c.nat_exemptions.size() == 2);
  CHECK(c.nat_exemptions[0].real_interface == "inside");
  CHECK(c.nat_exemptions[0].acl == "nonat");
  CHECK(c.nat_exemptions[0].origin.line == at(1));
  CHECK(has_error(c, at(2), "nat 0 names missing access-list nosuchacl"));  // validate
  REQUIRE(c.dynamic_nats.size() == 1);
  CHECK(c.dynamic_nats[0].mapped_ranges == std::vector<ravpn::Ipv4Range>{{ip("192.0.2.1"), ip("192.0.2.254")}});
  CHECK_FALSE(c.dynamic_nats[0].overload);
  CHECK(lines_of(c, K::Partial, "nat") == std::vector<int>{at(3), at(4), at(4)});  // identity; dns; limits
  CHECK(has_error(c, at(6), "nat id 0 is NAT exemption"));
  CHECK(has_error(c, at(7), "no interface named 'nowhere'"));
  CHECK(has_error(c, at(8), "missing real netmask"));
  CHECK(has_error(c, at(9), "expected (interface)"));
  CHECK(has_error(c, at(10), "below first address"));
  CHECK(has_error(c, at(11), "expected A-B or a single address"));
  CHECK(has_error(c, at(12), "unexpected 'frobnicate'"));
  CHECK(count_errors(c) == 8);
}

TEST_CASE("nat: PIX static NAT and static PAT") {
  Config c = pix(
      "static (inside,outside) 192.0.2.11 10.0.0.11 netmask 255.255.255.255 0 0\n"         // 1
      "static (inside,outside) 192.0.2.64 10.0.0.64 netmask 255.255.255.192\n"             // 2
      "static (inside,outside) tcp 192.0.2.12 www 10.0.0.12 8080 netmask 255.255.255.255\n"  // 3
      "static (inside,outside) udp interface domain 10.0.0.53 domain\n"                     // 4
      "static (dmz,outside) tcp interface smtp 172.16.0.25 smtp\n"                          // 5
      "static (inside,dmz) 10.0.0.0 10.0.0.0 netmask 255.255.255.0\n"                       // 6: net static
      "static (inside,outside) 192.0.2.70 access-list webacl\n"                             // 7: policy static
      "static (inside,nowhere) 192.0.2.13 10.0.0.13\n"                                      // 8
      "static (inside,outside) tcp 192.0.2.14 nosuchport 10.0.0.14 80\n"                    // 9
      "static (inside,outside) tcp interface www 10.0.0.15 www netmask 255.255.255.0\n"     // 10
      "static inside,outside 192.0.2.16 10.0.0.16\n");                                     // 11
  REQUIRE(c.static_nats.size() == 6);
  const auto& one = c.static_nats[0];
  CHECK(one.real.str() == "10.0.0.11/32");
  CHECK(one.mapped == ip("192.0.2.11"));
  CHECK(one.protocol == -1);
  CHECK(c.static_nats[1].real.str() == "10.0.0.64/26");
  CHECK(c.static_nats[1].mapped == ip("192.0.2.64"));
  const auto& pat = c.static_nats[2];
  CHECK(pat.protocol == 6);
  CHECK(pat.mapped == ip("192.0.2.12"));
  CHECK(pat.mapped_port == 80);
  CHECK(pat.real.address == ip("10.0.0.12"));
  CHECK(pat.real_port == 8080);
  const auto& on_outside = c.static_nats[3];
  CHECK(on_outside.protocol == 17);
  CHECK(on_outside.mapped == ip("192.0.2.1"));  // the outside interface's address
  CHECK(on_outside.mapped_port == 53);
  CHECK(on_outside.real_port == 53);
  CHECK(c.static_nats[4].real_interface == "dmz");
  CHECK(c.static_nats[4].mapped == ip("192.0.2.1"));
  CHECK(c.static_nats[5].real.str() == "10.0.0.0/24");
  CHECK(c.static_nats[5].mapped_interface == "dmz");
  CHECK(lines_of(c, K::Partial, "static") == std::vector<int>{at(7)});
  CHECK(has_error(c, at(8), "no interface named 'nowhere'"));
  CHECK(has_error(c, at(9), "bad mapped port 'nosuchport'"));
  CHECK(has_error(c, at(10), "needs netmask 255.255.255.255"));
  CHECK(has_error(c, at(11), "expected (real_interface,mapped_interface)"));
  CHECK(count_errors(c) == 4);

  // A static to an interface with no static address is dropped, reported Partial.
  Config dhcp = pix("static (inside,dmz) tcp interface www 10.0.0.80 www\n");
  CHECK(dhcp.static_nats.empty());
  CHECK(lines_of(dhcp, K::Partial, "static") == std::vector<int>{at(1)});
}

TEST_CASE("nat: IOS inside source list / route-map / interface / static") {
  Config c = ios(
      "interface FastEthernet0/0\n"                                                   // 1
      " ip address 10.0.0.1 255.255.255.0\n"                                          // 2
      " ip nat inside\n"                                                              // 3
      " ip access-group 110 in\n"                                                     // 4
      " ip access-group 111 out\n"                                                    // 5
      " ip mtu 1400\n"                                                                // 6
      "interface FastEthernet0/1\n"                                                   // 7
      " mtu 1500\n"                                                                   // 8
      " ip address 192.0.2.1 255.255.255.0\n"                                         // 9
      " ip nat outside\n"                                                             // 10
      "ip nat pool pub 192.0.2.50 192.0.2.60 prefix-length 24\n"                      // 11
      "ip nat inside source list 1 pool pub overload\n"                               // 12
      "ip nat inside source list 2 interface FastEthernet0/1 overload\n"              // 13
      "ip nat inside source route-map rm interface FastEthernet0/1\n"                 // 14: PAT anyway
      "ip nat inside source static 10.0.0.5 192.0.2.5\n"                              // 15
      "ip nat inside source static tcp 10.0.0.6 8080 192.0.2.6 80 extendable\n"       // 16
      "ip nat inside source static udp 10.0.0.7 53 interface FastEthernet0/1 53\n"    // 17
      "ip nat inside source static network 10.0.1.0 192.0.2.128 /25\n"                // 18
      "ip nat inside source static 10.0.0.8 192.0.2.8 no-alias\n"                     // 19
      "ip nat outside source static 192.0.2.200 10.0.0.200\n"                         // 20
      "ip nat inside destination list 3 pool pub\n"                                   // 21
      "ip nat inside source list 4 pool nosuchpool\n"                                 // 22
      "ip nat inside source route-map nosuchmap pool pub\n"                           // 23
      "ip nat inside source list 5 frobnicate pub\n"                                  // 24
      "ip nat inside source static tcp 10.0.0.9 nosuchport 192.0.2.9 80\n"            // 25
      "ip nat translation timeout 3600\n"                                             // 26
      "access-list 1 permit 10.0.0.0 0.0.0.255\n"                                     // 27
      "access-list 2 permit 10.0.2.0 0.0.0.255\n"                                     // 28
      "access-list 110 permit ip any any\n"                                           // 29
      "route-map rm permit 10\n"                                                      // 30
      " match ip address 2\n"                                                         // 31
      " set ip next-hop 192.0.2.254\n"                                                // 32
      "route-map rm deny 20\n"                                                        // 33
      " match ip address 404\n");                                                     // 34
  REQUIRE(c.dynamic_nats.size() == 5);
  const auto& pooled = c.dynamic_nats[0];
  CHECK(pooled.acl == "1");
  CHECK(pooled.nat_pool == "pub");
  CHECK(pooled.overload);
  CHECK(pooled.mapped_ranges == std::vector<ravpn::Ipv4Range>{{ip("192.0.2.50"), ip("192.0.2.60")}});
  CHECK(pooled.real_interface.empty());
  CHECK(pooled.mapped_interface.empty());
  CHECK(pooled.id == 0);
  const auto& iface = c.dynamic_nats[1];
  CHECK(iface.acl == "2");
  CHECK(iface.interface_pat);
  CHECK(iface.overload);
  CHECK(iface.mapped_interface == "FastEthernet0/1");
  CHECK(c.dynamic_nats[2].route_map == "rm");
  CHECK(c.dynamic_nats[2].overload);
  CHECK(lines_of(c, K::Partial, "ip nat inside source") == std::vector<int>{14, 19});
  CHECK(c.dynamic_nats[3].nat_pool == "nosuchpool");
  CHECK(has_error(c, 22, "ip nat inside source names missing ip nat pool nosuchpool"));
  CHECK(has_error(c, 22, "names missing access-list 4"));
  CHECK(has_error(c, 23, "names missing route-map nosuchmap"));

  REQUIRE(c.static_nats.size() == 5);
  CHECK(c.static_nats[0].real.str() == "10.0.0.5/32");
  CHECK(c.static_nats[0].mapped == ip("192.0.2.5"));
  CHECK(c.static_nats[1].protocol == 6);
  CHECK(c.static_nats[1].real_port == 8080);
  CHECK(c.static_nats[1].mapped_port == 80);
  CHECK(c.static_nats[2].mapped_interface == "FastEthernet0/1");
  CHECK(c.static_nats[2].mapped == ip("192.0.2.1"));
  CHECK(c.static_nats[3].real.str() == "10.0.1.0/25");
  CHECK(c.static_nats[3].mapped == ip("192.0.2.128"));

  CHECK(lines_of(c, K::Partial, "ip nat outside source") == std::vector<int>{20});
  CHECK(lines_of(c, K::Partial, "ip nat inside destination") == std::vector<int>{21});
  CHECK(c.nat_statements.size() == 11);  // every good inside/outside source line, as written
  CHECK(has_error(c, 24, "unknown translation target 'frobnicate'"));
  CHECK(has_error(c, 25, "bad real port 'nosuchport'"));
  CHECK(lines_of(c, K::Ignored, "ip nat translation") == std::vector<int>{26});

  REQUIRE(c.access_groups.size() == 2);
  CHECK(c.access_groups[0].acl == "110");
  CHECK(c.access_groups[0].interface == "FastEthernet0/0");
  CHECK(c.access_groups[0].inbound);
  CHECK_FALSE(c.access_groups[1].inbound);
  CHECK(lines_of(c, K::Partial, "ip access-group") == std::vector<int>{5});
  CHECK(has_error(c, 5, "access-group names missing access-list 111"));
  CHECK(c.mtus == std::map<std::string, uint32_t>{{"FastEthernet0/0", 1400}, {"FastEthernet0/1", 1500}});

  REQUIRE(c.route_maps.size() == 2);
  CHECK(c.route_maps[0].other_lines == std::vector<std::string>{"set ip next-hop 192.0.2.254"});
  CHECK_FALSE(c.route_maps[1].permit);
  auto route_map_partial = lines_of(c, K::Partial, "route-map");
  CHECK(route_map_partial == std::vector<int>{32});
  for (const auto* d : of_kind(c, K::Partial))
    if (d->command == "route-map")
      CHECK(d->message == "route-map rm 10: 'set' lines are not applied; NAT uses only `match ip address`");
  CHECK(has_error(c, 33, "route-map rm 20 names missing access-list 404"));
  CHECK(count_errors(c) == 7);
}

TEST_CASE("nat: validate checks references of model objects from any source") {
  Config c;
  c.dialect = Dialect::Native;
  c.source = "n.toml";
  Interface in;
  in.name = "inside";
  c.interfaces.push_back(in);
  c.access_groups.push_back({"acl1", "inside", true, {"n.toml", 3}});
  c.access_groups.push_back({"acl2", "ghost", true, {"n.toml", 4}});
  c.nat_exemptions.push_back({"ghost", "acl1", {"n.toml", 5}});
  DynamicNat d;
  d.real_interface = "inside";
  d.mapped_interface = "ghost";
  d.route_map = "norm";
  d.origin = {"n.toml", 6};
  c.dynamic_nats.push_back(d);
  StaticNat s;
  s.real_interface = "ghost";
  s.mapped_interface = "inside";
  s.origin = {"n.toml", 7};
  c.static_nats.push_back(s);
  c.isakmp_enabled_interfaces.push_back("ghost");
  c.noproxyarp_interfaces.push_back("ghost");
  c.mtus["ghost"] = 1500;
  c.routes.push_back({"ghost", {ip("10.0.0.0"), ip("255.0.0.0")}, ip("10.0.0.1"), {"n.toml", 8}});
  c.access_lists["acl1"].name = "acl1";
  validate(c);
  CHECK(has_error(c, 4, "names missing access-list acl2"));
  CHECK(has_error(c, 4, "names unknown interface ghost"));
  CHECK(has_error(c, 5, "nat 0 names unknown interface ghost"));
  CHECK(has_error(c, 6, "names missing route-map norm"));
  CHECK(has_error(c, 6, "names unknown interface ghost"));
  CHECK(has_error(c, 7, "static names unknown interface ghost"));
  CHECK(has_error(c, 8, "route to 10.0.0.0/8 names unknown interface ghost"));
  CHECK(has_error(c, 0, "isakmp is enabled on unknown interface ghost"));
  CHECK(has_error(c, 0, "noproxyarp names unknown interface ghost"));
  CHECK(has_error(c, 0, "mtu names unknown interface ghost"));
  CHECK(count_errors(c) == 10);
}
