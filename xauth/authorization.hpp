// What an AAA server said about a user beyond "accept" (RFC 2865 Access-Accept attributes): the address to give,
// limits that override the group's, and what accounting must echo. Carried from the backend to the session.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "pool/ipv4.hpp"

namespace ravpn::xauth {

struct Authorization {
  // RFC 2865 5.8 Framed-IP-Address: this address for the client. 255.255.255.255 ("the user may choose": a VPN
  // client cannot) and 255.255.255.254 ("the NAS chooses") both mean the pool; see fixed_address().
  std::optional<Ipv4> framed_address;
  std::optional<uint32_t> session_timeout;   // RFC 2865 5.27: seconds; overrides the group's max-time
  std::optional<uint32_t> idle_timeout;      // RFC 2865 5.28: seconds; overrides the group's idle-time
  std::optional<uint32_t> interim_interval;  // RFC 2869 5.16 Acct-Interim-Interval: seconds between updates
  std::vector<std::string> classes;          // RFC 2865 5.25 Class: opaque, echoed in every accounting record
  std::string reply_message;                 // escaped (peer_text) Reply-Message, shown to the user if possible
  std::string answered_by;                   // the server that accepted: "RADIUS 10.1.1.1:1645", "local"
  bool operator==(const Authorization&) const = default;

  // The address the server fixed, or nullopt when the pool chooses.
  std::optional<Ipv4> fixed_address() const {
    if (!framed_address || framed_address->value >= 0xfffffffe || framed_address->value == 0) return std::nullopt;
    return framed_address;
  }
};

}  // namespace ravpn::xauth
