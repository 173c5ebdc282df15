// TACACS+ packets for authentication (RFC 8907): the 12-byte header, the body obfuscation with the shared key, and
// the authentication START, REPLY and CONTINUE bodies as parse/serialise pairs. No sockets here;
// xauth/tacacs_login.* runs one login over them and xauth/tacacs_backend.cpp carries the bytes over TCP.
//
// Strict where RFC 8907 fixes lengths: a body's length fields must add up to the body exactly, the header's length to
// what follows it. A reply decoded with the wrong key fails those checks (the pad scrambles the length fields), which
// is how a key mismatch shows.
#pragma once
#include <cstdint>
#include <expected>
#include <span>
#include <string>
#include <string_view>

#include <botan/secmem.h>

namespace ravpn::xauth::tacacs {

using Bytes = Botan::secure_vector<uint8_t>;  // bodies may carry the password
using ByteView = std::span<const uint8_t>;

// RFC 8907 4.1 (header), 5 (authentication).
inline constexpr uint16_t kPort = 49;
inline constexpr size_t kHeaderLength = 12;
inline constexpr uint8_t kMajorVersion = 0xc;
inline constexpr uint8_t kMinorDefault = 0x0;  // ASCII login
inline constexpr uint8_t kMinorOne = 0x1;      // PAP, CHAP (RFC 8907 5.4.1)
// Not in the RFC: the largest body this client reads. Real replies are a few hundred bytes; a length beyond this is a
// confused or hostile server, refused before any allocation.
inline constexpr uint32_t kMaxBodyLength = 16384;

enum class PacketType : uint8_t { Authentication = 1, Authorization = 2, Accounting = 3 };
enum Flag : uint8_t { Unencrypted = 0x01, SingleConnect = 0x04 };

struct Header {
  uint8_t version = kMajorVersion << 4 | kMinorDefault;
  PacketType type = PacketType::Authentication;
  uint8_t sequence = 1;  // the client's packets are odd, the server's even; the first is 1 (RFC 8907 4.1)
  uint8_t flags = 0;
  uint32_t session_id = 0;
  uint32_t length = 0;  // of the body that follows
  bool operator==(const Header&) const = default;
};

void write_header(const Header& h, Bytes& out);
// Checks what needs no context: 12 bytes, major version 0xc, a known type, length <= kMaxBodyLength.
std::expected<Header, std::string> parse_header(ByteView bytes);

// RFC 8907 4.5: the body XORed with MD5(session_id, key, version, seq_no [, previous MD5]) blocks. The same call
// obfuscates and deobfuscates. An empty key leaves the body as it is (the caller refuses that; see the backend).
void obfuscate(const Header& h, std::string_view key, std::span<uint8_t> body);

// RFC 8907 5.1. action LOGIN, privilege USER; authen_service LOGIN (what a Cisco box sends for a login it checks).
enum class AuthenType : uint8_t { Ascii = 1, Pap = 2 };
inline constexpr uint8_t kActionLogin = 1;
inline constexpr uint8_t kPrivilegeUser = 1;
inline constexpr uint8_t kServiceLogin = 1;
struct AuthenStart {
  uint8_t action = kActionLogin;
  uint8_t privilege = kPrivilegeUser;
  AuthenType type = AuthenType::Ascii;
  uint8_t service = kServiceLogin;
  std::string user;
  std::string port;
  std::string remote_address;
  Bytes data;  // PAP: the password
  bool operator==(const AuthenStart&) const = default;
};
// Fields longer than 255 bytes (one length octet each) are an error, never cut.
std::expected<Bytes, std::string> serialise(const AuthenStart& start);
std::expected<AuthenStart, std::string> parse_authen_start(ByteView body);

// RFC 8907 5.2.
enum class AuthenStatus : uint8_t {
  Pass = 0x01,
  Fail = 0x02,
  GetData = 0x03,
  GetUser = 0x04,
  GetPass = 0x05,
  Restart = 0x06,
  Error = 0x07,
  Follow = 0x21,
};
inline constexpr uint8_t kReplyNoEcho = 0x01;
struct AuthenReply {
  AuthenStatus status = AuthenStatus::Error;
  uint8_t flags = 0;
  std::string server_message;
  Bytes data;
  bool operator==(const AuthenReply&) const = default;
};
Bytes serialise(const AuthenReply& reply);  // (for the tests' server side) lengths beyond 16 bits: std::length_error
std::expected<AuthenReply, std::string> parse_authen_reply(ByteView body);

// RFC 8907 5.3.
inline constexpr uint8_t kContinueAbort = 0x01;
struct AuthenContinue {
  Bytes user_message;  // the answer to GETUSER / GETPASS: may be the password
  Bytes data;
  uint8_t flags = 0;
  bool operator==(const AuthenContinue&) const = default;
};
std::expected<Bytes, std::string> serialise(const AuthenContinue& c);
std::expected<AuthenContinue, std::string> parse_authen_continue(ByteView body);

// A whole packet: header (length filled in) + the body obfuscated with `key`.
Bytes seal(Header h, ByteView body, std::string_view key);
// The body of a whole packet, deobfuscated. Checks the header's length against what follows.
struct Opened {
  Header header;
  Bytes body;
};
std::expected<Opened, std::string> open(ByteView packet, std::string_view key);

std::string_view status_name(AuthenStatus s);  // "PASS", "GETPASS", ... or "unknown"

}  // namespace ravpn::xauth::tacacs
