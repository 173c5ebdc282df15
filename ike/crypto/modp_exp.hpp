// Private: the two exponentiations of MODP Diffie-Hellman, constant-time, on Botan's Montgomery arithmetic.
//
// g^x (our public value) uses precomputed windows: every key pair has the same g and p, so the powers
// g^(j * 16^i) are computed once per group (the fixed-base windowing of the Handbook of Applied Cryptography,
// §14.6.3, with a table per window position). An exponent of n bits is then n/4 look-ups and multiplications and
// no squarings: about a fifth of the work of a square-and-multiply exponentiation.
//
// y^x (the shared secret) uses a fixed 4-bit window: the 16 powers of y, then for each window four squarings and
// one multiplication. It is what Botan's Power_Mod does, without Power_Mod's allocations for each multiplication
// of its table and its reduction of the base (the base is already checked to be below p).
//
// Each look-up reads every entry of its table and keeps one by a mask, and every window of the exponent is used,
// so neither the time nor the memory accessed depends on the exponent's bits.
#pragma once
#include <botan/bigint.h>

#include <cstddef>
#include <memory>
#include <vector>

namespace Botan {
class Montgomery_Params;
}

namespace ravpn::crypto::detail {

class ModpExp {
 public:
  // For exponents of up to exponent_bits bits (rounded up to a multiple of 4) modulo p; g's tables are
  // exponent_bits / 4 rows of 16 values of p's size.
  ModpExp(const Botan::BigInt& p, const Botan::BigInt& g, size_t exponent_bits);

  // g^x mod p. std::invalid_argument if x is longer than exponent_bits.
  Botan::BigInt power_g(const Botan::BigInt& x) const;
  // base^x mod p, for 0 <= base < p. std::invalid_argument if x is longer than exponent_bits or base is not below p.
  Botan::BigInt power(const Botan::BigInt& base, const Botan::BigInt& x) const;

  size_t table_bytes() const { return g_table_.size() * sizeof(Botan::word); }

 private:
  static constexpr size_t kWindowBits = 4;
  static constexpr size_t kRowSize = size_t{1} << kWindowBits;

  void check_exponent(const Botan::BigInt& x) const;

  std::shared_ptr<const Botan::Montgomery_Params> monty_;
  size_t words_;    // words per value (p's words)
  size_t windows_;  // 4-bit windows per exponent
  // windows_ * kRowSize values of words_ words each, in Montgomery form: entry (i, j) is g^(j * 16^i).
  std::vector<Botan::word> g_table_;
};

}  // namespace ravpn::crypto::detail
