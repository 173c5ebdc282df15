// Realistic IKEv1 messages shared by the wire unit tests and emit_pcap (the tshark cross-check).
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "ike/wire/message.hpp"

namespace ravpn::ike::samples {

Bytes hex(std::string_view text);           // "0a 0b0c" -> {0x0a, 0x0b, 0x0c}; spaces ignored
Bytes seq(size_t n, uint8_t first);          // first, first+1, ... (wrapping): filler for KE/nonce/hash
Bytes text(std::string_view s);

Cookie initiator_cookie();
Cookie responder_cookie();

// vpnc / Cisco VPN Client 4.x aggressive mode message 1: SA (3 transforms, Xauth PSK 65001, TLV lifetime),
// KE (group 2), NONCE, ID KEY_ID "vpn3000", 5 vendor IDs.
std::vector<PayloadBody> aggressive1_payloads();
Header aggressive1_header();
// The same message written out by hand from RFC 2408 §3 (independent of the serialiser).
Bytes aggressive1_bytes();

struct Sample {
  std::string name;
  Bytes bytes;
};
// main mode 1, aggressive mode 1/2/3 (3 with draft NAT-D 130), informational NO-PROPOSAL-CHOSEN,
// transaction (Xauth request), informational DELETE + DPD R-U-THERE.
std::vector<Sample> all_samples();
// More payload types for the fuzz seed corpus (not in the pcap): quick mode with NAT-OA, CERT/CERTREQ/SIG,
// an encrypted-flag message whose body ends in padding.
std::vector<Sample> extra_fuzz_seeds();

}  // namespace ravpn::ike::samples
