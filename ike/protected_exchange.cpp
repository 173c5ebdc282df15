#include "ike/protected_exchange.hpp"

#include "ike/phase1_common.hpp"
#include "ike/protection.hpp"

namespace ravpn::ike {
namespace {
Bytes& iv_for(Phase1Sa& sa, MessageId id) {
  auto it = sa.phase2_ivs.find(id.value);
  if (it == sa.phase2_ivs.end()) {
    const Bytes& base = sa.phase1_last_block.empty() ? sa.iv : sa.phase1_last_block;
    it = sa.phase2_ivs.emplace(id.value, crypto::phase2_iv(sa.choice.hash, sa.choice.cipher, base, id.value)).first;
  }
  return it->second;
}
}  // namespace

Bytes seal_phase2(Phase1Sa& sa, Header header, const SerializedChain& chain) {
  return seal_message(header, chain, sa, iv_for(sa, header.message_id));
}

Parsed<PayloadChain> open_phase2(Phase1Sa& sa, const Header& header, ByteView datagram) {
  if (!(header.flags & flags::Encryption))
    return std::unexpected(ParseError{notify::InvalidFlags, "phase 2 message is not encrypted"});
  Bytes& chain_iv = iv_for(sa, header.message_id);
  Bytes iv = chain_iv;
  auto chain = open_message(header, datagram, sa, iv);
  if (chain) chain_iv = iv;
  return chain;
}

Bytes transaction_message(Phase1Sa& sa, MessageId id, const AttributePayload& attributes) {
  Header h = reply_header(sa, ExchangeType::Transaction);
  h.message_id = id;
  return seal_phase2(sa, h, chain_with_hash(sa, message_id_bytes(id), serialize_payloads({attributes})));
}

Parsed<AttributePayload> open_transaction(Phase1Sa& sa, const Header& header, ByteView datagram) {
  auto chain = open_phase2(sa, header, datagram);
  if (!chain) return std::unexpected(chain.error());
  if (!verify_leading_hash(sa, message_id_bytes(header.message_id), *chain))
    return std::unexpected(ParseError{notify::InvalidHashInformation, "transaction HASH does not verify"});
  const auto* attrs = chain->first_as<AttributePayload>();
  if (!attrs) return std::unexpected(ParseError{notify::PayloadMalformed, "transaction without attribute payload"});
  return *attrs;
}

MessageId new_message_id(crypto::Rng& rng, const Phase1Sa& sa) {
  MessageId id;
  while (id.value == 0 || sa.phase2_ivs.count(id.value)) {
    auto b = rng.bytes(4);
    id.value = uint32_t(b[0]) << 24 | uint32_t(b[1]) << 16 | uint32_t(b[2]) << 8 | b[3];
  }
  return id;
}

uint16_t random_identifier(crypto::Rng& rng) {
  auto b = rng.bytes(2);
  return uint16_t(b[0] << 8 | b[1]);
}

}  // namespace ravpn::ike
