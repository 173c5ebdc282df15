// load: read the config (and secrets) files, parse in the detected dialect, apply secrets, validate.
#include <filesystem>
#include <fstream>
#include <map>
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

ConfigTexts read_texts(const std::string& path, const std::string& secrets_path) {
  ConfigTexts t;
  t.path = path;
  t.text = read_file(path);
  t.secrets_path = secrets_path;
  if (!secrets_path.empty()) t.secrets_text = read_file(secrets_path);
  return t;
}

Config load_texts(const ConfigTexts& t, std::optional<Dialect> dialect) {
  if (!t.text) {
    Config c;
    c.source = t.path;
    c.diagnostics.push_back({Diagnostic::Kind::Error, {t.path, 0}, "", "cannot read the configuration file", ""});
    return c;
  }
  Config c = detail::parse_dialect(dialect.value_or(detail::detect_dialect(*t.text)), *t.text, t.path);
  if (!t.secrets_path.empty()) {
    if (t.secrets_text) apply_secrets(c, *t.secrets_text, t.secrets_path);
    else c.diagnostics.push_back({Diagnostic::Kind::Error, {t.secrets_path, 0}, "", "cannot read the secrets file", ""});
  }
  validate(c);
  return c;
}

Config load(const std::string& path, const std::string& secrets_path, std::optional<Dialect> dialect) {
  return load_texts(read_texts(path, secrets_path), dialect);
}

std::string default_secrets_path(const std::string& config_path) {
  namespace fs = std::filesystem;
  const fs::path config(config_path);
  const fs::path secrets = config.parent_path() / (config.extension() == ".toml" ? "secrets.toml" : "secrets.cfg");
  std::error_code ec;
  if (!fs::is_regular_file(secrets, ec) || fs::equivalent(secrets, config, ec)) return "";
  return secrets.string();
}

namespace {
const char* dialect_name(Dialect d) {
  switch (d) {
    case Dialect::Ios: return "IOS";
    case Dialect::Pix: return "PIX";
    case Dialect::Native: return "native";
  }
  return "?";
}
const char* plural(size_t n) { return n == 1 ? "" : "s"; }
std::string where(const Diagnostic& d) { return d.origin.file + ":" + std::to_string(d.origin.line); }
}  // namespace

std::string report_text(const Config& c, ReportOptions options) {
  using Kind = Diagnostic::Kind;
  std::vector<const Diagnostic*> errors, partial;
  std::map<std::string, std::vector<const Diagnostic*>> ignored;  // by command
  for (const auto& d : c.diagnostics) {
    if (d.kind == Kind::Error) errors.push_back(&d);
    else if (d.kind == Kind::Partial) partial.push_back(&d);
    else ignored[d.command.empty() ? "?" : d.command].push_back(&d);
  }
  std::ostringstream out;
  if (options.errors_only) {
    for (const auto* d : errors) out << where(*d) << ": error: " << d->message << "\n";
    return out.str();
  }
  size_t ignored_count = 0;
  for (const auto& [command, lines] : ignored) ignored_count += lines.size();
  out << c.source << " (" << dialect_name(c.dialect) << "): " << errors.size() << " error" << plural(errors.size())
      << ", " << partial.size() << " line" << plural(partial.size()) << " taken in part, " << ignored_count << " line"
      << plural(ignored_count) << " ignored\n";
  if (!errors.empty()) out << "\nErrors:\n";
  for (const auto* d : errors) out << "  " << where(*d) << ": " << d->message << "\n";
  if (!partial.empty()) out << "\nTaken in part:\n";
  for (const auto* d : partial) {
    out << "  " << where(*d) << ": " << (d->command.empty() ? "" : d->command + ": ") << d->message << "\n";
    if (!d->text.empty()) out << "      " << d->text << "\n";
  }
  if (!ignored.empty()) out << "\nIgnored (not used by ravpn), by command:\n";
  for (const auto& [command, lines] : ignored) {
    out << "  " << command << " (" << lines.size() << " line" << plural(lines.size()) << "): "
        << lines.front()->message << "\n";
    if (options.list_ignored)
      for (const auto* d : lines) out << "      " << where(*d) << ": " << d->text << "\n";
  }
  return out.str();
}

}  // namespace ravpn::config
