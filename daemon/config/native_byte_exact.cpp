// Names and secrets the native format cannot carry unchanged (see byte_exact_values_not_utf8 in parse.hpp).
#include "daemon/config/native_toml_text.hpp"
#include "daemon/config/parse.hpp"

namespace ravpn::config {

std::vector<NotUtf8Value> byte_exact_values_not_utf8(const Config& c) {
  std::vector<NotUtf8Value> out;
  auto check = [&](const std::string& value, const Origin& origin, std::string what) {
    if (!native::valid_utf8(value)) out.push_back({origin, std::move(what)});
  };
  // Names are shown in printable ASCII; values never.
  const auto shown = native::printable_ascii;
  for (const auto& k : c.isakmp_keys)
    if (!k.masked) check(k.key, k.origin, "the pre-shared key for " + k.peer.str());
  for (const auto& [name, g] : c.client_groups) {
    check(name, g.origin, "the name of group " + shown(name));
    if (g.key && !g.key_masked) check(*g.key, g.key_origin, "the key of group " + shown(name));
  }
  for (const auto& [name, u] : c.users) {
    check(name, u.origin, "the name of user " + shown(name));
    check(u.password, u.origin, "the password of user " + shown(name));
  }
  for (const auto& s : c.aaa_servers)
    if (!s.key_masked) check(s.key, s.origin, "the key of " + s.protocol + " server " + s.host.str());
  return out;
}

}  // namespace ravpn::config
