// Configs built in code for the firewall tests and fw_apply: what the readers make of the seed configs
// (tests/config/fixtures/pix-seed.cfg, ios-seed.cfg), origins pointing at the seed lines.
#pragma once
#include <string>

#include "daemon/config/model.hpp"

namespace ravpn::firewall::test {

inline Ipv4 ip(const char* s) {
  return *Ipv4::parse(s);
}
inline Ipv4Net net(const char* a, int prefix) {
  return {ip(a), prefix_to_mask(prefix)};
}
inline Ipv4Net any() {
  return {Ipv4{0}, Ipv4{0}};
}
inline Ipv4Net host(const char* a) {
  return net(a, 32);
}

inline config::AclEntry entry(bool permit, std::string text, config::AclMatch m, config::Origin origin) {
  return {permit, std::move(text), std::move(m), std::move(origin)};
}

inline config::AclMatch match(int protocol, Ipv4Net source, Ipv4Net destination) {
  config::AclMatch m;
  m.protocol = protocol;
  m.source = source;
  m.destination = destination;
  return m;
}

// tests/config/fixtures/pix-seed.cfg as the PIX reader will give it. WWW_ONLY: access-list 120 is
// `permit icmp any host 10.89.129.131` + `permit tcp any host 10.89.129.131 eq www` (no udp, no other tcp port).
inline config::Config pix_seed_like(bool www_only = false) {
  const std::string file = "tests/config/fixtures/pix-seed.cfg";
  auto at = [&](int line) { return config::Origin{file, line}; };
  config::Config c;
  c.source = file;
  c.dialect = config::Dialect::Pix;
  c.hostname = "pixfirewall";

  config::Interface outside;
  outside.name = "outside";
  outside.hardware = "ethernet0";
  outside.address = net("192.0.2.1", 24);
  outside.security_level = 0;
  outside.crypto_maps = {"mymap"};
  outside.origin = at(6);
  config::Interface inside;
  inside.name = "inside";
  inside.hardware = "ethernet1";
  inside.address = Ipv4Net{ip("10.89.129.194"), prefix_to_mask(28)};
  inside.security_level = 100;
  inside.origin = at(7);
  c.interfaces = {outside, inside};
  c.isakmp_enabled_interfaces = {"outside"};
  c.crypto_maps["mymap"].name = "mymap";
  c.crypto_maps["mymap"].interfaces = {"outside"};

  c.access_lists["101"] = {"101",
                           {entry(true, "ip 10.89.129.128 255.255.255.240 10.89.129.192 255.255.255.240",
                                  match(-1, net("10.89.129.128", 28), net("10.89.129.192", 28)), at(27))}};
  auto& acl120 = c.access_lists["120"];
  acl120.name = "120";
  acl120.entries.push_back(entry(true, "icmp any host 10.89.129.131", match(1, any(), host("10.89.129.131")), at(31)));
  if (www_only) {
    auto m = match(6, any(), host("10.89.129.131"));
    m.destination_ports = {config::PortMatch::Op::Eq, 80, 0};
    acl120.entries.push_back(entry(true, "tcp any host 10.89.129.131 eq www", m, at(32)));
  } else {
    acl120.entries.push_back(entry(true, "tcp any host 10.89.129.131", match(6, any(), host("10.89.129.131")), at(32)));
    acl120.entries.push_back(
        entry(true, "udp any host 10.89.129.131", match(17, any(), host("10.89.129.131")), at(33)));
  }

  c.pools["VPNpool"] = {"VPNpool", {{ip("10.89.129.200"), ip("10.89.129.204")}}, at(43)};

  c.nat_exemptions.push_back({"inside", "101", at(53)});
  config::DynamicNat nat1;
  nat1.id = 1;
  nat1.real_interface = "inside";
  nat1.mapped_interface = "outside";
  nat1.network = any();
  nat1.mapped_ranges = {{ip("192.0.2.6"), ip("192.0.2.10")}};
  nat1.origin = at(54);
  c.dynamic_nats.push_back(nat1);
  config::StaticNat web;
  web.real_interface = "inside";
  web.mapped_interface = "outside";
  web.real = host("10.89.129.131");
  web.mapped = ip("192.0.2.11");
  web.origin = at(56);
  c.static_nats.push_back(web);
  c.access_groups.push_back({"120", "outside", true, at(58)});
  c.sysopt_permit_ipsec = true;
  c.routes.push_back({"outside", any(), ip("192.0.2.3"), at(60)});
  c.routes.push_back({"inside", net("10.89.129.128", 25), ip("10.89.129.193"), at(63)});
  return c;
}

// tests/config/fixtures/ios-seed.cfg: route-map nonat (ACL 101: deny inside -> pool, permit inside -> any) to the
// NAT pool outsidepool 192.0.2.50-60; `ip nat inside` / `ip nat outside` interfaces; no security levels.
inline config::Config ios_seed_like() {
  const std::string file = "tests/config/fixtures/ios-seed.cfg";
  auto at = [&](int line) { return config::Origin{file, line}; };
  config::Config c;
  c.source = file;
  c.dialect = config::Dialect::Ios;

  config::Interface inside;
  inside.name = "FastEthernet0/0";
  inside.address = net("10.21.1.48", 24);
  inside.nat_inside = true;
  inside.origin = at(41);
  config::Interface outside;
  outside.name = "FastEthernet0/1";
  outside.address = net("192.0.2.1", 24);
  outside.nat_outside = true;
  outside.crypto_maps = {"test"};
  outside.origin = at(47);
  config::Interface unused;
  unused.name = "Ethernet2/0";
  unused.origin = at(56);
  config::Interface unused2;
  unused2.name = "Ethernet2/1";
  unused2.origin = at(60);
  c.interfaces = {inside, outside, unused, unused2};
  c.isakmp_enabled_interfaces = {"FastEthernet0/1"};

  c.pools["ourpool"] = {"ourpool", {{ip("10.2.1.1"), ip("10.2.1.254")}}, at(64)};
  c.nat_pools["outsidepool"] = {"outsidepool", {ip("192.0.2.50"), ip("192.0.2.60")}, ip("255.255.255.0"), at(65)};
  config::DynamicNat nat;
  nat.route_map = "nonat";
  nat.nat_pool = "outsidepool";
  nat.mapped_ranges = {{ip("192.0.2.50"), ip("192.0.2.60")}};
  nat.origin = at(66);
  c.dynamic_nats.push_back(nat);
  c.access_lists["101"] = {"101",
                           {entry(false, "ip 10.21.1.0 0.0.0.255 10.2.1.0 0.0.0.255",
                                  match(-1, net("10.21.1.0", 24), net("10.2.1.0", 24)), at(71)),
                            entry(true, "ip 10.21.1.0 0.0.0.255 any", match(-1, net("10.21.1.0", 24), any()), at(72))}};
  config::RouteMapEntry rm;
  rm.name = "nonat";
  rm.permit = true;
  rm.sequence = 10;
  rm.match_acls = {"101"};
  rm.origin = at(73);
  c.route_maps.push_back(rm);
  return c;
}

// Every construct build_firewall knows, in one PIX-dialect config (for `nft -c` and the kernel): three interfaces
// with levels, a netmask static, static PAT (tcp and udp), an ACL-selected dynamic NAT with a PAT address, interface
// PAT, a route-map with deny and permit entries, an exemption, every AclMatch form, lines not understood.
inline config::Config kitchen_sink() {
  using Op = config::PortMatch::Op;
  config::Config c = pix_seed_like();
  c.source = "kitchen-sink.cfg";
  auto at = [](int line) { return config::Origin{"kitchen-sink.cfg", line}; };
  config::Interface dmz;
  dmz.name = "dmz";
  dmz.address = net("10.50.0.1", 24);
  dmz.security_level = 50;
  c.interfaces.push_back(dmz);

  auto& acl = c.access_lists["dmz_in"];
  acl.name = "dmz_in";
  int line = 100;
  auto add = [&](bool permit, const std::string& text, config::AclMatch m) {
    acl.entries.push_back(entry(permit, text, m, at(line++)));
  };
  add(true, "ip any any", match(-1, any(), any()));
  add(false, "ip host 10.50.0.9 any", match(-1, host("10.50.0.9"), any()));
  add(true, "ip 10.50.0.0 0.0.255.0 any", match(-1, {ip("10.50.0.0"), ip("255.255.0.255")}, any()));
  add(true, "icmp any host 192.0.2.11 echo", [] {
    auto m = match(1, any(), host("192.0.2.11"));
    m.icmp_type = 8;
    return m;
  }());
  for (auto op : {Op::Eq, Op::Neq, Op::Lt, Op::Gt, Op::Range}) {
    auto m = match(6, net("10.50.0.0", 24), net("10.89.129.128", 28));
    m.destination_ports = {op, 80, 8080};
    m.source_ports = {op, 1024, 2048};
    add(true, "tcp ports", m);
    m.protocol = 17;
    add(false, "udp ports", m);
  }
  add(true, "gre any any", match(47, any(), any()));
  add(true, "esp any any", match(50, any(), any()));
  add(true, "ah any any", match(51, any(), any()));
  add(true, "132 any any", match(132, any(), any()));
  acl.entries.push_back(config::AclEntry{true, "object-group x any any", std::nullopt, at(line++)});
  c.access_groups.push_back({"dmz_in", "dmz", true, at(150)});

  config::StaticNat block;
  block.real_interface = "dmz";
  block.mapped_interface = "outside";
  block.real = net("10.50.0.32", 27);
  block.mapped = ip("192.0.2.32");
  block.origin = at(160);
  config::StaticNat pat_tcp;
  pat_tcp.real_interface = "inside";
  pat_tcp.mapped_interface = "outside";
  pat_tcp.real = host("10.89.129.132");
  pat_tcp.mapped = ip("192.0.2.1");
  pat_tcp.protocol = 6;
  pat_tcp.mapped_port = 25;
  pat_tcp.real_port = 2525;
  pat_tcp.origin = at(161);
  config::StaticNat pat_udp = pat_tcp;
  pat_udp.protocol = 17;
  pat_udp.mapped = ip("192.0.2.12");
  pat_udp.mapped_port = 53;
  pat_udp.real_port = 53;
  pat_udp.origin = at(162);
  c.static_nats.push_back(block);
  c.static_nats.push_back(pat_tcp);
  c.static_nats.push_back(pat_udp);

  c.access_lists["natacl"] = {
      "natacl",
      {entry(false, "ip 10.50.0.0 255.255.255.0 10.89.129.192 255.255.255.240",
             match(-1, net("10.50.0.0", 24), net("10.89.129.192", 28)), at(170)),
       entry(true, "ip 10.50.0.0 255.255.255.0 any", match(-1, net("10.50.0.0", 24), any()), at(171))}};
  config::DynamicNat by_acl;
  by_acl.id = 2;
  by_acl.real_interface = "dmz";
  by_acl.mapped_interface = "outside";
  by_acl.acl = "natacl";
  by_acl.mapped_ranges = {{ip("192.0.2.20"), ip("192.0.2.20")}, {ip("192.0.2.21"), ip("192.0.2.29")}};
  by_acl.origin = at(172);
  config::DynamicNat to_dmz;
  to_dmz.id = 3;
  to_dmz.real_interface = "inside";
  to_dmz.mapped_interface = "dmz";
  to_dmz.network = net("10.89.129.128", 25);
  to_dmz.interface_pat = true;
  to_dmz.origin = at(173);
  config::DynamicNat by_route_map;
  by_route_map.id = 4;
  by_route_map.real_interface = "inside";
  by_route_map.mapped_interface = "outside";
  by_route_map.route_map = "rm";
  by_route_map.mapped_ranges = {{ip("192.0.2.40"), ip("192.0.2.40")}};
  by_route_map.origin = at(174);
  c.dynamic_nats.push_back(by_acl);
  c.dynamic_nats.push_back(to_dmz);
  c.dynamic_nats.push_back(by_route_map);
  config::RouteMapEntry deny{"rm", false, 5, {"101"}, {}, at(180)};
  config::RouteMapEntry permit{"rm", true, 10, {"natacl", "101"}, {"set interface Null0"}, at(181)};
  config::RouteMapEntry rest{"rm", true, 20, {}, {}, at(182)};
  c.route_maps = {deny, permit, rest};
  c.nat_exemptions.push_back({"dmz", "101", at(190)});
  c.pools["second"] = {"second", {{ip("10.50.0.200"), ip("10.50.0.210")}}, at(191)};
  return c;
}

}  // namespace ravpn::firewall::test
