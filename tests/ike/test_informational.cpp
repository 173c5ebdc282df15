// Informational exchanges on an established ISAKMP SA (RFC 2409 §5.7): DPD (RFC 3706) and DELETE.
// HASH(1) = prf(SKEYID_a, M-ID | N/D); IV = hash(last phase 1 CBC block | M-ID) (appendix B). The initiator keeps
// the last CBC block of phase 1 itself.
#include <doctest/doctest.h>

#include "harness.hpp"

using namespace ravpn;
using namespace ravpn::ike;
using namespace ravpn::ike::test;

namespace {

Bytes isakmp_spi(const Initiator& ini) {
  Bytes spi(ini.icookie().bytes.begin(), ini.icookie().bytes.end());
  spi.insert(spi.end(), ini.rcookie().bytes.begin(), ini.rcookie().bytes.end());
  return spi;
}

void check_dpd(Harness& h, Initiator& ini, uint32_t seq, uint32_t mid) {
  auto ack = h.one(ini.dpd_r_u_there(seq, mid));
  auto hd = parse_header(ack.data);
  REQUIRE(hd);
  CHECK(hd->exchange == ExchangeType::Informational);
  CHECK((hd->flags & flags::Encryption) != 0);
  CHECK(hd->message_id.value != 0);
  CHECK(ack.to == ini.self());
  auto chain = ini.open_informational(ack);  // decrypts and verifies HASH(1)
  REQUIRE_MESSAGE(chain, ini.error());
  REQUIRE(chain->payloads.size() == 2);
  CHECK(chain->payloads[0].type == PayloadType::Hash);
  const auto* n = chain->first_as<NotifyPayload>();
  REQUIRE(n);
  CHECK(n->type == notify::DpdRUThereAck);
  CHECK(n->protocol == ProtocolId::Isakmp);
  CHECK(n->spi == isakmp_spi(ini));
  CHECK(n->data == Bytes{uint8_t(seq >> 24), uint8_t(seq >> 16), uint8_t(seq >> 8), uint8_t(seq)});
}

void check_delete(Harness& h, Initiator& ini) {
  REQUIRE(h.responder.find(ini.rcookie()));
  // A DELETE with a bad HASH(1) is dropped (RFC 2409 §5.7) and the SA stays.
  DeletePayload d;
  d.protocol = ProtocolId::Isakmp;
  d.spi_size = 16;
  d.spis.push_back(isakmp_spi(ini));
  CHECK(h.feed(ini.informational({d}, 0x0badf00d, true)).empty());
  REQUIRE(h.responder.find(ini.rcookie()));

  CHECK(h.feed(ini.delete_isakmp(0x2468ace0)).empty());
  CHECK(h.responder.find(ini.rcookie()) == nullptr);
  CHECK(h.responder.sa_count() == 0);
  // After the delete the cookies are unknown: a DPD is dropped silently.
  const auto dropped = h.responder.stats().dropped;
  CHECK(h.feed(ini.dpd_r_u_there(99, 0x11111111)).empty());
  CHECK(h.responder.stats().dropped == dropped + 1);
}

}  // namespace

TEST_CASE("DPD and DELETE after main mode (IV base: MM6's last ciphertext block)") {
  Harness h(easyvpn_phase1_only());
  Initiator ini(mm_options({tdes_md5_g2()}));
  main_mode(h, ini);
  check_dpd(h, ini, 0x7a3c0001, 0x9e3779b9);
  check_dpd(h, ini, 0x7a3c0002, 0x12345678);  // each exchange has its own M-ID and IV
  check_delete(h, ini);
}

TEST_CASE("DPD and DELETE after main mode with DES/MD5/group 1 and Xauth pending") {
  Harness h(fixture("ios-easyvpn.cfg"));
  Initiator ini(mm_options({des_md5_g1()}));
  main_mode(h, ini);
  check_dpd(h, ini, 1, 0xdeadbeef);
  check_delete(h, ini);
}

TEST_CASE("DPD and DELETE after aggressive mode with AM3 encrypted (IV base: AM3's last block)") {
  Harness h(fixture("ios-easyvpn.cfg"));
  Initiator ini(am_options({tdes_md5_g2(1, ike_auth::XauthInitPreShared)}));
  aggressive_mode(h, ini, true);
  check_dpd(h, ini, 5, 0x01010101);
  check_delete(h, ini);
}

TEST_CASE("DPD and DELETE after aggressive mode with AM3 in the clear (IV base: the initial IV)") {
  Harness h(fixture("ios-easyvpn.cfg"));
  Initiator ini(am_options({tdes_md5_g2(1, ike_auth::XauthInitPreShared)}));
  aggressive_mode(h, ini, false);
  CHECK(ini.last_phase1_block() == ini.initial_iv());
  check_dpd(h, ini, 6, 0x02020202);
  check_delete(h, ini);
}

TEST_CASE("DPD: a bad HASH(1), a clear R-U-THERE and a garbled body get no answer") {
  Harness h(easyvpn_phase1_only());
  Initiator ini(mm_options({tdes_md5_g2()}));
  main_mode(h, ini);
  NotifyPayload n;
  n.type = notify::DpdRUThere;
  n.spi = isakmp_spi(ini);
  n.data = {0, 0, 0, 9};
  CHECK(h.feed(ini.informational({n}, 0x31313131, true)).empty());

  // In the clear on an established SA: RFC 2409 §5.7 wants it protected.
  Header clear;
  clear.initiator_cookie = ini.icookie();
  clear.responder_cookie = ini.rcookie();
  clear.exchange = ExchangeType::Informational;
  clear.message_id = MessageId{0x32323232};
  CHECK(h.feed(Datagram{ini.self(), Endpoint{ip("192.0.2.1"), 500}, serialize_message(clear, {n})}).empty());

  // Garbled ciphertext.
  auto d = ini.dpd_r_u_there(10, 0x33333333);
  d.data[d.data.size() - 9] ^= 0x40;
  CHECK(h.feed(d).empty());

  REQUIRE(h.responder.find(ini.rcookie()));
  check_dpd(h, ini, 11, 0x34343434);  // a good one still works
}

TEST_CASE("DPD from the wrong address is dropped") {
  Harness h(easyvpn_phase1_only());
  Initiator ini(mm_options({tdes_md5_g2()}));
  main_mode(h, ini);
  auto d = ini.dpd_r_u_there(1, 0x44444444);
  d.from = Endpoint{ip("203.0.113.66"), 500};
  CHECK(h.feed(d).empty());
  CHECK(h.responder.find(ini.rcookie()));
}

TEST_CASE("DELETE naming another ISAKMP SA (other cookies in the SPI) does not delete this one") {
  // RFC 2408 §3.15: the SPI says which SA goes; for ISAKMP it is CKY-I | CKY-R (RFC 2408 §2.4).
  Harness h(easyvpn_phase1_only());
  Initiator ini(mm_options({tdes_md5_g2()}));
  main_mode(h, ini);
  DeletePayload d;
  d.protocol = ProtocolId::Isakmp;
  d.spi_size = 16;
  Bytes other = isakmp_spi(ini);
  other[15] ^= 0xff;  // a responder cookie that is not this SA's
  d.spis.push_back(other);
  h.feed(ini.informational({d}, 0x77777777));
  CHECK(h.responder.find(ini.rcookie()) != nullptr);
}
