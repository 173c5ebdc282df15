#include "pool/ipv4.hpp"

#include <charconv>

namespace ravpn {

std::optional<Ipv4> Ipv4::parse(std::string_view s) {
  uint32_t out = 0;
  for (int i = 0; i < 4; ++i) {
    unsigned part = 0;
    auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), part);
    if (ec != std::errc{} || ptr == s.data() || part > 255 || ptr - s.data() > 3) return std::nullopt;
    out = (out << 8) | part;
    s.remove_prefix(size_t(ptr - s.data()));
    if (i < 3) {
      if (s.empty() || s.front() != '.') return std::nullopt;
      s.remove_prefix(1);
    }
  }
  if (!s.empty()) return std::nullopt;
  return Ipv4{out};
}

std::string Ipv4::str() const {
  // Written in place: at most 15 characters, which std::string keeps without an allocation (most log lines carry an
  // address, so this runs several times per message).
  char out[16];
  char* at = out;
  for (int shift = 24; shift >= 0; shift -= 8) {
    at = std::to_chars(at, out + sizeof out, (value >> shift) & 0xff).ptr;
    if (shift) *at++ = '.';
  }
  return std::string(out, at);
}

std::optional<int> mask_to_prefix(Ipv4 mask) {
  uint32_t inverted = ~mask.value;
  if ((inverted & (inverted + 1)) != 0) return std::nullopt;  // ones must be contiguous from the top
  int prefix = 0;
  for (uint32_t m = mask.value; m & 0x80000000u; m <<= 1) ++prefix;
  return prefix;
}

Ipv4 prefix_to_mask(int prefix) {
  if (prefix <= 0) return Ipv4{0};
  if (prefix >= 32) return Ipv4{0xffffffffu};
  return Ipv4{~((1u << (32 - prefix)) - 1)};
}

std::string Ipv4Net::str() const {
  auto p = mask_to_prefix(mask);
  return address.str() + "/" + (p ? std::to_string(*p) : mask.str());
}

}  // namespace ravpn
