#include "daemon/logger.hpp"

#include <syslog.h>

#include <cstdio>
#include <cstdlib>
#include <sstream>

#include "ike/log_text.hpp"

namespace ravpn::daemon {
namespace {
int syslog_priority(LogLevel l) {
  switch (l) {
    case LogLevel::Debug: return LOG_DEBUG;
    case LogLevel::Info: return LOG_INFO;
    case LogLevel::Notice: return LOG_NOTICE;
    case LogLevel::Warning: return LOG_WARNING;
    case LogLevel::Error: return LOG_ERR;
  }
  return LOG_INFO;
}
}  // namespace

ServiceLogger::ServiceLogger(Sink sink) : sink_(sink), journal_prefix_(std::getenv("JOURNAL_STREAM") != nullptr) {
  if (sink_ == Sink::Syslog) openlog("ravpnd", LOG_PID, LOG_DAEMON);
}

ServiceLogger::~ServiceLogger() {
  if (sink_ == Sink::Syslog) closelog();
}

bool ServiceLogger::set_debug(const std::string& categories) {
  // The whole list is checked before anything changes; it replaces the current set ("none" clears it).
  std::set<LogCategory> wanted;
  std::stringstream in(categories);
  std::string item;
  bool any = false;
  while (std::getline(in, item, ',')) {
    any = true;
    if (item == "none") continue;
    bool found = false;
    for (auto c : {LogCategory::Isakmp, LogCategory::Ipsec, LogCategory::Aaa, LogCategory::Config, LogCategory::Daemon}) {
      if (item == "all" || item == name(c)) {
        wanted.insert(c);
        found = true;
      }
    }
    if (!found) return false;
  }
  if (!any) return false;
  debug_ = std::move(wanted);
  return true;
}

bool ServiceLogger::enabled(LogLevel level, LogCategory category) const {
  if (level == LogLevel::Debug) return debug_.count(category) > 0;
  return level >= level_;
}

void ServiceLogger::write(LogLevel level, LogCategory category, std::string_view text) {
  // One event, one line: a control byte that reached the message anyway (peer text is escaped where it is
  // formatted) cannot start a forged line or drive the terminal.
  const std::string line = one_line(text);
  const std::string_view message = line;
  if (sink_ == Sink::Syslog) {
    syslog(syslog_priority(level), "%s: %.*s", name(category), int(message.size()), message.data());
    return;
  }
  if (journal_prefix_)
    std::fprintf(stderr, "<%d>%s: %.*s\n", syslog_priority(level), name(category), int(message.size()), message.data());
  else
    std::fprintf(stderr, "ravpnd: %s %s: %.*s\n", name(level), name(category), int(message.size()), message.data());
}

}  // namespace ravpn::daemon
