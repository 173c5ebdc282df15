// RFC 2408 §3.3 data attributes (TV when the AF bit is set, TLV otherwise), shared by SA transforms and the
// mode-config attribute payload.
#include <stdexcept>

#include "ike/wire/attributes.hpp"

namespace ravpn::ike {

namespace {
constexpr uint16_t kAttributeFormatBit = 0x8000;  // RFC 2408 §3.3 "AF"
}

std::optional<uint32_t> DataAttribute::as_u32() const {
  if (basic) return value;
  if (data.empty() || data.size() > 4) return std::nullopt;
  uint32_t v = 0;
  for (uint8_t b : data) v = v << 8 | b;
  return v;
}

DataAttribute DataAttribute::tv(uint16_t type, uint16_t value) {
  DataAttribute a;
  a.type = type;
  a.basic = true;
  a.value = value;
  return a;
}

DataAttribute DataAttribute::tlv(uint16_t type, Bytes data) {
  DataAttribute a;
  a.type = type;
  a.basic = false;
  a.data = std::move(data);
  return a;
}

DataAttribute DataAttribute::number(uint16_t type, uint32_t value) {
  if (value <= 0xffff) return tv(type, static_cast<uint16_t>(value));
  return tlv(type, Bytes{static_cast<uint8_t>(value >> 24), static_cast<uint8_t>(value >> 16),
                         static_cast<uint8_t>(value >> 8), static_cast<uint8_t>(value)});
}

// Reads attributes until the reader is exhausted; used with a sub-reader bounded to one transform/payload.
bool read_data_attributes(Reader& r, std::vector<DataAttribute>& out) {
  while (r.ok() && !r.done()) {
    uint16_t word = r.u16();
    DataAttribute a;
    a.type = word & ~kAttributeFormatBit;
    a.basic = (word & kAttributeFormatBit) != 0;
    if (a.basic) {
      a.value = r.u16();
    } else {
      uint16_t len = r.u16();
      if (r.ok() && len > r.left())
        return r.fail(r.what() + ": attribute " + std::to_string(a.type) + " length " + std::to_string(len) +
                      " exceeds " + std::to_string(r.left()) + " bytes left");
      ByteView v = r.bytes(len);
      a.data.assign(v.begin(), v.end());
    }
    if (r.ok()) out.push_back(std::move(a));
  }
  return r.ok();
}

void write_data_attributes(Writer& w, const std::vector<DataAttribute>& attributes) {
  for (const auto& a : attributes) {
    if (a.type & kAttributeFormatBit) throw std::invalid_argument("attribute type must not carry the AF bit");
    if (a.basic) {
      w.u16(a.type | kAttributeFormatBit);
      w.u16(a.value);
    } else {
      w.u16(a.type);
      w.u16(checked_u16(a.data.size(), "attribute length"));
      w.bytes(a.data);
    }
  }
}

Parsed<std::vector<DataAttribute>> parse_data_attributes(ByteView bytes) {
  Reader r(bytes, "attributes");
  std::vector<DataAttribute> out;
  if (!read_data_attributes(r, out)) return std::unexpected(r.error());
  return out;
}

Bytes serialize_data_attributes(const std::vector<DataAttribute>& attributes) {
  Writer w;
  write_data_attributes(w, attributes);
  return w.take();
}

}  // namespace ravpn::ike
