#include "xauth/tacacs_tcp.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

namespace ravpn::xauth::tacacs {

namespace {

int millis_left(Clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
  return left > 0 ? int(left) : 0;
}

// Waits for `events` on fd until the deadline: "" when ready, else why not.
std::string wait_for(int fd, short events, Clock::time_point deadline) {
  for (;;) {
    int left = millis_left(deadline);
    if (left == 0) return "timed out";
    pollfd p{fd, events, 0};
    int ready = poll(&p, 1, left);
    if (ready < 0 && errno == EINTR) continue;
    if (ready < 0) return fmt::format("poll: {}", std::strerror(errno));
    if (ready > 0) return "";
  }
}

}  // namespace

std::expected<Connection, std::string> connect_to(Ipv4 address, uint16_t port, Clock::time_point deadline) {
  Connection c(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (!c) return std::unexpected(fmt::format("socket: {}", std::strerror(errno)));
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(port);
  to.sin_addr.s_addr = htonl(address.value);
  if (connect(c.fd(), reinterpret_cast<const sockaddr*>(&to), sizeof to) != 0 && errno != EINPROGRESS)
    return std::unexpected(fmt::format("connect: {}", std::strerror(errno)));
  if (auto why = wait_for(c.fd(), POLLOUT, deadline); !why.empty())
    return std::unexpected(why == "timed out" ? "connect timed out" : why);
  int error = 0;
  socklen_t length = sizeof error;
  if (getsockopt(c.fd(), SOL_SOCKET, SO_ERROR, &error, &length) != 0) error = errno;
  if (error) return std::unexpected(fmt::format("connect: {}", std::strerror(error)));
  return c;
}

std::string send_all(int fd, ByteView bytes, Clock::time_point deadline) {
  while (!bytes.empty()) {
    ssize_t n = send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) {
      if (auto why = wait_for(fd, POLLOUT, deadline); !why.empty()) return why;
      continue;
    }
    if (n < 0) return fmt::format("send: {}", std::strerror(errno));
    bytes = bytes.subspan(size_t(n));
  }
  return "";
}

static std::string receive_exactly(int fd, std::span<uint8_t> into, Clock::time_point deadline) {
  while (!into.empty()) {
    ssize_t n = recv(fd, into.data(), into.size(), 0);
    if (n == 0) return "the server closed the connection";
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) {
      if (auto why = wait_for(fd, POLLIN, deadline); !why.empty()) return why;
      continue;
    }
    if (n < 0) return fmt::format("recv: {}", std::strerror(errno));
    into = into.subspan(size_t(n));
  }
  return "";
}

std::expected<Bytes, std::string> receive_packet(int fd, Clock::time_point deadline) {
  Bytes packet(kHeaderLength);
  if (auto why = receive_exactly(fd, packet, deadline); !why.empty()) return std::unexpected(why);
  auto header = parse_header(packet);
  if (!header) return std::unexpected("garbage: " + header.error());
  packet.resize(kHeaderLength + header->length);
  auto body = std::span<uint8_t>(packet).subspan(kHeaderLength);
  if (auto why = receive_exactly(fd, body, deadline); !why.empty()) return std::unexpected(why);
  return packet;
}

}  // namespace ravpn::xauth::tacacs
