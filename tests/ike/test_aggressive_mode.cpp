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

namespace {
// Payload types and lengths of an AM2, in order: what ike-scan (or anyone) sees of it.
std::vector<std::pair<PayloadType, size_t>> shape(const Datagram& d) {
  auto msg = parse_message(d.data);
  REQUIRE(msg);
  std::vector<std::pair<PayloadType, size_t>> out;
  for (const auto& p : msg->chain.payloads) out.emplace_back(p.type, p.length);
  return out;
}
}  // namespace

TEST_CASE("aggressive mode: an unknown group gets an answer shaped like a known group's, then fails at AM3") {
  Harness h(fixture("ios-easyvpn.cfg"));
  Initiator known(am_options({tdes_md5_g2(1, ike_auth::XauthInitPreShared)}));
  auto o = am_options({tdes_md5_g2(1, ike_auth::XauthInitPreShared)}, "grouppass123", 12);  // other cookies
  o.id = key_id("nosuchgroup");
  Initiator unknown(o);
  auto real = h.one(known.am1());
  auto decoy = h.one(unknown.am1());
  auto hd = parse_header(decoy.data);
  REQUIRE(hd);
  CHECK(hd->exchange == ExchangeType::Aggressive);  // no INVALID-ID-INFORMATION: no group-name oracle
  CHECK(shape(decoy) == shape(real));
  CHECK(decoy.data.size() == real.data.size());
  CHECK(h.responder.stats().dh_jobs == 1);  // only the real group cost a DH
  // Under the key the initiator used (the group key it guessed) HASH_R does not verify.
  CHECK_FALSE(unknown.take_am2(decoy));
  CHECK(unknown.error().find("HASH_R") != std::string::npos);
  // AM3 fails as with a wrong group key: a protected AUTHENTICATION-FAILED and no SA.
  auto r = h.feed(unknown.am3(true));
  REQUIRE(r.size() == 1);
  auto rh = parse_header(r[0].data);
  REQUIRE(rh);
  CHECK(rh->exchange == ExchangeType::Informational);
  CHECK((rh->flags & flags::Encryption) != 0);
  CHECK(h.responder.stats().auth_failed == 1);
  CHECK(h.responder.find(unknown.rcookie()) == nullptr);
  CHECK(h.log.contains("aggressive mode for unknown identity ID_KEY_ID nosuchgroup"));
}

TEST_CASE("aggressive mode: an unknown group with newlines and terminal escapes is logged escaped") {
  Harness h(fixture("ios-easyvpn.cfg"));
  auto o = am_options({tdes_md5_g2(1, ike_auth::XauthInitPreShared)});
  o.id = key_id("x\n phase 1 established (FORGED)\x1b[31m\n");
  Initiator ini(o);
  h.one(ini.am1());
  CHECK(h.log.contains("ID_KEY_ID x\\x0a phase 1 established (FORGED)\\x1b[31m\\x0a"));
  for (const auto& line : h.log.lines) {
    CHECK(line.text.find('\n') == std::string::npos);
    CHECK(line.text.find('\x1b') == std::string::npos);
  }
}

TEST_CASE("aggressive mode disabled (crypto isakmp aggressive-mode disable): AM1 is dropped unanswered") {
  std::string cfg = fixture("ios-easyvpn.cfg");
  cfg.replace(cfg.rfind("\nend"), 4, "\ncrypto isakmp aggressive-mode disable\nend");
  Harness h(cfg);
  REQUIRE(h.config.aggressive_mode_disabled);
  Initiator ini(am_options({tdes_md5_g2(1, ike_auth::XauthInitPreShared)}));
  CHECK(h.feed(ini.am1()).empty());
  CHECK(h.responder.sa_count() == 0);
  CHECK(h.responder.stats().dh_jobs == 0);
  CHECK(h.log.contains("aggressive mode is disabled"));
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
