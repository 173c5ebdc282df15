// The MODP group table. Groups 2, 5, 14, 15 are Botan's named "modp/ietf/N" groups (the same primes as
// RFC 2409 §6.2 and RFC 3526); group 1 is not named in Botan, so its prime is spelled out from RFC 2409 §6.1.
// tests/crypto/vectors.py recomputes every prime from its pi formula and the tests compare.
#include "ike/crypto/dh_groups.hpp"

#include <botan/bigint.h>

#include "ike/crypto/modp_exp.hpp"

#include <array>
#include <string>
#include <utility>

namespace ravpn::crypto::detail {
namespace {

// RFC 2409 §6.1: 2^768 - 2^704 - 1 + 2^64 * { [2^638 pi] + 149686 }.
constexpr const char* kOakleyGroup1Prime =
    "0xFFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD1"
    "29024E088A67CC74020BBEA63B139B22514A08798E3404DD"
    "EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245"
    "E485B576625E7EC6F44C42E9A63A3620FFFFFFFFFFFFFFFF";

// Secret exponent: twice the group's security strength (NIST SP 800-56A rev 3 §5.6.1.1.1 style), never below
// 256 bits. RFC 3526 §8 puts the strength of even the 3072-bit group at 130-210 bits, so 256 bits
// covers all five groups while costing a fraction of a full-size exponent.
constexpr size_t kExponentBits = 256;

const Botan::DL_Group& group1() {
  static const Botan::DL_Group g(Botan::BigInt(kOakleyGroup1Prime), Botan::BigInt(2));
  return g;
}

template <int Bits>
const Botan::DL_Group& named_ietf_group() {
  static const Botan::DL_Group g("modp/ietf/" + std::to_string(Bits));
  return g;
}

// A group's exponentiations with their tables, built on its first DH (a static per group: thread-safe, built once).
template <const Botan::DL_Group& (*Group)()>
const ModpExp& exponentiation() {
  static const ModpExp exp(Group().get_p(), Group().get_g(), kExponentBits);
  return exp;
}

template <const Botan::DL_Group& (*Group)()>
ModpGroup modp(int id, size_t size_bytes) {
  return {id, size_bytes, kExponentBits, Group(), &exponentiation<Group>};
}

}  // namespace

const ModpGroup* find_modp_group(int id) {
  static const std::array<ModpGroup, 5> groups{{
      modp<group1>(1, 96),
      modp<named_ietf_group<1024>>(2, 128),
      modp<named_ietf_group<1536>>(5, 192),
      modp<named_ietf_group<2048>>(14, 256),
      modp<named_ietf_group<3072>>(15, 384),
  }};
  for (const auto& g : groups)
    if (g.id == id) return &g;
  return nullptr;
}

}  // namespace ravpn::crypto::detail
