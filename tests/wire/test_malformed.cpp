// Malformed input is a normal result: every case returns an error naming the notify to send, never a crash.
#include <doctest/doctest.h>

#include "ike/wire/message.hpp"
#include "tests/wire/samples.hpp"

using namespace ravpn::ike;
using samples::hex;

namespace {

uint16_t message_error(const Bytes& b) {
  auto m = parse_message(b);
  REQUIRE_FALSE(m.has_value());
  CHECK_FALSE(m.error().what.empty());
  return m.error().notify;
}

uint16_t chain_error(PayloadType first, const Bytes& b, bool allow_padding = false) {
  auto c = parse_payload_chain(first, b, allow_padding);
  REQUIRE_FALSE(c.has_value());
  return c.error().notify;
}

uint16_t body_error(PayloadType type, const Bytes& b) {
  auto p = parse_payload_body(type, b);
  REQUIRE_FALSE(p.has_value());
  return p.error().notify;
}

void put32(Bytes& b, size_t at, uint32_t v) {
  for (int i = 0; i < 4; ++i) b[at + static_cast<size_t>(i)] = static_cast<uint8_t>(v >> (24 - 8 * i));
}

// Offsets into samples::aggressive1_bytes().
constexpr size_t kSa = 28, kProposal = 40, kTransform1 = 48, kTransform2 = 88, kKe = 160;

}  // namespace

TEST_CASE("header: short, wrong lengths, version, flags") {
  Bytes good = samples::aggressive1_bytes();
  CHECK(message_error(Bytes(good.begin(), good.begin() + 27)) == notify::PayloadMalformed);
  CHECK(message_error({}) == notify::PayloadMalformed);

  Bytes longer = good;  // header says 423, datagram has 424
  longer.push_back(0);
  CHECK(message_error(longer) == notify::UnequalPayloadLengths);
  Bytes shorter(good.begin(), good.end() - 1);  // header says 423, datagram has 422
  CHECK(message_error(shorter) == notify::PayloadMalformed);
  Bytes tiny = good;
  put32(tiny, 24, 20);  // length below the header size
  CHECK(message_error(tiny) == notify::PayloadMalformed);

  Bytes v2 = good;
  v2[17] = 0x20;
  CHECK(message_error(v2) == notify::InvalidMajorVersion);
  Bytes minor = good;
  minor[17] = 0x11;  // minor version is not checked here
  CHECK(parse_message(minor).has_value());

  for (uint8_t bit : {0x08, 0x10, 0x80}) {
    Bytes f = good;
    f[19] = bit;
    CHECK(message_error(f) == notify::InvalidFlags);
  }
}

TEST_CASE("generic payload header: lying lengths, RESERVED, unknown types") {
  Bytes good = samples::aggressive1_bytes();
  for (uint16_t len : {0, 3}) {
    Bytes b = good;
    b[kKe + 2] = 0;
    b[kKe + 3] = static_cast<uint8_t>(len);
    CHECK(message_error(b) == notify::PayloadMalformed);
  }
  Bytes beyond = good;  // KE length past the end of the message
  beyond[kKe + 2] = 0x7f;
  CHECK(message_error(beyond) == notify::PayloadMalformed);
  Bytes reserved = good;
  reserved[kKe + 1] = 1;
  CHECK(message_error(reserved) == notify::PayloadMalformed);

  for (uint8_t type : {2, 3, 15, 19, 22, 99, 129, 132, 255}) {
    CAPTURE(int(type));
    Bytes b = good;
    b[kKe] = type;  // KE's next payload
    CHECK(message_error(b) == notify::InvalidPayloadType);
  }
  // The type is judged before the length: an unknown type with a bad length is still INVALID-PAYLOAD-TYPE.
  CHECK(chain_error(static_cast<PayloadType>(99), hex("00 00 0002")) == notify::InvalidPayloadType);
  CHECK(chain_error(PayloadType::Transform, {}) == notify::InvalidPayloadType);
  // A chain that ends in the middle of a generic header.
  CHECK(chain_error(PayloadType::Hash, hex("00 00")) == notify::PayloadMalformed);
  CHECK(chain_error(PayloadType::Hash, {}) == notify::PayloadMalformed);
  // Trailing bytes after the last payload of an unencrypted message: 4 could hold a generic header, refused.
  CHECK(chain_error(PayloadType::VendorId, hex("00 00 0005 aa 00 00 00 00")) == notify::PayloadMalformed);
  // The payload length stays strict when padding follows: a length running into the padding is still malformed.
  CHECK(chain_error(PayloadType::VendorId, hex("00 00 0009 aa 00 00")) == notify::PayloadMalformed);
}

TEST_CASE("too many payloads") {
  std::vector<PayloadBody> vids(64, VendorIdPayload{hex("01")});
  SerializedChain ok = serialize_payloads(vids);
  CHECK(parse_payload_chain(ok.first, ok.bytes, false).has_value());
  vids.push_back(VendorIdPayload{hex("01")});
  SerializedChain too_many = serialize_payloads(vids);
  CHECK(chain_error(too_many.first, too_many.bytes) == notify::PayloadMalformed);
}

TEST_CASE("SA: DOI, situation, proposal and transform structure") {
  Bytes good = samples::aggressive1_bytes();
  auto sa_error = [](const Bytes& msg) { return message_error(msg); };

  Bytes doi = good;
  doi[kSa + 7] = 2;
  CHECK(sa_error(doi) == notify::DoiNotSupported);
  Bytes sit = good;
  sit[kSa + 11] = 3;  // SIT_IDENTITY_ONLY | SIT_SECRECY: labeled domains not supported
  CHECK(sa_error(sit) == notify::SituationNotSupported);

  Bytes prop_short = good;  // proposal length smaller than its transforms
  prop_short[kProposal + 3] = 0x70;
  CHECK(sa_error(prop_short) == notify::BadProposalSyntax);
  Bytes prop_long = good;  // proposal length beyond the SA
  prop_long[kProposal + 3] = 0x80;
  CHECK(sa_error(prop_long) == notify::BadProposalSyntax);
  Bytes prop_tiny = good;
  prop_tiny[kProposal + 3] = 4;
  CHECK(sa_error(prop_tiny) == notify::BadProposalSyntax);
  Bytes prop_next = good;  // says another proposal follows, none does
  prop_next[kProposal] = 2;
  CHECK(sa_error(prop_next) == notify::BadProposalSyntax);
  Bytes prop_bad_next = good;
  prop_bad_next[kProposal] = 3;
  CHECK(sa_error(prop_bad_next) == notify::BadProposalSyntax);
  Bytes count_high = good;  // 4 transforms announced, 3 present
  count_high[kProposal + 7] = 4;
  CHECK(sa_error(count_high) == notify::BadProposalSyntax);
  Bytes count_low = good;  // 2 announced: the second's next payload (3) disagrees
  count_low[kProposal + 7] = 2;
  CHECK(sa_error(count_low) == notify::BadProposalSyntax);
  Bytes count_zero = good;
  count_zero[kProposal + 7] = 0;
  CHECK(sa_error(count_zero) == notify::BadProposalSyntax);
  Bytes protocol = good;
  protocol[kProposal + 5] = 9;
  CHECK(sa_error(protocol) == notify::InvalidProtocolId);
  Bytes spi = good;  // SPI size larger than the proposal
  spi[kProposal + 6] = 200;
  CHECK(sa_error(spi) == notify::BadProposalSyntax);

  Bytes t_short = good;  // transform 1 length 36 instead of 40: transform 2 starts mid-attribute
  t_short[kTransform1 + 3] = 36;
  CHECK(sa_error(t_short) == notify::BadProposalSyntax);
  Bytes t_long = good;
  t_long[kTransform1 + 3] = 0xff;
  CHECK(sa_error(t_long) == notify::BadProposalSyntax);
  Bytes t_next = good;  // first transform claims to be the last
  t_next[kTransform1] = 0;
  CHECK(sa_error(t_next) == notify::BadProposalSyntax);
  Bytes t_res = good;
  t_res[kTransform1 + 6] = 1;
  CHECK(sa_error(t_res) == notify::BadProposalSyntax);
  Bytes tlv = good;  // life duration TLV (last attribute of transform 1) claims 5 bytes
  tlv[kTransform2 - 5] = 5;
  CHECK(sa_error(tlv) == notify::BadProposalSyntax);

  // An SA with no proposal at all, and bytes after the last proposal.
  CHECK(body_error(PayloadType::SA, hex("00000001 00000001")) == notify::BadProposalSyntax);
  Bytes sa_body = serialize_sa(std::get<SaPayload>(samples::aggressive1_payloads()[0]));
  sa_body.push_back(0);
  CHECK(body_error(PayloadType::SA, sa_body) == notify::PayloadMalformed);
  CHECK(body_error(PayloadType::SA, hex("000000")) == notify::PayloadMalformed);
}

TEST_CASE("other payload bodies") {
  CHECK(body_error(PayloadType::KE, {}) == notify::PayloadMalformed);
  CHECK(body_error(PayloadType::Hash, {}) == notify::PayloadMalformed);
  CHECK(body_error(PayloadType::Nonce, Bytes(7)) == notify::PayloadMalformed);
  CHECK(body_error(PayloadType::Nonce, Bytes(257)) == notify::PayloadMalformed);
  CHECK(body_error(PayloadType::ID, hex("0b1101")) == notify::PayloadMalformed);
  CHECK(body_error(PayloadType::ID, hex("01110000 c00002")) == notify::InvalidIdInformation);
  CHECK(body_error(PayloadType::ID, hex("0b110000")) == notify::InvalidIdInformation);
  CHECK(body_error(PayloadType::Notify, hex("00000001 01 10 000e 0102")) == notify::PayloadMalformed);
  CHECK(body_error(PayloadType::Delete, hex("00000001 03 04 0002 c0ffee01")) == notify::PayloadMalformed);
  CHECK(body_error(PayloadType::Delete, hex("00000001 03 04 0001 c0ffee01 00")) == notify::PayloadMalformed);
  CHECK(body_error(PayloadType::Delete, hex("00000001 03 00 0001")) == notify::PayloadMalformed);
  CHECK(body_error(PayloadType::Attribute, hex("01 00 0001 4089 0005 6162")) == notify::PayloadMalformed);
  CHECK(body_error(PayloadType::Attribute, hex("01 00 0001 c088")) == notify::PayloadMalformed);
  CHECK(body_error(PayloadType::Attribute, hex("01 01 0001")) == notify::PayloadMalformed);
  CHECK(body_error(PayloadType::NatOA, hex("01 000000 c0a801")) == notify::PayloadMalformed);
  CHECK(body_error(PayloadType::NatOA, hex("01 010000 c0a80101")) == notify::PayloadMalformed);
  CHECK(body_error(PayloadType::Cert, {}) == notify::PayloadMalformed);
  CHECK(body_error(PayloadType::Proposal, hex("00")) == notify::InvalidPayloadType);
  CHECK(body_error(PayloadType::None, {}) == notify::InvalidPayloadType);
  CHECK(body_error(static_cast<PayloadType>(77), {}) == notify::InvalidPayloadType);
  CHECK_FALSE(parse_data_attributes(hex("8001")).has_value());
  CHECK_FALSE(parse_data_attributes(hex("0001 0002 01")).has_value());
}

TEST_CASE("every truncation and every single-byte corruption is handled") {
  Bytes good = samples::aggressive1_bytes();
  for (size_t n = 0; n < good.size(); ++n) {
    Bytes cut(good.begin(), good.begin() + static_cast<std::ptrdiff_t>(n));
    CHECK_FALSE(parse_message(cut).has_value());
    Bytes fixed = cut;  // with the header length made consistent, the chain itself is cut short
    if (fixed.size() >= kHeaderSize) {
      put32(fixed, 24, static_cast<uint32_t>(fixed.size()));
      CHECK_FALSE(parse_message(fixed).has_value());
      auto padded = parse_payload_chain(PayloadType::SA, Bytes(fixed.begin() + kHeaderSize, fixed.end()), true);
      CHECK_FALSE(padded.has_value());
    }
  }
  size_t parsed = 0;
  for (const auto& s : samples::all_samples()) {
    for (size_t i = 0; i < s.bytes.size(); ++i) {
      for (uint8_t v : {0x00, 0x01, 0x7f, 0x80, 0xff}) {
        Bytes b = s.bytes;
        b[i] = v;
        auto m = parse_message(b);
        if (!m) continue;
        ++parsed;  // whatever parses must re-serialise to a message that parses the same way
        std::vector<PayloadBody> bodies;
        for (const auto& p : m->chain.payloads) bodies.push_back(p.body);
        bool draft = m->chain.first(PayloadType::NatDDraft) || m->chain.first(PayloadType::NatOADraft);
        auto again = parse_message(serialize_message(m->header, bodies, draft));
        REQUIRE(again.has_value());
        CHECK(again->header == m->header);
      }
    }
  }
  CHECK(parsed > 0);
}
