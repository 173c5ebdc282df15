// Single commands: defaults, case, key selection, type 7, sub-mode handling.
#include <doctest/doctest.h>

#include "daemon/config/type7.hpp"
#include "tests/config/fixtures.hpp"

using namespace ravpn::config;
using namespace ravpn::config::test;
using K = Diagnostic::Kind;

TEST_CASE("a policy with no attribute lines has every default") {
  Config c = parse_ios("crypto isakmp policy 5\n!\n", "t.cfg");
  CHECK(c.diagnostics.empty());
  REQUIRE(c.isakmp_policies.size() == 1);
  const auto& p = c.isakmp_policies[0];
  CHECK(p.priority == 5);
  CHECK(p.cipher == Cipher::Des);
  CHECK(p.hash == Hash::Sha1);
  CHECK(p.auth == AuthMethod::RsaSig);
  CHECK(p.dh_group == 1);
  CHECK(p.lifetime_seconds == 86400);
}

TEST_CASE("policy attributes: AES sizes, sha256, group 14, lifetime; sorted by priority") {
  Config c = parse_ios("crypto isakmp policy 30\n encryption aes 256\n hash sha256\n group 14\n lifetime 3600\n"
                       "crypto isakmp policy 1\n encryption aes\n authentication rsa-encr\n"
                       "crypto isakmp policy 2\n encr aes 192\n group 5\n",
                       "t.cfg");
  REQUIRE(c.isakmp_policies.size() == 3);
  CHECK(c.isakmp_policies[0].priority == 1);
  CHECK(c.isakmp_policies[0].cipher == Cipher::Aes128);
  CHECK(c.isakmp_policies[0].auth == AuthMethod::RsaEncr);
  CHECK(c.isakmp_policies[1].cipher == Cipher::Aes192);
  CHECK(c.isakmp_policies[1].dh_group == 5);
  CHECK(c.isakmp_policies[2].cipher == Cipher::Aes256);
  CHECK(c.isakmp_policies[2].hash == Hash::Sha256);
  CHECK(c.isakmp_policies[2].dh_group == 14);
  CHECK(c.isakmp_policies[2].lifetime_seconds == 3600);
  CHECK_FALSE(c.has_errors());
  CHECK(lines_of(c, K::Partial, "crypto isakmp policy") == std::vector<int>{8});  // rsa-encr: no certificates
}

TEST_CASE("commands and keywords are case-insensitive; names keep their case") {
  Config c = parse_ios(
      "AAA New-Model\n"
      "AAA authentication login default line\n"
      "aaa AUTHENTICATION login Xauth_List LOCAL\n"
      "CRYPTO ISAKMP POLICY 10\n HASH MD5\n Authentication Pre-Share\n"
      "crypto isakmp key CiscoKey ADDRESS 0.0.0.0 0.0.0.0\n"
      "Crypto Map Test Client Authentication List Xauth_List\n"
      "interface FastEthernet0/1\n ip Nat outside\n IP ADDRESS 192.0.2.1 255.255.255.0\n Crypto Map Test\n"
      "IP Nat pool outsidepool 192.0.2.50 192.0.2.60 NETMASK 255.255.255.0\n",
      "t.cfg");
  CHECK_FALSE(c.has_errors());
  CHECK(c.aaa_new_model);
  CHECK(c.aaa_authentication_login.at("default").methods == std::vector<std::string>{"line"});
  CHECK(c.aaa_authentication_login.at("Xauth_List").methods == std::vector<std::string>{"local"});
  CHECK(c.isakmp_policies.at(0).hash == Hash::Md5);
  CHECK(c.isakmp_policies.at(0).auth == AuthMethod::PreShare);
  CHECK(c.isakmp_keys.at(0).key == "CiscoKey");
  CHECK(c.crypto_maps.at("Test").client_authentication == "Xauth_List");
  CHECK(c.interfaces.at(0).nat_outside);
  CHECK(c.interfaces.at(0).crypto_maps == std::vector<std::string>{"Test"});
  CHECK(c.nat_pools.count("outsidepool") == 1);
}

TEST_CASE("the seed as the tech note printed it: no indentation, odd capitalization") {
  Config c = parse_ios(
      "aaa new-model\nAAA authentication login default line\nAAA authentication\n"
      "crypto isakmp policy 10\nhash md5\nauthentication pre-share\n"
      "interface FastEthernet0/1\nip address 192.0.2.1 255.255.255.0\nip Nat outside\nno ip route-cache\n"
      "duplex auto\n",
      "t.cfg");
  CHECK(c.aaa_authentication_login.at("default").methods == std::vector<std::string>{"line"});
  CHECK(lines_of(c, K::Ignored, "aaa authentication") == std::vector<int>{3});  // the wrapped line
  CHECK(c.isakmp_policies.at(0).hash == Hash::Md5);
  CHECK(c.isakmp_policies.at(0).auth == AuthMethod::PreShare);
  CHECK(c.interfaces.at(0).nat_outside);
  CHECK(c.interfaces.at(0).address->address == ip("192.0.2.1"));
  CHECK(lines_of(c, K::Ignored, "duplex") == std::vector<int>{11});
  CHECK(lines_of(c, K::Ignored, "ip route-cache") == std::vector<int>{10});
}

TEST_CASE("key_for_peer: most specific mask wins, the wildcard last") {
  Config c = parse_ios(
      "crypto isakmp key wild address 0.0.0.0 0.0.0.0\n"
      "crypto isakmp key host address 198.51.100.7\n"
      "crypto isakmp key net24 address 198.51.100.0 255.255.255.0 no-xauth\n"
      "crypto isakmp key net16 address 198.51.0.0 255.255.0.0\n"
      "crypto isakmp key 0 typed address 203.0.113.9 255.255.255.255\n",
      "t.cfg");
  CHECK(c.diagnostics.empty());
  REQUIRE(c.isakmp_keys.size() == 5);
  CHECK(c.isakmp_keys[1].peer.mask == ip("255.255.255.255"));  // no mask = host
  CHECK(c.key_for_peer(ip("198.51.100.7"))->key == "host");
  CHECK(c.key_for_peer(ip("198.51.100.8"))->key == "net24");
  CHECK(c.key_for_peer(ip("198.51.100.8"))->no_xauth);
  CHECK(c.key_for_peer(ip("198.51.7.1"))->key == "net16");
  CHECK(c.key_for_peer(ip("192.0.2.77"))->key == "wild");
  CHECK(c.key_for_peer(ip("203.0.113.9"))->key == "typed");

  Config none = parse_ios("crypto isakmp key only address 198.51.100.7\n", "t.cfg");
  CHECK(none.key_for_peer(ip("198.51.100.8")) == nullptr);
}

TEST_CASE("a later key line for the same peer replaces the earlier one") {
  Config c = parse_ios("crypto isakmp key one address 0.0.0.0 0.0.0.0\ncrypto isakmp key two address 0.0.0.0 0.0.0.0\n",
                       "t.cfg");
  REQUIRE(c.isakmp_keys.size() == 1);
  CHECK(c.isakmp_keys[0].key == "two");
}

TEST_CASE("type 7: published pairs decode, encode round-trips") {
  using ravpn::config::detail::decode_type7;
  using ravpn::config::detail::encode_type7;
  // Two published encodings of "cisco" with different offsets, and the l0pht samples.
  CHECK(decode_type7("0822455D0A16") == "cisco");
  CHECK(decode_type7("094F471A1A0A") == "cisco");
  CHECK(decode_type7("08204E") == "ab");
  CHECK(decode_type7("1513090F") == "abc");
  CHECK(decode_type7("104F0B1A011214") == "abcdef");
  CHECK(encode_type7("cisco", 8) == "0822455D0A16");
  std::string long_one = "a rather long password that wraps around the 53-byte key table";
  for (unsigned off = 0; off < 53; ++off) CHECK(decode_type7(encode_type7(long_one, off)) == long_one);
  CHECK_FALSE(decode_type7("0822455D0A1"));  // odd length
  CHECK_FALSE(decode_type7("0G22"));
  CHECK_FALSE(decode_type7("9922"));  // offset past the table
  CHECK_FALSE(decode_type7("08ZZ"));

  Config c = parse_ios("username x password 7 0822455D0A16\nusername y privilege 15 password 0 two words\n"
                       "username z secret 5 $1$mERr$hx5rVt7rPNoS4wqbXKX7m0\nusername w password 7 08ZZ\n",
                       "t.cfg");
  CHECK(c.users.at("x").password == "cisco");
  CHECK(c.users.at("y").password == "two words");
  CHECK(c.users.at("z").password.empty());
  CHECK(c.users.at("z").hash_kind == LocalUser::HashKind::Md5Crypt);
  CHECK(c.users.at("z").password_hash == "$1$mERr$hx5rVt7rPNoS4wqbXKX7m0");
  CHECK(has_error(c, 4, "type 7"));
}

TEST_CASE("Easy VPN group: every sub-command") {
  Config c = parse_ios(
      "crypto isakmp client configuration group sales\n"
      " key 0 s3cret\n"
      " dns 10.0.0.1 10.0.0.2\n"
      " wins 10.0.0.3\n"
      " domain corp.example\n"
      " pool ourpool\n"
      " acl 150\n"
      " split-dns corp.example\n"
      " pfs\n"
      " backup-gateway 192.0.2.9\n"
      " backup-gateway vpn2.example\n"
      " max-users 25\n"
      " max-logins 2\n"
      " include-local-lan\n"
      " save-password\n"
      " banner ^CWelcome\n to sales^C\n"
      " firewall are-u-there\n"
      "crypto isakmp identity hostname\n"
      "crypto isakmp keepalive 20 5\n"
      "crypto isakmp nat keepalive 20\n",
      "t.cfg");
  CHECK_FALSE(c.has_errors());
  const auto& g = c.client_groups.at("sales");
  CHECK(g.key == "s3cret");
  CHECK(g.dns == std::vector<ravpn::Ipv4>{ip("10.0.0.1"), ip("10.0.0.2")});
  CHECK(g.wins == std::vector<ravpn::Ipv4>{ip("10.0.0.3")});
  CHECK(g.domain == "corp.example");
  CHECK(g.pool == "ourpool");
  CHECK(g.split_tunnel_acl == "150");
  CHECK(g.split_dns == std::vector<std::string>{"corp.example"});
  CHECK(g.pfs);
  CHECK(g.backup_servers == std::vector<std::string>{"192.0.2.9", "vpn2.example"});
  CHECK(g.max_users == 25u);
  CHECK(g.max_logins == 2u);
  CHECK(g.include_local_lan);
  CHECK(g.save_password);
  CHECK(g.banner == "Welcome\n to sales");
  CHECK(lines_of(c, K::Partial, "firewall") == std::vector<int>{18});
  // Read, but not enforced as IOS does: reported with what differs (include-local-lan takes effect: LOCAL_LAN).
  CHECK(lines_of(c, K::Partial, "max-users") == std::vector<int>{12});
  CHECK(lines_of(c, K::Partial, "max-logins") == std::vector<int>{13});
  CHECK(c.isakmp_identity == "hostname");
  CHECK(c.dpd_keepalive_seconds == 20u);
  CHECK(c.dpd_retry_seconds == 5u);
  CHECK(c.natt_keepalive_seconds == 20u);
}

TEST_CASE("dynamic map, transform set mode, global SA lifetime, servers") {
  Config c = parse_ios(
      "crypto ipsec transform-set strong esp-aes 256 esp-sha-hmac\n"
      " mode transport\n"
      "crypto ipsec security-association lifetime seconds 28800\n"
      "crypto ipsec security-association lifetime kilobytes 4608000\n"
      "crypto dynamic-map dyn 20\n"
      " set transform-set strong weak\n"
      " set pfs group2\n"
      " set security-association lifetime seconds 1800\n"
      " match address 120\n"
      "crypto dynamic-map dyn 10\n"
      " set pfs\n"
      "radius-server host 10.0.0.5 auth-port 1812 acct-port 1813 key r@dius key\n"
      "tacacs-server host 10.0.0.6\n"
      "tacacs-server key 7 0822455D0A16\n"
      "tacacs-server timeout 7\n"
      "aaa authentication login vpn group radius local\n"
      "aaa authentication login old tacacs+ none\n",
      "t.cfg");
  CHECK_FALSE(c.has_errors());
  CHECK(c.transform_sets.at("strong").transforms == std::vector<std::string>{"esp-aes 256", "esp-sha-hmac"});
  CHECK(c.transform_sets.at("strong").mode == "transport");
  CHECK(c.ipsec_lifetime_seconds == 28800u);
  CHECK(c.ipsec_lifetime_kilobytes == 4608000u);
  REQUIRE(c.dynamic_maps.size() == 2);
  CHECK(c.dynamic_maps[0].sequence == 10);
  CHECK(c.dynamic_maps[0].pfs_group == 1);
  CHECK(c.dynamic_maps[1].transform_sets == std::vector<std::string>{"strong", "weak"});
  CHECK(c.dynamic_maps[1].pfs_group == 2);
  CHECK(c.dynamic_maps[1].lifetime_seconds == 1800u);
  CHECK(c.dynamic_maps[1].match_acl == "120");
  REQUIRE(c.aaa_servers.size() == 2);
  CHECK(c.aaa_servers[0].protocol == "radius");
  CHECK(c.aaa_servers[0].auth_port == 1812);
  CHECK(c.aaa_servers[0].acct_port == 1813);
  CHECK(c.aaa_servers[0].key == "r@dius key");
  CHECK(c.aaa_servers[1].protocol == "tacacs+");
  CHECK(c.aaa_servers[1].key == "cisco");  // from `tacacs-server key 7`
  CHECK(c.aaa_servers[1].timeout_seconds == 7u);
  CHECK(c.aaa_authentication_login.at("vpn").methods == std::vector<std::string>{"radius", "local"});
  CHECK(c.aaa_authentication_login.at("old").methods == std::vector<std::string>{"tacacs+", "none"});
}

TEST_CASE("aaa accounting network: the first start-stop list's group, the periodic update interval") {
  Config c = parse_ios(
      "aaa new-model\n"
      "aaa accounting update periodic 5\n"                               // 2
      "aaa accounting network acct start-stop group radius\n"           // 3
      "aaa accounting network other stop-only group tacacs+\n"          // 4
      "aaa accounting exec default start-stop group tacacs+\n"          // 5
      "aaa accounting network none-list none\n"                         // 6
      "aaa accounting network bad start-stop\n",                        // 7
      "t.cfg");
  CHECK(c.aaa_accounting.servers == "radius");
  CHECK(c.aaa_accounting.interim_seconds == 300u);
  CHECK(c.aaa_accounting.origin.line == 3);
  auto partial_lines = [&](const std::string& command) {
    std::vector<int> out;
    for (const auto& d : c.diagnostics)
      if (d.kind == Diagnostic::Kind::Partial && d.command == command) out.push_back(d.origin.line);
    return out;
  };
  CHECK(partial_lines("aaa accounting network") == std::vector<int>{4});
  CHECK(partial_lines("aaa accounting") == std::vector<int>{5});
  CHECK(c.has_errors());  // line 7: no group
  Config grouped = parse_ios(
      "aaa new-model\n"
      "aaa accounting network default start-stop broadcast group RAD-GROUP group radius\n",
      "t.cfg");
  CHECK(grouped.aaa_accounting.servers == "RAD-GROUP");
  CHECK(grouped.aaa_accounting.interim_seconds == std::nullopt);
}

TEST_CASE("aaa group server tacacs+: members take the global host's key, port and timeout") {
  Config c = parse_ios(
      "aaa new-model\n"
      "tacacs-server host 10.0.0.6 port 4949 key tk6\n"
      "tacacs-server host 10.0.0.7\n"
      "tacacs-server key global\n"
      "tacacs-server timeout 3\n"
      "aaa group server tacacs+ TAC-GROUP\n"
      " server 10.0.0.7\n"
      " server 10.0.0.6\n"
      "aaa authentication login vpn group TAC-GROUP local\n",
      "t.cfg");
  CHECK_FALSE(c.has_errors());
  REQUIRE(c.aaa_servers.size() == 4);
  const auto& first = c.aaa_servers[2];  // group members come after the global hosts, in the group's order
  CHECK(first.tag == "TAC-GROUP");
  CHECK(first.protocol == "tacacs+");
  CHECK(first.host.str() == "10.0.0.7");
  CHECK(first.key == "global");
  CHECK(first.timeout_seconds == 3u);
  CHECK(c.aaa_servers[3].host.str() == "10.0.0.6");
  CHECK(c.aaa_servers[3].key == "tk6");
  CHECK(c.aaa_servers[3].auth_port == 4949);
  CHECK(c.aaa_authentication_login.at("vpn").methods == std::vector<std::string>{"TAC-GROUP", "local"});
  CHECK(parse_ios("aaa group server tacacs+ tacacs+\n", "t.cfg").has_errors());
}

TEST_CASE("blocks: '!' closes, unknown blocks swallow their lines, banners span lines") {
  Config c = parse_ios(
      "router ospf 1\n network 10.0.0.0 0.255.255.255 area 0\n!\n"
      "banner motd ^C\nhostname not-really\ncrypto isakmp key inbanner address 0.0.0.0 0.0.0.0\n^C\n"
      "controller T1 0\n framing esf\n"
      "snmp-server community s3cr3t RO\n"
      "frobnicate now\n indented under unknown\n"
      "no ip domain-lookup\n"
      "end\n"
      "router#\n",
      "t.cfg");
  CHECK_FALSE(c.has_errors());
  CHECK(c.hostname.empty());
  CHECK(c.isakmp_keys.empty());
  CHECK(lines_of(c, K::Ignored, "router") == std::vector<int>{1, 2});
  CHECK(lines_of(c, K::Ignored, "banner") == std::vector<int>{4});
  CHECK(lines_of(c, K::Ignored, "controller") == std::vector<int>{8, 9});
  CHECK(lines_of(c, K::Ignored, "snmp-server") == std::vector<int>{10});
  CHECK(lines_of(c, K::Ignored, "frobnicate") == std::vector<int>{11, 12});
  CHECK(lines_of(c, K::Ignored, "ip domain-lookup") == std::vector<int>{13});
  CHECK(lines_of(c, K::Ignored, "after end") == std::vector<int>{15});
  for (const auto& d : c.diagnostics) CHECK(d.text.find("s3cr3t") == std::string::npos);
}
