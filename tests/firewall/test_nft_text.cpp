// Every AclMatch form in nft syntax, and the small text helpers (daemon/firewall/nft_text.hpp).
#include <doctest/doctest.h>

#include "daemon/firewall/nft_text.hpp"
#include "tests/firewall/configs.hpp"

using namespace ravpn;
using namespace ravpn::firewall;
using namespace ravpn::firewall::test;
using Op = config::PortMatch::Op;

namespace {

config::AclMatch tcp(Ipv4Net src, Ipv4Net dst, config::PortMatch sport, config::PortMatch dport, int proto = 6) {
  auto m = match(proto, src, dst);
  m.source_ports = sport;
  m.destination_ports = dport;
  return m;
}

}  // namespace

TEST_CASE("addresses: any, host, prefix, wildcard") {
  CHECK(nft::address_match("ip saddr", any()) == "");
  CHECK(nft::address_match("ip saddr", host("10.1.1.5")) == "ip saddr 10.1.1.5");
  CHECK(nft::address_match("ip daddr", net("10.1.1.0", 24)) == "ip daddr 10.1.1.0/24");
  CHECK(nft::address_match("ip daddr", net("10.1.1.77", 24)) == "ip daddr 10.1.1.0/24");  // host bits dropped
  // IOS wildcard 0.0.255.0 (mask 255.255.0.255): a bitwise compare.
  CHECK(nft::address_match("ip saddr", {ip("10.1.7.1"), ip("255.255.0.255")}) ==
        "ip saddr & 255.255.0.255 == 10.1.0.1");
  CHECK(nft::address_match("ct original ip daddr", host("192.0.2.11")) == "ct original ip daddr 192.0.2.11");
  CHECK(nft::prefix_text(net("0.0.0.0", 0)) == "0.0.0.0/0");
  CHECK(!nft::prefix_text({ip("10.0.0.0"), ip("255.0.255.0")}));
}

TEST_CASE("ACL match: protocols") {
  CHECK(nft::acl_match(match(-1, any(), any())) == "");
  CHECK(nft::acl_match(match(-1, net("10.21.1.0", 24), net("10.2.1.0", 24))) ==
        "ip saddr 10.21.1.0/24 ip daddr 10.2.1.0/24");
  CHECK(nft::acl_match(match(1, any(), host("10.89.129.131"))) == "ip protocol icmp ip daddr 10.89.129.131");
  CHECK(nft::acl_match(match(6, any(), any())) == "ip protocol tcp");
  CHECK(nft::acl_match(match(17, any(), any())) == "ip protocol udp");
  CHECK(nft::acl_match(match(47, any(), any())) == "ip protocol gre");
  CHECK(nft::acl_match(match(50, any(), any())) == "ip protocol esp");
  CHECK(nft::acl_match(match(51, any(), any())) == "ip protocol ah");
  CHECK(nft::acl_match(match(89, any(), any())) == "ip protocol 89");
  CHECK(!nft::acl_match(match(256, any(), any())));
}

TEST_CASE("ACL match: ports eq, neq, lt, gt, range on both sides, tcp and udp") {
  const config::PortMatch none;
  CHECK(nft::acl_match(tcp(any(), host("10.1.1.1"), none, {Op::Eq, 80, 0})) ==
        "ip protocol tcp ip daddr 10.1.1.1 tcp dport 80");
  CHECK(nft::acl_match(tcp(any(), any(), none, {Op::Neq, 23, 0})) == "ip protocol tcp tcp dport != 23");
  CHECK(nft::acl_match(tcp(any(), any(), none, {Op::Lt, 1024, 0})) == "ip protocol tcp tcp dport < 1024");
  CHECK(nft::acl_match(tcp(any(), any(), none, {Op::Gt, 1023, 0})) == "ip protocol tcp tcp dport > 1023");
  CHECK(nft::acl_match(tcp(any(), any(), none, {Op::Range, 6000, 6063})) == "ip protocol tcp tcp dport 6000-6063");
  CHECK(nft::acl_match(tcp(host("10.1.1.2"), any(), {Op::Eq, 53, 0}, none, 17)) ==
        "ip protocol udp ip saddr 10.1.1.2 udp sport 53");
  CHECK(nft::acl_match(tcp(any(), any(), {Op::Gt, 1023, 0}, {Op::Range, 137, 139}, 17)) ==
        "ip protocol udp udp sport > 1023 udp dport 137-139");
  CHECK(nft::acl_match(tcp(any(), any(), {Op::Neq, 20, 0}, {Op::Lt, 10, 0})) ==
        "ip protocol tcp tcp sport != 20 tcp dport < 10");
  // Not expressible: ports without tcp/udp, a range upside down.
  CHECK(!nft::acl_match(tcp(any(), any(), none, {Op::Eq, 80, 0}, -1)));
  CHECK(!nft::acl_match(tcp(any(), any(), none, {Op::Eq, 80, 0}, 1)));
  CHECK(!nft::acl_match(tcp(any(), any(), none, {Op::Range, 90, 80})));
}

TEST_CASE("ACL match: icmp type, original destination") {
  auto m = match(1, any(), host("10.89.129.131"));
  m.icmp_type = 8;
  CHECK(nft::acl_match(m) == "ip protocol icmp ip daddr 10.89.129.131 icmp type 8");
  CHECK(nft::acl_match(m, nft::Destination::Original) ==
        "ip protocol icmp ct original ip daddr 10.89.129.131 icmp type 8");
  m.icmp_type = 0;
  CHECK(nft::acl_match(m) == "ip protocol icmp ip daddr 10.89.129.131 icmp type 0");
  m.protocol = 6;  // an ICMP type on tcp
  CHECK(!nft::acl_match(m));
  m.protocol = 1;
  m.icmp_type = 300;
  CHECK(!nft::acl_match(m));
}

TEST_CASE("interfaces, comments, identifiers, origins") {
  CHECK(nft::interface_match("iifname", {}) == "");
  CHECK(nft::interface_match("iifname", {"eth0"}) == "iifname \"eth0\"");
  CHECK(nft::interface_match("oifname", {"eth0", "eth1"}) == "oifname { \"eth0\", \"eth1\" }");
  CHECK(nft::usable_interface_name("eth0"));
  CHECK(nft::usable_interface_name("enp0s31f6.100"));
  CHECK(!nft::usable_interface_name(""));
  CHECK(!nft::usable_interface_name("a\"b"));
  CHECK(!nft::usable_interface_name("a b"));
  CHECK(!nft::usable_interface_name("0123456789abcdef"));  // 16 > IFNAMSIZ - 1
  CHECK(nft::comment_text("a\nb\tc") == "a b c");
  CHECK(nft::rule_comment("") == "");
  CHECK(nft::rule_comment("x \"y\" \\z") == " comment \"x 'y' 'z\"");
  CHECK(nft::rule_comment(std::string(300, 'a')).size() == std::string(" comment \"\"").size() + 127);
  CHECK(nft::identifier("acl_outside-in.v2") == "acl_outside_in_v2");
  CHECK(nft::origin_tag({"tests/config/fixtures/pix-seed.cfg", 57}) == "pix-seed.cfg:57");
  CHECK(nft::origin_tag({"pix.cfg", 0}) == "pix.cfg");
  CHECK(nft::origin_tag({}) == "");
}
