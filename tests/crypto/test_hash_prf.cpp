// Hashes and HMAC: RFC 2202 (HMAC-MD5, HMAC-SHA-1) and RFC 4231 (HMAC-SHA-2) known answers.
#include <doctest/doctest.h>

#include "ike/crypto/crypto.hpp"
#include "tests/crypto/test_helpers.hpp"

using namespace ravpn::crypto;
using namespace ravpn::crypto::test;

TEST_CASE("algorithm sizes and names") {
  CHECK(hash_size(HashAlg::Md5) == 16);
  CHECK(hash_size(HashAlg::Sha1) == 20);
  CHECK(hash_size(HashAlg::Sha256) == 32);
  CHECK(hash_size(HashAlg::Sha384) == 48);
  CHECK(hash_size(HashAlg::Sha512) == 64);
  CHECK(cipher_key_size(CipherAlg::Des) == 8);
  CHECK(cipher_key_size(CipherAlg::TripleDes) == 24);
  CHECK(cipher_key_size(CipherAlg::Aes128) == 16);
  CHECK(cipher_key_size(CipherAlg::Aes192) == 24);
  CHECK(cipher_key_size(CipherAlg::Aes256) == 32);
  CHECK(cipher_block_size(CipherAlg::TripleDes) == 8);
  CHECK(cipher_block_size(CipherAlg::Aes192) == 16);
  CHECK(std::string(name(HashAlg::Sha1)) == "SHA1");
  CHECK(std::string(name(CipherAlg::TripleDes)) == "3DES-CBC");
  CHECK(std::string(name(CipherAlg::Aes128)) == "AES-CBC-128");
  CHECK(is_weak(HashAlg::Md5));
  CHECK_FALSE(is_weak(HashAlg::Sha1));
  CHECK(is_weak(CipherAlg::Des));
  CHECK(is_weak(CipherAlg::TripleDes));
  CHECK_FALSE(is_weak(CipherAlg::Aes256));
}

TEST_CASE("hash: FIPS 180 / RFC 1321 'abc'") {
  const Bytes abc = text("abc");
  CHECK(to_hex(hash(HashAlg::Md5, abc)) == "900150983cd24fb0d6963f7d28e17f72");
  CHECK(to_hex(hash(HashAlg::Sha1, abc)) == "a9993e364706816aba3e25717850c26c9cd0d89d");
  CHECK(to_hex(hash(HashAlg::Sha256, abc)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(hash(HashAlg::Sha384, abc).size() == 48);
  CHECK(hash(HashAlg::Sha512, abc).size() == 64);
}

TEST_CASE("HMAC-MD5 and HMAC-SHA-1: RFC 2202") {
  const Bytes hi = text("Hi There");
  const Bytes jefe = text("Jefe");
  const Bytes what = text("what do ya want for nothing?");
  const Bytes big_key(80, 0xaa);
  const Bytes big_msg = text("Test Using Larger Than Block-Size Key - Hash Key First");
  // §2 test cases 1, 2, 6
  CHECK(to_hex(prf(HashAlg::Md5, Bytes(16, 0x0b), hi)) == "9294727a3638bb1c13f48ef8158bfc9d");
  CHECK(to_hex(prf(HashAlg::Md5, jefe, what)) == "750c783e6ab0b503eaa86e310a5db738");
  CHECK(to_hex(prf(HashAlg::Md5, big_key, big_msg)) == "6b1ab7fe4bd7bf8f0b62e6ce61b9d0cd");
  // §3 test cases 1, 2, 6
  CHECK(to_hex(prf(HashAlg::Sha1, Bytes(20, 0x0b), hi)) == "b617318655057264e28bc0b6fb378c8ef146be00");
  CHECK(to_hex(prf(HashAlg::Sha1, jefe, what)) == "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79");
  CHECK(to_hex(prf(HashAlg::Sha1, big_key, big_msg)) == "aa4ae5e15272d00e95705637ce8a3b55ed402112");
}

TEST_CASE("HMAC-SHA-256/384/512: RFC 4231 test cases 1 and 2") {
  const Bytes key1(20, 0x0b);
  const Bytes hi = text("Hi There");
  CHECK(to_hex(prf(HashAlg::Sha256, key1, hi)) == "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
  CHECK(to_hex(prf(HashAlg::Sha384, key1, hi)) ==
        "afd03944d84895626b0825f4ab46907f15f9dadbe4101ec682aa034c7cebc59cfaea9ea9076ede7f4af152e8b2fa9cb6");
  CHECK(to_hex(prf(HashAlg::Sha512, key1, hi)) ==
        "87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cdedaa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f1702e696c203a126854");
  const Bytes jefe = text("Jefe");
  const Bytes what = text("what do ya want for nothing?");
  CHECK(to_hex(prf(HashAlg::Sha256, jefe, what)) == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  CHECK(to_hex(prf(HashAlg::Sha384, jefe, what)) ==
        "af45d2e376484031617f78d2b58a6b1b9c7ef464f5a01b47e42ec3736322445e8e2240ca5e69e2c78b3239ecfab21649");
  CHECK(to_hex(prf(HashAlg::Sha512, jefe, what)) ==
        "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea2505549758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737");
}

TEST_CASE("incremental Prf equals one-shot prf and is reusable after final()") {
  const Bytes key = text("Jefe");
  Prf p(HashAlg::Sha1, key);
  const auto first = p.update(text("what do ya ")).update(uint8_t{'w'}).update(text("ant for nothing?")).final();
  CHECK(to_hex(first) == "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79");
  const auto second = p.update(text("what do ya want for nothing?")).final();
  CHECK(to_hex(second) == to_hex(first));
  Prf moved = std::move(p);
  CHECK(to_hex(moved.update(text("what do ya want for nothing?")).final()) == to_hex(first));
  CHECK(prf(HashAlg::Md5, Bytes{}, Bytes{}).size() == 16);  // an empty key is legal HMAC
}

TEST_CASE("constant_time_equal") {
  const Bytes a = from_hex("00112233");
  CHECK(constant_time_equal(a, from_hex("00112233")));
  CHECK_FALSE(constant_time_equal(a, from_hex("00112234")));
  CHECK_FALSE(constant_time_equal(a, from_hex("001122")));
  CHECK_FALSE(constant_time_equal(a, from_hex("0011223300")));
  CHECK(constant_time_equal(Bytes{}, Bytes{}));
}
