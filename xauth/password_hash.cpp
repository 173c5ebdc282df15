#include "xauth/password_hash.hpp"

#include <algorithm>

#include <botan/hash.h>
#include <botan/mem_ops.h>
#include <botan/secmem.h>

namespace ravpn::xauth {
namespace {

using Secret = Botan::secure_vector<uint8_t>;

constexpr std::string_view md5_crypt_magic = "$1$";
constexpr size_t md5_crypt_max_salt = 8;
constexpr size_t md5_crypt_encoded_size = 22;
constexpr size_t pix_max_password = 16;

// crypt(3)'s base64 alphabet, least significant 6 bits first (FreeBSD _crypt_to64).
constexpr std::string_view itoa64 = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

void append_to64(std::string& out, uint32_t value, int chars) {
  for (int i = 0; i < chars; ++i) {
    out.push_back(itoa64[value & 0x3f]);
    value >>= 6;
  }
}

std::unique_ptr<Botan::HashFunction> make_md5() { return Botan::HashFunction::create_or_throw("MD5"); }

PasswordBytes bytes_of(std::string_view s) { return {reinterpret_cast<const uint8_t*>(s.data()), s.size()}; }

void update(Botan::HashFunction& hash, std::string_view text) {
  hash.update(reinterpret_cast<const uint8_t*>(text.data()), text.size());
}

bool strings_equal(std::string_view a, std::string_view b) { return constant_time_equal(bytes_of(a), bytes_of(b)); }

}  // namespace

bool constant_time_equal(PasswordBytes a, PasswordBytes b) {
  // Both padded to the longer length so the comparison itself never reads past either and never exits early.
  size_t n = std::max(a.size(), b.size());
  Secret pa(n), pb(n);
  std::copy(a.begin(), a.end(), pa.begin());
  std::copy(b.begin(), b.end(), pb.begin());
  bool same_content = n == 0 || Botan::constant_time_compare(pa.data(), pb.data(), n);
  return same_content & (a.size() == b.size());
}

// Poul-Henning Kamp's md5-crypt (FreeBSD lib/libcrypt/crypt-md5.c), step by step.
std::string md5_crypt(PasswordBytes password, std::string_view salt) {
  salt = salt.substr(0, std::min(salt.find('$'), md5_crypt_max_salt));
  auto md5 = make_md5();

  // The "alternate" sum: password, salt, password.
  md5->update(password.data(), password.size());
  update(*md5, salt);
  md5->update(password.data(), password.size());
  Secret alternate = md5->final();

  md5->update(password.data(), password.size());
  update(*md5, md5_crypt_magic);
  update(*md5, salt);
  for (size_t left = password.size(); left > 0; left -= std::min<size_t>(left, 16))
    md5->update(alternate.data(), std::min<size_t>(left, 16));
  // For each bit of the length, low bit first: a zero byte when set, the first password byte when clear.
  for (size_t bits = password.size(); bits != 0; bits >>= 1) {
    if (bits & 1) md5->update(uint8_t(0));
    else md5->update(password[0]);
  }
  Secret digest = md5->final();

  // 1000 rounds to slow down a dictionary attack.
  for (int round = 0; round < 1000; ++round) {
    if (round & 1) md5->update(password.data(), password.size());
    else md5->update(digest);
    if (round % 3) update(*md5, salt);
    if (round % 7) md5->update(password.data(), password.size());
    if (round & 1) md5->update(digest);
    else md5->update(password.data(), password.size());
    digest = md5->final();
  }

  std::string out(md5_crypt_magic);
  out += salt;
  out += '$';
  auto group = [&](int a, int b, int c) {
    append_to64(out, (uint32_t(digest[a]) << 16) | (uint32_t(digest[b]) << 8) | digest[c], 4);
  };
  group(0, 6, 12);
  group(1, 7, 13);
  group(2, 8, 14);
  group(3, 9, 15);
  group(4, 10, 5);
  append_to64(out, digest[11], 2);
  return out;
}

bool md5_crypt_matches(PasswordBytes password, std::string_view hash) {
  if (!hash.starts_with(md5_crypt_magic)) return false;
  std::string_view rest = hash.substr(md5_crypt_magic.size());
  size_t dollar = rest.find('$');
  if (dollar == std::string_view::npos || dollar > md5_crypt_max_salt) return false;
  if (rest.size() - dollar - 1 != md5_crypt_encoded_size) return false;
  return strings_equal(md5_crypt(password, rest.substr(0, dollar)), hash);
}

std::string pix_md5(PasswordBytes password, std::string_view user) {
  Secret block(16);
  size_t used = std::min(password.size(), block.size());
  std::copy_n(password.begin(), used, block.begin());
  if (!user.empty()) {
    // The user name's first 4 characters, repeated when it is shorter ("usr" -> "usru"), cut at 16 bytes.
    for (size_t i = 0; i < 4 && used < block.size(); ++i) block[used++] = uint8_t(user[i % user.size()]);
  }
  auto md5 = make_md5();
  md5->update(block);
  Secret digest = md5->final();
  std::string out;
  for (size_t i = 0; i < 16; i += 4)  // every 4th byte is dropped
    append_to64(out, uint32_t(digest[i]) | (uint32_t(digest[i + 1]) << 8) | (uint32_t(digest[i + 2]) << 16), 4);
  return out;
}

bool pix_md5_matches(PasswordBytes password, std::string_view user, std::string_view hash) {
  if (hash.size() != 16) return false;
  bool fits = password.size() <= pix_max_password;
  return strings_equal(pix_md5(password, user), hash) & fits;
}

}  // namespace ravpn::xauth
