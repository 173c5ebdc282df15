// Private: the MODP groups IKEv1 negotiates (RFC 2409 §6.1/§6.2, RFC 3526 §2-§4), all with generator 2.
#pragma once
#include <botan/dl_group.h>

#include <cstddef>

namespace ravpn::crypto::detail {

class ModpExp;

struct ModpGroup {
  int id;                // IKE group number
  size_t size_bytes;     // length of p, of g^x and of g^xy on the wire
  size_t exponent_bits;  // length of our secret exponent
  const Botan::DL_Group& params;
  // g^x and y^x mod p for our exponents (modp_exp.hpp), with the Montgomery parameters of p and the tables of g
  // (64 rows of 16 values of p's size: 128 KiB at group 2, 256 KiB at group 14) built on the first call, so
  // groups never negotiated cost nothing.
  const ModpExp& (*exp)();
};

// nullptr for a group we do not offer. The parameters are immutable constants built on first use.
const ModpGroup* find_modp_group(int id);

}  // namespace ravpn::crypto::detail
