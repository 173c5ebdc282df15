#include "daemon/config/type7.hpp"

#include <cstdint>

namespace ravpn::config::detail {
namespace {

constexpr std::string_view kXlat = "dsfd;kfoA,.iyewrkldJKDHSUBsgvca69834ncxv9873254k;fg87";

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::optional<std::string> decode_type7(std::string_view encoded) {
  if (encoded.size() < 2 || encoded.size() % 2 != 0) return std::nullopt;
  if (encoded[0] < '0' || encoded[0] > '9' || encoded[1] < '0' || encoded[1] > '9') return std::nullopt;
  size_t offset = size_t(encoded[0] - '0') * 10 + size_t(encoded[1] - '0');
  if (offset >= kXlat.size()) return std::nullopt;
  std::string plain;
  for (size_t i = 2; i < encoded.size(); i += 2) {
    int hi = hex_digit(encoded[i]), lo = hex_digit(encoded[i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    plain += char(uint8_t(hi * 16 + lo) ^ uint8_t(kXlat[offset++ % kXlat.size()]));
  }
  return plain;
}

std::string encode_type7(std::string_view plain, unsigned offset) {
  static constexpr char digits[] = "0123456789ABCDEF";
  offset %= unsigned(kXlat.size());
  std::string out = {char('0' + offset / 10), char('0' + offset % 10)};
  size_t at = offset;
  for (char c : plain) {
    uint8_t b = uint8_t(c) ^ uint8_t(kXlat[at++ % kXlat.size()]);
    out += digits[b >> 4];
    out += digits[b & 15];
  }
  return out;
}

}  // namespace ravpn::config::detail
