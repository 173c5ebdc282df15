// IPv4 address value types shared by the config model, pools and IKE identities.
#pragma once
#include <array>
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ravpn {

// An IPv4 address in host byte order.
struct Ipv4 {
  uint32_t value = 0;

  static std::optional<Ipv4> parse(std::string_view dotted);
  static Ipv4 from_bytes(const uint8_t* four) {
    return Ipv4{(uint32_t(four[0]) << 24) | (uint32_t(four[1]) << 16) | (uint32_t(four[2]) << 8) | four[3]};
  }
  std::array<uint8_t, 4> bytes() const {
    return {uint8_t(value >> 24), uint8_t(value >> 16), uint8_t(value >> 8), uint8_t(value)};
  }
  std::string str() const;
  auto operator<=>(const Ipv4&) const = default;
};

// A netmask must be contiguous ones; returns the prefix length or nullopt.
std::optional<int> mask_to_prefix(Ipv4 mask);
Ipv4 prefix_to_mask(int prefix);

// address/mask pair as Cisco writes it ("10.21.1.0 255.255.255.0"); also used for the wildcard 0.0.0.0 0.0.0.0.
struct Ipv4Net {
  Ipv4 address;
  Ipv4 mask;
  bool contains(Ipv4 a) const { return (a.value & mask.value) == (address.value & mask.value); }
  int prefix() const { return mask_to_prefix(mask).value_or(-1); }
  std::string str() const;  // "10.21.1.0/24"
  auto operator<=>(const Ipv4Net&) const = default;
};

// An inclusive range of addresses ("ip local pool NAME 10.2.1.1 10.2.1.254").
struct Ipv4Range {
  Ipv4 first;
  Ipv4 last;
  uint64_t size() const { return last.value >= first.value ? uint64_t(last.value) - first.value + 1 : 0; }
  bool contains(Ipv4 a) const { return a >= first && a <= last; }
  auto operator<=>(const Ipv4Range&) const = default;
};

}  // namespace ravpn
