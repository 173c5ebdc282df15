// Injected time (style.md: exchanges replay byte for byte under a fixed clock).
#pragma once
#include <chrono>

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

// For tests: time moves only when told.
class ManualTime final : public TimeSource {
 public:
  TimePoint now() const override { return now_; }
  void advance(Clock::duration d) { now_ += d; }
 private:
  TimePoint now_{};
};

}  // namespace ravpn
