// Private: one immutable Botan object per algorithm, built on first use, that callers clone(). Botan's create()
// parses the algorithm name and searches its providers on every call; in the lab's profile of a responder under
// load that lookup (Cipher_Mode::create, MessageAuthenticationCode::create) cost more than the AES and SHA-1
// work it set up. clone() builds the same object without the lookup, and a const prototype is safe to clone
// from several threads at once.
#pragma once
#include <botan/block_cipher.h>
#include <botan/hash.h>
#include <botan/mac.h>

#include "ike/crypto/crypto.hpp"

namespace ravpn::crypto::detail {

const Botan::HashFunction& hash_prototype(HashAlg);
const Botan::MessageAuthenticationCode& hmac_prototype(HashAlg);  // HMAC of the hash, no key set
const Botan::BlockCipher& block_cipher_prototype(CipherAlg);      // no key set

}  // namespace ravpn::crypto::detail
