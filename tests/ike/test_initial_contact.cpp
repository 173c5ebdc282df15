// INITIAL-CONTACT (RFC 2407 §4.6.3.3): a peer that says it holds no other SAs with us gets its older ones removed,
// as the seed PIX trace shows ("delete all SAs shared with 192.168.1.2").
#include <doctest/doctest.h>

#include "harness.hpp"

using namespace ravpn;
using namespace ravpn::ike;
using namespace ravpn::ike::test;

TEST_CASE("INITIAL-CONTACT removes the same peer's older ISAKMP SA, not another peer's") {
  Harness h(fixture("ios-easyvpn.cfg"));
  Initiator old_sa(am_options({tdes_md5_g2(1, ike_auth::XauthInitPreShared)}, "grouppass123", 11));
  aggressive_mode(h, old_sa, true);
  auto other_opts = am_options({tdes_md5_g2(1, ike_auth::XauthInitPreShared)}, "grouppass123", 12);
  other_opts.self = Endpoint{ip("198.51.100.8"), 500};
  Initiator other(other_opts);
  aggressive_mode(h, other, true);
  REQUIRE(h.responder.sa_count() == 2);

  // The first peer comes back (a reboot): new cookies, same address, INITIAL-CONTACT in AM3.
  Initiator again(am_options({tdes_md5_g2(1, ike_auth::XauthInitPreShared)}, "grouppass123", 13));
  aggressive_mode(h, again, true);
  CHECK(h.responder.sa_count() == 2);
  CHECK(h.responder.find(old_sa.rcookie()) == nullptr);
  CHECK(h.responder.find(other.rcookie()) != nullptr);
  CHECK(h.responder.find(again.rcookie()) != nullptr);
  CHECK(h.log.contains("INITIAL-CONTACT: removing older"));
}

TEST_CASE("without INITIAL-CONTACT the older SA of the same peer stays") {
  Harness h(fixture("ios-easyvpn.cfg"));
  Initiator first(mm_options({tdes_md5_g2()}, "cisco1234", 7));
  main_mode(h, first);  // main_mode() sends INITIAL-CONTACT in MM5: the first SA of this peer
  Initiator second(mm_options({tdes_md5_g2()}, "cisco1234", 8));
  REQUIRE(second.take_mm2(h.one(second.mm1())));
  REQUIRE(second.take_mm4(h.one(second.mm3())));
  auto r = h.feed(second.mm5(false));
  REQUIRE_FALSE(r.empty());
  REQUIRE(second.take_mm6(r[0]));
  CHECK(h.responder.sa_count() == 2);
  CHECK(h.responder.find(first.rcookie()) != nullptr);
}
