// Vendor ID payloads ravpn recognises and answers (RFC 2408 §3.16).
#pragma once
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace ravpn::ike {

enum class NattVariant { None, Draft02, Draft03, Rfc3947 };

// What the peer announced with its vendor IDs.
struct PeerCapabilities {
  bool xauth = false;          // draft-beaulieu-ike-xauth-02 §3
  bool unity = false;          // Cisco Unity
  bool dpd = false;            // RFC 3706 §4
  bool cisco_fragmentation = false;
  NattVariant natt = NattVariant::None;  // the best NAT-T variant offered
  std::vector<std::string> other;        // unknown VIDs, hex (logged, not answered)

  std::string describe() const;  // "XAUTH, Cisco Unity, DPD, NAT-T (RFC 3947)"
};

void note_vendor_id(PeerCapabilities& caps, std::span<const uint8_t> vid);

// Our own vendor IDs.
std::vector<uint8_t> vid_xauth();
std::vector<uint8_t> vid_unity();
std::vector<uint8_t> vid_dpd();
std::vector<uint8_t> vid_natt(NattVariant);
std::vector<uint8_t> vid_cisco_fragmentation();  // with the 4 flag bytes 0x80000000

const char* name(NattVariant);
// RFC 3947 uses payload types 20/21 and encapsulation modes 3/4; the drafts use 130/131 and 61443/61444.
inline bool natt_is_draft(NattVariant v) { return v == NattVariant::Draft02 || v == NattVariant::Draft03; }

}  // namespace ravpn::ike
