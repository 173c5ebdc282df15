// A session outlives its ISAKMP SA (ike/responder_takeover.cpp, ike/session_pruning.*): a new ISAKMP SA of the same
// peer and user takes the session over with its IPsec SAs in the kernel and its address; when phase 1 ends the
// IPsec SAs live on until they expire; and a session renewed for two simulated days keeps no more state than on
// its first hour.
#include <doctest/doctest.h>

#include <algorithm>

#include "phase2_initiator.hpp"

using namespace ravpn;
using namespace ravpn::ike;
using namespace ravpn::ike::test;

namespace {

const Ipv4 kGateway = *Ipv4::parse("192.0.2.1");

const Phase1Sa* sa_of(Phase2Harness& h, const Client& c) { return h.responder.find(c.ini.rcookie()); }

// The client deletes the IPsec SA whose inbound SPI (ours towards it) is `spi` (RFC 2408 §3.15, as vpnc and
// strongSwan do after a rekey).
Datagram delete_esp(Client& c, uint32_t spi, uint32_t message_id) {
  DeletePayload del;
  del.protocol = ProtocolId::IpsecEsp;
  del.spi_size = 4;
  del.spis.push_back(u32_bytes(spi));
  return c.ini.informational({del}, message_id);
}

// Inbound ESP bytes on every IPsec SA in the kernel: the tunnel is in use (idle time and DPD see traffic).
void traffic(Phase2Harness& h, uint64_t& bytes) {
  bytes += 5000;
  for (const auto& [key, sa] : h.kernel.sas())
    if (key.first == kGateway) (void)h.kernel.set_counters(kGateway, key.second, {bytes, bytes / 100, 0});
}

}  // namespace

TEST_CASE("a new ISAKMP SA of the same peer and user takes the session over; the IPsec SAs stay in the kernel") {
  Phase2Harness h(fixture("ios-easyvpn.cfg"));
  Client first(vpn_client11_options("198.51.100.7", 7));
  const Ipv4 address = main_mode_with_address(h, first);
  quick_mode(h, first, address, 0x9bde2875, 0x43e0d0f9);
  REQUIRE(h.kernel.sas().size() == 2);

  // Reauthentication (strongSwan, Libreswan): a new main mode and Xauth from the same address and port, without
  // INITIAL-CONTACT, while the first ISAKMP SA still lives.
  Client again(vpn_client11_options("198.51.100.7", 8));
  again.initial_contact = false;
  CHECK(main_mode_with_address(h, again) == address);  // pushed again: the new ISAKMP SA tells the client
  CHECK(h.kernel.sas().size() == 2);
  CHECK(h.kernel.count_calls("delete_sa") == 0);
  const Phase1Sa* renewed = sa_of(h, again);
  REQUIRE(renewed);
  CHECK(renewed->session.children.size() == 1);
  CHECK(renewed->session.phase1_rekeys == 1);
  CHECK(renewed->session.carried_from == sa_of(h, first)->serial);
  CHECK(sa_of(h, first)->session.children.empty());
  CHECK(sa_of(h, first)->session.handed_to == renewed->serial);
  CHECK(h.pool().leased() == 1);
  CHECK(h.log.contains("phase 1 renewed: takes over the session of conn"));

  // The client deletes its old ISAKMP SA: the session, now on the new one, is untouched.
  CHECK(h.feed(first.ini.delete_isakmp(0x0e0e0001)).empty());
  CHECK(sa_of(h, first) == nullptr);
  CHECK(h.kernel.sas().size() == 2);
  CHECK(h.pool().leased() == 1);

  // A phase 2 rekey on the new ISAKMP SA: the new pair next to the old, which goes when the client deletes it.
  quick_mode(h, again, address, 0x9bde2876, 0x43e0d0fa);
  CHECK(h.kernel.sas().size() == 4);
  CHECK(renewed->session.phase2_rekeys == 1);
  CHECK(h.feed(delete_esp(again, 0x9bde2875, 0x0e0e0002)).empty());
  CHECK(h.kernel.sas().size() == 2);
  CHECK(h.kernel.policies().size() == 3);  // shared by both pairs, still there for the new one

  CHECK(h.feed(again.ini.delete_isakmp(0x0e0e0003)).empty());
  CHECK(h.kernel.empty());
  CHECK(h.pool().leased() == 0);
  CHECK_FALSE(h.kernel_errors_logged());
}

TEST_CASE("another user on the same address and port, or another port, takes nothing over") {
  Phase2Harness h(fixture("ios-easyvpn.cfg"));
  Client john(vpn_client11_options("198.51.100.7", 7));
  const Ipv4 johns = main_mode_with_address(h, john, "john", "doe");
  quick_mode(h, john, johns);
  Client jane(vpn_client11_options("198.51.100.7", 9));
  jane.initial_contact = false;
  CHECK(main_mode_with_address(h, jane, "jane", "secret2") != johns);
  CHECK(sa_of(h, john)->session.children.size() == 1);
  CHECK(sa_of(h, jane)->session.children.empty());
  CHECK_FALSE(h.log.contains("takes over"));
}

TEST_CASE("phase 1 over: the IPsec SAs live on until they expire, then the session ends and the lease returns") {
  std::string text = fixture("ios-easyvpn.cfg");
  const std::string policy10 = "crypto isakmp policy 10\n hash md5\n";  // DES/MD5/group 1: VPN Client 1.1's
  text.replace(text.find(policy10), policy10.size(), policy10 + " lifetime 600\n");
  Phase2Harness h(text);
  Client c(vpn_client11_options("198.51.100.7", 7));
  const Ipv4 address = main_mode_with_address(h, c);
  quick_mode(h, c, address);
  uint64_t bytes = 0;
  for (int s = 0; s < 620; s += 10) {  // traffic keeps DPD quiet
    traffic(h, bytes);
    h.advance(Seconds(10));
    h.tick();
  }
  const Phase1Sa* sa = sa_of(h, c);
  REQUIRE(sa);
  CHECK(sa->detached());
  CHECK(h.kernel.sas().size() == 2);
  CHECK(h.pool().leased() == 1);
  CHECK(h.log.contains("phase 1 over; 1 IPsec SA pair of user john stay until they expire"));
  // A message on the deleted ISAKMP SA is not taken.
  CHECK(h.feed(c.ini.delete_isakmp(0x0e0e0001)).empty());
  CHECK(sa_of(h, c) != nullptr);

  // The kernel's hard expiry of the pair (both directions): then the session is over.
  std::vector<kernel::ExpireEvent> expired;
  for (const auto& [key, sa] : h.kernel.sas()) {
    kernel::ExpireEvent e;
    e.destination = key.first;
    e.spi = key.second;
    e.hard = true;
    expired.push_back(e);
  }
  h.responder.on_kernel_expire(expired);
  h.tick();
  CHECK(sa_of(h, c) == nullptr);
  CHECK(h.pool().leased() == 0);
  CHECK(h.log.contains("session over: its last IPsec SA is gone"));
}

TEST_CASE("48 simulated hours of phase 1 and phase 2 rekeys: no container grows") {
  Phase2Harness h(fixture("ios-easyvpn.cfg"));
  std::vector<std::unique_ptr<Client>> clients;
  clients.push_back(std::make_unique<Client>(vpn_client11_options("198.51.100.7", 100)));
  Ipv4 address = main_mode_with_address(h, *clients.back());
  uint32_t spi = 0x9bde0000, mid = 0x43e00000, info = 0x0e0e0000;
  quick_mode(h, *clients.back(), address, ++spi, ++mid);
  uint64_t bytes = 0;
  size_t most_sas = 0, most_kernel = 0, most_qm = 0, most_answered = 0, most_ivs = 0, most_children = 0;
  for (int hour = 1; hour <= 48; ++hour) {
    // An hour of traffic, ticking every 30 s.
    for (int t = 0; t < 120; ++t) {
      traffic(h, bytes);
      h.advance(Seconds(30));
      h.tick();
    }
    // An hour after its handshake, every ISAKMP SA has let go of the handshake's inputs (session_pruning.hpp), and
    // the rekeys, mode-config and deletes below still work without them.
    for (const auto* sa : h.responder.sas()) {
      CHECK(sa->handshake_released());
      CHECK(sa->handshake == nullptr);
      CHECK(sa->choice.transform.attributes.empty());
      CHECK(sa->session.last_answer_received.empty());
    }
    Client& now = *clients.back();
    if (hour % 8 == 0) {
      // Phase 1 reauthentication every 8 hours; the client then deletes its old ISAKMP SA.
      auto next = std::make_unique<Client>(vpn_client11_options("198.51.100.7", 100 + uint64_t(hour)));
      next->initial_contact = false;
      REQUIRE(main_mode_with_address(h, *next) == address);
      CHECK(h.feed(now.ini.delete_isakmp(++info)).empty());
      clients.push_back(std::move(next));
    }
    // Phase 2 rekey every hour: the new pair, then the client deletes the old one.
    Client& c = *clients.back();
    const uint32_t old_spi = spi;
    quick_mode(h, c, address, ++spi, ++mid);
    CHECK(h.feed(delete_esp(c, old_spi, ++info)).empty());
    // A mode-config REQUEST now and then (some clients refresh their attributes): answered transactions pile up
    // otherwise.
    (void)mode_config_request(h, c, {cfg_attr::InternalIp4Dns}, ++mid);

    for (const auto* sa : h.responder.sas()) {
      most_qm = std::max(most_qm, sa->session.quick_modes.size());
      most_answered = std::max(most_answered, sa->session.answered.size());
      most_ivs = std::max(most_ivs, sa->phase2_ivs.size());
      most_children = std::max(most_children, sa->session.children.size());
    }
    most_sas = std::max(most_sas, h.responder.sa_count());
    most_kernel = std::max(most_kernel, h.kernel.sas().size());
  }
  const Phase1Sa* last = sa_of(h, *clients.back());
  REQUIRE(last);
  CHECK(last->session.phase1_rekeys == 6);
  CHECK(last->session.phase2_rekeys >= 40);
  CHECK(h.responder.sa_count() == 1);
  CHECK(most_sas <= 2);
  CHECK(most_kernel <= 4);
  CHECK(most_children <= 2);
  CHECK(most_qm <= 4);
  CHECK(most_answered <= 4);
  CHECK(most_ivs <= 1);
  CHECK(h.pool().leased() == 1);
  CHECK(h.kernel.sas().size() == 2);
  CHECK_FALSE(h.kernel_errors_logged());
}

TEST_CASE("phase 1 over: a RADIUS Session-Timeout still ends the session whose IPsec SAs outlived it") {
  std::string text = fixture("ios-easyvpn.cfg");
  const std::string policy10 = "crypto isakmp policy 10\n hash md5\n";
  text.replace(text.find(policy10), policy10.size(), policy10 + " lifetime 600\n");
  Phase2Harness h(text);
  Client c(vpn_client11_options("198.51.100.7", 7));
  const Ipv4 address = main_mode_with_address(h, c);
  quick_mode(h, c, address);
  // What the Access-Accept would have carried (RFC 2865 5.27); the harness logs in against local users.
  const_cast<Phase1Sa*>(sa_of(h, c))->authorization.session_timeout = 900;
  uint64_t bytes = 0;
  for (int s = 0; s < 880; s += 10) {
    traffic(h, bytes);
    h.advance(Seconds(10));
    h.tick();
  }
  REQUIRE(sa_of(h, c));
  CHECK(sa_of(h, c)->detached());
  for (int s = 0; s < 40; s += 10) {
    traffic(h, bytes);
    h.advance(Seconds(10));
    h.tick();
  }
  CHECK(sa_of(h, c) == nullptr);
  CHECK(h.pool().leased() == 0);
  CHECK(h.log.contains("session over: maximum connect time reached"));
}
