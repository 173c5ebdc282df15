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

TEST_CASE("INITIAL-CONTACT from one user behind a NAT leaves a colleague on the same address alone") {
  // Two users behind one home/office NAT: same outside address, different source ports, the same group ID.
  Harness h(fixture("ios-easyvpn.cfg"));
  auto john_opts = am_options({tdes_md5_g2(1, ike_auth::XauthInitPreShared)}, "grouppass123", 21);
  john_opts.self = Endpoint{ip("198.51.100.9"), 40001};
  Initiator john(john_opts);
  aggressive_mode(h, john, true);
  auto jane_opts = am_options({tdes_md5_g2(1, ike_auth::XauthInitPreShared)}, "grouppass123", 22);
  jane_opts.self = Endpoint{ip("198.51.100.9"), 40002};
  Initiator jane(jane_opts);
  aggressive_mode(h, jane, true);
  CHECK(h.responder.sa_count() == 2);
  CHECK(h.responder.find(john.rcookie()) != nullptr);
  CHECK_FALSE(h.log.contains("INITIAL-CONTACT: removing older"));

  // John reconnects through the same NAT mapping: only his older SA goes.
  auto again_opts = am_options({tdes_md5_g2(1, ike_auth::XauthInitPreShared)}, "grouppass123", 23);
  again_opts.self = Endpoint{ip("198.51.100.9"), 40001};
  Initiator again(again_opts);
  aggressive_mode(h, again, true);
  CHECK(h.responder.find(john.rcookie()) == nullptr);
  CHECK(h.responder.find(jane.rcookie()) != nullptr);
  CHECK(h.responder.find(again.rcookie()) != nullptr);
}

TEST_CASE("INITIAL-CONTACT with another phase 1 identity on the same address and port removes nothing") {
  Harness h(fixture("ios-easyvpn.cfg"));
  Initiator first(am_options({tdes_md5_g2(1, ike_auth::XauthInitPreShared)}, "grouppass123", 31));
  aggressive_mode(h, first, true);
  Initiator by_address(mm_options({tdes_md5_g2()}, "cisco1234", 32));  // ID_IPV4_ADDR, not the group's KEY_ID
  main_mode(h, by_address);
  CHECK(h.responder.find(first.rcookie()) != nullptr);
  CHECK(h.responder.find(by_address.rcookie()) != nullptr);
}
