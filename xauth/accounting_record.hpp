// What an accounting record says about one VPN session, independent of the protocol that carries it: RADIUS
// (RFC 2866, xauth/radius_accounting.*) or TACACS+ (RFC 8907 7, xauth/tacacs_accounting.*). Built on the event loop
// (ike/accounting.*), handed to the sender (xauth/accounting_sender.*) by value.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ike/clock.hpp"
#include "pool/ipv4.hpp"

namespace ravpn::xauth::accounting {

// RFC 2866 5.1 Acct-Status-Type; TACACS+ START / WATCHDOG / STOP (RFC 8907 7.2).
enum class Kind : uint8_t { Start = 1, Stop = 2, Interim = 3 };
const char* name(Kind);

// RFC 2866 5.10 Acct-Terminate-Cause (the values are the attribute's).
enum class Cause : uint32_t {
  UserRequest = 1,     // the client deleted its ISAKMP SA
  LostCarrier = 2,     // dead peer detection gave up, or the client reconnected (INITIAL-CONTACT)
  IdleTimeout = 4,
  SessionTimeout = 5,  // the group's max-time or RADIUS Session-Timeout
  AdminReset = 6,      // ravpnctl disconnect
  NasRequest = 10,     // ravpnd ended it: phase 1 lifetime, reload, a newer login of the user
  NasReboot = 11,      // ravpnd stopping
};
const char* name(Cause);           // "User-Request", as FreeRADIUS's dictionary writes it
const char* tacacs_reason(Cause);  // the same for a TACACS+ `disc-cause`-less stop: free text in `reason`

// Bytes and packets, "in" from the client (the inbound SA: RADIUS Acct-Input-*), "out" to it.
struct Traffic {
  uint64_t bytes_in = 0, bytes_out = 0, packets_in = 0, packets_out = 0;
  Traffic& operator+=(const Traffic& o) {
    bytes_in += o.bytes_in;
    bytes_out += o.bytes_out;
    packets_in += o.packets_in;
    packets_out += o.packets_out;
    return *this;
  }
  bool operator==(const Traffic&) const = default;
};

struct Session {
  std::string id;      // Acct-Session-Id / TACACS+ task_id: unique across restarts of this head-end
  std::string user;    // the Xauth user (raw; escaped where logged)
  std::string group;   // the client group (aggressive mode) or ""
  Ipv4 peer;           // the client's outer address
  std::optional<Ipv4> address;  // its inner (pool or Framed-IP) address
  std::vector<std::string> classes;  // RADIUS Class attributes of the Access-Accept, echoed as they came
  int64_t start_unix = 0;  // wall clock of the Start, seconds since the epoch
  bool operator==(const Session&) const = default;
};

struct Record {
  Kind kind = Kind::Start;
  Session session;
  Traffic traffic;           // Interim, Stop
  uint32_t session_seconds = 0;  // Interim, Stop
  Cause cause = Cause::NasRequest;  // Stop
  int64_t event_unix = 0;    // when it happened (wall clock)
  TimePoint made{};          // the same on the steady clock, for Acct-Delay-Time
};

}  // namespace ravpn::xauth::accounting
