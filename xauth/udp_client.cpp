#include "xauth/udp_client.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <vector>

#include <fmt/format.h>

namespace ravpn::xauth {

std::expected<UdpClient, std::string> UdpClient::open(Ipv4 address, uint16_t port) {
  int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return std::unexpected(fmt::format("socket: {}", std::strerror(errno)));
  UdpClient c(fd, Ipv4{});
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(port);
  to.sin_addr.s_addr = htonl(address.value);
  if (connect(fd, reinterpret_cast<const sockaddr*>(&to), sizeof to) != 0)
    return std::unexpected(fmt::format("cannot send to it: {}", std::strerror(errno)));
  sockaddr_in from{};
  socklen_t from_length = sizeof from;
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&from), &from_length) != 0)
    return std::unexpected(fmt::format("getsockname: {}", std::strerror(errno)));
  c.source_ = Ipv4{ntohl(from.sin_addr.s_addr)};
  return c;
}

UdpClient::~UdpClient() {
  if (fd_ >= 0) close(fd_);
}

UdpOutcome UdpClient::exchange(std::span<const uint8_t> packet, unsigned timeout_seconds, unsigned retransmits,
                               const Accept& accept) {
  using Clock = std::chrono::steady_clock;
  UdpOutcome out;
  auto error = [&](std::string detail) {
    out.kind = UdpOutcome::Kind::Error;
    out.detail = std::move(detail);
    return out;
  };
  constexpr const char* kRefused = "nothing listens there (ICMP port unreachable)";
  std::vector<uint8_t> answer(4097);  // RFC 2865 3: 4096 at most; one more to see an over-long datagram
  for (unsigned attempt = 0; attempt <= retransmits; ++attempt) {
    if (send(fd_, packet.data(), packet.size(), 0) < 0)
      return error(errno == ECONNREFUSED ? kRefused : fmt::format("send: {}", std::strerror(errno)));
    ++out.sent;
    const auto deadline = Clock::now() + std::chrono::seconds(timeout_seconds);
    for (;;) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
      if (left <= 0) break;
      pollfd p{fd_, POLLIN, 0};
      int ready = poll(&p, 1, int(left));
      if (ready < 0 && errno == EINTR) continue;
      if (ready < 0) return error(fmt::format("poll: {}", std::strerror(errno)));
      if (ready == 0) break;
      ssize_t n = recv(fd_, answer.data(), answer.size(), 0);
      if (n < 0) {
        if (errno == EINTR || errno == EAGAIN) continue;
        return error(errno == ECONNREFUSED ? kRefused : fmt::format("recv: {}", std::strerror(errno)));
      }
      std::string why;
      if (accept(std::span<const uint8_t>(answer.data(), size_t(n)), why)) {
        out.kind = UdpOutcome::Kind::Answered;
        return out;
      }
      ++out.dropped;
      out.why_dropped = std::move(why);
    }
  }
  if (out.dropped) return error(fmt::format("dropped {} answer(s): {}", out.dropped, out.why_dropped));
  return out;
}

}  // namespace ravpn::xauth
