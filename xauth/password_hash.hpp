// The password hashes of Cisco `username` lines, checked against the clear password Xauth delivers.
#pragma once
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace ravpn::xauth {

using PasswordBytes = std::span<const uint8_t>;

// Equal length and content, without an early exit on content (the time depends only on the lengths).
bool constant_time_equal(PasswordBytes a, PasswordBytes b);

// FreeBSD/PHK md5-crypt, "$1$SALT$HASH" (IOS `secret 5`): the salt is cut at 8 characters or at a '$'.
std::string md5_crypt(PasswordBytes password, std::string_view salt);
// False for a hash that is not "$1$SALT$" + 22 characters.
bool md5_crypt_matches(PasswordBytes password, std::string_view hash);

// PIX 6.x `encrypted` passwords: MD5 of the password (+ the first 4 characters of the user name, repeated when
// shorter, for `username` lines; nothing for `enable password` / `passwd`) null-padded or truncated to 16 bytes;
// bytes 0-2, 4-6, 8-10, 12-14 of the digest in crypt's base64. 16 characters.
std::string pix_md5(PasswordBytes password, std::string_view user);
// PIX refuses passwords over 16 bytes, so they never match.
bool pix_md5_matches(PasswordBytes password, std::string_view user, std::string_view hash);

}  // namespace ravpn::xauth
