// Line tokenizer shared by every config dialect reader (IOS now, PIX next).
#pragma once
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace ravpn::config::detail {

// One line of a running-config, split on blanks. Keywords are matched on `lower`; names and secrets keep the
// case of `words`.
struct Line {
  int number = 0;         // 1-based
  bool indented = false;  // indented more than the file's least indented line: a sub-mode line
  std::string text;       // without the line end and trailing blanks
  std::vector<std::string> words;
  std::vector<std::string> lower;
  std::vector<size_t> offsets;  // where each word starts in `text`
};

// Splits TEXT into lines (LF, CRLF or CR ends). Blank lines are kept (with no words) so numbers stay right.
std::vector<Line> split_lines(std::string_view text);

std::string to_lower(std::string_view s);
bool iequals(std::string_view a, std::string_view b);
std::string join(const std::vector<std::string>& words, size_t from, size_t to);

// A secret as a running-config prints it when it will not show it: any run of asterisks ("********" on PIX,
// "*****" in the tech notes, "*" on ASA).
bool is_masked(std::string_view s);

// The line's text (without its indentation) with the value after password/passwd/secret/key/community/... (and an
// optional type digit) replaced, and the key of a PIX `aaa-server TAG (IF) host A KEY` line, for diagnostics that
// quote ignored lines.
std::string redact(const Line& line);

}  // namespace ravpn::config::detail
