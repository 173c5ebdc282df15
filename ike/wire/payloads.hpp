// ISAKMP payload structs and their parse/serialise pairs (RFC 2408 §3).
// Every parse function reads exactly one payload *body* (the bytes after the 4-byte generic header) and must
// consume all of it; a serialise function writes the body only. The generic header (next payload, reserved,
// length) is written by serialize_payloads() in message.hpp.
#pragma once
#include <array>
#include <cstdint>
#include <expected>
#include <optional>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include "ike/wire/constants.hpp"

namespace ravpn::ike {

using Bytes = std::vector<uint8_t>;
using ByteView = std::span<const uint8_t>;

// Why a parse failed. `notify` is the RFC 2408 §3.14.1 code to answer with (PAYLOAD-MALFORMED unless stated).
struct ParseError {
  uint16_t notify = notify::PayloadMalformed;
  std::string what;  // short text for the log, e.g. "SA: proposal length 40 exceeds 12 bytes left"
};
template <class T>
using Parsed = std::expected<T, ParseError>;

// Strong types (style.md: no implicit conversions between cookies, SPIs and message IDs).
struct Cookie {
  std::array<uint8_t, 8> bytes{};
  bool is_zero() const;
  std::string hex() const;
  auto operator<=>(const Cookie&) const = default;
};
struct MessageId {
  uint32_t value = 0;
  auto operator<=>(const MessageId&) const = default;
};

// RFC 2408 §3.3 data attribute: AF=1 is TV (16-bit value), AF=0 is TLV (variable bytes).
struct DataAttribute {
  uint16_t type = 0;          // without the AF bit
  bool basic = true;          // TV form
  uint16_t value = 0;         // when basic
  Bytes data;                 // when !basic
  // Numeric value of either form (TLV up to 4 bytes big-endian, e.g. a long life duration); nullopt otherwise.
  std::optional<uint32_t> as_u32() const;
  static DataAttribute tv(uint16_t type, uint16_t value);
  static DataAttribute tlv(uint16_t type, Bytes data);
  // Smallest encoding of a number: TV when it fits 16 bits, else TLV of 4 bytes.
  static DataAttribute number(uint16_t type, uint32_t value);
  bool operator==(const DataAttribute&) const = default;
};

struct Transform {  // RFC 2408 §3.6
  uint8_t number = 0;
  uint8_t id = 0;  // KEY_IKE = 1 in phase 1; ESP transform ID in phase 2
  std::vector<DataAttribute> attributes;
  const DataAttribute* find(uint16_t type) const;
  bool operator==(const Transform&) const = default;
};

struct Proposal {  // RFC 2408 §3.5
  uint8_t number = 0;
  ProtocolId protocol = ProtocolId::Isakmp;
  Bytes spi;
  std::vector<Transform> transforms;
  bool operator==(const Proposal&) const = default;
};

struct SaPayload {  // RFC 2408 §3.4, RFC 2407 §4.6.1 (DOI 1, situation SIT_IDENTITY_ONLY)
  uint32_t doi = kDoiIpsec;
  uint32_t situation = kSituationIdentityOnly;
  std::vector<Proposal> proposals;
  bool operator==(const SaPayload&) const = default;
};

struct KePayload { Bytes data; bool operator==(const KePayload&) const = default; };
struct HashPayload { Bytes data; bool operator==(const HashPayload&) const = default; };
struct SignaturePayload { Bytes data; bool operator==(const SignaturePayload&) const = default; };
struct NoncePayload { Bytes data; bool operator==(const NoncePayload&) const = default; };
struct VendorIdPayload { Bytes data; bool operator==(const VendorIdPayload&) const = default; };
struct NatDPayload { Bytes hash; bool operator==(const NatDPayload&) const = default; };

struct IdPayload {  // RFC 2407 §4.6.2
  uint8_t type = id_type::Ipv4Addr;
  uint8_t protocol = 0;
  uint16_t port = 0;
  Bytes data;
  bool operator==(const IdPayload&) const = default;
};

struct NotifyPayload {  // RFC 2408 §3.14
  uint32_t doi = kDoiIpsec;
  ProtocolId protocol = ProtocolId::Isakmp;
  uint16_t type = 0;
  Bytes spi;
  Bytes data;
  bool operator==(const NotifyPayload&) const = default;
};

struct DeletePayload {  // RFC 2408 §3.15
  uint32_t doi = kDoiIpsec;
  ProtocolId protocol = ProtocolId::Isakmp;
  uint8_t spi_size = 16;
  std::vector<Bytes> spis;  // each spi_size bytes
  bool operator==(const DeletePayload&) const = default;
};

struct AttributePayload {  // draft-dukes-ike-mode-cfg-02 §3.2 (payload 14)
  uint8_t type = cfg_type::Request;
  uint16_t identifier = 0;
  std::vector<DataAttribute> attributes;
  const DataAttribute* find(uint16_t type) const;
  bool operator==(const AttributePayload&) const = default;
};

struct NatOaPayload {  // RFC 3947 §5.2
  uint8_t id_type = id_type::Ipv4Addr;
  Bytes address;
  bool operator==(const NatOaPayload&) const = default;
};

// A payload type ravpn does not interpret (CERT, CERTREQ): kept as opaque bytes.
struct OpaquePayload {
  Bytes data;
  PayloadType type = PayloadType::Cert;  // added: Cert or CertReq, so payload_type_of() can tell them apart
  bool operator==(const OpaquePayload&) const = default;
};

using PayloadBody = std::variant<SaPayload, KePayload, IdPayload, HashPayload, SignaturePayload, NoncePayload,
                                 NotifyPayload, DeletePayload, VendorIdPayload, AttributePayload, NatDPayload,
                                 NatOaPayload, OpaquePayload>;

// Parse one payload body of the given type. Unknown types give INVALID-PAYLOAD-TYPE.
Parsed<PayloadBody> parse_payload_body(PayloadType type, ByteView body);
// Serialise a body (no generic header).
Bytes serialize_payload_body(const PayloadBody& body);
// The payload type a body serialises as. NAT-D / NAT-OA use `natt_draft` to pick 130/131 instead of 20/21.
PayloadType payload_type_of(const PayloadBody& body, bool natt_draft = false);

// Individual pairs (also used by tests and by code that needs one body's exact bytes).
Parsed<SaPayload> parse_sa(ByteView body);
Bytes serialize_sa(const SaPayload&);
Parsed<IdPayload> parse_id(ByteView body);
Bytes serialize_id(const IdPayload&);
Parsed<NotifyPayload> parse_notify(ByteView body);
Bytes serialize_notify(const NotifyPayload&);
Parsed<DeletePayload> parse_delete(ByteView body);
Bytes serialize_delete(const DeletePayload&);
Parsed<AttributePayload> parse_attribute_payload(ByteView body);
Bytes serialize_attribute_payload(const AttributePayload&);
Parsed<std::vector<DataAttribute>> parse_data_attributes(ByteView bytes);
Bytes serialize_data_attributes(const std::vector<DataAttribute>&);

}  // namespace ravpn::ike
