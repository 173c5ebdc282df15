// Dead peer detection from our side (RFC 3706) and the idle time (ike/liveness.*), driven by the manual clock:
// R-U-THERE after the keepalive silence, an ACK or inbound ESP bytes keep the peer, no answer tears the session
// down (kernel clean, lease back); a session without traffic ends after the group's idle time.
#include <doctest/doctest.h>

#include "phase2_initiator.hpp"

using namespace ravpn;
using namespace ravpn::ike;
using namespace ravpn::ike::test;

namespace {

const Ipv4 kGateway = *Ipv4::parse("192.0.2.1");
const kernel::Spi kOurSpi{0xc0000001};  // the fake kernel's first ALLOCSPI: the inbound SA of the first quick mode

// What the responder sent to `c` on this tick, opened: the notify types and their data.
std::vector<NotifyPayload> notifies_on_tick(Phase2Harness& h, Client& c) {
  std::vector<NotifyPayload> out;
  for (const auto& d : to_client(h.tick(), c)) {
    auto chain = c.ini.open_informational(d);
    REQUIRE(chain);
    for (const auto& p : chain->payloads)
      if (const auto* n = std::get_if<NotifyPayload>(&p.body)) out.push_back(*n);
  }
  return out;
}

// R-U-THERE-ACK (RFC 3706 §5): the probe's SPI (the cookies) and the given sequence number.
Datagram ack(Client& c, const NotifyPayload& probe, const Bytes& sequence, uint32_t message_id) {
  NotifyPayload n;
  n.protocol = ProtocolId::Isakmp;
  n.type = notify::DpdRUThereAck;
  n.spi = probe.spi;
  n.data = sequence;
  return c.ini.informational({n}, message_id);
}

}  // namespace

TEST_CASE("DPD: R-U-THERE after the keepalive silence, kept by an ACK or by traffic; no answer: peer dead") {
  Phase2Harness h("crypto isakmp keepalive 10 2\n" + fixture("ios-easyvpn.cfg"));
  Client c(vpn_client11_options());  // announces DPD (RFC 3706 vendor ID)
  const Ipv4 address = main_mode_with_address(h, c);
  quick_mode(h, c, address);
  REQUIRE(h.kernel.sas().size() == 2);

  // main_mode_with_address() waited out the 2 s mode-config pull window since phase 1: 8 s of silence now.
  h.advance(Seconds(6));
  CHECK(notifies_on_tick(h, c).empty());
  h.advance(Seconds(3));
  auto probe = notifies_on_tick(h, c);
  REQUIRE(probe.size() == 1);
  CHECK(probe[0].type == notify::DpdRUThere);
  REQUIRE(probe[0].data.size() == 4);
  CHECK(probe[0].spi.size() == 16);  // RFC 3706 §5: the ISAKMP SA's cookies

  // The ACK with the same sequence number: the peer is alive, nothing more for a keepalive interval.
  CHECK(h.feed(ack(c, probe[0], probe[0].data, 0x11111111)).empty());
  for (int i = 0; i < 4; ++i) {
    h.advance(Seconds(2));
    CHECK(notifies_on_tick(h, c).empty());
  }

  // Inbound ESP bytes prove the peer alive as well (Cisco's on-demand DPD): no probe while they rise.
  for (uint64_t bytes = 1000; bytes <= 4000; bytes += 1000) {
    REQUIRE(h.kernel.set_counters(kGateway, kOurSpi, {bytes, bytes / 100, 0}));
    h.advance(Seconds(5));
    CHECK(notifies_on_tick(h, c).empty());
  }

  // Then silence: R-U-THERE every 2 s, a wrong ACK does not count; after 1 + 5 unanswered the session goes.
  int probes = 0;
  bool gone = false;
  for (int i = 0; i < 30 && !gone; ++i) {
    h.advance(Seconds(2));
    for (const auto& n : notifies_on_tick(h, c)) {
      CHECK(n.type == notify::DpdRUThere);
      ++probes;
      Bytes wrong = n.data;
      wrong[3] ^= 1;
      h.feed(ack(c, n, wrong, 0x22222200 + uint32_t(i)));
    }
    gone = h.responder.sa_count() == 0;
  }
  CHECK(gone);
  CHECK(probes == 6);
  CHECK(h.log.contains("peer dead: no answer to 6 R-U-THERE messages (user john)"));
  CHECK(h.kernel.sas().empty());
  CHECK(h.kernel.policies().empty());
  CHECK(h.pool().leased() == 0);
}

TEST_CASE("DPD: a peer that did not announce DPD gets no R-U-THERE") {
  Phase2Harness h("crypto isakmp keepalive 10 2\n" + fixture("ios-easyvpn.cfg"));
  auto o = vpn_client11_options();
  o.vendor_ids = {vid::xauth()};
  Client c(o);
  main_mode_with_address(h, c);
  for (int i = 0; i < 20; ++i) {
    h.advance(Seconds(5));
    CHECK(notifies_on_tick(h, c).empty());
  }
  CHECK(h.responder.sa_count() == 1);
}

TEST_CASE("idle time: a session with traffic stays, one without traffic for the idle time is deleted") {
  Phase2Harness h(fixture("ios-easyvpn.cfg"));
  h.config.dialect = config::Dialect::Pix;  // PIX `vpngroup G idle-time` defaults to 1800 s
  auto o = vpn_client11_options();
  o.vendor_ids = {vid::xauth()};  // no DPD: the idle time is the only backstop
  Client c(o);
  const Ipv4 address = main_mode_with_address(h, c);
  quick_mode(h, c, address);

  uint64_t bytes = 0;
  for (int i = 0; i < 120; ++i) {  // an hour with a little traffic every 30 s
    bytes += 84;
    REQUIRE(h.kernel.set_counters(kGateway, kOurSpi, {bytes, bytes / 84, 0}));
    h.advance(Seconds(30));
    CHECK(notifies_on_tick(h, c).empty());
  }
  REQUIRE(h.responder.sa_count() == 1);

  int ticks = 0;
  while (h.responder.sa_count() == 1 && ticks < 2000) {
    h.advance(Seconds(1));
    h.tick();
    ++ticks;
  }
  CHECK(ticks >= 1800);
  CHECK(ticks <= 1800 + 31);
  CHECK(h.log.contains("idle timeout (1800 s), user john"));
  CHECK(h.kernel.sas().empty());
  CHECK(h.pool().leased() == 0);
}
