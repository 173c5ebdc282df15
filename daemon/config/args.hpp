// A bounds-checked reader over the words of one config line. A bad or missing argument throws LineError, which
// the line dispatcher (dispatch.hpp) turns into a Kind::Error diagnostic for that line; nothing escapes a reader.
#pragma once
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/config/text.hpp"
#include "pool/ipv4.hpp"

namespace ravpn::config::detail {

struct LineError {
  std::string message;
};

// The lines of one file, for commands that continue over several lines (banners).
class LineCursor {
 public:
  explicit LineCursor(const std::vector<Line>& lines) : lines_(lines) {}
  const Line* next() { return next_ < lines_.size() ? &lines_[next_++] : nullptr; }
  bool at_end() const { return next_ >= lines_.size(); }

 private:
  const std::vector<Line>& lines_;
  size_t next_ = 0;
};

class Args {
 public:
  Args(const Line& line, size_t first, LineCursor* more) : line_(line), pos_(first), more_(more) {}
  const Line& line() const { return line_; }
  int number() const { return line_.number; }

  bool done() const { return pos_ >= line_.words.size(); }
  size_t left() const { return done() ? 0 : line_.words.size() - pos_; }
  std::string_view peek() const { return done() ? std::string_view{} : std::string_view(line_.lower[pos_]); }
  std::string_view peek(size_t ahead) const;
  bool accept(std::string_view keyword);  // consumes the next word if it is KEYWORD (any case)

  std::string word(std::string_view what);    // a name as written
  std::string secret(std::string_view what);  // like word(), but never quoted in an error
  std::string keyword(std::string_view what, std::initializer_list<std::string_view> allowed);  // lower-case
  uint32_t number(std::string_view what, uint32_t min, uint32_t max);
  Ipv4 address(std::string_view what);
  Ipv4 netmask(std::string_view what);  // contiguous ones
  std::string rest(std::string_view what);  // the remainder of the line as written (may hold blanks)
  std::vector<std::string> remaining();     // the remaining words
  // Text between delimiters, banner style (`banner motd ^C` ... `^C`); may take the following lines.
  std::string delimited_text(std::string_view what);
  void end();  // rejects trailing words

  [[noreturn]] void fail(std::string message) const { throw LineError{std::move(message)}; }

 private:
  std::string_view next_word(std::string_view what);

  const Line& line_;
  size_t pos_;
  LineCursor* more_;
};

// Reads "^C...^C" starting at line.text[from]; takes more lines from CURSOR until the closing delimiter.
std::string read_delimited(const Line& line, size_t from, LineCursor* cursor, std::string_view what);

}  // namespace ravpn::config::detail
