// CBC without padding: ISAKMP pads the payload chain itself (RFC 2408 §3.1, RFC 2409 appendix B).
// Botan's CBC classes are built around a cloned block cipher (ike/crypto/prototypes.hpp) instead of by name.
// Their header, cbc.h, is marked as becoming internal in Botan 3; the design card fixes Botan 2.
#define BOTAN_NO_DEPRECATED_WARNINGS
#include <botan/cbc.h>
#include <botan/mode_pad.h>

#include <memory>
#include <stdexcept>
#include <string>

#include "ike/crypto/crypto.hpp"
#include "ike/crypto/prototypes.hpp"

namespace ravpn::crypto {
namespace {

std::unique_ptr<Botan::Cipher_Mode> cbc_mode(CipherAlg alg, Botan::Cipher_Dir dir) {
  Botan::BlockCipher* cipher = detail::block_cipher_prototype(alg).clone();
  if (dir == Botan::ENCRYPTION) return std::make_unique<Botan::CBC_Encryption>(cipher, new Botan::Null_Padding);
  return std::make_unique<Botan::CBC_Decryption>(cipher, new Botan::Null_Padding);
}

Botan::secure_vector<uint8_t> run_cbc(CipherAlg alg, Botan::Cipher_Dir dir, ByteView key, ByteView iv, ByteView in) {
  if (key.size() != cipher_key_size(alg) || iv.size() != cipher_block_size(alg))
    throw std::invalid_argument(std::string("cbc: wrong key or IV size for ") + name(alg));
  if (in.empty()) return {};  // zero whole blocks (Botan's CBC decryption would refuse an empty final block)
  auto mode = cbc_mode(alg, dir);
  mode->set_key(key.data(), key.size());
  mode->start(iv.data(), iv.size());
  Botan::secure_vector<uint8_t> buf(in.begin(), in.end());
  mode->finish(buf);
  return buf;
}

}  // namespace

Bytes cbc_encrypt(CipherAlg alg, ByteView key, ByteView iv, ByteView plaintext) {
  if (plaintext.size() % cipher_block_size(alg) != 0)
    throw std::invalid_argument("cbc_encrypt: plaintext is not a whole number of blocks");
  auto out = run_cbc(alg, Botan::ENCRYPTION, key, iv, plaintext);
  return Bytes(out.begin(), out.end());
}

std::optional<Bytes> cbc_decrypt(CipherAlg alg, ByteView key, ByteView iv, ByteView ciphertext) {
  // The length comes from the peer: a partial block is a malformed packet, not a programmer error.
  if (ciphertext.size() % cipher_block_size(alg) != 0) return std::nullopt;
  auto out = run_cbc(alg, Botan::DECRYPTION, key, iv, ciphertext);
  return Bytes(out.begin(), out.end());
}

}  // namespace ravpn::crypto
