// Parse/serialise pairs for the payloads other than SA (RFC 2408 §3.7-3.15, RFC 2407 §4.6.2, RFC 3947,
// draft-dukes-ike-mode-cfg-02), the strong types, and the dispatch over PayloadBody.
#include <cstdio>
#include <stdexcept>

#include "ike/wire/attributes.hpp"

namespace ravpn::ike {

bool Cookie::is_zero() const {
  for (uint8_t b : bytes)
    if (b != 0) return false;
  return true;
}

std::string Cookie::hex() const {
  std::string s;
  char buf[3];
  for (uint8_t b : bytes) {
    std::snprintf(buf, sizeof buf, "%02x", b);
    s += buf;
  }
  return s;
}

namespace {

template <class T>
Parsed<T> result(Reader& r, T value) {
  if (r.ok()) r.expect_done();
  if (!r.ok()) return std::unexpected(r.error());
  return value;
}

Bytes copy(ByteView v) { return Bytes(v.begin(), v.end()); }

// Payloads whose body is one opaque blob that must not be empty (KE RFC 2408 §3.7, HASH §3.11, SIG §3.12,
// VID §3.16, NAT-D RFC 3947 §3.2).
Parsed<Bytes> blob(ByteView body, const char* what) {
  if (body.empty()) return std::unexpected(ParseError{notify::PayloadMalformed, std::string(what) + ": empty"});
  return copy(body);
}

// Fixed address sizes of RFC 2407 §4.6.2.1 ID types; 0 for variable-length types.
size_t id_data_size(uint8_t type) {
  switch (type) {
    case id_type::Ipv4Addr: return 4;
    case id_type::Ipv4AddrSubnet: case id_type::Ipv4AddrRange: return 8;
    case id_type::Ipv6Addr: return 16;
    case id_type::Ipv6AddrSubnet: case id_type::Ipv6AddrRange: return 32;
    default: return 0;
  }
}

}  // namespace

Parsed<IdPayload> parse_id(ByteView body) {  // RFC 2407 §4.6.2
  Reader r(body, "ID");
  IdPayload id;
  id.type = r.u8();
  id.protocol = r.u8();
  id.port = r.u16();
  id.data = copy(r.rest());
  if (!r.ok()) return std::unexpected(r.error());
  size_t want = id_data_size(id.type);
  if ((want != 0 && id.data.size() != want) || (want == 0 && id.data.empty()))
    return std::unexpected(ParseError{notify::InvalidIdInformation, "ID: type " + std::to_string(id.type) +
                                                                        " with " + std::to_string(id.data.size()) +
                                                                        " bytes of data"});
  return id;
}

Bytes serialize_id(const IdPayload& id) {
  Writer w;
  w.u8(id.type);
  w.u8(id.protocol);
  w.u16(id.port);
  w.bytes(id.data);
  return w.take();
}

Parsed<NotifyPayload> parse_notify(ByteView body) {  // RFC 2408 §3.14
  Reader r(body, "NOTIFY");
  NotifyPayload n;
  n.doi = r.u32();
  n.protocol = static_cast<ProtocolId>(r.u8());
  uint8_t spi_size = r.u8();
  n.type = r.u16();
  n.spi = copy(r.bytes(spi_size));
  n.data = copy(r.rest());
  return result(r, std::move(n));
}

Bytes serialize_notify(const NotifyPayload& n) {
  Writer w;
  w.u32(n.doi);
  w.u8(static_cast<uint8_t>(n.protocol));
  w.u8(checked_u8(n.spi.size(), "NOTIFY SPI size"));
  w.u16(n.type);
  w.bytes(n.spi);
  w.bytes(n.data);
  return w.take();
}

Parsed<DeletePayload> parse_delete(ByteView body) {  // RFC 2408 §3.15
  Reader r(body, "DELETE");
  DeletePayload d;
  d.doi = r.u32();
  d.protocol = static_cast<ProtocolId>(r.u8());
  d.spi_size = r.u8();
  uint16_t count = r.u16();
  if (r.ok() && d.spi_size == 0) r.fail("DELETE: SPI size 0");
  if (r.ok() && size_t{count} * d.spi_size != r.left())
    r.fail("DELETE: " + std::to_string(count) + " SPIs of " + std::to_string(d.spi_size) + " bytes in " +
           std::to_string(r.left()) + " bytes");
  for (unsigned i = 0; i < count && r.ok(); ++i) d.spis.push_back(copy(r.bytes(d.spi_size)));
  return result(r, std::move(d));
}

Bytes serialize_delete(const DeletePayload& d) {
  Writer w;
  w.u32(d.doi);
  w.u8(static_cast<uint8_t>(d.protocol));
  w.u8(d.spi_size);
  w.u16(checked_u16(d.spis.size(), "number of SPIs"));
  for (const Bytes& spi : d.spis) {
    if (spi.size() != d.spi_size) throw std::length_error("DELETE: SPI size differs from spi_size");
    w.bytes(spi);
  }
  return w.take();
}

Parsed<AttributePayload> parse_attribute_payload(ByteView body) {  // draft-dukes-ike-mode-cfg-02 §3.2
  Reader r(body, "ATTR");
  AttributePayload a;
  a.type = r.u8();
  uint8_t reserved = r.u8();
  a.identifier = r.u16();
  if (r.ok() && reserved != 0) r.fail("ATTR: RESERVED is not zero");
  if (r.ok()) read_data_attributes(r, a.attributes);
  return result(r, std::move(a));
}

Bytes serialize_attribute_payload(const AttributePayload& a) {
  Writer w;
  w.u8(a.type);
  w.u8(0);
  w.u16(a.identifier);
  write_data_attributes(w, a.attributes);
  return w.take();
}

const DataAttribute* AttributePayload::find(uint16_t type) const {
  for (const auto& a : attributes)
    if (a.type == type) return &a;
  return nullptr;
}

namespace {

Parsed<NatOaPayload> parse_nat_oa(ByteView body) {  // RFC 3947 §5.2: ID type, 3 RESERVED bytes, address
  Reader r(body, "NAT-OA");
  NatOaPayload oa;
  oa.id_type = r.u8();
  uint8_t reserved = r.u8();
  uint16_t reserved2 = r.u16();
  oa.address = copy(r.rest());
  if (r.ok() && (reserved != 0 || reserved2 != 0)) r.fail("NAT-OA: RESERVED is not zero");
  if (r.ok() && !((oa.id_type == id_type::Ipv4Addr && oa.address.size() == 4) ||
                  (oa.id_type == id_type::Ipv6Addr && oa.address.size() == 16)))
    r.fail("NAT-OA: ID type " + std::to_string(oa.id_type) + " with " + std::to_string(oa.address.size()) +
           " bytes");
  return result(r, std::move(oa));
}

Bytes serialize_nat_oa(const NatOaPayload& oa) {
  Writer w;
  w.u8(oa.id_type);
  w.u8(0);
  w.u16(0);
  w.bytes(oa.address);
  return w.take();
}

Parsed<NoncePayload> parse_nonce(ByteView body) {
  // RFC 2409 §5: "The length of nonce payload MUST be between 8 and 256 bytes inclusive."
  if (body.size() < 8 || body.size() > 256)
    return std::unexpected(ParseError{notify::PayloadMalformed, "NONCE: " + std::to_string(body.size()) + " bytes"});
  return NoncePayload{copy(body)};
}

template <class T>
Parsed<PayloadBody> wrap(Parsed<T> p) {
  if (!p) return std::unexpected(std::move(p.error()));
  return PayloadBody{std::move(*p)};
}

template <class T>
Parsed<PayloadBody> wrap_blob(ByteView body, const char* what) {
  auto b = blob(body, what);
  if (!b) return std::unexpected(std::move(b.error()));
  return PayloadBody{T{std::move(*b)}};
}

}  // namespace

Parsed<PayloadBody> parse_payload_body(PayloadType type, ByteView body) {
  switch (type) {
    case PayloadType::SA: return wrap(parse_sa(body));
    case PayloadType::KE: return wrap_blob<KePayload>(body, "KE");
    case PayloadType::ID: return wrap(parse_id(body));
    case PayloadType::Cert:
    case PayloadType::CertReq:  // RFC 2408 §3.9/§3.10: encoding byte + data, kept opaque
      if (body.empty()) return std::unexpected(ParseError{notify::PayloadMalformed, "CERT/CERTREQ: empty"});
      return PayloadBody{OpaquePayload{copy(body), type}};
    case PayloadType::Hash: return wrap_blob<HashPayload>(body, "HASH");
    case PayloadType::Signature: return wrap_blob<SignaturePayload>(body, "SIG");
    case PayloadType::Nonce: return wrap(parse_nonce(body));
    case PayloadType::Notify: return wrap(parse_notify(body));
    case PayloadType::Delete: return wrap(parse_delete(body));
    case PayloadType::VendorId: return wrap_blob<VendorIdPayload>(body, "VID");
    case PayloadType::Attribute: return wrap(parse_attribute_payload(body));
    case PayloadType::NatD:
    case PayloadType::NatDDraft: return wrap_blob<NatDPayload>(body, "NAT-D");
    case PayloadType::NatOA:
    case PayloadType::NatOADraft: return wrap(parse_nat_oa(body));
    case PayloadType::None:
    case PayloadType::Proposal:
    case PayloadType::Transform: break;  // only inside an SA (RFC 2408 §3.5)
  }
  return std::unexpected(ParseError{notify::InvalidPayloadType,
                                    "payload type " + std::to_string(static_cast<unsigned>(type))});
}

namespace {
struct BodyWriter {
  Bytes operator()(const SaPayload& p) const { return serialize_sa(p); }
  Bytes operator()(const KePayload& p) const { return p.data; }
  Bytes operator()(const IdPayload& p) const { return serialize_id(p); }
  Bytes operator()(const HashPayload& p) const { return p.data; }
  Bytes operator()(const SignaturePayload& p) const { return p.data; }
  Bytes operator()(const NoncePayload& p) const { return p.data; }
  Bytes operator()(const NotifyPayload& p) const { return serialize_notify(p); }
  Bytes operator()(const DeletePayload& p) const { return serialize_delete(p); }
  Bytes operator()(const VendorIdPayload& p) const { return p.data; }
  Bytes operator()(const AttributePayload& p) const { return serialize_attribute_payload(p); }
  Bytes operator()(const NatDPayload& p) const { return p.hash; }
  Bytes operator()(const NatOaPayload& p) const { return serialize_nat_oa(p); }
  Bytes operator()(const OpaquePayload& p) const { return p.data; }
};

struct TypeOf {
  bool natt_draft;
  PayloadType operator()(const SaPayload&) const { return PayloadType::SA; }
  PayloadType operator()(const KePayload&) const { return PayloadType::KE; }
  PayloadType operator()(const IdPayload&) const { return PayloadType::ID; }
  PayloadType operator()(const HashPayload&) const { return PayloadType::Hash; }
  PayloadType operator()(const SignaturePayload&) const { return PayloadType::Signature; }
  PayloadType operator()(const NoncePayload&) const { return PayloadType::Nonce; }
  PayloadType operator()(const NotifyPayload&) const { return PayloadType::Notify; }
  PayloadType operator()(const DeletePayload&) const { return PayloadType::Delete; }
  PayloadType operator()(const VendorIdPayload&) const { return PayloadType::VendorId; }
  PayloadType operator()(const AttributePayload&) const { return PayloadType::Attribute; }
  PayloadType operator()(const NatDPayload&) const { return natt_draft ? PayloadType::NatDDraft : PayloadType::NatD; }
  PayloadType operator()(const NatOaPayload&) const {
    return natt_draft ? PayloadType::NatOADraft : PayloadType::NatOA;
  }
  PayloadType operator()(const OpaquePayload& p) const { return p.type; }
};
}  // namespace

Bytes serialize_payload_body(const PayloadBody& body) { return std::visit(BodyWriter{}, body); }

PayloadType payload_type_of(const PayloadBody& body, bool natt_draft) { return std::visit(TypeOf{natt_draft}, body); }

}  // namespace ravpn::ike
