// map_interfaces: config interfaces to Linux interfaces by their configured address.
#include <doctest/doctest.h>

#include "daemon/firewall/ruleset.hpp"
#include "tests/firewall/configs.hpp"

using namespace ravpn;
using namespace ravpn::firewall::test;

TEST_CASE("map_interfaces: by address, not by prefix; unknown and address-less interfaces left out") {
  auto c = pix_seed_like();
  config::Interface dmz;
  dmz.name = "dmz";  // no address
  c.interfaces.push_back(dmz);
  config::Interface lab;
  lab.name = "lab";
  lab.address = net("172.16.0.1", 24);  // no Linux interface holds it
  c.interfaces.push_back(lab);

  std::vector<netlink::InterfaceAddress> host{
      {1, "lo", ip("127.0.0.1"), 8},
      {2, "ens3", ip("192.0.2.1"), 24},
      {3, "ens4", ip("10.89.129.194"), 25},  // a different prefix than configured (/28): still the interface
      {4, "ens5", ip("10.89.129.194"), 28},  // the same address twice: the first one wins
  };
  const auto names = firewall::map_interfaces(c, host);
  CHECK(names == firewall::InterfaceNames{{"outside", "ens3"}, {"inside", "ens4"}});

  CHECK(firewall::map_interfaces(c, {}).empty());
  // An entry without a name (if_indextoname failed) is no answer.
  CHECK(firewall::map_interfaces(c, {{9, "", ip("192.0.2.1"), 24}}).empty());
}

TEST_CASE("map_interfaces feeds build_firewall") {
  const auto names =
      firewall::map_interfaces(ios_seed_like(), {{2, "wan0", ip("192.0.2.1"), 24}, {3, "lan0", ip("10.21.1.48"), 24}});
  CHECK(names == firewall::InterfaceNames{{"FastEthernet0/0", "lan0"}, {"FastEthernet0/1", "wan0"}});
  const auto state = firewall::build_firewall(ios_seed_like(), names);
  CHECK(state.ruleset.find("iifname \"lan0\" oifname \"wan0\" jump snat1_nonat_10_101") != std::string::npos);
}
