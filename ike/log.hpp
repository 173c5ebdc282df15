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

  template <class... Args>
  void log(LogLevel level, LogCategory category, fmt::format_string<Args...> format, Args&&... args) {
    if (enabled(level, category)) write(level, category, fmt::format(format, std::forward<Args>(args)...));
  }
};

}  // namespace ravpn
