// Aggressive mode with pre-shared keys (RFC 2409 §5.4) as Cisco VPN Client 3.x/4.x uses it: ID_KEY_ID names the
// client group whose key authenticates, auth 65001 (XAUTHInitPreShared, draft-beaulieu-ike-xauth-02 §7.2).
#include <doctest/doctest.h>

#include "harness.hpp"

using namespace ravpn;
using namespace ravpn::ike;
using namespace ravpn::ike::test;

namespace {

void check_established(Harness& h, Initiator& ini) {
  REQUIRE(h.responder.sa_count() == 1);
  const Phase1Sa* sa = h.responder.find(ini.rcookie());
  REQUIRE(sa);
  CHECK(sa->established());
  CHECK(sa->mode == Phase1Mode::Aggressive);
  CHECK(sa->choice.policy_priority == 20);
  CHECK(sa->choice.cipher == crypto::CipherAlg::TripleDes);
  CHECK(sa->choice.hash == crypto::HashAlg::Md5);
  CHECK(sa->choice.dh_group == 2);
  CHECK(sa->choice.auth_method == ike_auth::XauthInitPreShared);
  CHECK(sa->choice.xauth());
  CHECK(sa->group_name == "vpn3000");
  CHECK(sa->peer_id.type == id_type::KeyId);
  CHECK(h.responder.stats().phase1_established == 1);
  CHECK(h.responder.stats().dh_jobs == 1);
  CHECK(to_hex(sa->keys.skeyid_a) == to_hex(ini.skeyid_a()));
  CHECK(to_hex(sa->phase1_last_block) == to_hex(ini.last_phase1_block()));
  CHECK(h.log.contains("phase 1 established"));
}

}  // namespace

TEST_CASE("aggressive mode: ID_KEY_ID vpn3000, 65001, 3DES/MD5/group 2, AM3 encrypted") {
  Harness h(fixture("ios-easyvpn.cfg"));
  Initiator ini(am_options({tdes_md5_g2(1, ike_auth::XauthInitPreShared)}));
  auto replies = aggressive_mode(h, ini, true);
  check_established(h, ini);
  // AM2 announces Xauth, Unity and DPD back (the client sent all three).
  const auto& vids = ini.received_vendor_ids();
  CHECK(std::count(vids.begin(), vids.end(), vid::xauth()) == 1);
  CHECK(std::count(vids.begin(), vids.end(), vid::unity()) == 1);
  CHECK(std::count(vids.begin(), vids.end(), vid::dpd()) == 1);
  CHECK(ini.responder_id().type == id_type::Ipv4Addr);
  CHECK(ini.responder_id().data == Bytes{192, 0, 2, 1});
  CHECK(h.log.contains("INITIAL-CONTACT"));
}

TEST_CASE("aggressive mode: AM3 in the clear is accepted too (RFC 2409 §5.4 leaves it open)") {
  Harness h(fixture("ios-easyvpn.cfg"));
  Initiator ini(am_options({tdes_md5_g2(1, ike_auth::XauthInitPreShared)}));
  aggressive_mode(h, ini, false);
  check_established(h, ini);
  // No CBC block was produced in phase 1: the initial IV is the base of the later IVs on both sides.
}

TEST_CASE("aggressive mode: with Xauth on, the responder starts Xauth right after AM3") {
  Harness h(fixture("ios-easyvpn.cfg"));
  Initiator ini(am_options({tdes_md5_g2(1, ike_auth::XauthInitPreShared)}));
  auto replies = aggressive_mode(h, ini, true);
  REQUIRE(replies.size() == 2);  // AM2, Xauth REQUEST
  auto hd = parse_header(replies[1].data);
  REQUIRE(hd);
  CHECK(hd->exchange == ExchangeType::Transaction);
  CHECK((hd->flags & flags::Encryption) != 0);
  CHECK(hd->message_id.value != 0);
}

TEST_CASE("aggressive mode: an unknown group gets INVALID-ID-INFORMATION and no SA") {
  Harness h(fixture("ios-easyvpn.cfg"));
  auto o = am_options({tdes_md5_g2(1, ike_auth::XauthInitPreShared)});
  o.id = key_id("nosuchgroup");
  Initiator ini(o);
  auto r = h.one(ini.am1());
  auto msg = parse_message(r.data);
  REQUIRE(msg);
  CHECK(msg->header.exchange == ExchangeType::Informational);
  const auto* n = msg->chain.first_as<NotifyPayload>();
  REQUIRE(n);
  CHECK(n->type == notify::InvalidIdInformation);
  CHECK(h.responder.sa_count() == 0);
  CHECK(h.responder.stats().dh_jobs == 0);  // refused before any DH work
}

TEST_CASE("aggressive mode: an IPv4 ID uses the address key (wildcard cisco1234)") {
  Harness h(fixture("ios-easyvpn.cfg"));
  auto o = am_options({tdes_md5_g2(1, ike_auth::PreShared)}, "cisco1234");
  o.id.reset();  // ID_IPV4_ADDR of our address
  Initiator ini(o);
  aggressive_mode(h, ini, true);
  const Phase1Sa* sa = h.responder.find(ini.rcookie());
  REQUIRE(sa);
  CHECK(sa->established());
  CHECK(sa->group_name.empty());
}
