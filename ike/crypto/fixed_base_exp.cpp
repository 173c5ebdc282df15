// monty.h is marked as becoming internal in Botan 3; the design card fixes Botan 2.
#define BOTAN_NO_DEPRECATED_WARNINGS
#include "ike/crypto/fixed_base_exp.hpp"

#include <botan/monty.h>

#include <algorithm>
#include <stdexcept>

namespace ravpn::crypto::detail {
namespace {

using Botan::word;

// All ones when a == b, else zero, computed without a comparison the compiler could turn into a branch.
word equal_mask(word a, word b) {
  const word d = a ^ b;
  const word zero_top_bit = (~d & (d - 1)) >> (sizeof(word) * 8 - 1);  // 1 only when d == 0
  return word{0} - zero_top_bit;
}

}  // namespace

FixedBaseExp::FixedBaseExp(const Botan::BigInt& p, const Botan::BigInt& g, size_t max_exponent_bits)
    : monty_(std::make_shared<Botan::Montgomery_Params>(p)),
      words_(monty_->p_words()),
      rows_((max_exponent_bits + kWindowBits - 1) / kWindowBits),
      table_(rows_ * kRowSize * words_) {
  Botan::secure_vector<word> ws;
  const Botan::Montgomery_Int one(monty_, Botan::BigInt(1));
  Botan::Montgomery_Int base(monty_, g);  // g^(16^i) for row i
  for (size_t i = 0; i != rows_; ++i) {
    Botan::Montgomery_Int entry = one;
    for (size_t j = 0; j != kRowSize; ++j) {
      const Botan::BigInt& v = entry.repr();
      word* dst = &table_[(i * kRowSize + j) * words_];
      for (size_t w = 0; w != words_; ++w) dst[w] = v.word_at(w);
      entry.mul_by(base, ws);
    }
    base = entry;  // g^(16^i * 16) = g^(16^(i+1))
  }
}

void FixedBaseExp::select(size_t row, word index, Botan::secure_vector<word>& out) const {
  std::fill(out.begin(), out.end(), word{0});
  const word* entries = &table_[row * kRowSize * words_];
  for (size_t j = 0; j != kRowSize; ++j) {
    const word mask = equal_mask(j, index);
    const word* e = entries + j * words_;
    for (size_t w = 0; w != words_; ++w) out[w] |= mask & e[w];
  }
}

Botan::BigInt FixedBaseExp::power(const Botan::BigInt& x) const {
  if (x.bits() > rows_ * kWindowBits) throw std::invalid_argument("exponent longer than the fixed-base table");
  Botan::secure_vector<word> ws;
  Botan::secure_vector<word> selected(words_);
  Botan::Montgomery_Int acc(monty_, Botan::BigInt(1));
  for (size_t i = 0; i != rows_; ++i) {
    select(i, x.get_substring(i * kWindowBits, kWindowBits), selected);
    acc.mul_by(selected, ws);
  }
  return acc.value();
}

}  // namespace ravpn::crypto::detail
