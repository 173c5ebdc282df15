// looks_native: whether a configuration text is the native (TOML) format rather than a Cisco running-config.
// A running-config's first lines are commands, `!` / `:` comments or `show` chatter; none is a `[table]` header or
// a `key = value` line.
#include "daemon/config/parse.hpp"

namespace ravpn::config {
namespace {

bool is_bare_key_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-' ||
         c == '.';
}

// `[name]`, `[[name]]`, `key = ...`, `"quoted key" = ...`, `a.b = ...`
bool is_toml_line(std::string_view line) {
  if (line.starts_with('[')) return line.find(']') != std::string_view::npos;
  size_t i = 0;
  if (line.starts_with('"')) {
    i = line.find('"', 1);
    if (i == std::string_view::npos) return false;
    ++i;
  } else {
    while (i < line.size() && is_bare_key_char(line[i])) ++i;
    if (i == 0) return false;
  }
  while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
  return i < line.size() && line[i] == '=';
}

}  // namespace

bool looks_native(std::string_view text) {
  if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);  // a UTF-8 byte order mark
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
    while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t')) line.remove_suffix(1);
    if (line.empty() || line.starts_with('#')) continue;
    return is_toml_line(line);
  }
  return false;
}

}  // namespace ravpn::config
