// RADIUS attribute writing and walking (RFC 2865 5: type, length, value; length covers the two header octets),
// shared by the authentication and accounting packets.
#pragma once
#include <cstdint>
#include <expected>
#include <span>
#include <string>
#include <string_view>

#include <botan/secmem.h>

namespace ravpn::xauth::radius {

inline std::span<const uint8_t> as_bytes(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

inline void put_attribute(Botan::secure_vector<uint8_t>& out, uint8_t type, std::span<const uint8_t> value) {
  out.push_back(type);
  out.push_back(uint8_t(2 + value.size()));
  out.insert(out.end(), value.begin(), value.end());
}

inline void put_string(Botan::secure_vector<uint8_t>& out, uint8_t type, std::string_view value) {
  put_attribute(out, type, as_bytes(value));
}

inline void put_u32(Botan::secure_vector<uint8_t>& out, uint8_t type, uint32_t value) {
  const uint8_t be[4] = {uint8_t(value >> 24), uint8_t(value >> 16), uint8_t(value >> 8), uint8_t(value)};
  put_attribute(out, type, be);
}

// A 4-octet value (integer, address, time); nullopt for any other length (RFC 2865 5: malformed, ignored).
inline std::optional<uint32_t> u32_value(std::span<const uint8_t> v) {
  if (v.size() != 4) return std::nullopt;
  return uint32_t(v[0]) << 24 | uint32_t(v[1]) << 16 | uint32_t(v[2]) << 8 | v[3];
}

// Calls visit(type, value, offset of the value) for each attribute of packet[20, length); an error when one
// overruns the packet or has a length under 2.
template <class Visit>
std::expected<void, std::string> walk_attributes(std::span<const uint8_t> packet, size_t header, Visit&& visit) {
  for (size_t at = header; at < packet.size();) {
    if (packet.size() - at < 2 || packet[at + 1] < 2 || packet[at + 1] > packet.size() - at)
      return std::unexpected("attributes overrun the packet");
    const uint8_t type = packet[at], len = packet[at + 1];
    if (auto r = visit(type, packet.subspan(at + 2, len - 2), at + 2); !r) return r;
    at += len;
  }
  return {};
}

}  // namespace ravpn::xauth::radius
