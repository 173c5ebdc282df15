// fw_apply: build the firewall of a config and print it or apply it in the current network namespace (the
// namespace test, test_nat_namespaces.sh, runs it inside its gateway namespace).
//
//   fw_apply (--config FILE [--secrets FILE] | --builtin pix-seed|pix-seed-www|ios-seed|kitchen-sink)
//            [--if CONFIG_NAME=LINUX_NAME]... [--auto-if]
//            (--print | --apply | --apply-script FILE | --remove)
//
// --auto-if maps config interfaces to Linux ones by address (firewall::map_interfaces over the host's addresses);
// --if entries override it. --apply-script applies the config's proxy ARP / mapped addresses with the ruleset text
// of FILE instead of the generated one (to check that a refused script leaves the old table).
// Exit status: 0 done, 1 the kernel refused, 2 usage or config error.
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "daemon/config/parse.hpp"
#include "daemon/firewall/ruleset.hpp"
#include "netlink/interfaces.hpp"
#include "netlink/nft_firewall.hpp"
#include "tests/firewall/configs.hpp"

using namespace ravpn;

namespace {

int usage(const std::string& why) {
  std::cerr
      << "fw_apply: " << why << "\n"
      << "usage: fw_apply (--config FILE [--secrets FILE] | --builtin pix-seed|pix-seed-www|ios-seed|kitchen-sink)\n"
      << "                [--if CONFIG_NAME=LINUX_NAME]... [--auto-if]\n"
      << "                (--print | --apply | --apply-script FILE | --remove)\n";
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  std::string config_path, secrets_path, builtin, action, script_path;
  firewall::InterfaceNames explicit_names;
  bool auto_names = false;
  std::vector<std::string> args(argv + 1, argv + argc);
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    auto value = [&]() -> std::optional<std::string> {
      if (i + 1 >= args.size()) return std::nullopt;
      return args[++i];
    };
    if (a == "--config" || a == "--secrets" || a == "--builtin" || a == "--if" || a == "--apply-script") {
      auto v = value();
      if (!v) return usage(a + " needs a value");
      if (a == "--config") config_path = *v;
      if (a == "--secrets") secrets_path = *v;
      if (a == "--builtin") builtin = *v;
      if (a == "--apply-script") {
        script_path = *v;
        action = "apply-script";
      }
      if (a == "--if") {
        const auto eq = v->find('=');
        if (eq == std::string::npos || eq == 0 || eq + 1 == v->size()) return usage("--if wants NAME=LINUX");
        explicit_names[v->substr(0, eq)] = v->substr(eq + 1);
      }
    } else if (a == "--auto-if") {
      auto_names = true;
    } else if (a == "--print" || a == "--apply" || a == "--remove") {
      action = a.substr(2);
    } else {
      return usage("unknown argument " + a);
    }
  }
  if (action.empty()) return usage("no action");
  if (action == "remove") {
    netlink::make_nft_firewall()->remove();
    return 0;
  }

  config::Config config;
  if (!builtin.empty()) {
    if (builtin == "pix-seed")
      config = firewall::test::pix_seed_like(false);
    else if (builtin == "pix-seed-www")
      config = firewall::test::pix_seed_like(true);
    else if (builtin == "ios-seed")
      config = firewall::test::ios_seed_like();
    else if (builtin == "kitchen-sink")
      config = firewall::test::kitchen_sink();
    else
      return usage("unknown builtin config " + builtin);
  } else if (!config_path.empty()) {
    config = config::load(config_path, secrets_path);
    if (config.has_errors()) {
      for (const auto& d : config.diagnostics)
        if (d.kind == config::Diagnostic::Kind::Error)
          std::cerr << d.origin.file << ":" << d.origin.line << ": " << d.message << "\n";
      return 2;
    }
  } else {
    return usage("--config or --builtin is needed");
  }

  firewall::InterfaceNames names;
  if (auto_names) {
    try {
      names = firewall::map_interfaces(config, netlink::list_ipv4_addresses());
    } catch (const std::exception& e) {
      std::cerr << "fw_apply: " << e.what() << "\n";
      return 2;
    }
  }
  for (const auto& [k, v] : explicit_names) names[k] = v;

  kernel::FirewallState state = firewall::build_firewall(config, names);
  if (action == "print") {
    std::cout << state.ruleset;
    for (const auto& p : state.proxy_arp) std::cout << "# proxy_arp " << p.interface << " " << p.address.str() << "\n";
    for (const auto& a : state.mapped_addresses) std::cout << "# mapped " << a.str() << "\n";
    return 0;
  }
  if (action == "apply-script") {
    std::ifstream in(script_path);
    if (!in) return usage("cannot read " + script_path);
    std::ostringstream text;
    text << in.rdbuf();
    state.ruleset = text.str();
  }
  if (auto error = netlink::make_nft_firewall()->apply(state)) {
    std::cerr << "fw_apply: " << *error << "\n";
    return 1;
  }
  return 0;
}
