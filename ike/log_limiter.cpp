#include "ike/log_limiter.hpp"

#include <fmt/format.h>

namespace ravpn {
namespace {
constexpr size_t kExampleMax = 160;

bool limited(LogCategory c) {
  return c == LogCategory::Isakmp || c == LogCategory::Ipsec || c == LogCategory::Aaa;
}
}  // namespace

std::string with_thousands(uint64_t n) {
  std::string digits = std::to_string(n);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

void RateLimitedLogger::summarise(Kind& k) {
  if (k.suppressed == 0) return;
  const auto seconds = std::chrono::duration_cast<Seconds>(limits_.window).count();
  inner_.write(k.level, k.category,
               fmt::format("... {} similar suppressed in the last {} s (last: {})", with_thousands(k.suppressed),
                           seconds, k.example));
  k.suppressed = 0;
  k.level = LogLevel::Debug;
  k.example.clear();
}

void RateLimitedLogger::write_event(LogLevel level, LogCategory category, std::string_view kind,
                                    std::string_view message) {
  if (limits_.per_window == 0 || !limited(category)) return inner_.write(level, category, message);
  const TimePoint now = time_.now();
  auto it = kinds_.find(kind);
  if (it == kinds_.end()) {
    if (kinds_.size() >= limits_.max_kinds) return inner_.write(level, category, message);
    it = kinds_.emplace(std::string(kind), Kind{now, 0, 0, level, category, {}}).first;
  }
  Kind& k = it->second;
  if (now - k.window_start >= limits_.window) {
    summarise(k);
    k.window_start = now;
    k.written = 0;
  }
  if (k.written < limits_.per_window) {
    ++k.written;
    return inner_.write(level, category, message);
  }
  ++k.suppressed;
  ++suppressed_total_;
  k.level = std::max(k.level, level);
  k.category = category;
  k.example.assign(message.substr(0, kExampleMax));
}

void RateLimitedLogger::flush_summaries() {
  const TimePoint now = time_.now();
  for (auto& [kind, k] : kinds_)
    if (k.suppressed && now - k.window_start >= limits_.window) summarise(k);
}

}  // namespace ravpn
