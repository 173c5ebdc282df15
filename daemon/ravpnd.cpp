// ravpnd: the IKEv1 remote-access head-end.
//   ravpnd --config FILE [--secrets FILE] [--foreground] [--debug isakmp,ipsec,aaa,config,daemon|all]
//          [--socket PATH]   the JSON control socket for ravpnctl (default /run/ravpn/ravpnd.sock; "" = none)
//   ravpnd --check-config FILE [--secrets FILE]    print the resolved model as JSON; exit 1 on errors
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>

#include "daemon/config/parse.hpp"
#include "daemon/logger.hpp"
#include "daemon/service.hpp"

namespace {

void usage() {
  std::fprintf(stderr,
               "usage: ravpnd --config FILE [--secrets FILE] [--foreground] [--debug CATEGORIES] [--socket PATH]\n"
               "       ravpnd --check-config FILE [--secrets FILE]\n");
}

// Summarise diagnostics on the log: errors one by one, ignored lines grouped by command.
void report(const ravpn::config::Config& cfg, ravpn::Logger& log) {
  using Kind = ravpn::config::Diagnostic::Kind;
  std::map<std::string, int> ignored;
  for (const auto& d : cfg.diagnostics) {
    if (d.kind == Kind::Error)
      log.log(ravpn::LogLevel::Error, ravpn::LogCategory::Config, "{}:{}: {}", d.origin.file, d.origin.line, d.message);
    else if (d.kind == Kind::Partial)
      log.log(ravpn::LogLevel::Warning, ravpn::LogCategory::Config, "{}:{}: {}", d.origin.file, d.origin.line,
              d.message);
    else
      ++ignored[d.command];
  }
  for (const auto& [command, count] : ignored)
    log.log(ravpn::LogLevel::Info, ravpn::LogCategory::Config, "ignored: {} ({} line{})", command, count,
            count == 1 ? "" : "s");
}

}  // namespace

int main(int argc, char** argv) {
  std::string config_path, secrets_path, check_path, debug, socket_path = "/run/ravpn/ravpnd.sock";
  bool foreground = false;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&](std::string& out) {
      if (i + 1 >= argc) return false;
      out = argv[++i];
      return true;
    };
    bool ok = true;
    if (a == "--config") ok = value(config_path);
    else if (a == "--secrets") ok = value(secrets_path);
    else if (a == "--check-config") ok = value(check_path);
    else if (a == "--debug") ok = value(debug);
    else if (a == "--socket") ok = value(socket_path);
    else if (a == "--foreground" || a == "-f") foreground = true;
    else if (a == "--help" || a == "-h") return usage(), 0;
    else ok = false;
    if (!ok) return usage(), 2;
  }

  if (!check_path.empty()) {
    auto cfg = ravpn::config::load(check_path, secrets_path);
    std::cout << ravpn::config::to_json(cfg).dump(2) << "\n";
    return cfg.has_errors() ? 1 : 0;
  }
  if (config_path.empty()) return usage(), 2;

  using ravpn::daemon::ServiceLogger;
  ServiceLogger log(foreground ? ServiceLogger::Sink::Stderr : ServiceLogger::Sink::Syslog);
  if (!debug.empty() && !log.set_debug(debug)) {
    std::fprintf(stderr, "ravpnd: unknown debug category in '%s'\n", debug.c_str());
    return 2;
  }
  auto cfg = ravpn::config::load(config_path, secrets_path);
  report(cfg, log);
  if (cfg.has_errors()) {
    log.log(ravpn::LogLevel::Error, ravpn::LogCategory::Config, "configuration has errors; not starting");
    return 1;
  }
  if (!foreground && daemon(0, 0) != 0) {
    std::perror("ravpnd: daemon");
    return 1;
  }
  // Block the signals Service::run() reads from its signalfd before the DH worker threads exist: threads inherit
  // the mask, and a thread with SIGTERM unblocked would take the default action (exit without cleanup: the
  // control socket and kernel state left behind).
  sigset_t mask;
  sigemptyset(&mask);
  sigaddset(&mask, SIGTERM);
  sigaddset(&mask, SIGINT);
  sigaddset(&mask, SIGHUP);
  sigprocmask(SIG_BLOCK, &mask, nullptr);
  try {
    ravpn::daemon::ServiceOptions options;
    options.control_socket = socket_path;
    options.set_debug = [&log](const std::string& categories) { return log.set_debug(categories); };
    ravpn::daemon::Service service(cfg, log, std::move(options));
    return service.run();
  } catch (const std::exception& e) {
    log.log(ravpn::LogLevel::Error, ravpn::LogCategory::Daemon, "{}", e.what());
    return 1;
  }
}
