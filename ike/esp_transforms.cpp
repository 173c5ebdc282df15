#include "ike/esp_transforms.hpp"

#include <algorithm>

#include "daemon/config/transforms.hpp"
#include "ike/wire/constants.hpp"

namespace ravpn::ike {

// The table's RFC 2407 numbers are the wire constants ike/ uses.
static_assert(esp_id::Des == 2 && esp_id::TripleDes == 3 && esp_id::Null == 11 && esp_id::Aes == 12);
static_assert(ipsec_auth::HmacMd5 == 1 && ipsec_auth::HmacSha1 == 2 && ipsec_auth::HmacSha256 == 5 &&
              ipsec_auth::HmacSha384 == 6 && ipsec_auth::HmacSha512 == 7);

std::optional<EspTransform> esp_from_transform_set(const config::TransformSet& set) {
  EspTransform t;
  bool cipher = false;
  for (const auto& token : set.transforms) {
    const auto* known = config::find_transform(token);
    if (!known || known->kind == config::TransformToken::Kind::Unsupported) return std::nullopt;  // AH, IPComp, SEAL
    if (known->kind == config::TransformToken::Kind::EspCipher) {
      t.transform_id = known->esp_id;
      t.key_bits = known->key_bits;
      cipher = true;
    } else {
      t.auth = known->auth_id;
    }
    t.name += (t.name.empty() ? "" : " ") + std::string(known->token);
  }
  if (!cipher) return std::nullopt;
  return t;
}

size_t esp_cipher_key_bytes(const EspTransform& t) {
  switch (t.transform_id) {
    case esp_id::Des: return 8;
    case esp_id::TripleDes: return 24;
    case esp_id::Aes: return t.key_bits / 8;
    default: return 0;
  }
}

size_t esp_auth_key_bytes(uint16_t auth) {
  switch (auth) {
    case ipsec_auth::HmacMd5: return 16;
    case ipsec_auth::HmacSha1: return 20;
    case ipsec_auth::HmacSha256: return 32;
    case ipsec_auth::HmacSha384: return 48;
    case ipsec_auth::HmacSha512: return 64;
    default: return 0;
  }
}

kernel::EspCipher kernel_cipher(const EspTransform& t) {
  switch (t.transform_id) {
    case esp_id::Des: return kernel::EspCipher::Des;
    case esp_id::TripleDes: return kernel::EspCipher::TripleDes;
    case esp_id::Aes: return kernel::EspCipher::Aes;
    default: return kernel::EspCipher::Null;
  }
}

kernel::EspAuth kernel_auth(uint16_t auth) {
  switch (auth) {
    case ipsec_auth::HmacMd5: return kernel::EspAuth::HmacMd5;
    case ipsec_auth::HmacSha256: return kernel::EspAuth::HmacSha256;
    case ipsec_auth::HmacSha384: return kernel::EspAuth::HmacSha384;
    case ipsec_auth::HmacSha512: return kernel::EspAuth::HmacSha512;
    default: return kernel::EspAuth::HmacSha1;
  }
}

}  // namespace ravpn::ike
