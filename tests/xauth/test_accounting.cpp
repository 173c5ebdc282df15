// Accounting records on the wire and the sender's queue: RADIUS Accounting-Request / Response (RFC 2866) as
// parse/serialise pairs with their authenticators, TACACS+ accounting bodies (RFC 8907 7), the bounded queue's
// drop order, failover in configuration order, retries until a server acknowledges.
#include <doctest/doctest.h>

#include <atomic>
#include <thread>

#include "xauth/accounting_sender.hpp"
#include "xauth/radius_accounting.hpp"
#include "xauth/tacacs_accounting.hpp"

using namespace ravpn;
using namespace ravpn::xauth;
using namespace ravpn::xauth::accounting;

namespace {

Record sample(Kind kind) {
  Record r;
  r.kind = kind;
  r.session.id = "5F3A2B1C00000007";
  r.session.user = "john";
  r.session.peer = *Ipv4::parse("198.51.100.7");
  r.session.address = *Ipv4::parse("10.20.30.1");
  r.session.classes = {"CLASS-A", std::string("\x00\xff\x01", 3)};
  r.session.start_unix = 1700000000;
  r.event_unix = 1700000123;
  if (kind != Kind::Start) {
    r.traffic = {0x1'2345'6789ull, 4242, 77, 0x1'0000'0000ull + 5};  // octets over 2^32, packets over 2^32
    r.session_seconds = 123;
  }
  if (kind == Kind::Stop) r.cause = Cause::SessionTimeout;
  return r;
}

radius::AccountingRequestData request_of(Kind kind) {
  radius::AccountingRequestData d;
  d.identifier = 42;
  d.record = sample(kind);
  d.nas_address = *Ipv4::parse("192.0.2.1");
  d.nas_identifier = "pix";
  d.delay_seconds = 3;
  return d;
}

}  // namespace

TEST_CASE("RADIUS Accounting-Request: Start, Interim-Update and Stop read back as written") {
  for (Kind kind : {Kind::Start, Kind::Interim, Kind::Stop}) {
    auto d = request_of(kind);
    auto packet = radius::build_accounting_request(d, "s3cret");
    REQUIRE(packet);
    CHECK((*packet)[0] == radius::AccountingRequest);
    CHECK((size_t((*packet)[2]) << 8 | (*packet)[3]) == packet->size());
    auto back = radius::parse_accounting_request(*packet, "s3cret");
    REQUIRE(back);
    CHECK(back->identifier == 42);
    CHECK(back->nas_address == d.nas_address);
    CHECK(back->nas_identifier == "pix");
    CHECK(back->delay_seconds == 3);
    const auto& r = back->record;
    CHECK(r.kind == kind);
    CHECK(r.session.id == d.record.session.id);
    CHECK(r.session.user == "john");
    CHECK(r.session.peer == d.record.session.peer);
    CHECK(r.session.address == d.record.session.address);
    CHECK(r.session.classes == d.record.session.classes);
    CHECK(r.event_unix == d.record.event_unix);
    if (kind == Kind::Start) {
      CHECK(r.traffic == Traffic{});
    } else {
      CHECK(r.session_seconds == 123);
      CHECK(r.traffic.bytes_in == 0x1'2345'6789ull);  // Acct-Input-Octets + Acct-Input-Gigawords
      CHECK(r.traffic.bytes_out == 4242);
      CHECK(r.traffic.packets_in == 77);
      CHECK(r.traffic.packets_out == 0xffffffffull);  // 32-bit attribute: saturated, never wrapped
    }
    if (kind == Kind::Stop) CHECK(r.cause == Cause::SessionTimeout);
  }
}

TEST_CASE("RADIUS Accounting-Request: the Request Authenticator is keyed (RFC 2866 3)") {
  auto packet = radius::build_accounting_request(request_of(Kind::Stop), "s3cret");
  REQUIRE(packet);
  auto wrong = radius::parse_accounting_request(*packet, "other");
  REQUIRE_FALSE(wrong);
  CHECK(wrong.error().find("Request Authenticator") != std::string::npos);
  auto changed = *packet;
  changed.back() ^= 1;  // the Terminate-Cause value
  CHECK_FALSE(radius::parse_accounting_request(changed, "s3cret"));
  // Same record, new Acct-Delay-Time: a new packet and a new authenticator (RFC 2866 5.2).
  auto later = request_of(Kind::Stop);
  later.delay_seconds = 13;
  auto packet2 = radius::build_accounting_request(later, "s3cret");
  REQUIRE(packet2);
  CHECK(!std::equal(packet->begin() + 4, packet->begin() + 20, packet2->begin() + 4));
}

TEST_CASE("RADIUS Accounting-Request: fields that do not fit are errors, never cut") {
  auto d = request_of(Kind::Start);
  d.record.session.user = std::string(254, 'u');
  CHECK_FALSE(radius::build_accounting_request(d, "k"));
  d = request_of(Kind::Start);
  d.record.session.id.clear();
  CHECK_FALSE(radius::build_accounting_request(d, "k"));
  d = request_of(Kind::Start);
  d.record.session.classes = std::vector<std::string>(20, std::string(253, 'c'));  // over 4096 octets
  CHECK_FALSE(radius::build_accounting_request(d, "k"));
}

TEST_CASE("RADIUS Accounting-Response: checked against the request and the key") {
  auto request = radius::build_accounting_request(request_of(Kind::Start), "s3cret");
  REQUIRE(request);
  auto response = radius::build_accounting_response(*request, "s3cret");
  CHECK(radius::check_accounting_response(response, *request, "s3cret"));

  auto wrong_key = radius::build_accounting_response(*request, "nope");
  auto e = radius::check_accounting_response(wrong_key, *request, "s3cret");
  REQUIRE_FALSE(e);
  CHECK(e.error().find("wrong key") != std::string::npos);

  auto other_id = response;
  other_id[1] ^= 1;
  CHECK_FALSE(radius::check_accounting_response(other_id, *request, "s3cret"));
  auto access_accept = response;
  access_accept[0] = radius::AccessAccept;
  CHECK_FALSE(radius::check_accounting_response(access_accept, *request, "s3cret"));
  for (size_t n = 0; n < response.size(); ++n)
    CHECK_FALSE(radius::check_accounting_response(std::span(response).first(n), *request, "s3cret"));
  // Padding past the length field is ignored (RFC 2865 3).
  auto padded = response;
  padded.push_back(0);
  CHECK(radius::check_accounting_response(padded, *request, "s3cret"));
}

TEST_CASE("TACACS+ accounting REQUEST and REPLY bodies read back as written") {
  for (Kind kind : {Kind::Start, Kind::Interim, Kind::Stop}) {
    auto req = tacacs::acct_request_for(sample(kind));
    auto body = tacacs::serialise(req);
    REQUIRE(body);
    auto back = tacacs::parse_acct_request(*body);
    REQUIRE(back);
    CHECK(*back == req);
    CHECK(back->user == "john");
    CHECK(back->remote_address == "198.51.100.7");
    auto has = [&](const std::string& arg) {
      return std::find(back->args.begin(), back->args.end(), arg) != back->args.end();
    };
    CHECK(has("task_id=5F3A2B1C00000007"));
    CHECK(has("service=ppp"));
    CHECK(has("protocol=ip"));
    CHECK(has("addr=10.20.30.1"));
    CHECK(has("start_time=1700000000"));
    CHECK(has("elapsed_time=123") == (kind != Kind::Start));
    CHECK(has("bytes_in=4886718345") == (kind != Kind::Start));
    CHECK(has("stop_time=1700000123") == (kind == Kind::Stop));
    CHECK(back->flags == (kind == Kind::Start ? tacacs::AcctStart
                          : kind == Kind::Stop ? tacacs::AcctStop
                                               : tacacs::AcctWatchdog));
    // Every truncation is an error, as are trailing bytes.
    for (size_t n = 0; n < body->size(); ++n) CHECK_FALSE(tacacs::parse_acct_request(std::span(*body).first(n)));
    auto longer = *body;
    longer.push_back(0);
    CHECK_FALSE(tacacs::parse_acct_request(longer));
  }
  tacacs::AcctReply reply{tacacs::AcctStatus::Success, "ok", ""};
  auto bytes = tacacs::serialise(reply);
  auto back = tacacs::parse_acct_reply(bytes);
  REQUIRE(back);
  CHECK(*back == reply);
  for (size_t n = 0; n < bytes.size(); ++n) CHECK_FALSE(tacacs::parse_acct_reply(std::span(bytes).first(n)));
}

TEST_CASE("queue: full, Interim-Updates go first, then the oldest") {
  RecordQueue q(3);
  Record start = sample(Kind::Start), interim = sample(Kind::Interim), stop = sample(Kind::Stop);
  CHECK(q.push(start));
  CHECK(q.push(interim));
  CHECK(q.push(stop));
  CHECK_FALSE(q.push(stop));  // the Interim goes
  CHECK(q.size() == 3);
  CHECK(q.front().kind == Kind::Start);
  CHECK_FALSE(q.push(stop));  // no Interim left: the oldest (the Start) goes
  CHECK(q.front().kind == Kind::Stop);
  CHECK(q.size() == 3);
}

TEST_CASE("delivery: servers in configuration order, the first that acknowledges wins") {
  Settings s;
  s.servers = {{*Ipv4::parse("10.0.0.1"), 1646, "k", 1, 0}, {*Ipv4::parse("10.0.0.2"), 1646, "k", 1, 0},
               {*Ipv4::parse("10.0.0.3"), 1646, "k", 1, 0}};
  std::vector<std::string> asked;
  auto exchange = [&](const Server& server, const Record&, uint32_t) {
    asked.push_back(server.address.str());
    if (server.address.str() == "10.0.0.1") return Delivery{Answer::Timeout, "timed out (4 tries of 5 s)", 3};
    return Delivery{Answer::Acknowledged, "", 0};
  };
  auto round = deliver(s, exchange, sample(Kind::Start), 0);
  REQUIRE(round.answered);
  CHECK(*round.answered == 1);
  CHECK(round.retransmits == 3);
  CHECK(asked == std::vector<std::string>{"10.0.0.1", "10.0.0.2"});
  REQUIRE(round.failures.size() == 1);
  CHECK(round.failures[0] == "10.0.0.1:1646: timed out (4 tries of 5 s)");
}

TEST_CASE("sender: records wait while no server answers and all arrive, in order, once one does") {
  Settings s;
  s.servers = {{*Ipv4::parse("10.0.0.1"), 1646, "k", 1, 0}};
  s.retry_pause = Seconds(0);
  std::atomic<bool> up{false};
  std::mutex m;
  std::vector<Kind> delivered;
  std::atomic<int> tries{0};
  Sender sender(s, [&](const Server&, const Record& r, uint32_t) {
    ++tries;
    if (!up) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
      return Delivery{Answer::Timeout, "timed out", 0};
    }
    std::lock_guard lock(m);
    delivered.push_back(r.kind);
    return Delivery{Answer::Acknowledged, "", 0};
  });
  for (Kind k : {Kind::Start, Kind::Interim, Kind::Stop}) sender.submit(sample(k));
  while (tries < 5) std::this_thread::yield();
  CHECK(sender.stats().queued == 3);
  CHECK(sender.stats().sent == 0);
  up = true;
  CHECK(sender.drain(std::chrono::seconds(10)));
  auto st = sender.stats();
  CHECK(st.sent == 3);
  CHECK(st.queued == 0);
  CHECK(st.failed_rounds >= 5);
  CHECK(st.last_server == "10.0.0.1:1646");
  std::lock_guard lock(m);
  CHECK(delivered == std::vector<Kind>{Kind::Start, Kind::Interim, Kind::Stop});
  auto messages = sender.take_messages();
  REQUIRE(messages.size() == 2);  // "no server answered" once, then "answers"
  CHECK(messages[0].find("no RADIUS server answered") != std::string::npos);
}

TEST_CASE("sender: drain gives up after its bound when no server ever answers") {
  Settings s;
  s.servers = {{*Ipv4::parse("10.0.0.1"), 1646, "k", 1, 0}};
  Sender sender(s, [](const Server&, const Record&, uint32_t) { return Delivery{Answer::Error, "refused", 0}; });
  sender.submit(sample(Kind::Stop));
  CHECK_FALSE(sender.drain(std::chrono::milliseconds(300)));
  CHECK(sender.stats().queued == 1);
}
