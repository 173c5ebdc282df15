// monty.h is marked as becoming internal in Botan 3; the design card fixes Botan 2.
#define BOTAN_NO_DEPRECATED_WARNINGS
#include "ike/crypto/modp_exp.hpp"

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

// Copies entry `index` of `count` values of `words` words each into out, reading all of them.
void select(const word* entries, size_t count, size_t words, word index, Botan::secure_vector<word>& out) {
  std::fill(out.begin(), out.end(), word{0});
  for (size_t j = 0; j != count; ++j) {
    const word mask = equal_mask(j, index);
    const word* e = entries + j * words;
    for (size_t w = 0; w != words; ++w) out[w] |= mask & e[w];
  }
}

// Stores base^0 .. base^(count-1) at dst (Montgomery form, `words` words each) and returns base^count.
Botan::Montgomery_Int store_powers(const std::shared_ptr<const Botan::Montgomery_Params>& monty,
                                   const Botan::Montgomery_Int& base, word* dst, size_t count, size_t words,
                                   Botan::secure_vector<word>& ws) {
  Botan::Montgomery_Int entry(monty, Botan::BigInt(1));
  for (size_t j = 0; j != count; ++j) {
    const Botan::BigInt& v = entry.repr();
    for (size_t w = 0; w != words; ++w) dst[j * words + w] = v.word_at(w);
    entry.mul_by(base, ws);
  }
  return entry;
}

}  // namespace

ModpExp::ModpExp(const Botan::BigInt& p, const Botan::BigInt& g, size_t exponent_bits)
    : monty_(std::make_shared<Botan::Montgomery_Params>(p)),
      words_(monty_->p_words()),
      windows_((exponent_bits + kWindowBits - 1) / kWindowBits),
      g_table_(windows_ * kRowSize * words_) {
  Botan::secure_vector<word> ws;
  Botan::Montgomery_Int base(monty_, g);  // g^(16^i) for row i
  for (size_t i = 0; i != windows_; ++i)
    base = store_powers(monty_, base, &g_table_[i * kRowSize * words_], kRowSize, words_, ws);  // g^(16^(i+1))
}

void ModpExp::check_exponent(const Botan::BigInt& x) const {
  if (x.bits() > windows_ * kWindowBits) throw std::invalid_argument("exponent longer than the group's exponents");
}

Botan::BigInt ModpExp::power_g(const Botan::BigInt& x) const {
  check_exponent(x);
  Botan::secure_vector<word> ws;
  Botan::secure_vector<word> selected(words_);
  Botan::Montgomery_Int acc(monty_, Botan::BigInt(1));
  for (size_t i = 0; i != windows_; ++i) {
    select(&g_table_[i * kRowSize * words_], kRowSize, words_, x.get_substring(i * kWindowBits, kWindowBits),
           selected);
    acc.mul_by(selected, ws);
  }
  return acc.value();
}

Botan::BigInt ModpExp::power(const Botan::BigInt& base, const Botan::BigInt& x) const {
  check_exponent(x);
  if (base.is_negative() || base >= monty_->p()) throw std::invalid_argument("base not below p");
  Botan::secure_vector<word> ws;
  // base^0 .. base^15 in Montgomery form.
  Botan::secure_vector<word> powers(kRowSize * words_);
  store_powers(monty_, Botan::Montgomery_Int(monty_, base), powers.data(), kRowSize, words_, ws);
  // Left to right: the top window's power, then for each lower window four squarings and one multiplication.
  Botan::secure_vector<word> selected(words_);
  size_t i = windows_ - 1;
  select(powers.data(), kRowSize, words_, x.get_substring(i * kWindowBits, kWindowBits), selected);
  Botan::Montgomery_Int acc(monty_, selected.data(), selected.size(), false);
  while (i-- != 0) {
    acc.square_this_n_times(ws, kWindowBits);
    select(powers.data(), kRowSize, words_, x.get_substring(i * kWindowBits, kWindowBits), selected);
    acc.mul_by(selected, ws);
  }
  return acc.value();
}

}  // namespace ravpn::crypto::detail
