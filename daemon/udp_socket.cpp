#include "daemon/udp_socket.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/udp.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

#ifndef UDP_ENCAP_ESPINUDP
#define UDP_ENCAP_ESPINUDP 2
#endif

namespace ravpn::daemon {
namespace {
sockaddr_in to_sockaddr(const ike::Endpoint& e) {
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(e.port);
  sa.sin_addr.s_addr = htonl(e.address.value);
  return sa;
}
constexpr int kReceiveBuffer = 2 << 20;
std::string error_text(const std::string& what, const ike::Endpoint& e) {
  return what + " " + e.str() + ": " + std::strerror(errno);
}
}  // namespace

UdpSocket::UdpSocket(ike::Endpoint local) : local_(local) {
  fd_ = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd_ < 0) throw std::runtime_error(error_text("socket for", local));
  int one = 1;
  setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  // A burst (every client's DELETE after an outage, a thousand logins at once) must not overflow the default
  // ~200 KB while the loop is busy: 2 MiB, past net.core.rmem_max while the process still has CAP_NET_ADMIN (it
  // binds before dropping privileges), else what rmem_max allows. Floods are handled by admission control, not here.
  int buffer = kReceiveBuffer;
  if (setsockopt(fd_, SOL_SOCKET, SO_RCVBUFFORCE, &buffer, sizeof buffer) != 0)
    setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &buffer, sizeof buffer);
  auto sa = to_sockaddr(local);
  if (bind(fd_, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0) {
    auto msg = error_text("cannot bind", local);
    close(fd_);
    throw std::runtime_error(msg);
  }
  if (natt()) {
    // RFC 3948: the kernel takes ESP-in-UDP off this socket once ESP SAs with UDP encapsulation exist.
    int type = UDP_ENCAP_ESPINUDP;
    setsockopt(fd_, IPPROTO_UDP, UDP_ENCAP, &type, sizeof type);
  }
}

UdpSocket::~UdpSocket() {
  if (fd_ >= 0) close(fd_);
}

UdpSocket::UdpSocket(UdpSocket&& o) noexcept : fd_(o.fd_), local_(o.local_) { o.fd_ = -1; }

std::optional<ike::Datagram> UdpSocket::receive() {
  for (;;) {
    uint8_t buf[65536];
    sockaddr_in from{};
    socklen_t len = sizeof from;
    ssize_t n = recvfrom(fd_, buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&from), &len);
    if (n < 0) return std::nullopt;  // EAGAIN, or an error the next poll will show again
    const uint8_t* data = buf;
    size_t size = size_t(n);
    if (natt()) {
      // RFC 3948 §2.2/§2.3: a single 0xff byte is a NAT keepalive; IKE starts with four zero bytes.
      if (size < 4 || data[0] || data[1] || data[2] || data[3]) continue;
      data += 4;
      size -= 4;
    }
    ike::Datagram d;
    d.from = ike::Endpoint{Ipv4{ntohl(from.sin_addr.s_addr)}, ntohs(from.sin_port)};
    d.to = local_;
    d.data.assign(data, data + size);
    return d;
  }
}

void UdpSocket::send(const ike::Datagram& d) {
  auto to = to_sockaddr(d.to);
  // RFC 3948 §2.2: on port 4500 the message follows the four-byte non-ESP marker; both go out from where they are.
  uint8_t marker[4] = {0, 0, 0, 0};
  iovec parts[2] = {{marker, sizeof marker}, {const_cast<uint8_t*>(d.data.data()), d.data.size()}};
  msghdr msg{};
  msg.msg_name = &to;
  msg.msg_namelen = sizeof to;
  msg.msg_iov = natt() ? parts : parts + 1;
  msg.msg_iovlen = natt() ? 2 : 1;
  sendmsg(fd_, &msg, 0);
}

}  // namespace ravpn::daemon
