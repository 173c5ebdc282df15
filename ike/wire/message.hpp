// ISAKMP message: header (RFC 2408 §3.1) and the payload chain.
#pragma once
#include <optional>

#include "ike/wire/payloads.hpp"

namespace ravpn::ike {

struct Header {
  Cookie initiator_cookie;
  Cookie responder_cookie;
  PayloadType next_payload = PayloadType::None;
  uint8_t version = kIsakmpVersion;
  ExchangeType exchange = ExchangeType::None;
  uint8_t flags = 0;
  MessageId message_id;
  uint32_t length = 0;  // whole message, header included
  bool operator==(const Header&) const = default;
};

// Parse the fixed 28-byte header. Checks: at least 28 bytes, major version 1 (else INVALID-MAJOR-VERSION),
// header.length == datagram size (a datagram longer than the header says is UNEQUAL-PAYLOAD-LENGTHS; shorter is
// PAYLOAD-MALFORMED), undefined flag bits (INVALID-FLAGS).
Parsed<Header> parse_header(ByteView datagram);
Bytes serialize_header(const Header& header);  // writes header.length as given

// One payload of a chain as received: its type, the parsed body, and where its bytes lie in the chain buffer
// (offset of the generic header; `length` includes the 4-byte generic header). Hash computations need the raw
// bytes (RFC 2409 §5: SAi_b, IDii_b are the bodies as sent; quick mode HASH(1) covers the rest of the message).
struct PayloadEntry {
  PayloadType type = PayloadType::None;
  PayloadBody body;
  size_t offset = 0;
  size_t length = 0;
};

struct PayloadChain {
  Bytes bytes;  // the chain buffer the offsets refer to (the message body after the header, decrypted)
  std::vector<PayloadEntry> payloads;
  size_t end = 0;  // offset just past the last payload (before any CBC padding)

  ByteView raw(const PayloadEntry& e) const;   // generic header + body
  ByteView body(const PayloadEntry& e) const;  // body only
  const PayloadEntry* first(PayloadType t) const;
  std::vector<const PayloadEntry*> all(PayloadType t) const;
  template <class T> const T* first_as() const {
    for (const auto& p : payloads)
      if (auto* v = std::get_if<T>(&p.body)) return v;
    return nullptr;
  }
};

// Walk the chain starting at `first`. Each generic header must fit, RESERVED must be 0, length >= 4 and within
// what is left. With `allow_padding` (a decrypted body, RFC 2408 §3.1/§5.x) bytes after the last payload are
// ignored; otherwise up to kMaxPlainPadding trailing bytes are (Libreswan pads plain messages to 4 bytes) and more
// are PAYLOAD-MALFORMED. A bare proposal or transform payload outside an SA and an unknown type are
// INVALID-PAYLOAD-TYPE. At most 64 payloads.
constexpr size_t kMaxPlainPadding = kGenericHeaderSize - 1;
Parsed<PayloadChain> parse_payload_chain(PayloadType first, Bytes bytes, bool allow_padding);

// Serialise bodies as a chain with generic headers; returns the bytes and the first payload's type.
struct SerializedChain {
  PayloadType first = PayloadType::None;
  Bytes bytes;
};
SerializedChain serialize_payloads(const std::vector<PayloadBody>& payloads, bool natt_draft = false);

// Convenience for unencrypted messages: header (length and next_payload filled in) + chain.
Bytes serialize_message(Header header, const std::vector<PayloadBody>& payloads, bool natt_draft = false);

// Parse an unencrypted message whole (header + chain, at most kMaxPlainPadding trailing bytes).
struct Message {
  Header header;
  PayloadChain chain;
};
Parsed<Message> parse_message(ByteView datagram);

}  // namespace ravpn::ike
