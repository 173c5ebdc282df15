// Private: g^x mod p for the fixed generator of a MODP group, by precomputed windows (the "fixed-base
// windowing" of the Handbook of Applied Cryptography, §14.6.3, with a table per window position).
//
// Every key pair is g^x with the same g and p, so the powers g^(j * 16^i) can be computed once per group. An
// exponent of n bits is then n/4 table look-ups and Montgomery multiplications, with no squarings: about a fifth
// of the work of a square-and-multiply exponentiation (n squarings and n/4 multiplications). Each look-up reads
// every entry of its row and keeps one by a mask, and every row is used, so neither the time nor the memory
// accessed depends on the exponent's bits.
#pragma once
#include <botan/bigint.h>

#include <cstddef>
#include <memory>
#include <vector>

namespace Botan {
class Montgomery_Params;
}

namespace ravpn::crypto::detail {

class FixedBaseExp {
 public:
  // Tables for exponents up to max_exponent_bits (a multiple of 4): max_exponent_bits / 4 rows of 16 values.
  FixedBaseExp(const Botan::BigInt& p, const Botan::BigInt& g, size_t max_exponent_bits);

  // g^x mod p; x has at most max_exponent_bits bits (std::invalid_argument otherwise).
  Botan::BigInt power(const Botan::BigInt& x) const;

  size_t table_bytes() const { return table_.size() * sizeof(Botan::word); }

 private:
  static constexpr size_t kWindowBits = 4;
  static constexpr size_t kRowSize = size_t{1} << kWindowBits;

  // Copies row `row`'s entry `index` into out without a secret-dependent branch or address.
  void select(size_t row, Botan::word index, Botan::secure_vector<Botan::word>& out) const;

  std::shared_ptr<const Botan::Montgomery_Params> monty_;
  size_t words_;  // words per value (p's words)
  size_t rows_;
  // rows_ * kRowSize values of words_ words each, in Montgomery form: entry (i, j) is g^(j * 16^i).
  std::vector<Botan::word> table_;
};

}  // namespace ravpn::crypto::detail
