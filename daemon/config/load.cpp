// load: read the config (and secrets) files, parse in the detected dialect, apply secrets, validate.
#include <fstream>
#include <sstream>

#include "daemon/config/dialect.hpp"
#include "daemon/config/parse.hpp"

namespace ravpn::config {
namespace {

std::optional<std::string> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream out;
  out << in.rdbuf();
  if (in.bad()) return std::nullopt;
  return out.str();
}

}  // namespace

Config load(const std::string& path, const std::string& secrets_path, std::optional<Dialect> dialect) {
  auto text = read_file(path);
  if (!text) {
    Config c;
    c.source = path;
    c.diagnostics.push_back({Diagnostic::Kind::Error, {path, 0}, "", "cannot read the configuration file", ""});
    return c;
  }
  Config c = detail::parse_dialect(dialect.value_or(detail::detect_dialect(*text)), *text, path);
  if (!secrets_path.empty()) {
    if (auto secrets = read_file(secrets_path)) apply_secrets(c, *secrets, secrets_path);
    else c.diagnostics.push_back({Diagnostic::Kind::Error, {secrets_path, 0}, "", "cannot read the secrets file", ""});
  }
  validate(c);
  return c;
}

}  // namespace ravpn::config
