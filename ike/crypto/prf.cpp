// Hashes and the HMAC-based prf (RFC 2409 §3: "prf" is the HMAC version of the negotiated hash, RFC 2104).
#include <botan/hash.h>
#include <botan/mac.h>
#include <botan/mem_ops.h>

#include <memory>

#include "ike/crypto/crypto.hpp"
#include "ike/crypto/prototypes.hpp"

namespace ravpn::crypto {

Bytes hash(HashAlg alg, ByteView data) {
  std::unique_ptr<Botan::HashFunction> h(detail::hash_prototype(alg).clone());
  h->update(data.data(), data.size());
  Bytes out(h->output_length());
  h->final(out.data());
  return out;
}

struct Prf::Impl {
  std::unique_ptr<Botan::MessageAuthenticationCode> mac;
};

Prf::Prf(HashAlg alg, ByteView key) : impl_(std::make_unique<Impl>()) {
  impl_->mac.reset(detail::hmac_prototype(alg).clone());
  impl_->mac->set_key(key.data(), key.size());
}

Prf::~Prf() = default;
Prf::Prf(Prf&&) noexcept = default;
Prf& Prf::operator=(Prf&&) noexcept = default;

Prf& Prf::update(ByteView part) {
  impl_->mac->update(part.data(), part.size());
  return *this;
}

Prf& Prf::update(uint8_t byte) {
  impl_->mac->update(byte);
  return *this;
}

// Botan's HMAC re-arms itself with the same key after final().
SecretBytes Prf::final() { return impl_->mac->final(); }

SecretBytes prf(HashAlg alg, ByteView key, ByteView data) { return Prf(alg, key).update(data).final(); }

bool constant_time_equal(ByteView a, ByteView b) {
  if (a.size() != b.size()) return false;  // lengths are public (they follow from the negotiated hash)
  return Botan::constant_time_compare(a.data(), b.data(), a.size());
}

}  // namespace ravpn::crypto
