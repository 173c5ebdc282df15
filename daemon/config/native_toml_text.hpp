// Writing TOML text by hand (toml++ writes no comments): tables, keys, quoted strings, comments. The writer decides
// the order; this only spells it correctly.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ravpn::config::native {

// Whether S is well-formed UTF-8 (no overlong forms, surrogates or code points past U+10FFFF): what TOML text must be.
bool valid_utf8(std::string_view s);
// S with every byte that is not printable ASCII as '?' (comments, and names in messages that must not carry them).
std::string printable_ascii(std::string_view s);

class TomlText {
 public:
  void comment(std::string_view text);  // "# text", one per line of TEXT
  void blank();
  void table(const std::vector<std::string>& path);        // [a.b."c d"]
  void array_table(const std::vector<std::string>& path);  // [[a.b]]
  void string(std::string_view key, std::string_view value);
  void number(std::string_view key, int64_t value);
  void flag(std::string_view key, bool value);
  void strings(std::string_view key, const std::vector<std::string>& values);
  std::string take() { return std::move(out_); }

  // A bare key when it can be one (A-Z a-z 0-9 _ -), else a quoted one.
  static std::string key_text(std::string_view key);
  // A TOML basic string. Control characters are escaped; a byte that is not UTF-8 (a Latin-1 banner) is written as
  // the code point of the same number.
  static std::string quote(std::string_view value);

 private:
  void header(const std::vector<std::string>& path, std::string_view open, std::string_view close);
  std::string out_;
};

}  // namespace ravpn::config::native
