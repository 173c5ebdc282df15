// Private: the Botan 2 algorithm names behind the facade's enums.
#pragma once
#include "ike/crypto/crypto.hpp"

namespace ravpn::crypto::detail {

const char* botan_hash_name(HashAlg);      // "MD5", "SHA-160", "SHA-256", ...
const char* botan_cipher_name(CipherAlg);  // "DES", "TripleDES", "AES-128", ...

}  // namespace ravpn::crypto::detail
