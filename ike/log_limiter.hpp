// Log flood control: repeated events from the same cause are written a few times per window, then counted, and one
// summary line says how many were left out ("... 5,312 similar suppressed in the last 10 s"). The cause is the log
// call's format string, so a flood of packets that each carry a different peer string still counts as one cause.
// Only the categories a peer can drive (isakmp, ipsec, aaa) are limited; config and daemon lines always pass.
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "ike/clock.hpp"
#include "ike/log.hpp"

namespace ravpn {

struct LogLimits {
  Clock::duration window = Seconds(10);
  uint32_t per_window = 10;  // lines of one cause written per window; 0 turns the limiter off
  size_t max_kinds = 1024;   // causes tracked (the log calls in the code; more only by a bug); beyond: not limited
};

class RateLimitedLogger final : public Logger {
 public:
  RateLimitedLogger(Logger& inner, const TimeSource& time, LogLimits limits = {})
      : inner_(inner), time_(time), limits_(limits) {}

  bool enabled(LogLevel level, LogCategory category) const override { return inner_.enabled(level, category); }
  void write(LogLevel level, LogCategory category, std::string_view message) override {
    inner_.write(level, category, message);
  }
  void write_event(LogLevel level, LogCategory category, std::string_view kind, std::string_view message) override;
  // Writes the summaries of windows that have ended; the daemon calls it from its timer.
  void flush_summaries() override;

  uint64_t suppressed_total() const { return suppressed_total_; }

 private:
  struct Kind {
    TimePoint window_start{};
    uint32_t written = 0;
    uint64_t suppressed = 0;
    LogLevel level = LogLevel::Info;
    LogCategory category = LogCategory::Isakmp;
    std::string example;  // the last suppressed line, shortened
  };
  void summarise(Kind& k);

  Logger& inner_;
  const TimeSource& time_;
  LogLimits limits_;
  std::map<std::string, Kind, std::less<>> kinds_;
  uint64_t suppressed_total_ = 0;
};

// 5312 -> "5,312".
std::string with_thousands(uint64_t n);

}  // namespace ravpn
