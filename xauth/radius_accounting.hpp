// RADIUS accounting packets (RFC 2866): the Accounting-Request a session's Start, Interim-Update and Stop travel in,
// and the check of the server's Accounting-Response. Parse/serialise pairs: the parse side of the request is for the
// tests (and any replay tool); the daemon only sends requests and checks answers. No sockets here.
#pragma once
#include <cstdint>
#include <expected>
#include <span>
#include <string>
#include <string_view>

#include "xauth/accounting_record.hpp"
#include "xauth/radius_packet.hpp"

namespace ravpn::xauth::radius {

// RFC 2866 3 (codes), 5 (attributes); RFC 2869 5.1/5.2 (Gigawords), 5.3 (Event-Timestamp); RFC 2865 5.7/5.8/5.25.
enum AccountingCode : uint8_t { AccountingRequest = 4, AccountingResponse = 5 };
enum AccountingAttribute : uint8_t {
  FramedProtocol = 7,
  NasIdentifier = 32,
  AcctStatusType = 40,
  AcctDelayTime = 41,
  AcctInputOctets = 42,
  AcctOutputOctets = 43,
  AcctSessionId = 44,
  AcctAuthentic = 45,
  AcctSessionTime = 46,
  AcctInputPackets = 47,
  AcctOutputPackets = 48,
  AcctTerminateCause = 49,
  AcctInputGigawords = 52,
  AcctOutputGigawords = 53,
  EventTimestamp = 55,
};
inline constexpr uint32_t kServiceTypeFramed = 2;   // RFC 2865 5.6
inline constexpr uint32_t kFramedProtocolPpp = 1;   // RFC 2865 5.7 (what Cisco sends for a VPN client session)
inline constexpr uint32_t kAcctAuthenticRadius = 1; // RFC 2866 5.6
inline constexpr uint32_t kAcctAuthenticLocal = 2;

struct AccountingRequestData {
  uint8_t identifier = 0;
  accounting::Record record;
  Ipv4 nas_address;         // NAS-IP-Address: the source address the request leaves from
  std::string nas_identifier;  // NAS-Identifier (the hostname); empty = left out
  uint32_t delay_seconds = 0;  // Acct-Delay-Time (RFC 2866 5.2): how long the record waited to be sent
  bool radius_authenticated = true;  // Acct-Authentic RADIUS or Local
};

// The request: Acct-Status-Type, Acct-Session-Id, User-Name, NAS-IP-Address, [NAS-Identifier], NAS-Port-Type
// Virtual, Service-Type Framed, Framed-Protocol PPP, Calling-Station-Id, [Framed-IP-Address], Class (each, as
// received), Acct-Authentic, Event-Timestamp, Acct-Delay-Time; Interim and Stop add Acct-Session-Time, octets (low 32
// bits + Gigawords), packets (saturated at 2^32-1); Stop adds Acct-Terminate-Cause. Request Authenticator =
// MD5(code, identifier, length, 16 zero octets, attributes, secret) (RFC 2866 3). Errors: a field longer than an
// attribute holds, an empty session id.
std::expected<Bytes, std::string> build_accounting_request(const AccountingRequestData& request,
                                                           std::string_view secret);
// The other way (tests, tools): checks the layout and the Request Authenticator, reads back what build wrote.
// Unknown attributes are skipped.
std::expected<AccountingRequestData, std::string> parse_accounting_request(std::span<const uint8_t> packet,
                                                                           std::string_view secret);

// An Accounting-Response to `request` (the server's side, for tests): Response Authenticator = MD5(code,
// identifier, length, request authenticator, attributes, secret).
Bytes build_accounting_response(std::span<const uint8_t> request, std::string_view secret);
// Checks an answer to `request` (as sent): code 5, identifier, length and attribute layout, Response Authenticator.
// Any error means: drop it and keep waiting (RFC 2866 3).
std::expected<void, std::string> check_accounting_response(std::span<const uint8_t> packet,
                                                           std::span<const uint8_t> request, std::string_view secret);

}  // namespace ravpn::xauth::radius
