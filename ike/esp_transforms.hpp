// `crypto ipsec transform-set` tokens as ESP proposals (RFC 2407 §4.4.4 transform IDs, §4.5 auth algorithms), and
// what the kernel calls them.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "daemon/config/model.hpp"
#include "netlink/kernel.hpp"

namespace ravpn::ike {

struct EspTransform {
  uint8_t transform_id = 0;  // esp_id::Des, TripleDes, Aes, Null
  uint16_t key_bits = 0;     // AES only (RFC 3602 §5: Key Length attribute required)
  uint16_t auth = 0;         // ipsec_auth::HmacMd5 ... ; 0 = none
  std::string name;          // "esp-des esp-md5-hmac"
  bool operator==(const EspTransform&) const = default;
};

// A transform set's tokens -> one ESP transform; nullopt for what ravpn cannot do (AH, IPComp, esp-seal).
std::optional<EspTransform> esp_from_transform_set(const config::TransformSet& set);

size_t esp_cipher_key_bytes(const EspTransform& t);  // 8, 24, 16/24/32, 0
size_t esp_auth_key_bytes(uint16_t auth);            // 16, 20, 32, 48, 64
kernel::EspCipher kernel_cipher(const EspTransform& t);
kernel::EspAuth kernel_auth(uint16_t auth);

}  // namespace ravpn::ike
