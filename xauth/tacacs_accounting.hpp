// TACACS+ accounting (RFC 8907 7): the REQUEST body a session's START, WATCHDOG and STOP records travel in, the
// server's REPLY, and the one-packet exchange over TCP. Parse/serialise pairs for both bodies.
//
// The arguments are those of RFC 8907 8.3 a Cisco head-end sends for a network (PPP/IP) session: task_id,
// start_time, timezone, service=ppp, protocol=ip, addr (the client's inner address); WATCHDOG and STOP add
// elapsed_time, bytes_in/out, paks_in/out; STOP adds stop_time and disc-cause (the RADIUS cause number, as Cisco's
// `disc-cause` borrows it).
#pragma once
#include <cstdint>
#include <expected>
#include <string>
#include <vector>

#include "xauth/accounting_sender.hpp"
#include "xauth/tacacs_packet.hpp"

namespace ravpn::xauth::tacacs {

// RFC 8907 7.1 flags, 7.2 status; 5.1 authen_method TACACSPLUS.
enum AcctFlag : uint8_t { AcctStart = 0x02, AcctStop = 0x04, AcctWatchdog = 0x08 };
enum class AcctStatus : uint8_t { Success = 0x01, Error = 0x02, Follow = 0x21 };
inline constexpr uint8_t kAuthenMethodTacacsPlus = 0x06;

struct AcctRequest {
  uint8_t flags = AcctStart;
  uint8_t authen_method = kAuthenMethodTacacsPlus;
  uint8_t privilege = kPrivilegeUser;
  AuthenType authen_type = AuthenType::Ascii;
  uint8_t authen_service = kServiceLogin;
  std::string user;
  std::string port;
  std::string remote_address;
  std::vector<std::string> args;  // "name=value", each at most 255 bytes, at most 255 of them
  bool operator==(const AcctRequest&) const = default;
};
std::expected<Bytes, std::string> serialise(const AcctRequest& request);
std::expected<AcctRequest, std::string> parse_acct_request(ByteView body);

struct AcctReply {
  AcctStatus status = AcctStatus::Error;
  std::string server_message;
  std::string data;
  bool operator==(const AcctReply&) const = default;
};
Bytes serialise(const AcctReply& reply);  // (for the tests' server side)
std::expected<AcctReply, std::string> parse_acct_reply(ByteView body);

// The REQUEST for one accounting record (the arguments above; port "ravpn", rem_addr the client's address).
AcctRequest acct_request_for(const accounting::Record& record);

}  // namespace ravpn::xauth::tacacs

namespace ravpn::xauth::accounting {
// One record to one TACACS+ server: connect, REQUEST, REPLY SUCCESS (RFC 8907 7.2); one TCP session per try.
Delivery tacacs_accounting_exchange(const Server& server, const Record& record, uint32_t delay_seconds);
}  // namespace ravpn::xauth::accounting
