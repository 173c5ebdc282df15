#include "daemon/config/transforms.hpp"

#include <array>

namespace ravpn::config {
namespace {

using K = TransformToken::Kind;
// IOS 12.x and PIX 6.3 transform tokens. `esp-aes` alone is AES-128 on both.
constexpr std::array<TransformToken, 16> kTokens{{
    {"esp-des", "", K::EspCipher, 2, 0, 0},
    {"esp-3des", "", K::EspCipher, 3, 0, 0},
    {"esp-aes", "", K::EspCipher, 12, 128, 0},
    {"esp-aes 128", "", K::EspCipher, 12, 128, 0},
    {"esp-aes 192", "esp-aes-192", K::EspCipher, 12, 192, 0},
    {"esp-aes 256", "esp-aes-256", K::EspCipher, 12, 256, 0},
    {"esp-null", "", K::EspCipher, 11, 0, 0},
    {"esp-md5-hmac", "", K::EspAuth, 0, 0, 1},
    {"esp-sha-hmac", "", K::EspAuth, 0, 0, 2},
    {"esp-sha256-hmac", "", K::EspAuth, 0, 0, 5},
    {"esp-sha384-hmac", "", K::EspAuth, 0, 0, 6},
    {"esp-sha512-hmac", "", K::EspAuth, 0, 0, 7},
    {"ah-md5-hmac", "", K::Unsupported, 0, 0, 0},
    {"ah-sha-hmac", "", K::Unsupported, 0, 0, 0},
    {"comp-lzs", "", K::Unsupported, 0, 0, 0},
    {"esp-seal", "", K::Unsupported, 0, 0, 0},
}};

}  // namespace

std::span<const TransformToken> transform_tokens() { return kTokens; }

const TransformToken* find_transform(std::string_view token) {
  for (const auto& t : kTokens)
    if (t.token == token || (!t.pix_alias.empty() && t.pix_alias == token)) return &t;
  return nullptr;
}

std::string canonical_transform(std::string_view token) {
  const auto* t = find_transform(token);
  return std::string(t ? t->token : token);
}

}  // namespace ravpn::config
