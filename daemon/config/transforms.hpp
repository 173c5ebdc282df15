// The one vocabulary of `crypto ipsec transform-set` tokens (cisco-config.md "Phase 2"): which tokens exist, how PIX
// spells the IOS ones, and what each means as an ESP transform (RFC 2407 §4.4.4 transform IDs, §4.5 authentication
// algorithms). The IOS and PIX readers, validate and the IKE side (ike/esp_transforms) all read this table.
#pragma once
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace ravpn::config {

struct TransformToken {
  enum class Kind { EspCipher, EspAuth, Unsupported };  // Unsupported: AH, IPComp, SEAL (accepted, never offered)
  std::string_view token;      // the IOS spelling, the model's form: "esp-aes 256"
  std::string_view pix_alias;  // PIX 6.3's spelling of the same transform ("esp-aes-256"), "" if the same
  Kind kind = Kind::Unsupported;
  uint8_t esp_id = 0;          // EspCipher: RFC 2407 §4.4.4 ESP transform ID (DES 2, 3DES 3, NULL 11, AES 12)
  uint16_t key_bits = 0;       // EspCipher AES: the Key Length attribute (RFC 3602 §5)
  uint16_t auth_id = 0;        // EspAuth: RFC 2407 §4.5 authentication algorithm (MD5 1, SHA 2, SHA2 5/6/7)
};

std::span<const TransformToken> transform_tokens();
// The token in either spelling, or nullptr when no dialect knows it.
const TransformToken* find_transform(std::string_view token);
// A PIX token in the model's (IOS) spelling; unknown tokens come back unchanged (validate reports them).
std::string canonical_transform(std::string_view token);

}  // namespace ravpn::config
