#include <doctest/doctest.h>

#include <string>

#include "xauth/password_hash.hpp"

using namespace ravpn::xauth;

namespace {
PasswordBytes bytes(const std::string& s) { return {reinterpret_cast<const uint8_t*>(s.data()), s.size()}; }
}  // namespace

TEST_CASE("constant-time comparison handles different lengths") {
  CHECK(constant_time_equal(bytes("secret"), bytes("secret")));
  CHECK(constant_time_equal(bytes(""), bytes("")));
  CHECK_FALSE(constant_time_equal(bytes("secret"), bytes("secreT")));
  CHECK_FALSE(constant_time_equal(bytes("secret"), bytes("secret!")));
  CHECK_FALSE(constant_time_equal(bytes("secret"), bytes("")));
  CHECK_FALSE(constant_time_equal(bytes(std::string("abc\0", 4)), bytes("abc")));  // padding is not content
}

// Vectors from `openssl passwd -1 -salt SALT PASSWORD` on the build machine; the first two and the last one are
// also published: IOS `username amine secret 5 ...` for "cisco" (Cisco Learning Network, 2009) and
// `enable secret weakpassword` (Network Engineering Stack Exchange 70516).
TEST_CASE("md5-crypt matches openssl passwd -1") {
  struct Vector {
    std::string password, salt, hash;
  };
  const Vector vectors[] = {
      {"cisco", "FOMe", "$1$FOMe$cMMrqnqw9JAgymVEUnPWZ1"},
      {"cisco", "BNYO", "$1$BNYO$Tj4TcNVecImsT09EAjS/v0"},
      {"password", "saltsalt", "$1$saltsalt$qjXMvbEw8oaL.CzflDtaK/"},
      {"", "a", "$1$a$8CfZSfErbeskipdhZHtvu."},
      {"0123456789abcdefghijklmnopqrstuvwxyz0123456789", "12345678", "$1$12345678$s2L7TgFiJ2v8Kguc1rtgo0"},
      {"XXXXXXXXXXXXXXXX", "Ab12", "$1$Ab12$hWBBeCu0LaSghLY/R1fjM/"},
      {"x", "0Z4m", "$1$0Z4m$IURkCo6MO.iq/vSLuj4tf1"},
      {"weakpassword", "mERr", "$1$mERr$A4DAiA6cbNxoV7Y2eEVOA0"},
  };
  for (const auto& v : vectors) {
    CAPTURE(v.hash);
    CHECK(md5_crypt(bytes(v.password), v.salt) == v.hash);
    CHECK(md5_crypt_matches(bytes(v.password), v.hash));
    CHECK_FALSE(md5_crypt_matches(bytes(v.password + "x"), v.hash));
  }
}

TEST_CASE("md5-crypt salt handling and malformed hashes") {
  CHECK(md5_crypt(bytes("password"), "saltsaltEXTRA") == "$1$saltsalt$qjXMvbEw8oaL.CzflDtaK/");  // 8 characters
  CHECK(md5_crypt(bytes("cisco"), "FOMe$rest") == "$1$FOMe$cMMrqnqw9JAgymVEUnPWZ1");           // cut at '$'
  CHECK_FALSE(md5_crypt_matches(bytes("cisco"), "$1$FOMe$cMMrqnqw9JAgymVEUnPWZ"));   // 21 characters
  CHECK_FALSE(md5_crypt_matches(bytes("cisco"), "$1$FOMe$cMMrqnqw9JAgymVEUnPWZ1x"));  // 23 characters
  CHECK_FALSE(md5_crypt_matches(bytes("cisco"), "$5$FOMe$cMMrqnqw9JAgymVEUnPWZ1"));
  CHECK_FALSE(md5_crypt_matches(bytes("cisco"), "$1$FOMecMMrqnqw9JAgymVEUnPWZ1"));
  CHECK_FALSE(md5_crypt_matches(bytes("cisco"), "$1$toolongsalt$cMMrqnqw9JAgymVEUnPWZ1"));
  CHECK_FALSE(md5_crypt_matches(bytes("cisco"), ""));
}

// Published PIX pairs: `enable password 8Ry2YjIyt7RRXU24 encrypted` (empty) and `passwd 2KFQnbNIdI.2KYOU encrypted`
// ("cisco") from PIX default configurations; the others are passlib's cisco_pix reference vectors (user-salted:
// `username rramsey password jgBZqYtsWfGcUKDi encrypted` is "cangetin"). Cross-checked with Python's hashlib.
TEST_CASE("PIX-MD5 matches published hashes") {
  struct Vector {
    std::string password, user, hash;
  };
  const Vector vectors[] = {
      {"", "", "8Ry2YjIyt7RRXU24"},
      {"cisco", "", "2KFQnbNIdI.2KYOU"},
      {"password", "", "NuLKvvWGg.x9HEKO"},
      {"cangetin", "", "TynyB./ftknE77QP"},
      {"0123456789abcdef", "", ".7nfVBEIEu4KbF/1"},
      {"password", "user", "A5XOy94YKDPXCo7U"},
      {"cangetin", "rramsey", "jgBZqYtsWfGcUKDi"},
      {"cisco", "john", "hN7LzeyYjw12FSIU"},
      {"cisco", "cisco1", "3USUcOPFUiMCO4Jk"},                 // only 4 characters of the name count
      {"01234567", "3", ".z0dT9Alkdc7EIGS"},                   // short names repeat: "3333"
      {"01234567", "365", "8xPrWpNnBdD2DzdZ"},                 // "3653"
      {"0123456789abcd", "adm", "DbPLCFIkHc2SiyDk"},           // "adma" cut to 16 bytes
      {"0123456789abcdef", "user", ".7nfVBEIEu4KbF/1"},        // no room for the name
  };
  for (const auto& v : vectors) {
    CAPTURE(v.hash);
    CHECK(pix_md5(bytes(v.password), v.user) == v.hash);
    CHECK(pix_md5_matches(bytes(v.password), v.user, v.hash));
    CHECK_FALSE(pix_md5_matches(bytes(v.password + "x"), v.user, v.hash));
  }
}

TEST_CASE("PIX-MD5 refuses passwords over 16 bytes and malformed hashes") {
  // Truncation would make these equal to the 16-byte password; PIX does not accept longer passwords at all.
  CHECK(pix_md5(bytes("0123456789abcdefEXTRA"), "") == ".7nfVBEIEu4KbF/1");
  CHECK_FALSE(pix_md5_matches(bytes("0123456789abcdefEXTRA"), "", ".7nfVBEIEu4KbF/1"));
  CHECK_FALSE(pix_md5_matches(bytes(""), "", "8Ry2YjIyt7RRXU2"));
  CHECK_FALSE(pix_md5_matches(bytes(""), "", "8Ry2YjIyt7RRXU24 "));
  CHECK_FALSE(pix_md5_matches(bytes(""), "", ""));
}
