#include "ike/vendor_ids.hpp"

#include <algorithm>
#include <array>

namespace ravpn::ike {
namespace {

std::vector<uint8_t> from_hex(std::string_view hex) {
  std::vector<uint8_t> out;
  auto nibble = [](char c) { return uint8_t(c <= '9' ? c - '0' : c - 'a' + 10); };
  for (size_t i = 0; i + 1 < hex.size(); i += 2) out.push_back(uint8_t(nibble(hex[i]) << 4 | nibble(hex[i + 1])));
  return out;
}

std::string to_hex(std::span<const uint8_t> b) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string s;
  for (auto x : b) {
    s += digits[x >> 4];
    s += digits[x & 15];
  }
  return s;
}

bool starts_with(std::span<const uint8_t> vid, const std::vector<uint8_t>& prefix) {
  return vid.size() >= prefix.size() && std::equal(prefix.begin(), prefix.end(), vid.begin());
}
bool equals(std::span<const uint8_t> vid, const std::vector<uint8_t>& v) {
  return vid.size() == v.size() && std::equal(v.begin(), v.end(), vid.begin());
}

// Published values: MD5 of the names, as the drafts and RFC 3706 / RFC 3947 define them.
const std::vector<uint8_t>& xauth() { static const auto v = from_hex("09002689dfd6b712"); return v; }
const std::vector<uint8_t>& unity() { static const auto v = from_hex("12f5f28c457168a9702d9fe274cc0100"); return v; }
const std::vector<uint8_t>& dpd() { static const auto v = from_hex("afcad71368a1f1c96b8696fc77570100"); return v; }
// Cisco's fragmentation VID carries 4 bytes of flags after this prefix.
const std::vector<uint8_t>& cisco_frag() { static const auto v = from_hex("4048b7d56ebce88525e7de7f00d6c2d3"); return v; }
const std::vector<uint8_t>& natt_rfc() { static const auto v = from_hex("4a131c81070358455c5728f20e95452f"); return v; }
const std::vector<uint8_t>& natt_draft02() { static const auto v = from_hex("cd60464335df21f87cfdb2fc68b6a448"); return v; }
const std::vector<uint8_t>& natt_draft02n() { static const auto v = from_hex("90cb80913ebb696e086381b5ec427b1f"); return v; }
const std::vector<uint8_t>& natt_draft03() { static const auto v = from_hex("7d9419a65310ca6f2c179d9215529d56"); return v; }

}  // namespace

void note_vendor_id(PeerCapabilities& caps, std::span<const uint8_t> vid) {
  auto offer = [&](NattVariant v) { caps.natt = std::max(caps.natt, v); };
  if (equals(vid, xauth())) caps.xauth = true;
  else if (equals(vid, unity())) caps.unity = true;
  else if (equals(vid, dpd())) caps.dpd = true;
  else if (starts_with(vid, cisco_frag())) caps.cisco_fragmentation = true;
  else if (equals(vid, natt_rfc())) offer(NattVariant::Rfc3947);
  else if (equals(vid, natt_draft03())) offer(NattVariant::Draft03);
  else if (equals(vid, natt_draft02()) || equals(vid, natt_draft02n())) offer(NattVariant::Draft02);
  else caps.other.push_back(to_hex(vid));
}

std::string PeerCapabilities::describe() const {
  std::string s;
  auto add = [&](const std::string& x) { s += (s.empty() ? "" : ", ") + x; };
  if (xauth) add("XAUTH");
  if (unity) add("Cisco Unity");
  if (dpd) add("DPD");
  if (natt != NattVariant::None) add(std::string("NAT-T (") + name(natt) + ")");
  if (cisco_fragmentation) add("Cisco fragmentation");
  if (!other.empty()) add(std::to_string(other.size()) + " unknown");
  return s.empty() ? "nothing" : s;
}

std::vector<uint8_t> vid_xauth() { return xauth(); }
std::vector<uint8_t> vid_unity() { return unity(); }
std::vector<uint8_t> vid_dpd() { return dpd(); }
std::vector<uint8_t> vid_cisco_fragmentation() {
  auto v = cisco_frag();
  v.insert(v.end(), {0x80, 0x00, 0x00, 0x00});
  return v;
}
std::vector<uint8_t> vid_natt(NattVariant v) {
  switch (v) {
    case NattVariant::Rfc3947: return natt_rfc();
    case NattVariant::Draft03: return natt_draft03();
    case NattVariant::Draft02: return natt_draft02n();
    case NattVariant::None: break;
  }
  return {};
}

const char* name(NattVariant v) {
  switch (v) {
    case NattVariant::Rfc3947: return "RFC 3947";
    case NattVariant::Draft03: return "draft-03";
    case NattVariant::Draft02: return "draft-02";
    case NattVariant::None: return "none";
  }
  return "?";
}

}  // namespace ravpn::ike
