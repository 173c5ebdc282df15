// PIX 6.3 commands one at a time: every form the reader takes, defaults, and malformed lines (each an error at its
// line that changes nothing, never an exception).
#include <doctest/doctest.h>

#include "tests/config/fixtures.hpp"

using namespace ravpn::config;
using namespace ravpn::config::test;
using K = Diagnostic::Kind;

namespace {

// Three named interfaces; the test's own lines start at line kFirst.
constexpr int kFirst = 6;
const std::string kHeader =
    "nameif ethernet0 outside security0\n"
    "nameif ethernet1 inside security100\n"
    "nameif ethernet2 dmz security50\n"
    "ip address outside 192.0.2.1 255.255.255.0\n"
    "ip address inside 10.0.0.1 255.255.255.0\n";

Config pix(const std::string& body) { return parse_pix(kHeader + body, "t.cfg"); }
Config pix_validated(const std::string& body) {
  Config c = pix(body);
  validate(c);
  return c;
}
int at(int n) { return kFirst + n - 1; }  // line number of the Nth body line

bool any_text_has(const Config& c, const std::string& s) {
  for (const auto& d : c.diagnostics)
    if (d.text.find(s) != std::string::npos || d.message.find(s) != std::string::npos) return true;
  return false;
}

}  // namespace

TEST_CASE("pix: framing lines, comments and the version are ignored; an empty config is fine") {
  Config c = parse_pix(": Saved\n:\nPIX Version 6.3(5)\n!--- annotation\n! Incomplete\n!\n"
                       "Cryptochecksum:0123abcd\n: end\n",
                       "t.cfg");
  CHECK(count_errors(c) == 0);
  CHECK(lines_of(c, K::Ignored, ": saved") == std::vector<int>{1});
  CHECK(lines_of(c, K::Ignored, ":") == std::vector<int>{2});
  CHECK(lines_of(c, K::Ignored, "pix version") == std::vector<int>{3});
  CHECK(lines_of(c, K::Ignored, "cryptochecksum:") == std::vector<int>{7});
  CHECK(lines_of(c, K::Ignored, ": end") == std::vector<int>{8});
  CHECK(c.diagnostics.size() == 5);
  CHECK(c.dialect == Dialect::Pix);
  Config empty = parse_pix("", "t.cfg");
  CHECK(empty.diagnostics.empty());
}

TEST_CASE("pix: PIX 7.x / ASA syntax is an error at its line") {
  Config c = parse_pix(
      "PIX Version 7.0(1)\n"                      // 1
      "ASA Version 8.0(4)\n"                      // 2
      "tunnel-group vpn3000 type ipsec-ra\n"      // 3
      "tunnel-group vpn3000 ipsec-attributes\n"   // 4
      " pre-shared-key *\n"                       // 5: goes with the rejected line
      "group-policy g internal\n"                 // 6
      "crypto isakmp policy 10\n"                 // 7
      " authentication pre-share\n"               // 8
      "crypto isakmp enable outside\n"            // 9
      "crypto ca trustpoint t\n"                  // 10
      "webvpn\n"                                  // 11
      "interface Ethernet0/0\n"                   // 12
      " nameif outside\n"                         // 13
      " security-level 0\n"                       // 14
      " frobnicate\n",                            // 15
      "t.cfg");
  CHECK(has_error(c, 1, "PIX 7.x / ASA configurations are not supported"));
  CHECK(has_error(c, 2, "ASA version 8.0(4)"));
  for (int line : {3, 4, 6}) CHECK(has_error(c, line, "PIX 7.x / ASA syntax"));
  for (int line : {7, 9, 10}) CHECK(has_error(c, line, "without `crypto`"));
  CHECK(has_error(c, 11, "PIX 7.x / ASA syntax"));
  CHECK(has_error(c, 13, "PIX 7.x / ASA interface sub-mode"));
  CHECK(has_error(c, 14, "PIX 7.x / ASA interface sub-mode"));
  CHECK(has_error(c, 15, "unknown command 'frobnicate' in interface"));
  CHECK(count_errors(c) == 12);
  CHECK(lines_of(c, K::Ignored, "tunnel-group") == std::vector<int>{5});
  CHECK(lines_of(c, K::Ignored, "crypto isakmp") == std::vector<int>{8});
  CHECK(c.isakmp_policies.empty());
  CHECK(c.interfaces.empty());
}

TEST_CASE("pix: unknown commands are reported ignored like the IOS reader does") {
  Config c = pix("frobnicate now\nsysopt frobnicate\nisakmp frobnicate\n");
  CHECK(count_errors(c) == 0);
  CHECK(lines_of(c, K::Ignored, "frobnicate") == std::vector<int>{at(1)});
  CHECK(lines_of(c, K::Ignored, "sysopt") == std::vector<int>{at(2)});
  CHECK(lines_of(c, K::Ignored, "isakmp frobnicate") == std::vector<int>{at(3)});
  for (const auto& d : c.diagnostics) {
    if (d.command == "frobnicate" || d.command == "isakmp frobnicate") CHECK(d.message == "unknown command, ignored");
  }
}

TEST_CASE("pix: nameif, interface hardware lines, shutdown") {
  Config c = parse_pix(
      "interface ethernet0 auto\n"                        // 1
      "interface ethernet1 100full shutdown\n"            // 2
      "interface ethernet2 auto\n"                        // 3
      "interface ethernet2 vlan10 logical shutdown\n"     // 4
      "nameif ethernet0 outside security0\n"              // 5
      "nameif ethernet1 inside security100\n"             // 6
      "nameif ethernet1 lan security90\n"                 // 7: renames the port
      "nameif ethernet2 dmz security101\n"                // 8
      "nameif ethernet3 outside security10\n"             // 9: name taken
      "nameif ethernet3 intf3\n"                          // 10
      "nameif ethernet4 intf4 securityX\n"                // 11
      "ip address outside 192.0.2.1 255.255.255.0\n"      // 12
      "ip address lan 10.0.0.1 255.255.255.0\n"           // 13
      "ip address inside 10.0.0.1 255.255.255.0\n"        // 14: renamed away
      "ip address outside dhcp setroute\n"                // 15
      "ip address lan 10.0.0.1 255.0.255.0\n"             // 16
      "ip address lan 10.0.0.999 255.255.255.0\n"         // 17
      "isakmp enable outside\nisakmp enable lan\n"        // 18, 19
      "nameif vlan10 dmz security50\n",                  // 20
      "t.cfg");
  REQUIRE(c.interfaces.size() == 3);
  CHECK(c.interfaces[2].name == "dmz");
  CHECK(c.interfaces[2].hardware == "vlan10");
  CHECK(c.interfaces[2].shutdown);  // `interface ethernet2 vlan10 logical shutdown`
  CHECK(c.interfaces[0].name == "outside");
  CHECK(c.interfaces[0].security_level == 0);
  CHECK_FALSE(c.interfaces[0].shutdown);
  CHECK(c.interfaces[1].name == "lan");
  CHECK(c.interfaces[1].hardware == "ethernet1");
  CHECK(c.interfaces[1].security_level == 90);
  CHECK(c.interfaces[1].shutdown);
  CHECK(c.interfaces[1].origin.line == 7);
  CHECK(c.interfaces[0].address->address == ip("192.0.2.1"));
  CHECK(c.interfaces[1].address->address == ip("10.0.0.1"));
  CHECK(has_error(c, 8, "bad security level 'security101'"));
  CHECK(has_error(c, 9, "interface name outside already names ethernet0"));
  CHECK(has_error(c, 10, "missing security level"));
  CHECK(has_error(c, 11, "bad security level 'securityx'"));
  CHECK(has_error(c, 14, "no interface named 'inside'"));
  CHECK(has_error(c, 16, "not contiguous"));
  CHECK(has_error(c, 17, "bad interface address '10.0.0.999'"));
  CHECK(count_errors(c) == 7);
  CHECK(lines_of(c, K::Partial, "ip address") == std::vector<int>{15});
  CHECK(lines_of(c, K::Ignored, "interface") == std::vector<int>{1, 3});
  // The shut down port carries no IKE address.
  CHECK(c.isakmp_enabled_interfaces == std::vector<std::string>{"outside", "lan"});
  CHECK(c.ike_addresses() == std::vector<ravpn::Ipv4>{ip("192.0.2.1")});
}

TEST_CASE("pix: mtu, route, sysopt") {
  Config c = pix(
      "mtu outside 1500\n"                                  // 1
      "mtu dmz 9000\n"                                      // 2
      "mtu inside 99999\n"                                  // 3
      "mtu nowhere 1500\n"                                  // 4
      "route outside 0 0 192.0.2.254 1\n"                   // 5
      "route inside 10.1.0.0 255.255.0.0 10.0.0.254\n"      // 6
      "route inside 10.1.0.1 255.255.0.0 10.0.0.254\n"      // 7
      "route inside 10.2.0.0 255.255.0.0 10.0.0.254 17\n"   // 8
      "route nowhere 10.3.0.0 255.255.0.0 10.0.0.254\n"     // 9
      "sysopt connection permit-ipsec\n"                    // 10
      "sysopt noproxyarp inside\n"                          // 11
      "sysopt noproxyarp inside\n"                          // 12
      "sysopt noproxyarp nowhere\n"                         // 13
      "sysopt connection permit-pptp\n"                     // 14
      "sysopt connection tcpmss 1380\n"                     // 15
      "no sysopt route dnat\n");                            // 16
  CHECK(c.mtus == std::map<std::string, uint32_t>{{"dmz", 9000}, {"outside", 1500}});
  CHECK(has_error(c, at(3), "not in 64-65535"));
  CHECK(has_error(c, at(4), "no interface named 'nowhere'"));
  REQUIRE(c.routes.size() == 2);
  CHECK(c.routes[0].destination.str() == "0.0.0.0/0");
  CHECK(c.routes[0].gateway == ip("192.0.2.254"));
  CHECK(c.routes[0].interface_name == "outside");
  CHECK(c.routes[1].destination.str() == "10.1.0.0/16");
  CHECK(has_error(c, at(7), "bits outside mask"));
  CHECK(has_error(c, at(8), "not in 1-16"));
  CHECK(has_error(c, at(9), "no interface named 'nowhere'"));
  CHECK(c.sysopt_permit_ipsec);
  CHECK(c.noproxyarp_interfaces == std::vector<std::string>{"inside"});
  CHECK(has_error(c, at(13), "no interface named 'nowhere'"));
  CHECK(count_errors(c) == 6);
  CHECK(lines_of(c, K::Partial, "sysopt connection permit-pptp") == std::vector<int>{at(14)});
  CHECK(lines_of(c, K::Ignored, "sysopt") == std::vector<int>{at(15), at(16)});
}

TEST_CASE("pix: names stand for addresses wherever an address is expected") {
  Config c = pix_validated(
      "names\n"                                                              // 1
      "name 10.0.0.5 web\n"                                                  // 2
      "name 192.0.2.9 webpub\n"                                              // 3
      "name 10.0.0.254 gw\n"                                                 // 4
      "access-list 120 permit tcp any host webpub eq www\n"                  // 5
      "access-list 120 permit tcp any web 255.255.255.255 eq https\n"        // 6
      "static (inside,outside) webpub web netmask 255.255.255.255 0 0\n"    // 7
      "route inside 10.9.0.0 255.255.0.0 gw 1\n"                             // 8
      "access-list 120 permit tcp any host nosuch eq www\n"                  // 9
      "name 10.0.0.6 10.0.0.7\n"                                             // 10
      "name 10.0.0.300 x\n"                                                  // 11
      "access-group 120 in interface outside\n");                           // 12
  CHECK(c.names.at("web") == ip("10.0.0.5"));
  CHECK(c.names.size() == 3);
  const auto& acl = c.access_lists.at("120");
  REQUIRE(acl.entries.size() == 2);
  CHECK(acl.entries[0].text == "tcp any host webpub eq www");  // as written
  CHECK(acl.entries[0].match->destination.str() == "192.0.2.9/32");
  CHECK(acl.entries[0].match->destination_ports == PortMatch{PortMatch::Op::Eq, 80, 0});
  CHECK(acl.entries[1].match->destination.str() == "10.0.0.5/32");
  CHECK(acl.entries[1].match->destination_ports.low == 443);
  REQUIRE(c.static_nats.size() == 1);
  CHECK(c.static_nats[0].mapped == ip("192.0.2.9"));
  CHECK(c.static_nats[0].real.address == ip("10.0.0.5"));
  CHECK(c.routes.at(0).gateway == ip("10.0.0.254"));
  CHECK(has_error(c, at(9), "bad destination host 'nosuch': not an IPv4 address or a defined name"));
  CHECK(has_error(c, at(10), "an address cannot be a name"));
  CHECK(has_error(c, at(11), "bad name address"));
  CHECK(count_errors(c) == 3);
}

TEST_CASE("pix: isakmp policy attributes, one line each") {
  Config c = pix(
      "isakmp policy 30 encryption aes-256\n"     // 1
      "isakmp policy 30 hash sha\n"               // 2
      "isakmp policy 30 group 5\n"                // 3
      "isakmp policy 30 lifetime 28800\n"         // 4
      "isakmp policy 30 authentication pre-share\n"  // 5
      "isakmp policy 5 encryption aes\n"          // 6
      "isakmp policy 7 encryption aes-192\n"      // 7
      "isakmp policy 7 encryption 3des\n"         // 8: the later line wins
      "isakmp policy 8 authentication rsa-sig\n"  // 9
      "isakmp policy 9 group 7\n"                 // 10
      "isakmp policy 9 hash sha256\n"             // 11
      "isakmp policy 9 lifetime 10\n"             // 12
      "isakmp policy 0 hash md5\n"                // 13
      "isakmp policy 9 colour blue\n"             // 14
      "isakmp policy 9\n"                         // 15
      "isakmp policy 30 hash md5 extra\n");       // 16
  REQUIRE(c.isakmp_policies.size() == 4);  // 5, 7, 8, 30; 9 never got a good line
  const auto& p5 = c.isakmp_policies[0];
  CHECK(p5.priority == 5);
  CHECK(p5.cipher == Cipher::Aes128);
  CHECK(p5.hash == Hash::Sha1);  // defaults for absent lines
  CHECK(p5.auth == AuthMethod::RsaSig);
  CHECK(p5.dh_group == 1);
  CHECK(p5.lifetime_seconds == 86400);
  CHECK(c.isakmp_policies[1].cipher == Cipher::TripleDes);
  CHECK(c.isakmp_policies[2].auth == AuthMethod::RsaSig);
  const auto& p30 = c.isakmp_policies[3];
  CHECK(p30.cipher == Cipher::Aes256);
  CHECK(p30.hash == Hash::Sha1);  // line 16 changed nothing
  CHECK(p30.dh_group == 5);
  CHECK(p30.lifetime_seconds == 28800);
  CHECK(p30.auth == AuthMethod::PreShare);
  CHECK(p30.origin.line == at(1));
  CHECK(lines_of(c, K::Partial, "isakmp policy") == std::vector<int>{at(9)});
  CHECK(has_error(c, at(10), "unknown DH group '7'"));
  CHECK(has_error(c, at(11), "unknown hash 'sha256'"));
  CHECK(has_error(c, at(12), "not in 60-2147483647"));
  CHECK(has_error(c, at(13), "not in 1-65534"));
  CHECK(has_error(c, at(14), "unknown policy attribute 'colour'"));
  CHECK(has_error(c, at(15), "missing policy attribute"));
  CHECK(has_error(c, at(16), "unexpected 'extra'"));
  CHECK(count_errors(c) == 7);
}

TEST_CASE("pix: isakmp key forms, masks, masked keys; errors never quote the key") {
  Config c = pix(
      "isakmp key wild address 0.0.0.0 netmask 0.0.0.0\n"                          // 1
      "isakmp key hostkey address 198.51.100.7\n"                                  // 2
      "isakmp key net24 address 198.51.100.0 netmask 255.255.255.0 no-xauth no-config-mode\n"  // 3
      "isakmp key *** address 203.0.113.1\n"                                       // 4
      "isakmp key ******** address 203.0.113.2\n"                                  // 5
      "isakmp key again address 0.0.0.0 netmask 0.0.0.0\n"                         // 6: replaces line 1
      "isakmp key s3cr3tA address 203.0.113.300\n"                                 // 7
      "isakmp key s3cr3tB address 203.0.113.3 netmask 255.0.255.0\n"               // 8
      "isakmp key s3cr3tC address 203.0.113.4 frobnicate\n"                        // 9
      "isakmp key s3cr3tD\n"                                                        // 10
      "isakmp key s3cr3tE hostname peer.example\n"                                 // 11
      "isakmp key * address 203.0.113.5\n");                                       // 12
  REQUIRE(c.isakmp_keys.size() == 6);
  CHECK(c.isakmp_keys[5].masked);  // any run of asterisks
  CHECK(c.isakmp_keys[0].key == "again");
  CHECK(c.isakmp_keys[0].origin.line == at(6));
  CHECK(c.isakmp_keys[1].peer.str() == "198.51.100.7/32");
  CHECK(c.isakmp_keys[2].no_xauth);
  CHECK(c.isakmp_keys[2].no_config_mode);
  CHECK(c.isakmp_keys[3].masked);
  CHECK(c.isakmp_keys[4].masked);
  CHECK_FALSE(c.isakmp_keys[0].masked);
  CHECK(c.key_for_peer(ip("198.51.100.9"))->key == "net24");
  CHECK(has_error(c, at(7), "bad peer address '203.0.113.300'"));
  CHECK(has_error(c, at(8), "not contiguous"));
  CHECK(has_error(c, at(9), "unexpected 'frobnicate'"));
  CHECK(has_error(c, at(10), "missing 'address'"));
  CHECK(count_errors(c) == 4);
  CHECK(lines_of(c, K::Partial, "isakmp key") == std::vector<int>{at(11)});
  for (const char* key : {"s3cr3tA", "s3cr3tB", "s3cr3tC", "s3cr3tD", "s3cr3tE"}) CHECK_FALSE(any_text_has(c, key));

  validate(c);
  CHECK(has_error(c, at(4), "pre-shared key for 203.0.113.1/32 is masked"));
  CHECK(has_error(c, at(5), "pre-shared key for 203.0.113.2/32 is masked"));
}

TEST_CASE("pix: isakmp identity, enable, keepalive, nat-traversal, client address pool") {
  Config c = pix(
      "isakmp identity hostname\n"                                      // 1
      "isakmp enable outside\n"                                         // 2
      "isakmp enable outside\n"                                         // 3
      "isakmp enable nowhere\n"                                         // 4
      "isakmp keepalive 20 5\n"                                         // 5
      "isakmp nat-traversal\n"                                          // 6
      "isakmp client configuration address-pool local pool1 outside\n"  // 7
      "isakmp client configuration address-pool local pool2 nowhere\n"  // 8
      "isakmp keepalive 5\n"                                            // 9
      "isakmp keepalive 30 60\n"                                        // 10
      "isakmp nat-traversal 5\n"                                        // 11
      "isakmp identity dn\n"                                            // 12
      "isakmp am-disable\n"                                             // 13
      "isakmp peer ip 192.0.2.50 no-xauth\n");                          // 14
  CHECK(c.isakmp_identity == "hostname");
  CHECK(c.isakmp_enabled_interfaces == std::vector<std::string>{"outside"});
  CHECK(c.dpd_keepalive_seconds == 20u);
  CHECK(c.dpd_retry_seconds == 5u);
  CHECK(c.natt_keepalive_seconds == 20u);
  CHECK(c.client_config_pool == "pool1");
  CHECK(c.client_config_pool_origin.line == at(7));
  CHECK(has_error(c, at(4), "no interface named 'nowhere'"));
  CHECK(has_error(c, at(8), "no interface named 'nowhere'"));
  CHECK(has_error(c, at(9), "not in 10-3600"));
  CHECK(has_error(c, at(10), "not in 2-10"));
  CHECK(has_error(c, at(11), "not in 10-3600"));
  CHECK(has_error(c, at(12), "unknown identity 'dn'"));
  CHECK(count_errors(c) == 6);
  CHECK(lines_of(c, K::Partial, "isakmp am-disable") == std::vector<int>{at(13)});
  CHECK(lines_of(c, K::Partial, "isakmp peer") == std::vector<int>{at(14)});

  Config keyid = pix("isakmp identity key-id vpn-gw\nisakmp nat-traversal 30\nisakmp keepalive 10\n");
  CHECK(keyid.isakmp_identity == "key-id");
  CHECK(lines_of(keyid, K::Partial, "isakmp identity") == std::vector<int>{at(1)});
  CHECK(keyid.natt_keepalive_seconds == 30u);
  CHECK(keyid.dpd_keepalive_seconds == 10u);
  CHECK_FALSE(keyid.dpd_retry_seconds);
}

TEST_CASE("pix: transform sets (AES tokens normalised), SA lifetimes, dynamic map settings") {
  Config c = pix_validated(
      "crypto ipsec transform-set aes esp-aes esp-sha-hmac\n"                     // 1
      "crypto ipsec transform-set aes192 esp-aes-192 esp-md5-hmac\n"              // 2
      "crypto ipsec transform-set aes256 ESP-AES-256 esp-sha-hmac\n"              // 3
      "crypto ipsec transform-set aes256 mode transport\n"                        // 4
      "crypto ipsec transform-set odd esp-blowfish esp-md5-hmac\n"                // 5
      "crypto ipsec transform-set many esp-des esp-md5-hmac ah-md5-hmac esp-null\n"  // 6
      "crypto ipsec transform-set nosuch mode transport\n"                        // 7
      "crypto ipsec security-association lifetime seconds 28800\n"                // 8
      "crypto ipsec security-association lifetime kilobytes 4608000\n"            // 9
      "crypto dynamic-map dyn 20 set transform-set aes256 aes\n"                  // 10
      "crypto dynamic-map dyn 20 match address 150\n"                             // 11
      "crypto dynamic-map dyn 20 set pfs group2\n"                                // 12
      "crypto dynamic-map dyn 20 set security-association lifetime seconds 1800\n"  // 13
      "crypto dynamic-map dyn 10 set transform-set aes192\n"                      // 14
      "crypto dynamic-map dyn 10 set pfs\n"                                       // 15
      "crypto dynamic-map dyn 30 set pfs group3\n"                                // 16: no entry 30
      "crypto dynamic-map dyn 20 set peer 192.0.2.9\n"                            // 17
      "crypto dynamic-map dyn 20 frobnicate\n"                                    // 18
      "access-list 150 permit ip 10.0.0.0 255.255.255.0 any\n");                 // 19
  CHECK(c.transform_sets.at("aes").transforms == std::vector<std::string>{"esp-aes", "esp-sha-hmac"});
  CHECK(c.transform_sets.at("aes192").transforms == std::vector<std::string>{"esp-aes 192", "esp-md5-hmac"});
  CHECK(c.transform_sets.at("aes256").transforms == std::vector<std::string>{"esp-aes 256", "esp-sha-hmac"});
  CHECK(c.transform_sets.at("aes256").mode == "transport");
  CHECK(c.transform_sets.at("aes").mode == "tunnel");
  CHECK(has_error(c, at(5), "transform set odd: unknown transform 'esp-blowfish'"));  // validate
  CHECK(has_error(c, at(6), "more than 3 transforms"));
  CHECK(has_error(c, at(7), "no transform set nosuch"));
  CHECK(c.ipsec_lifetime_seconds == 28800u);
  CHECK(c.ipsec_lifetime_kilobytes == 4608000u);
  REQUIRE(c.dynamic_maps.size() == 2);
  const auto& d10 = c.dynamic_maps[0];
  CHECK(d10.sequence == 10);
  CHECK(d10.pfs_group == 1);
  CHECK(d10.origin.line == at(14));
  const auto& d20 = c.dynamic_maps[1];
  CHECK(d20.transform_sets == std::vector<std::string>{"aes256", "aes"});
  CHECK(d20.match_acl == "150");
  CHECK(d20.pfs_group == 2);
  CHECK(d20.lifetime_seconds == 1800u);
  CHECK(d20.origin.line == at(10));
  CHECK(has_error(c, at(16), "unknown PFS group 'group3'"));
  CHECK(lines_of(c, K::Partial, "crypto dynamic-map") == std::vector<int>{at(17)});
  CHECK(has_error(c, at(18), "unknown dynamic map setting 'frobnicate'"));
  CHECK(count_errors(c) == 5);
}

TEST_CASE("pix: crypto map entries, client settings, interfaces; manual keying is refused") {
  Config c = pix_validated(
      "crypto ipsec transform-set ts esp-3des esp-sha-hmac\n"              // 1
      "crypto dynamic-map dyn 10 set transform-set ts\n"                   // 2
      "crypto map vpn 20 ipsec-isakmp dynamic dyn\n"                       // 3
      "crypto map vpn 10 ipsec-isakmp dynamic dyn\n"                       // 4
      "crypto map vpn client configuration address respond\n"              // 5
      "crypto map vpn client authentication LOCAL\n"                       // 6
      "crypto map vpn interface outside\n"                                 // 7
      "crypto map vpn interface nowhere\n"                                 // 8
      "crypto map vpn 30 ipsec-manual\n"                                   // 9
      "crypto map vpn 30 set session-key inbound esp 256 cipher 0123456789abcdef\n"  // 10
      "crypto map vpn 40 ipsec-isakmp\n"                                   // 11
      "crypto map vpn 40 match address 110\n"                              // 12
      "crypto map vpn 40 set peer 198.51.100.1\n"                          // 13
      "crypto map vpn client token authentication T\n"                     // 14
      "crypto map vpn client frobnicate\n"                                 // 15
      "crypto map vpn client configuration address sideways\n"             // 16
      "crypto map vpn frobnicate\n"                                        // 17
      "crypto map vpn 50 ipsec-isakmp dynamic\n"                           // 18
      "crypto map other client authentication AuthInbound LOCAL\n"         // 19
      "crypto map third client authentication RADIUS\n");                  // 20
  const auto& m = c.crypto_maps.at("vpn");
  REQUIRE(m.entries.size() == 2);
  CHECK(m.entries[0].sequence == 10);  // sorted
  CHECK(m.entries[1].sequence == 20);
  CHECK_FALSE(m.config_initiate);
  CHECK(m.config_respond);
  CHECK(m.client_authentication == "LOCAL");
  CHECK(m.interfaces == std::vector<std::string>{"outside"});
  CHECK(c.interfaces[0].crypto_maps == std::vector<std::string>{"vpn"});
  CHECK(m.origin.line == at(3));
  CHECK(has_error(c, at(8), "no interface named 'nowhere'"));
  CHECK(has_error(c, at(9), "ipsec-manual crypto map entries are not supported"));
  CHECK(has_error(c, at(10), "manual session keys"));
  CHECK_FALSE(any_text_has(c, "0123456789abcdef"));
  CHECK(lines_of(c, K::Partial, "crypto map") == std::vector<int>{at(11), at(12), at(13), at(14), at(19)});
  CHECK(has_error(c, at(15), "unknown keyword 'frobnicate' after 'client'"));
  CHECK(has_error(c, at(16), "unknown address mode 'sideways'"));
  CHECK(has_error(c, at(17), "unknown keyword 'frobnicate'"));
  CHECK(has_error(c, at(18), "missing dynamic map name"));
  // validate: AuthInbound has no aaa-server host; LOCAL and RADIUS are predefined.
  CHECK(has_error(c, c.crypto_maps.at("other").origin.line, "names aaa-server tag AuthInbound, which has no host"));
  CHECK(count_errors(c) == 8);
}

TEST_CASE("pix: vpngroup attributes") {
  Config c = pix_validated(
      "vpngroup sales address-pool pool1\n"                         // 1
      "vpngroup sales dns-server 10.0.0.53 10.0.1.53\n"             // 2
      "vpngroup sales wins-server 10.0.0.137\n"                     // 3
      "vpngroup sales default-domain corp.example\n"                // 4
      "vpngroup sales split-tunnel 90\n"                            // 5
      "vpngroup sales split-dns corp.example lab.example\n"         // 6
      "vpngroup sales pfs\n"                                        // 7
      "vpngroup sales idle-time 600\n"                              // 8
      "vpngroup sales max-time 86400\n"                             // 9
      "vpngroup sales password ********\n"                          // 10
      "vpngroup sales authentication-server RADIUS\n"               // 11
      "vpngroup sales backup-server 192.0.2.7 192.0.2.8\n"          // 12
      "vpngroup sales device-pass-through\n"                        // 13
      "vpngroup sales dns-server 1.1.1.1 2.2.2.2 3.3.3.3\n"         // 14
      "vpngroup sales idle-time 5\n"                                // 15
      "vpngroup sales colour blue\n"                                // 16
      "vpngroup sales password\n"                                   // 17
      "vpngroup eng password clearkey\n"                            // 18
      "vpngroup eng address-pool nosuchpool\n"                      // 19
      "vpngroup eng split-tunnel 91\n"                              // 20
      "vpngroup eng authentication-server NoSuchTag\n"              // 21
      "ip local pool pool1 10.8.0.1-10.8.0.50\n"                    // 22
      "access-list 90 permit ip 10.0.0.0 255.255.255.0 any\n");     // 23
  const auto& g = c.client_groups.at("sales");
  CHECK(g.pool == "pool1");
  CHECK(g.dns == std::vector<ravpn::Ipv4>{ip("10.0.0.53"), ip("10.0.1.53")});
  CHECK(g.wins == std::vector<ravpn::Ipv4>{ip("10.0.0.137")});
  CHECK(g.domain == "corp.example");
  CHECK(g.split_tunnel_acl == "90");
  CHECK(g.split_dns == std::vector<std::string>{"corp.example", "lab.example"});
  CHECK(g.pfs);
  CHECK(g.idle_time == 600u);
  CHECK(g.max_time == 86400u);
  CHECK(g.key_masked);
  CHECK(g.key_origin.line == at(10));
  CHECK(g.authentication_server == "RADIUS");
  CHECK(g.backup_servers == std::vector<std::string>{"192.0.2.7", "192.0.2.8"});
  CHECK(g.origin.line == at(1));
  CHECK(lines_of(c, K::Partial, "vpngroup") == std::vector<int>{at(13)});
  CHECK(has_error(c, at(14), "unexpected '3.3.3.3'"));
  CHECK(has_error(c, at(15), "not in 60-86400"));
  CHECK(has_error(c, at(16), "unknown vpngroup attribute 'colour'"));
  CHECK(has_error(c, at(17), "missing group password"));
  CHECK(c.client_groups.at("eng").key == "clearkey");
  // validate
  CHECK(has_error(c, at(10), "key of group sales is masked"));
  CHECK(has_error(c, at(18), "group eng names missing ip local pool nosuchpool"));
  CHECK(has_error(c, at(18), "group eng names missing access-list 91"));
  CHECK(has_error(c, at(18), "authentication-server names aaa-server tag NoSuchTag"));
  CHECK(count_errors(c) == 8);
  for (const auto& d : c.diagnostics)
    if (d.origin.line == at(18)) CHECK(d.command == "vpngroup");
}

TEST_CASE("pix: ip local pool ranges and single addresses") {
  Config c = pix(
      "ip local pool p 10.8.0.1-10.8.0.10\n"          // 1
      "ip local pool p 10.8.0.20\n"                   // 2
      "ip local pool p 10.8.0.5-10.8.0.6\n"           // 3: overlaps
      "ip local pool q 10.9.0.9-10.9.0.1\n"           // 4
      "ip local pool q 10.9.0.1 10.9.0.9\n"           // 5: IOS form
      "ip local pool r 10.7.0.1-10.7.0.9 mask 255.255.255.0\n");  // 6
  REQUIRE(c.pools.at("p").ranges.size() == 2);
  CHECK(c.pools.at("p").ranges[1].first == ip("10.8.0.20"));
  CHECK(c.pools.at("p").ranges[1].last == ip("10.8.0.20"));
  CHECK(has_error(c, at(3), "overlaps"));
  CHECK(has_error(c, at(4), "below first address"));
  CHECK(has_error(c, at(5), "unexpected '10.9.0.9'"));
  CHECK(count_errors(c) == 3);
  CHECK(c.pools.count("q") == 0);
  CHECK(c.pools.at("r").ranges.at(0).size() == 9);
  CHECK(lines_of(c, K::Partial, "ip local pool") == std::vector<int>{at(6)});
}

TEST_CASE("pix: aaa-server tags, hosts, protocols, ports") {
  Config c = pix_validated(
      "aaa-server rad protocol radius\n"                               // 1
      "aaa-server rad (inside) host 10.0.0.10 r4dkey timeout 5\n"      // 2
      "aaa-server rad (inside) host 10.0.0.11 r4dkey2\n"               // 3
      "aaa-server rad (inside) host 10.0.0.10 newkey\n"                // 4: replaces line 2
      "aaa-server tac host 10.0.0.12 t4ckey\n"                         // 5: protocol below
      "aaa-server tac protocol tacacs+\n"                              // 6
      "aaa-server RADIUS (inside) host 10.0.0.13 ********\n"           // 7
      "aaa-server radius-authport 1812\n"                              // 8
      "aaa-server radius-acctport 1813\n"                              // 9
      "aaa-server orphan (inside) host 10.0.0.14 k\n"                  // 10: no protocol line
      "aaa-server bad protocol kerberos\n"                             // 11
      "aaa-server rad (inside) host 10.0.0.300 s3cr3tZ\n"              // 12
      "aaa-server rad (inside)\n"                                      // 13
      "aaa-server rad (dmz) host 10.0.0.15 k timeout 9999\n"           // 14
      "aaa-server rad max-failed-attempts 3\n"                         // 15
      "aaa-server rad (nowhere) host 10.0.0.16 k\n");                  // 16
  REQUIRE(c.aaa_servers.size() == 6);
  const auto& r10 = c.aaa_servers[0];
  CHECK(r10.tag == "rad");
  CHECK(r10.protocol == "radius");
  CHECK(r10.host == ip("10.0.0.10"));
  CHECK(r10.key == "newkey");
  CHECK_FALSE(r10.timeout_seconds);
  CHECK(r10.auth_port == 1812);
  CHECK(r10.acct_port == 1813);
  CHECK(r10.origin.line == at(4));
  CHECK(c.aaa_servers[1].key == "r4dkey2");
  CHECK(c.aaa_servers[2].protocol == "tacacs+");
  CHECK_FALSE(c.aaa_servers[2].auth_port);
  CHECK(c.aaa_servers[2].interface_name.empty());
  CHECK(c.aaa_servers[3].protocol == "radius");  // predefined tag
  CHECK(c.aaa_servers[3].key_masked);
  CHECK(c.aaa_servers[4].protocol.empty());
  CHECK(c.aaa_servers[5].interface_name == "nowhere");
  CHECK(has_error(c, at(7), "key of radius server 10.0.0.13 is masked"));
  CHECK(has_error(c, at(10), "tag orphan has no `aaa-server orphan protocol"));
  CHECK(has_error(c, at(11), "unknown protocol 'kerberos'"));
  CHECK(has_error(c, at(12), "bad server address '10.0.0.300'"));
  CHECK(has_error(c, at(13), "missing 'host' or 'protocol'"));
  CHECK(has_error(c, at(14), "not in 1-1000"));
  CHECK(has_error(c, at(16), "names unknown interface nowhere"));
  CHECK(count_errors(c) == 7);
  CHECK(lines_of(c, K::Partial, "aaa-server") == std::vector<int>{at(15)});
  for (const char* key : {"r4dkey", "t4ckey", "s3cr3tZ", "newkey"}) CHECK_FALSE(any_text_has(c, key));
}

TEST_CASE("pix: usernames and the aaa lines ravpn does not apply") {
  Config c = pix(
      "username alice password 8Ry2YjIyt7RRXU24 encrypted privilege 15\n"   // 1
      "username bob password clearpw\n"                                     // 2
      "username carol nopassword\n"                                         // 3
      "username dave password nthash nt-encrypted\n"                        // 4
      "username erin\n"                                                     // 5
      "username frank password p privilege 16\n"                            // 6
      "aaa authentication include ftp outside 0 0 0 0 rad\n"                // 7
      "aaa authentication match 101 outside rad\n"                          // 8
      "aaa authentication telnet console LOCAL\n"                           // 9
      "aaa accounting include any inside 0 0 0 0 tac\n"                     // 10
      "aaa authorization include ftp inside 0 0 0 0 tac\n"                  // 11
      "aaa proxy-limit 16\n");                                              // 12
  CHECK(c.users.at("alice").hash_kind == LocalUser::HashKind::PixMd5);
  CHECK(c.users.at("alice").password_hash == "8Ry2YjIyt7RRXU24");
  CHECK(c.users.at("alice").password.empty());
  CHECK(c.users.at("bob").password == "clearpw");
  CHECK(c.users.at("bob").hash_kind == LocalUser::HashKind::None);
  CHECK(c.users.at("carol").password.empty());
  CHECK(c.users.at("dave").password.empty());
  CHECK(lines_of(c, K::Partial, "username") == std::vector<int>{at(4)});
  CHECK(has_error(c, at(5), "missing 'password' or 'nopassword'"));
  CHECK(has_error(c, at(6), "not in 0-15"));
  CHECK(count_errors(c) == 2);
  CHECK(c.users.count("frank") == 0);
  CHECK(lines_of(c, K::Partial, "aaa authentication include") == std::vector<int>{at(7)});
  CHECK(lines_of(c, K::Partial, "aaa authentication match") == std::vector<int>{at(8)});
  CHECK(lines_of(c, K::Ignored, "aaa authentication") == std::vector<int>{at(9)});
  CHECK(lines_of(c, K::Partial, "aaa accounting").empty());  // VPN session accounting to tac
  CHECK(c.aaa_accounting.servers == "tac");
  CHECK(lines_of(c, K::Partial, "aaa authorization") == std::vector<int>{at(11)});
  CHECK(lines_of(c, K::Ignored, "aaa proxy-limit") == std::vector<int>{at(12)});
}

TEST_CASE("pix: aaa accounting sends VPN session records to the tag; what it cannot match is Partial") {
  Config c = pix(
      "aaa accounting include any inbound 0.0.0.0 0.0.0.0 0.0.0.0 0.0.0.0 AuthInbound\n"  // 1: seed 003
      "aaa accounting include telnet outside 10.1.1.0 255.255.255.0 AuthInbound\n"       // 2
      "aaa accounting include any outside 0 0 0 0 Other\n"                               // 3
      "aaa accounting exclude any outside 10.1.1.1 255.255.255.255 AuthInbound\n"        // 4
      "aaa accounting include any outside 0 0 0 0\n");                                   // 5: no tag
  CHECK(c.aaa_accounting.servers == "AuthInbound");
  CHECK(c.aaa_accounting.origin.line == at(1));
  CHECK(lines_of(c, K::Partial, "aaa accounting") == std::vector<int>{at(2), at(3)});
  CHECK(lines_of(c, K::Partial, "aaa accounting exclude") == std::vector<int>{at(4)});
  CHECK(has_error(c, at(5), "server tag"));
}

TEST_CASE("pix: access-group, conduit and object groups") {
  Config c = pix_validated(
      "access-list 120 permit tcp any host 192.0.2.10 eq smtp\n"   // 1
      "access-group 120 in interface outside\n"                    // 2
      "access-group 121 in interface inside\n"                     // 3: no such ACL
      "access-group 120 in interface nowhere\n"                    // 4
      "access-group 120 out interface dmz\n"                       // 5
      "access-group 120 in interface dmz per-user-override\n"      // 6
      "access-group 120 in\n"                                      // 7
      "conduit permit tcp host 192.0.2.10 eq smtp any\n"           // 8
      "outbound 10 deny 0 0 0\n"                                   // 9
      "apply (inside) 10 outgoing_src\n"                           // 10
      "object-group network servers\n"                             // 11
      "  network-object host 10.0.0.5\n"                           // 12
      "access-list 130 permit tcp any object-group servers eq www\n"  // 13
      "established tcp 6000 permitto tcp 6000\n");                 // 14
  REQUIRE(c.access_groups.size() == 4);
  CHECK(c.access_groups[0].acl == "120");
  CHECK(c.access_groups[0].interface == "outside");
  CHECK(c.access_groups[0].inbound);
  CHECK(c.access_groups[2].interface == "dmz");
  CHECK_FALSE(c.access_groups[2].inbound);
  CHECK(has_error(c, at(3), "access-group names missing access-list 121"));
  CHECK(has_error(c, at(4), "no interface named 'nowhere'"));
  CHECK(has_error(c, at(7), "expected 'interface'"));
  CHECK(count_errors(c) == 3);
  CHECK(lines_of(c, K::Partial, "access-group") == std::vector<int>{at(5), at(6)});
  CHECK(lines_of(c, K::Partial, "conduit") == std::vector<int>{at(8)});
  CHECK(lines_of(c, K::Partial, "outbound") == std::vector<int>{at(9)});
  CHECK(lines_of(c, K::Partial, "apply") == std::vector<int>{at(10)});
  CHECK(lines_of(c, K::Partial, "object-group") == std::vector<int>{at(11), at(12)});
  CHECK(lines_of(c, K::Partial, "access-list") == std::vector<int>{at(13)});
  CHECK_FALSE(c.access_lists.at("130").entries.at(0).match);
  CHECK(lines_of(c, K::Partial, "established") == std::vector<int>{at(14)});
}

TEST_CASE("pix: ignored management lines never quote a secret") {
  Config c = pix(
      "enable password 8Ry2YjIyt7RRXU24 encrypted\n"
      "passwd 2KFQnbNIdI.2KYOU encrypted\n"
      "snmp-server community s3cret\n"
      "ntp authentication-key 1 md5 ntpk3y\n"
      "logging host inside 10.0.0.9\n"
      "http server enable\n"
      "http 10.0.0.0 255.255.255.0 inside\n"
      "ssh 10.0.0.0 255.255.255.0 inside\n"
      "dhcpd address 10.0.0.100-10.0.0.120 inside\n"
      "icmp permit any outside\n"
      "routing interface inside\n"
      "  rip passive\n"
      "router ospf 1\n"
      "  network 10.0.0.0 255.255.255.0 area 0\n"
      "  area 0 authentication message-digest\n"
      "  ospf message-digest-key 1 md5 0spfk3y\n");
  CHECK(count_errors(c) == 0);
  CHECK(of_kind(c, K::Ignored).size() == 16);
  for (const char* secret : {"8Ry2YjIyt7RRXU24", "2KFQnbNIdI", "s3cret", "ntpk3y", "0spfk3y"})
    CHECK_MESSAGE(!any_text_has(c, secret), secret);
  CHECK(lines_of(c, K::Ignored, "router") == std::vector<int>{at(13), at(14), at(15), at(16)});
}

TEST_CASE("pix: a secrets file fills keys by peer, group and aaa-server tag and host") {
  Config c = pix(
      "isakmp key ******** address 0.0.0.0 netmask 0.0.0.0\n"            // 1
      "vpngroup sales password ********\n"                               // 2
      "aaa-server rad protocol radius\n"                                 // 3
      "aaa-server rad (inside) host 10.0.0.10 ******** timeout 5\n"      // 4
      "aaa-server rad2 protocol radius\n"                                // 5
      "aaa-server rad2 (inside) host 10.0.0.10 ********\n"               // 6: same host, other tag
      "username alice password clear\n"                                  // 7
      "aaa-server rad (inside) host 10.0.0.11 ********\n");              // 8
  apply_secrets(c,
                "! secrets\n"                                                    // 1
                "isakmp key wildkey address 0.0.0.0 netmask 0.0.0.0\n"           // 2
                "vpngroup sales password salespw\n"                              // 3
                "aaa-server rad (inside) host 10.0.0.10 radkey timeout 5\n"      // 4
                "aaa-server rad2 host 10.0.0.10 rad2key\n"                       // 5
                "username alice password newpw\n"                                // 6
                "isakmp key other address 198.51.100.1\n"                        // 7: no such peer
                "vpngroup eng password x\n"                                      // 8: no such group
                "aaa-server rad (inside) host 10.0.0.99 k\n"                     // 9: no such host
                "aaa-server rad (inside) host 10.0.0.11\n"                       // 10: no key
                "isakmp key ***** address 198.51.100.2\n"                        // 11: still masked
                "fixup protocol ftp 21\n",                                       // 12
                "s.txt");
  CHECK(c.isakmp_keys.at(0).key == "wildkey");
  CHECK_FALSE(c.isakmp_keys.at(0).masked);
  CHECK(c.client_groups.at("sales").key == "salespw");
  CHECK_FALSE(c.client_groups.at("sales").key_masked);
  CHECK(c.aaa_servers.at(0).key == "radkey");
  CHECK(c.aaa_servers.at(1).key == "rad2key");
  CHECK_FALSE(c.aaa_servers.at(1).key_masked);
  CHECK(c.aaa_servers.at(2).key_masked);
  CHECK(c.users.at("alice").password == "newpw");
  auto errors = of_kind(c, K::Error);
  for (const auto* d : errors) CHECK(d->origin.file == "s.txt");
  CHECK(has_error(c, 7, "no key for 198.51.100.1/32"));
  CHECK(has_error(c, 8, "no group eng"));
  CHECK(has_error(c, 9, "no aaa-server rad host 10.0.0.99"));
  CHECK(has_error(c, 10, "no clear key on this line"));
  CHECK(has_error(c, 11, "must hold the clear key"));
  CHECK(has_error(c, 12, "not a secret line"));
  CHECK(errors.size() == 6);
  validate(c);
  CHECK(count_errors(c) == 7);
  CHECK(has_error(c, at(8), "key of radius server 10.0.0.11 is masked"));
  for (const char* secret : {"wildkey", "salespw", "radkey", "newpw"}) CHECK_FALSE(any_text_has(c, secret));
}
