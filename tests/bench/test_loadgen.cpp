// The load generator's handshake state machine against the in-process responder (tests/ike: Phase2Harness, a
// fake kernel, the ios-easyvpn fixture with an AES-256/SHA-1 policy and transform set added): whole logins
// complete with every HASH checked, and what must fail fails with its reason.
#include <doctest/doctest.h>

#include <algorithm>
#include <deque>
#include <functional>

#include "loadgen/handshake.hpp"
#include "loadgen/report.hpp"
#include "loadgen/runner.hpp"
#include "tests/ike/phase2_initiator.hpp"

using namespace ravpn;
using namespace ravpn::loadgen;
using ike::test::Phase2Harness;

namespace {

std::string bench_config() {
  std::string text = ike::test::fixture("ios-easyvpn.cfg");
  auto put_before = [&](const std::string& anchor, const std::string& lines) {
    auto at = text.find(anchor);
    REQUIRE(at != std::string::npos);
    text.insert(at, lines);
  };
  put_before("crypto isakmp policy 10\n",
             "crypto isakmp policy 5\n encr aes 256\n hash sha\n authentication pre-share\n group 2\n");
  put_before("crypto dynamic-map dyna 10\n", "crypto ipsec transform-set bench esp-aes 256 esp-sha-hmac\n");
  const std::string set = " set transform-set mypolicy\n";
  text.replace(text.find(set), set.size(), " set transform-set bench mypolicy\n");
  return text;
}

HandshakeSpec aggressive_spec() {
  HandshakeSpec s;
  s.exchange = Exchange::Aggressive;
  s.mode_config = ModeConfig::Pull;
  s.dh_group = 2;
  s.psk = "grouppass123";
  s.group_name = "vpn3000";
  s.user = "john";
  s.password = "doe";
  s.self = ike::Endpoint{ike::test::ip("198.51.100.7"), 500};
  s.responder = ike::Endpoint{ike::test::ip("192.0.2.1"), 500};
  return s;
}

HandshakeSpec main_spec() {
  HandshakeSpec s = aggressive_spec();
  s.exchange = Exchange::Main;
  s.mode_config = ModeConfig::Push;
  s.psk = "cisco1234";
  s.dh_group = 1;
  s.suite = *parse_suite("des-md5");
  return s;
}

// Carries datagrams both ways until neither side has anything more to say. `tamper` may change what the
// responder sent before the client sees it.
void pump(Phase2Harness& h, Handshake& c, std::function<void(Bytes&)> tamper = {}) {
  std::deque<Bytes> to_responder;
  auto take = [&](const std::vector<ike::Datagram>& replies) {
    for (const auto& reply : replies) {
      if (reply.to != c.spec().self) continue;
      Bytes data = reply.data;
      if (tamper) tamper(data);
      for (auto& out : c.receive(data, Clock::now())) to_responder.push_back(std::move(out));
    }
  };
  for (auto& d : c.start(Clock::now())) to_responder.push_back(std::move(d));
  // When the client is quiet, time passes: a client that does not pull gets its SET once the responder's
  // mode-config pull window has ended (one tick later).
  for (int quiet = 0; quiet < 2; ++quiet) {
    for (int rounds = 0; !to_responder.empty() && rounds < 50; ++rounds) {
      Bytes d = std::move(to_responder.front());
      to_responder.pop_front();
      take(h.feed(ike::Datagram{c.spec().self, c.spec().responder, d}));
    }
    h.advance(h.pull_window + Seconds(1));
    take(h.tick());
    if (to_responder.empty()) break;
  }
}

}  // namespace

TEST_CASE("aggressive mode, Xauth, mode-config pull, quick mode AES-256/SHA-1, then the deletes") {
  Phase2Harness h(bench_config());
  Handshake c(aggressive_spec(), 42);
  pump(h, c);
  REQUIRE_MESSAGE(c.state() == Handshake::State::Established, c.failure() << "\nlog:\n" << h.log.text());
  REQUIRE(c.address());
  CHECK(c.address()->str().starts_with("10.2.1."));
  CHECK(h.kernel.count_calls("add_sa") == 2);
  // The Delete ESP and Delete ISAKMP that followed QM3 took the SAs down again.
  CHECK(h.kernel.count_calls("delete_sa") == 2);
  CHECK(h.log.contains("Xauth user 'john' authenticated"));
  for (size_t p = 0; p < kPhases; ++p) CHECK(c.phase_ms()[p] >= 0);
  CHECK(c.total_ms() >= c.phase_ms()[Phase1]);
}

TEST_CASE("main mode with the address key, mode-config push, quick mode DES/MD5, held") {
  Phase2Harness h(bench_config());
  HandshakeSpec spec = main_spec();
  spec.hold = true;
  Handshake c(spec, 7);
  pump(h, c);
  REQUIRE_MESSAGE(c.state() == Handshake::State::Established, c.failure() << "\nlog:\n" << h.log.text());
  CHECK(h.log.contains("peer accepted the address"));
  CHECK(h.kernel.count_calls("add_sa") == 2);
  CHECK(h.kernel.count_calls("delete_sa") == 0);
  for (auto& d : c.deletes()) h.feed(ike::Datagram{spec.self, spec.responder, d});
  CHECK(h.kernel.count_calls("delete_sa") == 2);
}

TEST_CASE("several clients at once, each from its own address with its own cookies") {
  Phase2Harness h(bench_config());
  std::vector<std::unique_ptr<Handshake>> clients;
  for (int i = 0; i < 4; ++i) {
    HandshakeSpec s = aggressive_spec();
    s.self.address.value += uint32_t(i);
    s.user = i % 2 ? "jane" : "john";
    s.password = i % 2 ? "secret2" : "doe";
    s.hold = true;
    clients.push_back(std::make_unique<Handshake>(s, 100 + uint64_t(i)));
  }
  // Only two users: hold the first two, then the next two replace them (one lease per user).
  for (auto& c : clients) {
    pump(h, *c);
    CHECK_MESSAGE(c->state() == Handshake::State::Established, c->failure());
  }
  CHECK(h.kernel.count_calls("add_sa") == 8);
}

TEST_CASE("a responder that rebuilds the chosen transform (charon: its own attribute order) is accepted") {
  Phase2Harness h(bench_config());
  Handshake c(aggressive_spec(), 12);
  bool rewritten = false;
  pump(h, c, [&](Bytes& d) {
    auto m = ike::parse_message(d);
    if (!m || m->header.exchange != ike::ExchangeType::Aggressive) return;
    std::vector<ike::PayloadBody> payloads;
    for (const auto& p : m->chain.payloads) payloads.push_back(p.body);
    auto& attributes = std::get<ike::SaPayload>(payloads[0]).proposals[0].transforms[0].attributes;
    std::reverse(attributes.begin(), attributes.end());
    d = ike::serialize_message(m->header, payloads);
    rewritten = true;
  });
  CHECK(rewritten);
  CHECK_MESSAGE(c.state() == Handshake::State::Established, c.failure());
}

TEST_CASE("a chosen transform with another algorithm than offered fails phase 1") {
  Phase2Harness h(bench_config());
  Handshake c(aggressive_spec(), 13);
  pump(h, c, [&](Bytes& d) {
    auto m = ike::parse_message(d);
    if (!m || m->header.exchange != ike::ExchangeType::Aggressive) return;
    std::vector<ike::PayloadBody> payloads;
    for (const auto& p : m->chain.payloads) payloads.push_back(p.body);
    for (auto& a : std::get<ike::SaPayload>(payloads[0]).proposals[0].transforms[0].attributes)
      if (a.type == ike::ike_attr::HashAlgorithm) a.value = ike::ike_hash::Md5;
    d = ike::serialize_message(m->header, payloads);
  });
  CHECK(c.state() == Handshake::State::Failed);
  CHECK(c.failure() == "phase1: responder's transform is not one we offered as sent");
}

TEST_CASE("a wrong group key fails phase 1 on HASH_R") {
  Phase2Harness h(bench_config());
  HandshakeSpec s = aggressive_spec();
  s.psk = "wronggroup77";
  Handshake c(s, 5);
  pump(h, c);
  CHECK(c.state() == Handshake::State::Failed);
  CHECK(c.failure() == "phase1: AM2: HASH_R does not verify");
}

TEST_CASE("a wrong Xauth password is a failure of the Xauth phase") {
  Phase2Harness h(bench_config());
  HandshakeSpec s = aggressive_spec();
  s.password = "wrongpass";
  Handshake c(s, 6);
  pump(h, c);
  CHECK(c.state() == Handshake::State::Failed);
  CHECK(c.failure().starts_with("xauth: "));
  CHECK(h.kernel.count_calls("add_sa") == 0);
}

TEST_CASE("a responder message whose HASH does not verify is not answered") {
  Phase2Harness h(bench_config());
  int transactions = 0;
  Handshake c(aggressive_spec(), 8);
  // Flip the last byte of the first transaction (the Xauth REQUEST): its last CBC block decrypts to garbage
  // padding or payload, and its HASH no longer matches.
  pump(h, c, [&](Bytes& d) {
    if (d.size() > 28 && d[18] == uint8_t(ike::ExchangeType::Transaction) && transactions++ == 0) d.back() ^= 0x01;
  });
  CHECK(c.state() == Handshake::State::Failed);
  CHECK(c.failure().starts_with("xauth: "));
}

TEST_CASE("a repeated responder message gets our last message again") {
  Phase2Harness h(bench_config());
  Handshake c(aggressive_spec(), 9);
  auto am1 = c.start(Clock::now());
  auto am2 = h.one(ike::Datagram{c.spec().self, c.spec().responder, am1[0]});
  auto am3 = c.receive(am2.data, Clock::now());
  REQUIRE(am3.size() == 1);
  CHECK(c.receive(am2.data, Clock::now()) == am3);
  CHECK(c.state() == Handshake::State::Xauth);
}

TEST_CASE("suites, user patterns, percentiles") {
  CHECK(parse_suite("aes256-sha1")->ike_key_bits == 256);
  CHECK(parse_suite("aes128-sha1")->esp_key_bits == 128);
  CHECK(parse_suite("3des-md5")->ike_enc == ike::ike_enc::TripleDes);
  CHECK(!parse_suite("rc4-sha1"));
  CHECK(expand("user{}", 17) == "user17");
  CHECK(expand("john", 17) == "john");
  std::vector<double> v{5, 1, 4, 2, 3};
  CHECK(percentile(v, 0.5) == 3);
  CHECK(percentile(v, 0.99) == 5);
  std::vector<double> none;
  CHECK(percentile(none, 0.5) == 0);
}
