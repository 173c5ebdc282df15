// Xauth brute-force throttle: a Backend wrapped so that guessing passwords gets slow, then stops.
// Failures are counted per user name and per source address. The answer to an attempt (right or wrong) is held
// back by 2^(n-1) seconds (capped), n being the failures plus the attempts still in flight for that user or address,
// so a guesser cannot tell a success by its speed nor win by asking in parallel. `lockout_failures` failures lock
// the user or address out for `lockout_seconds` (logged once): every attempt then fails without asking the backend.
// A success clears the user's count; counts are forgotten after `lockout_seconds` without a failure.
// Cisco 12.x / PIX 6.x had nothing like it (the issue measured 91 guesses a second); settings: config::XauthThrottle.
#pragma once
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ike/clock.hpp"
#include "ike/log.hpp"
#include "xauth/backend.hpp"

namespace ravpn::xauth {

struct Lockout {
  std::optional<std::string> user;  // a user lockout, else an address lockout
  std::optional<Ipv4> address;
  uint32_t failures = 0;
  TimePoint until{};
};

// The counters and the answers waiting for their time. Owned by the daemon and kept across reloads (a reload must
// not reset a lockout); tick() from the event loop's timer delivers what is due.
class Throttle {
 public:
  Throttle(const TimeSource& time, Logger& log, config::XauthThrottle settings);
  void reconfigure(const config::XauthThrottle& settings) { settings_ = settings; }
  const config::XauthThrottle& settings() const { return settings_; }

  struct Admission {
    bool refused = false;  // locked out (or too many attempts in flight): fail without asking the backend
    std::string why;
    TimePoint answer_at{};  // the earliest time the answer may reach the peer
  };
  // Before asking the backend; an admitted attempt counts as in flight until record().
  Admission admit(const std::string& user, Ipv4 source);
  // The backend's answer to an admitted attempt (Unavailable is not the peer's fault: no failure).
  void record(const std::string& user, Ipv4 source, Verdict verdict);
  // Runs `deliver` at `due` (now when due has passed).
  void hold(TimePoint due, std::function<void()> deliver);
  void tick();

  std::vector<Lockout> lockouts() const;  // in force now
  size_t held() const { return held_.size(); }
  size_t tracked() const { return users_.size() + sources_.size(); }  // users and addresses with a count
  uint64_t refused() const { return refused_; }

 private:
  struct Record {
    uint32_t failures = 0;
    uint32_t in_flight = 0;
    TimePoint last_failure{};
    TimePoint locked_until{};
  };
  template <class Key>
  Record& record_of(std::map<Key, Record>& records, const Key& key);
  template <class Key>
  void forget_idle(std::map<Key, Record>& records);
  template <class Key>
  void forget_if_clean(std::map<Key, Record>& records, const Key& key);
  bool locked(const Record& r) const;
  Clock::duration delay_for(uint32_t n) const;
  void failed(Record& r, const std::string& what);

  const TimeSource& time_;
  Logger& log_;
  config::XauthThrottle settings_;
  std::map<std::string, Record> users_;
  std::map<Ipv4, Record> sources_;
  std::multimap<TimePoint, std::function<void()>> held_;
  uint64_t refused_ = 0;
};

// The Backend the responder sees: asks `inner` only for admitted attempts and holds every answer until its time.
class ThrottledBackend final : public Backend {
 public:
  ThrottledBackend(std::unique_ptr<Backend> inner, Throttle& throttle)
      : inner_(std::move(inner)), throttle_(throttle) {}
  void authenticate(const Credentials& credentials, std::function<void(Result)> done) override;
  std::string describe() const override;
  bool checks_local_users() const override { return inner_->checks_local_users(); }

 private:
  std::unique_ptr<Backend> inner_;
  Throttle& throttle_;
};

}  // namespace ravpn::xauth
