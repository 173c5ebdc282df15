// Helpers shared by the config tests.
#pragma once
#include <algorithm>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "daemon/config/model.hpp"
#include "daemon/config/parse.hpp"

namespace ravpn::config::test {

inline std::string fixture_path(const std::string& name) { return std::string(RAVPN_CONFIG_FIXTURES) + "/" + name; }

inline std::string read_fixture(const std::string& name) {
  std::ifstream in(fixture_path(name), std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

inline Ipv4 ip(const char* s) { return *Ipv4::parse(s); }

inline std::vector<const Diagnostic*> of_kind(const Config& c, Diagnostic::Kind k) {
  std::vector<const Diagnostic*> out;
  for (const auto& d : c.diagnostics)
    if (d.kind == k) out.push_back(&d);
  return out;
}

inline std::vector<int> lines_of(const Config& c, Diagnostic::Kind k, const std::string& command) {
  std::vector<int> out;
  for (const auto& d : c.diagnostics)
    if (d.kind == k && d.command == command) out.push_back(d.origin.line);
  return out;
}

// The error at LINE whose message contains TEXT.
inline bool has_error(const Config& c, int line, const std::string& text) {
  return std::any_of(c.diagnostics.begin(), c.diagnostics.end(), [&](const Diagnostic& d) {
    return d.kind == Diagnostic::Kind::Error && d.origin.line == line && d.message.find(text) != std::string::npos;
  });
}

inline size_t count_errors(const Config& c) { return of_kind(c, Diagnostic::Kind::Error).size(); }

}  // namespace ravpn::config::test
