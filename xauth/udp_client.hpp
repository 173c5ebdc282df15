// One connected UDP socket to one RADIUS server, and the send / wait / retransmit loop both RADIUS exchanges
// (Access-Request, Accounting-Request) run on it. Blocking: used on worker threads only.
//
// Connected: the kernel picks the source address (our NAS-IP-Address), drops datagrams from anyone but the server's
// address and port, and reports an ICMP port unreachable as ECONNREFUSED.
#pragma once
#include <cstdint>
#include <expected>
#include <functional>
#include <span>
#include <string>

#include "pool/ipv4.hpp"

namespace ravpn::xauth {

struct UdpOutcome {
  enum class Kind { Answered, Timeout, Error } kind = Kind::Timeout;
  std::string detail;       // Error: what went wrong
  unsigned sent = 0;        // datagrams sent (1 + retransmissions)
  unsigned dropped = 0;     // answers the check refused
  std::string why_dropped;  // the last such refusal
};

class UdpClient {
 public:
  static std::expected<UdpClient, std::string> open(Ipv4 address, uint16_t port);
  UdpClient(UdpClient&& o) noexcept : fd_(o.fd_), source_(o.source_) { o.fd_ = -1; }
  UdpClient(const UdpClient&) = delete;
  UdpClient& operator=(const UdpClient&) = delete;
  ~UdpClient();

  Ipv4 source() const { return source_; }
  // Sends `packet` up to 1 + retransmits times, waiting timeout_seconds after each, until `accept` takes an answer
  // (true). Answers it refuses are counted and waiting goes on (RFC 2865 3: dropped silently). The same bytes every
  // time (RFC 5080 2.2.1).
  using Accept = std::function<bool(std::span<const uint8_t> answer, std::string& why_not)>;
  UdpOutcome exchange(std::span<const uint8_t> packet, unsigned timeout_seconds, unsigned retransmits,
                      const Accept& accept);

 private:
  UdpClient(int fd, Ipv4 source) : fd_(fd), source_(source) {}
  int fd_ = -1;
  Ipv4 source_;
};

}  // namespace ravpn::xauth
