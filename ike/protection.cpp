#include "ike/protection.hpp"

#include <algorithm>

namespace ravpn::ike {

Bytes seal_message(Header header, const SerializedChain& chain, const Phase1Sa& sa, Bytes& iv) {
  const size_t block = crypto::cipher_block_size(sa.choice.cipher);
  Bytes plain = chain.bytes;
  plain.resize((plain.size() + block - 1) / block * block, 0);  // RFC 2408 §3.1: padded to the cipher's block
  Bytes cipher = crypto::cbc_encrypt(sa.choice.cipher, sa.keys.enc_key, iv, plain);
  iv.assign(cipher.end() - long(block), cipher.end());

  header.next_payload = chain.first;
  header.flags |= flags::Encryption;
  header.length = uint32_t(kHeaderSize + cipher.size());
  Bytes out = serialize_header(header);
  out.insert(out.end(), cipher.begin(), cipher.end());
  return out;
}

Parsed<PayloadChain> open_message(const Header& header, ByteView datagram, const Phase1Sa& sa, Bytes& iv) {
  const size_t block = crypto::cipher_block_size(sa.choice.cipher);
  ByteView body = datagram.subspan(kHeaderSize);
  if (body.empty() || body.size() % block != 0)
    return std::unexpected(ParseError{notify::PayloadMalformed, "encrypted body is not whole cipher blocks"});
  auto plain = crypto::cbc_decrypt(sa.choice.cipher, sa.keys.enc_key, iv, body);
  if (!plain) return std::unexpected(ParseError{notify::PayloadMalformed, "decryption failed"});
  auto chain = parse_payload_chain(header.next_payload, std::move(*plain), true);
  if (chain) iv.assign(body.end() - long(block), body.end());
  return chain;
}

namespace {
crypto::SecretBytes protected_hash(const Phase1Sa& sa, ByteView prefix, ByteView rest) {
  crypto::Prf prf(sa.choice.hash, sa.keys.skeyid_a);
  return prf.update(prefix).update(rest).final();
}
}  // namespace

SerializedChain chain_with_hash(const Phase1Sa& sa, ByteView prefix, const SerializedChain& rest) {
  auto h = protected_hash(sa, prefix, rest.bytes);
  SerializedChain out;
  out.first = PayloadType::Hash;
  const size_t len = kGenericHeaderSize + h.size();
  // Sized up front: g++ 12 reports a false -Warray-bounds for inserts into a 4-byte vector.
  out.bytes.resize(len + rest.bytes.size());
  out.bytes[0] = uint8_t(rest.first);
  out.bytes[2] = uint8_t(len >> 8);
  out.bytes[3] = uint8_t(len);
  std::copy(h.begin(), h.end(), out.bytes.begin() + kGenericHeaderSize);
  std::copy(rest.bytes.begin(), rest.bytes.end(), out.bytes.begin() + long(len));
  return out;
}

bool verify_leading_hash(const Phase1Sa& sa, ByteView prefix, const PayloadChain& chain) {
  if (chain.payloads.empty() || chain.payloads[0].type != PayloadType::Hash) return false;
  const auto& first = chain.payloads[0];
  const auto* hash = std::get_if<HashPayload>(&first.body);
  if (!hash) return false;
  const size_t rest_begin = first.offset + first.length;
  ByteView rest = ByteView(chain.bytes).subspan(rest_begin, chain.end - rest_begin);
  auto expected = protected_hash(sa, prefix, rest);
  return crypto::constant_time_equal(expected, hash->data);
}

Bytes message_id_bytes(MessageId id) {
  return {uint8_t(id.value >> 24), uint8_t(id.value >> 16), uint8_t(id.value >> 8), uint8_t(id.value)};
}

Bytes natd_hash(const Phase1Sa& sa, const Endpoint& e) {
  Bytes input(sa.icookie.bytes.begin(), sa.icookie.bytes.end());
  input.insert(input.end(), sa.rcookie.bytes.begin(), sa.rcookie.bytes.end());
  auto a = e.address.bytes();
  input.insert(input.end(), a.begin(), a.end());
  input.push_back(uint8_t(e.port >> 8));
  input.push_back(uint8_t(e.port));
  return crypto::hash(sa.choice.hash, input);
}

}  // namespace ravpn::ike
