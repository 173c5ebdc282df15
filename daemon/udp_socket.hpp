// A non-blocking UDP socket bound to one local address and port. On the NAT-T port (4500) IKE datagrams carry
// a 4-byte zero non-ESP marker (RFC 3948 §2.2) which this layer strips on receive and adds on send.
#pragma once
#include <optional>
#include <string>

#include "ike/endpoint.hpp"

namespace ravpn::daemon {

class UdpSocket {
 public:
  // Throws std::runtime_error with the system's reason when the address cannot be bound.
  explicit UdpSocket(ike::Endpoint local);
  ~UdpSocket();
  UdpSocket(UdpSocket&&) noexcept;
  UdpSocket(const UdpSocket&) = delete;
  UdpSocket& operator=(const UdpSocket&) = delete;

  int fd() const { return fd_; }
  const ike::Endpoint& local() const { return local_; }
  bool natt() const { return local_.port == ike::kNattPort; }

  // One datagram, or nullopt when nothing is waiting. ESP-in-UDP and keepalives on 4500 are not IKE: skipped.
  std::optional<ike::Datagram> receive();
  void send(const ike::Datagram& datagram);

 private:
  int fd_ = -1;
  ike::Endpoint local_;
};

}  // namespace ravpn::daemon
