// ISAKMP header (RFC 2408 §3.1) and the generic payload chain (§3.2), with the RFC 2408 §5.1 header checks.
#include "ike/wire/message.hpp"

#include "ike/wire/reader.hpp"

namespace ravpn::ike {

namespace {
constexpr uint8_t kDefinedFlags = flags::Encryption | flags::Commit | flags::AuthenticationOnly;
constexpr size_t kMaxPayloads = 64;

Parsed<Header> fail(uint16_t code, std::string text) { return std::unexpected(ParseError{code, std::move(text)}); }

// Types that may appear in the chain (RFC 2408 §3.1; proposal/transform only inside an SA, §3.5).
bool chain_type_known(PayloadType t) {
  switch (t) {
    case PayloadType::None: case PayloadType::Proposal: case PayloadType::Transform: return false;
    case PayloadType::SA: case PayloadType::KE: case PayloadType::ID: case PayloadType::Cert:
    case PayloadType::CertReq: case PayloadType::Hash: case PayloadType::Signature: case PayloadType::Nonce:
    case PayloadType::Notify: case PayloadType::Delete: case PayloadType::VendorId: case PayloadType::Attribute:
    case PayloadType::NatD: case PayloadType::NatOA: case PayloadType::NatDDraft: case PayloadType::NatOADraft:
      return true;
  }
  return false;
}

Cookie read_cookie(Reader& r) {
  Cookie c;
  ByteView b = r.bytes(c.bytes.size());
  for (size_t i = 0; i < b.size(); ++i) c.bytes[i] = b[i];
  return c;
}
}  // namespace

Parsed<Header> parse_header(ByteView datagram) {
  Reader r(datagram, "header");
  Header h;
  h.initiator_cookie = read_cookie(r);
  h.responder_cookie = read_cookie(r);
  h.next_payload = static_cast<PayloadType>(r.u8());
  h.version = r.u8();
  h.exchange = static_cast<ExchangeType>(r.u8());
  h.flags = r.u8();
  h.message_id = MessageId{r.u32()};
  h.length = r.u32();
  if (!r.ok()) return fail(notify::PayloadMalformed, "header: " + std::to_string(datagram.size()) + " bytes");
  // RFC 2408 §5.1: major version above ours is INVALID-MAJOR-VERSION; only version 1 exists for IKEv1.
  if (h.version >> 4 != kIsakmpVersion >> 4)
    return fail(notify::InvalidMajorVersion, "header: major version " + std::to_string(h.version >> 4));
  if (h.flags & ~kDefinedFlags) return fail(notify::InvalidFlags, "header: flags " + std::to_string(h.flags));
  if (h.length < kHeaderSize || h.length > datagram.size())
    return fail(notify::PayloadMalformed, "header: length " + std::to_string(h.length) + " in a " +
                                              std::to_string(datagram.size()) + "-byte datagram");
  if (h.length < datagram.size())
    return fail(notify::UnequalPayloadLengths, "header: length " + std::to_string(h.length) + " in a " +
                                                   std::to_string(datagram.size()) + "-byte datagram");
  return h;
}

Bytes serialize_header(const Header& h) {
  Writer w;
  w.bytes(h.initiator_cookie.bytes);
  w.bytes(h.responder_cookie.bytes);
  w.u8(static_cast<uint8_t>(h.next_payload));
  w.u8(h.version);
  w.u8(static_cast<uint8_t>(h.exchange));
  w.u8(h.flags);
  w.u32(h.message_id.value);
  w.u32(h.length);
  return w.take();
}

ByteView PayloadChain::raw(const PayloadEntry& e) const {
  if (e.offset > bytes.size() || e.length > bytes.size() - e.offset) return {};
  return ByteView(bytes).subspan(e.offset, e.length);
}

ByteView PayloadChain::body(const PayloadEntry& e) const {
  ByteView r = raw(e);
  return r.size() < kGenericHeaderSize ? ByteView{} : r.subspan(kGenericHeaderSize);
}

const PayloadEntry* PayloadChain::first(PayloadType t) const {
  for (const auto& p : payloads)
    if (p.type == t) return &p;
  return nullptr;
}

std::vector<const PayloadEntry*> PayloadChain::all(PayloadType t) const {
  std::vector<const PayloadEntry*> out;
  for (const auto& p : payloads)
    if (p.type == t) out.push_back(&p);
  return out;
}

Parsed<PayloadChain> parse_payload_chain(PayloadType first, Bytes bytes, bool allow_padding) {
  PayloadChain chain;
  chain.bytes = std::move(bytes);
  Reader r(chain.bytes, "payload chain");
  PayloadType type = first;
  while (type != PayloadType::None) {
    std::string name = "payload " + std::to_string(chain.payloads.size() + 1) + " (type " +
                       std::to_string(static_cast<unsigned>(type)) + ")";
    if (chain.payloads.size() == kMaxPayloads)
      return std::unexpected(ParseError{notify::PayloadMalformed, "more than 64 payloads"});
    // RFC 2408 §5.1: an unknown next payload is INVALID-PAYLOAD-TYPE, whatever its length says.
    if (!chain_type_known(type))
      return std::unexpected(ParseError{notify::InvalidPayloadType, name + ": unknown or misplaced payload type"});
    size_t offset = r.offset();
    if (r.left() < kGenericHeaderSize)
      return std::unexpected(ParseError{notify::PayloadMalformed, name + ": generic header does not fit"});
    uint8_t next = r.u8();
    uint8_t reserved = r.u8();
    uint16_t length = r.u16();
    // RFC 2408 §3.2: RESERVED "MUST be set to 0"; the length covers the generic header.
    if (reserved != 0) return std::unexpected(ParseError{notify::PayloadMalformed, name + ": RESERVED not zero"});
    if (length < kGenericHeaderSize || length - kGenericHeaderSize > r.left())
      return std::unexpected(ParseError{notify::PayloadMalformed,
                                        name + ": length " + std::to_string(length) + " with " +
                                            std::to_string(r.left() + kGenericHeaderSize) + " bytes left"});
    auto body = parse_payload_body(type, r.bytes(length - kGenericHeaderSize));
    if (!body) {
      body.error().what = name + ": " + body.error().what;
      return std::unexpected(std::move(body.error()));
    }
    chain.payloads.push_back(PayloadEntry{type, std::move(*body), offset, length});
    type = static_cast<PayloadType>(next);
  }
  chain.end = r.offset();
  // RFC 2408 §3.1: the header's length is the whole message, so it may exceed the payloads: an encrypted body
  // carries CBC padding, and Libreswan pads plain messages to a multiple of 4 bytes. Plain trailing bytes are
  // accepted only while they are too short to hold a generic payload header, so no payload can hide there.
  if (!allow_padding && r.left() > kMaxPlainPadding)
    return std::unexpected(ParseError{notify::PayloadMalformed,
                                      std::to_string(r.left()) + " bytes after the last payload"});
  return chain;
}

SerializedChain serialize_payloads(const std::vector<PayloadBody>& payloads, bool natt_draft) {
  SerializedChain out;
  Writer w;
  for (size_t i = 0; i < payloads.size(); ++i) {
    PayloadType next = i + 1 < payloads.size() ? payload_type_of(payloads[i + 1], natt_draft) : PayloadType::None;
    size_t start = w.size();
    w.u8(static_cast<uint8_t>(next));
    w.u8(0);
    size_t length_at = w.placeholder16();
    w.bytes(serialize_payload_body(payloads[i]));
    w.patch_length16(length_at, start);
  }
  if (!payloads.empty()) out.first = payload_type_of(payloads.front(), natt_draft);
  out.bytes = w.take();
  return out;
}

Bytes serialize_message(Header header, const std::vector<PayloadBody>& payloads, bool natt_draft) {
  SerializedChain chain = serialize_payloads(payloads, natt_draft);
  header.next_payload = chain.first;
  header.length = static_cast<uint32_t>(kHeaderSize + chain.bytes.size());
  Bytes out = serialize_header(header);
  out.insert(out.end(), chain.bytes.begin(), chain.bytes.end());
  return out;
}

Parsed<Message> parse_message(ByteView datagram) {
  auto header = parse_header(datagram);
  if (!header) return std::unexpected(std::move(header.error()));
  auto chain = parse_payload_chain(header->next_payload, Bytes(datagram.begin() + kHeaderSize, datagram.end()),
                                   false);
  if (!chain) return std::unexpected(std::move(chain.error()));
  return Message{*header, std::move(*chain)};
}

}  // namespace ravpn::ike
