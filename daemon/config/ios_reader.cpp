// parse_ios: the IOS 12.x running-config reader (commands in ios_*.cpp).
#include "daemon/config/ios_reader.hpp"

#include <algorithm>

#include "daemon/config/nat_common.hpp"
#include "daemon/config/parse.hpp"

namespace ravpn::config {
namespace detail {
namespace {

void hostname(IosState& st, Args& a) {
  st.cfg.hostname = a.word("hostname");
  a.end();
}

const CommandTable<IosState>& top_commands() {
  static const CommandTable<IosState> table = [] {
    CommandTable<IosState> t;
    t.handle("hostname", hostname);
    add_ios_crypto_commands(t);
    add_ios_aaa_commands(t);
    add_ios_interface_commands(t);
    add_ios_nat_commands(t);
    add_ios_ignored_commands(t);
    return t;
  }();
  return table;
}

// Moves what the handlers collected into the model's sorted shapes and fills derived fields.
void finish(IosState& st) {
  Config& c = st.cfg;
  for (auto& [priority, p] : st.policies) c.isakmp_policies.push_back(std::move(p));
  for (auto& [key, d] : st.dynamic_maps) c.dynamic_maps.push_back(std::move(d));
  for (auto& [key, r] : st.route_maps) c.route_maps.push_back(std::move(r));
  for (auto& [name, m] : c.crypto_maps) {
    std::sort(m.entries.begin(), m.entries.end(),
              [](const CryptoMapEntry& x, const CryptoMapEntry& y) { return x.sequence < y.sequence; });
    m.interfaces.clear();
  }
  c.isakmp_enabled_interfaces.clear();
  for (const auto& i : c.interfaces) {
    for (const auto& m : i.crypto_maps)
      if (auto it = c.crypto_maps.find(m); it != c.crypto_maps.end()) it->second.interfaces.push_back(i.name);
    if (!i.crypto_maps.empty()) c.isakmp_enabled_interfaces.push_back(i.name);
  }
  for (auto& member : st.group_members) {
    for (const auto& s : c.aaa_servers)
      if (s.tag == member.protocol && s.host == member.host) {
        member.key = s.key;
        member.key_masked = s.key_masked;
        member.auth_port = s.auth_port;
        member.acct_port = s.acct_port;
        member.timeout_seconds = s.timeout_seconds;
      }
    c.aaa_servers.push_back(std::move(member));
  }
  for (auto& s : c.aaa_servers) {
    auto d = st.server_defaults.find(s.protocol);
    if (d == st.server_defaults.end()) continue;
    if (s.key.empty() && !s.key_masked && d->second.key) {
      s.key = *d->second.key;
      s.key_masked = d->second.key_masked;
    }
    if (!s.timeout_seconds) s.timeout_seconds = d->second.timeout;
  }
  resolve_interface_statics(c, st.rep, st.statics_on_interface, "ip nat inside source");
}

}  // namespace
}  // namespace detail

Config parse_ios(std::string_view text, const std::string& filename) {
  Config config;
  config.source = filename;
  config.dialect = Dialect::Ios;
  try {
    detail::IosState st(config, filename);
    detail::Driver<detail::IosState>(st, detail::top_commands()).run(detail::split_lines(text));
    detail::finish(st);
  } catch (const std::exception& e) {  // allocation failure or a bug: still a diagnostic, never an escape
    config.diagnostics.push_back({Diagnostic::Kind::Error, {filename, 0}, "", std::string("internal error: ") + e.what(), ""});
  }
  return config;
}

}  // namespace ravpn::config
