// The session's state machine (ike/session_flow.*) and the IPsec SA pairs' (ike/child_sa.*): the transition
// table on its own, then both driven by a real exchange sequence through the responder.
#include <doctest/doctest.h>

#include "ike/child_sa.hpp"
#include "ike/session_flow.hpp"
#include "phase2_initiator.hpp"

using namespace ravpn;
using namespace ravpn::ike;
using namespace ravpn::ike::test;

namespace {

constexpr SessionStage kStages[] = {SessionStage::Phase1,        SessionStage::XauthRequested,
                                    SessionStage::XauthChecking, SessionStage::XauthStatusSent,
                                    SessionStage::XauthFailed,   SessionStage::Authenticated,
                                    SessionStage::ConfigPushed,  SessionStage::Configured,
                                    SessionStage::Up,            SessionStage::Ended};
constexpr SessionEvent kEvents[] = {SessionEvent::XauthRequestSent, SessionEvent::NoXauth,
                                    SessionEvent::Credentials,      SessionEvent::AaaAccepted,
                                    SessionEvent::AaaRefusedRetry,  SessionEvent::AaaRefusedFinal,
                                    SessionEvent::XauthAcked,       SessionEvent::AddressPulled,
                                    SessionEvent::AddressPushed,    SessionEvent::AddressAcked,
                                    SessionEvent::ChildInstalled,   SessionEvent::End};

SessionStage run(std::initializer_list<SessionEvent> events) {
  SessionStage s = SessionStage::Phase1;
  for (auto e : events) REQUIRE_MESSAGE(advance(s, e), name(e), " in ", name(s));
  return s;
}

const Ipv4 kGateway = *Ipv4::parse("192.0.2.1");

kernel::ExpireEvent expire(kernel::Spi spi, bool hard) {
  kernel::ExpireEvent e;
  e.destination = kGateway;
  e.spi = spi;
  e.hard = hard;
  return e;
}

}  // namespace

TEST_CASE("session flow: Xauth, then the address pulled or pushed, then quick modes") {
  using E = SessionEvent;
  CHECK(run({E::XauthRequestSent, E::Credentials, E::AaaAccepted, E::XauthAcked}) == SessionStage::Authenticated);
  CHECK(run({E::XauthRequestSent, E::Credentials, E::AaaAccepted, E::XauthAcked, E::AddressPulled,
             E::ChildInstalled, E::ChildInstalled}) == SessionStage::Up);
  CHECK(run({E::XauthRequestSent, E::Credentials, E::AaaAccepted, E::XauthAcked, E::AddressPushed}) ==
        SessionStage::ConfigPushed);
  CHECK(run({E::XauthRequestSent, E::Credentials, E::AaaAccepted, E::XauthAcked, E::AddressPushed,
             E::AddressAcked, E::ChildInstalled}) == SessionStage::Up);
  // Two refusals, then the right password; three refusals end it with the failure status.
  CHECK(run({E::XauthRequestSent, E::Credentials, E::AaaRefusedRetry, E::Credentials, E::AaaRefusedRetry,
             E::Credentials, E::AaaAccepted}) == SessionStage::XauthStatusSent);
  CHECK(run({E::XauthRequestSent, E::Credentials, E::AaaRefusedFinal, E::XauthAcked}) == SessionStage::Ended);
  // No Xauth configured: quick mode straight away (VPN Client 1.1 with its own address).
  CHECK(run({E::NoXauth, E::ChildInstalled}) == SessionStage::Up);
}

TEST_CASE("session flow: what a stage does not expect is refused and leaves the stage as it was") {
  using E = SessionEvent;
  using S = SessionStage;
  CHECK_FALSE(next_stage(S::XauthChecking, E::Credentials));     // a second REPLY while the backend works
  CHECK_FALSE(next_stage(S::XauthRequested, E::AddressPulled));  // mode-config before Xauth
  CHECK_FALSE(next_stage(S::XauthRequested, E::ChildInstalled)); // quick mode before Xauth
  CHECK_FALSE(next_stage(S::XauthStatusSent, E::AddressPushed));
  CHECK_FALSE(next_stage(S::XauthFailed, E::AaaAccepted));
  CHECK_FALSE(next_stage(S::Phase1, E::Credentials));
  CHECK_FALSE(next_stage(S::Authenticated, E::XauthAcked));      // the same ACK twice
  SessionStage s = S::XauthChecking;
  CHECK_FALSE(advance(s, E::XauthAcked));
  CHECK(s == S::XauthChecking);
  // Every stage ends on End but Ended itself, which takes nothing; nothing goes back to Phase1; only the Xauth
  // stages are "in progress", only the later ones authenticated.
  for (auto stage : kStages) {
    CHECK(!(xauth_in_progress(stage) && authenticated(stage)));
    for (auto event : kEvents) {
      auto next = next_stage(stage, event);
      if (stage == S::Ended) {
        CHECK_FALSE(next);
        continue;
      }
      if (event == E::End) CHECK(next == S::Ended);
      if (next) CHECK(*next != S::Phase1);
      if (next && authenticated(stage)) CHECK((authenticated(*next) || *next == S::Ended));
    }
    CHECK(std::string(name(stage)) != "?");
  }
  for (auto event : kEvents) CHECK(std::string(name(event)) != "?");
}

TEST_CASE("session flow through the responder: VPN Client 1.1 from phase 1 to a tunnel, stage by stage") {
  Phase2Harness h(fixture("ios-easyvpn.cfg"));
  Client c(vpn_client11_options());
  auto stage = [&] { return h.responder.find(c.ini.rcookie())->session.stage; };
  auto extra = run_main_mode(h, c);
  REQUIRE(extra.size() == 1);
  CHECK(stage() == SessionStage::XauthRequested);
  auto request = expect_xauth_request(c, extra[0]);
  auto status = to_client(xauth_answer(h, c, request, "john", "doe"), c);
  REQUIRE(status.size() == 1);
  CHECK(stage() == SessionStage::XauthStatusSent);
  auto set = c.p2->open_transaction(status[0]);
  REQUIRE(set);
  CHECK(to_client(h.feed(c.p2->ack(*set)), c).empty());
  CHECK(stage() == SessionStage::Authenticated);
  // The client does not pull within the window: the head-end pushes the address.
  auto pushed = to_client(after_pull_window(h), c);
  REQUIRE(pushed.size() == 1);
  CHECK(stage() == SessionStage::ConfigPushed);
  auto push = c.p2->open_transaction(pushed[0]);
  REQUIRE(push);
  auto address = address_in(push->attributes);
  REQUIRE(address);
  CHECK(h.feed(c.p2->ack(*push)).empty());
  CHECK(stage() == SessionStage::Configured);
  // The same ACK again (a retransmit) changes nothing.
  CHECK(h.feed(c.p2->ack(*push)).empty());
  CHECK(stage() == SessionStage::Configured);
  quick_mode(h, c, *address);
  CHECK(stage() == SessionStage::Up);
  CHECK(h.log.contains("session configured -> up (IPsec SA pair installed)"));
}

TEST_CASE("child SAs: a rekey supersedes the old pair, soft expiry marks, the peer's delete and hard expiry remove") {
  Phase2Harness h(fixture("ios-easyvpn.cfg"));
  Client c(vpn_client11_options());
  const Ipv4 address = main_mode_with_address(h, c);
  quick_mode(h, c, address, 0x9bde0001, 0x43e00001);
  const Phase1Sa* sa = h.responder.find(c.ini.rcookie());
  REQUIRE(sa);
  REQUIRE(sa->session.children.size() == 1);
  const kernel::Spi first = sa->session.children[0].spi_in;
  CHECK(sa->session.children[0].state == ChildState::Installed);
  const size_t policies = h.kernel.policies().size();
  const size_t routes = h.kernel.routes().size();

  // The kernel's soft expiry: the pair waits for the client to renew it.
  h.responder.on_kernel_expire({expire(first, false)});
  CHECK(sa->session.children[0].state == ChildState::SoftExpired);
  CHECK(h.kernel.sas().size() == 2);

  // The client renews: a second pair beside the first, which drains; the policies are shared.
  quick_mode(h, c, address, 0x9bde0002, 0x43e00002);
  REQUIRE(sa->session.children.size() == 2);
  CHECK(sa->session.children[0].state == ChildState::Superseded);
  CHECK(sa->session.children[1].state == ChildState::Installed);
  CHECK(sa->session.phase2_rekeys == 1);
  CHECK(h.kernel.sas().size() == 4);
  CHECK(h.kernel.policies().size() == policies);
  CHECK(sa->session.stage == SessionStage::Up);

  // A soft expiry of a superseded pair leaves it superseded.
  h.responder.on_kernel_expire({expire(first, false)});
  CHECK(sa->session.children[0].state == ChildState::Superseded);

  // The peer deletes the old pair: its SAs go, the policies stay for the new one.
  DeletePayload del;
  del.protocol = ProtocolId::IpsecEsp;
  del.spi_size = 4;
  del.spis.push_back(u32_bytes(0x9bde0001));
  CHECK(h.feed(c.ini.informational({del}, 0x0e0e0001)).empty());
  REQUIRE(sa->session.children.size() == 1);
  CHECK(h.kernel.sas().size() == 2);
  CHECK(h.kernel.policies().size() == policies);
  CHECK(h.kernel.routes().size() == routes);

  // The new pair's hard expiry: nothing of the tunnel is left in the kernel.
  const kernel::Spi second = sa->session.children[0].spi_in;
  h.responder.on_kernel_expire({expire(second, true)});
  CHECK(sa->session.children.empty());
  CHECK(h.kernel.sas().empty());
  CHECK(h.kernel.policies().empty());
  CHECK(h.kernel.routes().empty());
  CHECK_FALSE(h.kernel_errors_logged());
}
