// libFuzzer target for the TACACS+ reply side (xauth/tacacs_packet.*, xauth/tacacs_login.*): what a server, or anyone
// who can answer on its TCP connection, sends. The input is a stream of packets fed to one ASCII login session, the
// way xauth/tacacs_backend.cpp cuts them (12-byte header, then the length it announces). Properties beyond "no
// crash": a reply body that parses re-serialises to the same bytes (authentication and accounting REPLY, RFC 8907
// 5.2 and 7.2; an accounting REQUEST body likewise), and a session never asks for more than kMaxRounds rounds and
// always ends with an outcome once it stops sending.
#include <cstdint>
#include <cstdio>
#include <cstdlib>

#include "xauth/tacacs_accounting.hpp"
#include "xauth/tacacs_login.hpp"

using namespace ravpn::xauth;
using namespace ravpn::xauth::tacacs;

namespace {

void check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "fuzz_tacacs: property violated: %s\n", what);
    std::abort();
  }
}

constexpr char kKey[] = "fuzzkey";          // tests/fuzz/corpus-tacacs was made with this key
constexpr uint32_t kSessionId = 0x01020304;  // and this session id

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ByteView input(data, size);
  if (auto reply = parse_authen_reply(input)) check(serialise(*reply) == Bytes(input.begin(), input.end()), "REPLY round trip");
  if (auto reply = parse_acct_reply(input)) check(serialise(*reply) == Bytes(input.begin(), input.end()), "accounting REPLY round trip");
  if (auto request = parse_acct_request(input)) {
    auto again = serialise(*request);
    check(again && *again == Bytes(input.begin(), input.end()), "accounting REQUEST round trip");
  }
  (void)parse_header(input.first(std::min<size_t>(input.size(), kHeaderLength)));

  Credentials credentials;
  credentials.user = "john";
  credentials.password = {'p', 'w'};
  LoginSession session(AuthenType::Ascii, kKey, credentials, kSessionId, true);
  check(session.start().has_value(), "START builds");
  int rounds = 1;
  while (input.size() >= kHeaderLength) {
    uint32_t length = uint32_t(input[8]) << 24 | uint32_t(input[9]) << 16 | uint32_t(input[10]) << 8 | input[11];
    size_t take = std::min<size_t>(input.size(), kHeaderLength + std::min<uint32_t>(length, kMaxBodyLength));
    auto next = session.on_packet(input.first(take));
    input = input.subspan(take);
    if (!next) {
      check(session.outcome().has_value(), "a session that stops sending has an outcome");
      break;
    }
    check(++rounds <= kMaxRounds, "at most kMaxRounds rounds");
  }
  return 0;
}
