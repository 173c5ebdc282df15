// The Xauth brute-force throttle (xauth/throttle.hpp) around the real local backend, with a manual clock.
#include <doctest/doctest.h>

#include <optional>
#include <string>

#include "ike/log_text.hpp"
#include "xauth/throttle.hpp"

using namespace ravpn;
using namespace ravpn::xauth;

namespace {

class Lines final : public Logger {
 public:
  bool enabled(LogLevel, LogCategory) const override { return true; }
  void write(LogLevel, LogCategory, std::string_view m) override { lines.emplace_back(m); }
  size_t count(std::string_view needle) const {
    size_t n = 0;
    for (const auto& l : lines) n += l.find(needle) != std::string::npos;
    return n;
  }
  std::vector<std::string> lines;
};

struct Fixture {
  ManualTime time;
  Lines log;
  Throttle throttle{time, log, config::XauthThrottle{}};
  ThrottledBackend backend{make_local_backend(users()), throttle};
  int asked = 0;

  static std::map<std::string, config::LocalUser> users() {
    config::LocalUser u;
    u.name = "vpnuser";
    u.password = "s3cr3t-Pass";
    return {{"vpnuser", u}};
  }
  // One attempt; the answer once the clock has moved far enough (ticking each second), and how long it took.
  std::pair<Result, int> attempt(const std::string& user, const std::string& password, Ipv4 from) {
    Credentials c;
    c.user = user;
    c.password.assign(password.begin(), password.end());
    c.peer = from;
    std::optional<Result> answer;
    backend.authenticate(c, [&](Result r) { answer = r; });
    int waited = 0;
    while (!answer && waited < 3600) {
      time.advance(Seconds(1));
      ++waited;
      throttle.tick();
    }
    REQUIRE(answer);
    return {*answer, waited};
  }
};

const Ipv4 kPeer = *Ipv4::parse("192.0.2.5");
const Ipv4 kOther = *Ipv4::parse("198.51.100.7");

TEST_CASE("throttle: 30 wrong passwords for one user from one address take over 60 s; each lockout is logged once") {
  Fixture f;
  int total = 0;
  std::vector<int> delays;
  for (int i = 0; i < 30; ++i) {
    auto [r, waited] = f.attempt("vpnuser", "guess" + std::to_string(i), kPeer);
    CHECK(r.verdict == Verdict::Reject);
    delays.push_back(waited);
    total += waited;
  }
  CHECK(std::vector<int>(delays.begin(), delays.begin() + 7) == std::vector<int>{0, 1, 2, 4, 8, 16, 30});
  CHECK(total >= 60);
  // Tries 1-10 fail slower and slower (151 s), 11-20 meet the lockout (30 s each, 300 s in all), then the lockout
  // has been served and tries 21-30 earn a second one: each logged once.
  CHECK(total >= 151 + 300 + 151);
  CHECK(f.log.count("Xauth lockout: user 'vpnuser' after 10 failures, for 300 s") == 2);
  CHECK(f.log.count("Xauth lockout: address 192.0.2.5 after 10 failures") == 2);
  CHECK(f.throttle.lockouts().size() == 2);
  CHECK(f.throttle.refused() >= 1);
}

TEST_CASE("throttle: during a lockout the right password fails without asking the backend; after it, it works") {
  Fixture f;
  for (int i = 0; i < 10; ++i) f.attempt("vpnuser", "wrong", kPeer);
  REQUIRE(f.throttle.lockouts().size() == 2);
  auto [locked, waited] = f.attempt("vpnuser", "s3cr3t-Pass", kOther);  // another address: the user is locked
  CHECK(locked.verdict == Verdict::Reject);
  CHECK(locked.reason.find("locked out") != std::string::npos);
  f.time.advance(Seconds(300));
  f.throttle.tick();
  CHECK(f.throttle.lockouts().empty());
  auto [ok, delay] = f.attempt("vpnuser", "s3cr3t-Pass", kPeer);
  CHECK(ok.verdict == Verdict::Accept);
  CHECK(delay == 0);  // a served lockout starts afresh
}

TEST_CASE("throttle: a success is delayed like a failure, then clears the user's count") {
  Fixture f;
  for (int i = 0; i < 3; ++i) f.attempt("vpnuser", "wrong", kPeer);
  auto [ok, waited] = f.attempt("vpnuser", "s3cr3t-Pass", kOther);
  CHECK(ok.verdict == Verdict::Accept);
  CHECK(waited == 4);  // the fourth answer for this user waits 4 s whatever it is: speed does not tell
  auto [again, next] = f.attempt("vpnuser", "s3cr3t-Pass", kOther);
  CHECK(again.verdict == Verdict::Accept);
  CHECK(next == 0);
}

TEST_CASE("throttle: a login without failures leaves nothing behind; failures keep their user and address") {
  Fixture f;
  for (int i = 0; i < 50; ++i) {
    auto [ok, waited] = f.attempt("vpnuser", "s3cr3t-Pass", Ipv4{0xc0000200u + uint32_t(i)});
    CHECK(ok.verdict == Verdict::Accept);
    CHECK(waited == 0);
  }
  CHECK(f.throttle.tracked() == 0);  // 10,000 users logged in must not mean 20,000 records
  f.attempt("vpnuser", "wrong", kPeer);
  CHECK(f.throttle.tracked() == 2);
  // A success clears the user's count (its record goes) but not the address's: guessing at other accounts from
  // there still counts.
  auto [ok, waited] = f.attempt("vpnuser", "s3cr3t-Pass", kPeer);
  CHECK(ok.verdict == Verdict::Accept);
  CHECK(waited == 1);
  CHECK(f.throttle.tracked() == 1);
}

TEST_CASE("throttle: guesses in parallel wait as if made one after another, and stop at the lockout count") {
  Fixture f;
  std::vector<std::optional<Result>> answers(12);
  for (size_t i = 0; i < answers.size(); ++i) {
    Credentials c;
    c.user = "user" + std::to_string(i);  // different users from one address
    c.password.assign(5, 'x');
    c.peer = kPeer;
    f.backend.authenticate(c, [&answers, i](Result r) { answers[i] = r; });
  }
  CHECK(answers[0].has_value());  // the first has no failures before it
  CHECK_FALSE(answers[1].has_value());
  CHECK_FALSE(answers[10].has_value());  // more than a lockout's worth in flight: refused, after the longest delay
  f.time.advance(Seconds(30));
  f.throttle.tick();
  for (const auto& a : answers) {
    REQUIRE(a.has_value());
    CHECK(a->verdict == Verdict::Reject);
  }
  // The local backend answers at once, so the failures are already counted: the address is locked by then.
  CHECK(answers[11]->reason.find("locked out") != std::string::npos);
}

TEST_CASE("throttle: user names are escaped in the lockout line; off in the config means no throttle") {
  Fixture f;
  for (int i = 0; i < 10; ++i) f.attempt("evil\n\x1b[2J", "wrong", kOther);
  CHECK(f.log.count("user 'evil\\x0a\\x1b[2J'") == 1);

  Fixture off;
  off.throttle.reconfigure(config::XauthThrottle{false, 30, 10, 300});
  for (int i = 0; i < 20; ++i) CHECK(off.attempt("vpnuser", "wrong", kPeer).second == 0);
  CHECK(off.log.lines.empty());
}

}  // namespace
