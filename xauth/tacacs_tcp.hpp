// TCP carriage of TACACS+ packets (RFC 8907 4: one TCP connection, whole packets = header + announced body), for
// authentication (xauth/tacacs_backend.cpp) and accounting (xauth/accounting_exchange.cpp). Blocking with a
// deadline: worker threads only.
#pragma once
#include <chrono>
#include <expected>
#include <span>
#include <string>
#include <utility>

#include <unistd.h>

#include "pool/ipv4.hpp"
#include "xauth/tacacs_packet.hpp"

namespace ravpn::xauth::tacacs {

using Clock = std::chrono::steady_clock;

class Connection {
 public:
  Connection() = default;
  explicit Connection(int fd) : fd_(fd) {}
  Connection(Connection&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
  Connection& operator=(Connection&& o) noexcept {
    if (this != &o) {
      reset();
      fd_ = std::exchange(o.fd_, -1);
    }
    return *this;
  }
  ~Connection() { reset(); }
  void reset() {
    if (fd_ >= 0) close(fd_);
    fd_ = -1;
  }
  int fd() const { return fd_; }
  explicit operator bool() const { return fd_ >= 0; }

 private:
  int fd_ = -1;
};

std::expected<Connection, std::string> connect_to(Ipv4 address, uint16_t port, Clock::time_point deadline);
// "" when everything went, else why not.
std::string send_all(int fd, ByteView bytes, Clock::time_point deadline);
// One whole packet: the header, then as many body bytes as it announces (at most kMaxBodyLength).
std::expected<Bytes, std::string> receive_packet(int fd, Clock::time_point deadline);

}  // namespace ravpn::xauth::tacacs
