// Logging interface: the daemon routes it to stderr/journald; tests capture it.
// Categories mirror the Cisco box's `debug crypto isakmp / ipsec`, `debug aaa`. Secrets never reach a log call.
#pragma once
#include <fmt/format.h>

#include <string>
#include <string_view>

namespace ravpn {

enum class LogLevel { Debug = 0, Info = 1, Notice = 2, Warning = 3, Error = 4 };
enum class LogCategory { Isakmp, Ipsec, Aaa, Config, Daemon };

const char* name(LogLevel);
const char* name(LogCategory);

class Logger {
 public:
  virtual ~Logger() = default;
  virtual bool enabled(LogLevel level, LogCategory category) const = 0;
  virtual void write(LogLevel level, LogCategory category, std::string_view message) = 0;
  // One event of the cause `kind` (the log call's format string: the same for every line one code path writes).
  // A rate limiter (ike/log_limiter.hpp) counts per kind; a plain logger just writes.
  virtual void write_event(LogLevel level, LogCategory category, std::string_view kind, std::string_view message) {
    (void)kind;
    write(level, category, message);
  }
  // Write what a limiter held back once its window is over; the daemon's timer calls it.
  virtual void flush_summaries() {}

  // Peer-supplied strings go through peer_text() (ike/log_text.hpp) before they reach `args`.
  template <class... Args>
  void log(LogLevel level, LogCategory category, fmt::format_string<Args...> format, Args&&... args) {
    if (!enabled(level, category)) return;
    const fmt::string_view kind = format;
    write_event(level, category, std::string_view(kind.data(), kind.size()),
                fmt::format(format, std::forward<Args>(args)...));
  }
};

}  // namespace ravpn
