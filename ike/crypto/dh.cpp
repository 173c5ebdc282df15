// MODP Diffie-Hellman for the KE payload (RFC 2409 §5: KE data is g^x, big-endian, the length of p).
#include <botan/bigint.h>

#include <stdexcept>

#include "ike/crypto/crypto.hpp"
#include "ike/crypto/dh_groups.hpp"
#include "ike/crypto/modp_exp.hpp"

namespace ravpn::crypto {
namespace {

const detail::ModpGroup& require_group(int group) {
  const auto* g = detail::find_modp_group(group);
  if (!g) throw std::invalid_argument("unsupported DH group " + std::to_string(group));
  return *g;
}

}  // namespace

bool dh_group_supported(int group) { return detail::find_modp_group(group) != nullptr; }

size_t dh_public_size(int group) {
  const auto* g = detail::find_modp_group(group);
  return g ? g->size_bytes : 0;
}

DhKeyPair dh_generate(int group, Rng& rng) {
  const auto& g = require_group(group);
  DhKeyPair kp;
  kp.group = group;
  kp.private_value.resize(g.exponent_bits / 8);
  rng.fill(kp.private_value);
  // Top bit set: every exponent has the same length, so the exponentiation's running time says nothing of it.
  kp.private_value[0] |= 0x80;
  const Botan::BigInt x(kp.private_value.data(), kp.private_value.size());
  // By the group's precomputed powers of g: about a fifth of the work of DL_Group::power_g_p's window method.
  const Botan::BigInt y = g.exp().power_g(x);
  kp.public_value.resize(g.size_bytes);
  y.binary_encode(kp.public_value.data(), kp.public_value.size());
  return kp;
}

std::optional<SecretBytes> dh_shared_secret(const DhKeyPair& own, ByteView peer_public) {
  const auto& g = require_group(own.group);
  if (peer_public.size() != g.size_bytes) return std::nullopt;
  const Botan::BigInt y(peer_public.data(), peer_public.size());
  const Botan::BigInt& p = g.params.get_p();
  // Reject 0, 1 and p-1 (and anything >= p): they pin g^xy to a value the peer knows (RFC 2631 §2.1.5).
  if (y < 2 || y > p - 2) return std::nullopt;
  const Botan::BigInt x(own.private_value.data(), own.private_value.size());
  // Botan's DH_PrivateKey + PK_Key_Agreement("Raw") would blind every call and set up its blinder with two extra
  // exponentiations (tests/bench compares); the exponent's length is fixed (the top bit is set) and every window
  // of it is used, so the time says nothing of it.
  const Botan::BigInt z = g.exp().power(y, x);
  SecretBytes out(g.size_bytes);
  z.binary_encode(out.data(), out.size());
  return out;
}

}  // namespace ravpn::crypto
