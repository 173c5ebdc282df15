// Which reader a config text goes to: IOS 12.x, PIX 6.x or the native TOML format (parse.hpp).
#pragma once
#include <string>
#include <string_view>

#include "daemon/config/model.hpp"

namespace ravpn::config::detail {

// "PIX Version 6.x" / "ASA Version" in the first lines mean PIX; a TOML table header or `key = value` as the first
// line that counts means native; anything else is read as IOS.
Dialect detect_dialect(std::string_view text);
Config parse_dialect(Dialect dialect, std::string_view text, const std::string& filename);

}  // namespace ravpn::config::detail
