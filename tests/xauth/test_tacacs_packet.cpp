// TACACS+ packets (RFC 8907): header and body round trips, the strict length checks, and the obfuscation against a
// vector computed outside this code (Python's hashlib over RFC 8907 4.5's recipe). tests/xauth/test_tacacs_server.sh
// has tshark decode what ravpnd sends.
#include <doctest/doctest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "xauth/tacacs_packet.hpp"

using namespace ravpn::xauth::tacacs;

namespace {

Bytes bytes(std::initializer_list<uint8_t> b) { return Bytes(b); }
Bytes text(std::string_view s) { return Bytes(s.begin(), s.end()); }

}  // namespace

TEST_CASE("tacacs: header round trip and checks") {
  Header h;
  h.version = 0xc1;
  h.type = PacketType::Authentication;
  h.sequence = 3;
  h.flags = SingleConnect;
  h.session_id = 0xdeadbeef;
  h.length = 42;
  Bytes out;
  write_header(h, out);
  CHECK(out == bytes({0xc1, 0x01, 0x03, 0x04, 0xde, 0xad, 0xbe, 0xef, 0x00, 0x00, 0x00, 0x2a}));
  auto back = parse_header(out);
  REQUIRE(back);
  CHECK(*back == h);

  CHECK_FALSE(parse_header(std::span(out).first(11)));  // short
  Bytes longer = out;
  longer.push_back(0);
  CHECK_FALSE(parse_header(longer));  // trailing
  Bytes v = out;
  v[0] = 0xb0;
  CHECK(parse_header(v).error() == "not TACACS+: major version 0xb, expected 0xc");
  Bytes t = out;
  t[1] = 9;
  CHECK(parse_header(t).error() == "unknown packet type 9");
  Bytes big = out;
  big[8] = 0x7f;  // a 2 GB body: refused before anything is allocated
  CHECK(parse_header(big).error().starts_with("body length 2130706474 is more than"));
}

TEST_CASE("tacacs: obfuscation matches RFC 8907 4.5 computed independently, and undoes itself") {
  Header h;
  h.version = 0xc0;
  h.sequence = 1;
  h.session_id = 0x01020304;
  Bytes body;
  for (int i = 0; i < 40; ++i) body.push_back(uint8_t(i));  // three MD5 blocks, the last one cut
  Bytes original = body;
  obfuscate(h, "tackey", body);
  CHECK(body == bytes({0x04, 0x32, 0x8c, 0xb4, 0x48, 0xeb, 0xac, 0xcc, 0xc1, 0x53, 0xf5, 0x6a, 0x50, 0x20,
                       0x04, 0x69, 0xd3, 0xc7, 0xff, 0x76, 0x3c, 0xf4, 0xb4, 0x36, 0xab, 0xa7, 0x1e, 0xa8,
                       0x49, 0xc4, 0x6c, 0xa4, 0xbe, 0xf3, 0x95, 0x89, 0x58, 0x74, 0xd7, 0x4b}));
  obfuscate(h, "tackey", body);
  CHECK(body == original);
  obfuscate(h, "", body);  // no key: unchanged
  CHECK(body == original);
}

TEST_CASE("tacacs: START round trip, bytes, and fields that do not fit") {
  AuthenStart s;
  s.type = AuthenType::Pap;
  s.user = "john";
  s.port = "xauth";
  s.remote_address = "192.0.2.10";
  s.data = text("pw");
  auto out = serialise(s);
  REQUIRE(out);
  CHECK(Bytes(out->begin(), out->begin() + 8) == bytes({1, 1, 2, 1, 4, 5, 10, 2}));
  CHECK(out->size() == 8 + 4 + 5 + 10 + 2);
  auto back = parse_authen_start(*out);
  REQUIRE(back);
  CHECK(*back == s);

  s.user = std::string(256, 'u');
  CHECK(serialise(s).error() == "user is 256 bytes, TACACS+ carries at most 255");
  Bytes cut = *out;
  cut.pop_back();
  CHECK_FALSE(parse_authen_start(cut));
}

TEST_CASE("tacacs: REPLY round trip; lengths must add up exactly") {
  AuthenReply r;
  r.status = AuthenStatus::GetPass;
  r.flags = kReplyNoEcho;
  r.server_message = "Password: ";
  auto out = serialise(r);
  CHECK(Bytes(out.begin(), out.begin() + 6) == bytes({0x05, 0x01, 0x00, 0x0a, 0x00, 0x00}));
  auto back = parse_authen_reply(out);
  REQUIRE(back);
  CHECK(*back == r);

  Bytes trailing = out;
  trailing.push_back('x');
  CHECK_FALSE(parse_authen_reply(trailing));
  Bytes short_body = out;
  short_body.pop_back();
  CHECK_FALSE(parse_authen_reply(short_body));
  Bytes status = out;
  status[0] = 0x08;
  CHECK(parse_authen_reply(status).error() == "unknown status 0x8");
  CHECK_FALSE(parse_authen_reply({}));
}

TEST_CASE("tacacs: CONTINUE round trip") {
  AuthenContinue c;
  c.user_message = text("secret");
  c.flags = kContinueAbort;
  auto out = serialise(c);
  REQUIRE(out);
  CHECK(Bytes(out->begin(), out->begin() + 5) == bytes({0, 6, 0, 0, 1}));
  auto back = parse_authen_continue(*out);
  REQUIRE(back);
  CHECK(*back == c);
  out->push_back(0);
  CHECK_FALSE(parse_authen_continue(*out));
}

TEST_CASE("tacacs: seal and open; the header's length must match what follows") {
  AuthenReply r;
  r.status = AuthenStatus::Pass;
  r.server_message = "welcome";
  Header h;
  h.sequence = 2;
  h.session_id = 77;
  Bytes packet = seal(h, serialise(r), "k1");
  CHECK(packet.size() == kHeaderLength + 6 + 7);
  CHECK(packet[11] == 13);  // length filled in
  auto opened = open(packet, "k1");
  REQUIRE(opened);
  CHECK(opened->header.length == 13);
  CHECK(*parse_authen_reply(opened->body) == r);

  auto wrong = open(packet, "k2");  // opens, but the body is noise whose lengths do not add up
  REQUIRE(wrong);
  CHECK_FALSE(parse_authen_reply(wrong->body));

  Bytes cut = packet;
  cut.pop_back();
  CHECK(open(cut, "k1").error() == "header says 13 body bytes, 12 follow");
  CHECK_FALSE(open(std::span(packet).first(5), "k1"));
}
