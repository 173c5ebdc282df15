// 32-bit values in network byte order as IKE carries them in payload data (SPIs, DPD sequence numbers).
#pragma once
#include <cstdint>

#include "ike/wire/payloads.hpp"

namespace ravpn::ike {

inline Bytes be32_bytes(uint32_t v) { return {uint8_t(v >> 24), uint8_t(v >> 16), uint8_t(v >> 8), uint8_t(v)}; }

// The first four bytes of `b` (the caller checked there are four).
inline uint32_t be32_of(ByteView b) {
  return uint32_t(b[0]) << 24 | uint32_t(b[1]) << 16 | uint32_t(b[2]) << 8 | uint32_t(b[3]);
}

}  // namespace ravpn::ike
