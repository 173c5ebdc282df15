// Reading running-configs into the model.
#pragma once
#include <string>
#include <string_view>

#include "daemon/config/model.hpp"

namespace ravpn::config {

// Parse an IOS 12.x running-config. Never throws on bad input: problems become diagnostics with file:line
// (Kind::Error for real errors; Kind::Ignored for lines ravpn does not implement, grouped by command).
Config parse_ios(std::string_view text, const std::string& filename);

// Apply a secrets file: unmasked lines in the config's own dialect (e.g. `isakmp key cisco1234 address 0.0.0.0
// netmask 0.0.0.0`, `crypto isakmp key cisco1234 address 0.0.0.0 0.0.0.0`, `vpngroup vpn3000 password K`,
// `key K` inside a `crypto isakmp client configuration group` block, `aaa-server T (IF) host A KEY`) that replace
// masked `********` values. Errors (a secret for nothing) become diagnostics against the secrets file.
void apply_secrets(Config& config, std::string_view secrets_text, const std::string& filename);

// After parsing (and secrets): reference checks — a crypto map naming a missing dynamic map, a dynamic map naming
// a missing transform set, a missing pool, AAA list, ACL; a masked secret with no value. Adds Kind::Error lines.
void validate(Config& config);

// Read FILE (and optional SECRETS), parse, apply, validate. Errors reading files become diagnostics.
Config load(const std::string& path, const std::string& secrets_path = "");

}  // namespace ravpn::config
