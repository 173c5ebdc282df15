// ravpnd: the IKEv1 remote-access head-end.
//   ravpnd --config FILE [--secrets FILE] [--foreground] [--debug isakmp,ipsec,aaa,config,daemon|all]
//          [--socket PATH]   the JSON control socket for ravpnctl (default /run/ravpn/ravpnd.sock; "" = none)
//          [--interface NAME=LINUX]...  config interface -> Linux interface (default: by the configured address)
//          [--no-firewall]   leave nftables, proxy ARP and mapped addresses alone
//          [--dialect ios|pix|native]   the config's dialect (default: detected from the text)
//   ravpnd --check-config FILE [--secrets FILE] [--quiet]  the resolved model as JSON (--quiet: only the report);
//                                                          exit 1 on errors
//   ravpnd --print-nft FILE [--secrets FILE] [--interface NAME=LINUX]...  the nftables ruleset it would apply
//   SIGHUP or `ravpnctl reload` re-reads the files; a config with errors changes nothing.
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>

#include "daemon/config/parse.hpp"
#include "daemon/firewall/ruleset.hpp"
#include "netlink/interfaces.hpp"
#include "daemon/logger.hpp"
#include "ike/log_limiter.hpp"
#include "daemon/service.hpp"

namespace {

void usage() {
  std::fprintf(stderr,
               "usage: ravpnd --config FILE [--secrets FILE] [--foreground] [--debug CATEGORIES] [--socket PATH]\n"
               "              [--interface NAME=LINUX]... [--no-firewall] [--dialect ios|pix|native]\n"
               "       ravpnd --check-config FILE [--secrets FILE] [--quiet]\n"
               "       ravpnd --print-nft FILE [--secrets FILE] [--interface NAME=LINUX]...\n");
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

// The report for --check-config --quiet and --print-nft: errors and partial lines, ignored lines counted.
void print_report(const ravpn::config::Config& cfg) {
  using Kind = ravpn::config::Diagnostic::Kind;
  size_t ignored = 0;
  for (const auto& d : cfg.diagnostics) {
    if (d.kind == Kind::Ignored) ++ignored;
    else
      std::fprintf(stderr, "%s:%d: %s: %s\n", d.origin.file.c_str(), d.origin.line,
                   d.kind == Kind::Error ? "error" : "partly supported", d.message.c_str());
  }
  if (ignored) std::fprintf(stderr, "%s: %zu lines ravpn does not use (ravpn-convert --report lists them)\n",
                            cfg.source.c_str(), ignored);
}

// Config interface names -> Linux names: by the configured address, then --interface overrides.
ravpn::firewall::InterfaceNames interface_names(const ravpn::config::Config& cfg,
                                                const ravpn::firewall::InterfaceNames& overrides) {
  ravpn::firewall::InterfaceNames names;
  try {
    names = ravpn::firewall::map_interfaces(cfg, ravpn::netlink::list_ipv4_addresses());
  } catch (const std::exception&) {
    // No rtnetlink (e.g. a build chroot): only the overrides.
  }
  for (const auto& [name, linux_name] : overrides) names[name] = linux_name;
  return names;
}

}  // namespace

int main(int argc, char** argv) {
  std::string config_path, secrets_path, check_path, nft_path, debug, socket_path = "/run/ravpn/ravpnd.sock";
  bool foreground = false, quiet = false, firewall = true;
  std::optional<ravpn::config::Dialect> dialect;  // --dialect ios|pix|native; default: detected from the text
  ravpn::firewall::InterfaceNames overrides;
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
    else if (a == "--print-nft") ok = value(nft_path);
    else if (a == "--quiet" || a == "-q") quiet = true;
    else if (a == "--dialect") {
      std::string d;
      ok = value(d) && (d == "ios" || d == "pix" || d == "native");
      if (ok) dialect = d == "ios" ? ravpn::config::Dialect::Ios
                        : d == "pix" ? ravpn::config::Dialect::Pix : ravpn::config::Dialect::Native;
    }
    else if (a == "--no-firewall") firewall = false;
    else if (a == "--interface") {
      std::string pair;
      ok = value(pair) && pair.find('=') != std::string::npos && pair.find('=') > 0;
      if (ok) overrides[pair.substr(0, pair.find('='))] = pair.substr(pair.find('=') + 1);
    } else if (a == "--foreground" || a == "-f") foreground = true;
    else if (a == "--help" || a == "-h") return usage(), 0;
    else ok = false;
    if (!ok) return usage(), 2;
  }

  if (!check_path.empty()) {
    auto cfg = ravpn::config::load(check_path, secrets_path, dialect);
    if (quiet) print_report(cfg);
    else std::cout << ravpn::config::to_json(cfg).dump(2) << "\n";
    return cfg.has_errors() ? 1 : 0;
  }
  if (!nft_path.empty()) {
    auto cfg = ravpn::config::load(nft_path, secrets_path, dialect);
    print_report(cfg);
    if (cfg.has_errors()) return 1;
    std::cout << ravpn::firewall::build_firewall(cfg, interface_names(cfg, overrides)).ruleset;
    return 0;
  }
  if (config_path.empty()) return usage(), 2;

  using ravpn::daemon::ServiceLogger;
  ServiceLogger sink(foreground ? ServiceLogger::Sink::Stderr : ServiceLogger::Sink::Syslog);
  // Floods of one event (a spoofed aggressive mode flood) become a few lines and a count (ike/log_limiter.hpp).
  ravpn::SystemTime log_time;
  ravpn::RateLimitedLogger log(sink, log_time);
  if (!debug.empty() && !sink.set_debug(debug)) {
    std::fprintf(stderr, "ravpnd: unknown debug category in '%s'\n", debug.c_str());
    return 2;
  }
  auto cfg = ravpn::config::load(config_path, secrets_path, dialect);
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
    options.set_debug = [&sink](const std::string& categories) { return sink.set_debug(categories); };
    options.load_config = [&] {
      auto next = ravpn::config::load(config_path, secrets_path, dialect);
      report(next, log);
      return next;
    };
    options.firewall = firewall;
    options.interface_overrides = overrides;
    ravpn::daemon::Service service(std::move(cfg), log, std::move(options));
    return service.run();
  } catch (const std::exception& e) {
    log.log(ravpn::LogLevel::Error, ravpn::LogCategory::Daemon, "{}", e.what());
    return 1;
  }
}
