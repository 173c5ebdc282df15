// Configuration reload: which running tunnels the new config still allows (ike/reload_check.hpp), and that the
// responder deletes exactly the others (Responder::drop_disallowed) with their kernel SAs and leases.
#include <doctest/doctest.h>

#include "ike/reload_check.hpp"
#include "phase2_initiator.hpp"

using namespace ravpn;
using namespace ravpn::ike;
using namespace ravpn::ike::test;

namespace {

// ios-easyvpn.cfg with one line replaced (the line must exist).
config::Config easyvpn_with(const std::string& line, const std::string& replacement) {
  std::string text = fixture("ios-easyvpn.cfg");
  auto at = text.find(line);
  REQUIRE_MESSAGE(at != std::string::npos, line);
  text.replace(at, line.size(), replacement);
  auto c = config::parse_ios(text, "next.cfg");
  REQUIRE(!c.has_errors());
  return c;
}

}  // namespace

TEST_CASE("reload: a tunnel stays unless the new config takes away its key, user, address or transform") {
  Phase2Harness h(fixture("ios-easyvpn.cfg"));
  Client c(vpn_client11_options());
  const Ipv4 address = main_mode_with_address(h, c);
  quick_mode(h, c, address);
  REQUIRE(h.responder.sa_count() == 1);
  const Phase1Sa& sa = *h.responder.sas().front();
  const auto same = config::parse_ios(fixture("ios-easyvpn.cfg"), "same.cfg");

  CHECK_FALSE(reload_objection(same, sa, &same.users));
  // More addresses, another DNS server: nothing the tunnel stands on.
  CHECK_FALSE(reload_objection(easyvpn_with("ip local pool ourpool 10.2.1.1 10.2.1.254",
                                            "ip local pool ourpool 10.2.1.1 10.2.2.254"), sa, nullptr));
  CHECK_FALSE(reload_objection(easyvpn_with(" dns 10.21.1.10", " dns 10.21.1.11"), sa, nullptr));

  auto why = reload_objection(easyvpn_with("ip local pool ourpool 10.2.1.1 10.2.1.254",
                                           "ip local pool ourpool 10.2.1.100 10.2.1.254"), sa, nullptr);
  REQUIRE(why);
  CHECK(*why == "address 10.2.1.1 is no longer in pool ourpool");

  why = reload_objection(easyvpn_with("crypto ipsec transform-set mypolicy esp-des esp-md5-hmac",
                                      "crypto ipsec transform-set mypolicy esp-aes 256 esp-sha-hmac"), sa, nullptr);
  REQUIRE(why);
  CHECK(*why == "transform esp-des esp-md5-hmac is no longer offered");

  why = reload_objection(easyvpn_with("crypto isakmp key cisco1234 address 0.0.0.0 0.0.0.0",
                                      "crypto isakmp key cisco1234 address 203.0.113.0 255.255.255.0"), sa, nullptr);
  REQUIRE(why);
  CHECK(why->find("no isakmp key covers 198.51.100.7") != std::string::npos);

  auto without_john = easyvpn_with("username john password 0 doe\n", "");
  why = reload_objection(without_john, sa, &without_john.users);
  REQUIRE(why);
  CHECK(*why == "user john is gone");
  // With a RADIUS backend the config's users say nothing about john.
  CHECK_FALSE(reload_objection(without_john, sa, nullptr));

  // The responder deletes what an objection names: a delete to the peer, the kernel SAs out, the lease back.
  const size_t sent_before = h.sender.sent.size();
  CHECK(h.responder.drop_disallowed(
            [&](const Phase1Sa& s) { return reload_objection(without_john, s, &without_john.users); },
            "configuration reload: ") == 1);
  CHECK(h.responder.sa_count() == 0);
  CHECK(h.kernel.sas().empty());
  CHECK(h.kernel.policies().empty());
  CHECK(h.sender.sent.size() > sent_before);
  CHECK(h.log.contains("configuration reload: user john is gone"));
  CHECK(h.responder.pools()->at("ourpool").leased() == 0);
}
