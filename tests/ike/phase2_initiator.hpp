// The in-process side of phase 2 tests: the responder with a fake kernel, pools and local Xauth users
// (Phase2Harness), and whole flows built on the scripted initiators of phase2_client.hpp.
#pragma once
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "harness.hpp"
#include "phase2_client.hpp"
#include "tests/fakes/fake_kernel.hpp"

namespace ravpn::ike::test {

// ---- the responder with what phase 2 needs: a fake kernel, the config's pools and the local Xauth users ----

PoolSet pools_of(const config::Config& config);

class Phase2Harness {
 public:
  explicit Phase2Harness(std::string config_text, uint64_t seed = 2000, ResponderSettings settings = {});
  // A config already parsed (a PIX config, secrets applied).
  explicit Phase2Harness(config::Config parsed, uint64_t seed = 2000, ResponderSettings settings = {});
  ~Phase2Harness();
  Phase2Harness(const Phase2Harness&) = delete;
  Phase2Harness& operator=(const Phase2Harness&) = delete;

  std::vector<Datagram> feed(const Datagram& d);
  Datagram one(const Datagram& d);  // REQUIREs exactly one answer
  std::vector<Datagram> tick();     // responder.tick(); what it sent
  void advance(Seconds s) { time.advance(s); }
  pool::AddressPool& pool(const std::string& name = "ourpool") { return pools.at(name); }
  // Kernel calls the responder reported as failed (it logs "removing ...: <error>" / "installing IPsec SAs failed").
  bool kernel_errors_logged() const;

  config::Config config;
  std::unique_ptr<xauth::Backend> xauth;
  PoolSet pools;
  ravpn::testing::FakeKernel kernel;
  RoutePlacement routes;  // empty: no routes; a test may name the device of the local address
  std::unique_ptr<crypto::Rng> rng, dh_rng;
  ManualTime time;
  InlineWorker worker;
  CapturingLogger log;
  CapturingSender sender;
  Responder responder;
  Seconds pull_window;  // the responder's ResponderSettings::pull_window
};

uint32_t u32_of(ByteView b);  // 4 bytes big-endian

// ---- whole flows ----

// A client: phase 1 initiator and (once phase 1 is done) its phase 2 side.
struct Client {
  explicit Client(InitiatorOptions o) : options(o), ini(std::move(o)) {}
  InitiatorOptions options;
  Initiator ini;
  std::unique_ptr<Phase2Initiator> p2;
  bool initial_contact = true;  // in MM5; a reauthenticating client (same peer, new ISAKMP SA) sends none
  std::vector<Datagram> phase1_replies;  // everything the responder sent during phase 1 (+ the Xauth REQUEST)
};

// VPN Client 1.1 in main mode: DES/MD5/group 1, no Unity VID, from `self`.
InitiatorOptions vpn_client11_options(const char* self = "198.51.100.7", uint64_t seed = 7);
// vpnc / VPN Client 4.x in aggressive mode: group vpn3000, 3DES/MD5/group 2 with 65001, Unity VID.
InitiatorOptions unity_options(const char* self = "198.51.100.7", uint64_t seed = 11);

// MM1..MM6; REQUIREs each step, builds client.p2. Returns what MM5 brought beyond MM6 (the Xauth REQUEST).
std::vector<Datagram> run_main_mode(Phase2Harness& h, Client& c);
// AM1..AM3 (AM3 encrypted); builds client.p2. Returns what AM3 brought (the Xauth REQUEST).
std::vector<Datagram> run_aggressive_mode(Phase2Harness& h, Client& c);

// Opens an Xauth REQUEST and checks it asks for XAUTH_TYPE, USER_NAME and USER_PASSWORD.
Phase2Initiator::Transaction expect_xauth_request(Client& c, const Datagram& d);
// REPLY with the credentials; returns the SET (STATUS) when accepted, or whatever the responder sent.
std::vector<Datagram> xauth_answer(Phase2Harness& h, Client& c, const Phase2Initiator::Transaction& request,
                                   const std::string& user, const std::string& password);
// Xauth REQUEST -> REPLY -> SET(STATUS 1) -> ACK; returns what the responder sent after the ACK.
std::vector<Datagram> xauth_login(Phase2Harness& h, Client& c, const Datagram& request, const std::string& user,
                                  const std::string& password);
// The pull window after the Xauth ACK (ResponderSettings::pull_window): REQUIREs nothing is sent before it ends;
// returns what the responder sent when it ended (the pushed SET, for a client that did not pull).
std::vector<Datagram> after_pull_window(Phase2Harness& h);
// A mode-config REQUEST for `types` from the client (new message ID); returns the REPLY opened.
Phase2Initiator::Transaction mode_config_request(Phase2Harness& h, Client& c, const std::vector<uint16_t>& types,
                                                 uint32_t message_id = 0x5a5a0001);
std::optional<Ipv4> address_in(const AttributePayload& a);
// The datagrams of `sent` addressed to this client.
std::vector<Datagram> to_client(const std::vector<Datagram>& sent, const Client& c);

// Main mode + Xauth(john/doe) + the pushed SET + ACK: the client holds its address. Returns the address.
Ipv4 main_mode_with_address(Phase2Harness& h, Client& c, const std::string& user = "john",
                            const std::string& password = "doe");

// QM1 -> QM2 -> QM3 with one ESP DES/MD5 proposal; REQUIREs that the SAs got installed. Returns QM2.
Phase2Initiator::Qm2 quick_mode(Phase2Harness& h, Client& c, Ipv4 client_address, uint32_t spi = 0x9bde2875,
                                uint32_t message_id = 0x43e0d0f9);

}  // namespace ravpn::ike::test
