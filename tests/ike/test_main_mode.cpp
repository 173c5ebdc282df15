// Main mode with pre-shared keys (RFC 2409 §5.4), full handshakes against ios-easyvpn.cfg:
// policy 10 DES/MD5/pre-share/group 1, policy 20 3DES/MD5/pre-share/group 2, wildcard key cisco1234.
#include <doctest/doctest.h>

#include "harness.hpp"

using namespace ravpn;
using namespace ravpn::ike;
using namespace ravpn::ike::test;

namespace {

void check_established(Harness& h, Initiator& ini, int policy, crypto::CipherAlg cipher, int group) {
  REQUIRE(h.responder.sa_count() == 1);
  const Phase1Sa* sa = h.responder.find(ini.rcookie());
  REQUIRE(sa != nullptr);
  CHECK(sa->established());
  CHECK(sa->mode == Phase1Mode::Main);
  CHECK(sa->choice.policy_priority == policy);
  CHECK(sa->choice.cipher == cipher);
  CHECK(sa->choice.hash == crypto::HashAlg::Md5);
  CHECK(sa->choice.dh_group == group);
  CHECK(sa->choice.auth_method == ike_auth::PreShared);
  CHECK(sa->icookie == ini.icookie());
  CHECK(h.responder.stats().phase1_started == 1);
  CHECK(h.responder.stats().phase1_established == 1);
  CHECK(h.responder.stats().auth_failed == 0);
  CHECK(h.responder.stats().dh_jobs == 1);
  // Both sides hold the same keys and the same IV base for phase 2.
  CHECK(to_hex(sa->keys.skeyid_a) == to_hex(ini.skeyid_a()));
  CHECK(to_hex(sa->keys.enc_key) == to_hex(ini.enc_key()));
  CHECK(to_hex(sa->phase1_last_block) == to_hex(ini.last_phase1_block()));
  CHECK(h.log.contains("phase 1 established"));
  auto all = h.responder.sas();
  REQUIRE(all.size() == 1);
  CHECK(all[0] == sa);
}

}  // namespace

TEST_CASE("main mode: VPN Client 1.1's DES/MD5/group 1 proposal establishes with policy 10") {
  Harness h(fixture("ios-easyvpn.cfg"));
  Initiator ini(mm_options({des_md5_g1()}));
  auto replies = main_mode(h, ini);
  check_established(h, ini, 10, crypto::CipherAlg::Des, 1);
  CHECK(ini.dh_group() == 1);
  CHECK(ini.cipher() == crypto::CipherAlg::Des);

  // MM2 echoes the transform and announces Xauth (the crypto map has `client authentication`) and DPD.
  const auto& vids = ini.received_vendor_ids();
  CHECK(std::count(vids.begin(), vids.end(), vid::xauth()) == 1);
  CHECK(std::count(vids.begin(), vids.end(), vid::dpd()) == 1);
  // MM6: the responder's ID is ID_IPV4_ADDR of the outside address, UDP 500 (the seed traces).
  CHECK(ini.responder_id().type == id_type::Ipv4Addr);
  CHECK(ini.responder_id().protocol == 17);
  CHECK(ini.responder_id().port == 500);
  CHECK(ini.responder_id().data == Bytes{192, 0, 2, 1});
  // Replies go back to where the requests came from.
  for (const auto& r : replies) {
    CHECK(r.to == ini.self());
    CHECK(r.from.str() == "192.0.2.1:500");
  }
  // DES/MD5/group 1 is weak: the responder says so once.
  CHECK(h.log.contains("weak legacy algorithms"));
}

TEST_CASE("main mode: 3DES/MD5/group 2 establishes with policy 20") {
  Harness h(fixture("ios-easyvpn.cfg"));
  Initiator ini(mm_options({tdes_md5_g2()}));
  main_mode(h, ini);
  check_established(h, ini, 20, crypto::CipherAlg::TripleDes, 2);
  CHECK(ini.cipher() == crypto::CipherAlg::TripleDes);
  // 3DES with MD5: SKEYID_e (16 bytes) is shorter than the key (24): appendix B expansion on both sides.
  CHECK(ini.enc_key().size() == 24);
}

TEST_CASE("main mode: policies are walked lowest first; the first matching transform of the proposal wins") {
  Harness h(fixture("ios-easyvpn.cfg"));
  // Transform 1 matches only policy 20, transform 2 matches policy 10: policy 10 is checked first against every
  // transform, so transform 2 is chosen.
  Initiator ini(mm_options({tdes_md5_g2(1), des_md5_g1(2)}));
  main_mode(h, ini);
  CHECK(ini.chosen().number == 2);
  check_established(h, ini, 10, crypto::CipherAlg::Des, 1);
}

TEST_CASE("main mode: NAT-T (RFC 3947) without a NAT: NAT-D both ways, no NAT detected") {
  Harness h(fixture("ios-easyvpn.cfg"));
  auto o = mm_options({tdes_md5_g2()});
  o.vendor_ids.push_back(vid::natt_rfc3947());
  o.natd = true;
  Initiator ini(o);
  main_mode(h, ini);
  CHECK(ini.responder_natd_ok());
  const Phase1Sa* sa = h.responder.find(ini.rcookie());
  REQUIRE(sa);
  CHECK(sa->natt == NattVariant::Rfc3947);
  CHECK_FALSE(sa->peer_behind_nat);
  CHECK_FALSE(sa->local_behind_nat);
}

TEST_CASE("main mode: an initiator behind a NAT is detected from its NAT-D") {
  Harness h(fixture("ios-easyvpn.cfg"));
  auto o = mm_options({tdes_md5_g2()});
  o.vendor_ids.push_back(vid::natt_rfc3947());
  o.natd = true;
  o.natd_self = Endpoint{ip("10.0.0.5"), 500};  // what the client thinks; the NAT rewrites it to 198.51.100.7
  Initiator ini(o);
  main_mode(h, ini);
  const Phase1Sa* sa = h.responder.find(ini.rcookie());
  REQUIRE(sa);
  CHECK(sa->peer_behind_nat);
  CHECK_FALSE(sa->local_behind_nat);
}

TEST_CASE("main mode: two peers at once get separate SAs") {
  Harness h(fixture("ios-easyvpn.cfg"));
  auto o1 = mm_options({des_md5_g1()}, "cisco1234", 21);
  auto o2 = mm_options({tdes_md5_g2()}, "cisco1234", 22);
  o2.self = Endpoint{ip("203.0.113.9"), 500};
  Initiator a(o1), b(o2);
  // Interleave the two exchanges.
  REQUIRE(a.take_mm2(h.one(a.mm1())));
  REQUIRE(b.take_mm2(h.one(b.mm1())));
  REQUIRE(b.take_mm4(h.one(b.mm3())));
  REQUIRE(a.take_mm4(h.one(a.mm3())));
  REQUIRE_MESSAGE(a.take_mm6(h.feed(a.mm5()).at(0)), a.error());
  REQUIRE_MESSAGE(b.take_mm6(h.feed(b.mm5()).at(0)), b.error());
  CHECK(h.responder.sa_count() == 2);
  CHECK(h.responder.stats().phase1_established == 2);
  CHECK(h.responder.find(a.rcookie())->choice.policy_priority == 10);
  CHECK(h.responder.find(b.rcookie())->choice.policy_priority == 20);
}
