// Private: the MODP groups IKEv1 negotiates (RFC 2409 §6.1/§6.2, RFC 3526 §2-§4), all with generator 2.
#pragma once
#include <botan/dl_group.h>

#include <cstddef>

namespace Botan {
class Power_Mod;
}

namespace ravpn::crypto::detail {

class FixedBaseExp;

struct ModpGroup {
  int id;                // IKE group number
  size_t size_bytes;     // length of p, of g^x and of g^xy on the wire
  size_t exponent_bits;  // length of our secret exponent
  const Botan::DL_Group& params;
  // Modular exponentiation mod p with its Montgomery parameters computed once: copy it, then set the exponent and
  // the base on the copy (Botan::power_mod recomputes the parameters, a long division, on every call).
  const Botan::Power_Mod& power_mod_p;
  // g^x for our exponents by precomputed windows (fixed_base_exp.hpp). Its tables (64 rows of 16 values of p's
  // size: 128 KiB at group 2, 256 KiB at group 14) are built on the first call, so unused groups cost nothing.
  const FixedBaseExp& (*power_g)();
};

// nullptr for a group we do not offer. The parameters are immutable constants built on first use.
const ModpGroup* find_modp_group(int id);

}  // namespace ravpn::crypto::detail
