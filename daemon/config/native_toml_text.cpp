#include "daemon/config/native_toml_text.hpp"

#include <cstdio>

namespace ravpn::config::native {
namespace {

// The length of the valid UTF-8 sequence at S[I], or 0.
size_t utf8_length(std::string_view s, size_t i) {
  auto b = uint8_t(s[i]);
  size_t n = b < 0x80 ? 1 : (b & 0xE0) == 0xC0 ? 2 : (b & 0xF0) == 0xE0 ? 3 : (b & 0xF8) == 0xF0 ? 4 : 0;
  if (n == 0 || i + n > s.size()) return 0;
  uint32_t cp = n == 1 ? b : n == 2 ? (b & 0x1Fu) : n == 3 ? (b & 0x0Fu) : (b & 0x07u);
  for (size_t k = 1; k < n; ++k) {
    auto c = uint8_t(s[i + k]);
    if ((c & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (c & 0x3Fu);
  }
  static constexpr uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < kMin[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return n;
}

std::string escaped(uint8_t c) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "\\u%04X", unsigned(c));
  return buf;
}

}  // namespace

std::string printable_ascii(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (uint8_t(c) < 0x20 || uint8_t(c) >= 0x7f) c = '?';
  return out;
}

bool valid_utf8(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    size_t n = utf8_length(s, i);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

std::string TomlText::key_text(std::string_view key) {
  bool bare = !key.empty();
  for (char c : key)
    bare = bare && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-');
  return bare ? std::string(key) : quote(key);
}

std::string TomlText::quote(std::string_view value) {
  std::string out = "\"";
  for (size_t i = 0; i < value.size();) {
    auto c = uint8_t(value[i]);
    switch (c) {
      case '"': out += "\\\""; ++i; continue;
      case '\\': out += "\\\\"; ++i; continue;
      case '\n': out += "\\n"; ++i; continue;
      case '\t': out += "\\t"; ++i; continue;
      case '\r': out += "\\r"; ++i; continue;
      default: break;
    }
    if (c < 0x20 || c == 0x7f) {
      out += escaped(c);
      ++i;
      continue;
    }
    size_t n = utf8_length(value, i);
    if (n == 0) {
      out += escaped(c);  // not UTF-8: the Latin-1 reading of the byte
      ++i;
      continue;
    }
    out.append(value, i, n);
    i += n;
  }
  return out + "\"";
}

void TomlText::comment(std::string_view text) {
  while (true) {
    size_t nl = text.find('\n');
    std::string line = printable_ascii(text.substr(0, nl));  // comments hold printable ASCII only
    out_ += line.empty() ? "#\n" : "# " + line + "\n";
    if (nl == std::string_view::npos) return;
    text.remove_prefix(nl + 1);
  }
}

void TomlText::blank() {
  if (!out_.empty() && !out_.ends_with("\n\n")) out_ += "\n";
}

void TomlText::header(const std::vector<std::string>& path, std::string_view open, std::string_view close) {
  out_ += open;
  for (size_t i = 0; i < path.size(); ++i) out_ += (i ? "." : "") + key_text(path[i]);
  out_ += close;
  out_ += "\n";
}

void TomlText::table(const std::vector<std::string>& path) { header(path, "[", "]"); }
void TomlText::array_table(const std::vector<std::string>& path) { header(path, "[[", "]]"); }

void TomlText::string(std::string_view key, std::string_view value) {
  out_ += key_text(key) + " = " + quote(value) + "\n";
}

void TomlText::number(std::string_view key, int64_t value) {
  out_ += key_text(key) + " = " + std::to_string(value) + "\n";
}

void TomlText::flag(std::string_view key, bool value) {
  out_ += key_text(key) + " = " + (value ? "true" : "false") + "\n";
}

void TomlText::strings(std::string_view key, const std::vector<std::string>& values) {
  out_ += key_text(key) + " = [";
  for (size_t i = 0; i < values.size(); ++i) out_ += (i ? ", " : "") + quote(values[i]);
  out_ += "]\n";
}

}  // namespace ravpn::config::native
