#include "daemon/config/dialect.hpp"

#include "daemon/config/parse.hpp"
#include "daemon/config/text.hpp"

namespace ravpn::config::detail {

Dialect detect_dialect(std::string_view text) {
  auto lines = split_lines(text.substr(0, 4096));
  for (const auto& l : lines)
    if (l.lower.size() >= 2 && (l.lower[0] == "pix" || l.lower[0] == "asa") && l.lower[1] == "version")
      return Dialect::Pix;
  return Dialect::Ios;
}

Config parse_dialect(Dialect dialect, std::string_view text, const std::string& filename) {
  if (dialect == Dialect::Ios) return parse_ios(text, filename);
  Config c;
  c.source = filename;
  c.dialect = dialect;
  c.diagnostics.push_back({Diagnostic::Kind::Error, {filename, 1}, "",
                           dialect == Dialect::Pix ? "PIX configurations are not supported yet"
                                                   : "native configuration format is not supported yet",
                           ""});
  return c;
}

}  // namespace ravpn::config::detail
