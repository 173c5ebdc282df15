#include "ike/crypto/prototypes.hpp"

#include <array>
#include <memory>
#include <string>

#include "ike/crypto/botan_names.hpp"

namespace ravpn::crypto::detail {
namespace {

constexpr std::array kHashes{HashAlg::Md5, HashAlg::Sha1, HashAlg::Sha256, HashAlg::Sha384, HashAlg::Sha512};
constexpr std::array kCiphers{CipherAlg::Des, CipherAlg::TripleDes, CipherAlg::Aes128, CipherAlg::Aes192,
                              CipherAlg::Aes256};

// The tables are indexed by the enum's value; every enumerator is listed above.
template <typename T, typename Alg, size_t N, typename Make>
std::array<std::unique_ptr<const T>, N> build(const std::array<Alg, N>& algs, Make make) {
  std::array<std::unique_ptr<const T>, N> table;
  for (Alg alg : algs) table.at(size_t(alg)) = make(alg);
  return table;
}

}  // namespace

const Botan::HashFunction& hash_prototype(HashAlg alg) {
  static const auto table = build<Botan::HashFunction>(
      kHashes, [](HashAlg a) { return Botan::HashFunction::create_or_throw(botan_hash_name(a)); });
  return *table.at(size_t(alg));
}

const Botan::MessageAuthenticationCode& hmac_prototype(HashAlg alg) {
  static const auto table = build<Botan::MessageAuthenticationCode>(kHashes, [](HashAlg a) {
    return Botan::MessageAuthenticationCode::create_or_throw(std::string("HMAC(") + botan_hash_name(a) + ")");
  });
  return *table.at(size_t(alg));
}

const Botan::BlockCipher& block_cipher_prototype(CipherAlg alg) {
  static const auto table = build<Botan::BlockCipher>(
      kCiphers, [](CipherAlg a) { return Botan::BlockCipher::create_or_throw(botan_cipher_name(a)); });
  return *table.at(size_t(alg));
}

}  // namespace ravpn::crypto::detail
