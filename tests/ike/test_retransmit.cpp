// Retransmissions (RFC 2408 §5: a repeated request gets the same answer, without new crypto), byte-for-byte replay
// under fixed seeds (Botan's RFC 8448 tests are the model), and half-open expiry.
#include <doctest/doctest.h>

#include "harness.hpp"

using namespace ravpn;
using namespace ravpn::ike;
using namespace ravpn::ike::test;

TEST_CASE("retransmits: MM1, MM3, MM5 twice each get identical answers, one SA, one DH job") {
  Harness h(fixture("ios-easyvpn.cfg"));
  Initiator ini(mm_options({tdes_md5_g2()}));

  auto mm1 = ini.mm1();
  auto mm2a = h.one(mm1);
  auto mm2b = h.one(mm1);
  CHECK(mm2a.data == mm2b.data);
  CHECK(h.responder.sa_count() == 1);
  CHECK(h.responder.stats().phase1_started == 1);
  REQUIRE(ini.take_mm2(mm2a));

  auto mm3 = ini.mm3();
  auto mm4a = h.one(mm3);
  auto mm4b = h.one(mm3);
  CHECK(mm4a.data == mm4b.data);
  CHECK(h.responder.stats().dh_jobs == 1);
  REQUIRE(ini.take_mm4(mm4a));

  auto mm5 = ini.mm5(true);
  auto first = h.feed(mm5);
  REQUIRE(!first.empty());
  auto mm6b = h.one(mm5);  // only MM6 again: Xauth is not restarted
  CHECK(first[0].data == mm6b.data);
  REQUIRE_MESSAGE(ini.take_mm6(mm6b), ini.error());

  CHECK(h.responder.sa_count() == 1);
  CHECK(h.responder.stats().phase1_established == 1);
  CHECK(h.responder.stats().dh_jobs == 1);
  CHECK(h.responder.stats().retransmits_answered == 3);
  CHECK(h.responder.stats().auth_failed == 0);
}

TEST_CASE("retransmits: AM1 twice gets an identical AM2, one SA, one DH job") {
  Harness h(fixture("ios-easyvpn.cfg"));
  Initiator ini(am_options({tdes_md5_g2(1, ike_auth::XauthInitPreShared)}));
  auto am1 = ini.am1();
  auto am2a = h.one(am1);
  auto am2b = h.one(am1);
  CHECK(am2a.data == am2b.data);
  CHECK(h.responder.sa_count() == 1);
  CHECK(h.responder.stats().dh_jobs == 1);
  REQUIRE_MESSAGE(ini.take_am2(am2b), ini.error());
  auto am3 = ini.am3(true);
  h.feed(am3);
  CHECK(h.responder.find(ini.rcookie())->established());
  // AM3 again: nothing to answer, nothing breaks, still one SA.
  CHECK(h.feed(am3).empty());
  CHECK(h.responder.sa_count() == 1);
  CHECK(h.responder.stats().phase1_established == 1);
}

TEST_CASE("retransmits: an old MM1 after MM3 is not answered with MM2 again and changes nothing") {
  Harness h(fixture("ios-easyvpn.cfg"));
  Initiator ini(mm_options({tdes_md5_g2()}));
  auto mm1 = ini.mm1();
  REQUIRE(ini.take_mm2(h.one(mm1)));
  REQUIRE(ini.take_mm4(h.one(ini.mm3())));
  CHECK(h.feed(mm1).empty());
  CHECK(h.responder.sa_count() == 1);
  REQUIRE_MESSAGE(ini.take_mm6(h.feed(ini.mm5()).at(0)), ini.error());
}

namespace {

// One whole scripted conversation; returns every byte the responder sent.
std::vector<Bytes> conversation(uint64_t responder_seed) {
  Harness h(fixture("ios-easyvpn.cfg"), responder_seed);
  std::vector<Bytes> out;
  {
    Initiator ini(mm_options({tdes_md5_g2()}, "cisco1234", 5));
    for (const auto& d : main_mode(h, ini)) out.push_back(d.data);
    out.push_back(h.one(ini.dpd_r_u_there(42, 0x01020304)).data);
    h.feed(ini.delete_isakmp(0x05060708));
  }
  {
    Initiator ini(am_options({tdes_md5_g2(1, ike_auth::XauthInitPreShared)}, "grouppass123", 6));
    for (const auto& d : aggressive_mode(h, ini, true)) out.push_back(d.data);
  }
  {
    Initiator ini(mm_options({make_transform(1, ike_enc::Aes, ike_hash::Sha256, ike_auth::PreShared, 14, 256)}));
    out.push_back(h.one(ini.mm1()).data);  // NO-PROPOSAL-CHOSEN
  }
  return out;
}

}  // namespace

TEST_CASE("replay: the same seeds and the same initiator give byte-identical responder output") {
  auto a = conversation(1000);
  auto b = conversation(1000);
  REQUIRE(a.size() == b.size());
  CHECK(a.size() >= 8);
  for (size_t i = 0; i < a.size(); ++i) CHECK_MESSAGE(a[i] == b[i], "datagram " << i << " differs");
  // A different responder seed gives different cookies and nonces.
  auto c = conversation(2000);
  REQUIRE(c.size() == a.size());
  CHECK(c[0] != a[0]);
}

TEST_CASE("half-open expiry: 31 s after MM2 the SA is gone; an established SA survives") {
  Harness h(fixture("ios-easyvpn.cfg"));
  Initiator done(mm_options({des_md5_g1()}, "cisco1234", 31));
  main_mode(h, done);

  auto o = mm_options({tdes_md5_g2()}, "cisco1234", 32);
  o.self = Endpoint{ip("203.0.113.50"), 500};
  Initiator half(o);
  REQUIRE(half.take_mm2(h.one(half.mm1())));
  REQUIRE(h.responder.sa_count() == 2);

  h.time.advance(std::chrono::seconds(29));
  h.responder.tick();
  CHECK(h.responder.sa_count() == 2);
  CHECK(h.responder.stats().half_open_expired == 0);

  h.time.advance(std::chrono::seconds(2));  // 31 s
  h.responder.tick();
  CHECK(h.responder.stats().half_open_expired == 1);
  CHECK(h.responder.find(half.rcookie()) == nullptr);
  REQUIRE(h.responder.find(done.rcookie()) != nullptr);
  CHECK(h.responder.find(done.rcookie())->established());
  CHECK(h.responder.sa_count() == 1);

  // The expired negotiation's MM3 now meets unknown cookies: dropped without an answer.
  const auto dropped = h.responder.stats().dropped;
  CHECK(h.feed(half.mm3()).empty());
  CHECK(h.responder.stats().dropped == dropped + 1);

  // Its MM1 again starts afresh (the half-open entry went with the SA).
  Initiator again(o);
  CHECK(again.take_mm2(h.one(again.mm1())));
}

TEST_CASE("half-open expiry after MM4 (keys derived, MM5 never came)") {
  Harness h(fixture("ios-easyvpn.cfg"));
  Initiator ini(mm_options({tdes_md5_g2()}));
  REQUIRE(ini.take_mm2(h.one(ini.mm1())));
  REQUIRE(ini.take_mm4(h.one(ini.mm3())));
  h.time.advance(std::chrono::seconds(31));
  h.responder.tick();
  CHECK(h.responder.sa_count() == 0);
  CHECK(h.responder.stats().half_open_expired == 1);
  CHECK(h.feed(ini.mm5()).empty());
}

TEST_CASE("phase 1 lifetime: the SA is deleted (protected DELETE) once its lifetime is over") {
  Harness h(easyvpn_phase1_only());
  REQUIRE_FALSE(h.config.xauth_enabled());
  auto o = mm_options({make_transform(1, ike_enc::TripleDes, ike_hash::Md5, ike_auth::PreShared, 2, std::nullopt, 600u)});
  Initiator ini(o);
  main_mode(h, ini);
  REQUIRE(h.responder.find(ini.rcookie())->choice.lifetime_seconds == 600);
  h.time.advance(std::chrono::seconds(599));
  h.responder.tick();
  REQUIRE(h.responder.find(ini.rcookie()));
  const size_t before = h.sender.sent.size();
  h.time.advance(std::chrono::seconds(1));
  h.responder.tick();
  CHECK(h.responder.find(ini.rcookie()) == nullptr);
  // The last datagram is the DELETE for the ISAKMP SA, protected, and it verifies.
  REQUIRE(h.sender.sent.size() > before);
  auto chain = ini.open_informational(h.sender.sent.back());
  REQUIRE_MESSAGE(chain, ini.error());
  const auto* d = chain->first_as<DeletePayload>();
  REQUIRE(d);
  CHECK(d->protocol == ProtocolId::Isakmp);
  REQUIRE(d->spis.size() == 1);
  Bytes spi(ini.icookie().bytes.begin(), ini.icookie().bytes.end());
  spi.insert(spi.end(), ini.rcookie().bytes.begin(), ini.rcookie().bytes.end());
  CHECK(d->spis[0] == spi);
}
