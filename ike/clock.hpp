// Injected time (style.md: exchanges replay byte for byte under a fixed clock).
#pragma once
#include <chrono>
#include <optional>

namespace ravpn {

using Clock = std::chrono::steady_clock;
using TimePoint = Clock::time_point;
using Seconds = std::chrono::seconds;

class TimeSource {
 public:
  virtual ~TimeSource() = default;
  virtual TimePoint now() const = 0;
};

class SystemTime final : public TimeSource {
 public:
  TimePoint now() const override { return Clock::now(); }
};

// The event loop's clock: read once when the loop wakes and held while it handles what woke it, instead of at each
// of the dozen uses one message makes (the log rate limiter, session and retransmit timestamps, timers). Where the
// clock source has no vDSO (the emulated lab's HPET) every read is a system call: 4% of the loop's time there. All
// uses are timestamps and intervals of seconds, which a batch of events (milliseconds) does not change; outside a
// wakeup (start-up, shutdown) it reads the clock.
class LoopTime final : public TimeSource {
 public:
  TimePoint now() const override { return held_ ? *held_ : Clock::now(); }
  void hold() { held_ = Clock::now(); }  // the loop woke
  void release() { held_.reset(); }      // the loop is about to wait
 private:
  std::optional<TimePoint> held_;
};

// For tests: time moves only when told.
class ManualTime final : public TimeSource {
 public:
  TimePoint now() const override { return now_; }
  void advance(Clock::duration d) { now_ += d; }
 private:
  TimePoint now_{};
};

}  // namespace ravpn
