// CBC known answers: NIST SP 800-38A F.2.1/F.2.3/F.2.5 (AES), FIPS 81 appendix C and openssl (DES, 3DES).
#include <doctest/doctest.h>

#include "ike/crypto/crypto.hpp"
#include "tests/crypto/test_helpers.hpp"

using namespace ravpn::crypto;
using namespace ravpn::crypto::test;

namespace {

void check_cbc(CipherAlg alg, std::string_view key, std::string_view iv, const Bytes& plain, std::string_view cipher) {
  const Bytes k = from_hex(key), v = from_hex(iv);
  CHECK(to_hex(cbc_encrypt(alg, k, v, plain)) == cipher);
  const auto back = cbc_decrypt(alg, k, v, from_hex(cipher));
  REQUIRE(back);
  CHECK(*back == plain);
}

const char* kSp800_38aPlain =
    "6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e51"
    "30c81c46a35ce411e5fbc1191a0a52eff69f2445df4f9b17ad2b417be66c3710";

}  // namespace

TEST_CASE("AES-CBC: SP 800-38A") {
  const Bytes plain = from_hex(kSp800_38aPlain);
  const char* iv = "000102030405060708090a0b0c0d0e0f";
  check_cbc(CipherAlg::Aes128, "2b7e151628aed2a6abf7158809cf4f3c", iv, plain,
            "7649abac8119b246cee98e9b12e9197d5086cb9b507219ee95db113a917678b2"
            "73bed6b8e3c1743b7116e69e222295163ff1caa1681fac09120eca307586e1a7");
  check_cbc(CipherAlg::Aes192, "8e73b0f7da0e6452c810f32b809079e562f8ead2522c6b7b", iv, plain,
            "4f021db243bc633d7178183a9fa071e8b4d9ada9ad7dedf4e5e738763f69145a"
            "571b242012fb7ae07fa9baac3df102e008b0e27988598881d920a9e64f5615cd");
  check_cbc(CipherAlg::Aes256, "603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4", iv, plain,
            "f58c4c04d6e5f1ba779eabfb5f7bfbd69cfc4e967edb808d679f777bc6702c7d"
            "39f23369a9d9bacfa530e26304231461b2eb05e2c39be9fcda6c19078c6a9d1b");
}

TEST_CASE("DES-CBC: FIPS 81 appendix C and openssl") {
  check_cbc(CipherAlg::Des, "0123456789abcdef", "1234567890abcdef", text("Now is the time for all "),
            "e5c7cdde872bf27c43e934008c389c0f683788499a7c05f6");
  // vectors.py: openssl enc -des-cbc
  check_cbc(CipherAlg::Des, "133457799bbcdff1", "0102030405060708", pattern(32, 7, 3),
            "08ec077009fdfa5ccfd85a3a39be75590281f07a879e5d380de679191d726645");
}

TEST_CASE("3DES-CBC: openssl des-ede3-cbc") {
  check_cbc(CipherAlg::TripleDes, "0123456789abcdef23456789abcdef01456789abcdef0123", "0102030405060708",
            pattern(32, 7, 3), "3a153685b3d8aa5abcc85d2e6dda7fece38569593144ba54613e6523c7bbb9ca");
}

TEST_CASE("CBC rejects partial blocks and wrong key or IV sizes") {
  const Bytes key16(16, 1), iv16(16, 2);
  CHECK_FALSE(cbc_decrypt(CipherAlg::Aes128, key16, iv16, Bytes(15)));
  CHECK_FALSE(cbc_decrypt(CipherAlg::Des, Bytes(8), Bytes(8), Bytes(12)));
  CHECK(cbc_decrypt(CipherAlg::Aes128, key16, iv16, Bytes{}) == Bytes{});  // zero blocks is whole blocks
  CHECK(cbc_encrypt(CipherAlg::Aes128, key16, iv16, Bytes{}).empty());
  CHECK_THROWS(cbc_encrypt(CipherAlg::Aes128, key16, iv16, Bytes(17)));
  CHECK_THROWS(cbc_encrypt(CipherAlg::Aes128, Bytes(15), iv16, Bytes(16)));
  CHECK_THROWS(cbc_encrypt(CipherAlg::Aes128, key16, Bytes(8), Bytes(16)));
}

TEST_CASE("Botan accepts DES weak keys (no weak-key check below the facade)") {
  // FIPS 74 weak key 0101010101010101: encrypting twice gives the plaintext back.
  const Bytes weak = from_hex("0101010101010101"), iv(8, 0), block = from_hex("0123456789abcdef");
  const Bytes once = cbc_encrypt(CipherAlg::Des, weak, iv, block);
  CHECK(cbc_encrypt(CipherAlg::Des, weak, iv, once) == block);
}
