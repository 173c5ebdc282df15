// The MODP group table. Groups 2, 5, 14, 15 are Botan's named "modp/ietf/N" groups (the same primes as
// RFC 2409 §6.2 and RFC 3526); group 1 is not named in Botan, so its prime is spelled out from RFC 2409 §6.1.
// tests/crypto/vectors.py recomputes every prime from its pi formula and the tests compare.
// pow_mod.h is marked as becoming internal in Botan 3; the design card fixes Botan 2.
#define BOTAN_NO_DEPRECATED_WARNINGS
#include "ike/crypto/dh_groups.hpp"

#include <botan/bigint.h>
#include <botan/pow_mod.h>

#include "ike/crypto/fixed_base_exp.hpp"

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

// A group's parameters and its exponentiator mod p, built together on first use.
struct GroupParams {
  explicit GroupParams(Botan::DL_Group g) : group(std::move(g)), power_mod_p(group.get_p()) {}
  Botan::DL_Group group;
  Botan::Power_Mod power_mod_p;
};

const GroupParams& group1() {
  static const GroupParams g(Botan::DL_Group(Botan::BigInt(kOakleyGroup1Prime), Botan::BigInt(2)));
  return g;
}

template <int Bits>
const GroupParams& named_ietf_group() {
  static const GroupParams g(Botan::DL_Group("modp/ietf/" + std::to_string(Bits)));
  return g;
}

// The fixed-base tables of a group, built on first use (a static per group: thread-safe, built once).
template <const GroupParams& (*Params)()>
const FixedBaseExp& fixed_base() {
  static const FixedBaseExp table(Params().group.get_p(), Params().group.get_g(), kExponentBits);
  return table;
}

template <const GroupParams& (*Params)()>
ModpGroup modp(int id, size_t size_bytes) {
  return {id, size_bytes, kExponentBits, Params().group, Params().power_mod_p, &fixed_base<Params>};
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
