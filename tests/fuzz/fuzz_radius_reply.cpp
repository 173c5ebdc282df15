// libFuzzer target for the RADIUS answer parser (xauth/radius_packet.cpp, check_reply) against a fixed
// Access-Request. Input: one flags byte, then the answer. With flag bit 0 set, the target signs the answer first
// (Message-Authenticator, RFC 3579 3.2, for the first attribute of that type; then the Response Authenticator,
// RFC 2865 3) so the fuzzer gets past the checks a forged answer stops at; bit 1 puts the request's identifier in;
// bit 2 checks the input as the answer to a fixed Accounting-Request instead (xauth/radius_accounting.cpp,
// check_accounting_response; RFC 2866 3). Every input is also read as an Accounting-Request (the parse side).
// Properties: no crash; a signed answer is never refused for its authenticators; an accepted answer has a code
// that answers its request, a Reply-Message without control bytes (valid UTF-8 stays), at most kMaxClasses Class
// attributes, and a fixed Framed-IP-Address that is a real address (not 0, not 255.255.255.254/255).
// Seeds: tests/fuzz/seeds/radius (flag byte 3; 7 for the accounting ones).
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include <botan/hash.h>
#include <botan/mac.h>

#include "xauth/radius_accounting.hpp"
#include "xauth/radius_packet.hpp"

using namespace ravpn::xauth;

namespace {

constexpr std::string_view kSecret = "fuzz-secret";

void check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "fuzz_radius_reply: property violated: %s\n", what);
    std::abort();
  }
}

const radius::Bytes& request() {
  static const radius::Bytes r = [] {
    static const uint8_t password[] = {'p', 'w'};
    radius::Request q;
    q.identifier = 0x2a;
    for (size_t i = 0; i < q.authenticator.size(); ++i) q.authenticator[i] = uint8_t(0xa0 + i);
    q.user = "alice";
    q.password = password;
    q.nas_address = ravpn::Ipv4{0xc0000201};
    q.calling_station = "198.51.100.7";
    return *radius::build_access_request(q, kSecret);
  }();
  return r;
}

const radius::Bytes& accounting_request() {
  static const radius::Bytes r = [] {
    radius::AccountingRequestData q;
    q.identifier = 0x2b;
    q.record.kind = ravpn::xauth::accounting::Kind::Stop;
    q.record.session.id = "5F00000000000001";
    q.record.session.user = "alice";
    q.record.session.address = ravpn::Ipv4{0x0a000001};
    q.nas_address = ravpn::Ipv4{0xc0000201};
    return *radius::build_accounting_request(q, kSecret);
  }();
  return r;
}

const uint8_t* secret_bytes() { return reinterpret_cast<const uint8_t*>(kSecret.data()); }

// Signs ANSWER (its length field decides what is covered) as a server holding kSecret would.
void sign(radius::Bytes& answer, const radius::Bytes& req) {
  if (answer.size() < radius::kHeaderLength) return;
  const size_t length = std::min(answer.size(), size_t(answer[2]) << 8 | answer[3]);
  if (length < radius::kHeaderLength) return;
  for (size_t at = radius::kHeaderLength; at + 2 <= length && answer[at + 1] >= 2;) {
    if (answer[at] == radius::MessageAuthenticator && answer[at + 1] == 18 && at + 18 <= length) {
      radius::Bytes copy(answer.begin(), answer.begin() + long(length));
      std::copy(req.begin() + 4, req.begin() + 20, copy.begin() + 4);
      std::fill_n(copy.begin() + long(at) + 2, 16, 0);
      auto mac = Botan::MessageAuthenticationCode::create_or_throw("HMAC(MD5)");
      mac->set_key(secret_bytes(), kSecret.size());
      auto tag = mac->process(copy);
      std::copy(tag.begin(), tag.end(), answer.begin() + long(at) + 2);
      break;
    }
    at += answer[at + 1];
  }
  auto md5 = Botan::HashFunction::create_or_throw("MD5");
  md5->update(answer.data(), 4);
  md5->update(req.data() + 4, 16);
  md5->update(answer.data() + radius::kHeaderLength, length - radius::kHeaderLength);
  md5->update(secret_bytes(), kSecret.size());
  auto digest = md5->final();
  std::copy(digest.begin(), digest.end(), answer.begin() + 4);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const uint8_t flags = data[0];
  radius::Bytes answer(data + 1, data + size);
  (void)radius::parse_accounting_request(answer, kSecret);  // the tools' side: no crash
  const bool accounting = flags & 4;
  const auto& req = accounting ? accounting_request() : request();
  if ((flags & 2) && answer.size() >= 2) answer[1] = req[1];
  if (flags & 1) sign(answer, req);

  if (accounting) {
    auto ok = radius::check_accounting_response(answer, req, kSecret);
    if (ok) check(answer[0] == radius::AccountingResponse, "an accepted answer is an Accounting-Response");
    else if (flags & 1)
      check(ok.error().find("Authenticator does not match") == std::string::npos,
            "a signed accounting answer passes its authenticator");
    return 0;
  }
  auto reply = radius::check_reply(answer, request(), kSecret);
  if (reply) {
    check(reply->code == radius::AccessAccept || reply->code == radius::AccessReject ||
              reply->code == radius::AccessChallenge,
          "an accepted answer answers an Access-Request");
    // peer_text() keeps valid UTF-8 and escapes everything else: no control byte (C0, DEL) may remain.
    check(std::all_of(reply->reply_message.begin(), reply->reply_message.end(),
                      [](char c) { return static_cast<unsigned char>(c) >= 0x20 && c != 0x7f; }),
          "the Reply-Message holds no control byte");
    const auto& a = reply->authorization;
    check(a.classes.size() <= radius::kMaxClasses, "Class attributes are bounded");
    if (auto fixed = a.fixed_address())
      check(fixed->value != 0 && fixed->value < 0xfffffffe, "a fixed Framed-IP-Address is a real address");
  } else if (flags & 1) {
    check(reply.error().find("Authenticator does not match") == std::string::npos, "a signed answer passes its authenticators");
  }
  return 0;
}
