#include "daemon/config/dialect.hpp"

#include "daemon/config/parse.hpp"
#include "daemon/config/text.hpp"

namespace ravpn::config::detail {

Dialect detect_dialect(std::string_view text) {
  auto lines = split_lines(text.substr(0, 4096));
  for (const auto& l : lines)
    if (l.lower.size() >= 2 && (l.lower[0] == "pix" || l.lower[0] == "asa") && l.lower[1] == "version")
      return Dialect::Pix;
  return looks_native(text) ? Dialect::Native : Dialect::Ios;
}

Config parse_dialect(Dialect dialect, std::string_view text, const std::string& filename) {
  if (dialect == Dialect::Ios) return parse_ios(text, filename);
  if (dialect == Dialect::Pix) return parse_pix(text, filename);
  return parse_native(text, filename);
}

}  // namespace ravpn::config::detail
