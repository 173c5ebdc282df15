#include "daemon/config/text.hpp"

#include <algorithm>
#include <array>
#include <limits>

namespace ravpn::config::detail {
namespace {

bool blank(char c) { return c == ' ' || c == '\t'; }

size_t indent_of(std::string_view s) {
  size_t n = 0;
  while (n < s.size() && blank(s[n])) ++n;
  return n;
}

}  // namespace

std::vector<Line> split_lines(std::string_view text) {
  std::vector<std::string_view> raw;
  size_t start = 0;
  for (size_t i = 0; i <= text.size(); ++i) {
    if (i == text.size() || text[i] == '\n' || text[i] == '\r') {
      if (i == text.size() && start == i) break;
      raw.push_back(text.substr(start, i - start));
      if (i + 1 < text.size() && text[i] == '\r' && text[i + 1] == '\n') ++i;
      start = i + 1;
    }
  }
  // A config pasted with a uniform margin keeps its structure: indentation counts relative to the least indented
  // non-blank line.
  size_t base = std::numeric_limits<size_t>::max();
  for (auto r : raw) {
    size_t n = indent_of(r);
    if (n < r.size()) base = std::min(base, n);
  }
  std::vector<Line> lines;
  lines.reserve(raw.size());
  int number = 0;
  for (auto r : raw) {
    Line line;
    line.number = ++number;
    size_t end = r.size();
    while (end > 0 && blank(r[end - 1])) --end;
    line.text = std::string(r.substr(0, end));
    size_t n = indent_of(line.text);
    line.indented = n < line.text.size() && n > base;
    for (size_t i = n; i < line.text.size();) {
      size_t j = i;
      while (j < line.text.size() && !blank(line.text[j])) ++j;
      line.words.emplace_back(line.text.substr(i, j - i));
      line.lower.push_back(to_lower(line.words.back()));
      line.offsets.push_back(i);
      i = j;
      while (i < line.text.size() && blank(line.text[i])) ++i;
    }
    lines.push_back(std::move(line));
  }
  return lines;
}

std::string to_lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out)
    if (c >= 'A' && c <= 'Z') c = char(c - 'A' + 'a');
  return out;
}

bool iequals(std::string_view a, std::string_view b) { return a.size() == b.size() && to_lower(a) == to_lower(b); }

std::string join(const std::vector<std::string>& words, size_t from, size_t to) {
  std::string out;
  for (size_t i = from; i < to && i < words.size(); ++i) {
    if (!out.empty()) out += ' ';
    out += words[i];
  }
  return out;
}

bool is_masked(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c == '*'; });
}

std::string redact(const Line& line) {
  static constexpr std::array<std::string_view, 8> secret_words = {
      "password", "passwd", "secret", "key", "community", "key-string", "authentication-key", "message-digest-key"};
  size_t from = line.offsets.empty() ? 0 : line.offsets.front();
  // PIX `aaa-server TAG [(IF)] host A KEY [timeout S]`: no keyword names the key.
  if (!line.lower.empty() && line.lower[0] == "aaa-server")
    for (size_t i = 1; i + 2 < line.lower.size(); ++i)
      if (line.lower[i] == "host") return line.text.substr(from, line.offsets[i + 2] - from) + "<redacted>";
  for (size_t i = 0; i < line.lower.size(); ++i) {
    if (std::find(secret_words.begin(), secret_words.end(), line.lower[i]) == secret_words.end()) continue;
    size_t value = i + 1;
    if (value + 1 < line.words.size() && line.words[value].size() == 1 && line.words[value][0] >= '0' &&
        line.words[value][0] <= '9')
      ++value;  // the encryption type before the value
    if (value >= line.words.size()) continue;
    return line.text.substr(from, line.offsets[value] - from) + "<redacted>";
  }
  return line.offsets.empty() ? std::string() : line.text.substr(from);
}

}  // namespace ravpn::config::detail
