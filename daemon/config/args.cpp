#include "daemon/config/args.hpp"

#include <algorithm>

namespace ravpn::config::detail {
namespace {

std::string quoted(std::string_view s) {
  std::string out = "'";
  out += s.substr(0, 40);
  if (s.size() > 40) out += "...";
  return out + "'";
}

std::string list(std::initializer_list<std::string_view> allowed) {
  std::string out;
  for (auto a : allowed) {
    if (!out.empty()) out += "|";
    out += a;
  }
  return out;
}

}  // namespace

std::string_view Args::peek(size_t ahead) const {
  size_t i = pos_ + ahead;
  return i < line_.words.size() ? std::string_view(line_.lower[i]) : std::string_view{};
}

bool Args::accept(std::string_view keyword) {
  if (done() || line_.lower[pos_] != keyword) return false;
  ++pos_;
  return true;
}

std::string_view Args::next_word(std::string_view what) {
  if (done()) fail("missing " + std::string(what));
  return line_.words[pos_++];
}

std::string Args::word(std::string_view what) { return std::string(next_word(what)); }

std::string Args::secret(std::string_view what) { return std::string(next_word(what)); }

std::string Args::keyword(std::string_view what, std::initializer_list<std::string_view> allowed) {
  if (done()) fail("missing " + std::string(what) + " (" + list(allowed) + ")");
  std::string k = line_.lower[pos_];
  if (std::find(allowed.begin(), allowed.end(), k) == allowed.end())
    fail("unknown " + std::string(what) + " " + quoted(line_.words[pos_]) + " (expected " + list(allowed) + ")");
  ++pos_;
  return k;
}

uint32_t Args::number(std::string_view what, uint32_t min, uint32_t max) {
  std::string_view w = next_word(what);
  uint64_t v = 0;
  bool ok = !w.empty() && w.size() <= 10;
  for (char c : w) {
    if (c < '0' || c > '9') ok = false;
    if (ok) v = v * 10 + uint64_t(c - '0');
  }
  if (!ok) fail("bad " + std::string(what) + " " + quoted(w) + ": not a number");
  if (v < min || v > max)
    fail("bad " + std::string(what) + " " + quoted(w) + ": not in " + std::to_string(min) + "-" +
         std::to_string(max));
  return uint32_t(v);
}

Ipv4 Args::address(std::string_view what) {
  std::string_view w = next_word(what);
  auto a = Ipv4::parse(w);
  if (!a) fail("bad " + std::string(what) + " " + quoted(w) + ": not an IPv4 address");
  return *a;
}

Ipv4 Args::netmask(std::string_view what) {
  std::string_view w = next_word(what);
  auto a = Ipv4::parse(w);
  if (!a) fail("bad " + std::string(what) + " " + quoted(w) + ": not an IPv4 netmask");
  if (!mask_to_prefix(*a)) fail("bad " + std::string(what) + " " + quoted(w) + ": ones are not contiguous");
  return *a;
}

std::string Args::rest(std::string_view what) {
  if (done()) fail("missing " + std::string(what));
  std::string out = line_.text.substr(line_.offsets[pos_]);
  pos_ = line_.words.size();
  return out;
}

std::vector<std::string> Args::remaining() {
  std::vector<std::string> out(line_.words.begin() + long(std::min(pos_, line_.words.size())), line_.words.end());
  pos_ = line_.words.size();
  return out;
}

std::string Args::delimited_text(std::string_view what) {
  if (done()) fail("missing " + std::string(what));
  size_t from = line_.offsets[pos_];
  pos_ = line_.words.size();
  return read_delimited(line_, from, more_, what);
}

void Args::end() {
  if (!done()) fail("unexpected " + quoted(line_.words[pos_]));
}

std::string read_delimited(const Line& line, size_t from, LineCursor* cursor, std::string_view what) {
  std::string_view first = std::string_view(line.text).substr(from);
  // A running-config prints the ETX delimiter as the two characters "^C"; typed configs use any character.
  std::string delimiter = first.starts_with("^C") ? "^C" : std::string(first.substr(0, 1));
  std::string_view body = first.substr(delimiter.size());
  if (auto close = body.find(delimiter); close != std::string_view::npos) return std::string(body.substr(0, close));
  std::vector<std::string> parts;
  if (!body.empty()) parts.emplace_back(body);
  while (cursor) {
    const Line* next = cursor->next();
    if (!next) break;
    auto close = next->text.find(delimiter);
    if (close == std::string::npos) {
      parts.push_back(next->text);
      continue;
    }
    if (close > 0) parts.push_back(next->text.substr(0, close));
    std::string text;
    for (const auto& p : parts) text += (text.empty() ? "" : "\n") + p;
    return text;
  }
  throw LineError{std::string(what) + ": no closing delimiter " + delimiter + " before the end of the file"};
}

}  // namespace ravpn::config::detail
