#include "xauth/accounting_settings.hpp"

#include <fmt/format.h>

#include "xauth/radius_backend.hpp"
#include "xauth/tacacs_backend.hpp"

namespace ravpn::xauth::accounting {

SettingsChoice accounting_settings(const config::Config& config) {
  const auto& acct = config.aaa_accounting;
  if (acct.servers.empty()) return {};
  const std::string& tag = acct.servers;
  std::string protocol = tag == "radius" || tag == "tacacs+" ? tag : "";
  for (const auto& s : config.aaa_servers)
    if (protocol.empty() && s.tag == tag) protocol = s.protocol;
  const std::string what = config.dialect == config::Dialect::Ios ? "accounting group " + tag : "aaa-server " + tag;
  Settings out;
  out.name = tag;
  out.nas_identifier = config.hostname;
  if (acct.interim_seconds) out.interim = Seconds(*acct.interim_seconds);
  if (protocol == "radius") {
    auto r = radius_settings(config, tag, what);
    if (!r.problem.empty()) return {std::nullopt, r.problem};
    out.protocol = Protocol::Radius;
    for (const auto& server : r.settings.servers) {
      Server a{server.address, kCiscoRadiusAcctPort, server.key, server.timeout_seconds, server.retransmits};
      for (const auto& s : config.aaa_servers)
        if (s.tag == tag && s.host == server.address && s.acct_port && *s.acct_port) a.port = *s.acct_port;
      out.servers.push_back(std::move(a));
    }
  } else if (protocol == "tacacs+") {
    auto t = tacacs_settings(config, tag, what);
    if (!t.problem.empty()) return {std::nullopt, t.problem};
    out.protocol = Protocol::Tacacs;
    for (const auto& server : t.settings.servers)
      out.servers.push_back(Server{server.address, server.port, server.key, server.timeout_seconds, 0});
  } else {
    return {std::nullopt, fmt::format("{} is no RADIUS or TACACS+ server group", what)};
  }
  return {std::move(out), ""};
}

void check_accounting(config::Config& config) {
  auto choice = accounting_settings(config);
  if (choice.problem.empty()) return;
  const auto& acct = config.aaa_accounting;
  config.diagnostics.push_back({config::Diagnostic::Kind::Error, acct.origin,
                                config.dialect == config::Dialect::Native ? "aaa.accounting" : "aaa accounting",
                                choice.problem + "; no accounting record could be sent", ""});
}

}  // namespace ravpn::xauth::accounting
