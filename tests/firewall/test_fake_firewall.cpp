// tests/fakes/fake_firewall.hpp: what it records, refusing an apply keeps the previous state.
#include <doctest/doctest.h>

#include "daemon/firewall/ruleset.hpp"
#include "tests/fakes/fake_firewall.hpp"
#include "tests/firewall/configs.hpp"

using namespace ravpn;

TEST_CASE("fake firewall: applies, a refused apply, remove") {
  testing::FakeFirewall fw;
  CHECK(!fw.installed());
  const auto first =
      firewall::build_firewall(firewall::test::pix_seed_like(), {{"outside", "eth0"}, {"inside", "eth1"}});
  CHECK(!fw.apply(first));
  REQUIRE(fw.installed());
  CHECK(fw.installed()->ruleset == first.ruleset);

  const auto second =
      firewall::build_firewall(firewall::test::pix_seed_like(true), {{"outside", "eth0"}, {"inside", "eth1"}});
  fw.fail_next_apply("nft: Error: syntax error");
  CHECK(fw.apply(second) == "nft: Error: syntax error");
  CHECK(fw.installed()->ruleset == first.ruleset);  // the kernel kept the old table
  CHECK(!fw.apply(second));
  CHECK(fw.installed()->ruleset == second.ruleset);
  CHECK(fw.applies().size() == 3);

  fw.remove();
  CHECK(fw.removes() == 1);
  CHECK(!fw.installed());
}
