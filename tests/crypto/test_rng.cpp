// The injected RNGs.
#include <doctest/doctest.h>

#include "ike/crypto/crypto.hpp"
#include "tests/crypto/test_helpers.hpp"

using namespace ravpn::crypto;

TEST_CASE("deterministic RNG: same seed same bytes, however the reads are split") {
  auto a = make_deterministic_rng(1234), b = make_deterministic_rng(1234), c = make_deterministic_rng(1235);
  const Bytes first = a->bytes(100);
  Bytes split = b->bytes(37);
  const Bytes rest = b->bytes(63);
  split.insert(split.end(), rest.begin(), rest.end());
  CHECK(first == split);
  CHECK(first != c->bytes(100));
  CHECK(a->bytes(32) != Bytes(first.begin(), first.begin() + 32));  // the stream moves on
}

TEST_CASE("deterministic RNG keeps going (no reseed limit)") {
  auto rng = make_deterministic_rng(0);
  for (int i = 0; i < 5000; ++i) rng->bytes(16);
  CHECK(rng->bytes(1 << 20).size() == size_t{1} << 20);
}

TEST_CASE("system RNG fills and differs") {
  auto rng = make_system_rng();
  const Bytes a = rng->bytes(32), b = rng->bytes(32);
  CHECK(a.size() == 32);
  CHECK(a != b);
  rng->fill({});  // an empty span is fine
}
