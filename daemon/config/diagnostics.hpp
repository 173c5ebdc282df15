// Diagnostics every dialect reader reports through: one place decides how a problem is recorded.
#pragma once
#include <string>
#include <vector>

#include "daemon/config/model.hpp"

namespace ravpn::config::detail {

class Reporter {
 public:
  Reporter(std::vector<Diagnostic>& out, std::string file) : out_(out), file_(std::move(file)) {}
  const std::string& file() const { return file_; }
  Origin origin(int line) const { return Origin{file_, line}; }

  void error(int line, std::string command, std::string message) {
    add(Diagnostic::Kind::Error, line, std::move(command), std::move(message), "");
  }
  void partial(int line, std::string command, std::string message, std::string text = "") {
    add(Diagnostic::Kind::Partial, line, std::move(command), std::move(message), std::move(text));
  }
  void ignored(int line, std::string command, std::string message, std::string text) {
    add(Diagnostic::Kind::Ignored, line, std::move(command), std::move(message), std::move(text));
  }
  void add(Diagnostic::Kind kind, int line, std::string command, std::string message, std::string text) {
    Diagnostic d;
    d.kind = kind;
    d.origin = origin(line);
    d.command = std::move(command);
    d.message = std::move(message);
    d.text = std::move(text);
    out_.push_back(std::move(d));
  }

 private:
  std::vector<Diagnostic>& out_;
  std::string file_;
};

}  // namespace ravpn::config::detail
