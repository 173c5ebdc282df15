// Phase 1 keys, HASH_I/HASH_R, phase 2 IVs and KEYMAT against vectors.py's independent computation.
#include <doctest/doctest.h>

#include "ike/crypto/crypto.hpp"
#include "tests/crypto/test_helpers.hpp"

using namespace ravpn::crypto;
using namespace ravpn::crypto::test;

namespace {

// The fixed inputs of vectors.py.
struct Fixture {
  Bytes psk = text("ravpn-test-psk");
  Bytes ni = pattern(32, 1, 0x10);
  Bytes nr = pattern(24, 3, 0x40);
  Bytes g_xy = pattern(128, 13, 5);
  Bytes g_xi = pattern(128, 17, 3);
  Bytes g_xr = pattern(128, 19, 11);
  Bytes cky_i = from_hex("0102030405060708");
  Bytes cky_r = from_hex("a1a2a3a4a5a6a7a8");
  Bytes sai_b = pattern(52, 5, 1);
  Bytes idii_b = from_hex("011101f4c0a8010a");
  Bytes idir_b = from_hex("011101f4cb007101");

  Phase1Keys derive(HashAlg h, CipherAlg c) const {
    return derive_phase1_psk({h, c, psk, ni, nr, g_xy, g_xi, g_xr, cky_i, cky_r});
  }
  AuthHashInputs auth(HashAlg h, const Phase1Keys& k, const Bytes& id_b) const {
    return {h, k.skeyid, g_xi, g_xr, cky_i, cky_r, sai_b, id_b};
  }
};

struct Expected {
  HashAlg hash;
  CipherAlg cipher;
  const char *skeyid, *skeyid_d, *skeyid_a, *skeyid_e, *enc_key, *iv;
};

}  // namespace

TEST_CASE("derive_phase1_psk matches vectors.py, with appendix B key expansion") {
  const Fixture f;
  const Expected cases[] = {
      {HashAlg::Md5, CipherAlg::TripleDes, "174604543b13a86ab52579d9e85411d6", "dcb14ca4bd8f308a59eea86bc3e6bd0d",
       "c3eb2edb3a1f181351354e36f3421bf9", "9b367905b158cf561576304f9c196e97",
       "e552fa76732f138fde65ed4a87dbc6e4a58bed10b8de755f", "c2cb77f42053237c"},
      {HashAlg::Sha1, CipherAlg::TripleDes, "542ff215df53facdf73c57e9cc1fc662b37da2de",
       "c840668f69ebf83d97f999f1053d41dd3bbe3c56", "ce5ae6332752fe1f76b5b725b228aa06f8346fa7",
       "a3face79135a611789fd53860146699cdf8e8d62", "9a1193951b4ef1d1650b749a0f27c76b25e1d89bb0731bb6",
       "1ddbb935ad976fa9"},
      {HashAlg::Sha1, CipherAlg::Aes256, "542ff215df53facdf73c57e9cc1fc662b37da2de",
       "c840668f69ebf83d97f999f1053d41dd3bbe3c56", "ce5ae6332752fe1f76b5b725b228aa06f8346fa7",
       "a3face79135a611789fd53860146699cdf8e8d62",
       "9a1193951b4ef1d1650b749a0f27c76b25e1d89bb0731bb64917b95a1ac5d69c", "1ddbb935ad976fa9283d6fd78f386d32"},
      {HashAlg::Sha256, CipherAlg::Aes128, "698499eee6f0bdf06bc9cdbc278c8908f66d515097ccbc8cd15f400af2bfca38",
       "c25d0c6864f007a6d20a6252b0c28b21e7077765754ab19f552e921b999c2207",
       "ca6f96086b4154f18a336c3c1a6846aa1c7842924de4950f1eac402a13f7c0ba",
       "1186ee75613f3ce4c923115d3e976bea22fb090c0d293d7a546dd3dfaf3162bd", "1186ee75613f3ce4c923115d3e976bea",
       "c9d821e80fb1c45110d573b230362649"},
      {HashAlg::Md5, CipherAlg::Des, "174604543b13a86ab52579d9e85411d6", "dcb14ca4bd8f308a59eea86bc3e6bd0d",
       "c3eb2edb3a1f181351354e36f3421bf9", "9b367905b158cf561576304f9c196e97", "9b367905b158cf56",
       "c2cb77f42053237c"},
  };
  for (const auto& e : cases) {
    CAPTURE(name(e.hash));
    CAPTURE(name(e.cipher));
    const auto k = f.derive(e.hash, e.cipher);
    CHECK(to_hex(k.skeyid) == e.skeyid);
    CHECK(to_hex(k.skeyid_d) == e.skeyid_d);
    CHECK(to_hex(k.skeyid_a) == e.skeyid_a);
    CHECK(to_hex(k.skeyid_e) == e.skeyid_e);
    CHECK(to_hex(k.enc_key) == e.enc_key);
    CHECK(to_hex(k.iv) == e.iv);
  }
}

TEST_CASE("derive_phase1_psk insists on 8-byte cookies") {
  Fixture f;
  f.cky_r.pop_back();
  CHECK_THROWS(f.derive(HashAlg::Sha1, CipherAlg::Aes128));
}

TEST_CASE("HASH_I and HASH_R match vectors.py") {
  const Fixture f;
  const auto md5 = f.derive(HashAlg::Md5, CipherAlg::TripleDes);
  CHECK(to_hex(hash_i(f.auth(HashAlg::Md5, md5, f.idii_b))) == "cf0b39f3a8d8fcdc1a3ed024b1082ef5");
  CHECK(to_hex(hash_r(f.auth(HashAlg::Md5, md5, f.idir_b))) == "3f82598df099bf2fdd2ab2aca5c476a4");
  const auto sha1 = f.derive(HashAlg::Sha1, CipherAlg::TripleDes);
  const auto hi = hash_i(f.auth(HashAlg::Sha1, sha1, f.idii_b));
  CHECK(to_hex(hi) == "5afa0e5a5bba1154eb508838e6b6f7a57185d8dd");
  CHECK(to_hex(hash_r(f.auth(HashAlg::Sha1, sha1, f.idir_b))) == "fcb43e3008432e7f22a62d84dcf9c8e548cfb636");
  // The responder's check of a received HASH_I.
  CHECK(constant_time_equal(hi, from_hex("5afa0e5a5bba1154eb508838e6b6f7a57185d8dd")));
}

TEST_CASE("phase2_iv matches vectors.py") {
  CHECK(to_hex(phase2_iv(HashAlg::Sha1, CipherAlg::TripleDes, from_hex("0011223344556677"), 0x9a7b3c1d)) ==
        "2c43ecce173073c2");
  CHECK(to_hex(phase2_iv(HashAlg::Sha256, CipherAlg::Aes256, pattern(16, 9, 2), 0x01020304)) ==
        "fe1f145e3955b6d1186c2c2a4a092399");
}

TEST_CASE("quick_mode_keymat matches vectors.py, with and without PFS") {
  const Fixture f;
  const auto skeyid_d = f.derive(HashAlg::Sha1, CipherAlg::TripleDes).skeyid_d;
  const Bytes spi = from_hex("c0ffee01");
  constexpr uint8_t kProtoEsp = 3;
  // 3DES + HMAC-SHA1: 24 + 20 = 44 bytes, three SHA-1 blocks.
  const auto no_pfs = quick_mode_keymat(HashAlg::Sha1, skeyid_d, {}, kProtoEsp, spi, f.ni, f.nr, 44);
  CHECK(to_hex(no_pfs) ==
        "059ab16c12e3bb1447429f7702904e999843cf4aac79dc614c59a723238bf98410b724f446d4bdafd145b5d9");
  const auto pfs = quick_mode_keymat(HashAlg::Sha1, skeyid_d, pattern(96, 23, 7), kProtoEsp, spi, f.ni, f.nr, 44);
  CHECK(to_hex(pfs) ==
        "4d70e53ab86e4827d25a22affb04d03b8e708adcd110b130a309b9b03869e62d14f8d051edb6d4251a674650");
  CHECK(to_hex(quick_mode_keymat(HashAlg::Sha1, skeyid_d, {}, kProtoEsp, spi, f.ni, f.nr, 16)) ==
        "059ab16c12e3bb1447429f7702904e99");
  CHECK(quick_mode_keymat(HashAlg::Sha1, skeyid_d, {}, kProtoEsp, spi, f.ni, f.nr, 0).empty());
}
