#include "xauth/config_check.hpp"

#include "ike/worker.hpp"
#include "xauth/accounting_settings.hpp"
#include "xauth/backend.hpp"

namespace ravpn::xauth {

void check_authentication(config::Config& config) {
  using Kind = config::Diagnostic::Kind;
  // The backends are built and dropped at once: none is asked anything, so no thread pool is needed.
  InlineWorker unused;
  const std::string command = config.dialect == config::Dialect::Native ? "crypto_map" : "crypto map";
  std::vector<config::Diagnostic> found;
  for (const auto& [name, map] : config.crypto_maps) {
    if (!map.client_authentication) continue;
    auto choice = make_backend(config, *map.client_authentication, &unused);
    std::string what = "crypto map " + name + " client authentication " + *map.client_authentication;
    if (!choice.backend)
      found.push_back({Kind::Error, map.origin, command, what + ": " + choice.problem + "; no user could log in", ""});
    for (const auto& w : choice.warnings) found.push_back({Kind::Partial, map.origin, command, what + ": " + w, ""});
  }
  config.diagnostics.insert(config.diagnostics.end(), found.begin(), found.end());
  accounting::check_accounting(config);
}

}  // namespace ravpn::xauth
