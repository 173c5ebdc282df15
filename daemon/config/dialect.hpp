// Which reader a config text goes to. PIX joins here next issue.
#pragma once
#include <string>
#include <string_view>

#include "daemon/config/model.hpp"

namespace ravpn::config::detail {

// "PIX Version 6.x" / "ASA Version" in the first lines mean PIX; anything else is read as IOS.
Dialect detect_dialect(std::string_view text);
Config parse_dialect(Dialect dialect, std::string_view text, const std::string& filename);

}  // namespace ravpn::config::detail
