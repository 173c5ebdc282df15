// TACACS+ backend without a TACACS+ server: one login session driven by a scripted server in this file (ASCII with
// GETUSER/GETPASS, PAP, FAIL, and the replies that must end in an error: wrong key, wrong sequence or session, clear
// text, garbage, a looping server), the server order with a fake exchange, and the configuration checks.
// tests/xauth/test_tacacs_server.sh runs the real TCP exchange against tests/tools/tacacs_server.py.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "ike/worker.hpp"
#include "xauth/backend.hpp"
#include "xauth/tacacs_backend.hpp"

using namespace ravpn;
using namespace ravpn::xauth;
using namespace ravpn::xauth::tacacs;

namespace {

Ipv4 ip(const char* dotted) { return *Ipv4::parse(dotted); }

Credentials john(std::string password = "pw") {
  Credentials c;
  c.user = "john";
  c.password.assign(password.begin(), password.end());
  c.peer = ip("192.0.2.10");
  return c;
}

// The server's side of the exchange: opens what the client sent, answers with `status` in the next sequence number.
struct ScriptedServer {
  std::string key = "tackey";
  Header last;  // header of the client's last packet
  Bytes last_body;

  void receive(const Bytes& packet) {
    auto o = open(packet, key);
    REQUIRE(o);
    last = o->header;
    last_body = o->body;
  }
  Bytes answer(AuthenStatus status, std::string message = "", uint8_t flags = 0) {
    AuthenReply r;
    r.status = status;
    r.server_message = std::move(message);
    Header h = last;
    h.sequence = uint8_t(last.sequence + 1);
    h.flags = flags;
    return seal(h, serialise(r), key);
  }
};

std::string as_text(const Bytes& b) { return std::string(b.begin(), b.end()); }

}  // namespace

TEST_CASE("tacacs session: ASCII login with GETUSER and GETPASS, single-connect agreed") {
  auto creds = john("s3cret");
  LoginSession s(AuthenType::Ascii, "tackey", creds, 0x11223344, true);
  ScriptedServer server;
  auto start = s.start();
  REQUIRE(start);
  server.receive(*start);
  CHECK(server.last.version == 0xc0);
  CHECK(server.last.sequence == 1);
  CHECK(server.last.flags == SingleConnect);
  auto st = parse_authen_start(server.last_body);
  REQUIRE(st);
  CHECK(st->type == AuthenType::Ascii);
  CHECK(st->user == "john");
  CHECK(st->remote_address == "192.0.2.10");
  CHECK(st->data.empty());  // ASCII: the password only in answer to GETPASS

  auto next = s.on_packet(server.answer(AuthenStatus::GetUser, "Username: ", SingleConnect));
  REQUIRE(next);
  server.receive(*next);
  CHECK(server.last.sequence == 3);
  CHECK(server.last.flags == 0);
  CHECK(as_text(parse_authen_continue(server.last_body)->user_message) == "john");

  next = s.on_packet(server.answer(AuthenStatus::GetPass, "Password: "));
  REQUIRE(next);
  server.receive(*next);
  CHECK(server.last.sequence == 5);
  CHECK(as_text(parse_authen_continue(server.last_body)->user_message) == "s3cret");

  CHECK_FALSE(s.on_packet(server.answer(AuthenStatus::Pass, "hi\x01")));
  REQUIRE(s.outcome());
  CHECK(s.outcome()->answer == Answer::Pass);
  CHECK(s.outcome()->detail == "hi\\x01");  // escaped for the log
  CHECK(s.single_connection());
}

TEST_CASE("tacacs session: PAP carries the password in START, minor version 1; FAIL rejects") {
  auto creds = john("pw");
  LoginSession s(AuthenType::Pap, "tackey", creds, 5, false);
  ScriptedServer server;
  server.receive(*s.start());
  CHECK(server.last.version == 0xc1);
  CHECK(server.last.flags == 0);
  auto st = parse_authen_start(server.last_body);
  CHECK(st->type == AuthenType::Pap);
  CHECK(as_text(st->data) == "pw");
  CHECK_FALSE(s.on_packet(server.answer(AuthenStatus::Fail, "bad password", SingleConnect)));
  CHECK(s.outcome()->answer == Answer::Fail);
  CHECK(s.outcome()->detail == "bad password");
  CHECK_FALSE(s.single_connection());  // not asked for
}

TEST_CASE("tacacs session: replies that end in an error, never a verdict") {
  auto creds = john();
  auto run = [&](auto make_reply) {
    LoginSession s(AuthenType::Ascii, "tackey", creds, 9, true);
    ScriptedServer server;
    server.receive(*s.start());
    CHECK_FALSE(s.on_packet(make_reply(server)));
    REQUIRE(s.outcome());
    CHECK(s.outcome()->answer == Answer::Error);
    return s.outcome()->detail;
  };
  CHECK(run([](ScriptedServer& sv) {
          sv.key = "otherkey";
          return sv.answer(AuthenStatus::Pass);
        }).ends_with("(wrong key?)"));
  CHECK(run([](ScriptedServer& sv) {
          sv.last.sequence = 3;
          return sv.answer(AuthenStatus::Pass);
        }) == "sequence number 4, expected 2");
  CHECK(run([](ScriptedServer& sv) {
          sv.last.session_id = 10;
          return sv.answer(AuthenStatus::Pass);
        }) == "session id 0xa, expected 0x9");
  CHECK(run([](ScriptedServer& sv) {
          sv.key = "";
          return sv.answer(AuthenStatus::Pass, "", Unencrypted);
        }) == "reply sent unobfuscated although a key is configured");
  CHECK(run([](ScriptedServer&) { return Bytes{0x45, 0x00, 0x01}; }) == "3 bytes, shorter than the TACACS+ header");
  CHECK(run([](ScriptedServer& sv) { return sv.answer(AuthenStatus::Error, "db down"); }) ==
        "answered ERROR (db down)");
  CHECK(run([](ScriptedServer& sv) { return sv.answer(AuthenStatus::GetData, "New password: "); }) ==
        "answered GETDATA (New password: )");
  CHECK(run([](ScriptedServer& sv) { return sv.answer(AuthenStatus::Follow); }) == "answered FOLLOW");
}

TEST_CASE("tacacs session: a server that keeps asking is cut off") {
  auto creds = john();
  LoginSession s(AuthenType::Ascii, "tackey", creds, 9, false);
  ScriptedServer server;
  server.receive(*s.start());
  int rounds = 1;
  for (;;) {
    auto next = s.on_packet(server.answer(AuthenStatus::GetPass));
    if (!next) break;
    server.receive(*next);
    ++rounds;
  }
  CHECK(rounds == kMaxRounds);
  CHECK(s.outcome()->detail == "more than 6 rounds");
}

TEST_CASE("tacacs backend: servers in order; FAIL ends the search; none answering is Unavailable") {
  TacacsSettings settings;
  settings.name = "AuthInbound";
  for (auto a : {"198.51.100.1", "198.51.100.2"}) {
    TacacsServer t;
    t.address = ip(a);
    t.key = "k";
    settings.servers.push_back(t);
  }
  InlineWorker worker;
  auto run = [&](std::vector<Outcome> answers) {
    std::vector<std::string> asked;
    auto backend = make_tacacs_backend(settings, worker, [&](const TacacsServer& s, const Credentials&) {
      asked.push_back(s.str());
      Outcome o = answers.front();
      answers.erase(answers.begin());
      return o;
    });
    CHECK(backend->describe() == "TACACS+ AuthInbound (198.51.100.1:49, 198.51.100.2:49)");
    Result result;
    backend->authenticate(john(), [&](Result r) { result = r; });
    return std::pair{result, asked};
  };
  auto [down_then_pass, asked1] = run({{Answer::Error, "connect: Connection refused"}, {Answer::Pass, ""}});
  CHECK(down_then_pass.verdict == Verdict::Accept);
  CHECK(down_then_pass.reason == "accepted by TACACS+ server 198.51.100.2");
  CHECK(asked1.size() == 2);

  auto [fail, asked2] = run({{Answer::Fail, "no"}});
  CHECK(fail.verdict == Verdict::Reject);
  CHECK(fail.reason == "rejected by TACACS+ server 198.51.100.1 (no)");
  CHECK(asked2.size() == 1);

  auto [none, asked3] = run({{Answer::Error, "connect timed out"}, {Answer::Error, "x (wrong key?)"}});
  CHECK(none.verdict == Verdict::Unavailable);
  CHECK(none.reason ==
        "no TACACS+ server answered: 198.51.100.1:49: connect timed out; 198.51.100.2:49: x (wrong key?)");
}

TEST_CASE("tacacs config: PIX tag and IOS group choose TACACS+; a missing or masked key is a problem") {
  config::Config c;
  c.dialect = config::Dialect::Pix;
  config::AaaServer s;
  s.tag = "AuthInbound";
  s.protocol = "tacacs+";
  s.host = ip("203.0.113.5");
  s.key = "tackey";
  s.timeout_seconds = 10;
  c.aaa_servers.push_back(s);
  InlineWorker worker;

  auto settings = tacacs_settings(c, "AuthInbound", "aaa-server AuthInbound");
  CHECK(settings.problem.empty());
  REQUIRE(settings.settings.servers.size() == 1);
  CHECK(settings.settings.servers[0].timeout_seconds == 10);
  CHECK(settings.settings.servers[0].port == 49);
  CHECK(settings.settings.servers[0].login == AuthenType::Ascii);

  auto choice = make_backend(c, "AuthInbound", &worker);
  REQUIRE(choice.backend);
  CHECK(choice.backend->describe() == "TACACS+ AuthInbound (203.0.113.5:49)");

  auto no_worker = make_backend(c, "AuthInbound", nullptr);
  CHECK(no_worker.problem ==
        "aaa-server AuthInbound: TACACS+ is unavailable here (no AAA worker pool to run its requests on)");

  c.aaa_servers[0].key.clear();
  CHECK(make_backend(c, "AuthInbound", nullptr).problem ==
        "aaa-server AuthInbound host 203.0.113.5 has no key: ravpn does not send TACACS+ in the clear");
  c.aaa_servers[0].key = "********";
  c.aaa_servers[0].key_masked = true;
  CHECK(make_backend(c, "AuthInbound", &worker).problem ==
        "aaa-server AuthInbound host 203.0.113.5: the key is masked and no secrets file supplied it");
  CHECK(make_backend(c, "TACACS+", &worker).problem == "aaa-server TACACS+ has no TACACS+ host to send users to");

  config::Config ios;
  ios.dialect = config::Dialect::Ios;
  ios.aaa_new_model = true;
  s.tag = "tacacs+";
  s.tacacs_login = "pap";
  ios.aaa_servers.push_back(s);
  ios.aaa_authentication_login["vpn"] = config::AaaList{"vpn", {"tacacs+", "local"}, {}};
  auto list = make_backend(ios, "vpn", &worker);
  REQUIRE(list.backend);
  CHECK(list.backend->describe() == "TACACS+ tacacs+ (203.0.113.5:49), then local users (0)");
  CHECK(tacacs_settings(ios, "tacacs+", "tacacs-server").settings.servers[0].login == AuthenType::Pap);
}
