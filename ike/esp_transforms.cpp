#include "ike/esp_transforms.hpp"

#include <algorithm>

#include "ike/wire/constants.hpp"

namespace ravpn::ike {

std::optional<EspTransform> esp_from_transform_set(const config::TransformSet& set) {
  EspTransform t;
  bool cipher = false;
  for (const auto& token : set.transforms) {
    if (token == "esp-des") t.transform_id = esp_id::Des, cipher = true;
    else if (token == "esp-3des") t.transform_id = esp_id::TripleDes, cipher = true;
    else if (token == "esp-null") t.transform_id = esp_id::Null, cipher = true;
    else if (token == "esp-aes" || token == "esp-aes 128") t.transform_id = esp_id::Aes, t.key_bits = 128, cipher = true;
    else if (token == "esp-aes 192" || token == "esp-aes-192") t.transform_id = esp_id::Aes, t.key_bits = 192, cipher = true;
    else if (token == "esp-aes 256" || token == "esp-aes-256") t.transform_id = esp_id::Aes, t.key_bits = 256, cipher = true;
    else if (token == "esp-md5-hmac") t.auth = ipsec_auth::HmacMd5;
    else if (token == "esp-sha-hmac") t.auth = ipsec_auth::HmacSha1;
    else if (token == "esp-sha256-hmac") t.auth = ipsec_auth::HmacSha256;
    else if (token == "esp-sha384-hmac") t.auth = ipsec_auth::HmacSha384;
    else if (token == "esp-sha512-hmac") t.auth = ipsec_auth::HmacSha512;
    else return std::nullopt;  // AH, IPComp, esp-seal: not offered
    t.name += (t.name.empty() ? "" : " ") + token;
  }
  if (!cipher) return std::nullopt;
  return t;
}

std::vector<EspTransform> offered_transforms(const config::Config& config) {
  std::vector<EspTransform> out;
  for (const auto& entry : config.dynamic_maps) {
    for (const auto& set_name : entry.transform_sets) {
      auto it = config.transform_sets.find(set_name);
      if (it == config.transform_sets.end()) continue;
      auto t = esp_from_transform_set(it->second);
      if (t && std::find(out.begin(), out.end(), *t) == out.end()) out.push_back(*t);
    }
  }
  return out;
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
