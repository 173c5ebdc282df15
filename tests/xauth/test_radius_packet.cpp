// RADIUS packets against RFC 2865's example (section 7.1), and the UDP exchange against a socket in this process
// that answers as scripted: right, forged, from the wrong port, only the retransmission, not at all.
#include <doctest/doctest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <mutex>
#include <functional>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include <botan/hash.h>
#include <botan/hex.h>
#include <botan/mac.h>

#include "xauth/radius_backend.hpp"
#include "xauth/radius_packet.hpp"

using namespace ravpn;
using namespace ravpn::xauth;
using Bytes = std::vector<uint8_t>;

namespace {

Bytes hex(const std::string& h) { return Botan::hex_decode(h); }
Bytes octets(const std::string& s) { return Bytes(s.begin(), s.end()); }
std::span<const uint8_t> text(const std::string& s) { return {reinterpret_cast<const uint8_t*>(s.data()), s.size()}; }

Bytes md5(std::initializer_list<std::span<const uint8_t>> parts) {
  auto h = Botan::HashFunction::create_or_throw("MD5");
  for (auto p : parts) h->update(p.data(), p.size());
  auto out = h->final();
  return {out.begin(), out.end()};
}

Bytes hmac_md5(const std::string& key, std::span<const uint8_t> data) {
  auto m = Botan::MessageAuthenticationCode::create_or_throw("HMAC(MD5)");
  m->set_key(text(key).data(), key.size());
  m->update(data.data(), data.size());
  auto out = m->final();
  return {out.begin(), out.end()};
}

// RFC 2865 7.1: nemo / arctangent, secret xyzzy5461, NAS 192.168.1.16 port 3; the Access-Accept that answers it.
const std::string rfc_secret = "xyzzy5461";
const Bytes rfc_request = hex(
    "010000380f403f9473978057bd83d5cb98f4227a01066e656d6f02120dbe708d93d413ce3196e43f782a0aee0406c0a80110050600000003");
const Bytes rfc_accept = hex("0200002686fe220e7624ba2a1005f6bf9b55e0b20606000000010f06000000000e06c0a80103");

radius::Authenticator authenticator_of(const Bytes& packet) {
  radius::Authenticator a;
  std::copy(packet.begin() + 4, packet.begin() + 20, a.begin());
  return a;
}

// The attributes of a packet by type (the last one of each type).
std::map<uint8_t, Bytes> attributes(const Bytes& p) {
  std::map<uint8_t, Bytes> out;
  for (size_t at = 20; at + 2 <= p.size() && p[at + 1] >= 2;) {
    out[p[at]] = Bytes(p.begin() + long(at) + 2, p.begin() + long(at) + p[at + 1]);
    at += p[at + 1];
  }
  return out;
}

// The clear password back from User-Password (RFC 2865 5.2 in reverse), zero padding included.
Bytes unhide(const Bytes& hidden, const std::string& secret, const radius::Authenticator& request) {
  Bytes out;
  std::span<const uint8_t> previous = request;
  for (size_t block = 0; block < hidden.size(); block += 16) {
    auto b = md5({text(secret), previous});
    for (size_t i = 0; i < 16; ++i) out.push_back(hidden[block + i] ^ b[i]);
    previous = std::span<const uint8_t>(hidden).subspan(block, 16);
  }
  return out;
}

// An answer to `request`: code, attributes, Response Authenticator computed with `secret`.
Bytes answer(const Bytes& request, uint8_t code, const Bytes& attrs, const std::string& secret) {
  Bytes p{code, request[1], 0, 0};
  p.resize(20);
  p.insert(p.end(), attrs.begin(), attrs.end());
  p[2] = uint8_t(p.size() >> 8);
  p[3] = uint8_t(p.size());
  auto ra = md5({std::span<const uint8_t>(p).first(4), std::span<const uint8_t>(request).subspan(4, 16),
                 std::span<const uint8_t>(p).subspan(20), text(secret)});
  std::copy(ra.begin(), ra.end(), p.begin() + 4);
  return p;
}

Credentials creds(const std::string& user, const std::string& password) {
  Credentials c;
  c.user = user;
  c.password.assign(password.begin(), password.end());
  c.peer = *Ipv4::parse("198.51.100.7");
  return c;
}

// A UDP socket on 127.0.0.1 that receives requests and answers as `script` says (it gets the request number from
// 0 and the request, and sends what it returns, from `other_port` if set; nothing if it returns empty).
class ScriptedServer {
 public:
  using Script = std::function<std::vector<Bytes>(int n, const Bytes& request)>;
  explicit ScriptedServer(Script script, bool from_other_port = false) : script_(std::move(script)) {
    fd_ = bind_any(port_);
    if (from_other_port) other_fd_ = bind_any(other_port_);
    thread_ = std::thread([this] { serve(); });
  }
  ~ScriptedServer() {
    stop_ = true;
    thread_.join();
    close(fd_);
    if (other_fd_ >= 0) close(other_fd_);
  }
  uint16_t port() const { return port_; }
  std::vector<Bytes> requests() const {
    std::lock_guard lock(mutex_);
    return requests_;
  }

 private:
  static int bind_any(uint16_t& port) {
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
    socklen_t l = sizeof a;
    getsockname(fd, reinterpret_cast<sockaddr*>(&a), &l);
    port = ntohs(a.sin_port);
    return fd;
  }
  void serve() {
    while (!stop_) {
      pollfd p{fd_, POLLIN, 0};
      if (poll(&p, 1, 50) <= 0) continue;
      Bytes buf(4096);
      sockaddr_in peer{};
      socklen_t l = sizeof peer;
      ssize_t n = recvfrom(fd_, buf.data(), buf.size(), 0, reinterpret_cast<sockaddr*>(&peer), &l);
      if (n <= 0) continue;
      buf.resize(size_t(n));
      int number = 0;
      {
        std::lock_guard lock(mutex_);
        requests_.push_back(buf);
        number = int(requests_.size()) - 1;
      }
      for (const auto& out : script_(number, buf))
        sendto(other_fd_ >= 0 ? other_fd_ : fd_, out.data(), out.size(), 0, reinterpret_cast<sockaddr*>(&peer), l);
    }
  }

  Script script_;
  mutable std::mutex mutex_;
  std::vector<Bytes> requests_;
  int fd_ = -1, other_fd_ = -1;
  uint16_t port_ = 0, other_port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

RadiusServer to(uint16_t port, unsigned timeout = 1, unsigned retransmits = 0) {
  RadiusServer s;
  s.address = *Ipv4::parse("127.0.0.1");
  s.port = port;
  s.key = "secret key, with: blanks";
  s.timeout_seconds = timeout;
  s.retransmits = retransmits;
  return s;
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

TEST_CASE("RFC 2865 7.1: the hidden password and the Access-Accept's Response Authenticator") {
  auto hidden = radius::hide_password(text("arctangent"), rfc_secret, authenticator_of(rfc_request));
  CHECK(Botan::hex_encode(hidden.data(), hidden.size(), false) == "0dbe708d93d413ce3196e43f782a0aee");

  auto reply = radius::check_reply(rfc_accept, rfc_request, rfc_secret);
  REQUIRE(reply);
  CHECK(reply->code == radius::AccessAccept);

  CHECK_FALSE(radius::check_reply(rfc_accept, rfc_request, "xyzzy5462"));  // another key
  Bytes tampered = rfc_accept;
  tampered.back() ^= 1;  // Login-IP-Host
  CHECK(radius::check_reply(tampered, rfc_request, rfc_secret).error() ==
        "Response Authenticator does not match (wrong key?)");
  Bytes other_id = rfc_request;
  other_id[1] = 1;
  CHECK(radius::check_reply(rfc_accept, other_id, rfc_secret).error() == "identifier of another request");
  Bytes padded = rfc_accept;
  padded.push_back(0);  // past the length field: padding, ignored
  CHECK(radius::check_reply(padded, rfc_request, rfc_secret));
}

TEST_CASE("malformed answers") {
  auto bad = [](Bytes p) { return radius::check_reply(p, rfc_request, rfc_secret).error(); };
  CHECK(bad(Bytes(19, 0)) == "shorter than a RADIUS header");
  Bytes short_length = rfc_accept;
  short_length[3] = 19;
  CHECK(bad(short_length) == "length field does not match the datagram");
  Bytes long_length = rfc_accept;
  long_length[3] = 0x27;
  CHECK(bad(long_length) == "length field does not match the datagram");
  Bytes request_code = rfc_accept;
  request_code[0] = 1;
  CHECK(bad(request_code) == "code 1 does not answer an Access-Request");
  Bytes overrun = rfc_accept;
  overrun[21] = 7;  // Service-Type claims 7 octets, and the next attribute's type is read as part of it
  overrun[27] = 0xff;
  CHECK(bad(overrun).find("overrun") != std::string::npos);
}

TEST_CASE("Access-Request: attributes, hidden password, Message-Authenticator") {
  radius::Request r;
  r.identifier = 42;
  r.authenticator = authenticator_of(rfc_request);
  r.user = "john";
  std::string password = "a password longer than sixteen octets";
  r.password = text(password);
  r.nas_address = *Ipv4::parse("192.0.2.1");
  r.calling_station = "198.51.100.7";
  auto built = radius::build_access_request(r, "s3cret");
  REQUIRE(built);
  Bytes p(built->begin(), built->end());
  CHECK(p[0] == 1);
  CHECK(p[1] == 42);
  CHECK((size_t(p[2]) << 8 | p[3]) == p.size());
  CHECK(p[20] == radius::MessageAuthenticator);  // first
  auto a = attributes(p);
  CHECK(a[radius::UserName] == octets("john"));
  CHECK(a[radius::NasIpAddress] == hex("c0000201"));
  CHECK(a[radius::ServiceType] == hex("00000001"));
  CHECK(a[radius::NasPortType] == hex("00000005"));
  CHECK(a[radius::CallingStationId] == octets("198.51.100.7"));
  REQUIRE(a[radius::UserPassword].size() == 48);
  Bytes clear = unhide(a[radius::UserPassword], "s3cret", r.authenticator);
  CHECK(Bytes(clear.begin(), clear.begin() + long(password.size())) == Bytes(password.begin(), password.end()));
  CHECK(std::all_of(clear.begin() + long(password.size()), clear.end(), [](uint8_t b) { return b == 0; }));
  Bytes zeroed = p;
  std::fill_n(zeroed.begin() + 22, 16, 0);
  CHECK(hmac_md5("s3cret", zeroed) == a[radius::MessageAuthenticator]);
  // The clear password is nowhere in the packet.
  CHECK(std::search(p.begin(), p.end(), password.begin(), password.end()) == p.end());

  r.user.clear();
  CHECK(radius::build_access_request(r, "s3cret").error() == "empty user name");
  r.user = std::string(254, 'u');
  CHECK_FALSE(radius::build_access_request(r, "s3cret"));
  r.user = "john";
  std::string too_long(129, 'p');
  r.password = text(too_long);
  CHECK_FALSE(radius::build_access_request(r, "s3cret"));
}

TEST_CASE("answers with a Message-Authenticator: checked when present") {
  // Message-Authenticator (zero for now), Reply-Message "go away"
  Bytes attrs = hex("5012" "00000000000000000000000000000000" "1209676f2061776179");
  Bytes reply = answer(rfc_request, radius::AccessReject, attrs, rfc_secret);
  // MA over the answer with the request authenticator in place and the MA zeroed; then the Response Authenticator.
  Bytes for_mac = reply;
  std::copy(rfc_request.begin() + 4, rfc_request.begin() + 20, for_mac.begin() + 4);
  auto mac = hmac_md5(rfc_secret, for_mac);
  std::copy(mac.begin(), mac.end(), attrs.begin() + 2);
  reply = answer(rfc_request, radius::AccessReject, attrs, rfc_secret);
  auto good = radius::check_reply(reply, rfc_request, rfc_secret);
  REQUIRE(good);
  CHECK(good->code == radius::AccessReject);
  CHECK(good->reply_message == "go away");

  attrs[5] ^= 1;  // a wrong MA, with a Response Authenticator that matches it
  auto forged = radius::check_reply(answer(rfc_request, radius::AccessReject, attrs, rfc_secret), rfc_request,
                                    rfc_secret);
  CHECK(forged.error() == "Message-Authenticator does not match (wrong key?)");
}

TEST_CASE("udp_exchange: the right answer, and what the server received") {
  const auto key = to(0).key;
  ScriptedServer server([&](int, const Bytes& req) {
    return std::vector<Bytes>{answer(req, radius::AccessAccept, {}, key)};
  });
  auto reply = udp_exchange(to(server.port()), creds("john", "doe"));
  CHECK(reply.answer == RadiusAnswer::Accept);
  auto requests = server.requests();
  REQUIRE(requests.size() == 1);
  auto a = attributes(requests[0]);
  CHECK(a[radius::NasIpAddress] == hex("7f000001"));
  Bytes clear = unhide(a[radius::UserPassword], key, authenticator_of(requests[0]));
  CHECK(std::string(clear.begin(), clear.begin() + 3) == "doe");
}

TEST_CASE("udp_exchange: Access-Reject with a Reply-Message") {
  const auto key = to(0).key;
  ScriptedServer server([&](int, const Bytes& req) {
    return std::vector<Bytes>{answer(req, radius::AccessReject, hex("1209676f2061776179"), key)};
  });
  auto reply = udp_exchange(to(server.port()), creds("john", "wrong"));
  CHECK(reply.answer == RadiusAnswer::Reject);
  CHECK(reply.detail == "go away");
}

TEST_CASE("udp_exchange: a forged Access-Accept is dropped (radcli 1.2.11 took it)") {
  ScriptedServer server([&](int, const Bytes& req) {
    Bytes forged{radius::AccessAccept, req[1], 0, 20};
    forged.resize(20);  // Response Authenticator all zero
    return std::vector<Bytes>{forged};
  });
  auto start = std::chrono::steady_clock::now();
  auto reply = udp_exchange(to(server.port()), creds("john", "doe"));
  CHECK(reply.answer == RadiusAnswer::Error);
  CHECK(reply.detail == "dropped 1 answer(s): Response Authenticator does not match (wrong key?)");
  CHECK(seconds_since(start) >= 0.9);  // the wait went on after the forgery
}

TEST_CASE("udp_exchange: a forgery first, then the real answer") {
  const auto key = to(0).key;
  ScriptedServer server([&](int, const Bytes& req) {
    return std::vector<Bytes>{answer(req, radius::AccessAccept, {}, "guessed key"),
                              answer(req, radius::AccessReject, {}, key)};
  });
  CHECK(udp_exchange(to(server.port()), creds("john", "doe")).answer == RadiusAnswer::Reject);
}

TEST_CASE("udp_exchange: a right answer from another port does not count") {
  const auto key = to(0).key;
  ScriptedServer server([&](int, const Bytes& req) {
    return std::vector<Bytes>{answer(req, radius::AccessAccept, {}, key)};
  }, /*from_other_port=*/true);
  CHECK(udp_exchange(to(server.port()), creds("john", "doe")).answer == RadiusAnswer::Timeout);
}

TEST_CASE("udp_exchange: the retransmission is the same packet and gets the answer") {
  const auto key = to(0).key;
  ScriptedServer server([&](int n, const Bytes& req) {
    return n == 0 ? std::vector<Bytes>{} : std::vector<Bytes>{answer(req, radius::AccessAccept, {}, key)};
  });
  auto start = std::chrono::steady_clock::now();
  CHECK(udp_exchange(to(server.port(), 1, 1), creds("john", "doe")).answer == RadiusAnswer::Accept);
  CHECK(seconds_since(start) >= 0.9);
  auto requests = server.requests();
  REQUIRE(requests.size() == 2);
  CHECK(requests[0] == requests[1]);
}

TEST_CASE("udp_exchange: silence is a timeout after every try") {
  ScriptedServer server([](int, const Bytes&) { return std::vector<Bytes>{}; });
  auto start = std::chrono::steady_clock::now();
  CHECK(udp_exchange(to(server.port(), 1, 1), creds("john", "doe")).answer == RadiusAnswer::Timeout);
  CHECK(seconds_since(start) >= 1.9);
  CHECK(seconds_since(start) < 3.5);
  CHECK(server.requests().size() == 2);
}

TEST_CASE("udp_exchange: nothing listening is an error at once") {
  uint16_t port = 0;
  {
    ScriptedServer gone([](int, const Bytes&) { return std::vector<Bytes>{}; });
    port = gone.port();
  }  // closed again: the port answers with ICMP port unreachable
  auto start = std::chrono::steady_clock::now();
  auto reply = udp_exchange(to(port, 2, 3), creds("john", "doe"));
  CHECK(reply.answer == RadiusAnswer::Error);
  CHECK(reply.detail == "nothing listens there (ICMP port unreachable)");
  CHECK(seconds_since(start) < 1);
}
