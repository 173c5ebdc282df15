#include "phase2_channel.hpp"

#include <initializer_list>

namespace ravpn::loadgen {
namespace {

Bytes cat(std::initializer_list<ByteView> parts) {
  Bytes out;
  for (auto p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

Bytes be32(uint32_t v) { return {uint8_t(v >> 24), uint8_t(v >> 16), uint8_t(v >> 8), uint8_t(v)}; }

}  // namespace

Phase2Channel::Phase2Channel(const ike::test::Initiator& ini)
    : icookie_(ini.icookie()),
      rcookie_(ini.rcookie()),
      hash_(ini.hash_alg()),
      cipher_(ini.cipher()),
      enc_key_(ini.enc_key()),
      skeyid_a_(ini.skeyid_a()),
      last_block_(ini.last_phase1_block()) {}

bool Phase2Channel::fail(std::string why) {
  error_ = std::move(why);
  return false;
}

Header Phase2Channel::header(ike::ExchangeType exchange, uint32_t message_id) const {
  Header h;
  h.initiator_cookie = icookie_;
  h.responder_cookie = rcookie_;
  h.exchange = exchange;
  h.message_id = ike::MessageId{message_id};
  return h;
}

Bytes& Phase2Channel::iv_for(uint32_t message_id) {
  auto it = ivs_.find(message_id);
  if (it == ivs_.end()) {
    Bytes iv = crypto::hash(hash_, cat({last_block_, be32(message_id)}));
    iv.resize(crypto::cipher_block_size(cipher_));
    it = ivs_.emplace(message_id, std::move(iv)).first;
  }
  return it->second;
}

Bytes Phase2Channel::seal(Header h, ByteView hash, const ike::SerializedChain& rest) {
  // The HASH payload by hand: its generic header names the first payload of `rest` as the next one.
  ike::SerializedChain chain;
  chain.first = ike::PayloadType::Hash;
  const size_t len = ike::kGenericHeaderSize + hash.size();
  chain.bytes = {uint8_t(rest.first), 0, uint8_t(len >> 8), uint8_t(len)};
  chain.bytes.insert(chain.bytes.end(), hash.begin(), hash.end());
  chain.bytes.insert(chain.bytes.end(), rest.bytes.begin(), rest.bytes.end());
  return ike::test::seal_with(cipher_, enc_key_, h, chain, iv_for(h.message_id.value));
}

std::optional<PayloadChain> Phase2Channel::open(const Header& h, ByteView datagram, Bytes& hash, ByteView& rest) {
  const size_t block = crypto::cipher_block_size(cipher_);
  if (!(h.flags & ike::flags::Encryption)) return fail("not encrypted"), std::nullopt;
  if (h.initiator_cookie != icookie_ || h.responder_cookie != rcookie_) return fail("other cookies"), std::nullopt;
  ByteView body = datagram.subspan(ike::kHeaderSize);
  if (body.empty() || body.size() % block) return fail("encrypted body is not whole blocks"), std::nullopt;
  Bytes& iv = iv_for(h.message_id.value);
  auto plain = crypto::cbc_decrypt(cipher_, enc_key_, iv, body);
  if (!plain) return fail("does not decrypt"), std::nullopt;
  auto chain = ike::parse_payload_chain(h.next_payload, std::move(*plain), true);
  if (!chain) return fail("decrypted chain does not parse: " + chain.error().what), std::nullopt;
  if (chain->payloads.empty() || chain->payloads[0].type != ike::PayloadType::Hash)
    return fail("does not start with HASH"), std::nullopt;
  iv.assign(body.end() - long(block), body.end());
  const auto& first = chain->payloads[0];
  hash = std::get<ike::HashPayload>(first.body).data;
  const size_t rest_begin = first.offset + first.length;
  rest = ByteView(chain->bytes).subspan(rest_begin, chain->end - rest_begin);
  return std::move(*chain);
}

std::optional<Phase2Channel::Transaction> Phase2Channel::open_transaction(const Header& h, ByteView datagram) {
  if (h.exchange != ike::ExchangeType::Transaction || h.message_id.value == 0)
    return fail("not a transaction"), std::nullopt;
  Bytes got;
  ByteView rest;
  auto chain = open(h, datagram, got, rest);
  if (!chain) return std::nullopt;
  const auto expected = crypto::prf(hash_, skeyid_a_, cat({be32(h.message_id.value), rest}));
  if (!crypto::constant_time_equal(expected, got)) return fail("transaction HASH does not verify"), std::nullopt;
  const auto* attributes = chain->first_as<AttributePayload>();
  if (!attributes) return fail("transaction without ATTR"), std::nullopt;
  return Transaction{h.message_id.value, *attributes};
}

Bytes Phase2Channel::transaction(uint32_t message_id, const AttributePayload& attributes) {
  auto rest = ike::serialize_payloads({attributes});
  auto hash = crypto::prf(hash_, skeyid_a_, cat({be32(message_id), rest.bytes}));
  return seal(header(ike::ExchangeType::Transaction, message_id), hash, rest);
}

Bytes Phase2Channel::qm1(uint32_t message_id, const std::vector<ike::PayloadBody>& sa_and_ids, ByteView ni) {
  qm_id_ = message_id;
  ni_.assign(ni.begin(), ni.end());
  std::vector<ike::PayloadBody> payloads{sa_and_ids.front(), ike::NoncePayload{ni_}};
  payloads.insert(payloads.end(), sa_and_ids.begin() + 1, sa_and_ids.end());
  auto rest = ike::serialize_payloads(payloads);
  auto hash = crypto::prf(hash_, skeyid_a_, cat({be32(message_id), rest.bytes}));
  return seal(header(ike::ExchangeType::QuickMode, message_id), hash, rest);
}

std::optional<PayloadChain> Phase2Channel::open_qm2(const Header& h, ByteView datagram) {
  if (h.exchange != ike::ExchangeType::QuickMode || h.message_id.value != qm_id_)
    return fail("not QM2 of this quick mode"), std::nullopt;
  Bytes got;
  ByteView rest;
  auto chain = open(h, datagram, got, rest);
  if (!chain) return std::nullopt;
  const auto expected = crypto::prf(hash_, skeyid_a_, cat({be32(qm_id_), ni_, rest}));
  if (!crypto::constant_time_equal(expected, got)) return fail("QM2 HASH(2) does not verify"), std::nullopt;
  return chain;
}

Bytes Phase2Channel::qm3(ByteView nr) {
  const Bytes zero{0};
  auto hash = crypto::prf(hash_, skeyid_a_, cat({zero, be32(qm_id_), ni_, nr}));
  ike::SerializedChain none;
  none.first = ike::PayloadType::None;
  return seal(header(ike::ExchangeType::QuickMode, qm_id_), hash, none);
}

}  // namespace ravpn::loadgen
