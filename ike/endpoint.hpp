// A UDP endpoint (address + port) on either side of an IKE exchange.
#pragma once
#include <charconv>
#include <compare>
#include <cstdint>
#include <string>
#include <vector>

#include "pool/ipv4.hpp"

namespace ravpn::ike {

struct Endpoint {
  Ipv4 address;
  uint16_t port = 500;
  std::string str() const {  // "192.0.2.5:500", one allocation
    std::string out;
    out.reserve(21);
    out += address.str();
    out += ':';
    char digits[6];
    out.append(digits, std::to_chars(digits, digits + sizeof digits, port).ptr);
    return out;
  }
  auto operator<=>(const Endpoint&) const = default;
};

constexpr uint16_t kIkePort = 500;
constexpr uint16_t kNattPort = 4500;  // RFC 3947 §4: IKE floats here after NAT detection

// One datagram in or out. Bytes are the ISAKMP message (the NAT-T non-ESP marker is the socket layer's business).
struct Datagram {
  Endpoint from;
  Endpoint to;
  std::vector<uint8_t> data;
};

}  // namespace ravpn::ike
