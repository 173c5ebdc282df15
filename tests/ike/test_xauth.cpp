// Xauth after phase 1 (draft-beaulieu-ike-xauth-02 §4), as the seed IOS trace shows it: the head-end sends
// REQUEST(XAUTH_TYPE, USER_NAME, USER_PASSWORD) in a transaction exchange, the client REPLYs, the head-end SETs
// XAUTH_STATUS and the client ACKs; then `client configuration address initiate` pushes the address.
// Every message is checked by the independent initiator: IV = hash(last phase 1 block | M-ID) and
// HASH = prf(SKEYID_a, M-ID | ATTR) (draft-dukes-ike-mode-cfg-02 §3.1, RFC 2409 appendix B).
#include <doctest/doctest.h>

#include "phase2_initiator.hpp"

using namespace ravpn;
using namespace ravpn::ike;
using namespace ravpn::ike::test;

namespace {

void check_protected_isakmp_delete(Client& c, const Datagram& d) {
  auto chain = c.ini.open_informational(d);
  REQUIRE_MESSAGE(chain, c.ini.error());
  const auto* del = chain->first_as<DeletePayload>();
  REQUIRE(del);
  CHECK(del->protocol == ProtocolId::Isakmp);
  REQUIRE(del->spis.size() == 1);
  Bytes spi(c.ini.icookie().bytes.begin(), c.ini.icookie().bytes.end());
  spi.insert(spi.end(), c.ini.rcookie().bytes.begin(), c.ini.rcookie().bytes.end());
  CHECK(del->spis[0] == spi);
}

}  // namespace

TEST_CASE("Xauth after main mode (VPN Client 1.1, no Unity): REQUEST, REPLY john/doe, SET 1, ACK, then the pushed address") {
  Phase2Harness h(fixture("ios-easyvpn.cfg"));
  Client c(vpn_client11_options());
  auto extra = run_main_mode(h, c);
  REQUIRE(extra.size() == 1);

  // The REQUEST: a transaction exchange under the ISAKMP SA, encrypted, a fresh non-zero message ID.
  auto hd = parse_header(extra[0].data);
  REQUIRE(hd);
  CHECK(hd->exchange == ExchangeType::Transaction);
  CHECK((hd->flags & flags::Encryption) != 0);
  CHECK(hd->message_id.value != 0);
  CHECK(hd->initiator_cookie == c.ini.icookie());
  CHECK(hd->responder_cookie == c.ini.rcookie());
  auto req = expect_xauth_request(c, extra[0]);
  CHECK(req.attributes.find(cfg_attr::XauthType)->value == 0);  // generic
  CHECK(h.log.contains("Xauth: requesting user name and password"));

  // REPLY -> SET(STATUS 1), a new exchange: a fresh message ID whose IV the client derives from the phase 1 chain
  // (draft-beaulieu-ike-xauth-02 §4.1, RFC 2409 appendix B); the independent initiator opens it that way.
  auto sent = xauth_answer(h, c, req, "john", "doe");
  REQUIRE(sent.size() == 1);
  auto set = c.p2->open_transaction(sent[0]);
  REQUIRE_MESSAGE(set, c.p2->error());
  CHECK(set->attributes.type == cfg_type::Set);
  CHECK(set->message_id() != req.message_id());
  CHECK(set->message_id() != 0);
  REQUIRE(set->attributes.find(cfg_attr::XauthStatus));
  CHECK(set->attributes.find(cfg_attr::XauthStatus)->as_u32() == 1u);
  CHECK(h.responder.stats().xauth_ok == 1);
  CHECK(h.log.contains("Xauth user 'john' authenticated"));

  // ACK, then (the client does not pull within the window) the mode-config SET (`client configuration address
  // initiate`): a new message ID, the pool's first address; the client ACKs ("peer accepted the address").
  CHECK(h.feed(c.p2->ack(*set)).empty());
  auto after_ack = after_pull_window(h);
  REQUIRE(after_ack.size() == 1);
  auto push = c.p2->open_transaction(after_ack[0]);
  REQUIRE_MESSAGE(push, c.p2->error());
  CHECK(push->attributes.type == cfg_type::Set);
  CHECK(push->message_id() != req.message_id());
  CHECK(address_in(push->attributes) == ip("10.2.1.1"));
  CHECK(h.pool().leased() == 1);
  CHECK(h.pool().lease_of(ip("10.2.1.1"))->user == "john");
  CHECK(h.feed(c.p2->ack(*push)).empty());
  CHECK(h.log.contains("peer accepted the address 10.2.1.1"));
  // Nothing outstanding any more: no retransmission later.
  h.advance(Seconds(30));
  CHECK(h.tick().empty());
  CHECK(h.responder.sa_count() == 1);
}

TEST_CASE("Xauth: a wrong password gets a new REQUEST, three times, then SET STATUS 0 and a DELETE after the ACK") {
  Phase2Harness h(fixture("ios-easyvpn.cfg"));
  Client c(vpn_client11_options());
  auto extra = run_main_mode(h, c);
  REQUIRE(extra.size() == 1);
  Datagram request = extra[0];
  std::vector<uint32_t> ids;
  for (int attempt = 1; attempt <= 3; ++attempt) {
    CAPTURE(attempt);
    auto req = expect_xauth_request(c, request);
    ids.push_back(req.message_id());
    if (attempt > 1) {  // "try again" says why
      const auto* msg = req.attributes.find(cfg_attr::XauthMessage);
      REQUIRE(msg);
      CHECK(std::string(msg->data.begin(), msg->data.end()).find("failed") != std::string::npos);
    }
    auto sent = xauth_answer(h, c, req, "john", "wrongpass");
    REQUIRE(sent.size() == 1);
    CHECK(h.responder.stats().xauth_failed == uint64_t(attempt));
    if (attempt < 3) {
      request = sent[0];
      continue;
    }
    auto set = c.p2->open_transaction(sent[0]);
    REQUIRE_MESSAGE(set, c.p2->error());
    CHECK(set->attributes.type == cfg_type::Set);
    CHECK(set->message_id() != req.message_id());
    REQUIRE(set->attributes.find(cfg_attr::XauthStatus));
    CHECK(set->attributes.find(cfg_attr::XauthStatus)->as_u32() == 0u);
    // After the ACK of the failure the ISAKMP SA goes, with a protected DELETE.
    auto after_ack = h.feed(c.p2->ack(*set));
    REQUIRE(after_ack.size() == 1);
    check_protected_isakmp_delete(c, after_ack[0]);
  }
  // A fresh REQUEST each time (draft-beaulieu-ike-xauth-02 §4.1 allows a new transaction; IOS does the same).
  CHECK(ids[0] != ids[1]);
  CHECK(ids[1] != ids[2]);
  CHECK(h.responder.stats().xauth_failed == 3);
  CHECK(h.responder.stats().xauth_ok == 0);
  CHECK(h.responder.sa_count() == 0);
  CHECK(h.pool().leased() == 0);
  CHECK(h.kernel.calls().empty());
  CHECK(h.log.contains("Xauth user 'john' refused"));
}

TEST_CASE("Xauth: a wrong password, then the right one on the second REQUEST") {
  Phase2Harness h(fixture("ios-easyvpn.cfg"));
  Client c(vpn_client11_options());
  auto extra = run_main_mode(h, c);
  REQUIRE(extra.size() == 1);
  auto req = expect_xauth_request(c, extra[0]);
  auto again = xauth_answer(h, c, req, "john", "wrongpass");
  REQUIRE(again.size() == 1);
  CHECK(xauth_login(h, c, again[0], "john", "doe").empty());
  auto after_ack = after_pull_window(h);
  REQUIRE(after_ack.size() == 1);  // the pushed address
  auto push = c.p2->open_transaction(after_ack[0]);
  REQUIRE_MESSAGE(push, c.p2->error());
  CHECK(address_in(push->attributes) == ip("10.2.1.1"));
  CHECK(h.responder.stats().xauth_failed == 1);
  CHECK(h.responder.stats().xauth_ok == 1);
}

TEST_CASE("Xauth: an unknown user is refused like a wrong password") {
  Phase2Harness h(fixture("ios-easyvpn.cfg"));
  Client c(vpn_client11_options());
  auto extra = run_main_mode(h, c);
  REQUIRE(extra.size() == 1);
  auto req = expect_xauth_request(c, extra[0]);
  auto again = xauth_answer(h, c, req, "mallory", "doe");
  REQUIRE(again.size() == 1);
  auto next = expect_xauth_request(c, again[0]);
  CHECK(next.message_id() != req.message_id());
  CHECK(h.responder.stats().xauth_failed == 1);
}

TEST_CASE("Xauth retransmission: the same REQUEST bytes after 5 s, then with back-off; a late REPLY still succeeds") {
  Phase2Harness h(fixture("ios-easyvpn.cfg"));
  Client c(vpn_client11_options());
  auto extra = run_main_mode(h, c);
  REQUIRE(extra.size() == 1);
  const Datagram request = extra[0];

  h.advance(Seconds(4));
  CHECK(h.tick().empty());
  h.advance(Seconds(1));  // t = 5
  auto r1 = h.tick();
  REQUIRE(r1.size() == 1);
  CHECK(r1[0].data == request.data);
  CHECK(r1[0].to == c.ini.self());
  CHECK(h.log.contains("retransmitting transaction"));
  h.advance(Seconds(5));  // t = 10: the back-off doubled the interval
  CHECK(h.tick().empty());

  // The user of the seed trace types at t = 8 s after one retransmission; here at t = 10.
  CHECK(xauth_login(h, c, request, "john", "doe").empty());
  auto after_ack = after_pull_window(h);
  REQUIRE(after_ack.size() == 1);
  auto push = c.p2->open_transaction(after_ack[0]);
  REQUIRE_MESSAGE(push, c.p2->error());
  CHECK(address_in(push->attributes) == ip("10.2.1.1"));
}

TEST_CASE("Xauth retransmission schedule: 5, 15, 35, 75 s; no answer within 120 s deletes the SA") {
  Phase2Harness h(fixture("ios-easyvpn.cfg"));
  Client c(vpn_client11_options());
  auto extra = run_main_mode(h, c);
  REQUIRE(extra.size() == 1);
  const Datagram request = extra[0];
  std::vector<int> resent_at;
  for (int t = 1; t < 120; ++t) {
    h.advance(Seconds(1));
    for (const auto& d : h.tick()) {
      CHECK(d.data == request.data);
      resent_at.push_back(t);
    }
  }
  CHECK(resent_at == std::vector<int>{5, 15, 35, 75});
  CHECK(h.responder.sa_count() == 1);
  h.advance(Seconds(1));  // t = 120
  auto last = h.tick();
  REQUIRE(last.size() == 1);
  check_protected_isakmp_delete(c, last[0]);
  CHECK(h.responder.sa_count() == 0);
  CHECK(h.pool().leased() == 0);
  CHECK(h.log.contains("no answer to Xauth within 120 s"));
}

TEST_CASE("Xauth: a REPLY with a bad HASH is dropped and the REQUEST stays outstanding") {
  Phase2Harness h(fixture("ios-easyvpn.cfg"));
  Client c(vpn_client11_options());
  auto extra = run_main_mode(h, c);
  REQUIRE(extra.size() == 1);
  auto req = expect_xauth_request(c, extra[0]);
  Datagram reply = c.p2->xauth_reply(req, "john", "doe");
  reply.data[kHeaderSize + 6] ^= 0x40;  // inside the encrypted HASH payload
  CHECK(h.feed(reply).empty());
  CHECK(h.responder.stats().xauth_ok == 0);
  CHECK(h.responder.stats().xauth_failed == 0);
  h.advance(Seconds(5));
  auto r = h.tick();
  REQUIRE(r.size() == 1);
  CHECK(r[0].data == extra[0].data);
}

TEST_CASE("Xauth in aggressive mode (vpnc): the group travels with the credentials, no address is pushed") {
  Phase2Harness h(fixture("ios-easyvpn.cfg"));
  Client c(unity_options());
  auto r = run_aggressive_mode(h, c);
  REQUIRE(r.size() == 1);
  auto after_ack = xauth_login(h, c, r[0], "jane", "secret2");
  CHECK(after_ack.empty());  // Unity clients ask themselves (`client configuration address respond`)
  CHECK(h.responder.stats().xauth_ok == 1);
  CHECK(h.pool().leased() == 0);
}

TEST_CASE("Xauth: a retransmitted REPLY is answered with the status SET again, not decrypted or checked again") {
  Phase2Harness h(fixture("ios-easyvpn.cfg"));
  Client c(vpn_client11_options());
  auto extra = run_main_mode(h, c);
  REQUIRE(extra.size() == 1);
  auto req = expect_xauth_request(c, extra[0]);
  const Datagram reply = c.p2->xauth_reply(req, "john", "doe");
  auto sent = h.feed(reply);
  REQUIRE(sent.size() == 1);
  // The client missed the SET and sends its REPLY again (Libreswan does): the same SET bytes go back.
  const auto answered = h.responder.stats().retransmits_answered;
  auto again = h.feed(reply);
  REQUIRE(again.size() == 1);
  CHECK(again[0].data == sent[0].data);
  CHECK(h.responder.stats().retransmits_answered == answered + 1);
  CHECK(h.responder.stats().xauth_ok == 1);  // authenticated once
  CHECK_FALSE(h.log.contains("dropped"));
  // The SET still opens and the exchange finishes normally.
  auto set = c.p2->open_transaction(again[0]);
  REQUIRE_MESSAGE(set, c.p2->error());
  CHECK(set->attributes.find(cfg_attr::XauthStatus)->as_u32() == 1u);
  const Datagram ack = c.p2->ack(*set);
  CHECK(h.feed(ack).empty());
  // A retransmitted ACK has nothing left to answer: nothing is sent, nothing decrypted.
  CHECK(h.feed(ack).empty());
  CHECK_FALSE(h.log.contains("dropped"));
  CHECK(after_pull_window(h).size() == 1);  // the pushed address, once
}

TEST_CASE("Xauth: a retransmitted REPLY after a refusal gets the next REQUEST again") {
  Phase2Harness h(fixture("ios-easyvpn.cfg"));
  Client c(vpn_client11_options());
  auto extra = run_main_mode(h, c);
  REQUIRE(extra.size() == 1);
  auto req = expect_xauth_request(c, extra[0]);
  const Datagram reply = c.p2->xauth_reply(req, "john", "wrongpass");
  auto next = h.feed(reply);
  REQUIRE(next.size() == 1);
  auto again = h.feed(reply);
  REQUIRE(again.size() == 1);
  CHECK(again[0].data == next[0].data);
  CHECK(h.responder.stats().xauth_failed == 1);  // refused once, not twice
  auto req2 = expect_xauth_request(c, next[0]);
  CHECK(req2.message_id() != req.message_id());
}
