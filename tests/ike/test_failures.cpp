// Failures: a pre-shared key mismatch (RFC 2409 §5: HASH_I does not verify -> AUTHENTICATION-FAILED) and no
// acceptable proposal (RFC 2408 §5.8 / §3.14.1: NO-PROPOSAL-CHOSEN).
#include <doctest/doctest.h>

#include "harness.hpp"

using namespace ravpn;
using namespace ravpn::ike;
using namespace ravpn::ike::test;

TEST_CASE("main mode, wrong pre-shared key: authentication failed, an encrypted notify, no SA") {
  Harness h(fixture("ios-easyvpn.cfg"));
  Initiator ini(mm_options({tdes_md5_g2()}, "wrongkey99"));
  REQUIRE(ini.take_mm2(h.one(ini.mm1())));
  REQUIRE(ini.take_mm4(h.one(ini.mm3())));
  auto r = h.feed(ini.mm5(true));
  REQUIRE(r.size() == 1);
  auto hd = parse_header(r[0].data);
  REQUIRE(hd);
  CHECK(hd->exchange == ExchangeType::Informational);
  CHECK((hd->flags & flags::Encryption) != 0);  // SKEYID exists: the notify is protected (RFC 2409 §5.7)
  CHECK(hd->message_id.value != 0);
  CHECK(hd->initiator_cookie == ini.icookie());
  CHECK(hd->responder_cookie == ini.rcookie());
  // We hold other keys: the notify does not open for us.
  CHECK_FALSE(ini.open_informational(r[0]));

  CHECK(h.log.contains("authentication failed"));
  CHECK(h.responder.stats().auth_failed == 1);
  CHECK(h.responder.stats().phase1_established == 0);
  CHECK(h.responder.sa_count() == 0);
  CHECK(h.responder.find(ini.rcookie()) == nullptr);
  CHECK(h.xauth.users.empty());
}

TEST_CASE("main mode, right key but a bad HASH_I: authentication failed, the notify opens with the SA's keys") {
  // MM5 decrypts (same key) but HASH_I is wrong. The responder answers with a protected AUTHENTICATION-FAILED;
  // its IV must come from the last phase 1 CBC block (RFC 2409 appendix B), which after MM5 was decrypted is
  // MM5's last ciphertext block -- what an initiator (strongSwan's iv manager, racoon) uses.
  Harness h(fixture("ios-easyvpn.cfg"));
  auto o = mm_options({tdes_md5_g2()});
  o.corrupt_hash_i = true;
  Initiator ini(o);
  REQUIRE(ini.take_mm2(h.one(ini.mm1())));
  REQUIRE(ini.take_mm4(h.one(ini.mm3())));
  auto r = h.feed(ini.mm5(false));
  REQUIRE(r.size() == 1);
  CHECK(h.responder.stats().auth_failed == 1);
  CHECK(h.responder.sa_count() == 0);
  CHECK(h.log.contains("HASH_I mismatch"));
  // Not with the initial phase 1 IV, as if MM5 had not been read.
  CHECK_FALSE(ini.open_informational(r[0], ini.initial_iv()));
  auto chain = ini.open_informational(r[0]);
  REQUIRE_MESSAGE(chain, ini.error());
  const auto* n = chain->first_as<NotifyPayload>();
  REQUIRE(n);
  CHECK(n->type == notify::AuthenticationFailed);
}

TEST_CASE("aggressive mode, wrong group key: HASH_R fails at the initiator and AM3 is refused") {
  Harness h(fixture("ios-easyvpn.cfg"));
  Initiator ini(am_options({tdes_md5_g2(1, ike_auth::XauthInitPreShared)}, "wronggroup77"));
  auto am2 = h.one(ini.am1());
  // The responder computed HASH_R with grouppass123; we derived SKEYID from another key.
  CHECK_FALSE(ini.take_am2(am2));
  CHECK(ini.error().find("HASH_R") != std::string::npos);
  CHECK(h.responder.stats().auth_failed == 0);

  SUBCASE("AM3 encrypted") {
    auto r = h.feed(ini.am3(true));
    REQUIRE(r.size() == 1);
    auto hd = parse_header(r[0].data);
    REQUIRE(hd);
    CHECK(hd->exchange == ExchangeType::Informational);
    CHECK((hd->flags & flags::Encryption) != 0);
  }
  SUBCASE("AM3 in the clear") {
    auto r = h.feed(ini.am3(false));
    REQUIRE(r.size() == 1);
    auto hd = parse_header(r[0].data);
    REQUIRE(hd);
    CHECK(hd->exchange == ExchangeType::Informational);
  }
  CHECK(h.log.contains("authentication failed"));
  CHECK(h.responder.stats().auth_failed == 1);
  CHECK(h.responder.stats().phase1_established == 0);
  CHECK(h.responder.sa_count() == 0);
}

TEST_CASE("no proposal chosen, main mode: a clear NO-PROPOSAL-CHOSEN, no SA") {
  Harness h(fixture("ios-easyvpn.cfg"));
  // AES-256/SHA-256/group 14: no policy of the fixture has it.
  Initiator ini(mm_options({make_transform(1, ike_enc::Aes, ike_hash::Sha256, ike_auth::PreShared, 14, 256)}));
  auto r = h.one(ini.mm1());
  auto msg = parse_message(r.data);  // clear: parses as a plain message
  REQUIRE(msg);
  CHECK(msg->header.exchange == ExchangeType::Informational);
  CHECK((msg->header.flags & flags::Encryption) == 0);
  CHECK(msg->header.initiator_cookie == ini.icookie());
  const auto* n = msg->chain.first_as<NotifyPayload>();
  REQUIRE(n);
  CHECK(n->type == notify::NoProposalChosen);
  CHECK(n->type == 14);
  CHECK(n->protocol == ProtocolId::Isakmp);
  CHECK(r.to == ini.self());
  CHECK(h.responder.sa_count() == 0);
  CHECK(h.responder.stats().no_proposal_chosen == 1);
  CHECK(h.responder.stats().dh_jobs == 0);
  CHECK(h.log.contains("no proposal chosen"));

}

TEST_CASE("no proposal chosen: the same MM1 again is refused again (nothing half-open was kept)") {
  Harness h(fixture("ios-easyvpn.cfg"));
  Initiator ini(mm_options({make_transform(1, ike_enc::Aes, ike_hash::Sha256, ike_auth::PreShared, 14, 256)}));
  auto mm1 = ini.mm1();
  auto r1 = h.one(mm1);
  auto r2 = h.one(mm1);
  auto m2 = parse_message(r2.data);
  REQUIRE(m2);
  REQUIRE(m2->chain.first_as<NotifyPayload>());
  CHECK(m2->chain.first_as<NotifyPayload>()->type == notify::NoProposalChosen);
  CHECK(h.responder.sa_count() == 0);
  CHECK(h.responder.stats().no_proposal_chosen == 2);
}

TEST_CASE("no proposal chosen, aggressive mode: a clear NO-PROPOSAL-CHOSEN, no SA, no DH") {
  Harness h(fixture("ios-easyvpn.cfg"));
  Initiator ini(am_options({make_transform(1, ike_enc::TripleDes, ike_hash::Sha1, ike_auth::RsaSig, 2)}));
  auto r = h.one(ini.am1());
  auto msg = parse_message(r.data);
  REQUIRE(msg);
  CHECK(msg->header.exchange == ExchangeType::Informational);
  const auto* n = msg->chain.first_as<NotifyPayload>();
  REQUIRE(n);
  CHECK(n->type == notify::NoProposalChosen);
  CHECK(h.responder.sa_count() == 0);
  CHECK(h.responder.stats().no_proposal_chosen == 1);
  CHECK(h.responder.stats().dh_jobs == 0);
}
