// Reading a generated ruleset back in the firewall tests: the lines of one chain, searches.
#pragma once
#include <algorithm>
#include <sstream>
#include <string>
#include <vector>

namespace ravpn::firewall::test {

inline std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t");
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(" \t") - b + 1);
}

// The lines inside `chain NAME { ... }` (trimmed; comment lines included), empty if there is no such chain.
inline std::vector<std::string> chain_lines(const std::string& ruleset, const std::string& name) {
  std::istringstream in(ruleset);
  std::string line;
  std::vector<std::string> out;
  bool inside = false;
  while (std::getline(in, line)) {
    const std::string t = trim(line);
    if (!inside) {
      inside = t == "chain " + name + " {";
      continue;
    }
    if (t == "}") break;
    out.push_back(t);
  }
  return out;
}

// The rules of a chain: its lines without comments and the base chain's type line.
inline std::vector<std::string> rules(const std::string& ruleset, const std::string& name) {
  std::vector<std::string> out;
  for (const auto& l : chain_lines(ruleset, name))
    if (!l.starts_with("#") && !l.starts_with("type ")) out.push_back(l);
  return out;
}

inline bool contains(const std::vector<std::string>& lines, const std::string& line) {
  return std::find(lines.begin(), lines.end(), line) != lines.end();
}

// Index of the first line containing TEXT, -1 if none.
inline int find_containing(const std::vector<std::string>& lines, const std::string& text) {
  for (size_t i = 0; i < lines.size(); ++i)
    if (lines[i].find(text) != std::string::npos) return int(i);
  return -1;
}

inline size_t count_containing(const std::string& text, const std::string& needle) {
  size_t n = 0;
  for (size_t pos = text.find(needle); pos != std::string::npos; pos = text.find(needle, pos + 1)) ++n;
  return n;
}

}  // namespace ravpn::firewall::test
