// Reading running-configs into the model.
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/config/model.hpp"

namespace ravpn::config {

// Parse an IOS 12.x running-config. Never throws on bad input: problems become diagnostics with file:line
// (Kind::Error for real errors; Kind::Ignored for lines ravpn does not implement, grouped by command).
Config parse_ios(std::string_view text, const std::string& filename);

// Parse a PIX 6.x running-config, with the same guarantees. PIX 7.x / ASA syntax is reported as errors.
Config parse_pix(std::string_view text, const std::string& filename);

// Apply a secrets file: unmasked lines in the config's own dialect (e.g. `isakmp key cisco1234 address 0.0.0.0
// netmask 0.0.0.0`, `crypto isakmp key cisco1234 address 0.0.0.0 0.0.0.0`, `vpngroup vpn3000 password K`,
// `key K` inside a `crypto isakmp client configuration group` block, `aaa-server T (IF) host A KEY`) that replace
// masked `********` values. Errors (a secret for nothing) become diagnostics against the secrets file.
void apply_secrets(Config& config, std::string_view secrets_text, const std::string& filename);

// After parsing (and secrets): reference checks — a crypto map naming a missing dynamic map, a dynamic map naming
// a missing transform set, a missing pool, AAA list, ACL; a masked secret with no value. Adds Kind::Error lines.
void validate(Config& config);

// Read FILE (and optional SECRETS), parse in DIALECT (default: detected from the text), apply, validate. Errors
// reading files become diagnostics.
Config load(const std::string& path, const std::string& secrets_path = "", std::optional<Dialect> dialect = {});
// load() in two steps, for privilege separation: the privileged process reads the files (the secrets are root's),
// the unprivileged one parses the same bytes. A text that could not be read is nullopt.
struct ConfigTexts {
  std::string path;
  std::optional<std::string> text;
  std::string secrets_path;  // empty: none
  std::optional<std::string> secrets_text;
};
ConfigTexts read_texts(const std::string& path, const std::string& secrets_path);
Config load_texts(const ConfigTexts& texts, std::optional<Dialect> dialect);

// The secrets file ravpnd, --check-config and ravpn-convert use when no --secrets is given, so that they agree:
// `secrets.cfg` beside CONFIG (`secrets.toml` beside a `.toml` file) when it exists, else "" (none). The package's
// /etc/ravpn/ravpn.cfg thus finds /etc/ravpn/secrets.cfg.
std::string default_secrets_path(const std::string& config_path);

// The migration report on stderr-like OUT: a count line, errors and partly supported lines with file:line, then
// the ignored lines by command (each line listed when LIST_IGNORED, else only the count per command). The same
// text for ravpn-convert --report and ravpnd --check-config --quiet. ERRORS_ONLY: the error lines alone.
struct ReportOptions {
  bool list_ignored = true;
  bool errors_only = false;
};
std::string report_text(const Config& config, ReportOptions options = {});

}  // namespace ravpn::config

// ---- native format (TOML): native_reader.cpp, native_secrets.cpp, native_writer.cpp, native_detect.cpp --------
// The schema is summarised in native_reader.hpp and documented in ravpn-convert(8); packaging/ravpn.toml.example
// is a complete example.
namespace ravpn::config {

// Parse a native (TOML) configuration. Never throws: a TOML syntax error, an unknown key, a wrong type or a bad
// value becomes a Kind::Error diagnostic with file:line (messages never quote a secret). A secret written
// "********" is masked: a native secrets file must supply it.
Config parse_native(std::string_view text, const std::string& filename);

// Apply a native secrets file: TOML in the same schema holding only secrets and what names them
// (`[[isakmp.key]] peer key`, `[group.NAME] key`, `[user.NAME] password password_hash hash`,
// `[[aaa.server]] [tag] [protocol] host key`). Each replaces the matching value of CONFIG; anything else, a secret for
// nothing or a still-masked value is an error against the secrets file.
void apply_native_secrets(Config& config, std::string_view secrets_text, const std::string& filename);

// The native form of any model (from IOS, PIX or native): commented sections in a fixed order. Without
// INCLUDE_SECRETS every secret is written "********" (write_native_secrets then gives the secrets file).
std::string write_native(const Config& config, bool include_secrets);
// The native secrets file for CONFIG: every secret it holds a value for, and nothing else.
std::string write_native_secrets(const Config& config);

// The names and secrets that a client's bytes are compared with byte for byte (group names and keys, pre-shared
// keys, local users and passwords, AAA server keys) which are not UTF-8, e.g. a key typed on a Latin-1 terminal.
// ravpnd uses them as written; the native format cannot carry them (TOML text is UTF-8, and the writer's Latin-1
// reading of such a byte would change the bytes a client must send), so ravpn-convert refuses them. Each entry: where
// it was set and what it is (never the value).
struct NotUtf8Value {
  Origin origin;
  std::string what;
};
std::vector<NotUtf8Value> byte_exact_values_not_utf8(const Config& config);

// Whether TEXT looks like a native configuration: its first line that is not blank or a `#` comment is a TOML
// table header (`[...]`) or a `key = value` line.
bool looks_native(std::string_view text);

}  // namespace ravpn::config
