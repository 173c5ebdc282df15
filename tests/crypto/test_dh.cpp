// MODP Diffie-Hellman: the primes against their pi formulas (vectors.py), agreement, sizes, bad peer values.
#include <doctest/doctest.h>

#include <algorithm>

#include <botan/bigint.h>
#include <botan/numthry.h>
#include <botan/system_rng.h>

#include "ike/crypto/crypto.hpp"
#include "ike/crypto/dh_groups.hpp"
#include "ike/crypto/modp_exp.hpp"
#include "tests/crypto/test_helpers.hpp"

using namespace ravpn::crypto;
using namespace ravpn::crypto::test;

namespace {

const int kGroups[] = {1, 2, 5, 14, 15};

Bytes encode(const Botan::BigInt& n, size_t size) {
  Bytes out(size);
  n.binary_encode(out.data(), out.size());
  return out;
}

const Botan::BigInt& prime(int group) { return ravpn::crypto::detail::find_modp_group(group)->params.get_p(); }

}  // namespace

TEST_CASE("MODP primes equal 2^n - 2^(n-64) - 1 + 2^64 * ([2^k pi] + c), as computed by vectors.py") {
  // RFC 2409 §6.1 (group 1) and §6.2 (group 2), RFC 3526 §2 (5), §3 (14), §4 (15).
  const std::pair<int, const char*> expected[] = {
      {1, "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DD"
          "EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A63A3620FFFFFFFFFFFFFFFF"},
      {2, "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DD"
          "EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED"
          "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE65381FFFFFFFFFFFFFFFF"},
      {5, "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DD"
          "EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED"
          "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F"
          "83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08CA237327FFFFFFFFFFFFFFFF"},
      {14, "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DD"
           "EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED"
           "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F"
           "83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B"
           "E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6955817183995497CEA956AE515D2261898FA0510"
           "15728E5A8AACAA68FFFFFFFFFFFFFFFF"},
      {15, "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DD"
           "EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED"
           "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F"
           "83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B"
           "E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6955817183995497CEA956AE515D2261898FA0510"
           "15728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7"
           "ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864D87602733EC86A64521F2B18177B200C"
           "BBE117577A615D6C770988C0BAD946E208E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF"},
  };
  for (const auto& [group, hex] : expected) {
    CAPTURE(group);
    REQUIRE(dh_group_supported(group));
    const auto* g = ravpn::crypto::detail::find_modp_group(group);
    CHECK(g->params.get_p() == Botan::BigInt(std::string("0x") + hex));
    CHECK(g->params.get_g() == 2);
    CHECK(g->params.get_p().bytes() == dh_public_size(group));
  }
}

TEST_CASE("the group 1 prime is a safe prime") {
  Botan::System_RNG botan_rng;
  const Botan::BigInt& p = prime(1);
  CHECK(Botan::is_prime(p, botan_rng, 64));
  CHECK(Botan::is_prime((p - 1) / 2, botan_rng, 64));
}

TEST_CASE("supported groups and public value sizes") {
  CHECK(dh_public_size(1) == 96);
  CHECK(dh_public_size(2) == 128);
  CHECK(dh_public_size(5) == 192);
  CHECK(dh_public_size(14) == 256);
  CHECK(dh_public_size(15) == 384);
  for (int unsupported : {0, 3, 4, 16, 19, 24, -1}) {
    CHECK_FALSE(dh_group_supported(unsupported));
    CHECK(dh_public_size(unsupported) == 0);
  }
  auto rng = make_deterministic_rng(1);
  CHECK_THROWS(dh_generate(3, *rng));
}

TEST_CASE("both sides agree, values are padded to the group size") {
  auto rng = make_deterministic_rng(42);
  for (int group : kGroups) {
    CAPTURE(group);
    for (int round = 0; round < 3; ++round) {
      const auto a = dh_generate(group, *rng);
      const auto b = dh_generate(group, *rng);
      CHECK(a.group == group);
      CHECK(a.public_value.size() == dh_public_size(group));
      CHECK(a.public_value != b.public_value);
      const auto ab = dh_shared_secret(a, b.public_value);
      const auto ba = dh_shared_secret(b, a.public_value);
      REQUIRE(ab);
      REQUIRE(ba);
      CHECK(ab->size() == dh_public_size(group));
      CHECK(*ab == *ba);
      // Independent of the facade: g^x computed with Botan::power_mod from the private value.
      const Botan::BigInt x(a.private_value.data(), a.private_value.size());
      CHECK(encode(Botan::power_mod(2, x, prime(group)), dh_public_size(group)) == a.public_value);
    }
  }
}

TEST_CASE("deterministic RNG gives deterministic key pairs") {
  auto r1 = make_deterministic_rng(9), r2 = make_deterministic_rng(9);
  CHECK(dh_generate(2, *r1).public_value == dh_generate(2, *r2).public_value);
}

TEST_CASE("a small peer value still yields a left-padded secret") {
  auto rng = make_deterministic_rng(3);
  const auto a = dh_generate(2, *rng);
  // Peer value 2 (the generator itself): g^xy = g^x, which has leading zero bytes about 1/256 of the time;
  // either way the secret must be exactly the group size.
  const auto s = dh_shared_secret(a, encode(2, 128));
  REQUIRE(s);
  CHECK(s->size() == 128);
  CHECK(Bytes(s->begin(), s->end()) == a.public_value);
}

TEST_CASE("invalid peer values are rejected") {
  auto rng = make_deterministic_rng(5);
  for (int group : kGroups) {
    CAPTURE(group);
    const size_t n = dh_public_size(group);
    const auto own = dh_generate(group, *rng);
    const Botan::BigInt& p = prime(group);
    CHECK_FALSE(dh_shared_secret(own, encode(0, n)));
    CHECK_FALSE(dh_shared_secret(own, encode(1, n)));
    CHECK_FALSE(dh_shared_secret(own, encode(p - 1, n)));
    CHECK_FALSE(dh_shared_secret(own, encode(p, n)));
    CHECK_FALSE(dh_shared_secret(own, encode(p + 5, n)));
    CHECK_FALSE(dh_shared_secret(own, Bytes(n, 0xff)));
    CHECK(dh_shared_secret(own, encode(2, n)));
    CHECK(dh_shared_secret(own, encode(p - 2, n)));
    // Wrong lengths: one byte short (unpadded) and one byte long (extra leading zero).
    const auto peer = dh_generate(group, *rng).public_value;
    Bytes longer(n + 1, 0);
    std::copy(peer.begin(), peer.end(), longer.begin() + 1);
    CHECK(dh_shared_secret(own, peer));
    CHECK_FALSE(dh_shared_secret(own, longer));
    CHECK_FALSE(dh_shared_secret(own, ByteView(peer).subspan(1)));
    CHECK_FALSE(dh_shared_secret(own, Bytes{}));
  }
}

TEST_CASE("a public value with a leading zero byte keeps its full length") {
  CHECK(to_hex(encode(2, 4)) == "00000002");  // Botan's binary_encode pads on the left
  auto rng = make_deterministic_rng(11);
  // About one key in 256 has g^x < 2^(8(n-1)); search for one in group 1 (the cheapest).
  for (int tries = 0; tries < 5000; ++tries) {
    const auto a = dh_generate(1, *rng);
    if (a.public_value[0] != 0) continue;
    CHECK(a.public_value.size() == 96);
    const auto b = dh_generate(1, *rng);
    const auto ab = dh_shared_secret(b, a.public_value);
    const auto ba = dh_shared_secret(a, b.public_value);
    REQUIRE(ab);
    REQUIRE(ba);
    CHECK(*ab == *ba);
    return;
  }
  FAIL("no public value with a leading zero byte in 5000 tries");
}

TEST_CASE("g^x and y^x by windows equal Botan::power_mod for edge and random exponents") {
  // Edge cases: each window's first and last digit (0 and 15), the top window alone, every window at 15.
  const Botan::BigInt two_256 = Botan::BigInt::power_of_2(256);
  std::vector<Botan::BigInt> exponents = {0, 1, 15, 16, 255, 0x1234, Botan::BigInt::power_of_2(255), two_256 - 1};
  auto rng = make_deterministic_rng(17);
  for (int i = 0; i < 8; ++i) {
    const Bytes bytes = rng->bytes(1 + static_cast<size_t>(i) * 4);
    exponents.emplace_back(bytes.data(), bytes.size());
  }
  for (int group : kGroups) {
    CAPTURE(group);
    const Botan::BigInt& p = prime(group);
    const auto& exp = ravpn::crypto::detail::find_modp_group(group)->exp();
    const Bytes random = rng->bytes(dh_public_size(group));
    const std::vector<Botan::BigInt> bases = {0, 1, 2, p - 1, Botan::BigInt(random.data(), random.size()) % p};
    for (const auto& x : exponents) {
      CAPTURE(x.to_hex_string());
      CHECK(exp.power_g(x) == Botan::power_mod(2, x, p));
      for (const auto& b : bases) CHECK(exp.power(b, x) == Botan::power_mod(b, x, p));
    }
    CHECK_THROWS_AS(exp.power_g(two_256), std::invalid_argument);
    CHECK_THROWS_AS(exp.power(2, two_256), std::invalid_argument);
    CHECK_THROWS_AS(exp.power(p, 5), std::invalid_argument);
  }
  // Another generator and shorter exponents, so nothing relies on g = 2 or on 256 bits.
  const ravpn::crypto::detail::ModpExp five(prime(2), 5, 64);
  for (const auto& x : {Botan::BigInt(0), Botan::BigInt(7), Botan::BigInt::power_of_2(64) - 1}) {
    CHECK(five.power_g(x) == Botan::power_mod(5, x, prime(2)));
    CHECK(five.power(3, x) == Botan::power_mod(3, x, prime(2)));
  }
  CHECK(five.table_bytes() == 16 * 16 * 128);
}
