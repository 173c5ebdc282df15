// The daemon's logger: one line per event to stderr (journald reads the <N> priority prefix when running under
// systemd) or to syslog once daemonised. Debug output is per category, like `debug crypto isakmp` on the box.
#pragma once
#include <set>
#include <string>

#include "ike/log.hpp"

namespace ravpn::daemon {

class ServiceLogger final : public Logger {
 public:
  enum class Sink { Stderr, Syslog };
  explicit ServiceLogger(Sink sink);
  ~ServiceLogger() override;

  void set_level(LogLevel level) { level_ = level; }
  // "isakmp,ipsec", "all" or "none": exactly these categories log debug lines from now on. false (and no change)
  // when a name is unknown.
  bool set_debug(const std::string& categories);

  bool enabled(LogLevel level, LogCategory category) const override;
  void write(LogLevel level, LogCategory category, std::string_view message) override;

 private:
  Sink sink_;
  bool journal_prefix_;
  LogLevel level_ = LogLevel::Info;
  std::set<LogCategory> debug_;
};

}  // namespace ravpn::daemon
