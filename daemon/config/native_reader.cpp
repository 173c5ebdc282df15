// parse_native: the native (TOML) configuration reader. toml++ parses the text; the sections (native_read_*.cpp)
// turn its tables into the model. A syntax error, an unknown key, a wrong type or a bad value is a Diagnostic with
// file:line; nothing throws out of here.
#include <algorithm>

#include "daemon/config/native_reader.hpp"
#include "daemon/config/parse.hpp"

namespace ravpn::config {
namespace {

std::string_view line_at(std::string_view text, int number) {
  for (int n = 1; n < number; ++n) {
    size_t nl = text.find('\n');
    if (nl == std::string_view::npos) return {};
    text.remove_prefix(nl + 1);
  }
  return text.substr(0, text.find('\n'));
}

bool is_key_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
}

// Whether LINE assigns one of the secret keys (key, password, password_hash), so that a syntax error there may
// quote the secret.
bool assigns_secret(std::string_view line) {
  for (std::string_view name : {"password_hash", "password", "key"}) {
    for (size_t at = line.find(name); at != std::string_view::npos; at = line.find(name, at + 1)) {
      if (at > 0 && (is_key_char(line[at - 1]) || line[at - 1] == '.')) continue;
      size_t after = at + name.size();
      while (after < line.size() && (line[after] == ' ' || line[after] == '\t')) ++after;
      if (after < line.size() && line[after] == '=') return true;
    }
  }
  return false;
}

// What the file says in one place and the model holds in two: the crypto maps an interface carries also list the
// interface (in interface order, as the IOS reader does); without [isakmp] enable, IKE is on where a crypto map is.
void derive(Config& cfg, const toml::table& doc) {
  for (auto& [name, m] : cfg.crypto_maps) m.interfaces.clear();
  for (const auto& i : cfg.interfaces)
    for (const auto& m : i.crypto_maps)
      if (auto it = cfg.crypto_maps.find(m); it != cfg.crypto_maps.end()) it->second.interfaces.push_back(i.name);
  const toml::table* isakmp = doc["isakmp"].as_table();
  if (isakmp && isakmp->contains("enable")) return;
  for (const auto& i : cfg.interfaces)
    if (!i.crypto_maps.empty()) cfg.isakmp_enabled_interfaces.push_back(i.name);
}

}  // namespace

namespace native {

std::string syntax_error_message(const toml::parse_error& e, std::string_view text) {
  int line = int(e.source().begin.line);
  if (assigns_secret(line_at(text, line))) return "TOML syntax error on a line that holds a secret (details not shown)";
  return "TOML syntax error: " + std::string(e.description());
}

}  // namespace native

Config parse_native(std::string_view text, const std::string& filename) {
  Config cfg;
  cfg.source = filename;
  cfg.dialect = Dialect::Native;
  detail::Reporter rep(cfg.diagnostics, filename);
  try {
    toml::table doc = toml::parse(text, std::string_view(filename));
    native::Fields root(doc, "", "", rep);
    root.read_name("hostname", cfg.hostname);
    native::read_network(root, cfg);
    native::read_isakmp(root, cfg);
    native::read_aaa(root, cfg);
    native::read_ipsec(root, cfg);
    native::read_filter(root, cfg);
    root.finish();
    derive(cfg, doc);
  } catch (const toml::parse_error& e) {
    rep.error(int(e.source().begin.line), "toml", native::syntax_error_message(e, text));
  } catch (const std::exception& e) {  // allocation failure or a bug: still a diagnostic, never an escape
    rep.error(0, "", std::string("internal error: ") + e.what());
  }
  std::stable_sort(cfg.diagnostics.begin(), cfg.diagnostics.end(),
                   [](const Diagnostic& a, const Diagnostic& b) { return a.origin.line < b.origin.line; });
  return cfg;
}

}  // namespace ravpn::config
