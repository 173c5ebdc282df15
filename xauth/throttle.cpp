#include "xauth/throttle.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "ike/log_text.hpp"

namespace ravpn::xauth {
namespace {
constexpr size_t kMaxRecords = 65536;  // per map: a spoofing peer cannot grow memory without bound
constexpr size_t kMaxUserKey = 64;     // bytes of a user name used as the key (Xauth names are short)

std::string user_key(const std::string& user) { return user.substr(0, kMaxUserKey); }
}  // namespace

Throttle::Throttle(const TimeSource& time, Logger& log, config::XauthThrottle settings)
    : time_(time), log_(log), settings_(settings) {}

bool Throttle::locked(const Record& r) const { return r.locked_until > time_.now(); }

Clock::duration Throttle::delay_for(uint32_t n) const {
  if (n == 0) return Clock::duration::zero();
  const uint64_t seconds = n > 31 ? UINT32_MAX : uint64_t(1) << (n - 1);  // 1, 2, 4, 8 ...
  return Seconds(std::min<uint64_t>(seconds, settings_.max_delay_seconds));
}

template <class Key>
void Throttle::forget_idle(std::map<Key, Record>& records) {
  const TimePoint now = time_.now();
  const auto idle = Seconds(settings_.lockout_seconds);
  std::erase_if(records, [&](const auto& entry) {
    const Record& r = entry.second;
    return r.in_flight == 0 && !locked(r) && now - r.last_failure >= idle;
  });
}

// A record with no failures, nothing in flight and no lockout says what a missing one says: it goes, or every
// user who ever logged in (and every address) would keep one for as long as ravpnd runs.
template <class Key>
void Throttle::forget_if_clean(std::map<Key, Record>& records, const Key& key) {
  auto it = records.find(key);
  if (it != records.end() && it->second.failures == 0 && it->second.in_flight == 0 && !locked(it->second))
    records.erase(it);
}

template <class Key>
Throttle::Record& Throttle::record_of(std::map<Key, Record>& records, const Key& key) {
  auto it = records.find(key);
  if (it != records.end()) return it->second;
  if (records.size() >= kMaxRecords) forget_idle(records);
  if (records.size() >= kMaxRecords) {
    // Still full: the record that failed longest ago goes (never one that is locked or has attempts in flight).
    auto oldest = records.end();
    for (auto i = records.begin(); i != records.end(); ++i)
      if (i->second.in_flight == 0 && !locked(i->second) &&
          (oldest == records.end() || i->second.last_failure < oldest->second.last_failure))
        oldest = i;
    if (oldest != records.end()) records.erase(oldest);
  }
  return records[key];
}

Throttle::Admission Throttle::admit(const std::string& user, Ipv4 source) {
  Record& u = record_of(users_, user_key(user));
  Record& s = record_of(sources_, source);
  const TimePoint now = time_.now();
  for (Record* r : {&u, &s})
    if (r->locked_until != TimePoint{} && r->locked_until <= now) *r = Record{0, r->in_flight, {}, {}};  // served
  Admission a;
  if (locked(u) || locked(s)) {
    ++refused_;
    a.refused = true;
    a.why = locked(u) ? "user locked out after repeated failures" : "address locked out after repeated failures";
    a.answer_at = now + Seconds(settings_.max_delay_seconds);
    return a;
  }
  const uint32_t n = std::max(u.failures + u.in_flight, s.failures + s.in_flight);
  if (n >= settings_.lockout_failures) {  // as many guesses in flight as a lockout allows: no more
    ++refused_;
    a.refused = true;
    a.why = "too many Xauth attempts in progress";
    a.answer_at = now + Seconds(settings_.max_delay_seconds);
    return a;
  }
  ++u.in_flight;
  ++s.in_flight;
  a.answer_at = now + delay_for(n);
  return a;
}

void Throttle::failed(Record& r, const std::string& what) {
  ++r.failures;
  r.last_failure = time_.now();
  if (r.failures < settings_.lockout_failures || locked(r)) return;
  r.locked_until = time_.now() + Seconds(settings_.lockout_seconds);
  log_.log(LogLevel::Warning, LogCategory::Aaa, "Xauth lockout: {} after {} failures, for {} s", what, r.failures,
           settings_.lockout_seconds);
}

void Throttle::record(const std::string& user, Ipv4 source, Verdict verdict) {
  const std::string key = user_key(user);
  Record& u = record_of(users_, key);
  Record& s = record_of(sources_, source);
  if (u.in_flight) --u.in_flight;
  if (s.in_flight) --s.in_flight;
  if (verdict == Verdict::Accept) {
    u.failures = 0;  // the address keeps its count: one good account must not reset guessing at others
  } else if (verdict == Verdict::Reject) {
    failed(u, "user '" + peer_text(user) + "'");
    failed(s, "address " + source.str());
  }
  forget_if_clean(users_, key);
  forget_if_clean(sources_, source);
}

void Throttle::hold(TimePoint due, std::function<void()> deliver) {
  if (due <= time_.now()) return deliver();
  held_.emplace(due, std::move(deliver));
}

void Throttle::tick() {
  const TimePoint now = time_.now();
  while (!held_.empty() && held_.begin()->first <= now) {
    auto deliver = std::move(held_.begin()->second);
    held_.erase(held_.begin());
    deliver();  // may hold another answer; the loop sees it
  }
  forget_idle(users_);
  forget_idle(sources_);
}

std::vector<Lockout> Throttle::lockouts() const {
  std::vector<Lockout> out;
  for (const auto& [user, r] : users_)
    if (locked(r)) out.push_back({user, std::nullopt, r.failures, r.locked_until});
  for (const auto& [address, r] : sources_)
    if (locked(r)) out.push_back({std::nullopt, address, r.failures, r.locked_until});
  return out;
}

void ThrottledBackend::authenticate(const Credentials& credentials, std::function<void(Result)> done) {
  if (!throttle_.settings().enabled) return inner_->authenticate(credentials, std::move(done));
  const auto admission = throttle_.admit(credentials.user, credentials.peer);
  if (admission.refused) {
    Result refused{Verdict::Reject, admission.why};
    return throttle_.hold(admission.answer_at, [done = std::move(done), refused] { done(refused); });
  }
  Throttle& throttle = throttle_;
  inner_->authenticate(credentials, [&throttle, user = credentials.user, peer = credentials.peer,
                                     due = admission.answer_at, done = std::move(done)](Result result) {
    throttle.record(user, peer, result.verdict);
    throttle.hold(due, [done, result] { done(result); });
  });
}

std::string ThrottledBackend::describe() const {
  const auto& s = throttle_.settings();
  if (!s.enabled) return inner_->describe();
  return fmt::format("{}, throttled (lockout after {} failures for {} s)", inner_->describe(), s.lockout_failures,
                     s.lockout_seconds);
}

}  // namespace ravpn::xauth
