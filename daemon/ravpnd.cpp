// ravpnd: the IKEv1 remote-access head-end.
//   ravpnd --config FILE [--secrets FILE] [--foreground] [--debug isakmp,ipsec,aaa,config,daemon|all]
//          [--socket PATH]   the JSON control socket for ravpnctl (default /run/ravpn/ravpnd.sock; "" = none)
//          [--interface NAME=LINUX]...  config interface -> Linux interface (default: by the configured address)
//          [--no-firewall]   leave nftables, proxy ARP and mapped addresses alone
//          [--dialect ios|pix|native]   the config's dialect (default: detected from the text)
//          [--wait-address SECONDS]  wait this long for the IKE addresses to appear on an interface (boot)
//          [--state-dir DIR]  keep the lease file there, so users get their address back after a restart
//          [--user NAME]     the unprivileged account of the IKE process (default _ravpn, else nobody)
//          [--no-privsep]    one process as root (privilege separation is on whenever ravpnd starts as root)
//   ravpnd --check-config FILE [--secrets FILE] [--quiet | --errors-only]  the resolved model as JSON (--quiet: only
//                                                          the report ravpn-convert --report prints; --errors-only:
//                                                          the error lines, for the unit's ExecStartPre); exit 1 on
//                                                          errors
//   Without --secrets, secrets.cfg beside the config is read when it exists (config::default_secrets_path).
//   ravpnd --print-nft FILE [--secrets FILE] [--interface NAME=LINUX]...  the nftables ruleset it would apply
//   SIGHUP or `ravpnctl reload` re-reads the files; a config with errors changes nothing.
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <thread>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>

#include "daemon/config/parse.hpp"
#include "daemon/firewall/ruleset.hpp"
#include "netlink/interfaces.hpp"
#include "netlink/nft_firewall.hpp"
#include "netlink/stale_state.hpp"
#include "pool/lease_file.hpp"
#include "daemon/logger.hpp"
#include "ike/log_limiter.hpp"
#include "daemon/privsep/split.hpp"
#include "daemon/service.hpp"
#include "daemon/systemd_notify.hpp"
#include "xauth/config_check.hpp"

namespace {

void usage() {
  std::fprintf(stderr,
               "usage: ravpnd --config FILE [--secrets FILE] [--foreground] [--debug CATEGORIES] [--socket PATH]\n"
               "              [--interface NAME=LINUX]... [--no-firewall] [--dialect ios|pix|native]\n"
               "              [--wait-address SECONDS] [--state-dir DIR] [--user NAME] [--no-privsep]\n"
               "       ravpnd --check-config FILE [--secrets FILE] [--quiet | --errors-only]\n"
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
  // One journal line for all of them (a PIX config has dozens: fixup, failover, snmp-server, ...).
  if (ignored.empty()) return;
  std::string list;
  int total = 0;
  for (const auto& [command, count] : ignored) {
    list += (list.empty() ? "" : ", ") + (count == 1 ? command : command + " x" + std::to_string(count));
    total += count;
  }
  log.log(ravpn::LogLevel::Info, ravpn::LogCategory::Config, "{} line{} ignored (ravpn-convert --report lists them): {}",
          total, total == 1 ? "" : "s", list);
}

// At boot the outside address may come up after ravpnd starts (DHCP, a slow link, no wait-online service): wait up
// to `seconds` for every IKE address to be on some interface, saying so once, instead of failing to bind.
void wait_for_addresses(const ravpn::config::Config& cfg, int seconds, ravpn::Logger& log) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  bool said = false;
  for (;;) {
    std::vector<ravpn::Ipv4> missing = cfg.ike_addresses();
    try {
      for (const auto& a : ravpn::netlink::list_ipv4_addresses()) std::erase(missing, a.address);
    } catch (const std::exception&) {
      return;  // no rtnetlink: binding will say what is wrong
    }
    if (missing.empty()) {
      if (said) log.log(ravpn::LogLevel::Notice, ravpn::LogCategory::Daemon, "the IKE addresses are up");
      return;
    }
    if (std::chrono::steady_clock::now() >= deadline) return;  // binding fails with the address named
    if (!said) {
      std::string list;
      for (auto a : missing) list += (list.empty() ? "" : ", ") + a.str();
      log.log(ravpn::LogLevel::Notice, ravpn::LogCategory::Daemon,
              "waiting up to {} s for {} to be configured on an interface", seconds, list);
      ravpn::daemon::notify_status("waiting for " + list);
      said = true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
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

// The configuration as every mode reads it: parsed, validated, and its Xauth choices checked (xauth/config_check.hpp).
// From texts already read: the privileged process reads the files, the IKE process parses what it was sent.
ravpn::config::Config load_checked(const ravpn::config::ConfigTexts& texts,
                                   std::optional<ravpn::config::Dialect> dialect) {
  auto cfg = ravpn::config::load_texts(texts, dialect);
  ravpn::xauth::check_authentication(cfg);
  return cfg;
}

ravpn::config::Config load_checked(const std::string& path, const std::string& secrets,
                                   std::optional<ravpn::config::Dialect> dialect) {
  return load_checked(ravpn::config::read_texts(path, secrets), dialect);
}

// What the privileged process needs to re-read the configuration and keep the firewall.
struct Separation {
  std::string user, config_path, secrets_path;
  std::optional<ravpn::config::Dialect> dialect;
  bool firewall = true;
  ravpn::firewall::InterfaceNames overrides;
};

// Privilege separation (daemon/privsep/): this process keeps root for the kernel, the firewall and the files; a
// child runs the IKE service as an unprivileged user.
int run_separated(ravpn::config::Config cfg, ravpn::daemon::ServiceOptions options, Separation sep,
                  ravpn::Logger& log) {
  namespace privsep = ravpn::privsep;
  std::unique_ptr<ravpn::kernel::Firewall> nft;
  auto apply = [&](const ravpn::config::Config& config) -> std::optional<std::string> {
    if (!nft) return std::nullopt;
    return ravpn::daemon::apply_firewall(*nft, config, interface_names(config, sep.overrides), log);
  };
  if (sep.firewall) {
    nft = ravpn::netlink::make_nft_firewall();
    if (auto error = apply(cfg)) throw std::runtime_error("nftables: " + *error);
  }
  const auto ike_addresses = cfg.ike_addresses();
  privsep::SplitOptions split;
  split.user = sep.user;
  if (!options.state_dir.empty()) split.lease_path = options.state_dir + "/leases.json";
  split.time = options.time;
  split.reload = [&]() -> std::expected<privsep::ReloadAnswer, std::string> {
    auto texts = ravpn::config::read_texts(sep.config_path, sep.secrets_path);
    auto next = load_checked(texts, sep.dialect);
    report(next, log);
    if (next.has_errors()) return std::unexpected(next.source + " has errors; the running configuration stays");
    if (auto error = apply(next))
      return std::unexpected("nftables refused the new ruleset (the running one stays): " + *error);
    return privsep::ReloadAnswer{texts.path, *texts.text, texts.secrets_path, texts.secrets_text.value_or("")};
  };
  split.cleanup = [&](bool crashed) {
    if (crashed) {
      // The IKE process is gone without its deletes: its SAs, policies and routes serve nobody now.
      const auto sweep = ravpn::netlink::remove_stale_ipsec(ike_addresses);
      if (!sweep.removed.empty())
        log.log(ravpn::LogLevel::Notice, ravpn::LogCategory::Daemon,
                "removed {} kernel items the IKE process left behind", sweep.removed.size());
    }
    if (nft) nft->remove();
    // The IKE process could not remove its control socket from root's runtime directory.
    if (!options.control_socket.empty()) unlink(options.control_socket.c_str());
  };
  const auto dialect = sep.dialect;
  split.ike_process = [&](std::unique_ptr<privsep::RemoteKernel> kernel, std::function<void()> drop) {
    auto* remote = kernel.get();
    options.kernel = std::move(kernel);
    options.firewall = false;  // the privileged process keeps the ruleset
    options.load_config = [remote, dialect]() -> std::expected<ravpn::config::Config, std::string> {
      auto answer = remote->reload();
      if (!answer) return std::unexpected(answer.error());
      ravpn::config::ConfigTexts texts{answer->config_path, answer->config_text, answer->secrets_path,
                                       answer->secrets_path.empty() ? std::nullopt
                                                                    : std::optional(answer->secrets_text)};
      return load_checked(texts, dialect);
    };
    options.write_leases = [remote](const std::vector<ravpn::pool::SavedLease>& leases) {
      remote->write_leases(ravpn::pool::lease_file_text(leases));
    };
    ravpn::daemon::Service service(std::move(cfg), log, std::move(options));
    drop();
    return service.run();
  };
  return privsep::run_separated(std::move(split), log);
}

}  // namespace

int main(int argc, char** argv) {
  std::string config_path, secrets_path, check_path, nft_path, debug, socket_path = "/run/ravpn/ravpnd.sock";
  bool foreground = false, quiet = false, errors_only = false, firewall = true, privsep = true;
  std::string user = "_ravpn";
  int wait_address = 0;
  std::string state_dir;
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
    else if (a == "--state-dir") ok = value(state_dir);
    else if (a == "--quiet" || a == "-q") quiet = true;
    else if (a == "--errors-only") errors_only = true;
    else if (a == "--wait-address") {
      std::string v;
      ok = value(v) && !v.empty() && v.size() < 6 && v.find_first_not_of("0123456789") == std::string::npos;
      if (ok) wait_address = std::stoi(v);
    }
    else if (a == "--dialect") {
      std::string d;
      ok = value(d) && (d == "ios" || d == "pix" || d == "native");
      if (ok) dialect = d == "ios" ? ravpn::config::Dialect::Ios
                        : d == "pix" ? ravpn::config::Dialect::Pix : ravpn::config::Dialect::Native;
    }
    else if (a == "--no-firewall") firewall = false;
    else if (a == "--user") ok = value(user) && !user.empty();
    else if (a == "--no-privsep") privsep = false;
    else if (a == "--interface") {
      std::string pair;
      ok = value(pair) && pair.find('=') != std::string::npos && pair.find('=') > 0;
      if (ok) overrides[pair.substr(0, pair.find('='))] = pair.substr(pair.find('=') + 1);
    } else if (a == "--foreground" || a == "-f") foreground = true;
    else if (a == "--help" || a == "-h") return usage(), 0;
    else ok = false;
    if (!ok) return usage(), 2;
  }

  // Without --secrets: secrets.cfg beside the config, as ravpn-convert does.
  auto secrets_for = [&](const std::string& config) {
    return secrets_path.empty() ? ravpn::config::default_secrets_path(config) : secrets_path;
  };
  if (!check_path.empty()) {
    auto cfg = load_checked(check_path, secrets_for(check_path), dialect);
    if (errors_only) std::cerr << ravpn::config::report_text(cfg, {.errors_only = true});
    else if (quiet) std::cerr << ravpn::config::report_text(cfg, {.list_ignored = false});
    else std::cout << ravpn::config::to_json(cfg).dump(2) << "\n";
    return cfg.has_errors() ? 1 : 0;
  }
  if (!nft_path.empty()) {
    auto cfg = load_checked(nft_path, secrets_for(nft_path), dialect);
    std::cerr << ravpn::config::report_text(cfg, {.list_ignored = false});
    if (cfg.has_errors()) return 1;
    std::cout << ravpn::firewall::build_firewall(cfg, interface_names(cfg, overrides)).ruleset;
    return 0;
  }
  if (config_path.empty()) return usage(), 2;

  using ravpn::daemon::ServiceLogger;
  ServiceLogger sink(foreground ? ServiceLogger::Sink::Stderr : ServiceLogger::Sink::Syslog);
  // Floods of one event (a spoofed aggressive mode flood) become a few lines and a count (ike/log_limiter.hpp).
  ravpn::LoopTime log_time;  // held by the service's loop (ike/clock.hpp)
  ravpn::RateLimitedLogger log(sink, log_time);
  if (!debug.empty() && !sink.set_debug(debug)) {
    std::fprintf(stderr, "ravpnd: unknown debug category in '%s'\n", debug.c_str());
    return 2;
  }
  secrets_path = secrets_for(config_path);
  auto cfg = load_checked(config_path, secrets_path, dialect);
  report(cfg, log);
  if (cfg.has_errors()) {
    log.log(ravpn::LogLevel::Error, ravpn::LogCategory::Config, "configuration has errors; not starting");
    return 1;
  }
  if (wait_address > 0) wait_for_addresses(cfg, wait_address, log);
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
    options.interface_overrides = overrides;
    options.state_dir = state_dir;
    options.time = &log_time;
    if (!privsep || geteuid() != 0) {
      options.load_config = [&]() -> std::expected<ravpn::config::Config, std::string> {
        auto next = load_checked(config_path, secrets_path, dialect);
        report(next, log);
        return next;
      };
      options.firewall = firewall;
      ravpn::daemon::Service service(std::move(cfg), log, std::move(options));
      return service.run();
    }
    return run_separated(std::move(cfg), std::move(options), Separation{user, config_path, secrets_path, dialect,
                                                                       firewall, overrides}, log);
  } catch (const std::exception& e) {
    log.log(ravpn::LogLevel::Error, ravpn::LogCategory::Daemon, "{}", e.what());
    return 1;
  }
}
