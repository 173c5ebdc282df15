// The responder side of the exchange tests: a responder with a fixed RNG, a manual clock, an inline worker, a
// capturing sender and a capturing logger. Every harness checks on destruction that no secret reached the log.
#pragma once
#include <doctest/doctest.h>

#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "cisco4x_client.hpp"
#include "daemon/config/parse.hpp"
#include "ike/responder.hpp"
#include "initiator.hpp"
#include "xauth/backend.hpp"

namespace ravpn::ike::test {

// Secrets of the fixtures and of the tests' wrong keys; none may ever appear in a log line.
inline const std::vector<std::string>& secrets() {
  static const std::vector<std::string> s{"cisco1234", "grouppass123", "wrongkey99", "wronggroup77"};
  return s;
}

class CapturingLogger final : public Logger {
 public:
  struct Line {
    LogLevel level;
    LogCategory category;
    std::string text;
  };
  bool enabled(LogLevel, LogCategory) const override { return true; }  // debug on: every path formats its text
  void write(LogLevel level, LogCategory category, std::string_view message) override {
    lines.push_back({level, category, std::string(message)});
    all_text().append(message).append("\n");
  }
  bool contains(std::string_view needle) const {
    for (const auto& l : lines)
      if (l.text.find(needle) != std::string::npos) return true;
    return false;
  }
  std::string text() const {
    std::string s;
    for (const auto& l : lines) s += std::string(name(l.level)) + " " + l.text + "\n";
    return s;
  }
  // Everything any logger of this process wrote (the secrets test reads it after driving all the scenarios).
  static std::string& all_text() {
    static std::string s;
    return s;
  }
  std::vector<Line> lines;
};

class CapturingSender final : public Sender {
 public:
  void send(const Datagram& d) override { sent.push_back(d); }
  std::vector<Datagram> sent;
};

inline std::string fixture(const std::string& name) {
  std::ifstream in(std::string(RAVPN_CONFIG_FIXTURES) + "/" + name, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// ios-easyvpn.cfg without Xauth and without the mode-config push: phase 1 is all that happens.
inline std::string easyvpn_phase1_only() {
  std::string text = fixture("ios-easyvpn.cfg");
  for (const char* line : {"crypto map test client authentication list xauth_list\n",
                           "crypto map test client configuration address initiate\n"}) {
    auto at = text.find(line);
    if (at != std::string::npos) text.erase(at, std::string(line).size());
  }
  return text;
}

// ios-easyvpn.cfg with `max-logins 1` in its group: a user's newer login replaces the older session.
inline std::string easyvpn_one_login_per_user() {
  std::string text = fixture("ios-easyvpn.cfg");
  const std::string pool = " pool ourpool\n";
  text.replace(text.find(pool), pool.size(), pool + " max-logins 1\n");
  return text;
}

// The seed PIX's ISAKMP setup (seeds/003: `isakmp policy 10 ... des md5 group 2`, policy 20 for VPN Client 1.x,
// wildcard key, `vpngroup vpn3000`, Xauth on the crypto map) written as IOS, the dialect the parser reads today.
inline const char* kSeedPixAsIos = R"(hostname pix
aaa new-model
aaa authentication login xauth_list local
username john password 0 doe
crypto isakmp policy 10
 encryption des
 hash md5
 authentication pre-share
 group 2
 lifetime 86400
crypto isakmp policy 20
 encryption des
 hash md5
 authentication pre-share
 group 1
 lifetime 86400
crypto isakmp key cisco1234 address 0.0.0.0 0.0.0.0
crypto isakmp client configuration group vpn3000
 key grouppass123
crypto ipsec transform-set myset esp-des esp-md5-hmac
crypto dynamic-map dynmap 10
 set transform-set myset
crypto map mymap client authentication list xauth_list
crypto map mymap 10 ipsec-isakmp dynamic dynmap
interface Ethernet0
 ip address 192.0.2.1 255.255.255.0
 crypto map mymap
end
)";

// Xauth follows phase 1 when the crypto map asks for it; without a backend the responder would delete the fresh
// SA. These tests are about phase 1, so a backend that records calls and answers nothing is enough.
class RecordingXauth final : public xauth::Backend {
 public:
  void authenticate(const xauth::Credentials& c, std::function<void(xauth::Result)>) override { users.push_back(c.user); }
  std::string describe() const override { return "test backend"; }
  std::vector<std::string> users;
};

class Harness {
 public:
  explicit Harness(std::string config_text, uint64_t seed = 1000, ResponderSettings settings = {})
      : Harness(config::parse_ios(config_text, "test.cfg"), seed, settings) {}
  Harness(config::Config parsed, uint64_t seed, ResponderSettings settings = {})
      : config(std::move(parsed)),
        rng(crypto::make_deterministic_rng(seed)),
        dh_rng(crypto::make_deterministic_rng(seed + 1)),
        responder(config, *rng, *dh_rng, time, worker, log, sender, settings, services()) {}
  ~Harness() {
    for (const auto& s : secrets()) CHECK_MESSAGE(!log.contains(s), "secret '" << s << "' in the log");
  }
  Harness(const Harness&) = delete;
  Harness& operator=(const Harness&) = delete;

  // Feed one datagram; return what the responder sent because of it.
  std::vector<Datagram> feed(const Datagram& d) {
    const size_t before = sender.sent.size();
    responder.receive(d);
    return {sender.sent.begin() + long(before), sender.sent.end()};
  }
  // Feed one datagram that must be answered by exactly one datagram.
  Datagram one(const Datagram& d) {
    auto r = feed(d);
    REQUIRE_MESSAGE(r.size() == 1, "expected one reply, got " << r.size() << "\nlog:\n" << log.text());
    return r[0];
  }

  ResponderServices services() {
    ResponderServices s;
    s.xauth = &xauth;
    return s;
  }

  RecordingXauth xauth;
  config::Config config;
  std::unique_ptr<crypto::Rng> rng, dh_rng;
  ManualTime time;
  InlineWorker worker;
  CapturingLogger log;
  CapturingSender sender;
  Responder responder;
};

// Transforms the tests offer.
inline Transform des_md5_g1(uint8_t n = 1) { return make_transform(n, ike_enc::Des, ike_hash::Md5, ike_auth::PreShared, 1); }
inline Transform tdes_md5_g2(uint8_t n = 1, uint16_t auth = ike_auth::PreShared) {
  return make_transform(n, ike_enc::TripleDes, ike_hash::Md5, auth, 2);
}

// The Cisco VPN Client 4.x aggressive-mode proposal of the seed trace as far as the trace prints it: transforms
// 1..6 of cisco4x::phase1_transforms(), all group 2, 2147483 s as a 4-byte TLV.
inline std::vector<Transform> vpn_client4_transforms() {
  auto out = cisco4x::phase1_transforms();
  out.resize(6);
  return out;
}

inline IdPayload key_id(const std::string& name) {
  return IdPayload{id_type::KeyId, 17, 500, Bytes(name.begin(), name.end())};
}

// A main-mode initiator against ios-easyvpn.cfg's wildcard key.
inline InitiatorOptions mm_options(std::vector<Transform> transforms, std::string psk = "cisco1234",
                                   uint64_t seed = 7) {
  InitiatorOptions o;
  o.psk = std::move(psk);
  o.transforms = std::move(transforms);
  o.seed = seed;
  o.vendor_ids = {vid::xauth(), vid::dpd()};
  return o;
}

// An aggressive-mode initiator with ID_KEY_ID "vpn3000" (the Easy VPN group).
inline InitiatorOptions am_options(std::vector<Transform> transforms, std::string psk = "grouppass123",
                                   uint64_t seed = 11) {
  InitiatorOptions o;
  o.psk = std::move(psk);
  o.transforms = std::move(transforms);
  o.seed = seed;
  o.ke_group = 2;
  o.id = key_id("vpn3000");
  o.vendor_ids = {vid::xauth(), vid::dpd(), vid::unity()};
  return o;
}

// Runs MM1..MM6; REQUIREs every step. Returns the datagrams the responder sent.
inline std::vector<Datagram> main_mode(Harness& h, Initiator& ini) {
  std::vector<Datagram> replies;
  replies.push_back(h.one(ini.mm1()));
  REQUIRE_MESSAGE(ini.take_mm2(replies.back()), ini.error());
  replies.push_back(h.one(ini.mm3()));
  REQUIRE_MESSAGE(ini.take_mm4(replies.back()), ini.error());
  // MM6, then (Xauth on) the responder's Xauth REQUEST in a transaction exchange.
  auto last = h.feed(ini.mm5(true));
  REQUIRE_MESSAGE(!last.empty(), "MM5 not answered\nlog:\n" << h.log.text());
  REQUIRE_MESSAGE(ini.take_mm6(last[0]), ini.error() << "\nlog:\n" << h.log.text());
  replies.insert(replies.end(), last.begin(), last.end());
  return replies;
}

inline std::vector<Datagram> aggressive_mode(Harness& h, Initiator& ini, bool encrypt_am3) {
  std::vector<Datagram> replies;
  replies.push_back(h.one(ini.am1()));
  REQUIRE_MESSAGE(ini.take_am2(replies.back()), ini.error() << "\nlog:\n" << h.log.text());
  // AM3 gets no aggressive-mode answer; with Xauth on the responder starts the Xauth transaction.
  auto r = h.feed(ini.am3(encrypt_am3));
  for (const auto& d : r) {
    auto hd = parse_header(d.data);
    REQUIRE(hd);
    REQUIRE_MESSAGE(hd->exchange != ExchangeType::Aggressive, "AM3 answered in aggressive mode");
  }
  replies.insert(replies.end(), r.begin(), r.end());
  return replies;
}

inline size_t count_in(const std::vector<Datagram>& ds, const Datagram& d) {
  size_t n = 0;
  for (const auto& x : ds) n += x.data == d.data;
  return n;
}

}  // namespace ravpn::ike::test
