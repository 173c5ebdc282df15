// Secrets never reach the log (phase1_sa.hpp: "Secrets live in secure vectors and are never logged"). Every Harness
// checks its own log on destruction; this test drives each scenario once more with debug logging on and also reads
// everything any logger of this test run has written so far.
#include <doctest/doctest.h>

#include "harness.hpp"

using namespace ravpn;
using namespace ravpn::ike;
using namespace ravpn::ike::test;

TEST_CASE("secrets: cisco1234 and grouppass123 never appear in the log, whatever happens") {
  std::string text;
  {
    Harness h(fixture("ios-easyvpn.cfg"));
    Initiator mm(mm_options({des_md5_g1()}));
    main_mode(h, mm);
    h.one(mm.dpd_r_u_there(1, 0x01000001));
    h.feed(mm.delete_isakmp(0x01000002));

    Initiator am(am_options({tdes_md5_g2(1, ike_auth::XauthInitPreShared)}));
    aggressive_mode(h, am, true);

    Initiator bad_mm(mm_options({tdes_md5_g2()}, "wrongkey99", 8));
    REQUIRE(bad_mm.take_mm2(h.one(bad_mm.mm1())));
    REQUIRE(bad_mm.take_mm4(h.one(bad_mm.mm3())));
    h.feed(bad_mm.mm5());

    Initiator bad_am(am_options({tdes_md5_g2(1, ike_auth::XauthInitPreShared)}, "wronggroup77", 9));
    CHECK_FALSE(bad_am.take_am2(h.one(bad_am.am1())));
    h.feed(bad_am.am3(true));

    Initiator none(mm_options({make_transform(1, ike_enc::Aes, ike_hash::Sha512, ike_auth::PreShared, 15, 128)}));
    h.one(none.mm1());

    Initiator half(mm_options({tdes_md5_g2()}, "cisco1234", 10));
    REQUIRE(half.take_mm2(h.one(half.mm1())));
    h.time.advance(std::chrono::seconds(200));
    h.responder.tick();

    CHECK(h.responder.stats().auth_failed == 2);
    CHECK(h.responder.stats().phase1_established == 2);
    CHECK(h.log.lines.size() > 20);
    text = h.log.text();
  }
  {
    Harness h(kSeedPixAsIos);
    Initiator am(am_options(vpn_client4_transforms()));
    aggressive_mode(h, am, false);
    text += h.log.text();
  }
  for (const auto& s : secrets()) {
    CHECK_MESSAGE(text.find(s) == std::string::npos, "'" << s << "' logged");
    CHECK_MESSAGE(CapturingLogger::all_text().find(s) == std::string::npos, "'" << s << "' logged by some test");
  }
  // The log names where a key came from, never the key.
  CHECK(text.find("isakmp key for 0.0.0.0/0") != std::string::npos);
  CHECK(text.find("group vpn3000") != std::string::npos);
}
