#include "ike/log_text.hpp"

#include <fmt/format.h>

namespace ravpn {
namespace {

// Length of the well-formed UTF-8 sequence starting at text[i] (RFC 3629 §4: no overlongs, no surrogates, nothing
// above U+10FFFF), 0 when the bytes there are not one.
size_t utf8_length(std::string_view text, size_t i, char32_t& code) {
  const auto b = [&](size_t k) { return uint8_t(text[i + k]); };
  const auto cont = [&](size_t k) { return i + k < text.size() && (b(k) & 0xC0) == 0x80; };
  const uint8_t c = b(0);
  if (c >= 0xC2 && c <= 0xDF && cont(1)) {
    code = char32_t(c & 0x1F) << 6 | (b(1) & 0x3F);
    return 2;
  }
  if (c >= 0xE0 && c <= 0xEF && cont(1) && cont(2)) {
    code = char32_t(c & 0x0F) << 12 | char32_t(b(1) & 0x3F) << 6 | (b(2) & 0x3F);
    return code >= 0x800 && (code < 0xD800 || code > 0xDFFF) ? 3 : 0;
  }
  if (c >= 0xF0 && c <= 0xF4 && cont(1) && cont(2) && cont(3)) {
    code = char32_t(c & 0x07) << 18 | char32_t(b(1) & 0x3F) << 12 | char32_t(b(2) & 0x3F) << 6 | (b(3) & 0x3F);
    return code >= 0x10000 && code <= 0x10FFFF ? 4 : 0;
  }
  return 0;
}

// C1 controls and the bidirectional embeddings, overrides and isolates reorder or hide what a terminal shows.
bool invisible(char32_t code) {
  return (code >= 0x80 && code <= 0x9F) || (code >= 0x202A && code <= 0x202E) || (code >= 0x2066 && code <= 0x2069) ||
         code == 0x200E || code == 0x200F || code == 0x061C;
}

}  // namespace

std::string peer_text(std::string_view text, size_t max) {
  std::string out;
  out.reserve(std::min(text.size(), max) + 8);
  size_t i = 0;
  while (i < text.size()) {
    const uint8_t c = uint8_t(text[i]);
    char32_t code = 0;
    size_t n = c < 0x80 ? 1 : utf8_length(text, i, code);
    if (i + std::max<size_t>(n, 1) > max) break;
    if (c == '\\') out += "\\\\";
    else if (c >= 0x20 && c < 0x7f) out += char(c);
    else if (n == 1 || n == 0) out += fmt::format("\\x{:02x}", c);
    else if (invisible(code)) out += fmt::format("\\u{{{:04x}}}", uint32_t(code));
    else out.append(text.substr(i, n));
    i += std::max<size_t>(n, 1);
  }
  if (i < text.size()) out += fmt::format("...({} bytes)", text.size());
  return out;
}

std::string peer_text(std::span<const uint8_t> bytes, size_t max) {
  return peer_text(std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()), max);
}

std::string one_line(std::string_view line) {
  std::string out;
  out.reserve(line.size());
  for (char ch : line) {
    const uint8_t c = uint8_t(ch);
    if (c < 0x20 || c == 0x7f) out += fmt::format("\\x{:02x}", c);
    else out += ch;
  }
  return out;
}

}  // namespace ravpn
