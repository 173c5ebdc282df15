// NAT traversal (RFC 3947): a client behind a NAT moves to port 4500 after NAT detection -- in main mode with MM5,
// in aggressive mode with AM3 (RFC 3947 §4) -- and the responder follows it. The phase 1 bookkeeping must not depend
// on the port the negotiation started on.
#include <doctest/doctest.h>

#include "harness.hpp"

using namespace ravpn;
using namespace ravpn::ike;
using namespace ravpn::ike::test;

namespace {

const Endpoint kClient500{ip("198.51.100.7"), 500};
const Endpoint kClientFloat{ip("198.51.100.7"), 4500};  // the NAT's mapping of the client's 4500
const Endpoint kUs4500{ip("192.0.2.1"), 4500};

InitiatorOptions natted(InitiatorOptions o) {
  o.vendor_ids.push_back(vid::natt_rfc3947());
  o.natd = true;
  o.natd_self = Endpoint{ip("10.0.0.5"), 500};  // the client's own idea of its address: a NAT is in the way
  return o;
}

}  // namespace

TEST_CASE("NAT-T, aggressive mode: AM3 on port 4500 establishes the SA like any AM3") {
  Harness h(fixture("ios-easyvpn.cfg"));
  Initiator ini(natted(am_options({tdes_md5_g2(1, ike_auth::XauthInitPreShared)})));
  REQUIRE_MESSAGE(ini.take_am2(h.one(ini.am1())), ini.error());
  CHECK(ini.responder_natd_ok());
  h.time.advance(std::chrono::seconds(3));
  ini.float_to(kClientFloat, kUs4500);
  auto after = h.feed(ini.am3(true));

  const Phase1Sa* sa = h.responder.find(ini.rcookie());
  REQUIRE(sa);
  CHECK(sa->established());
  CHECK(sa->peer == kClientFloat);
  CHECK(sa->local == kUs4500);
  CHECK(sa->peer_behind_nat);
  // The bookkeeping of an establishment: counted, timestamped, and Xauth started (on port 4500).
  CHECK(h.responder.stats().phase1_established == 1);
  CHECK(sa->established_at == h.time.now());
  REQUIRE(after.size() == 1);
  CHECK(after[0].to == kClientFloat);
  CHECK(after[0].from == kUs4500);
}

TEST_CASE("NAT-T, main mode: MM5 on port 4500 establishes the SA like any MM5") {
  Harness h(fixture("ios-easyvpn.cfg"));
  Initiator ini(natted(mm_options({tdes_md5_g2()})));
  REQUIRE(ini.take_mm2(h.one(ini.mm1())));
  REQUIRE(ini.take_mm4(h.one(ini.mm3())));
  h.time.advance(std::chrono::seconds(2));
  ini.float_to(kClientFloat, kUs4500);
  auto after = h.feed(ini.mm5(true));
  REQUIRE(!after.empty());
  REQUIRE_MESSAGE(ini.take_mm6(after[0]), ini.error());
  CHECK(after[0].to == kClientFloat);

  const Phase1Sa* sa = h.responder.find(ini.rcookie());
  REQUIRE(sa);
  CHECK(sa->established());
  CHECK(sa->peer_behind_nat);
  CHECK(h.responder.stats().phase1_established == 1);
  CHECK(sa->established_at == h.time.now());
  CHECK(after.size() == 2);  // MM6 and the Xauth REQUEST
}

TEST_CASE("NAT-T: after a floated SA is deleted, the client's old AM1 does not break receive()") {
  Harness h(fixture("ios-easyvpn.cfg"));
  Initiator ini(natted(am_options({tdes_md5_g2(1, ike_auth::XauthInitPreShared)})));
  auto am1 = ini.am1();
  REQUIRE(ini.take_am2(h.one(am1)));
  ini.float_to(kClientFloat, kUs4500);
  h.feed(ini.am3(true));
  REQUIRE(h.responder.find(ini.rcookie()));
  h.feed(ini.delete_isakmp(0x10203040));
  REQUIRE(h.responder.sa_count() == 0);
  // A late retransmit of AM1 from port 500 (it was in flight, or the client restarts with the same cookie).
  CHECK_NOTHROW(h.responder.receive(am1));
  CHECK_NOTHROW(h.responder.receive(am1));
}

TEST_CASE("NAT-T: an established, floated SA no longer counts as half-open for its address") {
  auto config = config::parse_ios(fixture("ios-easyvpn.cfg"), "test.cfg");
  config.admission.half_open_per_source = 1;
  Harness h(std::move(config), 1000);
  Initiator first(natted(am_options({tdes_md5_g2(1, ike_auth::XauthInitPreShared)}, "grouppass123", 101)));
  REQUIRE(first.take_am2(h.one(first.am1())));
  first.float_to(kClientFloat, kUs4500);
  h.feed(first.am3(true));
  REQUIRE(h.responder.find(first.rcookie())->established());
  // A second client behind the same NAT (same public address) starts its negotiation: it must get an AM2.
  auto o = natted(am_options({tdes_md5_g2(1, ike_auth::XauthInitPreShared)}, "grouppass123", 102));
  o.self = Endpoint{ip("198.51.100.7"), 1025};
  Initiator second(o);
  auto r = h.feed(second.am1());
  CHECK(r.size() == 1);
}

TEST_CASE("NAT-T: the draft-02 variant uses NAT-D payload type 130") {
  // vpnc / older Cisco clients: draft-ietf-ipsec-nat-t-ike-02 (VID 90cb80913ebb696e086381b5ec427b1f).
  Harness h(fixture("ios-easyvpn.cfg"));
  auto o = am_options({tdes_md5_g2(1, ike_auth::XauthInitPreShared)});
  o.vendor_ids.push_back(from_hex("90cb80913ebb696e086381b5ec427b1f"));
  Initiator ini(o);
  auto am2 = h.one(ini.am1());
  REQUIRE(ini.take_am2(am2));
  auto msg = parse_message(am2.data);
  REQUIRE(msg);
  CHECK(msg->chain.all(PayloadType::NatDDraft).size() == 2);
  CHECK(msg->chain.all(PayloadType::NatD).empty());
  const Phase1Sa* sa = h.responder.find(ini.rcookie());
  REQUIRE(sa);
  CHECK(sa->natt == NattVariant::Draft02);
}

TEST_CASE("NAT-T: on a box up for more than a day, a floated SA survives the next tick") {
  // steady_clock counts from boot; ManualTime from 0. Start the negotiation a day and a bit "after boot".
  Harness h(easyvpn_phase1_only());
  h.time.advance(std::chrono::hours(25));
  Initiator ini(natted(am_options({tdes_md5_g2(1, ike_auth::PreShared)})));
  REQUIRE(ini.take_am2(h.one(ini.am1())));
  ini.float_to(kClientFloat, kUs4500);
  h.feed(ini.am3(true));
  REQUIRE(h.responder.find(ini.rcookie()));
  REQUIRE(h.responder.find(ini.rcookie())->established());
  h.time.advance(std::chrono::seconds(1));
  h.responder.tick();
  CHECK_MESSAGE(h.responder.find(ini.rcookie()) != nullptr,
                "the SA was deleted as if its 86400 s lifetime had run out one second after establishment");
}
