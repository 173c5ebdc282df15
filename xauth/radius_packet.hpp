// RADIUS packets for PAP authentication (RFC 2865), with Message-Authenticator (RFC 3579 3.2): building an
// Access-Request and checking the answer. No sockets here; xauth/radius_backend.cpp sends and receives.
#pragma once
#include <array>
#include <cstdint>
#include <expected>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <botan/secmem.h>

#include "pool/ipv4.hpp"
#include "xauth/authorization.hpp"

namespace ravpn::xauth::radius {

// RFC 2865 section 3 (codes), 5 (attributes); RFC 3579 3.2 (Message-Authenticator).
enum Code : uint8_t { AccessRequest = 1, AccessAccept = 2, AccessReject = 3, AccessChallenge = 11 };
enum Attribute : uint8_t {
  UserName = 1,
  UserPassword = 2,
  NasIpAddress = 4,
  ServiceType = 6,
  FramedIpAddress = 8,
  ReplyMessage = 18,
  Class = 25,
  SessionTimeout = 27,
  IdleTimeout = 28,
  CallingStationId = 31,
  NasPortType = 61,
  MessageAuthenticator = 80,
  AcctInterimInterval = 85,
};
inline constexpr uint32_t kServiceTypeLogin = 1;     // RFC 2865 5.6
inline constexpr uint32_t kNasPortTypeVirtual = 5;   // RFC 2865 5.41
inline constexpr size_t kHeaderLength = 20;
inline constexpr size_t kMaxPacketLength = 4096;     // RFC 2865 3
inline constexpr size_t kMaxPasswordLength = 128;    // RFC 2865 5.2
inline constexpr size_t kMaxStringLength = 253;      // one attribute's value

using Authenticator = std::array<uint8_t, 16>;
using Bytes = Botan::secure_vector<uint8_t>;

// RFC 2865 5.2: the password, padded with zeros to a multiple of 16, XORed block by block with
// MD5(secret + request authenticator), then MD5(secret + the previous hidden block).
Bytes hide_password(std::span<const uint8_t> password, std::string_view secret, const Authenticator& request);

struct Request {
  uint8_t identifier = 0;
  Authenticator authenticator{};  // random, unpredictable (RFC 2865 3)
  std::string user;
  std::span<const uint8_t> password;
  Ipv4 nas_address;
  std::string calling_station;    // the client's address, dotted
};

// An Access-Request: Message-Authenticator first (as draft-ietf-radext-deprecating-radius asks against
// BLAST-RADIUS), User-Name, User-Password (hidden), NAS-IP-Address, Service-Type Login, NAS-Port-Type Virtual,
// Calling-Station-Id. Errors: a user name or password longer than an attribute holds, an empty user name.
std::expected<Bytes, std::string> build_access_request(const Request& request, std::string_view secret);

// At most this many Class attributes are kept from one answer (each up to 253 bytes; all are echoed).
inline constexpr size_t kMaxClasses = 8;

struct Reply {
  Code code = AccessReject;
  std::string reply_message;  // Reply-Message attributes joined with blanks (what the server says to the user)
  Authorization authorization;  // of an Access-Accept
};

// MD5(code, identifier, length, request authenticator, attributes, secret) over `packet` (RFC 2865 3, RFC 2866 3);
// `request` is the request as sent. The comparison is in constant time.
Authenticator response_authenticator(std::span<const uint8_t> packet, std::span<const uint8_t> request,
                                     std::string_view secret);
bool response_authenticator_matches(std::span<const uint8_t> packet, std::span<const uint8_t> request,
                                    std::string_view secret);

// Checks an answer to `request` (the packet as sent): length and attribute layout, identifier, Response
// Authenticator = MD5(code, identifier, length, request authenticator, attributes, secret) (RFC 2865 3), and the
// Message-Authenticator when present (RFC 3579 3.2: HMAC-MD5 over the answer with the request authenticator in
// place and the attribute zeroed). Errors name what failed; such an answer is to be dropped silently.
std::expected<Reply, std::string> check_reply(std::span<const uint8_t> packet, std::span<const uint8_t> request,
                                              std::string_view secret);

}  // namespace ravpn::xauth::radius
